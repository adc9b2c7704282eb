package keeper_test

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/store"
	"github.com/petro-network/petro/internal/testutil"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	"github.com/petro-network/petro/x/token/keeper"
	"github.com/petro-network/petro/x/token/types"
)

func setRateLimit(ws ...*types.RateWindow) *authoritytypes.Action {
	return &authoritytypes.Action{Sum: &authoritytypes.Action_SetRateLimit{SetRateLimit: &types.SetRateLimit{
		Limit: &types.RateLimit{Issuer: issuerA.String(), Windows: ws}}}}
}

func win(seconds, max uint64) *types.RateWindow { return &types.RateWindow{Seconds: seconds, Max: max} }

func setTranche(tr *types.Tranche) *authoritytypes.Action {
	return &authoritytypes.Action{Sum: &authoritytypes.Action_SetTranche{SetTranche: &types.SetTranche{Tranche: tr}}}
}

func (e *policyEnv) at(offset int64) *policyEnv {
	e.now = testutil.GenesisTime.Add(time.Duration(offset) * time.Second)
	return e
}

func (e *policyEnv) invariants() {
	e.t.Helper()
	e.must(e.k.CheckInvariants(e.kv))
}

func wantErr(t *testing.T, what string, got, want error) {
	t.Helper()
	if want == nil && got != nil || want != nil && !errors.Is(got, want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

// An issue at r counts in a W-second window at block times r … r+W−1 and
// is out of it from r+W on.
func TestRateLimitWindowEdges(t *testing.T) {
	for _, c := range []struct {
		name   string
		offset int64 // seconds after the first issue
		amount uint64
		want   error
	}{
		{"inside the window", 30, 1, types.ErrRateLimited},
		{"edge −1 s", 59, 1, types.ErrRateLimited},
		{"edge 0 s: the first issue has left", 60, 100, nil},
		{"edge +1 s", 61, 100, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newPolicyEnv(t)
			e.must(e.k.ExecuteAction(e.at(0).ctx(), setRateLimit(win(60, 100))))
			e.must(issue(e.ctx(), e.k, issuerA, holder, 100))
			e.invariants()
			err := issue(e.at(c.offset).ctx(), e.k, issuerA, holder, c.amount)
			wantErr(t, "issue", err, c.want)
			e.invariants()
		})
	}
}

func TestRateLimitRules(t *testing.T) {
	e := newPolicyEnv(t)
	e.must(e.k.ExecuteAction(e.at(0).ctx(), setRateLimit(win(60, 100), win(3600, 150))))
	e.must(issue(e.ctx(), e.k, issuerA, holder, 60))
	ctx := e.at(10).ctx()
	e.must(issue(ctx, e.k, issuerA, holder, 40)) // 60 s window full
	var evs []string
	for _, ev := range ctx.Events() {
		if ev.Type == types.EventTypeRateLimit {
			evs = append(evs, ev.Attributes[1].Value+"s:"+ev.Attributes[2].Value+"/"+ev.Attributes[3].Value)
		}
	}
	if strings.Join(evs, " ") != "60s:100/100 3600s:100/150" {
		t.Errorf("rate_limit events %v", evs)
	}
	err := issue(e.at(59).ctx(), e.k, issuerA, holder, 50)
	wantErr(t, "60 s window full", err, types.ErrRateLimited)
	// 50 needs the first record (60) to leave at 60: 1 s away.
	if !strings.Contains(err.Error(), "frees in 1s") {
		t.Errorf("refusal does not say when capacity frees: %v", err)
	}
	// 40 would fit once the record at 0 leaves but still needs… the 60 s
	// window at 60 holds 40 (from 10), so 60 fits there; the hour holds 100.
	wantErr(t, "hour window", issue(e.at(60).ctx(), e.k, issuerA, holder, 51), types.ErrRateLimited)
	e.must(issue(e.ctx(), e.k, issuerA, holder, 50)) // hour now 150
	e.invariants()
	err = issue(e.at(3599).ctx(), e.k, issuerA, holder, 1)
	wantErr(t, "hour window full at 3599", err, types.ErrRateLimited)
	e.must(issue(e.at(3600).ctx(), e.k, issuerA, holder, 60)) // the 60 at 0 left the hour
	wantErr(t, "amount above every window", issue(e.ctx(), e.k, issuerA, holder, 101), types.ErrRateLimited)
	// Other issuers are not limited.
	e.must(issue(e.ctx(), e.k, issuerB, holder, 500))
	e.invariants()

	// The query reports used and remaining per window.
	used, freesIn, err := e.k.WindowUsed(e.kv, issuerA, e.now.Unix(), 3600)
	e.must(err)
	if used != 150 || freesIn != 10 { // 40 (at 10) + 50 (at 60) + 60 (at 3600); the 40 leaves at 3610
		t.Errorf("hour used %d frees in %d, want 150 and 10", used, freesIn)
	}

	// Lowering a max below what is used is refused; removing the limit
	// deletes the usage records.
	wantErr(t, "max below used", e.k.ValidateAction(e.ctx(), setRateLimit(win(3600, 149))), types.ErrLimitBelowUsed)
	e.must(e.k.ExecuteAction(e.ctx(), setRateLimit()))
	if rl, _ := e.k.RateLimit(e.kv, issuerA); rl != nil {
		t.Fatal("limit still stored")
	}
	if used, _, _ := e.k.WindowUsed(e.kv, issuerA, e.now.Unix(), 3600); used != 0 {
		t.Fatalf("usage records kept: %d", used)
	}
	e.must(issue(e.ctx(), e.k, issuerA, holder, 200))
	e.invariants()
}

// The handler prunes records older than the longest window.
func TestRateUsePruned(t *testing.T) {
	e := newPolicyEnv(t)
	e.must(e.k.ExecuteAction(e.at(0).ctx(), setRateLimit(win(60, 100))))
	for i := int64(0); i < 5; i++ {
		e.must(issue(e.at(i*60).ctx(), e.k, issuerA, holder, 100))
	}
	gs, err := e.k.ExportGenesis(e.kv)
	e.must(err)
	if len(gs.RateUsage) != 1 || gs.RateUsage[0].TimeUnix != e.now.Unix() {
		t.Fatalf("usage records %v, want only the latest", gs.RateUsage)
	}
}

func TestSetRateLimitValidation(t *testing.T) {
	many := make([]*types.RateWindow, types.MaxRateWindows+1)
	for i := range many {
		many[i] = win(uint64(i+1), 10)
	}
	for _, c := range []struct {
		name string
		act  *authoritytypes.Action
		want error
	}{
		{"one window", setRateLimit(win(3600, 100)), nil},
		{"1 h and 24 h", setRateLimit(win(3600, 100), win(86400, 1000)), nil},
		{"equal max in a longer window", setRateLimit(win(3600, 100), win(86400, 100)), nil},
		{"window of zero", setRateLimit(win(0, 100)), types.ErrInvalidRateLimit},
		{"window above 366 d", setRateLimit(win(types.MaxWindowSeconds+1, 100)), types.ErrInvalidRateLimit},
		{"max zero", setRateLimit(win(60, 0)), types.ErrInvalidRateLimit},
		{"max above the hard cap", setRateLimit(win(60, types.DefaultHardCap+1)), types.ErrInvalidRateLimit},
		{"windows not increasing", setRateLimit(win(3600, 100), win(3600, 200)), types.ErrInvalidRateLimit},
		{"longer window with a smaller max", setRateLimit(win(3600, 100), win(86400, 99)), types.ErrInvalidRateLimit},
		{"too many windows", setRateLimit(many...), types.ErrInvalidRateLimit},
		{"bad issuer", &authoritytypes.Action{Sum: &authoritytypes.Action_SetRateLimit{SetRateLimit: &types.SetRateLimit{
			Limit: &types.RateLimit{Issuer: "petro1nope", Windows: []*types.RateWindow{win(1, 1)}}}}}, types.ErrInvalidAddress},
		{"no limit", &authoritytypes.Action{Sum: &authoritytypes.Action_SetRateLimit{SetRateLimit: &types.SetRateLimit{}}}, types.ErrInvalidRateLimit},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newPolicyEnv(t)
			wantErr(t, "ValidateAction", e.k.ValidateAction(e.ctx(), c.act), c.want)
			wantErr(t, "ExecuteAction", e.k.ExecuteAction(e.ctx(), c.act), c.want)
		})
	}
}

// trancheEnv: tranches "retained" (20 % of the hard cap, holding the
// genesis 200), "a" (cap 300, only issuerA, open 100 … 200) and "b" (cap
// 1000, every issuer), default "b".
func trancheEnv(t *testing.T) *policyEnv {
	e := newPolicyEnv(t)
	e.kv = testutil.NewKVStore(t)
	gs := genesis(bal(holder, 100), bal(ownerIssuer, 100))
	gs.Tranches = []*types.Tranche{
		{Name: "a", CapAmount: 300, Issuers: []string{issuerA.String()}, OpenUnix: testutil.GenesisTime.Unix() + 100, CloseUnix: testutil.GenesisTime.Unix() + 200},
		{Name: "b", CapAmount: 1000},
		{Name: "retained", CapBps: 2000, Issued: 200},
	}
	gs.DefaultTranche = "b"
	e.must(e.k.InitGenesis(e.kv, gs))
	return e
}

func issueInto(e *policyEnv, by crypto.Address, tranche string, amount uint64) error {
	return e.k.HandleIssue(e.ctx(), &types.MsgIssue{Issuer: by.String(), Recipient: holder.String(), Amount: amount, Tranche: tranche})
}

func TestTrancheRules(t *testing.T) {
	for _, c := range []struct {
		name    string
		offset  int64
		by      crypto.Address
		tranche string
		amount  uint64
		want    error
	}{
		{"default tranche", 0, issuerB, "", 1000, nil},
		{"default tranche full", 0, issuerB, "", 1001, types.ErrTrancheFull},
		{"named", 150, issuerA, "a", 300, nil},
		{"exactly full +1", 150, issuerA, "a", 301, types.ErrTrancheFull},
		{"issuer not allowed", 150, issuerB, "a", 1, types.ErrTrancheIssuer},
		{"open −1 s", 99, issuerA, "a", 1, types.ErrTrancheClosed},
		{"open 0 s", 100, issuerA, "a", 1, nil},
		{"open +1 s", 101, issuerA, "a", 1, nil},
		{"close −1 s", 199, issuerA, "a", 1, nil},
		{"close 0 s", 200, issuerA, "a", 1, types.ErrTrancheClosed},
		{"close +1 s", 201, issuerA, "a", 1, types.ErrTrancheClosed},
		{"unknown tranche", 0, issuerA, "nope", 1, types.ErrUnknownTranche},
		{"malformed tranche name", 0, issuerA, "No Such", 1, types.ErrUnknownTranche},
		{"bps cap", 0, issuerA, "retained", types.DefaultHardCap/5 - 200, nil},
		{"bps cap +1", 0, issuerA, "retained", types.DefaultHardCap/5 - 199, types.ErrTrancheFull},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := trancheEnv(t)
			e.auth.allowance[c.by.String()] = math.MaxUint64
			e.at(c.offset)
			wantErr(t, "issue", issueInto(e, c.by, c.tranche, c.amount), c.want)
			e.invariants()
		})
	}
	t.Run("no default tranche", func(t *testing.T) {
		e := newPolicyEnv(t)
		e.kv = testutil.NewKVStore(t)
		gs := genesis(bal(holder, 100))
		gs.Tranches = []*types.Tranche{{Name: "x", CapBps: 10000, Issued: 100}}
		e.must(e.k.InitGenesis(e.kv, gs))
		wantErr(t, "issue", issueInto(e, issuerA, "", 1), types.ErrTrancheRequired)
		e.must(issueInto(e, issuerA, "x", 1))
	})
	t.Run("no tranches in genesis: default holds the supply", func(t *testing.T) {
		e := newPolicyEnv(t)
		tr, err := e.k.Tranche(e.kv, types.DefaultTrancheName)
		e.must(err)
		if tr.Issued != 200 || tr.Cap(types.DefaultHardCap) != types.DefaultHardCap {
			t.Fatalf("default tranche %v", tr)
		}
		e.must(issue(e.ctx(), e.k, issuerA, holder, 5))
		e.invariants()
	})
}

func TestSetTranche(t *testing.T) {
	for _, c := range []struct {
		name string
		tr   *types.Tranche
		want error
	}{
		{"new within the cap", &types.Tranche{Name: "c", CapBps: 7999}, nil},
		{"new over the cap", &types.Tranche{Name: "c", CapBps: 8000}, types.ErrTrancheCapsOverCap},
		{"grow b into what is left", &types.Tranche{Name: "b", CapAmount: types.DefaultHardCap - types.DefaultHardCap/5 - 300}, nil},
		{"grow b one too far", &types.Tranche{Name: "b", CapAmount: types.DefaultHardCap - types.DefaultHardCap/5 - 299}, types.ErrTrancheCapsOverCap},
		{"cap below outstanding", &types.Tranche{Name: "retained", CapAmount: 199}, types.ErrCapBelowOutstanding},
		{"cap at outstanding", &types.Tranche{Name: "retained", CapAmount: 200}, nil},
		{"both caps", &types.Tranche{Name: "c", CapBps: 1, CapAmount: 1}, types.ErrInvalidTranche},
		{"no cap", &types.Tranche{Name: "c"}, types.ErrInvalidTranche},
		{"bps above 10000", &types.Tranche{Name: "c", CapBps: 10001}, types.ErrInvalidTranche},
		{"bad name", &types.Tranche{Name: "C", CapAmount: 1}, types.ErrInvalidTranche},
		{"close before open", &types.Tranche{Name: "c", CapAmount: 1, OpenUnix: 5, CloseUnix: 5}, types.ErrInvalidTranche},
		{"issued set", &types.Tranche{Name: "c", CapAmount: 1, Issued: 1}, types.ErrInvalidTranche},
		{"duplicate issuer", &types.Tranche{Name: "c", CapAmount: 1, Issuers: []string{issuerA.String(), issuerA.String()}}, types.ErrInvalidTranche},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := trancheEnv(t)
			wantErr(t, "ValidateAction", e.k.ValidateAction(e.ctx(), setTranche(c.tr)), c.want)
			wantErr(t, "ExecuteAction", e.k.ExecuteAction(e.ctx(), setTranche(c.tr)), c.want)
			if c.want == nil {
				got, err := e.k.Tranche(e.kv, c.tr.Name)
				e.must(err)
				if got.Cap(types.DefaultHardCap) != c.tr.Cap(types.DefaultHardCap) {
					t.Fatalf("tranche %v", got)
				}
				if c.tr.Name == "retained" && got.Issued != 200 {
					t.Fatalf("issued not kept: %v", got)
				}
			}
			e.invariants()
		})
	}
}

// Burns are shared pro rata to outstanding; the rounding remainder goes
// one unit each in name order.
func TestBurnAttribution(t *testing.T) {
	e := trancheEnv(t)
	e.must(issueInto(e, issuerB, "b", 100)) // retained 200, b 100
	e.freeze(holder)                        // holder: 100 + 100
	wipe := &authoritytypes.Action{Sum: &authoritytypes.Action_WipeFrozen{WipeFrozen: &types.WipeFrozen{Address: holder.String(), CaseId: "c-1"}}}
	// Burns 200 of 300: b ⌊66.7⌋ = 66, retained ⌊133.3⌋ = 133, and the
	// remaining 1 to "b", first by name.
	e.must(e.k.ExecuteAction(e.ctx(), wipe))
	b, _ := e.k.Tranche(e.kv, "b")
	r, _ := e.k.Tranche(e.kv, "retained")
	if r.Burned != 133 || b.Burned != 67 {
		t.Fatalf("burned b %d retained %d", b.Burned, r.Burned)
	}
	e.invariants()
}

func TestBatchSend(t *testing.T) {
	outs := func(n int, amount uint64) []*types.Output {
		o := make([]*types.Output, n)
		for i := range o {
			o[i] = &types.Output{To: testutil.Addr(100 + i).String(), Amount: amount}
		}
		return o
	}
	for _, c := range []struct {
		name    string
		outputs []*types.Output
		setup   func(e *policyEnv)
		want    error
	}{
		{"one", outs(1, 5), nil, nil},
		{"256", outs(256, 1), func(e *policyEnv) { e.must(issue(e.ctx(), e.k, issuerA, holder, 156)) }, nil},
		{"257", outs(257, 1), nil, types.ErrTooManyOutputs},
		{"none", nil, nil, types.ErrNoOutputs},
		{"zero amount", []*types.Output{{To: issuerA.String(), Amount: 0}}, nil, types.ErrInvalidAmount},
		{"to itself", []*types.Output{{To: holder.String(), Amount: 1}}, nil, types.ErrSelfTransfer},
		{"duplicate", []*types.Output{{To: issuerA.String(), Amount: 1}, {To: issuerB.String(), Amount: 1}, {To: issuerA.String(), Amount: 1}}, nil, types.ErrDuplicateOutput},
		{"sum overflows", []*types.Output{{To: issuerA.String(), Amount: math.MaxUint64}, {To: issuerB.String(), Amount: 1}}, nil, types.ErrBatchOverflow},
		{"bad address", []*types.Output{{To: "petro1x", Amount: 1}}, nil, types.ErrInvalidAddress},
		{"insufficient for the sum", outs(3, 34), nil, types.ErrInsufficientFunds},
		{"exactly the balance", outs(4, 25), nil, nil},
		{"a frozen recipient", outs(3, 1), func(e *policyEnv) { e.freeze(testutil.Addr(102)) }, types.ErrFrozen},
		{"frozen sender", outs(3, 1), func(e *policyEnv) { e.freeze(holder) }, types.ErrFrozen},
		{"paused", outs(3, 1), func(e *policyEnv) {
			e.must(e.k.HandlePause(e.ctx(), &types.MsgPause{Pauser: pauser.String(), Scope: types.PauseScope_PAUSE_SCOPE_TRANSFERS}))
		}, types.ErrTransfersPaused},
		{"a recipient's balance overflows", outs(3, 1), func(e *policyEnv) { setBalance(e.t, e.kv, testutil.Addr(102), math.MaxUint64) }, types.ErrSupplyOverflow},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newPolicyEnv(t)
			if c.setup != nil {
				c.setup(e)
			}
			before := balance(t, e.kv, holder)
			// As in the app: the message runs on a branch, written on success.
			branch := store.NewBranch(e.kv)
			ctx := e.ctx().WithStore(branch)
			m := &types.MsgBatchSend{From: holder.String(), Outputs: c.outputs}
			err := e.k.HandleBatchSend(ctx, m)
			wantErr(t, "batch", err, c.want)
			if err == nil {
				e.must(branch.Write())
			}
			if c.want != nil {
				if got := balance(t, e.kv, holder); got != before {
					t.Fatalf("sender %d → %d after a refusal", before, got)
				}
				return
			}
			if got := balance(t, e.kv, holder); got != before-m.Total() {
				t.Errorf("sender %d, want %d", got, before-m.Total())
			}
			if len(ctx.Events()) != len(c.outputs) {
				t.Errorf("%d events for %d outputs", len(ctx.Events()), len(c.outputs))
			}
			for i, o := range c.outputs {
				to, _ := crypto.AddressFromBech32(o.To)
				if got := balance(t, e.kv, to); got != o.Amount {
					t.Errorf("output %d: balance %d, want %d", i, got, o.Amount)
				}
				ev := ctx.Events()[i]
				if ev.Type != types.EventTypeTransfer || ev.Attributes[1].Value != to.String() {
					t.Errorf("event %d: %+v", i, ev)
				}
			}
			e.invariants()
		})
	}
}

func TestMonetaryGenesisRoundTrip(t *testing.T) {
	e := trancheEnv(t)
	e.must(e.k.ExecuteAction(e.at(150).ctx(), setRateLimit(win(60, 100), win(3600, 200))))
	e.must(issueInto(e, issuerA, "a", 70))
	gs, err := e.k.ExportGenesis(e.kv)
	e.must(err)
	kv2 := testutil.NewKVStore(t)
	e.must(e.k.InitGenesis(kv2, gs))
	gs2, err := e.k.ExportGenesis(kv2)
	e.must(err)
	if !proto.Equal(gs, gs2) || len(gs.Tranches) != 3 || gs.DefaultTranche != "b" || len(gs.RateLimits) != 1 || len(gs.RateUsage) != 1 {
		t.Fatalf("round trip:\n%v\n%v", gs, gs2)
	}
	// The rate use survives the import: the window is still full.
	e.kv = kv2
	wantErr(t, "issue after import", issueInto(e, issuerA, "a", 31), types.ErrRateLimited)
}

func TestMonetaryGenesisValidate(t *testing.T) {
	for _, c := range []struct {
		name     string
		malleate func(gs *types.GenesisState)
	}{
		{"Σ outstanding ≠ supply", func(gs *types.GenesisState) { gs.Tranches[0].Issued = 1 }},
		{"caps over the hard cap", func(gs *types.GenesisState) { gs.Tranches[1].CapBps = 10000 }},
		{"caps overflowing uint64", func(gs *types.GenesisState) { gs.Tranches[1].CapBps, gs.Tranches[1].CapAmount = 0, math.MaxUint64-50 }},
		{"duplicate tranche", func(gs *types.GenesisState) { gs.Tranches = append(gs.Tranches, gs.Tranches[0]) }},
		{"outstanding over cap", func(gs *types.GenesisState) { gs.Tranches[0].CapAmount = 50 }},
		{"unknown default", func(gs *types.GenesisState) { gs.DefaultTranche = "zz" }},
		{"default without tranches", func(gs *types.GenesisState) { gs.Tranches = nil; gs.DefaultTranche = "x" }},
		{"rate limit without windows", func(gs *types.GenesisState) {
			gs.RateLimits = []*types.RateLimit{{Issuer: issuerA.String()}}
		}},
		{"usage of an unlimited issuer", func(gs *types.GenesisState) {
			gs.RateUsage = []*types.RateUsage{{Issuer: issuerA.String(), TimeUnix: 1, Amount: 1}}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			gs := genesis(bal(holder, 100))
			gs.Tranches = []*types.Tranche{{Name: "x", CapAmount: 100, Issued: 100}, {Name: "y", CapBps: 100}}
			if err := gs.Validate(); err != nil {
				t.Fatal(err)
			}
			c.malleate(gs)
			wantErr(t, "Validate", gs.Validate(), types.ErrInvalidGenesis)
		})
	}
}

// Issues in one block sum into one record; the query reports used,
// remaining and when the oldest use leaves; tranches come with proofs.
func TestMonetaryQueries(t *testing.T) {
	e := newPolicyEnv(t)
	cs := testutil.NewCommitStore(t)
	e.kv = cs.Working()
	gs := genesis(bal(holder, 100), bal(ownerIssuer, 100))
	gs.Tranches = []*types.Tranche{{Name: "b", CapAmount: 1000, Issued: 200}}
	gs.DefaultTranche = "b"
	gs.RateLimits = []*types.RateLimit{{Issuer: issuerA.String(), Windows: []*types.RateWindow{win(60, 100)}}}
	e.must(e.k.InitGenesis(e.kv, gs))
	// fakeReserve's backing time is 0: issue at 0 so the query's clock matches.
	e.now = time.Unix(0, 0)
	e.must(issue(e.ctx(), e.k, issuerA, holder, 30))
	e.must(issue(e.ctx(), e.k, issuerA, holder, 40)) // same block time: one record of 70
	_, _, err := cs.Commit()
	e.must(err)
	q := keeperQuery(e, cs)
	rl, err := q.RateLimits(context.Background(), &types.QueryRateLimitsRequest{})
	e.must(err)
	if len(rl.Limits) != 1 || rl.Limits[0].Windows[0].Used != 70 || rl.Limits[0].Windows[0].Remaining != 30 || rl.Limits[0].Windows[0].FreesInSeconds != 60 {
		t.Fatalf("rate limits %v", rl)
	}
	if _, err := q.RateLimits(context.Background(), &types.QueryRateLimitsRequest{Issuer: "petro1x"}); !errors.Is(err, types.ErrInvalidAddress) {
		t.Fatalf("bad issuer: %v", err)
	}
	tr, err := q.Tranches(context.Background(), &types.QueryTranchesRequest{Prove: true})
	e.must(err)
	if len(tr.Tranches) != 1 || tr.Tranches[0].Outstanding != 270 || tr.Supply != 270 || tr.DefaultTranche != "b" || len(tr.Proofs) != 1 || tr.SupplyProof == nil {
		t.Fatalf("tranches %v", tr)
	}
	gs2, err := e.k.ExportGenesis(e.kv)
	e.must(err)
	if len(gs2.RateUsage) != 1 || gs2.RateUsage[0].Amount != 70 {
		t.Fatalf("usage %v", gs2.RateUsage)
	}
	// The invariants see both rules hold, and catch a broken state.
	e.invariants()
	e.must(e.kv.Set(types.RateUseKey(issuerA, 0), binary.BigEndian.AppendUint64(nil, 101)))
	res, err := e.k.Invariants(e.kv)
	e.must(err)
	for _, r := range res {
		if r.Name == keeper.InvRateWindows && r.Holds {
			t.Errorf("%s holds with 101 used of 100: %s", r.Name, r.Detail)
		}
	}
	e.must(e.kv.Set(types.TrancheKey("b"), mustMarshal(t, &types.Tranche{Name: "b", CapAmount: 1000, Issued: 1})))
	res, err = e.k.Invariants(e.kv)
	e.must(err)
	for _, r := range res {
		if r.Name == keeper.InvTranches && r.Holds {
			t.Errorf("%s holds with Σ outstanding 1: %s", r.Name, r.Detail)
		}
	}
}

func mustMarshal(t *testing.T, m proto.Message) []byte {
	t.Helper()
	bz, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return bz
}

func keeperQuery(e *policyEnv, cs *store.CommitStore) *keeper.QueryServer {
	return keeper.NewQueryServer(e.k, testutil.CommittedState{CS: cs})
}
