package keeper

import (
	"math"
	"math/big"
	"sort"
	"strconv"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/reserve/types"
)

// EndBlock settles the open round if the quorum of current oracles has
// reported, then recomputes the backing from block time and emits an
// event when the status changes.
func (k Keeper) EndBlock(ctx petro.Context) error {
	if err := k.settle(ctx); err != nil {
		return err
	}
	return k.updateBacking(ctx)
}

// settle: per-lot median barrels, median price and median observation
// time over the reports of eligible oracles (holding the role, not
// frozen); reports farther than the max
// deviation from a median are outliers; current oracles that did not
// report missed the round. Medians of an even count take the mean of the
// two middle values, rounded down.
func (k Keeper) settle(ctx petro.Context) error {
	kv := ctx.Store()
	params, err := k.Params(kv)
	if err != nil {
		return err
	}
	open, err := k.OpenRound(kv)
	if err != nil {
		return err
	}
	oracles, err := k.eligibleOracles(kv)
	if err != nil {
		return err
	}
	all, err := k.Reports(kv, open)
	if err != nil {
		return err
	}
	var reports []*types.Attestation
	for _, r := range all {
		if contains(oracles, r.Oracle) { // a revoked or frozen oracle's report does not count
			reports = append(reports, r)
		}
	}
	if len(reports) < int(params.Quorum) {
		return nil
	}
	now := ctx.BlockTime().Unix()
	round := &types.SettledRound{Id: open, SettledHeight: ctx.BlockHeight(), SettledTimeUnix: now}

	prices := make([]uint64, len(reports))
	times := make([]uint64, len(reports))
	perLot := map[string][]uint64{}
	for i, r := range reports {
		prices[i], times[i] = r.Price, uint64(r.ObservedAtUnix)
		for _, l := range r.Lots {
			perLot[l.LotId] = append(perLot[l.LotId], l.Barrels)
		}
		round.Reporters = append(round.Reporters, r.Oracle)
	}
	round.Price = median(prices)
	round.ObservedAtUnix = int64(median(times))
	lotIDs := make([]string, 0, len(perLot))
	for id := range perLot {
		lotIDs = append(lotIDs, id)
	}
	sort.Strings(lotIDs)
	medians := map[string]uint64{}
	for _, id := range lotIDs {
		// The quorum holds per lot too: a lot created while the round was
		// open, reported by fewer oracles, waits for the next round.
		if len(perLot[id]) < int(params.Quorum) {
			continue
		}
		medians[id] = median(perLot[id])
		round.Lots = append(round.Lots, &types.LotReport{LotId: id, Barrels: medians[id]})
	}
	for _, r := range reports {
		out := deviates(r.Price, round.Price, params.MaxDeviationBps)
		for _, l := range r.Lots {
			if m, ok := medians[l.LotId]; ok {
				out = out || deviates(l.Barrels, m, params.MaxDeviationBps)
			}
		}
		if out {
			round.Outliers = append(round.Outliers, r.Oracle)
		}
	}
	for _, o := range oracles {
		if !contains(round.Reporters, o) {
			round.Missed = append(round.Missed, o)
		}
	}
	sort.Strings(round.Reporters)
	sort.Strings(round.Outliers)
	sort.Strings(round.Missed)

	// Reliability counters.
	for _, o := range oracles {
		addr, _ := crypto.AddressFromBech32(o)
		rec, err := k.OracleRecord(kv, addr, o)
		if err != nil {
			return err
		}
		switch {
		case contains(round.Missed, o):
			rec.Misses++
		default:
			rec.Reports++
			rec.LastRound = open
		}
		if contains(round.Outliers, o) {
			rec.Outliers++
		}
		if err := set(kv, types.OracleKey(addr), rec); err != nil {
			return err
		}
	}
	// Deliveries observed by this round are in its figures now.
	ds, keys, err := k.Deliveries(kv)
	if err != nil {
		return err
	}
	for i, d := range ds {
		if d.TimeUnix <= round.ObservedAtUnix {
			if err := kv.Delete(keys[i]); err != nil {
				return err
			}
		}
	}
	// Reports of the settled round are kept inside it; drop the raw ones.
	for _, r := range all {
		addr, _ := crypto.AddressFromBech32(r.Oracle)
		if err := kv.Delete(types.ReportKey(open, addr)); err != nil {
			return err
		}
	}
	if round.Supply, err = k.token.Supply(kv); err != nil {
		return err
	}
	round.TotalBarrels, err = k.reserveBarrels(kv, round, now)
	if err != nil {
		return err
	}
	// Deliveries not yet observed by this round still reduce its reserve.
	remaining, _, err := k.Deliveries(kv)
	if err != nil {
		return err
	}
	available := round.TotalBarrels
	for _, d := range remaining {
		available = satSub(available, d.Barrels)
	}
	round.CoverageBps = types.CoverageBps(available, round.Supply, params.BarrelsPerToken)
	if err := set(kv, types.RoundKey(open), round); err != nil {
		return err
	}
	if err := petro.SetUint64(kv, types.OpenRoundKey, open+1); err != nil {
		return err
	}
	ctx.EmitEvent(petro.NewEvent(types.EventTypeRoundSettled,
		"round_id", strconv.FormatUint(open, 10), "price", strconv.FormatUint(round.Price, 10),
		"total_barrels", strconv.FormatUint(round.TotalBarrels, 10),
		"reporters", strconv.Itoa(len(round.Reporters)), "outliers", strconv.Itoa(len(round.Outliers))))
	return nil
}

// reserveBarrels is Σ over the round's lots that are still active at now
// (not retired, certificate unexpired) of their median barrels, saturating
// at the largest uint64: oracles' figures must never make the end-block
// fail (the round would stay open and the backing STALE for good), and a
// saturated reserve issues nothing beyond the hard cap, which bounds
// capacity anyway. Found by FuzzSettle (#17).
func (k Keeper) reserveBarrels(kv store.KVStore, round *types.SettledRound, now int64) (uint64, error) {
	var total uint64
	for _, l := range round.Lots {
		lot, err := k.Lot(kv, l.LotId)
		if err != nil {
			return 0, err
		}
		if lot == nil || lot.Retired || lot.ValidUntilUnix <= now {
			continue
		}
		if total, err = petro.SafeAdd(total, l.Barrels); err != nil {
			total = math.MaxUint64
		}
	}
	return total, nil
}

// updateBacking recomputes the backing at block time.
func (k Keeper) updateBacking(ctx petro.Context) error {
	kv := ctx.Store()
	prev, err := k.Backing(kv)
	if err != nil {
		return err
	}
	params, err := k.Params(kv)
	if err != nil {
		return err
	}
	now := ctx.BlockTime().Unix()
	b := &types.Backing{
		ComputedHeight: ctx.BlockHeight(), ComputedTimeUnix: now,
		Halted: prev.Halted, HaltReason: prev.HaltReason,
	}
	if b.Supply, err = k.token.Supply(kv); err != nil {
		return err
	}
	hardCap, err := k.token.HardCap(kv)
	if err != nil {
		return err
	}
	round, err := k.LatestRound(kv)
	if err != nil {
		return err
	}
	if round != nil {
		b.LatestRound, b.Price = round.Id, round.Price
		b.AttestationAgeSeconds = now - round.ObservedAtUnix
		reserve, err := k.reserveBarrels(kv, round, now)
		if err != nil {
			return err
		}
		ds, _, err := k.Deliveries(kv)
		if err != nil {
			return err
		}
		for _, d := range ds {
			b.DeliveredBarrels += d.Barrels // bounded by escrowed supply, far below 2^64
		}
		if reserve > b.DeliveredBarrels {
			b.AvailableBarrels = reserve - b.DeliveredBarrels
		}
		b.Capacity = types.Capacity(b.AvailableBarrels, params, hardCap)
		b.CoverageBps = types.CoverageBps(b.AvailableBarrels, b.Supply, params.BarrelsPerToken)
	}
	b.Nav = types.NAV(b.Supply, params.BarrelsPerToken, b.Price)
	eligible, err := k.eligibleOracles(kv)
	if err != nil {
		return err
	}
	b.EligibleOracles, b.Quorum = uint32(len(eligible)), params.Quorum
	switch {
	case b.Halted:
		b.Status = types.BackingStatus_BACKING_STATUS_HALTED
	case round == nil || b.AttestationAgeSeconds > int64(params.MaxAgeSeconds):
		b.Status = types.BackingStatus_BACKING_STATUS_STALE
		switch {
		case b.EligibleOracles < b.Quorum:
			b.StaleReason = types.StaleReason_STALE_REASON_TOO_FEW_ORACLES
		case round == nil:
			b.StaleReason = types.StaleReason_STALE_REASON_NO_ROUND
		default:
			b.StaleReason = types.StaleReason_STALE_REASON_ROUND_TOO_OLD
		}
	case b.Supply > b.Capacity:
		b.Status = types.BackingStatus_BACKING_STATUS_UNDERBACKED
	default:
		b.Status = types.BackingStatus_BACKING_STATUS_OK
	}
	b.SinceHeight = prev.SinceHeight
	if b.Status != prev.Status {
		b.SinceHeight = ctx.BlockHeight()
	}
	if b.Status != prev.Status || b.StaleReason != prev.StaleReason {
		ctx.EmitEvent(petro.NewEvent(types.EventTypeBackingStatus,
			"from", prev.Status.String(), "to", b.Status.String(),
			"supply", strconv.FormatUint(b.Supply, 10), "capacity", strconv.FormatUint(b.Capacity, 10),
			"stale_reason", b.StaleReason.String(),
			"eligible_oracles", strconv.FormatUint(uint64(b.EligibleOracles), 10), "quorum", strconv.FormatUint(uint64(b.Quorum), 10)))
	}
	return set(kv, types.BackingKey, b)
}

// median of vals (not modified); even counts take the floor of the mean
// of the two middle values, computed without overflow.
func median(vals []uint64) uint64 {
	s := append([]uint64(nil), vals...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	a, b := s[n/2-1], s[n/2]
	return a/2 + b/2 + (a%2+b%2)/2
}

// deviates reports |v − m| > bps/10000 × m (exactly, in 128-bit).
func deviates(v, m uint64, bps uint32) bool {
	d := v - m
	if v < m {
		d = m - v
	}
	lhs := new(big.Int).Mul(new(big.Int).SetUint64(d), big.NewInt(10_000))
	rhs := new(big.Int).Mul(new(big.Int).SetUint64(m), big.NewInt(int64(bps)))
	return lhs.Cmp(rhs) > 0
}

// ForceStale marks the backing STALE at this block without computing it:
// the app's fallback when the reserve end-block fails, so that no
// issuance relies on an out-of-date OK.
func (k Keeper) ForceStale(ctx petro.Context) error {
	kv := ctx.Store()
	b, err := k.Backing(kv)
	if err != nil {
		return err
	}
	if b.Status != types.BackingStatus_BACKING_STATUS_STALE && b.Status != types.BackingStatus_BACKING_STATUS_HALTED {
		b.Status, b.SinceHeight = types.BackingStatus_BACKING_STATUS_STALE, ctx.BlockHeight()
	}
	b.ComputedHeight, b.ComputedTimeUnix = ctx.BlockHeight(), ctx.BlockTime().Unix()
	return set(kv, types.BackingKey, b)
}

// satSub is a − b, or 0 when b > a.
func satSub(a, b uint64) uint64 {
	if b > a {
		return 0
	}
	return a - b
}
