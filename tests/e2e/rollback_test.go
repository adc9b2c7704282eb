package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/internal/store"
)

// appCommit opens a stopped node's app state and returns its latest
// height and app hash.
func appCommit(t *testing.T, n *Node) (int64, []byte) {
	t.Helper()
	db, err := store.OpenDB("pebble", filepath.Join(n.Home, "data"), "application")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, err := app.New(n.ChainID, db, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	h, hash := a.LastCommit()
	return h, hash
}

func petrod(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(Binary(t), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("petrod %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// TestRollback: a node that stopped at height 6 is rolled back one height
// (CometBFT's state and the app state to 5, block 6 kept), restarts,
// executes block 6 again and reaches the app hash it had before, then goes
// on. --hard also removes the block.
func TestRollback(t *testing.T) {
	if testing.Short() {
		t.Skip("node test")
	}
	const stop = 6
	n := NewSingleNode(t, e2eChainID, nil, 0, 200*time.Millisecond)
	setHaltHeight(t, n.Home, stop)
	n.Start()
	if code := ExitCode(t, n, 90*time.Second); code != 0 {
		t.Fatalf("exit code %d at the halt height", code)
	}
	h, hashBefore := appCommit(t, n)
	if h != stop {
		t.Fatalf("app at %d, want %d", h, stop)
	}

	// ACT: roll back one height.
	out := petrod(t, "rollback", "--home", n.Home)
	if want := fmt.Sprintf("Rolled back state to height %d", stop-1); !bytes.Contains([]byte(out), []byte(want)) {
		t.Fatalf("rollback printed %q, want %q", out, want)
	}
	if blocks, appH := storedHeights(t, n); blocks != stop || appH != stop-1 {
		t.Fatalf("after rollback: blocks %d, app %d; want %d, %d", blocks, appH, stop, stop-1)
	}

	// ASSERT: block 6 is executed again to the same app hash (in block 7's header).
	setHaltHeight(t, n.Home, 0)
	n.Start()
	n.WaitReady(stop+1, 90*time.Second)
	next := int64(stop + 1)
	blk, err := n.RPC().Block(context.Background(), &next)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(blk.Block.AppHash, hashBefore) {
		t.Fatalf("app hash after re-executing block %d: %X, before the rollback %X", stop, blk.Block.AppHash, hashBefore)
	}
	n.Stop()

	// --hard: the block goes too.
	blocks, appH := storedHeights(t, n)
	if blocks != appH {
		t.Fatalf("stopped node: blocks %d, app %d", blocks, appH)
	}
	petrod(t, "rollback", "--hard", "--home", n.Home)
	if b2, a2 := storedHeights(t, n); b2 != blocks-1 || a2 != appH-1 {
		t.Fatalf("after rollback --hard: blocks %d, app %d; want %d, %d", b2, a2, blocks-1, appH-1)
	}
}

// TestUnsafeResetAll: unsafe-reset-all leaves an empty data/ but for a
// signing state reset to height 0, keeps config/ and keyring/ byte for
// byte, and the node starts the chain again from genesis.
func TestUnsafeResetAll(t *testing.T) {
	if testing.Short() {
		t.Skip("node test")
	}
	n := NewSingleNode(t, e2eChainID, nil, 0, 200*time.Millisecond)
	if err := os.MkdirAll(filepath.Join(n.Home, "keyring"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(n.Home, "keyring", "keep.info"), []byte("a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	n.Start()
	n.WaitReady(3, 90*time.Second)
	n.Stop()
	kept := map[string][]byte{}
	for _, rel := range []string{"config/config.toml", "config/app.toml", "config/genesis.json", "config/node_key.json", "config/priv_validator_key.json", "keyring/keep.info"} {
		bz, err := os.ReadFile(filepath.Join(n.Home, rel))
		if err != nil {
			t.Fatal(err)
		}
		kept[rel] = bz
	}

	petrod(t, "unsafe-reset-all", "--home", n.Home)

	entries, err := os.ReadDir(filepath.Join(n.Home, "data"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "priv_validator_state.json" {
		t.Fatalf("data/ after reset: %v", entries)
	}
	var pvState struct {
		Height string `json:"height"`
	}
	bz, _ := os.ReadFile(filepath.Join(n.Home, "data", "priv_validator_state.json"))
	if err := json.Unmarshal(bz, &pvState); err != nil || pvState.Height != "0" {
		t.Fatalf("priv_validator_state.json: %s (%v)", bz, err)
	}
	for rel, want := range kept {
		got, err := os.ReadFile(filepath.Join(n.Home, rel))
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s changed by unsafe-reset-all (%v)", rel, err)
		}
	}
	n.Start()
	n.WaitReady(1, 90*time.Second)
}
