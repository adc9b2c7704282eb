package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/spf13/viper"

	"github.com/petro-network/petro/server"
)

// AppConfig is app.toml: the settings of petro itself (CometBFT's are in
// config.toml).
type AppConfig struct {
	// DBBackend for application state and CometBFT's stores: pebble | goleveldb.
	DBBackend string `toml:"db_backend"`
	// IAVL node cache size (number of nodes).
	IAVLCacheSize int `toml:"iavl_cache_size"`
	// Pruning: keep this many recent state versions; 0 keeps all
	// (an archive node, what auditors query).
	PruningKeepRecent int64 `toml:"pruning_keep_recent"`
	// Check module invariants after every block and halt on a breach.
	CheckInvariants bool          `toml:"check_invariants"`
	GRPC            server.Config `toml:"grpc"`
}

// DefaultAppConfig is what `petrod init` writes.
func DefaultAppConfig() AppConfig {
	return AppConfig{
		DBBackend:     "pebble",
		IAVLCacheSize: 500_000,
		GRPC:          server.DefaultConfig(),
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
	return c, nil
}

// WriteAppConfig writes c to home/config/app.toml.
func WriteAppConfig(home string, c AppConfig) error {
	var buf bytes.Buffer
	buf.WriteString("# petro application settings. CometBFT's settings are in config.toml.\n\n")
	if err := toml.NewEncoder(&buf).Encode(c); err != nil {
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

func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
