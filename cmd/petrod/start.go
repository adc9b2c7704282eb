package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmtflags "github.com/cometbft/cometbft/libs/cli/flags"
	"github.com/cometbft/cometbft/libs/log"
	"github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/rpc/client/local"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/app/upgrades"
	"github.com/petro-network/petro/internal/store"
	"github.com/petro-network/petro/server"
	"github.com/petro-network/petro/server/rest"
	"github.com/petro-network/petro/server/telemetry"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
)

const (
	flagGRPCAddr = "grpc.address"
	flagAPIAddr  = "api.address"
	flagRPCAddr  = "rpc.laddr"
	flagP2PAddr  = "p2p.laddr"
)

func newStartCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Run the node: CometBFT consensus, the petro app and the gRPC server",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return RunNode(ctx, homeFlag(cmd), startFlags(cmd), cmd.ErrOrStderr())
		},
	}
	addStartFlags(cmd)
	return cmd
}

// StartOverrides are command-line settings that win over the config files.
type StartOverrides struct {
	GRPCAddress, RPCAddress, P2PAddress string
	APIAddress                          string
	LogLevel, LogFormat                 string
}

// Environment variables that set the listen addresses when the flag is not
// given (a container image sets them to all interfaces). Flag > variable >
// config file.
var listenEnv = map[string]string{
	flagGRPCAddr: "PETRO_GRPC_ADDRESS",
	flagAPIAddr:  "PETRO_API_ADDRESS",
	flagRPCAddr:  "PETRO_RPC_LADDR",
	flagP2PAddr:  "PETRO_P2P_LADDR",
}

func addStartFlags(cmd *cobra.Command) {
	cmd.Flags().String(flagGRPCAddr, "", "gRPC listen address (overrides app.toml; env PETRO_GRPC_ADDRESS)")
	cmd.Flags().String(flagAPIAddr, "", "REST/JSON gateway and audit page listen address (overrides app.toml [api] address; env PETRO_API_ADDRESS)")
	cmd.Flags().String(flagRPCAddr, "", "CometBFT RPC listen address (overrides config.toml; env PETRO_RPC_LADDR)")
	cmd.Flags().String(flagP2PAddr, "", "P2P listen address (overrides config.toml; env PETRO_P2P_LADDR)")
	cmd.Flags().String(flagLogLevel, "", "log level, e.g. info or consensus:info,*:error (overrides config.toml)")
	cmd.Flags().String(flagLogFmt, "", "log format: plain|json (overrides config.toml)")
}

func startFlags(cmd *cobra.Command) StartOverrides {
	get := func(n string) string {
		v, _ := cmd.Flags().GetString(n)
		if v == "" && listenEnv[n] != "" {
			v = os.Getenv(listenEnv[n])
		}
		return v
	}
	return StartOverrides{
		GRPCAddress: get(flagGRPCAddr), RPCAddress: get(flagRPCAddr), P2PAddress: get(flagP2PAddr),
		LogLevel: get(flagLogLevel), LogFormat: get(flagLogFmt),
		APIAddress: get(flagAPIAddr),
	}
}

// NodeHooks are optional callbacks into a node run by RunNodeWith.
type NodeHooks struct {
	// OnStarted runs in its own goroutine once the node and its gRPC
	// server are started, with the gRPC address to dial (a loopback address
	// if the server listens on all interfaces) and the node's logger. ctx
	// is done when the node begins to shut down; the shutdown waits (up to
	// hookStopTimeout) for OnStarted to return before gRPC stops. A panic
	// in it is logged, never fatal to the node.
	OnStarted func(ctx context.Context, grpcAddr string, logger log.Logger)
}

// hookStopTimeout bounds how long shutdown waits for NodeHooks.OnStarted.
const hookStopTimeout = 10 * time.Second

// RunNode runs a node from home until ctx is done, then shuts down in
// order: gRPC stops taking requests, CometBFT stops (no block is half
// applied: Commit is atomic), the state DB closes.
func RunNode(ctx context.Context, home string, o StartOverrides, logOut io.Writer) error {
	return RunNodeWith(ctx, home, o, logOut, NodeHooks{})
}

// RunNodeWith is RunNode with hooks.
func RunNodeWith(ctx context.Context, home string, o StartOverrides, logOut io.Writer, hooks NodeHooks) error {
	cfg, err := LoadCometConfig(home)
	if err != nil {
		return err
	}
	appCfg, err := LoadAppConfig(home)
	if err != nil {
		return err
	}
	if appCfg.GCPercent > 0 && os.Getenv("GOGC") == "" {
		debug.SetGCPercent(appCfg.GCPercent)
	}
	if o.GRPCAddress != "" {
		appCfg.GRPC.Address = o.GRPCAddress
	}
	if o.APIAddress != "" {
		appCfg.API.Address = o.APIAddress
	}
	if o.RPCAddress != "" {
		cfg.RPC.ListenAddress = o.RPCAddress
	}
	if o.P2PAddress != "" {
		cfg.P2P.ListenAddress = o.P2PAddress
	}
	if o.LogLevel != "" {
		cfg.LogLevel = o.LogLevel
	}
	if o.LogFormat != "" {
		cfg.LogFormat = o.LogFormat
	}
	baseLogger, err := newLogger(cfg, logOut)
	if err != nil {
		return err
	}
	logger, logState := newNodeLogger(baseLogger)
	// Fail loudly: from the first fatal message on, every health service
	// answers NOT_SERVING and the node shuts down with an error.
	fatal := make(chan string, 1)
	var failHealth atomic.Pointer[func()]
	logState.setOnFatal(func(cause string) {
		if f := failHealth.Load(); f != nil {
			(*f)()
		}
		select {
		case fatal <- cause:
		default:
		}
	})
	if err := checkPortsFree(cfg, appCfg); err != nil {
		return err
	}
	genDoc, err := cmttypes.GenesisDocFromFile(cfg.GenesisFile())
	if err != nil {
		return fmt.Errorf("genesis %s: %w", cfg.GenesisFile(), err)
	}
	if err := checkGenesisMatchesData(cfg, genDoc); err != nil {
		return err
	}

	db, err := store.OpenDB(appCfg.DBBackend, cfg.DBDir(), "application")
	if err != nil {
		return fmt.Errorf("open application db (damaged? restore data/ from a backup or resync the node): %w", err)
	}
	defer db.Close()
	petroApp, err := app.New(genDoc.ChainID, db, app.Options{
		CacheSize:       appCfg.IAVLCacheSize,
		PruneKeepRecent: appCfg.PruningKeepRecent,
		CheckInvariants: appCfg.CheckInvariants,
		Logger:          logger.With("module", "app"),
		// state sync: snapshots taken and served (app.toml [state_sync]); the
		// genesis allowlist answers the peer filter of a node that state-syncs
		SnapshotDir:        appCfg.StateSync.SnapshotPath(home),
		SnapshotInterval:   appCfg.StateSync.SnapshotInterval,
		SnapshotKeepRecent: appCfg.StateSync.SnapshotKeepRecent,
		GenesisAppState:    genDoc.AppState,
		Upgrades:           upgrades.All(),
		// The line and the file come the moment the app knows, so that both
		// exist however the node stops (cosmovisor killing it on seeing the
		// file, a block-sync panic at the height); the file is written
		// again, unchanged, once the node has stopped.
		OnUpgradeNeeded: func(plan *authoritytypes.UpgradePlan) {
			logger.Error(upgradeLogLine, "name", plan.Name, "height", plan.Height, "info", plan.Info)
			if _, err := writeUpgradeInfo(cfg.DBDir(), plan); err != nil {
				logger.Error("could not write upgrade-info.json", "err", err)
			}
		},
	})
	if err != nil {
		return err
	}
	defer petroApp.Close()
	if err := checkUpgrades(petroApp, cfg.DBDir()); err != nil {
		return err
	}
	if last, _ := petroApp.LastCommit(); appCfg.HaltHeight > 0 {
		if err := checkHaltHeight(appCfg.HaltHeight, last); err != nil {
			return err
		}
	}
	halt := newHaltGuard(petroApp, appCfg.HaltHeight)
	if cfg.Instrumentation.Prometheus {
		// petro's gauges and counters on CometBFT's Prometheus endpoint.
		if m, err := telemetry.New(prometheus.DefaultRegisterer); err != nil {
			logger.Error("petro metrics not registered", "err", err)
		} else {
			u := telemetry.NewUpdater(m, petroApp, logger.With("module", "telemetry"))
			petroApp.AddCommitListener(u.Listen)
			tctx, stopTelemetry := context.WithCancel(ctx)
			defer stopTelemetry()
			go u.Run(tctx)
		}
	}

	// With priv_validator_laddr set, the consensus key lives in a remote
	// signer (tmkms, horcrux, CometBFT's privval signer) that dials in:
	// CometBFT listens there and no key file is read.
	var pv cmttypes.PrivValidator
	if cfg.PrivValidatorListenAddr == "" {
		if !fileExists(cfg.PrivValidatorKeyFile()) {
			return fmt.Errorf("%s not found: restore the consensus key, or set config.toml priv_validator_laddr to use a remote signer", cfg.PrivValidatorKeyFile())
		}
		pv = privval.LoadFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile())
	} else {
		logger.Info("waiting for the remote signer", "priv_validator_laddr", cfg.PrivValidatorListenAddr)
	}
	nodeKey, err := p2p.LoadNodeKey(cfg.NodeKeyFile())
	if err != nil {
		return fmt.Errorf("node key %s: %w", cfg.NodeKeyFile(), err)
	}
	n, err := node.NewNodeWithContext(ctx, cfg, pv, nodeKey,
		// Per-connection mutexes: CheckTx (mempool connection) runs while a
		// block executes (consensus connection); queries and snapshots run
		// beside both. The app locks its own shared state (check state under
		// checkMu, reads from committed versions only); see
		// app.TestConcurrentConnections (-race) and BENCHMARKS.md. New txs'
		// signatures are verified before the mempool connection's lock.
		preVerifyClients{app: halt, preVerify: petroApp.PreVerify},
		func() (*cmttypes.GenesisDoc, error) { return genDoc, nil },
		store.CometDBProvider(cometBackend(cfg.DBBackend)),
		node.DefaultMetricsProvider(cfg.Instrumentation),
		logger)
	if err != nil {
		if plan := petroApp.NeededUpgrade(); plan != nil { // the handshake replayed up to an upgrade
			return stopForUpgrade(cfg.DBDir(), &app.UpgradeNeededError{Plan: plan})
		}
		return fmt.Errorf("create node: %w", err)
	}
	// Peers the council no longer allows are dropped as soon as the change
	// commits; new connections are checked by CometBFT's peer filter
	// (filter_peers = true), which asks the app.
	petroApp.SetPeersChangedListener(func() {
		for _, p := range n.Switch().Peers().List() {
			if !petroApp.PeerAllowed(string(p.ID())) {
				logger.Info("disconnecting peer no longer allowed", "peer", p.ID())
				go n.Switch().StopPeerForError(p, "peer no longer allowed by the council")
			}
		}
	})
	if err := n.Start(); err != nil {
		return fmt.Errorf("start node: %w", err)
	}
	grpcSrv, err := server.New(appCfg.GRPC, petroApp, local.New(n), logger.With("module", "grpc"))
	if err == nil {
		err = grpcSrv.Start(appCfg.GRPC.Address)
	}
	if err != nil {
		_ = n.Stop()
		n.Wait()
		return err
	}
	var gauges *healthGauges
	if cfg.Instrumentation.Prometheus {
		if gauges, err = newHealthGauges(prometheus.DefaultRegisterer); err != nil {
			logger.Error("health metrics not registered", "err", err)
		}
	}
	failFn := func() { grpcSrv.Fail(); gauges.fail() }
	failHealth.Store(&failFn)
	select {
	case cause := <-fatal: // failed while starting: put it back for the wait below
		failFn()
		fatal <- cause
	default:
	}
	healthCtx, stopHealth := context.WithCancel(ctx)
	defer stopHealth()
	go runHealthMonitor(healthCtx, n, appCfg.Health, grpcSrv.SetHealth, gauges)
	go newRedialer(n.Switch(), cfg.P2P.PersistentPeers, logger.With("module", "p2p")).run(healthCtx)
	var apiSrv *rest.Server
	if appCfg.API.Enable {
		apiSrv, err = rest.DialWith(appCfg.API, grpcSrv.Addr(), gatewayCreds(appCfg.GRPC), grpcSrv.ServiceNames(), logger.With("module", "api"))
		if err == nil {
			err = apiSrv.StartTLS(appCfg.API.Address, appCfg.API)
		}
		if err != nil {
			grpcSrv.Stop(time.Second)
			_ = n.Stop()
			n.Wait()
			return err
		}
		scheme := "http://"
		if appCfg.API.TLSCertFile != "" {
			scheme = "https://"
		}
		logger.Info("REST/JSON gateway and audit page", "url", scheme+apiSrv.Addr()+"/")
	}
	logger.Info("petro node started", "chain_id", genDoc.ChainID, "grpc", grpcSrv.Addr(), "rpc", cfg.RPC.ListenAddress, "p2p", cfg.P2P.ListenAddress, "home", home)

	hookDone := make(chan struct{})
	hookCtx, stopHook := context.WithCancel(ctx)
	defer stopHook()
	if hooks.OnStarted != nil {
		go func() {
			defer close(hookDone)
			defer func() {
				if r := recover(); r != nil {
					logger.Error("node hook panicked", "panic", r)
				}
			}()
			hooks.OnStarted(hookCtx, dialableAddr(grpcSrv.Addr()), logger)
		}()
	} else {
		close(hookDone)
	}

	var upgradeNeeded *app.UpgradeNeededError
	var failure error
	select {
	case <-ctx.Done():
	case <-halt.Halted():
		h, _ := petroApp.LastCommit()
		logger.Info(haltLogLine, "height", h, "halt_height", appCfg.HaltHeight)
	case <-petroApp.UpgradeNeeded(): // logged and upgrade-info.json written by OnUpgradeNeeded
		upgradeNeeded = &app.UpgradeNeededError{Plan: petroApp.NeededUpgrade()}
	case cause := <-fatal:
		logger.Error(failedLogLine, "cause", cause)
		failure = fmt.Errorf("%s (this node stopped; fix the cause, e.g. free disk space, then start it again)", cause)
	}
	logger.Info("shutting down")
	logState.stopping.Store(true)
	stopHealth()
	shutdown := func() {
		stopHook()
		select {
		case <-hookDone:
		case <-time.After(hookStopTimeout):
			logger.Error("node hook did not stop in time; shutting down anyway", "timeout", hookStopTimeout)
		}
		if apiSrv != nil {
			apiSrv.Stop(5 * time.Second)
		}
		grpcSrv.Stop(5 * time.Second)
		if err := n.Stop(); err != nil && failure == nil {
			logger.Error("stop node", "err", err)
		}
		n.Wait()
	}
	if failure == nil {
		shutdown()
		if upgradeNeeded != nil {
			return stopForUpgrade(cfg.DBDir(), upgradeNeeded)
		}
		return nil
	}
	// After a failure the parts may not stop (a disk that cannot be
	// written): give them failStopTimeout, then exit without closing the
	// databases under them.
	done := make(chan struct{})
	go func() { shutdown(); close(done) }()
	select {
	case <-done:
		return failure
	case <-time.After(failStopTimeout):
		fmt.Fprintf(logOut, "Error: %v (the node did not stop within %v)\n", failure, failStopTimeout)
		os.Exit(1)
		return failure
	}
}

// failedLogLine is the error-level line logged, with the cause, when the
// node stops after an internal failure (operators alert on it).
const failedLogLine = "node failed: consensus cannot continue; exiting"

// failStopTimeout bounds the shutdown after an internal failure.
const failStopTimeout = 10 * time.Second

// gatewayCreds are the credentials the REST gateway calls the node's own
// gRPC listener with, on loopback. Over TLS it does not verify the node's
// certificate (which need not name the loopback address; the connection
// never leaves the host) and presents no client certificate: the services
// in client_cert_services are not served through REST.
func gatewayCreds(c server.Config) credentials.TransportCredentials {
	if !c.TLSEnabled() {
		return insecure.NewCredentials()
	}
	return credentials.NewTLS(&tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: true}) //nolint:gosec // own listener on loopback
}

// cometBackend maps config.toml's db_backend to a cosmos-db backend.
func cometBackend(b string) string {
	switch b {
	case "pebbledb", "pebble", "":
		return "pebble"
	default:
		return b
	}
}

func newLogger(cfg *cmtcfg.Config, out io.Writer) (log.Logger, error) {
	var logger log.Logger
	switch cfg.LogFormat {
	case cmtcfg.LogFormatJSON:
		logger = log.NewTMJSONLogger(log.NewSyncWriter(out))
	case cmtcfg.LogFormatPlain, "":
		logger = log.NewTMLogger(log.NewSyncWriter(out))
	default:
		return nil, fmt.Errorf("log_format %q: want plain or json", cfg.LogFormat)
	}
	lvl := cfg.LogLevel
	if !strings.Contains(lvl, ":") {
		lvl = "*:" + lvl
	}
	return cmtflags.ParseLogLevel(lvl, logger, cmtcfg.DefaultLogLevel)
}

// checkPortsFree fails fast, with one clear line, when a listen address is
// taken.
func checkPortsFree(cfg *cmtcfg.Config, appCfg AppConfig) error {
	addrs := map[string]string{
		"gRPC (app.toml grpc.address)": appCfg.GRPC.Address,
		"RPC (config.toml rpc.laddr)":  cfg.RPC.ListenAddress,
		"P2P (config.toml p2p.laddr)":  cfg.P2P.ListenAddress,
	}
	if appCfg.API.Enable {
		addrs["REST/JSON API (app.toml api.address)"] = appCfg.API.Address
	}
	if cfg.Instrumentation.Prometheus {
		addrs["Prometheus (config.toml prometheus_listen_addr)"] = cfg.Instrumentation.PrometheusListenAddr
	}
	if cfg.PrivValidatorListenAddr != "" {
		addrs["remote signer (config.toml priv_validator_laddr)"] = cfg.PrivValidatorListenAddr
	}
	for what, a := range addrs {
		hostPort := strings.TrimPrefix(a, "tcp://")
		l, err := net.Listen("tcp", hostPort)
		if err != nil {
			var opErr *net.OpError
			if errors.As(err, &opErr) {
				return fmt.Errorf("%s: address %s is in use or not available: %v", what, hostPort, opErr.Err)
			}
			return fmt.Errorf("%s: %s: %w", what, hostPort, err)
		}
		l.Close()
	}
	return nil
}

// dialableAddr turns a listen address into one a local client can dial:
// an unspecified host (0.0.0.0, ::, empty) becomes the loopback address.
func dialableAddr(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		if ip != nil && ip.To4() == nil {
			return net.JoinHostPort("::1", port)
		}
		return net.JoinHostPort("127.0.0.1", port)
	}
	return listen
}
