package keeper

import (
	"errors"
	"math/bits"
	"strconv"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/token/types"
)

// Tranches (#19): named allocations of the hard cap. Every issue goes into
// one tranche, whose outstanding (issued − burned) may not exceed its cap;
// every burn is shared among the tranches pro rata to their outstanding,
// so Σ outstanding = supply always.

// Tranche returns the named tranche, or ErrUnknownTranche.
func (Keeper) Tranche(kv store.KVStore, name string) (*types.Tranche, error) {
	t := &types.Tranche{}
	ok, err := getMsg(kv, types.TrancheKey(name), t)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, types.ErrUnknownTranche.Wrapf("%q", name)
	}
	return t, nil
}

// Tranches returns every tranche in name order.
func (Keeper) Tranches(kv store.KVStore) ([]*types.Tranche, error) {
	it, err := kv.Iterator(types.TranchePrefix, petro.PrefixEnd(types.TranchePrefix))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []*types.Tranche
	for ; it.Valid(); it.Next() {
		t := &types.Tranche{}
		if err := unmarshalProto(it.Value(), t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, it.Error()
}

// DefaultTranche names the tranche of a MsgIssue that names none ("" if
// there is none).
func (Keeper) DefaultTranche(kv store.KVStore) (string, error) {
	bz, err := kv.Get(types.DefaultTrancheKey)
	return string(bz), err
}

func (Keeper) setTranche(kv store.KVStore, t *types.Tranche) error {
	return setMsg(kv, types.TrancheKey(t.Name), t)
}

// checkTranche resolves the tranche an issue of amount by issuer at now
// goes into and checks it: it exists (ErrTrancheRequired,
// ErrUnknownTranche), issuer may use it (ErrTrancheIssuer), it is open
// (ErrTrancheClosed) and outstanding + amount ≤ cap (ErrTrancheFull).
func (k Keeper) checkTranche(kv store.KVStore, name string, issuer crypto.Address, amount uint64, now int64) (*types.Tranche, error) {
	if name == "" {
		def, err := k.DefaultTranche(kv)
		if err != nil {
			return nil, err
		}
		if def == "" {
			return nil, types.ErrTrancheRequired
		}
		name = def
	}
	t, err := k.Tranche(kv, name)
	if err != nil {
		return nil, err
	}
	if len(t.Issuers) > 0 {
		allowed := false
		for _, a := range t.Issuers {
			if addr, err := crypto.AddressFromBech32(a); err == nil && addr.Equals(issuer) {
				allowed = true
				break
			}
		}
		if !allowed {
			return nil, types.ErrTrancheIssuer.Wrapf("%s into %s", issuer, name)
		}
	}
	if !t.Open(now) {
		return nil, types.ErrTrancheClosed.Wrapf("%s: open %d, close %d, block time %d", name, t.OpenUnix, t.CloseUnix, now)
	}
	hardCap, err := k.HardCap(kv)
	if err != nil {
		return nil, err
	}
	limit, out := t.Cap(hardCap), t.Outstanding()
	if after, err := petro.SafeAdd(out, amount); err != nil || after > limit {
		return nil, types.ErrTrancheFull.Wrapf("%s: outstanding %d + %d > cap %d", name, out, amount, limit)
	}
	return t, nil
}

// burnFromTranches attributes a burn of amount to the tranches pro rata to
// their outstanding: tranche i's share is ⌊amount × outᵢ ÷ Σ out⌋, and the
// base units left over by rounding (fewer than the number of tranches) go
// one each to tranches in name order that still have outstanding left.
func (k Keeper) burnFromTranches(kv store.KVStore, amount uint64) error {
	if amount == 0 {
		return nil
	}
	ts, err := k.Tranches(kv)
	if err != nil {
		return err
	}
	var total uint64
	for _, t := range ts {
		if total, err = petro.SafeAdd(total, t.Outstanding()); err != nil {
			return err
		}
	}
	if total < amount {
		return types.ErrSupplyOverflow.Wrapf("burn %d above Σ tranche outstanding %d", amount, total)
	}
	shares := make([]uint64, len(ts))
	var given uint64
	for i, t := range ts {
		hi, lo := bits.Mul64(amount, t.Outstanding())
		shares[i], _ = bits.Div64(hi, lo, total) // amount ≤ total: hi < total
		given += shares[i]
	}
	for rest := amount - given; rest > 0; {
		for i, t := range ts {
			if rest > 0 && t.Outstanding()-shares[i] > 0 {
				shares[i]++
				rest--
			}
		}
	}
	for i, t := range ts {
		if shares[i] == 0 {
			continue
		}
		t.Burned += shares[i] // ≤ outstanding: no overflow
		if err := k.setTranche(kv, t); err != nil {
			return err
		}
	}
	return nil
}

// validateSetTranche checks the council's set_tranche against state: a
// changed tranche's cap stays ≥ its outstanding (ErrCapBelowOutstanding)
// and the caps of all tranches sum to ≤ the hard cap
// (ErrTrancheCapsOverCap).
func (k Keeper) validateSetTranche(kv store.KVStore, s *types.SetTranche) error {
	if err := s.ValidateBasic(); err != nil {
		return err
	}
	hardCap, err := k.HardCap(kv)
	if err != nil {
		return err
	}
	ts, err := k.Tranches(kv)
	if err != nil {
		return err
	}
	nt := s.Tranche
	sum := nt.Cap(hardCap)
	for _, t := range ts {
		if t.Name == nt.Name {
			if nt.Cap(hardCap) < t.Outstanding() {
				return types.ErrCapBelowOutstanding.Wrapf("%s: cap %d < outstanding %d", t.Name, nt.Cap(hardCap), t.Outstanding())
			}
			continue
		}
		if sum, err = petro.SafeAdd(sum, t.Cap(hardCap)); err != nil {
			return types.ErrTrancheCapsOverCap.Wrap(err.Error())
		}
	}
	if sum > hardCap {
		return types.ErrTrancheCapsOverCap.Wrapf("Σ caps %d > hard cap %d", sum, hardCap)
	}
	return nil
}

// executeSetTranche writes the tranche, keeping an existing one's issued
// and burned.
func (k Keeper) executeSetTranche(ctx petro.Context, s *types.SetTranche) error {
	kv := ctx.Store()
	if err := k.validateSetTranche(kv, s); err != nil {
		return err
	}
	nt := &types.Tranche{Name: s.Tranche.Name, CapBps: s.Tranche.CapBps, CapAmount: s.Tranche.CapAmount,
		Issuers: s.Tranche.Issuers, OpenUnix: s.Tranche.OpenUnix, CloseUnix: s.Tranche.CloseUnix}
	if old, err := k.Tranche(kv, nt.Name); err == nil {
		nt.Issued, nt.Burned = old.Issued, old.Burned
	} else if !errors.Is(err, types.ErrUnknownTranche) {
		return err
	}
	if err := k.setTranche(kv, nt); err != nil {
		return err
	}
	hardCap, err := k.HardCap(kv)
	if err != nil {
		return err
	}
	ctx.EmitEvent(petro.NewEvent(types.EventTypeTrancheSet, types.AttrTranche, nt.Name, "cap", strconv.FormatUint(nt.Cap(hardCap), 10)))
	return nil
}
