package main

import (
	"github.com/spf13/cobra"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/petro-network/petro/client"
)

// Flags that make the commands reach --node over TLS (app.toml [grpc]
// tls_cert_file on the node).
const (
	flagTLS        = "tls"
	flagCA         = "ca"
	flagClientCert = "client-cert"
	flagClientKey  = "client-key"
)

// flagSet is what addTLSFlags needs of a pflag.FlagSet (a command's flags
// or persistent flags).
type flagSet interface {
	Bool(name string, value bool, usage string) *bool
	String(name, value, usage string) *string
}

func addTLSFlags(f flagSet) {
	f.Bool(flagTLS, false, "connect to --node over TLS (verified against the system's roots, or --ca)")
	f.String(flagCA, "", "CA certificate (PEM) that signed the node's certificate; implies --tls")
	f.String(flagClientCert, "", "client certificate (PEM) for services that require one; implies --tls")
	f.String(flagClientKey, "", "the client certificate's key (PEM)")
}

// tlsOptions are the TLS flags; ok is false for a plaintext connection.
func tlsOptions(cmd *cobra.Command) (o client.TLSOptions, ok bool) {
	on, _ := cmd.Flags().GetBool(flagTLS)
	o.CAFile, _ = cmd.Flags().GetString(flagCA)
	o.CertFile, _ = cmd.Flags().GetString(flagClientCert)
	o.KeyFile, _ = cmd.Flags().GetString(flagClientKey)
	return o, on || o.CAFile != "" || o.CertFile != "" || o.KeyFile != ""
}

// nodeCreds are the transport credentials the TLS flags ask for.
func nodeCreds(cmd *cobra.Command) (credentials.TransportCredentials, error) {
	o, ok := tlsOptions(cmd)
	if !ok {
		return insecure.NewCredentials(), nil
	}
	tc, err := o.Config()
	if err != nil {
		return nil, &usageError{err.Error()}
	}
	return credentials.NewTLS(tc), nil
}
