package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/internal/store"
	"github.com/petro-network/petro/internal/testutil"
)

// runBlocks opens home's application state, runs InitChain from its
// genesis.json when nothing is committed, then one empty block at each of
// times, and closes it: what petrod start does, without CometBFT.
func runBlocks(t *testing.T, home string, times ...time.Time) {
	t.Helper()
	doc, err := cmttypes.GenesisDocFromFile(genesisPath(home))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.OpenDB("pebbledb", filepath.Join(home, "data"), "application")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, err := app.New(doc.ChainID, db, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	h, _ := a.LastCommit()
	if h == 0 {
		var vals []abci.ValidatorUpdate
		for _, v := range doc.Validators {
			vals = append(vals, abci.Ed25519ValidatorUpdate(v.PubKey.Bytes(), v.Power))
		}
		if _, err := a.InitChain(context.Background(), &abci.RequestInitChain{
			ChainId: doc.ChainID, Time: doc.GenesisTime, InitialHeight: doc.InitialHeight, AppStateBytes: doc.AppState, Validators: vals,
		}); err != nil {
			t.Fatalf("InitChain: %v", err)
		}
		h = doc.InitialHeight - 1
	}
	for _, tm := range times {
		h++
		testutil.Block(t, a, h, tm)
	}
}

// TestExportCommand: petrod export writes a genesis at initial height H+1
// with the chain id, the validators (named, with power) and genesis_time =
// block H's time; a home started from it and the original, after the same
// block, export byte-identical files.
func TestExportCommand(t *testing.T) {
	// ARRANGE: a ceremony chain with three blocks.
	home, _ := ceremonyHome(t)
	t0 := time.Date(2030, 1, 2, 3, 4, 5, 678, time.UTC)
	runBlocks(t, home, t0, t0.Add(time.Second), t0.Add(2*time.Second))

	// ACT: export the latest height and height 2.
	file := filepath.Join(t.TempDir(), "export.json")
	mustRun(t, "", "export", "--home", home, "--output-document", file)
	doc, _, err := readGenesis(file)
	if err != nil {
		t.Fatal(err)
	}
	old := mustRun(t, "", "export", "--home", home, "--height", "2")

	// ASSERT
	if doc.InitialHeight != 4 || doc.ChainID != genesisTestChain || !doc.GenesisTime.Equal(t0.Add(2*time.Second)) {
		t.Fatalf("export: initial height %d, chain %s, time %s", doc.InitialHeight, doc.ChainID, doc.GenesisTime)
	}
	if len(doc.Validators) != 1 || doc.Validators[0].Name != "n0" || doc.Validators[0].Power != 10 {
		t.Fatalf("export validators: %+v", doc.Validators)
	}
	if !bytes.Contains([]byte(old), []byte(`"initial_height": "3"`)) {
		t.Fatalf("export --height 2:\n%.300s", old)
	}
	if out := mustRun(t, "", "genesis", "validate", file, "--home", home); !bytes.Contains([]byte(out), []byte("valid")) {
		t.Fatalf("validate of the export: %s", out)
	}
	if _, _, err := runCLI(t, "", "export", "--home", home, "--height", "9"); err == nil {
		t.Fatal("export of a future height succeeded")
	}

	// A new home started from the export, and the original, run the same
	// block: their exports are the same file.
	fresh := t.TempDir()
	mustRun(t, "", "init", "n0", "--chain-id", genesisTestChain, "--home", fresh)
	bz, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(genesisPath(fresh), bz, 0o644); err != nil {
		t.Fatal(err)
	}
	next := t0.Add(3 * time.Second)
	runBlocks(t, fresh, next)
	runBlocks(t, home, next)
	a := mustRun(t, "", "export", "--home", home)
	b := mustRun(t, "", "export", "--home", fresh)
	if a != b {
		t.Fatalf("exports differ:\n%s\n---\n%s", a, b)
	}

	// A hard fork that adds a balance: the export's supply and totals grow
	// with it, and the result is still valid.
	fork := t.TempDir()
	mustRun(t, "", "init", "n0", "--chain-id", genesisTestChain, "--home", fork)
	if err := os.WriteFile(genesisPath(fork), bz, 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "", "genesis", "add-account", testutil.Addr(1).String(), "5ptr", "--home", fork)
	if out := mustRun(t, "", "genesis", "validate", "--home", fork); !bytes.Contains([]byte(out), []byte("valid")) {
		t.Fatalf("validate after add-account: %s", out)
	}
}
