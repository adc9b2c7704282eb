package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/BurntSushi/toml"
	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/spf13/viper"

	"github.com/petro-network/petro/internal/fsutil"
	"github.com/petro-network/petro/server"
	"github.com/petro-network/petro/server/rest"
)

// AppConfig is app.toml: the settings of petro itself (CometBFT's are in
// config.toml).
type AppConfig struct {
	// DBBackend for application state and CometBFT's stores: pebble | goleveldb.
	DBBackend string `toml:"db_backend" comment:"Storage engine of the application state and of CometBFT's stores: pebble | goleveldb.\nChange it only on an empty data/ (existing databases are not converted)."`
	// IAVL node cache size (number of nodes).
	IAVLCacheSize int `toml:"iavl_cache_size" comment:"IAVL node cache of the application state, in nodes (more: faster reads, more memory)."`
	// GCPercent is the Go garbage collector's target (what GOGC sets):
	// the heap may grow by this percent of the live heap between
	// collections. 200 trades memory for CPU (BENCHMARKS.md: +4 to +19 %
	// committed tx/s on one node); 0 keeps Go's default (100). A GOGC
	// environment variable, when set, wins.
	GCPercent int `toml:"gc_percent" comment:"Go garbage collector target (what GOGC sets): 200 trades memory for CPU; 0 = Go's default (100).\nA GOGC environment variable, when set, wins."`
	// Pruning: keep this many recent state versions; 0 keeps all
	// (an archive node, what auditors query).
	PruningKeepRecent int64 `toml:"pruning_keep_recent" comment:"Keep this many recent versions of the application state; 0 keeps every version\n(an archive node: what auditors query with --height and proofs)."`
	// Check every module invariant (the full set) after every block on this
	// node; a breach is logged and counted and this node refuses MsgIssue.
	CheckInvariants bool `toml:"check_invariants" comment:"Check every module invariant (the full set) after every block on this node; a breach is\nlogged and counted (petro_invariant_local_breaches) and this node's CheckTx refuses MsgIssue.\nCosts time per block. (The bounded set runs on every node regardless and stops issuance.)"`
	// HaltHeight: after committing this height the node logs "halt height
	// reached" and exits 0, executing no later block (coordinated
	// upgrades); 0 = off.
	HaltHeight int64         `toml:"halt_height" comment:"After committing this height, log \"halt height reached\" and exit 0 (coordinated upgrades); 0 = off."`
	GRPC       server.Config `toml:"grpc" comment:"gRPC: TxService, the module queries with proofs, reflection and grpc.health.v1."`
	// API is the REST/JSON gateway and the audit page (HTTP).
	API rest.Config `toml:"api" comment:"REST/JSON gateway (/petro/<module>/v1/<method>) and the audit page (/)."`
	// StateSync: the snapshots this node takes and serves to nodes that join
	// by state sync.
	// Health: the liveness watchdog.
	Health    HealthConfig    `toml:"health" comment:"Health reporting: gRPC grpc.health.v1 (\"\" = alive, \"petro.readiness\" = ready) and REST /health, /ready."`
	StateSync StateSyncConfig `toml:"state_sync" comment:"State-sync snapshots this node takes and serves (joining by state sync is config.toml [statesync])."`
}

// StateSyncConfig is app.toml [state_sync]: the snapshots this node takes
// and serves. Joining a network by state sync is set up in config.toml
// [statesync] instead (docs/state-sync.md).
type StateSyncConfig struct {
	// Take a snapshot every snapshot_interval heights; 0 = never.
	SnapshotInterval uint64 `toml:"snapshot_interval" comment:"Take a snapshot every this many heights; 0 = never."`
	// Keep this many most recent snapshots (at least 1).
	SnapshotKeepRecent uint32 `toml:"snapshot_keep_recent" comment:"Keep this many most recent snapshots (at least 1)."`
	// Directory of the snapshots, relative to the home directory unless absolute.
	SnapshotDir string `toml:"snapshot_dir" comment:"Directory of the snapshots, relative to the home directory unless absolute."`
}

// DefaultStateSyncConfig: no snapshots (`petrod testnet` turns them on),
// keep 2, in data/snapshots.
func DefaultStateSyncConfig() StateSyncConfig {
	return StateSyncConfig{SnapshotKeepRecent: 2, SnapshotDir: filepath.Join("data", "snapshots")}
}

// SnapshotPath is snapshot_dir resolved against home.
func (c StateSyncConfig) SnapshotPath(home string) string {
	if filepath.IsAbs(c.SnapshotDir) {
		return c.SnapshotDir
	}
	return filepath.Join(home, c.SnapshotDir)
}

// DefaultAppConfig is what `petrod init` writes.
func DefaultAppConfig() AppConfig {
	return AppConfig{
		DBBackend:     "pebble",
		IAVLCacheSize: 500_000,
		GCPercent:     200,
		GRPC:          server.DefaultConfig(),
		API:           rest.DefaultConfig(),
		StateSync:     DefaultStateSyncConfig(),
		Health:        DefaultHealthConfig(),
	}
}

func appConfigPath(home string) string { return filepath.Join(home, "config", "app.toml") }

// LoadAppConfig reads app.toml strictly: unknown keys are errors, missing
// keys keep their defaults.
func LoadAppConfig(home string) (AppConfig, error) {
	c := DefaultAppConfig()
	path := appConfigPath(home)
	md, err := toml.DecodeFile(path, &c)
	if err != nil {
		if os.IsNotExist(err) {
			return c, fmt.Errorf("%s not found: run `petrod init` first", path)
		}
		return c, fmt.Errorf("%s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return c, fmt.Errorf("%s: unknown keys %s", path, strings.Join(keys, ", "))
	}
	switch c.DBBackend {
	case "pebble", "goleveldb":
	default:
		return c, fmt.Errorf("%s: db_backend %q: want pebble or goleveldb", path, c.DBBackend)
	}
	if c.GCPercent < 0 {
		return c, fmt.Errorf("%s: gc_percent %d: want 0 (Go's default) or a percent", path, c.GCPercent)
	}
	if c.HaltHeight < 0 {
		return c, fmt.Errorf("%s: halt_height %d: want 0 (off) or a height", path, c.HaltHeight)
	}
	if c.Health.StallSeconds < 0 {
		return c, fmt.Errorf("%s: health.stall_seconds %d: want 0 (off) or seconds", path, c.Health.StallSeconds)
	}
	if c.StateSync.SnapshotDir == "" {
		return c, fmt.Errorf("%s: state_sync.snapshot_dir must not be empty", path)
	}
	if c.StateSync.SnapshotKeepRecent == 0 {
		return c, fmt.Errorf("%s: state_sync.snapshot_keep_recent must be at least 1", path)
	}
	return c, nil
}

// WriteAppConfig writes c to home/config/app.toml.
func WriteAppConfig(home string, c AppConfig) error {
	var buf bytes.Buffer
	buf.WriteString("# petro application settings. CometBFT's settings are in config.toml.\n")
	buf.WriteString("# Unknown keys are refused at start; a key left out keeps its default.\n\n")
	if err := encodeCommented(&buf, reflect.ValueOf(c), ""); err != nil {
		return err
	}
	return writeFileAtomic(appConfigPath(home), buf.Bytes(), 0o644)
}

// LoadCometConfig reads home/config/config.toml over CometBFT's defaults.
func LoadCometConfig(home string) (*cmtcfg.Config, error) {
	path := filepath.Join(home, "config", "config.toml")
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%s not found: run `petrod init` first", path)
	}
	v := viper.New()
	v.SetConfigFile(path)
	if err := v.ReadInConfig(); err != nil {
		// viper's TOML error does not say where; BurntSushi's names the line.
		var m map[string]any
		if _, perr := toml.DecodeFile(path, &m); perr != nil {
			return nil, fmt.Errorf("%s: %w", path, perr)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c := cmtcfg.DefaultConfig()
	if err := v.Unmarshal(c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c.SetRoot(home)
	if err := c.ValidateBasic(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

var writeFileAtomic = fsutil.WriteFile
