package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/keyring"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
)

func TestTestnetLayout(t *testing.T) {
	// ARRANGE + ACT: 4 validators and 1 full node, manifest printed as JSON.
	dir := filepath.Join(t.TempDir(), "tn")
	// The genesis time must be the moment of generation: bracket it.
	before := time.Now().UTC().Truncate(time.Second)
	out := mustRun(t, "", "testnet", "--validators", "4", "--full-nodes", "1", "--output", dir,
		"--base-port", "46600", "--timeout-commit", "300ms", "--chain-id", "petro-t-1", "-o", "json")
	after := time.Now().UTC()

	// ASSERT: the manifest printed is the one written.
	var m TestnetManifest
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("stdout is not the manifest: %v\n%s", err, out)
	}
	var onDisk TestnetManifest
	bz, err := os.ReadFile(filepath.Join(dir, "testnet.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(bz, &onDisk); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(m) != fmt.Sprint(onDisk) {
		t.Fatalf("printed manifest differs from testnet.json")
	}
	// Stable field names, exactly.
	var raw map[string]any
	_ = json.Unmarshal(bz, &raw)
	for _, k := range []string{"chain_id", "nodes", "keys", "council_threshold"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("manifest lacks %q", k)
		}
	}
	node0 := raw["nodes"].([]any)[0].(map[string]any)
	for _, k := range []string{"name", "home", "validator", "node_id", "consensus_pubkey", "consensus_address", "operator", "p2p", "rpc", "grpc", "prometheus"} {
		if _, ok := node0[k]; !ok {
			t.Errorf("manifest node lacks %q", k)
		}
	}

	if m.ChainID != "petro-t-1" || m.CouncilThreshold != 3 || len(m.Nodes) != 5 {
		t.Fatalf("chain %q threshold %d nodes %d", m.ChainID, m.CouncilThreshold, len(m.Nodes))
	}
	wantKeys := []string{"val0", "val1", "val2", "val3", "oracle0", "oracle1", "oracle2", "issuer", "compliance", "pauser"}
	addr := map[string]string{}
	for i, k := range m.Keys {
		if i >= len(wantKeys) || k.Name != wantKeys[i] || !strings.HasPrefix(k.Address, "petro1") {
			t.Fatalf("key %d: %+v", i, k)
		}
		addr[k.Name] = k.Address
	}
	if len(m.Keys) != len(wantKeys) {
		t.Fatalf("%d keys", len(m.Keys))
	}
	for i, n := range m.Nodes {
		base := 46600 + 10*i
		want := TestnetNode{
			Name: fmt.Sprintf("node%d", i), Home: filepath.Join(dir, fmt.Sprintf("node%d", i)), Validator: i < 4,
			NodeID: n.NodeID, ConsensusPubKey: n.ConsensusPubKey, ConsensusAddress: n.ConsensusAddress,
			P2P: fmt.Sprintf("127.0.0.1:%d", base), RPC: fmt.Sprintf("http://127.0.0.1:%d", base+1),
			GRPC: fmt.Sprintf("127.0.0.1:%d", base+2), Prometheus: fmt.Sprintf("127.0.0.1:%d", base+3),
		}
		if i < 4 {
			want.Operator = addr[fmt.Sprintf("val%d", i)]
		}
		if n != want {
			t.Errorf("node %d:\n got %+v\nwant %+v", i, n, want)
		}
		if err := authoritytypes.ValidateNodeID(n.NodeID); err != nil {
			t.Errorf("node %d: %v", i, err)
		}
		pk, err := base64.StdEncoding.DecodeString(n.ConsensusPubKey)
		if err != nil || len(pk) != 32 || authoritytypes.ConsAddressHex(pk) != n.ConsensusAddress {
			t.Errorf("node %d: consensus key %q / address %q", i, n.ConsensusPubKey, n.ConsensusAddress)
		}
	}

	// Every home is complete and holds the same genesis.
	var genesis0 []byte
	for _, n := range m.Nodes {
		for _, f := range []string{"config/config.toml", "config/app.toml", "config/genesis.json", "config/priv_validator_key.json", "config/node_key.json", "data/priv_validator_state.json"} {
			if !fileExists(filepath.Join(n.Home, f)) {
				t.Errorf("%s: no %s", n.Name, f)
			}
		}
		g, err := os.ReadFile(filepath.Join(n.Home, "config", "genesis.json"))
		if err != nil {
			t.Fatal(err)
		}
		if genesis0 == nil {
			genesis0 = g
		} else if !bytes.Equal(g, genesis0) {
			t.Errorf("%s: genesis differs from node0's", n.Name)
		}
	}

	// The genesis: 4 validators of power 10, the nodes' keys.
	doc, err := cmttypes.GenesisDocFromFile(filepath.Join(m.Nodes[0].Home, "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	if doc.ChainID != "petro-t-1" || len(doc.Validators) != 4 || doc.GenesisTime.Before(before) || doc.GenesisTime.After(after) {
		t.Fatalf("genesis: chain %q, %d validators, time %s", doc.ChainID, len(doc.Validators), doc.GenesisTime)
	}
	for i, v := range doc.Validators {
		if v.Power != 10 || base64.StdEncoding.EncodeToString(v.PubKey.Bytes()) != m.Nodes[i].ConsensusPubKey || v.Name != m.Nodes[i].Name {
			t.Errorf("genesis validator %d: %+v", i, v)
		}
	}

	// app_state parses as the app reads it and passes authority validation.
	var gs app.GenesisState
	if err := json.Unmarshal(doc.AppState, &gs); err != nil {
		t.Fatal(err)
	}
	if err := gs.Authority.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := gs.Token.Validate(); err != nil {
		t.Fatal(err)
	}
	council := gs.Authority.GetCouncil()
	wantMembers := []string{addr["val0"], addr["val1"], addr["val2"], addr["val3"]}
	sort.Strings(wantMembers)
	if council.GetThreshold() != 3 || strings.Join(council.GetMembers(), ",") != strings.Join(wantMembers, ",") {
		t.Errorf("council %v", council)
	}
	if len(gs.Authority.Validators) != 4 {
		t.Fatalf("%d authority validators", len(gs.Authority.Validators))
	}
	for i, v := range gs.Authority.Validators {
		n := m.Nodes[i]
		if v.Power != 10 || v.Operator != n.Operator || v.NodeId != n.NodeID || v.Moniker != n.Name ||
			base64.StdEncoding.EncodeToString(v.PubKey) != n.ConsensusPubKey {
			t.Errorf("authority validator %d: %v", i, v)
		}
	}
	if len(gs.Authority.Peers) != 1 || gs.Authority.Peers[0].NodeId != m.Nodes[4].NodeID || !strings.Contains(gs.Authority.Peers[0].Note, "full node") {
		t.Errorf("peers %v, want the full node %s", gs.Authority.Peers, m.Nodes[4].NodeID)
	}
	roles := map[string]*authoritytypes.RoleGrant{}
	for _, r := range gs.Authority.Roles {
		roles[r.Address+"/"+r.Role.String()] = r
	}
	for name, role := range map[string]authoritytypes.Role{
		"oracle0": authoritytypes.Role_ROLE_ORACLE, "oracle1": authoritytypes.Role_ROLE_ORACLE, "oracle2": authoritytypes.Role_ROLE_ORACLE,
		"issuer": authoritytypes.Role_ROLE_ISSUER, "compliance": authoritytypes.Role_ROLE_COMPLIANCE, "pauser": authoritytypes.Role_ROLE_PAUSER,
	} {
		if roles[addr[name]+"/"+role.String()] == nil {
			t.Errorf("%s lacks %s", name, role)
		}
	}
	if len(roles) != 6 {
		t.Errorf("%d role grants, want 6", len(roles))
	}
	if g := roles[addr["issuer"]+"/ROLE_ISSUER"]; g == nil || g.Allowance != 1_000_000_000_000_000 {
		t.Errorf("issuer grant %v, want allowance 10^15", g)
	}
	funded := map[string]uint64{}
	for _, b := range gs.Token.Balances {
		if _, dup := funded[b.Address]; dup {
			t.Errorf("duplicate balance %s", b.Address)
		}
		funded[b.Address] = b.Amount
	}
	for _, k := range m.Keys {
		if funded[k.Address] != 100_000_000_000_000 {
			t.Errorf("%s holds %d, want 10^14", k.Name, funded[k.Address])
		}
	}
	if len(funded) != len(m.Keys) {
		t.Errorf("%d balances for %d keys", len(funded), len(m.Keys))
	}

	// The reserve: the three lots, valid a year, quorum 2, max age 1 h.
	if err := gs.Reserve.Validate(); err != nil {
		t.Fatal(err)
	}
	if p := gs.Reserve.GetParams(); p.GetQuorum() != 2 || p.GetMaxAgeSeconds() != 3600 {
		t.Errorf("reserve params %v", p)
	}
	if lots := gs.Reserve.GetLots(); len(lots) != 3 || lots[0].GetId() != "ayacucho-1" ||
		lots[0].GetValidUntilUnix() != doc.GenesisTime.Add(365*24*time.Hour).Unix() {
		t.Errorf("reserve lots %v", lots)
	}

	// config.toml of each node: the other 4 nodes as persistent peers, the
	// loopback ports, filtering, pex, the commit timeout.
	for i, n := range m.Nodes {
		cfg, err := LoadCometConfig(n.Home)
		if err != nil {
			t.Fatal(err)
		}
		peers := strings.Split(cfg.P2P.PersistentPeers, ",")
		var want []string
		for j, o := range m.Nodes {
			if j != i {
				want = append(want, o.NodeID+"@"+o.P2P)
			}
		}
		sort.Strings(peers)
		sort.Strings(want)
		if strings.Join(peers, ",") != strings.Join(want, ",") {
			t.Errorf("%s persistent_peers %q, want %q", n.Name, cfg.P2P.PersistentPeers, want)
		}
		if !cfg.FilterPeers || !cfg.P2P.AllowDuplicateIP || cfg.P2P.AddrBookStrict || !cfg.P2P.PexReactor {
			t.Errorf("%s: filter_peers %v allow_duplicate_ip %v addr_book_strict %v pex %v", n.Name,
				cfg.FilterPeers, cfg.P2P.AllowDuplicateIP, cfg.P2P.AddrBookStrict, cfg.P2P.PexReactor)
		}
		if cfg.Moniker != n.Name || cfg.DBBackend != "pebbledb" || cfg.Consensus.TimeoutCommit != 300*time.Millisecond {
			t.Errorf("%s: moniker %q db %q timeout_commit %s", n.Name, cfg.Moniker, cfg.DBBackend, cfg.Consensus.TimeoutCommit)
		}
		if cfg.P2P.ListenAddress != "tcp://"+n.P2P || cfg.RPC.ListenAddress != "tcp://"+strings.TrimPrefix(n.RPC, "http://") ||
			cfg.Instrumentation.PrometheusListenAddr != n.Prometheus || !cfg.Instrumentation.Prometheus {
			t.Errorf("%s: p2p %s rpc %s prometheus %s (%v)", n.Name, cfg.P2P.ListenAddress, cfg.RPC.ListenAddress,
				cfg.Instrumentation.PrometheusListenAddr, cfg.Instrumentation.Prometheus)
		}
		appCfg, err := LoadAppConfig(n.Home)
		if err != nil {
			t.Fatal(err)
		}
		if appCfg.GRPC.Address != n.GRPC {
			t.Errorf("%s: grpc %s", n.Name, appCfg.GRPC.Address)
		}
	}

	// The keyring holds every key of the manifest.
	kr, err := keyring.New(keyring.BackendTest, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range m.Keys {
		rec, err := kr.Get(k.Name)
		if err != nil || rec.Address.String() != k.Address {
			t.Errorf("keyring %s: %v %v", k.Name, rec.Address, err)
		}
	}
}

func TestTestnetTextSummaryAndChainIDFromManifest(t *testing.T) {
	dir := t.TempDir()
	out := mustRun(t, "", "testnet", "--validators", "1", "--output", dir, "--base-port", "46700")
	for _, want := range []string{"1 validator and 0 full nodes", "petrod start --home " + filepath.Join(dir, "node0"), filepath.Join(dir, "keyring-test"), "threshold 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	// A tx command with --home DIR (the keyring's home, not a node home)
	// takes the chain id from testnet.json.
	cmd := NewRootCmd()
	send, _, err := cmd.Find([]string{"tx", "token", "send"})
	if err != nil {
		t.Fatal(err)
	}
	if err := send.ParseFlags([]string{"--home", dir}); err != nil {
		t.Fatal(err)
	}
	if id, err := chainIDFlag(send); err != nil || id != "petro-testnet-1" {
		t.Fatalf("chain id %q, %v", id, err)
	}
}

func TestTestnetForce(t *testing.T) {
	dir := t.TempDir()
	m1 := mustRun(t, "", "testnet", "--validators", "2", "--full-nodes", "1", "--output", dir, "-o", "json")
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}

	// Without --force a non-empty directory is refused, untouched.
	_, _, err := runCLI(t, "", "testnet", "--validators", "2", "--output", dir)
	var ue *usageError
	if !asUsage(err, &ue) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("want a usage error naming --force, got %v", err)
	}
	if !fileExists(filepath.Join(dir, "node2")) {
		t.Fatal("the refused run removed node2")
	}

	// With --force the old network is replaced (a smaller one: node2 goes),
	// new keys, other files kept.
	m2 := mustRun(t, "", "testnet", "--validators", "2", "--output", dir, "--force", "-o", "json")
	if m1 == m2 {
		t.Fatal("--force produced the same network")
	}
	if fileExists(filepath.Join(dir, "node2")) {
		t.Error("node2 of the old network is still there")
	}
	if !fileExists(filepath.Join(dir, "notes.txt")) {
		t.Error("--force removed an unrelated file")
	}
	kr, err := keyring.New(keyring.BackendTest, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := kr.List()
	if err != nil || len(recs) != 8 {
		t.Fatalf("keyring after --force: %d keys, %v", len(recs), err)
	}
}

func TestTestnetBadFlags(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "tn")
	tests := []struct {
		name string
		args []string
	}{
		{"no validators", []string{"--output", out}},
		{"zero validators", []string{"--validators", "0", "--output", out}},
		{"negative full nodes", []string{"--validators", "1", "--full-nodes", "-1", "--output", out}},
		{"too many validators", []string{"--validators", "101", "--output", out}},
		{"no output", []string{"--validators", "1"}},
		{"base port zero", []string{"--validators", "1", "--output", out, "--base-port", "0"}},
		{"base port too high", []string{"--validators", "1", "--output", out, "--base-port", "70000"}},
		{"ports overflow", []string{"--validators", "4", "--output", out, "--base-port", "65530"}},
		{"unspecified host", []string{"--validators", "1", "--output", out, "--host", "0.0.0.0"}},
		{"host with port", []string{"--validators", "1", "--output", out, "--host", "127.0.0.1:80"}},
		{"zero timeout commit", []string{"--validators", "1", "--output", out, "--timeout-commit", "0s"}},
		{"empty chain id", []string{"--validators", "1", "--output", out, "--chain-id", ""}},
		{"bad format", []string{"--validators", "1", "--output", out, "-o", "yaml"}},
		{"hosts fewer than nodes", []string{"--validators", "2", "--output", out, "--hosts", "10.0.0.1"}},
		{"unspecified host in hosts", []string{"--validators", "2", "--output", out, "--hosts", "10.0.0.1,0.0.0.0"}},
		{"bad second address", []string{"--validators", "1", "--output", out, "--hosts", "10.0.0.1/a:b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runCLI(t, "", append([]string{"testnet"}, tc.args...)...)
			var ue *usageError
			if !asUsage(err, &ue) {
				t.Fatalf("want a usage error, got %v", err)
			}
			if fileExists(out) {
				t.Fatalf("a refused command created %s", out)
			}
		})
	}
}

// TestTestnetHosts: with --hosts each node has its own host at the default
// ports, listens on all interfaces, advertises its host, and lists every
// address of every peer; --skip-existing keeps a network already there.
func TestTestnetHosts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tn")
	out := mustRun(t, "", "testnet", "--validators", "2", "--full-nodes", "1", "--output", dir,
		"--hosts", "10.9.0.10,10.9.0.11,10.9.0.12/10.9.1.12", "-o", "json")
	var m TestnetManifest
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	if m.Nodes[1].P2P != "10.9.0.11:26656" || m.Nodes[1].RPC != "http://10.9.0.11:26657" || m.Nodes[2].GRPC != "10.9.0.12:9090" {
		t.Fatalf("manifest addresses %+v", m.Nodes)
	}
	cfg, err := LoadCometConfig(m.Nodes[0].Home)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.P2P.ListenAddress != "tcp://0.0.0.0:26656" || cfg.RPC.ListenAddress != "tcp://0.0.0.0:26657" ||
		cfg.P2P.ExternalAddress != "10.9.0.10:26656" || cfg.Instrumentation.PrometheusListenAddr != "0.0.0.0:26660" {
		t.Fatalf("node0 config: p2p %s rpc %s external %s prometheus %s", cfg.P2P.ListenAddress, cfg.RPC.ListenAddress,
			cfg.P2P.ExternalAddress, cfg.Instrumentation.PrometheusListenAddr)
	}
	peers := strings.Split(cfg.P2P.PersistentPeers, ",")
	want := []string{m.Nodes[1].NodeID + "@10.9.0.11:26656", m.Nodes[2].NodeID + "@10.9.0.12:26656", m.Nodes[2].NodeID + "@10.9.1.12:26656"}
	if strings.Join(peers, ",") != strings.Join(want, ",") {
		t.Fatalf("persistent peers %v, want %v", peers, want)
	}
	appCfg, err := LoadAppConfig(m.Nodes[2].Home)
	if err != nil {
		t.Fatal(err)
	}
	if appCfg.GRPC.Address != "0.0.0.0:9090" || appCfg.API.Address != "0.0.0.0:1317" {
		t.Fatalf("node2 app.toml: grpc %s api %s", appCfg.GRPC.Address, appCfg.API.Address)
	}
	again := mustRun(t, "", "testnet", "--validators", "2", "--output", dir, "--skip-existing")
	if !strings.Contains(again, "kept as it is") {
		t.Fatalf("--skip-existing: %s", again)
	}
	bz, err := os.ReadFile(filepath.Join(dir, "testnet.json"))
	if err != nil || !strings.Contains(string(bz), m.Nodes[0].NodeID) {
		t.Fatalf("the network was replaced: %v", err)
	}
}
