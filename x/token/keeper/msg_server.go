package keeper

import (
	"github.com/petro-network/petro/internal/crypto"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/token/types"
)

// Send handles MsgSend: validate → load → check → mutate → emit. The ante
// handler has already checked that m.From signed the tx.
func (k Keeper) HandleSend(ctx petro.Context, m *types.MsgSend) error {
	if err := m.ValidateBasic(); err != nil {
		return err
	}
	from, _ := crypto.AddressFromBech32(m.From) // validated above
	to, _ := crypto.AddressFromBech32(m.To)
	if err := k.Send(ctx.Store(), from, to, m.Amount); err != nil {
		return err
	}
	ctx.EmitEvent(transferEvent(m.From, m.To, m.Amount))
	return nil
}
