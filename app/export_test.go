package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/app/upgrades"
	"github.com/petro-network/petro/internal/store"
	"github.com/petro-network/petro/internal/testutil"
	txtypes "github.com/petro-network/petro/types/tx"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// kMember2 joins the council of richChain.
const kMember2 = 40

// richChain is an issuance chain holding every kind of state an export
// carries: settled rounds and a pending attestation, oracle counters, a
// delivery, redemptions requested, accepted, fulfilled, rejected and
// expired, a freeze, a pause, executed and still-voting proposals.
func richChain(t *testing.T) *issuanceChain {
	c := newIssuanceChain(t)
	c.attest(1000 * reservetypes.OneBarrel)
	c.expect("issue", kIssuer, msgIssue(kIssuer, kOther, 50*ptr), "", 0)
	c.expect("request 1", kHolder, msgRedeem(kHolder, 5*ptr), "", 0)
	c.now = c.now.Add(3601 * 1e9) // redemption 1 expires
	c.block()
	c.attest(1000 * reservetypes.OneBarrel)
	c.expect("request 2", kHolder, msgRedeem(kHolder, 20*ptr), "", 0)
	c.expect("accept 2", kIssuer, msgAccept(kIssuer, 2), "", 0)
	c.expect("fulfil 2", kIssuer, msgFulfil(kIssuer, 2), "", 0) // a delivery after the last round
	c.expect("request 3", kHolder, msgRedeem(kHolder, 3*ptr), "", 0)
	c.expect("accept 3", kIssuer, msgAccept(kIssuer, 3), "", 0)
	c.expect("request 4", kHolder, msgRedeem(kHolder, 2*ptr), "", 0)
	c.expect("reject 4", kIssuer, &txtypes.Msg{Sum: &txtypes.Msg_RejectRedemption{RejectRedemption: &tokentypes.MsgRejectRedemption{
		Issuer: testutil.Addr(kIssuer).String(), RedemptionId: 4, Reason: "no such tank"}}}, "", 0)
	c.expect("request 5", kHolder, msgRedeem(kHolder, ptr), "", 0)
	c.expect("freeze", kCompliance, msgFreeze(kCompliance, kOther), "", 0)
	c.expect("pause issuance", kPauser, msgPause(kPauser, tokentypes.PauseScope_PAUSE_SCOPE_ISSUANCE, true), "", 0)
	council := testutil.Addr(kCouncil).String()
	propose := func(a *authoritytypes.Action) *txtypes.Msg {
		return &txtypes.Msg{Sum: &txtypes.Msg_Propose{Propose: &authoritytypes.MsgPropose{Proposer: council, Action: a}}}
	}
	members := []string{council, testutil.Addr(kMember2).String()}
	slices.Sort(members)
	c.expect("council of two", kCouncil, propose(&authoritytypes.Action{Sum: &authoritytypes.Action_SetCouncil{SetCouncil: &authoritytypes.SetCouncil{
		Council: &authoritytypes.Council{Members: members, Threshold: 2}}}}), "", 0)
	c.expect("a proposal left voting", kCouncil, propose(&authoritytypes.Action{Sum: &authoritytypes.Action_AllowPeer{AllowPeer: &authoritytypes.AllowPeer{
		Peer: &authoritytypes.AllowedPeer{NodeId: "0123456789abcdef0123456789abcdef01234567", Note: "auditor"}}}}), "", 0)
	// One oracle reports to the open round; the quorum (2) is not reached.
	kv, _, _ := c.a.StateAt(0)
	open, _ := c.a.ReserveKeeper().OpenRound(kv)
	c.expect("pending attestation", kOracle1, &txtypes.Msg{Sum: &txtypes.Msg_Attest{Attest: &reservetypes.MsgAttest{
		Oracle: testutil.Addr(kOracle1).String(), RoundId: open, Price: 71 * ptr, ObservedAtUnix: c.now.Unix(), EvidenceHash: bytes.Repeat([]byte{7}, 32),
		Lots: []*reservetypes.LotReport{{LotId: "ayacucho-1", Barrels: 999 * reservetypes.OneBarrel}},
	}}}, "", 0)
	return c
}

// restart starts a new chain from gs exported at height h of c: initial
// height h+1 and genesis time the time of block h, as petrod export writes.
func restart(t *testing.T, c *issuanceChain, gs *app.GenesisState, h int64) *app.App {
	t.Helper()
	bz, err := json.Marshal(gs)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := testutil.OpenApp(t, store.BackendMemDB, "")
	if _, err := b.InitChain(context.Background(), &abci.RequestInitChain{
		ChainId: testutil.ChainID, Time: c.now, InitialHeight: h + 1, AppStateBytes: bz,
	}); err != nil {
		t.Fatalf("InitChain from the export: %v", err)
	}
	return b
}

// rawState is every key and value of a committed version, in key order.
func rawState(t *testing.T, a *app.App, h int64) [][2][]byte {
	t.Helper()
	kv, _, err := a.StateAt(h)
	if err != nil {
		t.Fatal(err)
	}
	it, err := kv.Iterator(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var out [][2][]byte
	for ; it.Valid(); it.Next() {
		out = append(out, [2][]byte{append([]byte(nil), it.Key()...), append([]byte(nil), it.Value()...)})
	}
	return out
}

func exportJSON(t *testing.T, a *app.App, h int64) []byte {
	t.Helper()
	gs, got, err := a.ExportGenesis(h)
	if err != nil || got != h {
		t.Fatalf("ExportGenesis(%d): height %d, %v", h, got, err)
	}
	bz, err := json.Marshal(gs)
	if err != nil {
		t.Fatal(err)
	}
	return bz
}

// TestExportRestart: a chain started from an export at height h holds
// exactly the same state: after the same next block on both chains every
// key and value is equal (so every query answers the same), and exporting
// both gives byte-identical files. The app hashes differ: IAVL's shape
// depends on the order keys were inserted.
func TestExportRestart(t *testing.T) {
	// ARRANGE: a chain with every kind of state.
	c := richChain(t)
	h := c.h
	gs, got, err := c.a.ExportGenesis(0)
	if err != nil || got != h {
		t.Fatalf("ExportGenesis: height %d (want %d), %v", got, h, err)
	}
	for what, n := range map[string]int{
		"redemptions": len(gs.Token.Redemptions), "frozen": len(gs.Token.Frozen), "rounds": len(gs.Reserve.Rounds),
		"reports": len(gs.Reserve.Reports), "oracles": len(gs.Reserve.Oracles), "deliveries": len(gs.Reserve.Deliveries),
		"proposals": len(gs.Authority.Proposals), "peers (none yet)": 1 - len(gs.Authority.Peers),
	} {
		if n == 0 {
			t.Errorf("export lacks %s", what)
		}
	}
	if gs.Token.Pause == nil || !gs.Token.Pause.IssuancePaused || gs.Token.Totals.Escrow != 4*ptr {
		t.Errorf("export: pause %v, totals %v", gs.Token.Pause, gs.Token.Totals)
	}

	// ACT: start a new chain from the export; both chains make the same block.
	b := restart(t, c, gs, h)
	c.block()
	testutil.Block(t, b, h+1, c.now)

	// ASSERT: same keys and values, byte-identical exports.
	ra, rb := rawState(t, c.a, h+1), rawState(t, b, h+1)
	if len(ra) != len(rb) {
		t.Fatalf("state has %d keys, restarted chain %d", len(ra), len(rb))
	}
	for i := range ra {
		if !bytes.Equal(ra[i][0], rb[i][0]) || !bytes.Equal(ra[i][1], rb[i][1]) {
			t.Fatalf("key %d differs: %q=%x vs %q=%x", i, ra[i][0], ra[i][1], rb[i][0], rb[i][1])
		}
	}
	if ea, eb := exportJSON(t, c.a, h+1), exportJSON(t, b, h+1); !bytes.Equal(ea, eb) {
		t.Fatalf("exports differ:\n%s\n---\n%s", ea, eb)
	}
	// The first export, written and read back, is the same file.
	bz, _ := json.Marshal(gs)
	back := &app.GenesisState{}
	if err := json.Unmarshal(bz, back); err != nil {
		t.Fatal(err)
	}
	if bz2, _ := json.Marshal(back); !bytes.Equal(bz, bz2) {
		t.Fatal("export → read → write changed the file")
	}
	// Blocks go on: the still-voting proposal passes on the new chain.
	approve := &txtypes.Msg{Sum: &txtypes.Msg_Approve{Approve: &authoritytypes.MsgApprove{Approver: testutil.Addr(kMember2).String(), ProposalId: 2}}}
	c.a = b
	c.expect("approve on the restarted chain", kMember2, approve, "", 0)
	if !b.PeerAllowed("0123456789abcdef0123456789abcdef01234567") {
		t.Fatal("the proposal exported as voting did not execute on the new chain")
	}
}

// TestExportOldHeight: export --height reads a retained past version.
func TestExportOldHeight(t *testing.T) {
	c := richChain(t)
	old := exportJSON(t, c.a, 3)
	c.block()
	if again := exportJSON(t, c.a, 3); !bytes.Equal(old, again) {
		t.Fatal("export of a past height changed after a new block")
	}
	if _, _, err := c.a.ExportGenesis(c.h + 1); err == nil {
		t.Fatal("export of a future height succeeded")
	}
}

// TestExportRestartReopen: a node of a chain started from an export at
// initial height h+1 restarts like any other (its first version is h+1,
// not 1) and goes on; reading a height before h+1 is an error, not data.
func TestExportRestartReopen(t *testing.T) {
	c := richChain(t)
	h := c.h
	gs, _, err := c.a.ExportGenesis(0)
	if err != nil {
		t.Fatal(err)
	}
	bz, err := json.Marshal(gs)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	b, closeB := testutil.OpenApp(t, store.BackendPebble, dir)
	if _, err := b.InitChain(context.Background(), &abci.RequestInitChain{
		ChainId: testutil.ChainID, Time: c.now, InitialHeight: h + 1, AppStateBytes: bz,
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: h, Time: c.now}); err == nil {
		t.Fatal("FinalizeBlock accepted a height below the initial height")
	}
	testutil.Block(t, b, h+1, c.now.Add(time.Second))
	testutil.Block(t, b, h+2, c.now.Add(2*time.Second))
	closeB()

	b, _ = testutil.OpenApp(t, store.BackendPebble, dir)
	if last, _ := b.LastCommit(); last != h+2 {
		t.Fatalf("reopened at %d, want %d", last, h+2)
	}
	testutil.Block(t, b, h+3, c.now.Add(3*time.Second))
	if _, _, err := b.StateAt(h); err == nil {
		t.Fatalf("state at %d (before the initial height) was served", h)
	}
	if got, err := b.LastBlockTimeAt(h + 3); err != nil || !got.Equal(c.now.Add(3*time.Second)) {
		t.Fatalf("last block time: %v %v", got, err)
	}
}

// TestExportAdoptedValidators: validators adopted from genesis.json's list
// (no node ID) are exported as they are and a chain starts from them.
func TestExportAdoptedValidators(t *testing.T) {
	pk := bytes.Repeat([]byte{9}, 32)
	a, _ := testutil.OpenApp(t, store.BackendMemDB, "")
	gs := testutil.NewGenesis().FundKeys(ptr, 1).State()
	if _, err := a.InitChain(context.Background(), &abci.RequestInitChain{
		ChainId: testutil.ChainID, Time: testutil.GenesisTime, InitialHeight: 1, AppStateBytes: testutil.GenesisJSON(t, gs),
		Validators: []abci.ValidatorUpdate{abci.Ed25519ValidatorUpdate(pk, 7)},
	}); err != nil {
		t.Fatal(err)
	}
	testutil.Block(t, a, 1, testutil.BlockTime(1))
	exp, _, err := a.ExportGenesis(0)
	if err != nil {
		t.Fatal(err)
	}
	if v := exp.Authority.Validators; len(v) != 1 || v[0].NodeId != "" || v[0].Power != 7 {
		t.Fatalf("exported validators: %v", v)
	}
	b, _ := testutil.OpenApp(t, store.BackendMemDB, "")
	resp, err := b.InitChain(context.Background(), &abci.RequestInitChain{
		ChainId: testutil.ChainID, Time: testutil.BlockTime(1), InitialHeight: 2, AppStateBytes: testutil.GenesisJSON(t, exp),
		Validators: []abci.ValidatorUpdate{abci.Ed25519ValidatorUpdate(pk, 7)},
	})
	if err != nil {
		t.Fatalf("InitChain from the export: %v", err)
	}
	if len(resp.Validators) != 1 || resp.Validators[0].Power != 7 {
		t.Fatalf("validators: %v", resp.Validators)
	}
	testutil.Block(t, a, 2, testutil.BlockTime(2))
	testutil.Block(t, b, 2, testutil.BlockTime(2))
	if ea, eb := exportJSON(t, a, 2), exportJSON(t, b, 2); !bytes.Equal(ea, eb) {
		t.Fatalf("exports differ:\n%s\n---\n%s", ea, eb)
	}
}

// upgradedChain is c.new of an upgradeChain that applied v2 (app version
// 2) and has plan v3 scheduled; it returns the last height.
func upgradedChain(t *testing.T) (*upgradeChain, int64) {
	c := newUpgradeChain(t)
	c.block()
	at := c.h + 1 + authoritytypes.MinUpgradeDelayBlocks
	c.block(c.propose(&authoritytypes.Action{Sum: &authoritytypes.Action_ScheduleUpgrade{ScheduleUpgrade: &authoritytypes.ScheduleUpgrade{Name: "v2", Height: at}}}))
	for c.h < at-1 {
		c.block()
	}
	// From the upgrade on only the new app goes on.
	next := func(txs ...[]byte) {
		c.h++
		for _, r := range testutil.Block(t, c.new, c.h, testutil.BlockTime(c.h), txs...).TxResults {
			if r.Code != 0 {
				t.Fatalf("height %d: %s", c.h, r.Log)
			}
		}
	}
	next()
	next(c.propose(&authoritytypes.Action{Sum: &authoritytypes.Action_ScheduleUpgrade{ScheduleUpgrade: &authoritytypes.ScheduleUpgrade{
		Name: "v3", Height: c.h + 1 + authoritytypes.MinUpgradeDelayBlocks + 5, Info: "later"}}}))
	next()
	return c, c.h
}

// initFrom runs InitChain of a new in-memory app (with opts) from gs
// exported at h, as petrod export writes it.
func initFrom(t *testing.T, gs *app.GenesisState, h int64, opts ...testutil.Option) (*app.App, *abci.ResponseInitChain, error) {
	t.Helper()
	bz, err := json.Marshal(gs)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := testutil.OpenApp(t, store.BackendMemDB, "", opts...)
	resp, err := b.InitChain(context.Background(), &abci.RequestInitChain{
		ChainId: testutil.ChainID, Time: testutil.BlockTime(h), InitialHeight: h + 1, AppStateBytes: bz,
	})
	return b, resp, err
}

// TestExportRestartUpgrades: the export of a chain that applied an
// upgrade and has another scheduled carries the plan, the applied record
// and the app version; a chain started from it (with a binary that knows
// the upgrade) holds the same keys and values, exports the same bytes,
// hands CometBFT the app version in InitChain and reports it in Info.
// A plan at or below the initial height, and a binary that does not know
// the applied upgrade, are refused.
func TestExportRestartUpgrades(t *testing.T) {
	// ARRANGE: v2 applied at height `at`, v3 scheduled.
	c, h := upgradedChain(t)
	gs, _, err := c.new.ExportGenesis(0)
	if err != nil {
		t.Fatal(err)
	}
	au := gs.Authority
	if p := au.UpgradePlan; p.GetName() != "v3" || p.GetInfo() != "later" || p.GetProposalId() != 2 {
		t.Fatalf("exported plan %v", p)
	}
	if u := au.AppliedUpgrades; len(u) != 1 || u[0].Name != "v2" || u[0].AppVersion != 2 || au.AppVersion != 2 {
		t.Fatalf("exported applied upgrades %v, app version %d", u, au.AppVersion)
	}
	knowsV2 := func(o *app.Options) { o.Upgrades = []upgrades.Upgrade{{Name: "v2", AppVersion: 2}} }

	// ACT: start a new chain from the export; both chains make block h+1.
	b, resp, err := initFrom(t, gs, h, knowsV2)
	if err != nil {
		t.Fatalf("InitChain from the export: %v", err)
	}
	testutil.Block(t, c.new, h+1, testutil.BlockTime(h+1))
	testutil.Block(t, b, h+1, testutil.BlockTime(h+1))

	// ASSERT: the app version goes on; same keys and values, same export.
	if v := resp.ConsensusParams.GetVersion().GetApp(); v != 2 {
		t.Fatalf("InitChain consensus params: app version %d, want 2", v)
	}
	info, err := b.Info(context.Background(), &abci.RequestInfo{})
	if err != nil || info.AppVersion != 2 || info.LastBlockHeight != h+1 {
		t.Fatalf("restarted Info: app version %d at height %d (%v)", info.GetAppVersion(), info.GetLastBlockHeight(), err)
	}
	if err := b.CheckUpgrades(); err != nil {
		t.Fatalf("restarted CheckUpgrades: %v", err)
	}
	ra, rb := rawState(t, c.new, h+1), rawState(t, b, h+1)
	if len(ra) != len(rb) {
		t.Fatalf("state has %d keys, restarted chain %d", len(ra), len(rb))
	}
	for i := range ra {
		if !bytes.Equal(ra[i][0], rb[i][0]) || !bytes.Equal(ra[i][1], rb[i][1]) {
			t.Fatalf("key %d differs: %q=%x vs %q=%x", i, ra[i][0], ra[i][1], rb[i][0], rb[i][1])
		}
	}
	if ea, eb := exportJSON(t, c.new, h+1), exportJSON(t, b, h+1); !bytes.Equal(ea, eb) {
		t.Fatalf("exports differ:\n%s\n---\n%s", ea, eb)
	}

	// ASSERT: what a restart refuses, and what it accepts.
	for _, tc := range []struct {
		name   string
		height int64 // of the plan; 0: no plan
		opts   []testutil.Option
		ok     bool
	}{
		{"plan at the initial height", h + 1, []testutil.Option{knowsV2}, false},
		{"plan below the initial height", h, []testutil.Option{knowsV2}, false},
		{"plan just above the initial height", h + 2, []testutil.Option{knowsV2}, true},
		{"plan removed", 0, []testutil.Option{knowsV2}, true},
		{"binary without v2", 0, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := proto.Clone(gs.Authority).(*authoritytypes.GenesisState)
			if g.UpgradePlan.Height = tc.height; tc.height == 0 {
				g.UpgradePlan = nil
			}
			state := *gs
			state.Authority = g
			_, resp, err := initFrom(t, &state, h, tc.opts...)
			var wrong *app.WrongBinaryError
			switch {
			case tc.ok && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.ok && resp.ConsensusParams.GetVersion().GetApp() != 2:
				t.Fatalf("app version %d", resp.ConsensusParams.GetVersion().GetApp())
			case !tc.ok && tc.opts == nil && !errors.As(err, &wrong):
				t.Fatalf("want a wrong-binary error, got %v", err)
			case !tc.ok && tc.opts != nil && !errors.Is(err, authoritytypes.ErrInvalidGenesis):
				t.Fatalf("want %v, got %v", authoritytypes.ErrInvalidGenesis, err)
			}
		})
	}
}
