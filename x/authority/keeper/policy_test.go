package keeper_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/authority/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
)

// fakeFreezes stands in for x/token's freeze records (bech32 → frozen).
type fakeFreezes map[string]bool

func (f *fakeFreezes) IsFrozen(_ store.KVStore, a crypto.Address) (bool, error) {
	return (*f)[a.String()], nil
}

func (e *env) freeze(i int) { (*e.frozen)[addr(i)] = true }

// fakeReserve refuses a quorum above the oracles as x/reserve does.
type fakeReserve struct{ quorum int }

func (f *fakeReserve) CheckQuorum(_ store.KVStore, oracles int) error {
	if f.quorum > oracles {
		return reservetypes.ErrQuorumUnreachable.Wrapf("quorum %d > %d oracles", f.quorum, oracles)
	}
	return nil
}

// TestFrozenMemberHoldsNoPower: a frozen council member neither proposes
// nor approves (authority/30, after the membership check), and the
// refusal stores nothing.
func TestFrozenMemberHoldsNoPower(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(e *env) error
		want *petro.Error
	}{
		{"frozen member proposes", func(e *env) error {
			e.freeze(1)
			_, err := e.propose(1, grant(9, types.Role_ROLE_ORACLE))
			return err
		}, types.ErrSignerFrozen},
		{"frozen member approves", func(e *env) error {
			id, _ := e.propose(1, grant(9, types.Role_ROLE_ORACLE))
			e.freeze(2)
			return e.approve(2, id)
		}, types.ErrSignerFrozen},
		{"frozen member approves an unknown proposal: frozen comes first", func(e *env) error {
			e.freeze(2)
			return e.approve(2, 42)
		}, types.ErrSignerFrozen},
		{"frozen non-member proposes: membership comes first", func(e *env) error {
			e.freeze(7)
			_, err := e.propose(7, grant(9, types.Role_ROLE_ORACLE))
			return err
		}, types.ErrNotCouncilMember},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			if err := tc.run(e); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			ps, _ := e.k.Proposal(e.kv, 1)
			if ps != nil && len(ps.Approvals) != 1 {
				t.Fatalf("approvals %v", ps.Approvals)
			}
		})
	}
}

// TestFrozenApprovalsDoNotCount: the recount skips members frozen now;
// the approval is kept and counts again once they are unfrozen. The
// threshold never shrinks.
func TestFrozenApprovalsDoNotCount(t *testing.T) {
	for _, tc := range []struct {
		name   string
		frozen int
	}{{"approver frozen", 2}, {"proposer frozen", 1}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil) // members 1, 2, 3; threshold 2
			id, _ := e.propose(1, grant(9, types.Role_ROLE_ORACLE))
			if err := e.approve(2, id); err != nil {
				t.Fatal(err)
			}
			e.freeze(tc.frozen)
			e.endBlock()
			if st := e.status(id); st != types.ProposalStatus_PROPOSAL_STATUS_VOTING {
				t.Fatalf("a frozen member's approval counted: %s", st)
			}
			delete(*e.frozen, addr(tc.frozen))
			e.endBlock()
			if st := e.status(id); st != types.ProposalStatus_PROPOSAL_STATUS_EXECUTED {
				t.Fatalf("after the unfreeze: %s", st)
			}
		})
	}
}

// TestFreezeCannotStopTheCouncil: freezing a member is refused when the
// members left unfrozen would be fewer than the threshold; set_council
// may not name a council whose unfrozen members miss its threshold (at
// proposal time and again at execution).
func TestFreezeCannotStopTheCouncil(t *testing.T) {
	e := newEnv(t, nil) // members 1, 2, 3; threshold 2
	if err := e.k.CheckFreeze(e.kv, mustAddr(t, addr(1))); err != nil {
		t.Fatalf("freezing one of three: %v", err)
	}
	e.freeze(1)
	err := e.k.CheckFreeze(e.kv, mustAddr(t, addr(2)))
	if !errors.Is(err, types.ErrCouncilUnreachable) || !strings.Contains(err.Error(), "1 unfrozen members, threshold 2") {
		t.Fatalf("freezing a second of three (threshold 2): %v", err)
	}
	if err := e.k.CheckFreeze(e.kv, mustAddr(t, addr(7))); err != nil {
		t.Fatalf("freezing a non-member: %v", err)
	}
	if err := e.k.CheckCouncilReach(e.kv); err != nil {
		t.Fatalf("council with 2 of 3 unfrozen: %v", err)
	}
	e.freeze(2) // around the rule (as a genesis could)
	if err := e.k.CheckCouncilReach(e.kv); !errors.Is(err, types.ErrCouncilUnreachable) {
		t.Fatalf("council with 1 of 3 unfrozen: %v", err)
	}

	setCouncil := func(thr uint32, members ...int) *types.Action {
		c := &types.Council{Threshold: thr}
		for _, m := range members {
			c.Members = append(c.Members, addr(m))
		}
		return &types.Action{Sum: &types.Action_SetCouncil{SetCouncil: &types.SetCouncil{Council: c}}}
	}
	e = newEnv(t, nil)
	e.freeze(1)
	if _, err := e.propose(2, setCouncil(2, 1, 2)); !errors.Is(err, types.ErrCouncilUnreachable) {
		t.Fatalf("set_council {1 frozen, 2}, threshold 2: %v", err)
	}
	id, err := e.propose(2, setCouncil(2, 3, 4))
	if err != nil {
		t.Fatal(err)
	}
	_ = e.approve(3, id)
	e.freeze(4) // not a member yet, so nothing stops it
	e.endBlock()
	p, _ := e.k.Proposal(e.kv, id)
	if p.Status != types.ProposalStatus_PROPOSAL_STATUS_FAILED || !strings.Contains(p.Result, "threshold") {
		t.Fatalf("set_council re-checked at execution: %s %q", p.Status, p.Result)
	}
}

// TestRevokeOracleKeepsQuorum: revoking an oracle is refused (reserve/22)
// when the oracles left would be fewer than the reserve quorum, at
// proposal time and again at execution; other roles are not affected.
func TestRevokeOracleKeepsQuorum(t *testing.T) {
	revoke := func(i int, r types.Role) *types.Action {
		return &types.Action{Sum: &types.Action_RevokeRole{RevokeRole: &types.RevokeRole{Address: addr(i), Role: r}}}
	}
	e := newEnv(t, func(gs *types.GenesisState) {
		for _, i := range []int{7, 8, 9} {
			gs.Roles = append(gs.Roles, &types.RoleGrant{Address: addr(i), Role: types.Role_ROLE_ORACLE},
				&types.RoleGrant{Address: addr(i), Role: types.Role_ROLE_PAUSER})
		}
	})
	e.res.quorum = 3
	if _, err := e.propose(1, revoke(9, types.Role_ROLE_ORACLE)); !errors.Is(err, reservetypes.ErrQuorumUnreachable) {
		t.Fatalf("revoke below the quorum: %v", err)
	}
	if _, err := e.propose(1, revoke(9, types.Role_ROLE_PAUSER)); err != nil {
		t.Fatalf("revoking another role: %v", err)
	}
	e.res.quorum = 2
	a, errA := e.propose(1, revoke(8, types.Role_ROLE_ORACLE))
	b, errB := e.propose(1, revoke(9, types.Role_ROLE_ORACLE)) // each alone leaves 2
	if errA != nil || errB != nil {
		t.Fatalf("%v %v", errA, errB)
	}
	_ = e.approve(2, a)
	_ = e.approve(2, b)
	e.endBlock()
	pb, _ := e.k.Proposal(e.kv, b)
	if e.status(a) != types.ProposalStatus_PROPOSAL_STATUS_EXECUTED || pb.Status != types.ProposalStatus_PROPOSAL_STATUS_FAILED ||
		!strings.Contains(pb.Result, "quorum 2 > 1 oracles") {
		t.Fatalf("second revocation: %s %q", pb.Status, pb.Result)
	}
	if oracles, _ := e.k.Oracles(e.kv); len(oracles) != 2 {
		t.Fatalf("oracles %v", oracles)
	}
}
