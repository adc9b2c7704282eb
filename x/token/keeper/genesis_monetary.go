package keeper

import (
	"math"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/token/types"
)

// initMonetary stores #19's genesis state (validated): the tranches, or
// without any one tranche "default" (the whole hard cap, every issuer,
// holding the genesis supply) that is also the default; the rate limits
// and their usage records.
func (k Keeper) initMonetary(kv store.KVStore, gs *types.GenesisState, supply uint64) error {
	ts, def := gs.Tranches, gs.DefaultTranche
	if len(ts) == 0 {
		ts = []*types.Tranche{{Name: types.DefaultTrancheName, CapBps: types.BpsDenominator, Issued: supply}}
		def = types.DefaultTrancheName
	}
	for _, t := range ts {
		if err := k.setTranche(kv, t); err != nil {
			return err
		}
	}
	if def != "" {
		if err := kv.Set(types.DefaultTrancheKey, []byte(def)); err != nil {
			return err
		}
	}
	for _, rl := range gs.RateLimits {
		addr, _ := crypto.AddressFromBech32(rl.Issuer)
		if err := setMsg(kv, types.RateLimitKey(addr), &types.RateLimit{Issuer: addr.String(), Windows: rl.Windows}); err != nil {
			return err
		}
	}
	for _, u := range gs.RateUsage {
		addr, _ := crypto.AddressFromBech32(u.Issuer)
		if err := petro.SetUint64(kv, types.RateUseKey(addr, u.TimeUnix), u.Amount); err != nil {
			return err
		}
	}
	return nil
}

// exportMonetary adds tranches, the default tranche, rate limits and
// usage records to gs, in key order.
func (k Keeper) exportMonetary(kv store.KVStore, gs *types.GenesisState) error {
	var err error
	if gs.Tranches, err = k.Tranches(kv); err != nil {
		return err
	}
	if gs.DefaultTranche, err = k.DefaultTranche(kv); err != nil {
		return err
	}
	return k.IterateRateLimits(kv, func(addr crypto.Address, rl *types.RateLimit) error {
		gs.RateLimits = append(gs.RateLimits, rl)
		return iterateRateUse(kv, addr, 0, math.MaxInt64, func(t int64, amount uint64) bool {
			gs.RateUsage = append(gs.RateUsage, &types.RateUsage{Issuer: addr.String(), TimeUnix: t, Amount: amount})
			return false
		})
	})
}
