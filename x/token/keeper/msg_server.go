package keeper

import (
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
