package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/internal/crypto"
	"github.com/petro-network/petro/internal/keyring"
)

func TestDevMnemonicsAreValid(t *testing.T) {
	keys, err := devKeyList()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, k := range keys {
		if err := crypto.ValidateMnemonic(k.Mnemonic); err != nil || len(strings.Fields(k.Mnemonic)) != 24 {
			t.Errorf("%s: %v", k.Name, err)
		}
		if seen[k.Address] {
			t.Errorf("%s: duplicate address", k.Name)
		}
		seen[k.Address] = true
	}
}

func TestSetupDevHome(t *testing.T) {
	// ARRANGE
	home := t.TempDir()

	// ACT
	keys, err := setupDevHome(home)
	if err != nil {
		t.Fatal(err)
	}

	// ASSERT: the genesis is valid, on the dev chain, and its app_state
	// parses and funds every dev key, alice, bob and carol among them.
	doc, err := cmttypes.GenesisDocFromFile(filepath.Join(home, "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	if doc.ChainID != devChainID || len(doc.Validators) != 1 {
		t.Fatalf("chain %q, %d validators", doc.ChainID, len(doc.Validators))
	}
	var gs app.GenesisState
	if err := json.Unmarshal(doc.AppState, &gs); err != nil {
		t.Fatal(err)
	}
	if err := gs.Token.Validate(); err != nil {
		t.Fatal(err)
	}
	funded := map[string]uint64{}
	for i, b := range gs.Token.GetBalances() {
		funded[b.GetAddress()] = b.GetAmount()
		if i > 0 && gs.Token.Balances[i-1].GetAddress() >= b.GetAddress() {
			t.Fatalf("balances not sorted: %v", gs.Token.Balances)
		}
	}
	names := map[string]bool{}
	for _, k := range keys {
		names[k.Name] = true
		if funded[k.Address] != 100_000_000_000_000 {
			t.Errorf("%s (%s) funded with %d, want 10^14", k.Name, k.Address, funded[k.Address])
		}
	}
	for _, n := range []string{"alice", "bob", "carol"} {
		if !names[n] {
			t.Errorf("no dev key %s", n)
		}
	}

	// The keys are in the home's test keyring under their names.
	kr, err := keyring.New(keyring.BackendTest, home, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		rec, err := kr.Get(k.Name)
		if err != nil || rec.Address.String() != k.Address {
			t.Errorf("keyring %s: %v %v", k.Name, rec.Address, err)
		}
	}

	// Faster blocks, loopback P2P; the config still loads.
	cfg, err := LoadCometConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Consensus.TimeoutCommit != devTimeoutCommit || cfg.P2P.ListenAddress != devP2PAddress {
		t.Fatalf("timeout_commit %s, p2p %s", cfg.Consensus.TimeoutCommit, cfg.P2P.ListenAddress)
	}
	if !isDevHome(home) {
		t.Fatal("no dev marker")
	}

	// The chain id for `tx` comes from this genesis.
	root := NewRootCmd()
	send, _, err := root.Find([]string{"tx", "token", "send"})
	if err != nil {
		t.Fatal(err)
	}
	if err := send.ParseFlags([]string{"--home", home}); err != nil {
		t.Fatal(err)
	}
	if id, err := chainIDFlag(send); err != nil || id != devChainID {
		t.Fatalf("chain id %q, %v", id, err)
	}
}

func TestEnsureDevHome(t *testing.T) {
	parent := t.TempDir()
	home := filepath.Join(parent, "dev")

	created, err := ensureDevHome(home)
	if err != nil || !created {
		t.Fatalf("first run: created %v, %v", created, err)
	}
	if _, err := os.Stat(home + ".setup"); !os.IsNotExist(err) {
		t.Fatalf("staging dir left behind: %v", err)
	}
	if created, err = ensureDevHome(home); err != nil || created {
		t.Fatalf("second run: created %v, %v", created, err)
	}
	if err := resetDevHome(home); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(home); !os.IsNotExist(err) {
		t.Fatal("reset left the home")
	}

	// A directory petrod dev did not create is neither used nor reset.
	other := t.TempDir()
	mustRun(t, "", "init", "--home", other)
	if _, err := ensureDevHome(other); err == nil {
		t.Fatal("took over a non-dev home")
	}
	if err := resetDevHome(other); err == nil {
		t.Fatal("reset a non-dev home")
	}
	if _, err := os.Stat(filepath.Join(other, "config", "genesis.json")); err != nil {
		t.Fatal(err)
	}
}
