package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/petro-network/petro/app"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
)

// TestAllowedPeerConnects: a full node that the validators refuse (its id
// is not on the council's allowlist) stays at height 0; once the council's
// allow-peer executes it connects and block-syncs to the tip, without a
// restart of any node (petrod keeps redialling persistent peers).
func TestAllowedPeerConnects(t *testing.T) {
	if testing.Short() {
		t.Skip("node test")
	}
	tn := NewTestnet(t, 1, 1, 300*time.Millisecond)
	// ARRANGE: the full node is not allowlisted at genesis.
	for _, n := range tn.Nodes {
		path := filepath.Join(n.Home, "config", "genesis.json")
		doc, err := cmttypes.GenesisDocFromFile(path)
		if err != nil {
			t.Fatal(err)
		}
		gs := &app.GenesisState{}
		if err := json.Unmarshal(doc.AppState, gs); err != nil {
			t.Fatal(err)
		}
		gs.Authority.Peers = nil
		if doc.AppState, err = json.Marshal(gs); err != nil {
			t.Fatal(err)
		}
		if err := doc.SaveAs(path); err != nil {
			t.Fatal(err)
		}
	}
	// The validator does not know the newcomer (it does not dial it): the
	// newcomer's own dials are what must connect it.
	cfg := filepath.Join(tn.Nodes[0].Home, "config", "config.toml")
	bz, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	bz = regexp.MustCompile(`(?m)^persistent_peers = .*$`).ReplaceAll(bz, []byte(`persistent_peers = ""`))
	if err := os.WriteFile(cfg, bz, 0o600); err != nil {
		t.Fatal(err)
	}
	val, full := tn.Nodes[0], tn.Nodes[1]
	val.Start()
	full.Start()
	val.WaitReady(2, 90*time.Second)
	// Refused: well past the first seconds (when CometBFT's own redial
	// gives up), the full node has no peer and no block.
	if _, err := WaitHeight(val, 20, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	if h, err := Height(full); err != nil || h != 0 {
		t.Fatalf("refused full node at height %d (%v), want 0", h, err)
	}

	// ACT: the council (val0, threshold 1) allows it.
	c := council{t: t, tn: tn, n: val}
	c.pass(&authoritytypes.Action{Sum: &authoritytypes.Action_AllowPeer{AllowPeer: &authoritytypes.AllowPeer{
		Peer: &authoritytypes.AllowedPeer{NodeId: tn.Manifest.Nodes[1].NodeID, Note: "e2e full node"}}}})
	allowed := time.Now()

	// ASSERT: connected (within a bound: a few of petrod's redial
	// intervals, at most redialMax = 20 s each) and synced, no restart.
	var connected time.Duration
	if err := Eventually(60*time.Second, func() error {
		ni, err := full.RPC().NetInfo(context.Background())
		if err != nil {
			return err
		}
		if ni.NPeers < 1 {
			return fmt.Errorf("full node has no peer")
		}
		if connected == 0 {
			connected = time.Since(allowed)
		}
		return nil
	}); err != nil {
		t.Fatalf("after allow-peer: %v", err)
	}
	top, err := Height(val)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := WaitHeight(full, top, 2*time.Minute); err != nil {
		t.Fatalf("full node did not sync: %v", err)
	}
	t.Logf("MEASURED allow-peer executed → full node connected %.1f s, synced to %d %.1f s later (no restart)",
		connected.Seconds(), top, time.Since(allowed).Seconds())
}
