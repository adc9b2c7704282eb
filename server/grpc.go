package server

import (
	"fmt"
	"net"
	"time"

	"github.com/cometbft/cometbft/libs/log"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/reflection"

	"github.com/petro-network/petro/app"
	txtypes "github.com/petro-network/petro/types/tx"
)

// Config is the [grpc] section of app.toml.
type Config struct {
	Address              string `toml:"address" comment:"Listen address (host:port); 0.0.0.0 for all interfaces (start --grpc.address or PETRO_GRPC_ADDRESS override it)."`
	MaxRecvMsgBytes      int    `toml:"max_recv_msg_bytes" comment:"Largest request accepted, in bytes."`
	MaxSendMsgBytes      int    `toml:"max_send_msg_bytes" comment:"Largest response sent, in bytes."`
	MaxConcurrentStreams uint32 `toml:"max_concurrent_streams" comment:"Concurrent calls per client connection."`
	MaxCommitWaiters     int    `toml:"max_commit_waiters" comment:"Broadcasts in COMMIT mode waiting for their block at once; more are refused (ResourceExhausted)."`
	// MaxHistorySearches bounds the GetTxsByAddress calls served at once;
	// more wait their turn (until their deadline).
	MaxHistorySearches int `toml:"max_history_searches" comment:"GetTxsByAddress searches run at once; more wait their turn (until their deadline)."`
	// SubscribeTxs limits: streams in all, streams per client connection,
	// and blocks (each with its txs for the stream's address) queued per
	// stream before a client that does not keep up is dropped
	// (ResourceExhausted).
	MaxSubscriptions         int `toml:"max_subscriptions" comment:"SubscribeTxs streams open at once, over all clients."`
	MaxSubscriptionsPerConn  int `toml:"max_subscriptions_per_conn" comment:"SubscribeTxs streams per client connection."`
	SubscriptionBufferBlocks int `toml:"subscription_buffer_blocks" comment:"Blocks queued per SubscribeTxs stream before a client that does not keep up is dropped (ResourceExhausted)."`
	// TLS: with a certificate and key, gRPC is served over TLS only.
	TLSCertFile string `toml:"tls_cert_file" comment:"TLS: the server certificate (PEM, with its chain); empty = plaintext. Relative paths are from where petrod runs."`
	TLSKeyFile  string `toml:"tls_key_file" comment:"TLS: the server certificate's private key (PEM)."`
	// ClientCAFile verifies client certificates (asked for, not required).
	ClientCAFile string `toml:"client_ca_file" comment:"TLS: CA (PEM) that signs client certificates; clients may then present one."`
	// ClientCertServices refuse calls without a verified client certificate.
	ClientCertServices []string `toml:"client_cert_services" comment:"TLS: services that refuse calls without a client certificate from client_ca_file,\ne.g. [\"petro.tx.v1.TxService\"] (Unauthenticated otherwise)."`
}

// DefaultConfig listens on the Cosmos default gRPC port on loopback.
func DefaultConfig() Config {
	return Config{
		Address:              "127.0.0.1:9090",
		MaxRecvMsgBytes:      1 << 20,
		MaxSendMsgBytes:      16 << 20,
		MaxConcurrentStreams: 256,
		MaxCommitWaiters:     10_000,
		MaxHistorySearches:   4,

		MaxSubscriptions:         1_000,
		MaxSubscriptionsPerConn:  16,
		SubscriptionBufferBlocks: 64,
		ClientCertServices:       []string{},
	}
}

// Server is a running gRPC endpoint.
type Server struct {
	grpc   *grpc.Server
	lis    net.Listener
	health *health.Server
	Tx     *TxService
}

// New builds the server with every service registered; Start serves it.
// It fails only on the TLS settings (files that do not load).
func New(cfg Config, a *app.App, node Node, logger log.Logger) (*Server, error) {
	tc, err := cfg.ServerTLS()
	if err != nil {
		return nil, err
	}
	unary := []grpc.UnaryServerInterceptor{unaryInterceptor(logger)}
	var extra []grpc.ServerOption
	if tc != nil {
		extra = append(extra, grpc.Creds(credentials.NewTLS(tc)))
		if len(cfg.ClientCertServices) > 0 {
			u, st := clientCertInterceptors(cfg.ClientCertServices)
			unary = append([]grpc.UnaryServerInterceptor{u}, unary...)
			extra = append(extra, grpc.ChainStreamInterceptor(st))
		}
	}
	gs := grpc.NewServer(append(extra,
		grpc.MaxRecvMsgSize(cfg.MaxRecvMsgBytes),
		grpc.MaxSendMsgSize(cfg.MaxSendMsgBytes),
		grpc.MaxConcurrentStreams(cfg.MaxConcurrentStreams),
		grpc.KeepaliveParams(keepalive.ServerParameters{MaxConnectionIdle: 15 * time.Minute, Time: 2 * time.Minute, Timeout: 20 * time.Second}),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
		grpc.ConnectionTimeout(10*time.Second),
		grpc.ChainUnaryInterceptor(unary...),
		grpc.ChainStreamInterceptor(streamInterceptor(logger)),
	)...)
	s := &Server{grpc: gs, health: health.NewServer(), Tx: NewTxService(a, node, cfg)}
	txtypes.RegisterTxServiceServer(gs, s.Tx)
	a.RegisterQueryServices(gs) // the app wires its keepers; the server only hosts them
	healthpb.RegisterHealthServer(gs, s.health)
	reflection.Register(gs)
	return s, nil
}

// Start listens on addr and serves in the background.
func (s *Server) Start(addr string) error {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("grpc: listen on %s: %w", addr, err)
	}
	s.lis = lis
	s.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	s.health.SetServingStatus(ReadinessService, healthpb.HealthCheckResponse_NOT_SERVING)
	go func() { _ = s.grpc.Serve(lis) }()
	return nil
}

// ServiceNames lists the gRPC services registered, e.g. for the REST
// gateway to map.
func (s *Server) ServiceNames() []string {
	names := make([]string, 0, 8)
	for name := range s.grpc.GetServiceInfo() {
		names = append(names, name)
	}
	return names
}

// Addr is the address actually listened on (useful with port 0).
func (s *Server) Addr() string { return s.lis.Addr().String() }

// ReadinessService is the grpc.health.v1 service name that answers
// SERVING only while the node is ready for clients: alive, caught up with
// the network, past its first block. The empty service name ("") answers
// whether the node is alive: running, not failed, not stalled behind its
// peers. REST serves both as /health and /ready.
const ReadinessService = "petro.readiness"

// SetHealth sets the liveness ("") and readiness (ReadinessService)
// statuses. After Fail it does nothing.
func (s *Server) SetHealth(alive, ready bool) {
	st := func(ok bool) healthpb.HealthCheckResponse_ServingStatus {
		if ok {
			return healthpb.HealthCheckResponse_SERVING
		}
		return healthpb.HealthCheckResponse_NOT_SERVING
	}
	s.health.SetServingStatus("", st(alive))
	s.health.SetServingStatus(ReadinessService, st(ready))
}

// Fail marks every service NOT_SERVING for good (the node is going down
// after an internal failure).
func (s *Server) Fail() { s.health.Shutdown() }

// Stop marks the server not serving and stops it, letting in-flight calls
// finish for up to timeout.
func (s *Server) Stop(timeout time.Duration) {
	s.health.Shutdown()
	done := make(chan struct{})
	go func() { s.grpc.GracefulStop(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
		s.grpc.Stop()
	}
}
