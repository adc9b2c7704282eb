package keeper

import (
	petro "github.com/petro-network/petro/types"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	"github.com/petro-network/petro/x/reserve/types"
)

// ValidateAction checks a reserve action of a council proposal against
// current state; it is called at proposal time and again at execution.
func (k Keeper) ValidateAction(ctx petro.Context, a *authoritytypes.Action) error {
	kv := ctx.Store()
	switch s := a.GetSum().(type) {
	case *authoritytypes.Action_CreateLot:
		if err := s.CreateLot.GetLot().ValidateBasic(); err != nil {
			return err
		}
		if s.CreateLot.Lot.Retired {
			return types.ErrInvalidLot.Wrap("a new lot cannot be retired")
		}
		if l, err := k.Lot(kv, s.CreateLot.Lot.Id); err != nil {
			return err
		} else if l != nil {
			return types.ErrLotExists.Wrap(s.CreateLot.Lot.Id)
		}
	case *authoritytypes.Action_UpdateLot:
		if err := s.UpdateLot.GetLot().ValidateBasic(); err != nil {
			return err
		}
		if l, err := k.Lot(kv, s.UpdateLot.Lot.Id); err != nil {
			return err
		} else if l == nil {
			return types.ErrUnknownLot.Wrap(s.UpdateLot.Lot.Id)
		} else if l.Retired {
			return types.ErrLotRetired.Wrap(l.Id)
		}
	case *authoritytypes.Action_RetireLot:
		if l, err := k.Lot(kv, s.RetireLot.GetLotId()); err != nil {
			return err
		} else if l == nil {
			return types.ErrUnknownLot.Wrap(s.RetireLot.GetLotId())
		} else if l.Retired {
			return types.ErrLotRetired.Wrap(l.Id)
		}
	case *authoritytypes.Action_SetHalt:
		if len(s.SetHalt.GetReason()) > 256 {
			return authoritytypes.ErrInvalidAction.Wrap("halt reason longer than 256 bytes")
		}
	case *authoritytypes.Action_SetReserveParams:
		if err := s.SetReserveParams.GetParams().Validate(); err != nil {
			return err
		}
		oracles, err := k.authority.Oracles(kv)
		if err != nil {
			return err
		}
		return checkQuorum(s.SetReserveParams.Params.Quorum, len(oracles))
	default:
		return authoritytypes.ErrInvalidAction.Wrapf("not a reserve action: %s", a.Name())
	}
	return nil
}

// ExecuteAction applies a validated reserve action.
func (k Keeper) ExecuteAction(ctx petro.Context, a *authoritytypes.Action) error {
	if err := k.ValidateAction(ctx, a); err != nil {
		return err
	}
	kv := ctx.Store()
	switch s := a.GetSum().(type) {
	case *authoritytypes.Action_CreateLot:
		ctx.EmitEvent(petro.NewEvent(types.EventTypeLot, "lot_id", s.CreateLot.Lot.Id, "change", "created"))
		return set(kv, types.LotKey(s.CreateLot.Lot.Id), s.CreateLot.Lot)
	case *authoritytypes.Action_UpdateLot:
		ctx.EmitEvent(petro.NewEvent(types.EventTypeLot, "lot_id", s.UpdateLot.Lot.Id, "change", "updated"))
		return set(kv, types.LotKey(s.UpdateLot.Lot.Id), s.UpdateLot.Lot)
	case *authoritytypes.Action_RetireLot:
		l, err := k.Lot(kv, s.RetireLot.LotId)
		if err != nil {
			return err
		}
		l.Retired = true
		ctx.EmitEvent(petro.NewEvent(types.EventTypeLot, "lot_id", l.Id, "change", "retired"))
		return set(kv, types.LotKey(l.Id), l)
	case *authoritytypes.Action_SetHalt:
		b, err := k.Backing(kv)
		if err != nil {
			return err
		}
		b.Halted, b.HaltReason = s.SetHalt.Halted, s.SetHalt.Reason
		return set(kv, types.BackingKey, b)
	case *authoritytypes.Action_SetReserveParams:
		return set(kv, types.ParamsKey, s.SetReserveParams.Params)
	}
	return nil
}
