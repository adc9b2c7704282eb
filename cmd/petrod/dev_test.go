package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/keyring"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
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
	if ts := gs.Token.GetTranches(); len(ts) != 3 || ts[0].GetCapBps() != 3840 || ts[1].GetCapBps() != 4400 || ts[2].GetCapBps() != 1760 || gs.Token.GetDefaultTranche() != "public" {
		t.Errorf("dev tranches %v (default %q), want presale 38.4 %%, public 44 %% (default), retained 17.6 %%", ts, gs.Token.GetDefaultTranche())
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
		want := uint64(100_000_000_000_000) // holders: 1,000,000 PTR
		if strings.HasPrefix(k.Name, "oracle") {
			want = 100_000_000_000 // oracles: 1,000 PTR
		}
		if funded[k.Address] != want {
			t.Errorf("%s (%s) funded with %d, want %d", k.Name, k.Address, funded[k.Address], want)
		}
	}
	for _, n := range []string{"alice", "bob", "carol", "oracle1", "oracle2", "oracle3"} {
		if !names[n] {
			t.Errorf("no dev key %s", n)
		}
	}

	// Council alice (1 of 1); issuer alice with 10,000,000 PTR; compliance
	// and pauser bob; oracles oracle1-3; and nothing else.
	addr := func(name string) string { return keys.addr(name) }
	if err := gs.Authority.Validate(); err != nil {
		t.Fatal(err)
	}
	if c := gs.Authority.GetCouncil(); c.GetThreshold() != 1 || len(c.GetMembers()) != 1 || c.GetMembers()[0] != addr("alice") {
		t.Fatalf("council %v", c)
	}
	type grant struct {
		addr      string
		role      authoritytypes.Role
		allowance uint64
	}
	wantRoles := map[grant]bool{
		{addr("alice"), authoritytypes.Role_ROLE_ISSUER, 10_000_000 * ptrUnit}: true,
		{addr("bob"), authoritytypes.Role_ROLE_COMPLIANCE, 0}:                  true,
		{addr("bob"), authoritytypes.Role_ROLE_PAUSER, 0}:                      true,
		{addr("oracle1"), authoritytypes.Role_ROLE_ORACLE, 0}:                  true,
		{addr("oracle2"), authoritytypes.Role_ROLE_ORACLE, 0}:                  true,
		{addr("oracle3"), authoritytypes.Role_ROLE_ORACLE, 0}:                  true,
	}
	for _, r := range gs.Authority.GetRoles() {
		g := grant{r.GetAddress(), r.GetRole(), r.GetAllowance()}
		if !wantRoles[g] {
			t.Errorf("unexpected role grant %v", r)
		}
		delete(wantRoles, g)
	}
	if len(wantRoles) > 0 {
		t.Errorf("missing role grants %v", wantRoles)
	}
	// The validator keeps its node id (as petrod init writes it).
	if vs := gs.Authority.GetValidators(); len(vs) != 1 || vs[0].GetNodeId() == "" {
		t.Errorf("app_state validators %v", vs)
	}

	// Reserve: quorum 2, max age 30 s, margin 10 %, 1 barrel per PTR; the
	// three lots, valid a year from genesis, certificate = SHA-256(id).
	if err := gs.Reserve.Validate(); err != nil {
		t.Fatal(err)
	}
	p := gs.Reserve.GetParams()
	if p.GetQuorum() != 2 || p.GetMaxAgeSeconds() != 30 || p.GetMarginBps() != 1000 || p.GetBarrelsPerToken() != reservetypes.OneBarrel {
		t.Fatalf("reserve params %v", p)
	}
	wantLots := map[string]reservetypes.LotCategory{
		"ayacucho-1": reservetypes.LotCategory_LOT_CATEGORY_CERTIFIED_IN_GROUND,
		"carabobo-2": reservetypes.LotCategory_LOT_CATEGORY_STORED,
		"junin-4":    reservetypes.LotCategory_LOT_CATEGORY_PRODUCED,
	}
	if len(gs.Reserve.GetLots()) != len(wantLots) {
		t.Fatalf("lots %v", gs.Reserve.GetLots())
	}
	for _, l := range gs.Reserve.GetLots() {
		h := sha256.Sum256([]byte(l.GetId()))
		if c, ok := wantLots[l.GetId()]; !ok || c != l.GetCategory() || l.GetCertifier() != devCertifier ||
			!bytes.Equal(l.GetCertificateHash(), h[:]) || l.GetRetired() ||
			l.GetValidUntilUnix() != doc.GenesisTime.Add(365*24*time.Hour).Unix() {
			t.Errorf("lot %v", l)
		}
	}

	// The genesis supply fits what the simulated reserve backs, even at the
	// low end of its drift, so issuance opens with the first settled round.
	var supply uint64
	for _, b := range gs.Token.GetBalances() {
		supply += b.GetAmount()
	}
	low := simReserveBarrels() / 1000 * 999 // −0.1 %
	capacity := reservetypes.Capacity(low, p, gs.Token.GetParams().GetHardCap())
	if supply == 0 || supply > capacity {
		t.Fatalf("genesis supply %s above the capacity %s the simulated reserve backs", formatPTR(supply), formatPTR(capacity))
	}
	if _, err := validatedAppState(&gs); err != nil {
		t.Fatal(err)
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
