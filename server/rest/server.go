package rest

import (
	"context"
	"crypto/tls"
	"embed"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"time"

	"github.com/cometbft/cometbft/libs/log"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

// Config is the [api] section of app.toml.
type Config struct {
	// Enable serves the REST/JSON gateway and the audit page.
	Enable bool `toml:"enable" comment:"Serve the REST/JSON gateway and the audit page."`
	// Address to listen on (host:port).
	Address string `toml:"address" comment:"Listen address (host:port); start --api.address or PETRO_API_ADDRESS override it."`
	// CORSAllowedOrigins are the web origins (e.g. "https://wallet.example.com",
	// or "*" for any) whose pages may call the API from a browser; empty (the
	// default) sends no CORS headers, so browsers allow same-origin pages only.
	CORSAllowedOrigins []string `toml:"cors_allowed_origins" comment:"Web origins (e.g. \"https://wallet.example.com\", or \"*\") whose pages may call the API from a\nbrowser; empty (the default) sends no CORS headers, so only same-origin pages can."`
	// TLS: with a certificate and key, HTTPS only.
	TLSCertFile string `toml:"tls_cert_file" comment:"TLS: the server certificate (PEM, with its chain); empty = plain HTTP."`
	TLSKeyFile  string `toml:"tls_key_file" comment:"TLS: the server certificate's private key (PEM)."`
}

// DefaultConfig serves on the Cosmos default REST port, loopback only,
// without CORS.
func DefaultConfig() Config {
	return Config{Enable: true, Address: "127.0.0.1:1317", CORSAllowedOrigins: []string{}}
}

//go:embed web
var webFS embed.FS

// Server is the HTTP listener: gateway routes under /petro/, the audit
// page at / and /audit.
type Server struct {
	gw     *Gateway
	conn   *grpc.ClientConn
	http   *http.Server
	lis    net.Listener
	logger log.Logger
	cors   []string // allowed origins; none: no CORS
}

// Dial builds a server whose gateway calls the gRPC server at grpcAddr
// (the node's own listener) for the given services, with cfg's CORS
// origins (its address is given to Start), over plaintext gRPC.
func Dial(cfg Config, grpcAddr string, services []string, logger log.Logger) (*Server, error) {
	return DialWith(cfg, grpcAddr, insecure.NewCredentials(), services, logger)
}

// DialWith is Dial with the transport credentials of the node's gRPC
// listener (TLS when app.toml [grpc] has a certificate).
func DialWith(cfg Config, grpcAddr string, creds credentials.TransportCredentials, services []string, logger log.Logger) (*Server, error) {
	if err := ValidateCORSOrigins(cfg.CORSAllowedOrigins); err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	cc, err := grpc.NewClient(loopback(grpcAddr),
		grpc.WithTransportCredentials(creds),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20)))
	if err != nil {
		return nil, fmt.Errorf("rest: dial gRPC %s: %w", grpcAddr, err)
	}
	gw, err := NewGateway(cc, services)
	if err != nil {
		cc.Close()
		return nil, err
	}
	s := NewServer(gw, logger)
	s.conn = cc
	s.cors = cfg.CORSAllowedOrigins
	s.http.Handler = s.Handler()
	return s, nil
}

// NewServer serves gw and the audit page.
func NewServer(gw *Gateway, logger log.Logger) *Server {
	s := &Server{gw: gw, logger: logger}
	s.http = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	return s
}

// Handler routes /petro/… to the gateway and everything else to the page,
// behind the CORS policy.
func (s *Server) Handler() http.Handler {
	static, _ := fs.Sub(webFS, "web")
	files := http.FileServer(http.FS(static))
	mux := http.NewServeMux()
	mux.HandleFunc("/petro", s.gw.ServeIndex)
	mux.Handle("/petro/", s.gw)
	s.gw.registerHealth(mux)
	page := func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET")
			http.Error(w, "use GET", http.StatusMethodNotAllowed)
			return
		}
		bz, err := webFS.ReadFile("web/index.html")
		if err != nil {
			http.Error(w, "page missing", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(bz)
	}
	mux.HandleFunc("/{$}", page)
	mux.HandleFunc("/audit", page)
	mux.HandleFunc("/audit/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/audit/" {
			page(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		http.StripPrefix("/audit/", files).ServeHTTP(w, r)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSONError(w, http.StatusNotFound, 5, "not found: the audit page is at /, the API under /petro/ (GET /petro lists it)")
	})
	return withCORS(s.cors, securityHeaders(mux))
}

// securityHeaders: the page loads only its own script, style and data.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
		h.ServeHTTP(w, r)
	})
}

// Start listens on addr and serves in the background (HTTPS when the
// config has a certificate: see StartTLS).
func (s *Server) Start(addr string) error { return s.StartTLS(addr, Config{}) }

// StartTLS is Start serving HTTPS with c's certificate and key (plain HTTP
// when c has none).
func (s *Server) StartTLS(addr string, c Config) error {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("api: listen on %s: %w", addr, err)
	}
	if c.TLSCertFile != "" || c.TLSKeyFile != "" {
		cert, err := tls.LoadX509KeyPair(c.TLSCertFile, c.TLSKeyFile)
		if err != nil {
			lis.Close()
			return fmt.Errorf("api: tls_cert_file/tls_key_file: %w", err)
		}
		lis = tls.NewListener(lis, &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}})
	}
	s.lis = lis
	go func() {
		if err := s.http.Serve(lis); err != nil && err != http.ErrServerClosed {
			s.logger.Error("api server stopped", "err", err)
		}
	}()
	return nil
}

// Addr is the address actually listened on.
func (s *Server) Addr() string { return s.lis.Addr().String() }

// Routes lists the gateway's URLs.
func (s *Server) Routes() []*Route { return s.gw.Routes() }

// Stop stops taking requests, lets in-flight ones finish for up to
// timeout, then closes the gRPC connection.
func (s *Server) Stop(timeout time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := s.http.Shutdown(ctx); err != nil {
		_ = s.http.Close()
	}
	if s.conn != nil {
		_ = s.conn.Close()
	}
}

// loopback turns a wildcard listen address into one to dial.
func loopback(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		if ip != nil && ip.To4() == nil {
			return net.JoinHostPort("::1", port)
		}
		return net.JoinHostPort("127.0.0.1", port)
	}
	return addr
}
