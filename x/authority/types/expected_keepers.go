package types

import (
	"github.com/petro-network/petro/crypto"
	petro "github.com/petro-network/petro/types"
)

// ActionExecutor applies actions owned by other modules (reserve lots,
// token wipes, …) when a proposal carrying one executes. The app wires it.
type ActionExecutor interface {
	// ValidateAction checks an action at proposal time; ExecuteAction
	// applies it. Both return ErrInvalidAction for an action they don't own.
	ValidateAction(ctx petro.Context, a *Action) error
	ExecuteAction(ctx petro.Context, a *Action) error
}

// TokenKeeper tells whether an account is frozen (x/token): a frozen
// council member neither proposes nor approves, and its approvals do not
// count.
type TokenKeeper interface {
	IsFrozen(kv petro.KVStore, addr crypto.Address) (bool, error)
}

// ReserveKeeper holds the reserve quorum that revoking an oracle must not
// leave out of reach.
type ReserveKeeper interface {
	// CheckQuorum fails with reserve/22 if the quorum exceeds oracles.
	CheckQuorum(kv petro.KVStore, oracles int) error
}
