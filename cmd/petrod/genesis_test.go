package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/app"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

const genesisTestChain = "petro-genesis-test-1"

// ceremonyHome is a home whose genesis passes validate: a council, every
// role, a lot, and this node's own join collected.
func ceremonyHome(t *testing.T) (home, addr string) {
	t.Helper()
	home = t.TempDir()
	kb := []string{"--home", home, "--keyring-backend", "test"}
	mustRun(t, "", "init", "n0", "--chain-id", genesisTestChain, "--home", home)
	var k keyOut
	if err := json.Unmarshal([]byte(mustRun(t, "", append([]string{"keys", "add", "operator", "-o", "json"}, kb...)...)), &k); err != nil {
		t.Fatal(err)
	}
	addr = k.Address
	g := func(args ...string) { mustRun(t, "", append(append([]string{"genesis"}, args...), "--home", home)...) }
	g("add-account", addr, "1000ptr")
	g("set-council", "--threshold", "1", addr)
	for _, r := range []string{"oracle", "compliance", "pauser"} {
		g("add-role", r, addr)
	}
	g("add-role", "issuer", addr, "--allowance", "500ptr")
	g("set-param", "reserve", "quorum", "1")
	g("add-lot", "--id", "lot-1", "--field", "f", "--category", "stored", "--certifier", "c",
		"--certificate-hash", strings.Repeat("cd", 32), "--valid-until", "2099-01-01T00:00:00Z")
	mustRun(t, "", append([]string{"genesis", "join", "--from", "operator", "--p2p-address", "127.0.0.1:26656"}, kb...)...)
	g("add-peer", strings.Repeat("ef", 20), "--note", "auditor")
	g("collect")
	return home, addr
}

func TestGenesisCeremonyCommands(t *testing.T) {
	home, addr := ceremonyHome(t)
	out := mustRun(t, "", "genesis", "validate", "--home", home)
	if !strings.Contains(out, "valid (chain "+genesisTestChain+", 1 validators)") {
		t.Fatalf("validate: %s", out)
	}
	_, gs, err := readGenesis(genesisPath(home))
	if err != nil {
		t.Fatal(err)
	}
	v := gs.Authority.Validators
	if len(v) != 1 || v[0].NodeId == "" || v[0].Operator != addr || v[0].Moniker != "n0" {
		t.Fatalf("collected validators: %v", v)
	}
	if len(gs.Authority.Peers) != 1 || gs.Reserve.Params.Quorum != 1 || gs.Token.Balances[0].Amount != 1000*tokentypes.BaseUnitsPerPTR {
		t.Fatalf("params or balances: %v %v", gs.Reserve.Params, gs.Token.Balances)
	}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown module", []string{"set-param", "bank", "x", "1"}, "want token, reserve or authority"},
		{"unknown param", []string{"set-param", "reserve", "quorom", "1"}, "has no parameter"},
		{"bad value", []string{"set-param", "reserve", "quorum", "many"}, "quorum"},
		{"bad amount", []string{"add-account", addr, "1.5"}, "amount"},
		{"duplicate account", []string{"add-account", addr, "1ptr"}, "already has"},
		{"allowance for an oracle", []string{"add-role", "oracle", addr, "--allowance", "1ptr"}, "issuers only"},
		{"bad council", []string{"set-council", "--threshold", "2", addr}, "threshold"},
		{"bad address", []string{"add-account", "petro1nope", "1ptr"}, "address"},
		{"bad peer", []string{"add-peer", "ABC"}, "node"},
		{"duplicate peer", []string{"add-peer", strings.Repeat("ef", 20)}, "already allowed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, errOut, err := runCLI(t, "", append(append([]string{"genesis"}, c.args...), "--home", home)...)
			if err == nil || !strings.Contains(err.Error()+errOut, c.want) {
				t.Fatalf("got %v (stderr %q), want an error with %q", err, errOut, c.want)
			}
		})
	}
}

// TestGenesisValidateListsEveryProblem: validate reports every problem at
// once, one line each, and fails.
func TestGenesisValidateListsEveryProblem(t *testing.T) {
	home, addr := ceremonyHome(t)
	doc, gs, err := readGenesis(genesisPath(home))
	if err != nil {
		t.Fatal(err)
	}
	// Break it in many ways at once.
	gs.Authority.Council = &authoritytypes.Council{Members: []string{addr}, Threshold: 3}
	for _, r := range gs.Authority.Roles {
		if r.Role == authoritytypes.Role_ROLE_ISSUER {
			r.Allowance = 0
		}
	}
	gs.Reserve.Params.Quorum = 3
	gs.Reserve.Lots[0].CertificateHash = nil
	dup := proto.Clone(gs.Authority.Validators[0]).(*authoritytypes.Validator)
	dup.PubKey[0] ^= 1
	dup.Moniker = "copy"
	gs.Authority.Validators = append(gs.Authority.Validators, dup)
	gs.Token.Supply = 7
	gs.Token.Balances = append(gs.Token.Balances, &tokentypes.Balance{Address: "petro1bad", Amount: 1})
	if doc.AppState, err = json.Marshal(gs); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "genesis.json")
	if err := doc.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "", "genesis", "validate", path, "--home", home)
	if err == nil {
		t.Fatalf("validate passed:\n%s", out)
	}
	for _, want := range []string{
		"council threshold 3 > 1 members",
		"issuer " + addr + " has no allowance",
		"reserve quorum 3 > 1 oracles",
		"lot lot-1 has no certificate hash",
		"node ID " + dup.NodeId + " is also n0's",
		"supply 7 ≠ Σ balances",
		`balance of "petro1bad": bad address`,
		"genesis.json lists 1 validators, app_state.authority 2",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("validate does not say %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "\n  - "); n < 7 {
		t.Errorf("%d problem lines:\n%s", n+1, out)
	}
}

// TestGenesisValidateModuleChecks: a rule only a module's own genesis
// check knows (token decimals must be 8) is reported too.
func TestGenesisValidateModuleChecks(t *testing.T) {
	home, _ := ceremonyHome(t)
	doc, gs, err := readGenesis(genesisPath(home))
	if err != nil {
		t.Fatal(err)
	}
	gs.Token.Params.Decimals = 6
	if doc.AppState, err = json.Marshal(gs); err != nil {
		t.Fatal(err)
	}
	p := GenesisProblems(doc, gs)
	if len(p) != 1 || !strings.Contains(p[0], "decimals") {
		t.Fatalf("problems: %q", p)
	}
}

// TestGenesisValidateUpgrades: validate lists every problem of the upgrade
// state (x/authority applied_upgrades, upgrade_plan, app_version) and of
// it against initial_height and the consensus params; a consistent
// exported upgrade state at an initial height above it passes, except for
// the app version this binary does not run (InitChain's word).
func TestGenesisValidateUpgrades(t *testing.T) {
	home, _ := ceremonyHome(t)
	doc, gs, err := readGenesis(genesisPath(home))
	if err != nil {
		t.Fatal(err)
	}
	au := gs.Authority
	au.AppliedUpgrades = []*authoritytypes.AppliedUpgrade{
		{Name: "v2", Height: 40, AppVersion: 2},
		{Name: "Bad Name", Height: 40, AppVersion: 0},
		{Name: "v2", Height: 50, AppVersion: 3},
	}
	au.AppVersion = 2
	au.UpgradePlan = &authoritytypes.UpgradePlan{Name: "v2", Height: 45, ProposalId: 9}
	doc.InitialHeight = 45
	doc.ConsensusParams.Version.App = 7
	p := strings.Join(GenesisProblems(doc, gs), "\n")
	for _, want := range []string{
		`applied upgrade at height 40: invalid upgrade plan: name "Bad Name"`,
		`applied upgrade "Bad Name" at height 40: heights must be positive, unique and ascending`,
		`applied upgrade "Bad Name": app version 0, at least 1`,
		`applied upgrade "v2" listed twice`,
		"app_version 2: the applied upgrades leave 3",
		`upgrade plan "v2": an upgrade of that name was applied already`,
		`upgrade plan "v2" at height 45: not above the last applied upgrade (50)`,
		`upgrade plan "v2": proposal 9 was never made`,
		`applied upgrade "v2" at height 50: not below the initial height 45`,
		`upgrade plan "v2" at height 45: not above the initial height 45`,
		"consensus_params.version.app 7 ≠ app_state.authority's app version 2",
	} {
		if !strings.Contains(p, want) {
			t.Errorf("validate does not say %q:\n%s", want, p)
		}
	}

	// An export's upgrade state: consistent, so only InitChain objects
	// (this binary has no handler v2 and does not run app version 2).
	au.AppliedUpgrades = au.AppliedUpgrades[:1]
	au.UpgradePlan = &authoritytypes.UpgradePlan{Name: "v3", Height: 46}
	doc.ConsensusParams.Version.App = 2
	if doc.AppState, err = json.Marshal(gs); err != nil {
		t.Fatal(err)
	}
	if p := GenesisProblems(doc, gs); len(p) != 1 || !strings.Contains(p[0], `InitChain refuses it`) || !strings.Contains(p[0], `upgrade "v2"`) {
		t.Fatalf("problems: %q", p)
	}
}

// TestGenesisJoinVerify: collect refuses a join whose fields were changed
// after signing, one for another chain, and duplicates, listing each.
func TestGenesisJoinVerify(t *testing.T) {
	home, _ := ceremonyHome(t)
	dir := filepath.Join(home, "config", "gentx")
	bz, err := os.ReadFile(filepath.Join(dir, "join-n0.json"))
	if err != nil {
		t.Fatal(err)
	}
	j := &GenesisJoin{}
	if err := json.Unmarshal(bz, j); err != nil {
		t.Fatal(err)
	}
	if err := j.Verify(genesisTestChain); err != nil {
		t.Fatalf("the join does not verify: %v", err)
	}
	for _, c := range []struct {
		name     string
		malleate func(j *GenesisJoin)
		want     string
	}{
		{"power changed", func(j *GenesisJoin) { j.Power++ }, "operator signature"},
		{"moniker changed", func(j *GenesisJoin) { j.Moniker = "evil" }, "operator signature"},
		{"other node id", func(j *GenesisJoin) { j.NodeID = strings.Repeat("ab", 20) }, "is not the node key's ID"},
		{"other chain", func(j *GenesisJoin) { j.ChainID = "other-1" }, "signed for chain"},
		{"operator is not the key's", func(j *GenesisJoin) { j.Operator = "petro1spwtp7hmt6zccct8d8zj9kt0r7nl9wz0kjhpc0" }, "is not the signing key's address"},
		{"consensus signature", func(j *GenesisJoin) { j.ConsensusSignature = j.NodeSignature }, "consensus key signature"},
		{"node signature", func(j *GenesisJoin) { j.NodeSignature = j.ConsensusSignature }, "node key signature"},
	} {
		t.Run(c.name, func(t *testing.T) {
			bad := *j
			c.malleate(&bad)
			if err := bad.Verify(genesisTestChain); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Verify: %v, want %q", err, c.want)
			}
		})
	}
	// A copy of the same join and a tampered one: collect lists both and
	// leaves genesis.json unchanged.
	before, _ := os.ReadFile(genesisPath(home))
	if err := os.WriteFile(filepath.Join(dir, "join-copy.json"), bz, 0o644); err != nil {
		t.Fatal(err)
	}
	bad := *j
	bad.Power = 99
	bb, _ := json.Marshal(&bad)
	if err := os.WriteFile(filepath.Join(dir, "join-tampered.json"), bb, 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "", "genesis", "collect", "--home", home)
	if err == nil {
		t.Fatalf("collect accepted:\n%s", out)
	}
	for _, want := range []string{"join-n0.json: consensus key already in join-copy.json", "join-n0.json: node ID", "join-tampered.json: operator signature does not verify"} {
		if !strings.Contains(out, want) {
			t.Errorf("collect does not say %q:\n%s", want, out)
		}
	}
	if after, _ := os.ReadFile(genesisPath(home)); string(after) != string(before) {
		t.Fatal("a failed collect changed genesis.json")
	}
}

// TestInitListsWhatIsMissing: init's genesis starts a chain but is not yet
// one a network can use; init says what is missing.
func TestInitListsWhatIsMissing(t *testing.T) {
	home := t.TempDir()
	out := mustRun(t, "", "init", "n0", "--chain-id", genesisTestChain, "--home", home)
	for _, want := range []string{"missing council", "missing issuer", "missing oracle", "missing lots", "reserve quorum 2 > 0 oracles"} {
		if !strings.Contains(out, want) {
			t.Errorf("init does not say %q:\n%s", want, out)
		}
	}
	doc, gs, err := readGenesis(genesisPath(home))
	if err != nil {
		t.Fatal(err)
	}
	if p := app.GenesisProblems(gs, doc.GenesisTime); len(p) == 0 {
		t.Fatal("no problems in init's genesis")
	}
}

// TestLabGenesesValidate: the genesis petrod testnet and petrod dev write
// passes genesis validate (the ceremony's rules hold for the lab builders).
func TestLabGenesesValidate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tn")
	mustRun(t, "", "testnet", "--validators", "4", "--output", dir, "--base-port", "46800")
	dev := t.TempDir()
	if _, err := setupDevHome(dev); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(dir, "node0", "config", "genesis.json"), genesisPath(dev)} {
		out, _, err := runCLI(t, "", "genesis", "validate", path)
		if err != nil {
			t.Errorf("%s:\n%s%v", path, out, err)
		}
	}
}

// FuzzGenesisJoin: any join file, however malformed, is refused with an
// error (collect lists it) and never panics.
func FuzzGenesisJoin(f *testing.F) {
	f.Add([]byte(`{"chain_id":"c","operator":"petro1x","power":1,"node_id":"ab","consensus_pub_key":"AAAA","operator_pub_key":"AAAA"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, bz []byte) {
		j := &GenesisJoin{}
		if json.Unmarshal(bz, j) != nil {
			return
		}
		if err := j.Verify("c"); err == nil {
			t.Fatalf("an unsigned join verified: %s", bz)
		}
	})
}
