package keeper_test

import (
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/store"
	"github.com/petro-network/petro/internal/testutil"
	petro "github.com/petro-network/petro/types"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	"github.com/petro-network/petro/x/token/keeper"
	"github.com/petro-network/petro/x/token/types"
)

// fakeAuthority holds roles by "role/bech32"; freezeBlocked makes
// CheckFreeze refuse that address as x/authority does for a council
// member the council cannot spare.
type fakeAuthority struct {
	roles         map[string]bool
	allowance     map[string]uint64
	freezeBlocked map[string]bool
}

func (f *fakeAuthority) has(role string, a crypto.Address) (bool, error) {
	return f.roles[role+"/"+a.String()], nil
}
func (f *fakeAuthority) IsIssuer(_ store.KVStore, a crypto.Address) (bool, error) {
	return f.has("issuer", a)
}
func (f *fakeAuthority) IsComplianceOfficer(_ store.KVStore, a crypto.Address) (bool, error) {
	return f.has("compliance", a)
}
func (f *fakeAuthority) IsPauser(_ store.KVStore, a crypto.Address) (bool, error) {
	return f.has("pauser", a)
}
func (f *fakeAuthority) UseAllowance(_ store.KVStore, a crypto.Address, amount uint64) error {
	if f.allowance[a.String()] < amount {
		return authoritytypes.ErrInsufficientAllowance
	}
	f.allowance[a.String()] -= amount
	return nil
}
func (f *fakeAuthority) Allowances(store.KVStore) ([]*types.Allowance, error) { return nil, nil }
func (f *fakeAuthority) CheckFreeze(_ store.KVStore, a crypto.Address) error {
	if f.freezeBlocked[a.String()] {
		return authoritytypes.ErrCouncilUnreachable.Wrap(a.String())
	}
	return nil
}

// fakeReserve: backing OK with room to issue, one settled round.
type fakeReserve struct{}

func (fakeReserve) Backing(store.KVStore) (*reservetypes.Backing, error) {
	return &reservetypes.Backing{Status: reservetypes.BackingStatus_BACKING_STATUS_OK, Capacity: types.DefaultHardCap}, nil
}
func (fakeReserve) LatestRound(store.KVStore) (*reservetypes.SettledRound, error) {
	return &reservetypes.SettledRound{Id: 1, Price: 70}, nil
}
func (fakeReserve) Params(store.KVStore) (*reservetypes.Params, error) {
	return reservetypes.DefaultParams(), nil
}
func (fakeReserve) RecordDelivery(petro.Context, uint64, uint64) error { return nil }

// The cast of the policy tests.
var (
	issuerA, issuerB = testutil.Addr(40), testutil.Addr(41)
	ownerIssuer      = testutil.Addr(42) // holds PTR and ROLE_ISSUER
	holder           = testutil.Addr(43)
	officerC         = testutil.Addr(44)
	officerD         = testutil.Addr(45)
	pauser           = testutil.Addr(46)
)

type policyEnv struct {
	t    *testing.T
	k    keeper.Keeper
	kv   store.KVStore
	auth *fakeAuthority
	now  time.Time
}

func newPolicyEnv(t *testing.T) *policyEnv {
	t.Helper()
	auth := &fakeAuthority{roles: map[string]bool{}, allowance: map[string]uint64{}, freezeBlocked: map[string]bool{}}
	for _, a := range []crypto.Address{issuerA, issuerB, ownerIssuer} {
		auth.roles["issuer/"+a.String()] = true
		auth.allowance[a.String()] = 1000
	}
	auth.roles["compliance/"+officerC.String()] = true
	auth.roles["compliance/"+officerD.String()] = true
	auth.roles["pauser/"+pauser.String()] = true
	e := &policyEnv{t: t, k: keeper.NewKeeper(auth, fakeReserve{}), kv: testutil.NewKVStore(t), auth: auth, now: testutil.GenesisTime}
	if err := e.k.InitGenesis(e.kv, genesis(bal(holder, 100), bal(ownerIssuer, 100))); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *policyEnv) ctx() petro.Context { return petro.NewContext(e.kv, testutil.ChainID, 2, e.now) }

// must fails the test on a setup step's error.
func (e *policyEnv) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *policyEnv) freeze(who crypto.Address) {
	e.t.Helper()
	e.must(e.k.HandleFreeze(e.ctx(), &types.MsgFreeze{Officer: officerD.String(), Address: who.String(), ReasonCode: 1, CaseId: "case-1"}))
}

func (e *policyEnv) request(owner crypto.Address, amount uint64) uint64 {
	e.t.Helper()
	h := sha256.Sum256([]byte("instructions"))
	id, err := e.k.HandleRequestRedemption(e.ctx(), &types.MsgRequestRedemption{Owner: owner.String(), Amount: amount, SettlementInstructionHash: h[:]})
	e.must(err)
	return id
}

func (e *policyEnv) redemption(id uint64) *types.Redemption {
	e.t.Helper()
	r, err := e.k.Redemption(e.kv, id)
	e.must(err)
	return r
}

func issue(ctx petro.Context, k keeper.Keeper, by, to crypto.Address, amount uint64) error {
	return k.HandleIssue(ctx, &types.MsgIssue{Issuer: by.String(), Recipient: to.String(), Amount: amount})
}
func accept(ctx petro.Context, k keeper.Keeper, by crypto.Address, id uint64) error {
	return k.HandleAcceptRedemption(ctx, &types.MsgAcceptRedemption{Issuer: by.String(), RedemptionId: id})
}
func fulfil(ctx petro.Context, k keeper.Keeper, by crypto.Address, id uint64) error {
	h := sha256.Sum256([]byte("bill of lading"))
	return k.HandleFulfillRedemption(ctx, &types.MsgFulfillRedemption{Issuer: by.String(), RedemptionId: id, ProofHash: h[:]})
}
func reject(ctx petro.Context, k keeper.Keeper, by crypto.Address, id uint64) error {
	return k.HandleRejectRedemption(ctx, &types.MsgRejectRedemption{Issuer: by.String(), RedemptionId: id, Reason: "no tanker"})
}

// TestFrozenSignerHoldsNoRole: every role message from a frozen signer is
// refused with token/31, after the role check (a frozen key without the
// role still gets the role's code), changing nothing and emitting nothing.
func TestFrozenSignerHoldsNoRole(t *testing.T) {
	pauseMsg := func(by crypto.Address) *types.MsgPause {
		return &types.MsgPause{Pauser: by.String(), Scope: types.PauseScope_PAUSE_SCOPE_ISSUANCE}
	}
	for _, c := range []struct {
		name  string
		setup func(e *policyEnv) // may freeze and create redemption 1
		act   func(e *policyEnv, ctx petro.Context) error
		want  *petro.Error
	}{
		{"issue by a frozen issuer", func(e *policyEnv) { e.freeze(issuerA) },
			func(e *policyEnv, ctx petro.Context) error { return issue(ctx, e.k, issuerA, holder, 1) }, types.ErrSignerFrozen},
		{"issue by a frozen non-issuer: the role check comes first", func(e *policyEnv) { e.freeze(holder) },
			func(e *policyEnv, ctx petro.Context) error { return issue(ctx, e.k, holder, issuerA, 1) }, types.ErrNotIssuer},
		{"issue by a frozen issuer while issuance is paused: frozen comes first", func(e *policyEnv) {
			e.must(e.k.HandlePause(e.ctx(), pauseMsg(pauser)))
			e.freeze(issuerA)
		}, func(e *policyEnv, ctx petro.Context) error { return issue(ctx, e.k, issuerA, holder, 1) }, types.ErrSignerFrozen},
		{"accept by a frozen issuer", func(e *policyEnv) { e.request(holder, 10); e.freeze(issuerA) },
			func(e *policyEnv, ctx petro.Context) error { return accept(ctx, e.k, issuerA, 1) }, types.ErrSignerFrozen},
		{"accept of an unknown redemption by a frozen issuer: frozen comes first", func(e *policyEnv) { e.freeze(issuerA) },
			func(e *policyEnv, ctx petro.Context) error { return accept(ctx, e.k, issuerA, 9) }, types.ErrSignerFrozen},
		{"fulfil by a frozen issuer", func(e *policyEnv) {
			e.request(holder, 10)
			e.must(accept(e.ctx(), e.k, issuerA, 1))
			e.freeze(issuerA)
		}, func(e *policyEnv, ctx petro.Context) error { return fulfil(ctx, e.k, issuerA, 1) }, types.ErrSignerFrozen},
		{"reject by a frozen issuer", func(e *policyEnv) {
			e.request(holder, 10)
			e.must(accept(e.ctx(), e.k, issuerA, 1))
			e.freeze(issuerA)
		}, func(e *policyEnv, ctx petro.Context) error { return reject(ctx, e.k, issuerA, 1) }, types.ErrSignerFrozen},
		{"freeze by a frozen officer", func(e *policyEnv) { e.freeze(officerC) },
			func(e *policyEnv, ctx petro.Context) error {
				return e.k.HandleFreeze(ctx, &types.MsgFreeze{Officer: officerC.String(), Address: holder.String(), ReasonCode: 1, CaseId: "c"})
			}, types.ErrSignerFrozen},
		{"a frozen officer cannot unfreeze itself", func(e *policyEnv) { e.freeze(officerC) },
			func(e *policyEnv, ctx petro.Context) error {
				return e.k.HandleUnfreeze(ctx, &types.MsgUnfreeze{Officer: officerC.String(), Address: officerC.String(), CaseId: "c"})
			}, types.ErrSignerFrozen},
		{"freeze by a frozen non-officer: the role check comes first", func(e *policyEnv) { e.freeze(holder) },
			func(e *policyEnv, ctx petro.Context) error {
				return e.k.HandleFreeze(ctx, &types.MsgFreeze{Officer: holder.String(), Address: issuerA.String(), ReasonCode: 1, CaseId: "c"})
			}, types.ErrNotCompliance},
		{"pause by a frozen pauser", func(e *policyEnv) { e.freeze(pauser) },
			func(e *policyEnv, ctx petro.Context) error { return e.k.HandlePause(ctx, pauseMsg(pauser)) }, types.ErrSignerFrozen},
		{"unpause by a frozen pauser", func(e *policyEnv) {
			e.must(e.k.HandlePause(e.ctx(), pauseMsg(pauser)))
			e.freeze(pauser)
		}, func(e *policyEnv, ctx petro.Context) error {
			return e.k.HandleUnpause(ctx, &types.MsgUnpause{Pauser: pauser.String(), Scope: types.PauseScope_PAUSE_SCOPE_ISSUANCE})
		}, types.ErrSignerFrozen},
		{"freezing a council member the council cannot spare", func(e *policyEnv) { e.auth.freezeBlocked[issuerB.String()] = true },
			func(e *policyEnv, ctx petro.Context) error {
				return e.k.HandleFreeze(ctx, &types.MsgFreeze{Officer: officerC.String(), Address: issuerB.String(), ReasonCode: 1, CaseId: "c"})
			}, authoritytypes.ErrCouncilUnreachable},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newPolicyEnv(t)
			c.setup(e)
			kv := &countingKV{KVStore: e.kv}
			ctx := e.ctx().WithStore(kv)
			if err := c.act(e, ctx); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if len(ctx.Events()) != 0 {
				t.Fatalf("a refused message emitted %v", ctx.Events())
			}
			if kv.writes != 0 {
				t.Fatalf("a refused message wrote %d keys", kv.writes)
			}
		})
	}
}

// countingKV counts the writes made through it.
type countingKV struct {
	store.KVStore
	writes int
}

func (c *countingKV) Set(k, v []byte) error { c.writes++; return c.KVStore.Set(k, v) }
func (c *countingKV) Delete(k []byte) error { c.writes++; return c.KVStore.Delete(k) }

// TestUnfrozenIssuerActsAgain: the freeze only suspends the role.
func TestUnfrozenIssuerActsAgain(t *testing.T) {
	e := newPolicyEnv(t)
	e.freeze(issuerA)
	if err := issue(e.ctx(), e.k, issuerA, holder, 5); !errors.Is(err, types.ErrSignerFrozen) {
		t.Fatalf("frozen: %v", err)
	}
	e.must(e.k.HandleUnfreeze(e.ctx(), &types.MsgUnfreeze{Officer: officerC.String(), Address: issuerA.String(), CaseId: "case-1"}))
	e.must(issue(e.ctx(), e.k, issuerA, holder, 5))
	if b := balance(t, e.kv, holder); b != 105 {
		t.Fatalf("balance %d", b)
	}
}

// TestRedemptionBelongsToItsIssuer: an owner who is also an issuer never
// accepts, fulfils or rejects its own redemption; once accepted, only the
// accepting issuer may fulfil or reject it.
func TestRedemptionBelongsToItsIssuer(t *testing.T) {
	requested := types.RedemptionStatus_REDEMPTION_STATUS_REQUESTED
	accepted := types.RedemptionStatus_REDEMPTION_STATUS_ACCEPTED
	rejected := types.RedemptionStatus_REDEMPTION_STATUS_REJECTED
	for _, c := range []struct {
		name       string
		owner      crypto.Address
		acceptedBy crypto.Address // nil: left REQUESTED
		act        func(ctx petro.Context, k keeper.Keeper) error
		want       *petro.Error
		status     types.RedemptionStatus // after act
		issuer     crypto.Address         // after act (nil: none)
	}{
		{"owner-issuer accepts its own", ownerIssuer, nil,
			func(ctx petro.Context, k keeper.Keeper) error { return accept(ctx, k, ownerIssuer, 1) }, types.ErrOwnRedemption, requested, nil},
		{"owner-issuer rejects its own request", ownerIssuer, nil,
			func(ctx petro.Context, k keeper.Keeper) error { return reject(ctx, k, ownerIssuer, 1) }, types.ErrOwnRedemption, requested, nil},
		{"owner-issuer fulfils its own after another accepted", ownerIssuer, issuerA,
			func(ctx petro.Context, k keeper.Keeper) error { return fulfil(ctx, k, ownerIssuer, 1) }, types.ErrOwnRedemption, accepted, issuerA},
		{"owner-issuer rejects its own after another accepted", ownerIssuer, issuerA,
			func(ctx petro.Context, k keeper.Keeper) error { return reject(ctx, k, ownerIssuer, 1) }, types.ErrOwnRedemption, accepted, issuerA},
		{"another issuer rejects an accepted redemption", holder, issuerA,
			func(ctx petro.Context, k keeper.Keeper) error { return reject(ctx, k, issuerB, 1) }, types.ErrNotAcceptingReject, accepted, issuerA},
		{"another issuer fulfils an accepted redemption", holder, issuerA,
			func(ctx petro.Context, k keeper.Keeper) error { return fulfil(ctx, k, issuerB, 1) }, types.ErrNotAcceptingIssuer, accepted, issuerA},
		{"the accepting issuer rejects", holder, issuerA,
			func(ctx petro.Context, k keeper.Keeper) error { return reject(ctx, k, issuerA, 1) }, nil, rejected, issuerA},
		{"any issuer rejects a request nobody accepted", holder, nil,
			func(ctx petro.Context, k keeper.Keeper) error { return reject(ctx, k, issuerB, 1) }, nil, rejected, issuerB},
		{"an issuer accepts another owner's request", ownerIssuer, nil,
			func(ctx petro.Context, k keeper.Keeper) error { return accept(ctx, k, issuerB, 1) }, nil, accepted, issuerB},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newPolicyEnv(t)
			e.request(c.owner, 10)
			if c.acceptedBy != nil {
				e.must(accept(e.ctx(), e.k, c.acceptedBy, 1))
			}
			err := c.act(e.ctx(), e.k)
			if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			r := e.redemption(1)
			wantIssuer := ""
			if c.issuer != nil {
				wantIssuer = c.issuer.String()
			}
			if r.Status != c.status || r.Issuer != wantIssuer {
				t.Fatalf("redemption %s by %q, want %s by %q", r.Status, r.Issuer, c.status, wantIssuer)
			}
			wantBal := uint64(90)
			if c.status == rejected {
				wantBal = 100
			}
			if b := balance(t, e.kv, c.owner); b != wantBal {
				t.Fatalf("owner balance %d, want %d", b, wantBal)
			}
		})
	}
}

// TestCouncilRejectsRedemption: the council's reject_redemption refunds a
// REQUESTED or ACCEPTED redemption whoever accepted it, with the same
// state checks at proposal time (ValidateAction) and at execution.
func TestCouncilRejectsRedemption(t *testing.T) {
	action := func(id uint64, reason string) *authoritytypes.Action {
		return &authoritytypes.Action{Sum: &authoritytypes.Action_RejectRedemption{RejectRedemption: &types.RejectRedemption{RedemptionId: id, Reason: reason}}}
	}
	for _, c := range []struct {
		name   string
		setup  func(e *policyEnv)
		action *authoritytypes.Action
		want   *petro.Error
		issuer string // the redemption's issuer after execution
	}{
		{"requested", func(*policyEnv) {}, action(1, "sanctions"), nil, ""},
		{"accepted by an issuer", func(e *policyEnv) { e.must(accept(e.ctx(), e.k, issuerA, 1)) }, action(1, "issuer unreachable"), nil, issuerA.String()},
		{"accepted by an issuer since frozen", func(e *policyEnv) {
			e.must(accept(e.ctx(), e.k, issuerA, 1))
			e.freeze(issuerA)
		}, action(1, "issuer key stolen"), nil, issuerA.String()},
		{"fulfilled", func(e *policyEnv) {
			e.must(accept(e.ctx(), e.k, issuerA, 1))
			e.must(fulfil(e.ctx(), e.k, issuerA, 1))
		}, action(1, "too late"), types.ErrRedemptionState, ""},
		{"past its deadline", func(e *policyEnv) { e.now = e.now.Add(8 * 24 * time.Hour) }, action(1, "late"), types.ErrRedemptionExpired, ""},
		{"unknown", func(*policyEnv) {}, action(2, "x"), types.ErrRedemptionNotFound, ""},
		{"id 0", func(*policyEnv) {}, action(0, "x"), types.ErrRedemptionNotFound, ""},
		{"no reason", func(*policyEnv) {}, action(1, ""), types.ErrInvalidReason, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newPolicyEnv(t)
			e.request(holder, 10)
			c.setup(e)
			verr := e.k.ValidateAction(e.ctx(), c.action)
			xerr := e.k.ExecuteAction(e.ctx(), c.action)
			for what, err := range map[string]error{"ValidateAction": verr, "ExecuteAction": xerr} {
				if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
					t.Fatalf("%s = %v, want %v", what, err, c.want)
				}
			}
			if c.want != nil {
				return
			}
			r := e.redemption(1)
			if r.Status != types.RedemptionStatus_REDEMPTION_STATUS_REJECTED || r.Issuer != c.issuer || r.Reason != c.action.GetRejectRedemption().Reason {
				t.Fatalf("after the council's reject: %v", r)
			}
			if b := balance(t, e.kv, holder); b != 100 {
				t.Fatalf("not refunded: %d", b)
			}
			if err := e.k.CheckInvariants(e.kv); err != nil {
				t.Fatal(err)
			}
		})
	}
}
