package keeper

import (
	"math"
	"strconv"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/token/types"
)

// Rate limits (#19). An issuer with a RateLimit may issue, within every
// window of W seconds, at most max: at block time t the window holds the
// issues recorded at block times r with t − W < r ≤ t. An issue at r
// counts until t = r + W − 1 and is out of the window from t = r + W on.
// Issues are recorded per (issuer, block time) only while the issuer has a
// limit; the handler prunes its records older than its longest window.

// RateLimit returns issuer's rate limit, or nil if it has none.
func (Keeper) RateLimit(kv store.KVStore, issuer crypto.Address) (*types.RateLimit, error) {
	r := &types.RateLimit{}
	ok, err := getMsg(kv, types.RateLimitKey(issuer), r)
	if !ok {
		return nil, err
	}
	return r, nil
}

// iterateRateUse calls fn for issuer's records with from ≤ block time ≤
// to, in time order, until fn returns true.
func iterateRateUse(kv store.KVStore, issuer crypto.Address, from, to int64, fn func(t int64, amount uint64) bool) error {
	if from < 0 {
		from = 0
	}
	if to < from {
		return nil
	}
	prefix := types.RateUsePrefixOf(issuer)
	end := petro.PrefixEnd(prefix)
	if to < math.MaxInt64 {
		end = types.RateUseKey(issuer, to+1)
	}
	it, err := kv.Iterator(types.RateUseKey(issuer, from), end)
	if err != nil {
		return err
	}
	defer it.Close()
	for ; it.Valid(); it.Next() {
		t, err := petro.DecodeUint64(it.Key()[len(prefix):])
		if err != nil {
			return err
		}
		amount, err := petro.DecodeUint64(it.Value())
		if err != nil {
			return err
		}
		if fn(int64(t), amount) {
			break
		}
	}
	return it.Error()
}

// WindowUsed is what issuer issued in the window of seconds ending at now,
// and the seconds until the oldest of it leaves the window (0 if none).
func (Keeper) WindowUsed(kv store.KVStore, issuer crypto.Address, now int64, seconds uint64) (used uint64, freesIn int64, err error) {
	var ovf error
	err = iterateRateUse(kv, issuer, now-int64(seconds)+1, now, func(t int64, amount uint64) bool {
		if used == 0 {
			freesIn = t + int64(seconds) - now
		}
		used, ovf = petro.SafeAdd(used, amount)
		return ovf != nil
	})
	if err == nil {
		err = ovf
	}
	return used, freesIn, err
}

// checkRateLimit refuses (ErrRateLimited) an issue of amount at now that
// would take any of issuer's windows above its max, saying when enough of
// the window frees up for this amount.
func (k Keeper) checkRateLimit(kv store.KVStore, issuer crypto.Address, amount uint64, now int64) (*types.RateLimit, error) {
	rl, err := k.RateLimit(kv, issuer)
	if err != nil || rl == nil {
		return nil, err
	}
	for _, w := range rl.Windows {
		used, _, err := k.WindowUsed(kv, issuer, now, w.Seconds)
		if err != nil {
			return nil, err
		}
		if after, err := petro.SafeAdd(used, amount); err == nil && after <= w.Max {
			continue
		}
		if amount > w.Max {
			return nil, types.ErrRateLimited.Wrapf("issuer %s, %ds window: amount %d above the window's max %d: split it",
				issuer, w.Seconds, amount, w.Max)
		}
		// The earliest record whose leaving frees enough: used − left + amount ≤ max.
		var left uint64
		var freesIn int64
		err = iterateRateUse(kv, issuer, now-int64(w.Seconds)+1, now, func(t int64, a uint64) bool {
			left += a
			freesIn = t + int64(w.Seconds) - now
			return used-left <= w.Max-amount
		})
		if err != nil {
			return nil, err
		}
		return nil, types.ErrRateLimited.Wrapf("issuer %s, %ds window: used %d + %d > max %d; capacity for this amount frees in %ds (at block time %d)",
			issuer, w.Seconds, used, amount, w.Max, freesIn, now+freesIn)
	}
	return rl, nil
}

// recordRateUse adds amount to issuer's record at now, deletes its
// records that have left its longest window and emits one rate_limit event
// per window with what is now used in it.
func (k Keeper) recordRateUse(ctx petro.Context, rl *types.RateLimit, issuer crypto.Address, amount uint64, now int64) error {
	if err := k.addRateUse(ctx.Store(), rl, issuer, amount, now); err != nil {
		return err
	}
	for _, w := range rl.Windows {
		used, _, err := k.WindowUsed(ctx.Store(), issuer, now, w.Seconds)
		if err != nil {
			return err
		}
		ctx.EmitEvent(petro.NewEvent(types.EventTypeRateLimit, "issuer", rl.Issuer, "window_seconds", strconv.FormatUint(w.Seconds, 10),
			"used", strconv.FormatUint(used, 10), "max", strconv.FormatUint(w.Max, 10)))
	}
	return nil
}

func (Keeper) addRateUse(kv store.KVStore, rl *types.RateLimit, issuer crypto.Address, amount uint64, now int64) error {
	longest := rl.Windows[len(rl.Windows)-1].Seconds
	if cut := now - int64(longest) + 1; cut > 0 {
		it, err := kv.Iterator(types.RateUsePrefixOf(issuer), types.RateUseKey(issuer, cut))
		if err != nil {
			return err
		}
		var old [][]byte
		for ; it.Valid(); it.Next() {
			old = append(old, append([]byte(nil), it.Key()...))
		}
		it.Close()
		for _, key := range old {
			if err := kv.Delete(key); err != nil {
				return err
			}
		}
	}
	key := types.RateUseKey(issuer, now)
	cur, err := petro.GetUint64(kv, key, 0)
	if err != nil {
		return err
	}
	if cur, err = petro.SafeAdd(cur, amount); err != nil {
		return types.ErrSupplyOverflow.Wrap(err.Error())
	}
	return petro.SetUint64(kv, key, cur)
}

// deleteRateUse removes every usage record of issuer.
func (Keeper) deleteRateUse(kv store.KVStore, issuer crypto.Address) error {
	prefix := types.RateUsePrefixOf(issuer)
	it, err := kv.Iterator(prefix, petro.PrefixEnd(prefix))
	if err != nil {
		return err
	}
	var keys [][]byte
	for ; it.Valid(); it.Next() {
		keys = append(keys, append([]byte(nil), it.Key()...))
	}
	it.Close()
	for _, key := range keys {
		if err := kv.Delete(key); err != nil {
			return err
		}
	}
	return nil
}

// IterateRateLimits calls fn for every rate limit in issuer-address order.
func (Keeper) IterateRateLimits(kv store.KVStore, fn func(addr crypto.Address, rl *types.RateLimit) error) error {
	it, err := kv.Iterator(types.RateLimitPrefix, petro.PrefixEnd(types.RateLimitPrefix))
	if err != nil {
		return err
	}
	defer it.Close()
	for ; it.Valid(); it.Next() {
		rl := &types.RateLimit{}
		if err := unmarshalProto(it.Value(), rl); err != nil {
			return err
		}
		addr := crypto.Address(append([]byte(nil), it.Key()[len(types.RateLimitPrefix):]...))
		if err := fn(addr, rl); err != nil {
			return err
		}
	}
	return it.Error()
}

// validateSetRateLimit checks the council's set_rate_limit against state:
// the limit is valid against the hard cap, and no window's new max is
// below what the issuer already used in it (ErrLimitBelowUsed: pause,
// freeze or revoke stops an issuer at once).
func (k Keeper) validateSetRateLimit(ctx petro.Context, s *types.SetRateLimit) error {
	if err := s.ValidateBasic(); err != nil {
		return err
	}
	kv := ctx.Store()
	hardCap, err := k.HardCap(kv)
	if err != nil {
		return err
	}
	if err := s.Limit.Validate(hardCap); err != nil {
		return err
	}
	issuer, _ := crypto.AddressFromBech32(s.Limit.Issuer)
	for _, w := range s.Limit.Windows {
		used, freesIn, err := k.WindowUsed(kv, issuer, ctx.BlockTime().Unix(), w.Seconds)
		if err != nil {
			return err
		}
		if used > w.Max {
			return types.ErrLimitBelowUsed.Wrapf("%ds window: max %d < used %d (the oldest of it leaves in %ds)", w.Seconds, w.Max, used, freesIn)
		}
	}
	return nil
}

// executeSetRateLimit stores the limit, or with no windows deletes it and
// the issuer's usage records.
func (k Keeper) executeSetRateLimit(ctx petro.Context, s *types.SetRateLimit) error {
	if err := k.validateSetRateLimit(ctx, s); err != nil {
		return err
	}
	kv := ctx.Store()
	issuer, _ := crypto.AddressFromBech32(s.Limit.Issuer)
	rl := &types.RateLimit{Issuer: issuer.String(), Windows: s.Limit.Windows}
	if len(rl.Windows) == 0 {
		if err := kv.Delete(types.RateLimitKey(issuer)); err != nil {
			return err
		}
		if err := k.deleteRateUse(kv, issuer); err != nil {
			return err
		}
	} else if err := setMsg(kv, types.RateLimitKey(issuer), rl); err != nil {
		return err
	}
	ctx.EmitEvent(petro.NewEvent(types.EventTypeRateLimitSet, "issuer", rl.Issuer, "windows", strconv.Itoa(len(rl.Windows))))
	return nil
}
