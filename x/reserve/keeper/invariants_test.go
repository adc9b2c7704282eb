package keeper_test

import (
	"testing"

	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/reserve/keeper"
	"github.com/petro-network/petro/x/reserve/types"
)

// Every reserve invariant holds on a chain the rules built, and each
// breaks on a state they would never produce (others may break with it).
func TestReserveInvariants(t *testing.T) {
	settled := func(t *testing.T) *env {
		e := newEnv(t, nil)
		for i := 1; i <= 2; i++ {
			if err := e.attest(i, 1, 100*barrel, 50*barrel, 70*barrel); err != nil {
				t.Fatal(err)
			}
		}
		e.endBlock()
		return e
	}
	for _, c := range []struct {
		name     string
		broken   string // "" = all hold
		malleate func(t *testing.T, e *env)
	}{
		{"after settlement", "", func(*testing.T, *env) {}},
		{"open round skips one", keeper.InvOpenRound, func(t *testing.T, e *env) {
			must(t, petro.SetUint64(e.kv, types.OpenRoundKey, 3))
		}},
		{"report left in a settled round", keeper.InvReportsOpen, func(t *testing.T, e *env) {
			must(t, e.kv.Set(types.ReportKey(1, make([]byte, 20)), []byte{}))
		}},
		{"outliers exceed reports", keeper.InvOracleCounters, func(t *testing.T, e *env) {
			must(t, petro.SetProto(e.kv, types.OracleKey(make([]byte, 20)), &types.OracleRecord{Address: "x", Outliers: 1}))
		}},
		{"backing figures stale", keeper.InvBackingFigures, func(t *testing.T, e *env) {
			b, err := e.k.Backing(e.kv)
			must(t, err)
			b.AvailableBarrels++
			must(t, petro.SetProto(e.kv, types.BackingKey, b))
		}},
		{"round lot deleted", keeper.InvRoundLotsExist, func(t *testing.T, e *env) {
			must(t, e.kv.Delete(types.LotKey("lot-a")))
		}},
		{"history gap", keeper.InvHistoryMonotone, func(t *testing.T, e *env) {
			r, err := e.k.Round(e.kv, 1)
			must(t, err)
			r.Id = 7
			must(t, petro.SetProto(e.kv, types.RoundKey(1), r))
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := settled(t)
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
