package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/spf13/viper"
)

// stateSyncInterval is how often the validators snapshot in TestStateSyncJoin.
const stateSyncInterval = 10

// TestStateSyncJoin is fault scenario d: a new full node joins a running network by state
// sync (no block before the snapshot is ever executed on it) and then follows the chain with
// the same app hashes as the validators.
func TestStateSyncJoin(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-node network")
	}
	start := time.Now()
	tn := NewTestnet(t, 2, 1, 300*time.Millisecond)
	vals, full := tn.Nodes[:2], tn.Nodes[2]

	// Validators snapshot every stateSyncInterval heights (petrod testnet's default is 50).
	for _, v := range vals {
		setAppToml(t, v.Home, func(m map[string]any) {
			ss, _ := m["state_sync"].(map[string]any)
			if ss == nil {
				t.Fatalf("%s: app.toml has no [state_sync]", v.Home)
			}
			ss["snapshot_interval"] = stateSyncInterval
		})
		v.Start()
	}
	for _, v := range vals {
		v.WaitReady(stateSyncInterval+2, 60*time.Second) // snapshot 10, and headers 11 and 12
	}
	// Both validators list the snapshot (written in the background after Commit).
	for _, v := range vals {
		if err := Eventually(20*time.Second, func() error {
			if !bytes.Contains(v.Logs(), []byte("snapshot created")) {
				return fmt.Errorf("%s: no snapshot yet", v.Home)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if m := regexp.MustCompile(`snapshot created.*`).Find(vals[0].Logs()); m != nil {
		t.Logf("validator: %s", m)
	}

	// The full node: state sync from both validators' RPC, trusting a header read from one.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	trustHeight := int64(stateSyncInterval / 2)
	commit, err := vals[0].RPC().Commit(ctx, &trustHeight)
	if err != nil {
		t.Fatal(err)
	}
	setStateSync(t, full.Home, func(c *cmtcfg.StateSyncConfig) {
		c.Enable = true
		c.RPCServers = []string{tn.Manifest.Nodes[0].RPC, tn.Manifest.Nodes[1].RPC}
		c.TrustHeight = trustHeight
		c.TrustHash = commit.SignedHeader.Header.Hash().String()
		c.TrustPeriod = 168 * time.Hour
		c.DiscoveryTime = 5 * time.Second // the minimum
	})
	joinStart := time.Now()
	full.Start()
	full.WaitReady(2*stateSyncInterval, 60*time.Second)
	t.Logf("full node above height %d %.1fs after start", 2*stateSyncInterval, time.Since(joinStart).Seconds())

	// It restored a snapshot instead of replaying from genesis ...
	logs := string(full.Logs())
	for _, want := range []string{"snapshot restored", "Snapshot restored", "Verified ABCI app"} {
		if !strings.Contains(logs, want) {
			t.Fatalf("full node log lacks %q", want)
		}
	}
	if m := regexp.MustCompile(`snapshot restored.*`).FindString(logs); m != "" {
		t.Logf("full node: %s", m)
	}
	st, err := full.RPC().Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.SyncInfo.EarliestBlockHeight <= 1 {
		t.Fatalf("full node's earliest block is %d: it did not state-sync", st.SyncInfo.EarliestBlockHeight)
	}

	// ... and its app state agrees with the validators': its app hash after height h is
	// the one in the validators' header h+1, at the last height and a few blocks later.
	for round := 0; round < 2; round++ {
		info, err := full.RPC().ABCIInfo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		h, hash := info.Response.LastBlockHeight, info.Response.LastBlockAppHash
		if h <= stateSyncInterval {
			t.Fatalf("full node at height %d", h)
		}
		var header []byte
		if err := Eventually(10*time.Second, func() error {
			next := h + 1
			b, err := vals[round%2].RPC().Block(ctx, &next)
			if err != nil {
				return err
			}
			header = b.Block.Header.AppHash
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(hash, header) {
			t.Fatalf("full node's app hash at height %d is %X, validators' header %d says %X", h, hash, h+1, header)
		}
		t.Logf("height %d: full node's app hash %X matches the validators'", h, hash)
		if round == 0 {
			full.WaitReady(h+3, 20*time.Second)
		}
	}
	t.Logf("total %.1fs", time.Since(start).Seconds())
}

// setAppToml edits home/config/app.toml as a generic TOML document.
func setAppToml(t *testing.T, home string, edit func(map[string]any)) {
	t.Helper()
	path := filepath.Join(home, "config", "app.toml")
	m := map[string]any{}
	if _, err := toml.DecodeFile(path, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// setStateSync edits the [statesync] section of home/config/config.toml.
func setStateSync(t *testing.T, home string, edit func(*cmtcfg.StateSyncConfig)) {
	t.Helper()
	path := filepath.Join(home, "config", "config.toml")
	v := viper.New()
	v.SetConfigFile(path)
	if err := v.ReadInConfig(); err != nil {
		t.Fatal(err)
	}
	c := cmtcfg.DefaultConfig()
	if err := v.Unmarshal(c); err != nil {
		t.Fatal(err)
	}
	c.SetRoot(home)
	edit(c.StateSync)
	if err := c.ValidateBasic(); err != nil {
		t.Fatal(err)
	}
	cmtcfg.WriteConfigFile(path, c)
}
