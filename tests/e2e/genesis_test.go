package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/keyring"
	txtypes "github.com/petro-network/petro/types/tx"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// operator is one company of the ceremony: its own home, its own encrypted
// file keyring (its own passphrase) and its own node.
type operator struct {
	t          *testing.T
	name, pass string
	node       *Node
	address    string
}

// petrod runs petrod with this operator's home and passphrase (the file
// keyring reads it from PETRO_KEYRING_PASSPHRASE) and returns its stdout.
func (o *operator) petrod(args ...string) string {
	o.t.Helper()
	out, err := o.run(args...)
	if err != nil {
		o.t.Fatalf("%s: petrod %s: %v\n%s", o.name, strings.Join(args, " "), err, out)
	}
	return out
}

func (o *operator) run(args ...string) (string, error) {
	cmd := exec.Command(Binary(o.t), append(args, "--home", o.node.Home)...)
	cmd.Env = append(os.Environ(), "PETRO_KEYRING_PASSPHRASE="+o.pass)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String() + stderr.String(), err
}

// key opens the operator's own encrypted keyring, as its wallet would.
func (o *operator) key() *crypto.PrivKey {
	o.t.Helper()
	kr, err := keyring.New(keyring.BackendFile, o.node.Home, func() (string, error) { return o.pass, nil })
	if err != nil {
		o.t.Fatal(err)
	}
	k, err := kr.PrivKey("operator")
	if err != nil {
		o.t.Fatal(err)
	}
	return k
}

// setConfig rewrites key = value lines of the operator's config.toml
// (petrod init's, so filter_peers stays on).
func (o *operator) setConfig(kv map[string]string) {
	o.t.Helper()
	path := filepath.Join(o.node.Home, "config", "config.toml")
	bz, err := os.ReadFile(path)
	if err != nil {
		o.t.Fatal(err)
	}
	for k, v := range kv {
		re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(k) + ` = .*$`)
		if !re.Match(bz) {
			o.t.Fatalf("config.toml has no %s", k)
		}
		bz = re.ReplaceAll(bz, []byte(k+" = "+v))
	}
	if err := os.WriteFile(path, bz, 0o600); err != nil {
		o.t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	bz, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, bz, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestGenesisCeremony: four companies, each with its own home and
// encrypted file keyring, exchanging only files (joins, then the final
// genesis), build a genesis with the ceremony commands and start four
// validators; the council passes a proposal, the oracles settle a round
// and the issuer issues. Then the network is stopped, node 0's state is
// exported, and all four restart from the exported genesis (the way out
// of a halt): the same state, and blocks continue from height H+1.
func TestGenesisCeremony(t *testing.T) {
	if testing.Short() {
		t.Skip("node test")
	}
	const chainID = "petro-ceremony-1"
	ops := make([]*operator, 4)
	for i := range ops {
		n := &Node{t: t, Home: t.TempDir(), ChainID: chainID,
			GRPCPort: FreePort(t), RPCPort: FreePort(t), P2PPort: FreePort(t), APIPort: FreePort(t)}
		ops[i] = &operator{t: t, name: fmt.Sprintf("company%d", i), pass: fmt.Sprintf("passphrase of company %d", i), node: n}
	}
	coord := ops[0]

	// ARRANGE 1: each company makes its home and operator key, and signs a join.
	for _, o := range ops {
		o.petrod("init", o.name, "--chain-id", chainID)
		o.petrod("keys", "add", "operator")
		var k struct{ Address string }
		if err := json.Unmarshal([]byte(o.petrod("keys", "show", "operator", "-o", "json")), &k); err != nil {
			t.Fatal(err)
		}
		o.address = k.Address
		o.petrod("genesis", "join", "--from", "operator", "--power", "10", "--p2p-address", fmt.Sprintf("127.0.0.1:%d", o.node.P2PPort))
		// The join is the only file a company sends to the coordinator.
		name := "join-" + o.name + ".json"
		copyFile(t, filepath.Join(o.node.Home, "config", "gentx", name), filepath.Join(coord.node.Home, "config", "gentx", name))
	}
	if kf, _ := filepath.Glob(filepath.Join(coord.node.Home, "keyring-file", "*.json")); len(kf) != 1 {
		t.Fatalf("coordinator's keyring: %v", kf)
	}

	// ARRANGE 2: the coordinator builds the genesis with the ceremony commands.
	issuer, compliance, pauser := ops[0], ops[3], ops[3]
	oracles := ops[1:4]
	out, _ := coord.run("genesis", "validate")
	if !strings.Contains(out, "missing council") || !strings.Contains(out, "missing lots") {
		t.Fatalf("validate of a fresh genesis does not list what is missing:\n%s", out)
	}
	for _, o := range ops {
		coord.petrod("genesis", "add-account", o.address, "1000ptr")
	}
	coord.petrod("genesis", "set-council", "--threshold", "3", ops[0].address, ops[1].address, ops[2].address, ops[3].address)
	coord.petrod("genesis", "add-role", "issuer", issuer.address, "--allowance", "1000000ptr")
	for _, o := range oracles {
		coord.petrod("genesis", "add-role", "oracle", o.address)
	}
	coord.petrod("genesis", "add-role", "compliance", compliance.address)
	coord.petrod("genesis", "add-role", "pauser", pauser.address)
	coord.petrod("genesis", "set-param", "reserve", "quorum", "2")
	coord.petrod("genesis", "set-param", "reserve", "max_age_seconds", "3600")
	coord.petrod("genesis", "add-lot", "--id", "ayacucho-1", "--field", "ayacucho-1", "--category", "in-ground",
		"--certifier", "PDVSA-CVP", "--certificate-hash", strings.Repeat("ab", 32),
		"--valid-until", time.Now().Add(365*24*time.Hour).UTC().Format(time.RFC3339))
	collected := coord.petrod("genesis", "collect")
	if !strings.Contains(collected, "collected 4 joins") {
		t.Fatalf("collect: %s", collected)
	}
	m := regexp.MustCompile(`persistent_peers = (".*")`).FindStringSubmatch(collected)
	if m == nil {
		t.Fatalf("collect printed no persistent_peers:\n%s", collected)
	}
	if v := coord.petrod("genesis", "validate"); !strings.Contains(v, "valid") {
		t.Fatalf("validate: %s", v)
	}

	// ARRANGE 3: the coordinator sends genesis.json to every company; each
	// points its node at the others and starts it.
	final := filepath.Join(coord.node.Home, "config", "genesis.json")
	for _, o := range ops {
		if o != coord {
			copyFile(t, final, filepath.Join(o.node.Home, "config", "genesis.json"))
		}
		o.setConfig(map[string]string{
			"persistent_peers": m[1], "allow_duplicate_ip": "true", "addr_book_strict": "false",
			"timeout_commit": `"300ms"`, "timeout_propose": `"1s"`,
		})
		o.node.Start()
	}
	for _, o := range ops {
		o.node.WaitReady(2, 120*time.Second)
	}

	// ACT + ASSERT: the council, the oracles and the issuer work.
	cc := ops[0].node.Conn()
	w := func(o *operator) wallet { return wallet{t: t, key: o.key(), chainID: chainID, cc: cc} }
	note := &authoritytypes.Action{Sum: &authoritytypes.Action_AllowPeer{AllowPeer: &authoritytypes.AllowPeer{
		Peer: &authoritytypes.AllowedPeer{NodeId: strings.Repeat("ab", 20), Note: "auditor's node"}}}}
	r := w(ops[0]).ok("propose", &txtypes.Msg{Sum: &txtypes.Msg_Propose{Propose: &authoritytypes.MsgPropose{Proposer: ops[0].address, Action: note}}})
	id := eventAttr(t, r, authoritytypes.EventTypeProposalSubmitted, "proposal_id")
	for _, o := range ops[1:3] {
		w(o).ok("approve", &txtypes.Msg{Sum: &txtypes.Msg_Approve{Approve: &authoritytypes.MsgApprove{Approver: o.address, ProposalId: id}}})
	}
	aq := authoritytypes.NewQueryClient(cc)
	if err := Eventually(60*time.Second, func() error {
		p, err := aq.Proposal(context.Background(), &authoritytypes.QueryProposalRequest{Id: id})
		if err != nil {
			return err
		}
		if p.Proposal.Status != authoritytypes.ProposalStatus_PROPOSAL_STATUS_EXECUTED {
			return fmt.Errorf("proposal %d: %s %s", id, p.Proposal.Status, p.Proposal.Result)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rq, tq := reservetypes.NewQueryClient(cc), tokentypes.NewQueryClient(cc)
	open, err := rq.OpenRound(context.Background(), &reservetypes.QueryOpenRoundRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range oracles[:2] {
		w(o).ok("attest", attestMsg(o.address, open.RoundId, 100_000*barrel, 70*ptr)) // backs 4,000 PTR with margin
	}
	if err := Eventually(60*time.Second, func() error {
		s, err := rq.Status(context.Background(), &reservetypes.QueryStatusRequest{})
		if err != nil {
			return err
		}
		if s.Backing.Status != reservetypes.BackingStatus_BACKING_STATUS_OK {
			return fmt.Errorf("backing %s", s.Backing.Status)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	w(issuer).ok("issue", &txtypes.Msg{Sum: &txtypes.Msg_Issue{Issue: &tokentypes.MsgIssue{Issuer: issuer.address, Recipient: ops[2].address, Amount: 50 * ptr}}})
	bal, err := tq.Balance(context.Background(), &tokentypes.QueryBalanceRequest{Address: ops[2].address})
	if err != nil || bal.GetBalance().GetAmount() != 1050*ptr {
		t.Fatalf("balance after issue: %v %v", bal, err)
	}

	// Export and restart: stop every node, export node 0's state, and start
	// all four from the exported genesis with their own keys and fresh data.
	before := queryAnswers(t, ops[0].node, ops[2].address)
	for _, o := range ops {
		o.node.Stop()
	}
	exported := filepath.Join(t.TempDir(), "exported-genesis.json")
	ops[0].petrod("export", "--output-document", exported)
	var doc struct {
		ChainID       string `json:"chain_id"`
		InitialHeight string `json:"initial_height"`
	}
	bz, err := os.ReadFile(exported)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(bz, &doc); err != nil || doc.ChainID != chainID {
		t.Fatalf("exported genesis: %v %+v", err, doc)
	}
	var initial int64
	fmt.Sscan(doc.InitialHeight, &initial)
	for _, o := range ops {
		if v := o.petrod("genesis", "validate", exported); !strings.Contains(v, "valid") {
			t.Fatalf("validate of the export: %s", v)
		}
		// As networks/README.md says: unsafe-reset-all, then the export as genesis.
		if out, err := exec.Command(Binary(t), "unsafe-reset-all", "--home", o.node.Home).CombinedOutput(); err != nil {
			t.Fatalf("unsafe-reset-all: %v\n%s", err, out)
		}
		copyFile(t, exported, filepath.Join(o.node.Home, "config", "genesis.json"))
		o.node.Start()
	}
	for _, o := range ops {
		if h := o.node.WaitReady(initial+1, 120*time.Second); h <= initial {
			t.Fatalf("height %d after restart at %d", h, initial)
		}
	}
	after := queryAnswers(t, ops[0].node, ops[2].address)
	for i := range before {
		if !proto.Equal(before[i], after[i]) {
			t.Errorf("query %d answers differently after the restart:\nbefore %v\nafter  %v", i, before[i], after[i])
		}
	}
}

// eventAttr reads a numeric attribute of the first event of type typ.
func eventAttr(t *testing.T, r *txtypes.BroadcastResponse, typ, key string) uint64 {
	t.Helper()
	for _, ev := range r.Events {
		for _, a := range ev.Attributes {
			if ev.Type == typ && a.Key == key {
				var v uint64
				fmt.Sscan(a.Value, &v)
				return v
			}
		}
	}
	t.Fatalf("no %s.%s in %v", typ, key, r.Events)
	return 0
}

// queryAnswers asks n the queries whose answers do not change from block
// to block (the backing is recomputed every block), with heights zeroed.
func queryAnswers(t *testing.T, n *Node, holder string) []proto.Message {
	t.Helper()
	cc := n.Conn()
	ctx := context.Background()
	tq, rq, aq := tokentypes.NewQueryClient(cc), reservetypes.NewQueryClient(cc), authoritytypes.NewQueryClient(cc)
	var out []proto.Message
	add := func(m proto.Message, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if f := m.ProtoReflect().Descriptor().Fields().ByName("height"); f != nil {
			m.ProtoReflect().Clear(f)
		}
		out = append(out, m)
	}
	add(tq.Balance(ctx, &tokentypes.QueryBalanceRequest{Address: holder}))
	add(tq.AllBalances(ctx, &tokentypes.QueryAllBalancesRequest{}))
	add(tq.Supply(ctx, &tokentypes.QuerySupplyRequest{}))
	add(tq.Totals(ctx, &tokentypes.QueryTotalsRequest{}))
	add(tq.Params(ctx, &tokentypes.QueryParamsRequest{}))
	add(tq.Redemptions(ctx, &tokentypes.QueryRedemptionsRequest{}))
	add(tq.Allowances(ctx, &tokentypes.QueryAllowancesRequest{}))
	add(rq.Rounds(ctx, &reservetypes.QueryRoundsRequest{}))
	add(rq.Lots(ctx, &reservetypes.QueryLotsRequest{}))
	add(rq.Oracles(ctx, &reservetypes.QueryOraclesRequest{}))
	add(rq.OpenRound(ctx, &reservetypes.QueryOpenRoundRequest{}))
	add(aq.Council(ctx, &authoritytypes.QueryCouncilRequest{}))
	add(aq.Proposals(ctx, &authoritytypes.QueryProposalsRequest{}))
	add(aq.Roles(ctx, &authoritytypes.QueryRolesRequest{}))
	add(aq.Validators(ctx, &authoritytypes.QueryValidatorsRequest{}))
	add(aq.Peers(ctx, &authoritytypes.QueryPeersRequest{}))
	return out
}
