package keeper

import (
	"bytes"

	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/reserve/types"
)

// Invariant names, as the Invariants query reports them.
const (
	InvOpenRound        = "open round = latest settled round + 1"
	InvReportsOpen      = "raw reports exist only for the open round"
	InvBackingFigures   = "backing = f(latest round, active lots, pending deliveries, supply)"
	InvOracleCounters   = "oracle counters: outliers ≤ reports, reports + misses ≤ settled rounds, last round < open round"
	InvRoundLotsExist   = "every lot in the latest round exists"
	InvHistoryMonotone  = "settled rounds 1…latest all exist, settled heights and times increase"
	invModule           = types.ModuleName
	backingNeedsRecount = "backing status %s: figures not recomputed this block"
)

// Invariants evaluates the reserve invariants on kv (a state after a
// block's end-block). With full false it checks only those whose cost
// does not grow with the chain's history (what every block checks); full
// adds the history scan.
func (k Keeper) Invariants(kv store.KVStore, full bool) ([]petro.InvariantResult, error) {
	open, err := k.OpenRound(kv)
	if err != nil {
		return nil, err
	}
	var res []petro.InvariantResult
	add := func(name string, holds bool, format string, args ...any) {
		res = append(res, petro.Invariant(invModule, name, holds, format, args...))
	}

	// The open round was never settled; the one before it was.
	openSettled, err := kv.Has(types.RoundKey(open))
	if err != nil {
		return nil, err
	}
	prevSettled := true
	if open > 1 {
		if prevSettled, err = kv.Has(types.RoundKey(open - 1)); err != nil {
			return nil, err
		}
	}
	add(InvOpenRound, open >= 1 && !openSettled && prevSettled, "open round %d, settled: open %v, previous %v", open, openSettled, prevSettled)

	// Reports of settled rounds are deleted when the round settles.
	stray := uint64(0)
	it, err := kv.Iterator(types.ReportPrefix, petro.PrefixEnd(types.ReportPrefix))
	if err != nil {
		return nil, err
	}
	want := types.ReportRoundPrefix(open)
	for ; it.Valid(); it.Next() {
		if !bytes.HasPrefix(it.Key(), want) {
			stray++
		}
	}
	if err := it.Error(); err != nil {
		it.Close()
		return nil, err
	}
	it.Close()
	add(InvReportsOpen, stray == 0, "%d reports outside open round %d", stray, open)

	var latest *types.SettledRound
	if open > 1 && prevSettled { // else the open-round invariant already failed
		if latest, err = k.LatestRound(kv); err != nil {
			return nil, err
		}
	}
	if err := k.backingInvariant(kv, latest, add); err != nil {
		return nil, err
	}

	settled := open - 1
	var badOracle string
	err = iterate(kv, types.OraclePrefix, func() proto.Message { return &types.OracleRecord{} }, func(m proto.Message) bool {
		r := m.(*types.OracleRecord)
		if r.Outliers > r.Reports || r.Reports > settled || r.Misses > settled-r.Reports || r.LastRound >= open {
			badOracle = r.Address
			return true
		}
		return false
	})
	if err != nil {
		return nil, err
	}
	add(InvOracleCounters, badOracle == "", "settled rounds %d; inconsistent record: %q", settled, badOracle)

	missingLot := ""
	for _, l := range latest.GetLots() {
		if ok, err := kv.Has(types.LotKey(l.LotId)); err != nil {
			return nil, err
		} else if !ok {
			missingLot = l.LotId
			break
		}
	}
	add(InvRoundLotsExist, missingLot == "", "missing lot %q", missingLot)

	if full {
		var prev *types.SettledRound
		var broken uint64
		for id := uint64(1); id < open && broken == 0; id++ {
			r, err := k.Round(kv, id)
			if err != nil {
				broken = id // includes a missing round
				break
			}
			if r.Id != id || (prev != nil && (r.SettledHeight <= prev.SettledHeight || r.SettledTimeUnix < prev.SettledTimeUnix)) {
				broken = id
			}
			prev = r
		}
		add(InvHistoryMonotone, broken == 0, "first bad round %d of %d settled", broken, settled)
	}
	return res, nil
}

// backingInvariant recomputes the stored backing's figures from the state
// they were computed from. A backing forced STALE (the reserve end-block
// failed) or HALTED keeps old figures, so only OK and UNDERBACKED are
// recomputed; the status rules hold for every status.
func (k Keeper) backingInvariant(kv store.KVStore, latest *types.SettledRound, add func(string, bool, string, ...any)) error {
	b, err := k.Backing(kv)
	if err != nil {
		return err
	}
	if b.Status != types.BackingStatus_BACKING_STATUS_OK && b.Status != types.BackingStatus_BACKING_STATUS_UNDERBACKED {
		add(InvBackingFigures, true, backingNeedsRecount, b.Status)
		return nil
	}
	params, err := k.Params(kv)
	if err != nil {
		return err
	}
	supply, err := k.token.Supply(kv)
	if err != nil {
		return err
	}
	hardCap, err := k.token.HardCap(kv)
	if err != nil {
		return err
	}
	var reserve, delivered uint64
	if latest != nil {
		if reserve, err = k.reserveBarrels(kv, latest, b.ComputedTimeUnix); err != nil {
			return err
		}
	}
	ds, _, err := k.Deliveries(kv)
	if err != nil {
		return err
	}
	for _, d := range ds {
		delivered += d.Barrels
	}
	available := satSub(reserve, delivered)
	capacity := types.Capacity(available, params, hardCap)
	ok := latest != nil && b.LatestRound == latest.Id &&
		b.AvailableBarrels == available && b.DeliveredBarrels == delivered &&
		b.Capacity == capacity && b.Supply == supply &&
		(b.Status == types.BackingStatus_BACKING_STATUS_OK) == (supply <= capacity)
	add(InvBackingFigures, ok, "stored: round %d available %d delivered %d capacity %d supply %d status %s; recomputed: available %d delivered %d capacity %d supply %d",
		b.LatestRound, b.AvailableBarrels, b.DeliveredBarrels, b.Capacity, b.Supply, b.Status, available, delivered, capacity, supply)
	return nil
}
