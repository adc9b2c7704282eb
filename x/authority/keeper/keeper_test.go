package keeper_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/authority/keeper"
	"github.com/petro-network/petro/x/authority/types"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func addr(i int) string {
	seed := sha256.Sum256([]byte(fmt.Sprint("authority-test-", i)))
	k, err := crypto.PrivKeyFromBytes(seed[:])
	if err != nil {
		panic(err)
	}
	return k.PubKey().Address().String()
}

func consKey(i int) []byte {
	seed := sha256.Sum256([]byte(fmt.Sprint("cons-", i)))
	return ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey)
}

func nodeID(i int) string {
	h := sha256.Sum256([]byte(fmt.Sprint("node-", i)))
	return fmt.Sprintf("%x", h[:20])
}

// env is a chain of 3 council members (threshold 2) and 4 validators of
// power 10.
type env struct {
	t      *testing.T
	k      keeper.Keeper
	kv     store.KVStore
	frozen *fakeFreezes
	res    *fakeReserve
	now    time.Time
	h      int64
}

func newEnv(t *testing.T, mutate func(*types.GenesisState)) *env {
	t.Helper()
	db, err := store.OpenDB("memdb", "", "")
	if err != nil {
		t.Fatal(err)
	}
	cs, err := store.NewCommitStore(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	gs := types.DefaultGenesis()
	gs.Council = &types.Council{Members: []string{addr(1), addr(2), addr(3)}, Threshold: 2}
	for i := 0; i < 4; i++ {
		gs.Validators = append(gs.Validators, &types.Validator{PubKey: consKey(i), Power: 10, NodeId: nodeID(i)})
	}
	if mutate != nil {
		mutate(gs)
	}
	e := &env{t: t, kv: cs.Working(), frozen: &fakeFreezes{}, res: &fakeReserve{quorum: 1}, now: t0, h: 1}
	e.k = keeper.NewKeeper(e.frozen, e.res)
	if err := e.k.InitGenesis(e.kv, gs); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) ctx() petro.Context { return petro.NewContext(e.kv, "test", e.h, e.now) }

func (e *env) propose(by int, a *types.Action) (uint64, error) {
	return e.k.HandlePropose(e.ctx(), &types.MsgPropose{Proposer: addr(by), Action: a}, nil)
}

func (e *env) approve(by int, id uint64) error {
	return e.k.HandleApprove(e.ctx(), &types.MsgApprove{Approver: addr(by), ProposalId: id})
}

func (e *env) endBlock() keeper.EndBlockResult {
	e.t.Helper()
	res, err := e.k.EndBlock(e.ctx(), nil)
	if err != nil {
		e.t.Fatal(err)
	}
	e.h++
	return res
}

func (e *env) status(id uint64) types.ProposalStatus {
	e.t.Helper()
	p, err := e.k.Proposal(e.kv, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return p.Status
}

func grant(i int, r types.Role) *types.Action {
	return &types.Action{Sum: &types.Action_GrantRole{GrantRole: &types.GrantRole{Address: addr(i), Role: r}}}
}

func addVal(i int, power int64) *types.Action {
	return &types.Action{Sum: &types.Action_AddValidator{AddValidator: &types.AddValidator{Validator: &types.Validator{PubKey: consKey(i), Power: power, NodeId: nodeID(i)}}}}
}

func TestProposalLifecycle(t *testing.T) {
	e := newEnv(t, nil)
	id, err := e.propose(1, grant(9, types.Role_ROLE_ORACLE))
	if err != nil {
		t.Fatal(err)
	}
	e.endBlock()
	if st := e.status(id); st != types.ProposalStatus_PROPOSAL_STATUS_VOTING {
		t.Fatalf("one approval of two: %s", st)
	}
	if err := e.approve(2, id); err != nil {
		t.Fatal(err)
	}
	e.endBlock()
	if st := e.status(id); st != types.ProposalStatus_PROPOSAL_STATUS_EXECUTED {
		t.Fatalf("after threshold: %s", st)
	}
	if has, _ := e.k.HasRole(e.kv, mustAddr(t, addr(9)), types.Role_ROLE_ORACLE); !has {
		t.Fatal("role not granted")
	}
	if err := e.approve(3, id); !errors.Is(err, types.ErrProposalClosed) {
		t.Fatalf("approve executed proposal: %v", err)
	}
}

func mustAddr(t *testing.T, s string) crypto.Address {
	a, err := crypto.AddressFromBech32(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestProposeAndApproveRules(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(e *env) error
		want *petro.Error
	}{
		{"non-member proposes", func(e *env) error { _, err := e.propose(7, grant(9, types.Role_ROLE_ORACLE)); return err }, types.ErrNotCouncilMember},
		{"non-member approves", func(e *env) error {
			id, _ := e.propose(1, grant(9, types.Role_ROLE_ORACLE))
			return e.approve(7, id)
		}, types.ErrNotCouncilMember},
		{"double approval", func(e *env) error {
			id, _ := e.propose(1, grant(9, types.Role_ROLE_ORACLE))
			return e.approve(1, id)
		}, types.ErrAlreadyApproved},
		{"approval after expiry", func(e *env) error {
			id, _ := e.propose(1, grant(9, types.Role_ROLE_ORACLE))
			e.now = e.now.Add(7*24*time.Hour + time.Second)
			return e.approve(2, id)
		}, types.ErrProposalExpired},
		{"approval after expiry was recorded", func(e *env) error {
			id, _ := e.propose(1, grant(9, types.Role_ROLE_ORACLE))
			e.now = e.now.Add(8 * 24 * time.Hour)
			e.endBlock()
			return e.approve(2, id)
		}, types.ErrProposalExpired},
		{"unknown proposal", func(e *env) error { return e.approve(1, 42) }, types.ErrProposalNotFound},
		{"invalid role", func(e *env) error { _, err := e.propose(1, grant(9, types.Role(99))); return err }, types.ErrInvalidRole},
		{"grant held role", func(e *env) error {
			_, err := e.propose(1, grant(9, types.Role_ROLE_PAUSER))
			return err
		}, types.ErrRoleExists},
		{"revoke missing role", func(e *env) error {
			_, err := e.propose(1, &types.Action{Sum: &types.Action_RevokeRole{RevokeRole: &types.RevokeRole{Address: addr(8), Role: types.Role_ROLE_ORACLE}}})
			return err
		}, types.ErrRoleNotFound},
		{"allowance for non-issuer", func(e *env) error {
			_, err := e.propose(1, &types.Action{Sum: &types.Action_SetAllowance{SetAllowance: &types.SetAllowance{Address: addr(8), Allowance: 5}}})
			return err
		}, types.ErrRoleNotFound},
		{"deny unknown peer", func(e *env) error {
			_, err := e.propose(1, &types.Action{Sum: &types.Action_DenyPeer{DenyPeer: &types.DenyPeer{NodeId: nodeID(50)}}})
			return err
		}, types.ErrUnknownPeer},
		{"bad node id", func(e *env) error {
			_, err := e.propose(1, &types.Action{Sum: &types.Action_AllowPeer{AllowPeer: &types.AllowPeer{Peer: &types.AllowedPeer{NodeId: "XYZ"}}}})
			return err
		}, types.ErrInvalidNodeID},
		{"council threshold above size", func(e *env) error {
			_, err := e.propose(1, &types.Action{Sum: &types.Action_SetCouncil{SetCouncil: &types.SetCouncil{Council: &types.Council{Members: []string{addr(1)}, Threshold: 2}}}})
			return err
		}, types.ErrInvalidCouncil},
		{"bad params", func(e *env) error {
			p := types.DefaultParams()
			p.MaxPowerChangePercent = 0
			_, err := e.propose(1, &types.Action{Sum: &types.Action_SetParams{SetParams: &types.SetParams{Params: p}}})
			return err
		}, types.ErrInvalidParams},
		{"empty action", func(e *env) error { _, err := e.propose(1, &types.Action{}); return err }, types.ErrInvalidAction},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(gs *types.GenesisState) {
				gs.Roles = append(gs.Roles, &types.RoleGrant{Address: addr(9), Role: types.Role_ROLE_PAUSER})
			})
			if err := tc.run(e); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestInvalidValidatorUpdatesRejectedAtProposal(t *testing.T) {
	for _, tc := range []struct {
		name   string
		action *types.Action
		want   *petro.Error
	}{
		{"duplicate key", addVal(0, 5), types.ErrDuplicateValidator},
		{"zero power", addVal(7, 0), types.ErrInvalidPower},
		{"negative power", addVal(7, -1), types.ErrInvalidPower},
		{"unsupported key type (33-byte secp256k1)", &types.Action{Sum: &types.Action_AddValidator{AddValidator: &types.AddValidator{Validator: &types.Validator{PubKey: make([]byte, 33), Power: 1, NodeId: nodeID(7)}}}}, types.ErrUnsupportedKeyType},
		{"unknown validator removed", &types.Action{Sum: &types.Action_RemoveValidator{RemoveValidator: &types.RemoveValidator{PubKey: consKey(7)}}}, types.ErrUnknownValidator},
		{"unknown validator power", &types.Action{Sum: &types.Action_SetValidatorPower{SetValidatorPower: &types.SetValidatorPower{PubKey: consKey(7), Power: 3}}}, types.ErrUnknownValidator},
		{"power change over cap", addVal(7, 14), types.ErrPowerChangeTooLarge},
		{"total power limit", addVal(7, types.MaxTotalVotingPower), types.ErrTotalPowerLimit},
		{"node id reused", &types.Action{Sum: &types.Action_AddValidator{AddValidator: &types.AddValidator{Validator: &types.Validator{PubKey: consKey(7), Power: 1, NodeId: nodeID(0)}}}}, types.ErrDuplicateNodeID},
		{"set power to zero", &types.Action{Sum: &types.Action_SetValidatorPower{SetValidatorPower: &types.SetValidatorPower{PubKey: consKey(0), Power: 0}}}, types.ErrInvalidPower},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			if _, err := e.propose(1, tc.action); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	t.Run("removing the last validator", func(t *testing.T) {
		e := newEnv(t, func(gs *types.GenesisState) {
			gs.Validators = gs.Validators[:1]
			gs.Params.MaxPowerChangePercent = 100
		})
		_, err := e.propose(1, &types.Action{Sum: &types.Action_RemoveValidator{RemoveValidator: &types.RemoveValidator{PubKey: consKey(0)}}})
		if !errors.Is(err, types.ErrLastValidator) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("too many validators", func(t *testing.T) {
		e := newEnv(t, func(gs *types.GenesisState) { gs.Params.MaxValidators = 4 })
		if _, err := e.propose(1, addVal(7, 1)); !errors.Is(err, types.ErrTooManyValidators) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestValidatorChangesReachCometBFT(t *testing.T) {
	e := newEnv(t, nil)
	id, _ := e.propose(1, addVal(7, 10))
	if err := e.approve(2, id); err != nil {
		t.Fatal(err)
	}
	res := e.endBlock()
	if len(res.ValidatorUpdates) != 1 || res.ValidatorUpdates[0].Power != 10 || !res.PeersChanged {
		t.Fatalf("updates %+v", res)
	}
	vals, _ := e.k.Validators(e.kv)
	if len(vals) != 5 {
		t.Fatalf("%d validators", len(vals))
	}
	allowed, _ := e.k.PeerAllowlist(e.kv)
	if !allowed[nodeID(7)] {
		t.Fatal("new validator's node id not allowed")
	}
	// remove one: power 0 update, node id no longer allowed
	id, _ = e.propose(1, &types.Action{Sum: &types.Action_RemoveValidator{RemoveValidator: &types.RemoveValidator{PubKey: consKey(0)}}})
	_ = e.approve(3, id)
	res = e.endBlock()
	if len(res.ValidatorUpdates) != 1 || res.ValidatorUpdates[0].Power != 0 {
		t.Fatalf("updates %+v", res)
	}
	allowed, _ = e.k.PeerAllowlist(e.kv)
	if allowed[nodeID(0)] {
		t.Fatal("removed validator still allowed")
	}
}

func TestTwoChangesInOneBlockRespectTheCap(t *testing.T) {
	e := newEnv(t, nil) // total 40, cap 33% → 13 per block
	a, _ := e.propose(1, addVal(7, 8))
	b, _ := e.propose(1, addVal(8, 8))
	_ = e.approve(2, a)
	_ = e.approve(2, b)
	res := e.endBlock()
	if len(res.ValidatorUpdates) != 1 {
		t.Fatalf("first block: %d updates, want 1 (second deferred)", len(res.ValidatorUpdates))
	}
	if st := e.status(b); st != types.ProposalStatus_PROPOSAL_STATUS_PASSED {
		t.Fatalf("deferred proposal: %s", st)
	}
	res = e.endBlock()
	if len(res.ValidatorUpdates) != 1 || e.status(b) != types.ProposalStatus_PROPOSAL_STATUS_EXECUTED {
		t.Fatalf("second block: %+v %s", res, e.status(b))
	}
}

func TestTimelock(t *testing.T) {
	e := newEnv(t, func(gs *types.GenesisState) { gs.Params.TimelockSeconds = 3600 })
	id, _ := e.propose(1, grant(9, types.Role_ROLE_ORACLE))
	_ = e.approve(2, id)
	e.endBlock()
	if st := e.status(id); st != types.ProposalStatus_PROPOSAL_STATUS_PASSED {
		t.Fatalf("%s", st)
	}
	e.now = t0.Add(3599 * time.Second)
	e.endBlock()
	if st := e.status(id); st != types.ProposalStatus_PROPOSAL_STATUS_PASSED {
		t.Fatalf("executed before the timelock: %s", st)
	}
	e.now = t0.Add(3600 * time.Second)
	e.endBlock()
	if st := e.status(id); st != types.ProposalStatus_PROPOSAL_STATUS_EXECUTED {
		t.Fatalf("not executed at the timelock: %s", st)
	}
}

func TestFailedExecutionChangesNothing(t *testing.T) {
	e := newEnv(t, nil)
	a, _ := e.propose(1, grant(9, types.Role_ROLE_ORACLE))
	b, _ := e.propose(1, grant(9, types.Role_ROLE_ORACLE)) // same grant: second must fail
	_ = e.approve(2, a)
	_ = e.approve(2, b)
	e.endBlock()
	if e.status(a) != types.ProposalStatus_PROPOSAL_STATUS_EXECUTED || e.status(b) != types.ProposalStatus_PROPOSAL_STATUS_FAILED {
		t.Fatalf("%s %s", e.status(a), e.status(b))
	}
	p, _ := e.k.Proposal(e.kv, b)
	if p.Result == "" {
		t.Fatal("failed proposal has no reason")
	}
}

func TestCouncilChangeRecountsApprovals(t *testing.T) {
	e := newEnv(t, nil)
	pending, _ := e.propose(1, grant(9, types.Role_ROLE_ORACLE)) // 1 of 2
	id, _ := e.propose(2, &types.Action{Sum: &types.Action_SetCouncil{SetCouncil: &types.SetCouncil{Council: &types.Council{Members: []string{addr(2), addr(3)}, Threshold: 1}}}})
	_ = e.approve(3, id)
	e.endBlock()
	// New council: {2,3}, threshold 1. Member 1's approval no longer counts.
	e.endBlock()
	if st := e.status(pending); st != types.ProposalStatus_PROPOSAL_STATUS_VOTING {
		t.Fatalf("approval of a removed member counted: %s", st)
	}
	_ = e.approve(3, pending)
	e.endBlock()
	if st := e.status(pending); st != types.ProposalStatus_PROPOSAL_STATUS_EXECUTED {
		t.Fatalf("%s", st)
	}
}

func TestValidateUpdates(t *testing.T) {
	before := []*types.Validator{{PubKey: consKey(0), Power: 10}}
	for _, tc := range []struct {
		name string
		upd  []keeper.ValidatorUpdate
		want *petro.Error
	}{
		{"ok", []keeper.ValidatorUpdate{{PubKey: consKey(1), Power: 3}}, nil},
		{"duplicate", []keeper.ValidatorUpdate{{PubKey: consKey(1), Power: 3}, {PubKey: consKey(1), Power: 4}}, types.ErrDuplicateValidator},
		{"negative", []keeper.ValidatorUpdate{{PubKey: consKey(1), Power: -3}}, types.ErrInvalidPower},
		{"bad key", []keeper.ValidatorUpdate{{PubKey: []byte{1}, Power: 3}}, types.ErrUnsupportedKeyType},
		{"remove unknown", []keeper.ValidatorUpdate{{PubKey: consKey(1), Power: 0}}, types.ErrUnknownValidator},
		{"empty set", []keeper.ValidatorUpdate{{PubKey: consKey(0), Power: 0}}, types.ErrLastValidator},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := keeper.ValidateUpdates(before, tc.upd)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestPowerCapDoesNotOverflow(t *testing.T) {
	const big = int64(1) << 57 // 4 × 2^57 is within CometBFT's total limit; ×100 is not within int64
	e := newEnv(t, func(gs *types.GenesisState) {
		for _, v := range gs.Validators {
			v.Power = big
		}
	})
	if _, err := e.propose(1, addVal(7, 2*big)); !errors.Is(err, types.ErrPowerChangeTooLarge) {
		t.Fatalf("+50%% of the power accepted: %v", err)
	}
}

func TestExecutedActionEventsReachTheBlock(t *testing.T) {
	e := newEnv(t, nil)
	id, _ := e.propose(1, addVal(7, 10))
	_ = e.approve(2, id)
	ctx := e.ctx()
	if _, err := e.k.EndBlock(ctx, nil); err != nil {
		t.Fatal(err)
	}
	var types_ []string
	for _, ev := range ctx.Events() {
		types_ = append(types_, ev.Type)
	}
	want := []string{types.EventTypeProposalPassed, types.EventTypeValidatorUpdate, types.EventTypeProposalFinalized}
	if fmt.Sprint(types_) != fmt.Sprint(want) {
		t.Fatalf("events %v, want %v", types_, want)
	}
}

type kvState struct{ kv store.KVStore }

func (s kvState) StateAt(int64) (store.KVStore, int64, error) { return s.kv, 1, nil }

func TestRolesQueryPaginates(t *testing.T) {
	e := newEnv(t, func(gs *types.GenesisState) {
		for i := 30; i < 35; i++ {
			gs.Roles = append(gs.Roles, &types.RoleGrant{Address: addr(i), Role: types.Role_ROLE_ORACLE})
		}
		gs.Roles = append(gs.Roles, &types.RoleGrant{Address: addr(30), Role: types.Role_ROLE_PAUSER})
	})
	q := keeper.NewQueryServer(keeper.Keeper{}, kvState{e.kv})
	var all []*types.RoleGrant
	var key []byte
	for pages := 0; ; pages++ {
		resp, err := q.Roles(context.Background(), &types.QueryRolesRequest{Pagination: &types.PageRequest{Key: key, Limit: 2}})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, resp.Roles...)
		if key = resp.Pagination.NextKey; len(key) == 0 {
			break
		}
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
	}
	if len(all) != 6 {
		t.Fatalf("%d grants over the pages, want 6", len(all))
	}
	one, err := q.Roles(context.Background(), &types.QueryRolesRequest{Address: addr(30)})
	if err != nil || len(one.Roles) != 2 {
		t.Fatalf("by address: %v %v", err, one)
	}
	if _, err := q.Roles(context.Background(), &types.QueryRolesRequest{Pagination: &types.PageRequest{Key: []byte{1}}}); !errors.Is(err, types.ErrInvalidAddress) {
		t.Fatalf("bad key: %v", err)
	}
}

// Validators and Peers page in key order; total power and the validators'
// node ids cover the whole set on every page (#17).
func TestValidatorsAndPeersQueriesPaginate(t *testing.T) {
	e := newEnv(t, func(gs *types.GenesisState) {
		for i := 20; i < 25; i++ {
			gs.Peers = append(gs.Peers, &types.AllowedPeer{NodeId: nodeID(i)})
		}
	})
	q := keeper.NewQueryServer(keeper.Keeper{}, kvState{e.kv})
	var vals int
	var key []byte
	for pages := 0; ; pages++ {
		resp, err := q.Validators(context.Background(), &types.QueryValidatorsRequest{Pagination: &types.PageRequest{Key: key, Limit: 3}})
		if err != nil {
			t.Fatal(err)
		}
		if resp.TotalPower != 40 || len(resp.Validators) > 3 {
			t.Fatalf("page %d: total power %d, %d validators", pages, resp.TotalPower, len(resp.Validators))
		}
		vals += len(resp.Validators)
		if key = resp.Pagination.NextKey; len(key) == 0 {
			break
		}
	}
	var peers int
	key = nil
	for {
		resp, err := q.Peers(context.Background(), &types.QueryPeersRequest{Pagination: &types.PageRequest{Key: key, Limit: 2}})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.ValidatorNodeIds) != 4 {
			t.Fatalf("%d validator node ids", len(resp.ValidatorNodeIds))
		}
		peers += len(resp.Allowlist)
		if key = resp.Pagination.NextKey; len(key) == 0 {
			break
		}
	}
	if vals != 4 || peers != 5 {
		t.Fatalf("paged %d validators, %d peers; want 4, 5", vals, peers)
	}
}
