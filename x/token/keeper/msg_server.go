package keeper

import (
	"fmt"

	"github.com/petro-network/petro/crypto"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/token/types"
)

// HandleSend handles MsgSend: validate → transfers not paused → neither
// side frozen → funds → mutate → emit. The ante handler has already
// checked that m.From signed the tx.
func (k Keeper) HandleSend(ctx petro.Context, m *types.MsgSend) error {
	if err := m.ValidateBasic(); err != nil {
		return err
	}
	from, _ := crypto.AddressFromBech32(m.From) // validated above
	to, _ := crypto.AddressFromBech32(m.To)
	kv := ctx.Store()
	pause, err := k.Pause(kv)
	if err != nil {
		return err
	}
	if pause.TransfersPaused {
		return types.ErrTransfersPaused
	}
	if err := k.checkNotFrozen(kv, from, "sender"); err != nil {
		return err
	}
	if err := k.checkNotFrozen(kv, to, "recipient"); err != nil {
		return err
	}
	if err := k.Send(kv, from, to, m.Amount); err != nil {
		return err
	}
	ctx.EmitEvent(transferEvent(m.From, m.To, m.Amount))
	return nil
}

// HandleBatchSend handles MsgBatchSend (#19): validate → transfers not
// paused → sender not frozen → each recipient not frozen → sender's
// balance ≥ Σ outputs → each output moved in order → one transfer event
// per output. All or nothing: the message runs on a branch.
func (k Keeper) HandleBatchSend(ctx petro.Context, m *types.MsgBatchSend) error {
	if err := m.ValidateBasic(); err != nil {
		return err
	}
	from, _ := crypto.AddressFromBech32(m.From) // validated above
	kv := ctx.Store()
	pause, err := k.Pause(kv)
	if err != nil {
		return err
	}
	if pause.TransfersPaused {
		return types.ErrTransfersPaused
	}
	if err := k.checkNotFrozen(kv, from, "sender"); err != nil {
		return err
	}
	tos := make([]crypto.Address, len(m.Outputs))
	for i, o := range m.Outputs {
		tos[i], _ = crypto.AddressFromBech32(o.To)
		if err := k.checkNotFrozen(kv, tos[i], "recipient"); err != nil {
			return fmt.Errorf("output %d: %w", i, err)
		}
	}
	bal, err := k.Balance(kv, from)
	if err != nil {
		return err
	}
	if total := m.Total(); bal < total {
		return types.ErrInsufficientFunds.Wrapf("%s has %d, the batch needs %d", from, bal, total)
	}
	for i, o := range m.Outputs {
		if err := k.Send(kv, from, tos[i], o.Amount); err != nil {
			return fmt.Errorf("output %d: %w", i, err)
		}
		ctx.EmitEvent(transferEvent(from.String(), tos[i].String(), o.Amount))
	}
	return nil
}
