package keeper_test

import (
	"encoding/binary"
	"slices"
	"testing"

	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/reserve/types"
)

// FuzzSettle drives the aggregation end to end: up to 7 oracles report
// (lot-a, lot-b, price) from the fuzz bytes to one round under a fuzzed
// quorum and max deviation, then the end-block settles. Nothing panics;
// the round settles exactly when the accepted reports reach the quorum;
// its medians lie within the reported range; outliers are reporters;
// reporters and missed oracles partition the oracle set; and every
// reserve invariant holds afterwards.
func FuzzSettle(f *testing.F) {
	seed := func(quorum, bps byte, reports ...[3]uint64) []byte {
		out := []byte{quorum, bps}
		for _, r := range reports {
			for _, v := range r {
				out = binary.BigEndian.AppendUint64(out, v)
			}
		}
		return out
	}
	f.Add(seed(2, 5, [3]uint64{100 * barrel, 50 * barrel, 70 * barrel}, [3]uint64{102 * barrel, 50 * barrel, 72 * barrel}))
	f.Add(seed(3, 5, [3]uint64{100, 50, 70}, [3]uint64{100, 50, 70}, [3]uint64{200, 50, 90}))
	f.Add(seed(1, 0, [3]uint64{^uint64(0), ^uint64(0), ^uint64(0)}))
	f.Add(seed(7, 255, [3]uint64{1, 1, 1}, [3]uint64{0, 0, 0}, [3]uint64{3, 1 << 62, 9}, [3]uint64{4, 4, 4}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) < 2 {
			return
		}
		var reports [][3]uint64
		for rest := in[2:]; len(rest) >= 24 && len(reports) < 7; rest = rest[24:] {
			reports = append(reports, [3]uint64{binary.BigEndian.Uint64(rest), binary.BigEndian.Uint64(rest[8:]), binary.BigEndian.Uint64(rest[16:])})
		}
		oracles := max(len(reports), 1)
		quorum := 1 + uint32(in[0])%uint32(oracles+1) // may exceed the oracles: never settles
		e := newEnv(t, func(gs *types.GenesisState) {
			gs.Params.Quorum = quorum
			gs.Params.MaxDeviationBps = 1 + uint32(in[1])*39 // 0.01 … 99.5 %
		})
		e.auth.oracles = nil
		for i := 0; i < oracles; i++ {
			e.auth.oracles = append(e.auth.oracles, addr(i+1))
		}
		var accepted []int
		for i, r := range reports {
			if err := e.attest(i+1, 1, r[0], r[1], r[2]); err == nil {
				accepted = append(accepted, i)
			} else if space, code, _ := petro.ABCIInfo(err); space == petro.CodespaceRoot && code == petro.ErrInternal.Code {
				t.Fatalf("attest: internal error %v", err)
			}
		}
		if err := e.k.EndBlock(e.ctx()); err != nil {
			t.Fatalf("end block: %v", err)
		}
		round, err := e.k.LatestRound(e.kv)
		if err != nil {
			t.Fatal(err)
		}
		if settled := round != nil; settled != (len(accepted) >= int(quorum)) {
			t.Fatalf("settled %v with %d accepted reports, quorum %d", settled, len(accepted), quorum)
		}
		if round != nil {
			var prices []uint64
			for _, i := range accepted {
				prices = append(prices, reports[i][2])
			}
			if round.Price < slices.Min(prices) || round.Price > slices.Max(prices) {
				t.Fatalf("median price %d outside %v", round.Price, prices)
			}
			for _, o := range round.Outliers {
				if !slices.Contains(round.Reporters, o) {
					t.Fatalf("outlier %s did not report", o)
				}
			}
			if len(round.Reporters)+len(round.Missed) != oracles {
				t.Fatalf("%d reporters + %d missed ≠ %d oracles", len(round.Reporters), len(round.Missed), oracles)
			}
		}
		res, err := e.k.Invariants(e.kv, true)
		if err != nil {
			t.Fatal(err)
		}
		if err := petro.Broken(res); err != nil {
			t.Fatal(err)
		}
	})
}
