// Command testsigner is a remote signer for the e2e tests: CometBFT's
// privval SignerServer over a FilePV (key and last-sign state files in
// its own directory), dialling the validator's priv_validator_laddr and
// redialling for as long as it runs. Production validators use tmkms or
// horcrux (networks/README.md#remote-signers); this is CometBFT's own
// reference signer, enough to test the protocol.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cometbft/cometbft/libs/log"
	"github.com/cometbft/cometbft/privval"
)

func main() {
	addr := flag.String("addr", "", "the validator's priv_validator_laddr (tcp://host:port)")
	key := flag.String("key", "", "priv_validator_key.json")
	state := flag.String("state", "", "priv_validator_state.json")
	chainID := flag.String("chain-id", "", "chain id")
	flag.Parse()
	if *addr == "" || *key == "" || *state == "" || *chainID == "" {
		fmt.Fprintln(os.Stderr, "usage: testsigner -addr tcp://HOST:PORT -key FILE -state FILE -chain-id ID")
		os.Exit(2)
	}
	logger := log.NewTMLogger(log.NewSyncWriter(os.Stderr)).With("module", "signer")
	pv := privval.LoadFilePV(*key, *state)
	hostPort := strings.TrimPrefix(*addr, "tcp://")
	if _, _, err := net.SplitHostPort(hostPort); err != nil {
		fmt.Fprintln(os.Stderr, "-addr:", err)
		os.Exit(2)
	}
	dialer := privval.DialTCPFn(hostPort, 3*time.Second, ed25519.GenPrivKey())
	ep := privval.NewSignerDialerEndpoint(logger, dialer,
		privval.SignerDialerEndpointRetryWaitInterval(200*time.Millisecond),
		privval.SignerDialerEndpointConnRetries(1<<30))
	ss := privval.NewSignerServer(ep, *chainID, pv)
	if err := ss.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "start signer:", err)
		os.Exit(1)
	}
	logger.Info("signer running", "validator", *addr, "address", pv.GetAddress())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	_ = ss.Stop()
}
