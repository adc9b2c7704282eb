package keeper

import (
	"strconv"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	"github.com/petro-network/petro/x/token/types"
)

// HandleFreeze: compliance officer, not frozen → not already frozen →
// the council keeps enough unfrozen members (x/authority) → record the
// reason code and case id. A frozen account can neither send,
// receive nor redeem, and exercises no role.
func (k Keeper) HandleFreeze(ctx petro.Context, m *types.MsgFreeze) error {
	if err := m.ValidateBasic(); err != nil {
		return err
	}
	kv := ctx.Store()
	if err := k.requireRole(kv, m.Officer, k.authority.IsComplianceOfficer, types.ErrNotCompliance); err != nil {
		return err
	}
	addr, _ := crypto.AddressFromBech32(m.Address)
	if r, err := k.Frozen(kv, addr); err != nil {
		return err
	} else if r != nil {
		return types.ErrAlreadyFrozen.Wrapf("%s (case %s)", m.Address, r.CaseId)
	}
	if err := k.authority.CheckFreeze(kv, addr); err != nil {
		return err
	}
	rec := &types.FreezeRecord{Address: m.Address, ReasonCode: m.ReasonCode, CaseId: m.CaseId, Officer: m.Officer, Height: ctx.BlockHeight()}
	if err := setMsg(kv, types.FrozenKey(addr), rec); err != nil {
		return err
	}
	ctx.EmitEvent(petro.NewEvent(types.EventTypeFreeze, "address", m.Address, "reason_code", strconv.FormatUint(uint64(m.ReasonCode), 10), "case_id", m.CaseId, "officer", m.Officer))
	return nil
}

func (k Keeper) HandleUnfreeze(ctx petro.Context, m *types.MsgUnfreeze) error {
	if err := m.ValidateBasic(); err != nil {
		return err
	}
	kv := ctx.Store()
	if err := k.requireRole(kv, m.Officer, k.authority.IsComplianceOfficer, types.ErrNotCompliance); err != nil {
		return err
	}
	addr, _ := crypto.AddressFromBech32(m.Address)
	if r, err := k.Frozen(kv, addr); err != nil {
		return err
	} else if r == nil {
		return types.ErrNotFrozen.Wrap(m.Address)
	}
	if err := kv.Delete(types.FrozenKey(addr)); err != nil {
		return err
	}
	ctx.EmitEvent(petro.NewEvent(types.EventTypeUnfreeze, "address", m.Address, "case_id", m.CaseId, "officer", m.Officer))
	return nil
}

func (k Keeper) HandlePause(ctx petro.Context, m *types.MsgPause) error {
	return k.setPause(ctx, m.Pauser, m.Scope, true, m.ValidateBasic)
}
func (k Keeper) HandleUnpause(ctx petro.Context, m *types.MsgUnpause) error {
	return k.setPause(ctx, m.Pauser, m.Scope, false, m.ValidateBasic)
}

func (k Keeper) setPause(ctx petro.Context, pauser string, scope types.PauseScope, paused bool, validate func() error) error {
	if err := validate(); err != nil {
		return err
	}
	kv := ctx.Store()
	if err := k.requireRole(kv, pauser, k.authority.IsPauser, types.ErrNotPauser); err != nil {
		return err
	}
	p, err := k.Pause(kv)
	if err != nil {
		return err
	}
	flag := &p.TransfersPaused
	if scope == types.PauseScope_PAUSE_SCOPE_ISSUANCE {
		flag = &p.IssuancePaused
	}
	switch {
	case paused && *flag:
		return types.ErrAlreadyPaused.Wrap(scope.String())
	case !paused && !*flag:
		return types.ErrNotPaused.Wrap(scope.String())
	}
	*flag = paused
	if err := setMsg(kv, types.PauseKey, p); err != nil {
		return err
	}
	typ := types.EventTypePause
	if !paused {
		typ = types.EventTypeUnpause
	}
	ctx.EmitEvent(petro.NewEvent(typ, "scope", scope.String(), "pauser", pauser))
	return nil
}

// requireRole authorises a role message: the signer who holds the role
// (else missing) and is not frozen (else ErrSignerFrozen). The role is
// checked first, so the frozen code is only ever shown to a key that holds
// the role.
func (k Keeper) requireRole(kv store.KVStore, who string, has func(store.KVStore, crypto.Address) (bool, error), missing *petro.Error) error {
	addr, _ := crypto.AddressFromBech32(who) // validated
	ok, err := has(kv, addr)
	if err != nil {
		return err
	}
	if !ok {
		return missing.Wrap(who)
	}
	return k.checkSignerNotFrozen(kv, addr)
}

// ValidateAction and ExecuteAction serve the council's token actions:
// wiping a frozen balance and rejecting an open redemption.
func (k Keeper) ValidateAction(ctx petro.Context, a *authoritytypes.Action) error {
	if s := a.GetSetRateLimit(); s != nil {
		return k.validateSetRateLimit(ctx, s)
	}
	if s := a.GetSetTranche(); s != nil {
		return k.validateSetTranche(ctx.Store(), s)
	}
	if r := a.GetRejectRedemption(); r != nil {
		if err := r.ValidateBasic(); err != nil {
			return err
		}
		_, err := k.redemptionIn(ctx, r.RedemptionId,
			types.RedemptionStatus_REDEMPTION_STATUS_REQUESTED, types.RedemptionStatus_REDEMPTION_STATUS_ACCEPTED)
		return err
	}
	w := a.GetWipeFrozen()
	if w == nil {
		return authoritytypes.ErrInvalidAction.Wrapf("not a token action: %s", a.Name())
	}
	if err := w.ValidateBasic(); err != nil {
		return err
	}
	addr, _ := crypto.AddressFromBech32(w.Address)
	kv := ctx.Store()
	if r, err := k.Frozen(kv, addr); err != nil {
		return err
	} else if r == nil {
		return types.ErrNotFrozen.Wrap(w.Address)
	}
	if bal, err := k.Balance(kv, addr); err != nil {
		return err
	} else if bal == 0 {
		return types.ErrNothingToWipe.Wrap(w.Address)
	}
	return nil
}

// ExecuteAction applies a validated token action. wipe_frozen burns the
// frozen balance (supply falls, burned rises); reject_redemption refunds
// the escrow and closes the redemption as REJECTED, its issuer unchanged.
func (k Keeper) ExecuteAction(ctx petro.Context, a *authoritytypes.Action) error {
	if s := a.GetSetRateLimit(); s != nil {
		return k.executeSetRateLimit(ctx, s)
	}
	if s := a.GetSetTranche(); s != nil {
		return k.executeSetTranche(ctx, s)
	}
	if err := k.ValidateAction(ctx, a); err != nil {
		return err
	}
	if r := a.GetRejectRedemption(); r != nil {
		red, err := k.Redemption(ctx.Store(), r.RedemptionId)
		if err != nil {
			return err
		}
		return k.reject(ctx, red, r.Reason, "")
	}
	w := a.GetWipeFrozen()
	kv := ctx.Store()
	addr, _ := crypto.AddressFromBech32(w.Address)
	bal, err := k.Balance(kv, addr)
	if err != nil {
		return err
	}
	supply, err := k.Supply(kv)
	if err != nil {
		return err
	}
	t, err := k.Totals(kv)
	if err != nil {
		return err
	}
	if t.Burned, err = petro.SafeAdd(t.Burned, bal); err != nil {
		return err
	}
	if err := k.setBalance(kv, addr, 0); err != nil {
		return err
	}
	if err := petro.SetUint64(kv, types.SupplyKey, supply-bal); err != nil {
		return err
	}
	if err := k.burnFromTranches(kv, bal); err != nil {
		return err
	}
	if err := k.setTotals(kv, t); err != nil {
		return err
	}
	ctx.EmitEvent(petro.NewEvent(types.EventTypeWipe, "address", w.Address, types.AttrAmount, strconv.FormatUint(bal, 10), "case_id", w.CaseId))
	return nil
}
