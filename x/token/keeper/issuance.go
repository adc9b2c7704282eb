package keeper

import (
	"errors"
	"strconv"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	"github.com/petro-network/petro/x/token/types"
)

// HandleIssue mints PTR against attested reserve. Checks, in order:
// issuer role → issuer not frozen → issuance not paused (nor stopped by a broken invariant) → recipient not frozen →
// backing OK → hard cap → tranche (exists, issuer allowed, open, not full) →
// capacity → rate limit → allowance (spent) → mint, record tranche and rate
// use → event. Each refusal has
// its own code and changes nothing.
func (k Keeper) HandleIssue(ctx petro.Context, m *types.MsgIssue) error {
	if err := m.ValidateBasic(); err != nil {
		return err
	}
	kv := ctx.Store()
	issuer, _ := crypto.AddressFromBech32(m.Issuer)
	to, _ := crypto.AddressFromBech32(m.Recipient)
	if err := k.requireRole(kv, m.Issuer, k.authority.IsIssuer, types.ErrNotIssuer); err != nil {
		return err
	}
	pause, err := k.Pause(kv)
	if err != nil {
		return err
	}
	if pause.IssuancePaused {
		return types.ErrIssuancePaused
	}
	if stop, err := k.IssuanceStop(kv); err != nil {
		return err
	} else if stop != "" {
		return types.ErrIssuanceStopped.Wrap(stop)
	}
	if err := k.checkNotFrozen(kv, to, "recipient"); err != nil {
		return err
	}
	backing, err := k.reserve.Backing(kv)
	if err != nil {
		return err
	}
	if backing.Status != reservetypes.BackingStatus_BACKING_STATUS_OK {
		return types.ErrBackingNotOK.Wrapf("status is %s", backing.Status)
	}
	supply, err := k.Supply(kv)
	if err != nil {
		return err
	}
	newSupply, err := petro.SafeAdd(supply, m.Amount)
	if err != nil {
		return types.ErrOverHardCap.Wrap(err.Error())
	}
	hardCap, err := k.HardCap(kv)
	if err != nil {
		return err
	}
	if newSupply > hardCap {
		return types.ErrOverHardCap.Wrapf("supply %d + %d > hard cap %d", supply, m.Amount, hardCap)
	}
	// After the hard cap, so that an issue without a tranche into the
	// implied "default" (cap = hard cap) keeps its old refusal.
	now := ctx.BlockTime().Unix()
	tranche, err := k.checkTranche(kv, m.Tranche, issuer, m.Amount, now)
	if err != nil {
		return err
	}
	if newSupply > backing.Capacity {
		return types.ErrOverCapacity.Wrapf("supply %d + %d > capacity %d", supply, m.Amount, backing.Capacity)
	}
	rl, err := k.checkRateLimit(kv, issuer, m.Amount, now)
	if err != nil {
		return err
	}
	if err := k.authority.UseAllowance(kv, issuer, m.Amount); errors.Is(err, authoritytypes.ErrInsufficientAllowance) {
		return types.ErrOverAllowance.Wrap(err.Error())
	} else if err != nil {
		return err // a store error stays internal (petro/1), never token/9
	}
	if err := k.mint(kv, to, m.Amount); err != nil {
		return err
	}
	tranche.Issued += m.Amount // ≤ cap ≤ hard cap: checked above
	if err := k.setTranche(kv, tranche); err != nil {
		return err
	}
	if rl != nil {
		if err := k.recordRateUse(ctx, rl, issuer, m.Amount, now); err != nil {
			return err
		}
	}
	ctx.EmitEvent(petro.NewEvent(types.EventTypeIssue, "issuer", m.Issuer, types.AttrRecipient, m.Recipient,
		types.AttrAmount, strconv.FormatUint(m.Amount, 10), types.AttrTranche, tranche.Name))
	return nil
}

// mint credits amount to addr, raising supply and the issued total.
func (k Keeper) mint(kv store.KVStore, to crypto.Address, amount uint64) error {
	bal, err := k.Balance(kv, to)
	if err != nil {
		return err
	}
	if bal, err = petro.SafeAdd(bal, amount); err != nil {
		return types.ErrSupplyOverflow.Wrap(err.Error())
	}
	supply, err := k.Supply(kv)
	if err != nil {
		return err
	}
	if supply, err = petro.SafeAdd(supply, amount); err != nil {
		return types.ErrSupplyOverflow.Wrap(err.Error())
	}
	t, err := k.Totals(kv)
	if err != nil {
		return err
	}
	if t.Issued, err = petro.SafeAdd(t.Issued, amount); err != nil {
		return types.ErrSupplyOverflow.Wrap(err.Error())
	}
	if err := k.setBalance(kv, to, bal); err != nil {
		return err
	}
	if err := petro.SetUint64(kv, types.SupplyKey, supply); err != nil {
		return err
	}
	return k.setTotals(kv, t)
}

// burnEscrow destroys amount held in escrow: supply and escrow fall, the
// burned total rises.
func (k Keeper) burnEscrow(kv store.KVStore, amount uint64) error {
	supply, err := k.Supply(kv)
	if err != nil {
		return err
	}
	t, err := k.Totals(kv)
	if err != nil {
		return err
	}
	if supply < amount || t.Escrow < amount {
		return types.ErrSupplyOverflow.Wrapf("burn %d of supply %d, escrow %d", amount, supply, t.Escrow)
	}
	t.Escrow -= amount
	if t.Burned, err = petro.SafeAdd(t.Burned, amount); err != nil {
		return err
	}
	if err := petro.SetUint64(kv, types.SupplyKey, supply-amount); err != nil {
		return err
	}
	if err := k.burnFromTranches(kv, amount); err != nil {
		return err
	}
	return k.setTotals(kv, t)
}
