package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/crypto"
	txtypes "github.com/petro-network/petro/types/tx"
	authtypes "github.com/petro-network/petro/x/auth/types"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
)

// council signs and commits authority messages through one node.
type council struct {
	t  *testing.T
	tn *Testnet
	n  *Node
}

func (c council) send(from string, msg *txtypes.Msg) *txtypes.BroadcastResponse {
	c.t.Helper()
	key := c.tn.Key(c.t, from)
	cc := c.n.Conn()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	acc, err := authtypes.NewQueryClient(cc).Account(ctx, &authtypes.QueryAccountRequest{Address: key.PubKey().Address().String()})
	if err != nil {
		c.t.Fatal(err)
	}
	raw, err := client.SignTx(c.tn.Manifest.ChainID, key, acc.Account.Sequence, []*txtypes.Msg{msg}, client.TxOptions{})
	if err != nil {
		c.t.Fatal(err)
	}
	resp, err := txtypes.NewTxServiceClient(cc).Broadcast(ctx, &txtypes.BroadcastRequest{TxBytes: raw, Mode: txtypes.BroadcastMode_BROADCAST_MODE_COMMIT})
	if err != nil {
		c.t.Fatalf("broadcast from %s: %v", from, err)
	}
	return resp
}

func addr(k *crypto.PrivKey) string { return k.PubKey().Address().String() }

// pass proposes action as val0 and approves it with val1… until the
// threshold, then waits for the proposal to be EXECUTED.
func (c council) pass(action *authoritytypes.Action) uint64 {
	c.t.Helper()
	resp := c.send("val0", &txtypes.Msg{Sum: &txtypes.Msg_Propose{Propose: &authoritytypes.MsgPropose{Proposer: addr(c.tn.Key(c.t, "val0")), Action: action}}})
	if resp.Code != 0 {
		c.t.Fatalf("propose: %s/%d %s", resp.Codespace, resp.Code, resp.Log)
	}
	var id uint64
	for _, ev := range resp.Events {
		for _, a := range ev.Attributes {
			if ev.Type == authoritytypes.EventTypeProposalSubmitted && a.Key == "proposal_id" {
				fmt.Sscan(a.Value, &id)
			}
		}
	}
	if id == 0 {
		c.t.Fatalf("no proposal id in %v", resp.Events)
	}
	for i := 1; i < c.tn.Manifest.CouncilThreshold; i++ {
		name := fmt.Sprintf("val%d", i)
		r := c.send(name, &txtypes.Msg{Sum: &txtypes.Msg_Approve{Approve: &authoritytypes.MsgApprove{Approver: addr(c.tn.Key(c.t, name)), ProposalId: id}}})
		if r.Code != 0 {
			c.t.Fatalf("approve by %s: %s/%d %s", name, r.Codespace, r.Code, r.Log)
		}
	}
	q := authoritytypes.NewQueryClient(c.n.Conn())
	if err := Eventually(30*time.Second, func() error {
		p, err := q.Proposal(context.Background(), &authoritytypes.QueryProposalRequest{Id: id})
		if err != nil {
			return err
		}
		if p.Proposal.Status != authoritytypes.ProposalStatus_PROPOSAL_STATUS_EXECUTED {
			return fmt.Errorf("proposal %d is %s (%s)", id, p.Proposal.Status, p.Proposal.Result)
		}
		return nil
	}); err != nil {
		c.t.Fatal(err)
	}
	return id
}

// TestPermissionedNetwork runs 4 validators and a full node on loopback.
// The council adds the full node as a fifth validator, which then signs
// blocks; removes a validator, which stops counting while the chain stays
// live; an invalid validator change is refused at proposal time; and a node
// whose ID is not allowed cannot connect to any validator.
func TestPermissionedNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("node test")
	}
	tn := NewTestnet(t, 4, 1, 300*time.Millisecond)
	for _, n := range tn.Nodes[:4] {
		n.Start()
	}
	n0 := tn.Nodes[0]
	n0.WaitReady(2, 90*time.Second)
	c := council{t: t, tn: tn, n: n0}
	rpc := n0.RPC()
	bg := context.Background()

	// An invalid change is refused with its own code, and nothing stops.
	bad := c.send("val0", &txtypes.Msg{Sum: &txtypes.Msg_Propose{Propose: &authoritytypes.MsgPropose{
		Proposer: addr(tn.Key(t, "val0")),
		Action: &authoritytypes.Action{Sum: &authoritytypes.Action_SetValidatorPower{SetValidatorPower: &authoritytypes.SetValidatorPower{
			PubKey: tn.Manifest.Nodes[0].ConsensusPubKey, Power: 0}}},
	}}})
	if bad.Codespace != authoritytypes.Codespace || bad.Code != authoritytypes.ErrInvalidPower.Code {
		t.Fatalf("zero power: got %s/%d %s", bad.Codespace, bad.Code, bad.Log)
	}

	// ACT 1: the full node joins and becomes the fifth validator.
	full := tn.Nodes[4]
	full.Start()
	fm := tn.Manifest.Nodes[4]
	c.pass(&authoritytypes.Action{Sum: &authoritytypes.Action_AddValidator{AddValidator: &authoritytypes.AddValidator{Validator: &authoritytypes.Validator{
		PubKey: fm.ConsensusPubKey, Power: 10, NodeId: fm.NodeID, Moniker: "node4"}}}})
	// ASSERT: it signs blocks.
	if err := Eventually(60*time.Second, func() error {
		st, err := rpc.Status(bg)
		if err != nil {
			return err
		}
		h := st.SyncInfo.LatestBlockHeight
		blk, err := rpc.Block(bg, &h)
		if err != nil {
			return err
		}
		for _, sig := range blk.Block.LastCommit.Signatures {
			if sig.BlockIDFlag == cmttypes.BlockIDFlagCommit && strings.EqualFold(sig.ValidatorAddress.String(), fm.ConsensusAddress) {
				return nil
			}
		}
		return fmt.Errorf("node4 has not signed block %d yet", h-1)
	}); err != nil {
		t.Fatal(err)
	}
	vals, err := authoritytypes.NewQueryClient(n0.Conn()).Validators(bg, &authoritytypes.QueryValidatorsRequest{})
	if err != nil || len(vals.Validators) != 5 {
		t.Fatalf("validators after add: %v %v", err, vals)
	}

	// ACT 2: remove node3; it stops counting, the chain stays live.
	gone := tn.Manifest.Nodes[3]
	c.pass(&authoritytypes.Action{Sum: &authoritytypes.Action_RemoveValidator{RemoveValidator: &authoritytypes.RemoveValidator{PubKey: gone.ConsensusPubKey}}})
	var removedAt int64
	if err := Eventually(30*time.Second, func() error {
		st, err := rpc.Status(bg)
		if err != nil {
			return err
		}
		h := st.SyncInfo.LatestBlockHeight
		vs, err := rpc.Validators(bg, &h, nil, nil)
		if err != nil {
			return err
		}
		for _, v := range vs.Validators {
			if strings.EqualFold(v.Address.String(), gone.ConsensusAddress) {
				return fmt.Errorf("node3 still in CometBFT's set at %d", h)
			}
		}
		removedAt = h
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	tn.Nodes[3].Kill()
	n0.WaitReady(removedAt+3, 60*time.Second) // live without it

	// ACT 3: an outsider whose node ID is not allowed tries to connect.
	out := newOutsider(t, tn)
	out.Start()
	// ASSERT: every validator refuses it (the refusal is logged), no
	// validator lists it as a peer, and it never gets a block; allowed
	// peers stay connected.
	outID := nodeIDOf(t, out.Home)
	if err := Eventually(60*time.Second, func() error {
		if !bytes.Contains(n0.Logs(), []byte(outID)) {
			return fmt.Errorf("node0 has not seen the outsider yet")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i, n := range []*Node{tn.Nodes[0], tn.Nodes[1], tn.Nodes[2], tn.Nodes[4]} {
		ni, err := n.RPC().NetInfo(bg)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, p := range ni.Peers {
			ids = append(ids, string(p.NodeInfo.DefaultNodeID))
		}
		if strings.Contains(strings.Join(ids, ","), outID) {
			t.Errorf("node %d is connected to the outsider", i)
		}
		if len(ids) < 2 {
			t.Errorf("node %d has only peers %v; allowed peers must stay connected", i, ids)
		}
	}
	ost, err := out.RPC().Status(bg)
	if err != nil {
		t.Fatal(err)
	}
	if ost.SyncInfo.LatestBlockHeight > 0 {
		t.Errorf("outsider synced to height %d", ost.SyncInfo.LatestBlockHeight)
	}
}

// newOutsider makes a home with the network's genesis, dialing every
// validator, whose node ID is on no allowlist.
func newOutsider(t *testing.T, tn *Testnet) *Node {
	t.Helper()
	n := &Node{t: t, Home: t.TempDir(), ChainID: tn.Manifest.ChainID, GRPCPort: FreePort(t), RPCPort: FreePort(t), P2PPort: FreePort(t)}
	if out, err := exec.Command(Binary(t), "init", "outsider", "--home", n.Home, "--chain-id", tn.Manifest.ChainID, "--overwrite").CombinedOutput(); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	gen, err := os.ReadFile(filepath.Join(tn.Manifest.Nodes[0].Home, "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(n.Home, "config", "genesis.json"), gen, 0o644); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(n.Home, "config", "config.toml")
	c := cmtcfg.DefaultConfig()
	c.SetRoot(n.Home)
	c.Moniker = "outsider"
	c.DBBackend = "pebbledb"
	c.FilterPeers = true
	c.P2P.AllowDuplicateIP = true
	c.P2P.AddrBookStrict = false
	c.LogLevel = "info"
	var peers []string
	for i := 0; i < 3; i++ {
		peers = append(peers, tn.NodeAddr(i))
	}
	c.P2P.PersistentPeers = strings.Join(peers, ",")
	cmtcfg.WriteConfigFile(cfgPath, c)
	return n
}

func nodeIDOf(t *testing.T, home string) string {
	t.Helper()
	nk, err := loadNodeKey(filepath.Join(home, "config", "node_key.json"))
	if err != nil {
		t.Fatal(err)
	}
	return nk
}
