package types

import petro "github.com/petro-network/petro/types"

// ActionExecutor applies actions owned by other modules (reserve lots,
// token wipes, …) when a proposal carrying one executes. The app wires it.
type ActionExecutor interface {
	// ValidateAction checks an action at proposal time; ExecuteAction
	// applies it. Both return ErrInvalidAction for an action they don't own.
	ValidateAction(ctx petro.Context, a *Action) error
	ExecuteAction(ctx petro.Context, a *Action) error
}
