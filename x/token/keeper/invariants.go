package keeper

import (
	"fmt"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	"github.com/petro-network/petro/x/token/types"
)

// Invariant names, as the Invariants query reports them.
const (
	InvSupplyHeld     = "supply = Σ balances + Σ escrow"
	InvEscrowTracked  = "escrow total = Σ open redemptions"
	InvIssuedBurned   = "Σ issued − Σ burned = supply"
	InvWithinCapacity = "supply ≤ capacity while backing is OK"
	// #19
	InvTranches    = "Σ tranche outstanding = supply"
	InvRateWindows = "used window amount ≤ limit"
)

// Invariants evaluates every token invariant on kv. The capacity check
// needs the reserve; with the zero Keeper it is skipped.
func (k Keeper) Invariants(kv store.KVStore) ([]*types.InvariantResult, error) {
	supply, err := k.Supply(kv)
	if err != nil {
		return nil, err
	}
	t, err := k.Totals(kv)
	if err != nil {
		return nil, err
	}
	var sum uint64
	var ovf error
	err = k.IterateBalances(kv, nil, func(_ crypto.Address, amount uint64) bool {
		sum, ovf = petro.SafeAdd(sum, amount)
		return ovf != nil
	})
	if err != nil {
		return nil, err
	}
	if ovf != nil {
		return nil, fmt.Errorf("invariant broken: Σ balances overflows: %w", ovf)
	}
	var open uint64
	it, err := kv.Iterator(types.RedemptionPrefix, petro.PrefixEnd(types.RedemptionPrefix))
	if err != nil {
		return nil, err
	}
	for ; it.Valid(); it.Next() {
		r := &types.Redemption{}
		if err := unmarshalRedemption(it.Value(), r); err != nil {
			it.Close()
			return nil, err
		}
		if r.Status == types.RedemptionStatus_REDEMPTION_STATUS_REQUESTED || r.Status == types.RedemptionStatus_REDEMPTION_STATUS_ACCEPTED {
			open += r.Amount
		}
	}
	it.Close()
	res := []*types.InvariantResult{
		check(InvSupplyHeld, sum+t.Escrow == supply, "supply %d, Σ balances %d, escrow %d", supply, sum, t.Escrow),
		check(InvEscrowTracked, open == t.Escrow, "escrow total %d, Σ open redemptions %d", t.Escrow, open),
		check(InvIssuedBurned, t.Issued >= t.Burned && t.Issued-t.Burned == supply, "issued %d, burned %d, supply %d", t.Issued, t.Burned, supply),
	}
	tr, err := k.trancheInvariant(kv, supply)
	if err != nil {
		return nil, err
	}
	res = append(res, tr)
	if k.reserve != nil {
		b, err := k.reserve.Backing(kv)
		if err != nil {
			return nil, err
		}
		ok := b.Status != reservetypes.BackingStatus_BACKING_STATUS_OK || supply <= b.Capacity
		res = append(res, check(InvWithinCapacity, ok, "status %s, supply %d, capacity %d", b.Status, supply, b.Capacity))
		// The backing is computed at the end of every block: its time is
		// the last block's time.
		rw, err := k.rateInvariant(kv, b.ComputedTimeUnix)
		if err != nil {
			return nil, err
		}
		res = append(res, rw)
	}
	return res, nil
}

func check(name string, holds bool, format string, args ...any) *types.InvariantResult {
	return &types.InvariantResult{Name: name, Holds: holds, Detail: fmt.Sprintf(format, args...)}
}

// CheckInvariants returns an error naming every invariant that fails.
func (k Keeper) CheckInvariants(kv store.KVStore) error {
	res, err := k.Invariants(kv)
	if err != nil {
		return err
	}
	for _, r := range res {
		if !r.Holds {
			return fmt.Errorf("invariant broken: %s (%s)", r.Name, r.Detail)
		}
	}
	return nil
}

// ModuleInvariants is Invariants in the form the app gathers from every
// module. With full false only the checks whose cost does not grow with
// the number of holders or redemptions run (what every block checks).
func (k Keeper) ModuleInvariants(kv store.KVStore, full bool) ([]petro.InvariantResult, error) {
	if full {
		res, err := k.Invariants(kv)
		if err != nil {
			return nil, err
		}
		out := make([]petro.InvariantResult, len(res))
		for i, r := range res {
			out[i] = petro.InvariantResult{Module: types.ModuleName, Name: r.Name, Holds: r.Holds, Detail: r.Detail}
		}
		return out, nil
	}
	supply, err := k.Supply(kv)
	if err != nil {
		return nil, err
	}
	t, err := k.Totals(kv)
	if err != nil {
		return nil, err
	}
	out := []petro.InvariantResult{petro.Invariant(types.ModuleName, InvIssuedBurned,
		t.Issued >= t.Burned && t.Issued-t.Burned == supply, "issued %d, burned %d, supply %d", t.Issued, t.Burned, supply)}
	if k.reserve != nil {
		b, err := k.reserve.Backing(kv)
		if err != nil {
			return nil, err
		}
		ok := b.Status != reservetypes.BackingStatus_BACKING_STATUS_OK || supply <= b.Capacity
		out = append(out, petro.Invariant(types.ModuleName, InvWithinCapacity, ok, "status %s, supply %d, capacity %d", b.Status, supply, b.Capacity))
	}
	return out, nil
}

// IssuanceStop returns why issuance is stopped, or "" while it is not.
func (Keeper) IssuanceStop(kv store.KVStore) (string, error) {
	bz, err := kv.Get(types.IssuanceStopKey)
	return string(bz), err
}

// StopIssuance records the first broken invariant: from then on MsgIssue
// fails with ErrIssuanceStopped. A later call keeps the first reason.
func (k Keeper) StopIssuance(kv store.KVStore, reason string) error {
	if cur, err := k.IssuanceStop(kv); err != nil || cur != "" {
		return err
	}
	return kv.Set(types.IssuanceStopKey, []byte(reason))
}

// trancheInvariant: every tranche's outstanding is within its cap, and
// they sum to the supply.
func (k Keeper) trancheInvariant(kv store.KVStore, supply uint64) (*types.InvariantResult, error) {
	ts, err := k.Tranches(kv)
	if err != nil {
		return nil, err
	}
	hardCap, err := k.HardCap(kv)
	if err != nil {
		return nil, err
	}
	var sum uint64
	for _, t := range ts {
		if t.Burned > t.Issued || t.Outstanding() > t.Cap(hardCap) {
			return check(InvTranches, false, "tranche %s: issued %d, burned %d, cap %d", t.Name, t.Issued, t.Burned, t.Cap(hardCap)), nil
		}
		if sum, err = petro.SafeAdd(sum, t.Outstanding()); err != nil {
			return check(InvTranches, false, "Σ outstanding overflows"), nil
		}
	}
	return check(InvTranches, sum == supply, "Σ outstanding %d over %d tranches, supply %d", sum, len(ts), supply), nil
}

// rateInvariant: at block time now, no issuer has used more than the max
// of any of its windows.
func (k Keeper) rateInvariant(kv store.KVStore, now int64) (*types.InvariantResult, error) {
	var bad *types.InvariantResult
	n := 0
	err := k.IterateRateLimits(kv, func(addr crypto.Address, rl *types.RateLimit) error {
		for _, w := range rl.Windows {
			used, _, err := k.WindowUsed(kv, addr, now, w.Seconds)
			if err != nil {
				return err
			}
			n++
			if used > w.Max && bad == nil {
				bad = check(InvRateWindows, false, "issuer %s, %ds window: used %d > max %d at %d", addr, w.Seconds, used, w.Max, now)
			}
		}
		return nil
	})
	if err != nil || bad != nil {
		return bad, err
	}
	return check(InvRateWindows, true, "%d windows within their max at %d", n, now), nil
}
