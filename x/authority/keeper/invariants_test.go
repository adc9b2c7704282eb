package keeper_test

import (
	"testing"

	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/authority/keeper"
	"github.com/petro-network/petro/x/authority/types"
)

// Every authority invariant holds on a chain the rules built, and each
// breaks on a state they would never produce (others may break with it).
func TestAuthorityInvariants(t *testing.T) {
	for _, c := range []struct {
		name     string
		broken   string
		malleate func(t *testing.T, e *env)
	}{
		{"after a proposal executed and one voting", "", func(*testing.T, *env) {}},
		{"threshold above the members", keeper.InvCouncil, func(t *testing.T, e *env) {
			c, err := e.k.Council(e.kv)
			must(t, err)
			c.Threshold = 4
			must(t, petro.SetProto(e.kv, types.CouncilKey, c))
		}},
		{"validator under another key", keeper.InvValidatorSet, func(t *testing.T, e *env) {
			must(t, petro.SetProto(e.kv, types.ValidatorKey(make([]byte, 20)), &types.Validator{PubKey: consKey(9), Power: 1, NodeId: nodeID(9)}))
		}},
		{"two validators on one node", keeper.InvValidatorSet, func(t *testing.T, e *env) {
			v := &types.Validator{PubKey: consKey(9), Power: 1, NodeId: nodeID(0)}
			must(t, petro.SetProto(e.kv, types.ValidatorKey(types.ConsAddress(v.PubKey)), v))
		}},
		{"allowance for an oracle", keeper.InvRoles, func(t *testing.T, e *env) {
			g := &types.RoleGrant{Address: addr(8), Role: types.Role_ROLE_ORACLE, Allowance: 5}
			must(t, petro.SetProto(e.kv, types.RoleKey(g.Role, mustAddr(t, g.Address)), g))
		}},
		{"executed proposal still active", keeper.InvActiveProposals, func(t *testing.T, e *env) {
			must(t, e.kv.Set(types.ActiveKey(1), []byte{1}))
		}},
		{"voting proposal not active", keeper.InvAllProposals, func(t *testing.T, e *env) {
			must(t, e.kv.Delete(types.ActiveKey(2)))
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, nil)
			id, _ := e.propose(1, grant(9, types.Role_ROLE_ORACLE))
			must(t, e.approve(2, id))
			e.endBlock() // proposal 1 executed
			if _, err := e.propose(1, grant(8, types.Role_ROLE_PAUSER)); err != nil {
				t.Fatal(err) // proposal 2 voting
			}
			c.malleate(t, e)
			res, err := e.k.Invariants(e.kv, true)
			must(t, err)
			for _, r := range res {
				if c.broken == "" && !r.Holds || r.Name == c.broken && r.Holds {
					t.Errorf("%s: holds %v (%s)", r.Name, r.Holds, r.Detail)
				}
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
