package app_test

import (
	"crypto/sha256"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/internal/testutil"
	txtypes "github.com/petro-network/petro/types/tx"
	authoritykeeper "github.com/petro-network/petro/x/authority/keeper"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

const ptr = tokentypes.BaseUnitsPerPTR

// Roles of the issuance chain: who is key i.
const (
	kIssuer = iota + 20
	kOracle1
	kOracle2
	kCompliance
	kPauser
	kHolder
	kOther
	kCouncil
)

// issuanceChain drives an app whose genesis has every role, one lot and a
// holder with 100 PTR; hard cap 500 PTR; the issuer may mint 300 PTR.
type issuanceChain struct {
	t   *testing.T
	a   *app.App
	seq map[int]uint64
	now time.Time
	h   int64
}

func newIssuanceChain(t *testing.T, mutate ...func(*app.GenesisState)) *issuanceChain {
	t.Helper()
	gs := testutil.NewGenesis().FundKeys(100*ptr, kHolder).State()
	gs.Token.Params.HardCap = 500 * ptr
	gs.Token.Params.RedemptionTtlSeconds = 3600
	gs.Authority.Council = &authoritytypes.Council{Members: []string{testutil.Addr(kCouncil).String()}, Threshold: 1}
	gs.Authority.Roles = []*authoritytypes.RoleGrant{
		{Address: testutil.Addr(kIssuer).String(), Role: authoritytypes.Role_ROLE_ISSUER, Allowance: 300 * ptr},
		{Address: testutil.Addr(kOracle1).String(), Role: authoritytypes.Role_ROLE_ORACLE},
		{Address: testutil.Addr(kOracle2).String(), Role: authoritytypes.Role_ROLE_ORACLE},
		{Address: testutil.Addr(kCompliance).String(), Role: authoritytypes.Role_ROLE_COMPLIANCE},
		{Address: testutil.Addr(kPauser).String(), Role: authoritytypes.Role_ROLE_PAUSER},
	}
	cert := sha256.Sum256([]byte("certificate"))
	gs.Reserve.Params.Quorum = 2
	gs.Reserve.Params.MaxAgeSeconds = 600
	gs.Reserve.Lots = []*reservetypes.Lot{{Id: "ayacucho-1", Field: "ayacucho-1", Category: reservetypes.LotCategory_LOT_CATEGORY_STORED,
		Certifier: "cert", CertificateHash: cert[:], ValidUntilUnix: testutil.GenesisTime.Add(365 * 24 * time.Hour).Unix()}}
	for _, m := range mutate {
		m(gs)
	}
	c := &issuanceChain{t: t, a: testutil.NewApp(t, gs), seq: map[int]uint64{}, now: testutil.GenesisTime}
	c.block()
	return c
}

// tx signs msg with key i (its next sequence).
func (c *issuanceChain) tx(i int, msg *txtypes.Msg) []byte {
	c.t.Helper()
	raw, err := client.SignTx(testutil.ChainID, testutil.Key(i), c.seq[i], []*txtypes.Msg{msg}, client.TxOptions{})
	if err != nil {
		c.t.Fatal(err)
	}
	c.seq[i]++
	return raw
}

func (c *issuanceChain) block(txs ...[]byte) *abci.ResponseFinalizeBlock {
	c.t.Helper()
	c.h++
	c.now = c.now.Add(5 * time.Second)
	return testutil.Block(c.t, c.a, c.h, c.now, txs...)
}

// expect runs one tx in its own block and checks its result code.
func (c *issuanceChain) expect(name string, i int, msg *txtypes.Msg, space string, code uint32) {
	c.t.Helper()
	res := c.block(c.tx(i, msg)).TxResults[0]
	if res.Codespace != space || res.Code != code {
		c.t.Fatalf("%s: got %s/%d (%s), want %s/%d", name, res.Codespace, res.Code, res.Log, space, code)
	}
}

func (c *issuanceChain) attest(barrels uint64) {
	c.t.Helper()
	kv, _, _ := c.a.StateAt(0)
	open, _ := c.a.ReserveKeeper().OpenRound(kv)
	ev := sha256.Sum256([]byte("evidence"))
	var txs [][]byte
	for _, o := range []int{kOracle1, kOracle2} {
		txs = append(txs, c.tx(o, &txtypes.Msg{Sum: &txtypes.Msg_Attest{Attest: &reservetypes.MsgAttest{
			Oracle: testutil.Addr(o).String(), RoundId: open, Price: 70 * ptr, ObservedAtUnix: c.now.Unix(), EvidenceHash: ev[:],
			Lots: []*reservetypes.LotReport{{LotId: "ayacucho-1", Barrels: barrels}},
		}}}))
	}
	for _, r := range c.block(txs...).TxResults {
		if r.Code != 0 {
			c.t.Fatalf("attest: %s", r.Log)
		}
	}
}

func (c *issuanceChain) backing() *reservetypes.Backing {
	kv, _, _ := c.a.StateAt(0)
	b, _ := c.a.ReserveKeeper().Backing(kv)
	return b
}

func (c *issuanceChain) balance(i int) uint64 {
	kv, _, _ := c.a.StateAt(0)
	b, _ := c.a.TokenKeeper().Balance(kv, testutil.Addr(i))
	return b
}

func msgIssue(i int, to int, amount uint64) *txtypes.Msg {
	return &txtypes.Msg{Sum: &txtypes.Msg_Issue{Issue: &tokentypes.MsgIssue{Issuer: testutil.Addr(i).String(), Recipient: testutil.Addr(to).String(), Amount: amount}}}
}

func msgSend(from, to int, amount uint64) *txtypes.Msg {
	return &txtypes.Msg{Sum: &txtypes.Msg_Send{Send: &tokentypes.MsgSend{From: testutil.Addr(from).String(), To: testutil.Addr(to).String(), Amount: amount}}}
}

func msgPause(i int, scope tokentypes.PauseScope, on bool) *txtypes.Msg {
	if on {
		return &txtypes.Msg{Sum: &txtypes.Msg_Pause{Pause: &tokentypes.MsgPause{Pauser: testutil.Addr(i).String(), Scope: scope}}}
	}
	return &txtypes.Msg{Sum: &txtypes.Msg_Unpause{Unpause: &tokentypes.MsgUnpause{Pauser: testutil.Addr(i).String(), Scope: scope}}}
}

func msgRedeem(i int, amount uint64) *txtypes.Msg {
	h := sha256.Sum256([]byte("deliver to tank 7"))
	return &txtypes.Msg{Sum: &txtypes.Msg_RequestRedemption{RequestRedemption: &tokentypes.MsgRequestRedemption{Owner: testutil.Addr(i).String(), Amount: amount, SettlementInstructionHash: h[:]}}}
}

func msgAccept(i int, id uint64) *txtypes.Msg {
	return &txtypes.Msg{Sum: &txtypes.Msg_AcceptRedemption{AcceptRedemption: &tokentypes.MsgAcceptRedemption{Issuer: testutil.Addr(i).String(), RedemptionId: id}}}
}

func msgFulfil(i int, id uint64) *txtypes.Msg {
	h := sha256.Sum256([]byte("bill of lading"))
	return &txtypes.Msg{Sum: &txtypes.Msg_FulfillRedemption{FulfillRedemption: &tokentypes.MsgFulfillRedemption{Issuer: testutil.Addr(i).String(), RedemptionId: id, ProofHash: h[:]}}}
}

func msgFreeze(i, who int) *txtypes.Msg {
	return &txtypes.Msg{Sum: &txtypes.Msg_Freeze{Freeze: &tokentypes.MsgFreeze{Officer: testutil.Addr(i).String(), Address: testutil.Addr(who).String(), ReasonCode: 7, CaseId: "case-42"}}}
}

// TestIssuanceRules walks every issuance rule on one chain, in order; each
// refusal has its own code and changes nothing (the invariants are checked
// after every block by testutil.Block).
func TestIssuanceRules(t *testing.T) {
	c := newIssuanceChain(t)
	tok := tokentypes.Codespace
	c.expect("issue while STALE (no round yet)", kIssuer, msgIssue(kIssuer, kHolder, ptr), tok, tokentypes.ErrBackingNotOK.Code)

	c.attest(1000 * reservetypes.OneBarrel) // capacity 900 PTR, capped at 500
	if b := c.backing(); b.Status != reservetypes.BackingStatus_BACKING_STATUS_OK || b.Capacity != 500*ptr {
		t.Fatalf("backing %v", b)
	}
	c.expect("non-issuer", kHolder, msgIssue(kHolder, kHolder, ptr), tok, tokentypes.ErrNotIssuer.Code)
	c.expect("over the hard cap", kIssuer, msgIssue(kIssuer, kHolder, 401*ptr), tok, tokentypes.ErrOverHardCap.Code)
	c.expect("issue 250", kIssuer, msgIssue(kIssuer, kHolder, 250*ptr), "", 0)
	c.expect("over allowance (50 left)", kIssuer, msgIssue(kIssuer, kHolder, 60*ptr), tok, tokentypes.ErrOverAllowance.Code)

	c.expect("pause issuance: non-pauser", kHolder, msgPause(kHolder, tokentypes.PauseScope_PAUSE_SCOPE_ISSUANCE, true), tok, tokentypes.ErrNotPauser.Code)
	c.expect("pause issuance", kPauser, msgPause(kPauser, tokentypes.PauseScope_PAUSE_SCOPE_ISSUANCE, true), "", 0)
	c.expect("issue while paused", kIssuer, msgIssue(kIssuer, kHolder, ptr), tok, tokentypes.ErrIssuancePaused.Code)
	c.expect("unpause", kPauser, msgPause(kPauser, tokentypes.PauseScope_PAUSE_SCOPE_ISSUANCE, false), "", 0)

	// A lower reserve: capacity 0.9 × 300 = 270 PTR < supply 350.
	c.attest(300 * reservetypes.OneBarrel)
	if b := c.backing(); b.Status != reservetypes.BackingStatus_BACKING_STATUS_UNDERBACKED {
		t.Fatalf("after a lower reserve: %v", b.Status)
	}
	c.expect("issue while UNDERBACKED", kIssuer, msgIssue(kIssuer, kHolder, ptr), tok, tokentypes.ErrBackingNotOK.Code)
	c.attest(400 * reservetypes.OneBarrel) // capacity 360
	c.expect("over capacity", kIssuer, msgIssue(kIssuer, kHolder, 11*ptr), tok, tokentypes.ErrOverCapacity.Code)
	c.expect("within capacity", kIssuer, msgIssue(kIssuer, kHolder, 10*ptr), "", 0)

	// Staleness: past the max age no issuance.
	c.now = c.now.Add(601 * time.Second)
	c.block()
	if b := c.backing(); b.Status != reservetypes.BackingStatus_BACKING_STATUS_STALE {
		t.Fatalf("after max age: %v", b.Status)
	}
	c.expect("issue while STALE", kIssuer, msgIssue(kIssuer, kHolder, ptr), tok, tokentypes.ErrBackingNotOK.Code)
}

// TestRedemptionAndCompliance follows a redemption from request to proof,
// the refusals around it, freezes and the transfer pause.
func TestRedemptionAndCompliance(t *testing.T) {
	c := newIssuanceChain(t)
	tok := tokentypes.Codespace
	c.attest(1000 * reservetypes.OneBarrel)

	c.expect("redeem more than balance", kHolder, msgRedeem(kHolder, 101*ptr), tok, tokentypes.ErrInsufficientFunds.Code)
	c.expect("request 20", kHolder, msgRedeem(kHolder, 20*ptr), "", 0)
	if c.balance(kHolder) != 80*ptr {
		t.Fatalf("escrow not taken: %d", c.balance(kHolder))
	}
	c.expect("accept by non-issuer", kOther, msgAccept(kOther, 1), tok, tokentypes.ErrNotIssuer.Code)
	c.expect("fulfil before accept", kIssuer, msgFulfil(kIssuer, 1), tok, tokentypes.ErrRedemptionState.Code)
	c.expect("accept", kIssuer, msgAccept(kIssuer, 1), "", 0)
	c.expect("fulfil by non-issuer", kOther, msgFulfil(kOther, 1), tok, tokentypes.ErrNotIssuer.Code)
	c.expect("fulfil", kIssuer, msgFulfil(kIssuer, 1), "", 0)
	c.expect("fulfil twice", kIssuer, msgFulfil(kIssuer, 1), tok, tokentypes.ErrRedemptionState.Code)
	b := c.backing()
	if b.Supply != 80*ptr || b.DeliveredBarrels != 20*reservetypes.OneBarrel || b.AvailableBarrels != 980*reservetypes.OneBarrel {
		t.Fatalf("after fulfilment: supply %d delivered %d available %d", b.Supply, b.DeliveredBarrels, b.AvailableBarrels)
	}

	// Expiry refunds.
	c.expect("request 5", kHolder, msgRedeem(kHolder, 5*ptr), "", 0)
	c.now = c.now.Add(3601 * time.Second)
	c.block()
	if c.balance(kHolder) != 80*ptr {
		t.Fatalf("expired redemption not refunded: %d", c.balance(kHolder))
	}
	c.expect("accept an expired request", kIssuer, msgAccept(kIssuer, 2), tok, tokentypes.ErrRedemptionExpired.Code)

	// Freeze: the account can neither send, receive nor redeem.
	c.expect("freeze by non-officer", kHolder, msgFreeze(kHolder, kOther), tok, tokentypes.ErrNotCompliance.Code)
	c.expect("freeze other", kCompliance, msgFreeze(kCompliance, kHolder), "", 0)
	c.expect("frozen sender", kHolder, msgSend(kHolder, kOther, ptr), tok, tokentypes.ErrFrozen.Code)
	c.expect("frozen redeemer", kHolder, msgRedeem(kHolder, ptr), tok, tokentypes.ErrFrozen.Code)
	c.attest(1000 * reservetypes.OneBarrel) // fresh round: issuance needs OK
	c.expect("frozen recipient of an issue", kIssuer, msgIssue(kIssuer, kHolder, ptr), tok, tokentypes.ErrFrozen.Code)
	c.expect("freeze twice", kCompliance, msgFreeze(kCompliance, kHolder), tok, tokentypes.ErrAlreadyFrozen.Code)
	c.expect("unfreeze", kCompliance, &txtypes.Msg{Sum: &txtypes.Msg_Unfreeze{Unfreeze: &tokentypes.MsgUnfreeze{
		Officer: testutil.Addr(kCompliance).String(), Address: testutil.Addr(kHolder).String(), CaseId: "case-42"}}}, "", 0)
	c.expect("send after unfreeze", kHolder, msgSend(kHolder, kOther, ptr), "", 0)

	// Pause transfers.
	c.expect("pause transfers", kPauser, msgPause(kPauser, tokentypes.PauseScope_PAUSE_SCOPE_TRANSFERS, true), "", 0)
	c.expect("send while paused", kHolder, msgSend(kHolder, kOther, ptr), tok, tokentypes.ErrTransfersPaused.Code)
	c.expect("pause twice", kPauser, msgPause(kPauser, tokentypes.PauseScope_PAUSE_SCOPE_TRANSFERS, true), tok, tokentypes.ErrAlreadyPaused.Code)
}

// TestWipeFrozenByCouncil: only a council proposal burns a frozen balance.
func TestWipeFrozenByCouncil(t *testing.T) {
	c := newIssuanceChain(t)
	wipe := &txtypes.Msg{Sum: &txtypes.Msg_Propose{Propose: &authoritytypes.MsgPropose{Proposer: testutil.Addr(kCouncil).String(),
		Action: &authoritytypes.Action{Sum: &authoritytypes.Action_WipeFrozen{WipeFrozen: &tokentypes.WipeFrozen{Address: testutil.Addr(kHolder).String(), CaseId: "case-9"}}}}}}
	c.expect("wipe an account that is not frozen", kCouncil, wipe, tokentypes.Codespace, tokentypes.ErrNotFrozen.Code)
	c.expect("freeze", kCompliance, msgFreeze(kCompliance, kHolder), "", 0)
	c.expect("wipe", kCouncil, wipe, "", 0) // threshold 1: executes this block
	if c.balance(kHolder) != 0 {
		kv, _, _ := c.a.StateAt(0)
		p, err := authoritykeeper.Keeper{}.Proposal(kv, 1)
		t.Fatalf("balance after wipe: %d (proposal: %v %v)", c.balance(kHolder), p, err)
	}
	kv, _, _ := c.a.StateAt(0)
	tot, _ := c.a.TokenKeeper().Totals(kv)
	if tot.Burned != 100*ptr {
		t.Fatalf("burned %d", tot.Burned)
	}
}
