package app_test

import (
	"testing"
	"time"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/internal/testutil"
	txtypes "github.com/petro-network/petro/types/tx"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

func msgIssueInto(i, to int, amount uint64, tranche string) *txtypes.Msg {
	return &txtypes.Msg{Sum: &txtypes.Msg_Issue{Issue: &tokentypes.MsgIssue{Issuer: testutil.Addr(i).String(),
		Recipient: testutil.Addr(to).String(), Amount: amount, Tranche: tranche}}}
}

func msgBatch(from int, outs []*tokentypes.Output) *txtypes.Msg {
	return &txtypes.Msg{Sum: &txtypes.Msg_BatchSend{BatchSend: &tokentypes.MsgBatchSend{From: testutil.Addr(from).String(), Outputs: outs}}}
}

// TestMonetaryControls runs rate limits, tranches and a 256-output batch
// through blocks; testutil.Block checks every invariant (Σ tranche
// outstanding = supply, used window ≤ limit among them) after each one.
func TestMonetaryControls(t *testing.T) {
	c := newIssuanceChain(t, func(gs *app.GenesisState) {
		gs.Token.Tranches = []*tokentypes.Tranche{
			{Name: "presale", CapBps: 3840},
			{Name: "public", CapBps: 4400, Issued: 100 * ptr}, // the holder's genesis 100 PTR
			{Name: "retained", CapBps: 1760},
		}
		gs.Token.DefaultTranche = "public"
	})
	tok := tokentypes.Codespace
	c.attest(1000 * reservetypes.OneBarrel) // capacity 500 PTR (the hard cap)

	// The council limits the issuer to 20 PTR per 60 s (blocks are 5 s apart).
	limit := &authoritytypes.Action{Sum: &authoritytypes.Action_SetRateLimit{SetRateLimit: &tokentypes.SetRateLimit{
		Limit: &tokentypes.RateLimit{Issuer: testutil.Addr(kIssuer).String(), Windows: []*tokentypes.RateWindow{{Seconds: 60, Max: 20 * ptr}}}}}}
	c.expect("set rate limit", kCouncil, msgPropose(kCouncil, limit), "", 0)
	zero := &authoritytypes.Action{Sum: &authoritytypes.Action_SetRateLimit{SetRateLimit: &tokentypes.SetRateLimit{
		Limit: &tokentypes.RateLimit{Issuer: testutil.Addr(kIssuer).String(), Windows: []*tokentypes.RateWindow{{Seconds: 0, Max: 1}}}}}}
	c.expect("window of zero", kCouncil, msgPropose(kCouncil, zero), tok, tokentypes.ErrInvalidRateLimit.Code)

	c.expect("issue 20 (default tranche)", kIssuer, msgIssue(kIssuer, kHolder, 20*ptr), "", 0)
	first := c.now
	c.expect("limit reached", kIssuer, msgIssue(kIssuer, kHolder, ptr), tok, tokentypes.ErrRateLimited.Code)
	// Blocks until the window rolls: the last block inside it still refuses.
	for c.now.Add(5 * time.Second).Before(first.Add(54 * time.Second)) {
		c.block()
	}
	c.now = first.Add(54 * time.Second) // the next block is at first + 59 s: edge −1 s
	c.expect("still inside the window", kIssuer, msgIssue(kIssuer, kHolder, ptr), tok, tokentypes.ErrRateLimited.Code)
	c.now = first.Add(55 * time.Second) // the next block is at first + 60 s
	c.expect("window rolled", kIssuer, msgIssue(kIssuer, kHolder, 20*ptr), "", 0)

	// Tranches (hard cap 500 PTR): retained is 17.6 % = 88 PTR. The
	// council lifts the rate limit first.
	c.expect("unknown tranche", kIssuer, msgIssueInto(kIssuer, kHolder, ptr, "nope"), tok, tokentypes.ErrUnknownTranche.Code)
	lift := &authoritytypes.Action{Sum: &authoritytypes.Action_SetRateLimit{SetRateLimit: &tokentypes.SetRateLimit{
		Limit: &tokentypes.RateLimit{Issuer: testutil.Addr(kIssuer).String()}}}}
	c.expect("lift rate limit", kCouncil, msgPropose(kCouncil, lift), "", 0)
	c.expect("fill retained", kIssuer, msgIssueInto(kIssuer, kHolder, 88*ptr, "retained"), "", 0)
	c.expect("retained full", kIssuer, msgIssueInto(kIssuer, kHolder, 1, "retained"), tok, tokentypes.ErrTrancheFull.Code)
	kv, _, _ := c.a.StateAt(0)
	pub, _ := c.a.TokenKeeper().Tranche(kv, "public")
	if pub.Issued != 140*ptr {
		t.Fatalf("public issued %d, want 140 PTR", pub.Issued)
	}

	// A 256-output batch in one tx, one signature.
	outs := make([]*tokentypes.Output, tokentypes.MaxBatchOutputs)
	for i := range outs {
		outs[i] = &tokentypes.Output{To: testutil.Addr(1000 + i).String(), Amount: uint64(i + 1)}
	}
	c.expect("batch of 256", kHolder, msgBatch(kHolder, outs), "", 0)
	for i := range outs {
		if got := c.balance(1000 + i); got != uint64(i+1) {
			t.Fatalf("output %d: balance %d", i, got)
		}
	}
	// Refused by ValidateBasic at decode: CheckTx keeps it out of blocks.
	raw := c.tx(kHolder, msgBatch(kHolder, append(outs, &tokentypes.Output{To: testutil.Addr(999).String(), Amount: 1})))
	assertCode(t, "batch of 257", checkTx(t, c.a, raw), tok, tokentypes.ErrTooManyOutputs.Code)
}
