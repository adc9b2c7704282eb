package types

import petro "github.com/petro-network/petro/types"

// Codespace of x/token. Codes are frozen once released.
const Codespace = "token"

var (
	ErrInvalidAmount     = petro.Register(Codespace, 2, "invalid amount")
	ErrInsufficientFunds = petro.Register(Codespace, 3, "insufficient funds")
	ErrInvalidAddress    = petro.Register(Codespace, 4, "invalid address")
	ErrSelfTransfer      = petro.Register(Codespace, 5, "sender and recipient are the same")
	ErrSupplyOverflow    = petro.Register(Codespace, 6, "supply overflow")
	ErrInvalidGenesis    = petro.Register(Codespace, 7, "invalid genesis")
)
