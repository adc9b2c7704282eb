package client

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// TLSOptions say how to reach a node that serves gRPC over TLS (app.toml
// [grpc] tls_cert_file).
type TLSOptions struct {
	// CAFile (PEM) verifies the node's certificate; empty uses the
	// system's roots.
	CAFile string
	// CertFile and KeyFile (PEM) are a client certificate, for the
	// services a node accepts only with one (app.toml client_cert_services).
	CertFile, KeyFile string
	// ServerName overrides the name checked in the node's certificate
	// (default: the host of the address).
	ServerName string
}

// Config is the tls.Config of o.
func (o TLSOptions) Config() (*tls.Config, error) {
	c := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: o.ServerName}
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, fmt.Errorf("client: CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("client: CA file %s holds no PEM certificate", o.CAFile)
		}
		c.RootCAs = pool
	}
	switch {
	case o.CertFile != "" && o.KeyFile != "":
		cert, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("client: client certificate: %w", err)
		}
		c.Certificates = []tls.Certificate{cert}
	case o.CertFile != "" || o.KeyFile != "":
		return nil, errors.New("client: a client certificate needs both the certificate and the key file")
	}
	return c, nil
}

// DialTLS is Dial over TLS with o.
func DialTLS(grpcAddr string, o TLSOptions) (*Client, error) {
	addr := strings.TrimPrefix(grpcAddr, "tcp://")
	if addr == "" {
		return nil, errors.New("client: empty gRPC address")
	}
	tc, err := o.Config()
	if err != nil {
		return nil, err
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(credentials.NewTLS(tc)))
	if err != nil {
		return nil, fmt.Errorf("client: %s: %w", grpcAddr, err)
	}
	return New(conn), nil
}
