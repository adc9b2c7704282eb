package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// TLSEnabled reports whether app.toml gives the gRPC server a certificate.
func (c Config) TLSEnabled() bool { return c.TLSCertFile != "" }

// ServerTLS loads the [grpc] certificate, key and client CA into a
// tls.Config (nil when TLS is off). With client_ca_file, a client
// certificate is asked for and verified if given; the services in
// client_cert_services refuse calls without one.
func (c Config) ServerTLS() (*tls.Config, error) {
	if !c.TLSEnabled() && c.TLSKeyFile == "" {
		if c.ClientCAFile != "" || len(c.ClientCertServices) > 0 {
			return nil, fmt.Errorf("grpc: client_ca_file and client_cert_services need tls_cert_file and tls_key_file")
		}
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(c.TLSCertFile, c.TLSKeyFile)
	if err != nil {
		return nil, fmt.Errorf("grpc: tls_cert_file/tls_key_file: %w", err)
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	if c.ClientCAFile != "" {
		pem, err := os.ReadFile(c.ClientCAFile)
		if err != nil {
			return nil, fmt.Errorf("grpc: client_ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("grpc: client_ca_file %s holds no PEM certificate", c.ClientCAFile)
		}
		tc.ClientCAs, tc.ClientAuth = pool, tls.VerifyClientCertIfGiven
	} else if len(c.ClientCertServices) > 0 {
		return nil, fmt.Errorf("grpc: client_cert_services needs client_ca_file")
	}
	return tc, nil
}

// clientCertInterceptors refuse calls to the given services (full names,
// e.g. petro.tx.v1.TxService) from clients without a verified certificate.
func clientCertInterceptors(services []string) (grpc.UnaryServerInterceptor, grpc.StreamServerInterceptor) {
	need := map[string]bool{}
	for _, s := range services {
		need[s] = true
	}
	check := func(ctx context.Context, method string) error {
		svc := strings.TrimPrefix(method, "/")
		if i := strings.LastIndex(svc, "/"); i >= 0 {
			svc = svc[:i]
		}
		if !need[svc] {
			return nil
		}
		if p, ok := peer.FromContext(ctx); ok {
			if ti, ok := p.AuthInfo.(credentials.TLSInfo); ok && len(ti.State.VerifiedChains) > 0 {
				return nil
			}
		}
		return status.Errorf(codes.Unauthenticated, "%s needs a client certificate signed by the node's client CA", svc)
	}
	unary := func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		if err := check(ctx, info.FullMethod); err != nil {
			return nil, err
		}
		return h(ctx, req)
	}
	stream := func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		if err := check(ss.Context(), info.FullMethod); err != nil {
			return err
		}
		return h(srv, ss)
	}
	return unary, stream
}
