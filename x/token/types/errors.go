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

	ErrNotIssuer          = petro.Register(Codespace, 8, "sender is not an issuer")
	ErrOverAllowance      = petro.Register(Codespace, 9, "amount exceeds the issuer's allowance")
	ErrOverCapacity       = petro.Register(Codespace, 10, "supply would exceed the attested capacity")
	ErrOverHardCap        = petro.Register(Codespace, 11, "supply would exceed the hard cap")
	ErrBackingNotOK       = petro.Register(Codespace, 12, "backing status is not OK")
	ErrIssuancePaused     = petro.Register(Codespace, 13, "issuance is paused")
	ErrTransfersPaused    = petro.Register(Codespace, 14, "transfers are paused")
	ErrFrozen             = petro.Register(Codespace, 15, "account is frozen")
	ErrNotCompliance      = petro.Register(Codespace, 16, "sender is not a compliance officer")
	ErrNotPauser          = petro.Register(Codespace, 17, "sender is not a pauser")
	ErrAlreadyFrozen      = petro.Register(Codespace, 18, "account already frozen")
	ErrNotFrozen          = petro.Register(Codespace, 19, "account is not frozen")
	ErrAlreadyPaused      = petro.Register(Codespace, 20, "already paused")
	ErrNotPaused          = petro.Register(Codespace, 21, "not paused")
	ErrInvalidScope       = petro.Register(Codespace, 22, "invalid pause scope")
	ErrRedemptionNotFound = petro.Register(Codespace, 23, "redemption not found")
	ErrRedemptionState    = petro.Register(Codespace, 24, "redemption is not in a state that allows this")
	ErrRedemptionExpired  = petro.Register(Codespace, 25, "redemption expired")
	ErrNotAcceptingIssuer = petro.Register(Codespace, 26, "only the issuer who accepted may fulfil")
	ErrInvalidHash        = petro.Register(Codespace, 27, "hash must be 32 bytes")
	ErrNoSettledRound     = petro.Register(Codespace, 28, "no settled reserve round to price the redemption")
	ErrInvalidReason      = petro.Register(Codespace, 29, "invalid reason or case id")
	ErrNothingToWipe      = petro.Register(Codespace, 30, "frozen account has no balance")

	// #21: a frozen key holds no power; an issuer never acts on its own
	// redemption; an accepted redemption belongs to its issuer.
	ErrSignerFrozen       = petro.Register(Codespace, 31, "signer is frozen: its roles are suspended")
	ErrOwnRedemption      = petro.Register(Codespace, 32, "an issuer cannot act on its own redemption")
	ErrNotAcceptingReject = petro.Register(Codespace, 33, "only the issuer who accepted may reject")

	// #17: set by the end-block when a ledger invariant breaks; cleared only
	// by a software upgrade that repairs the state.
	ErrIssuanceStopped = petro.Register(Codespace, 40, "issuance stopped: a ledger invariant is broken")
)

// #19: rate limits, tranches and batch transfers.
var (
	ErrRateLimited         = petro.Register(Codespace, 50, "issuance exceeds the issuer's rate limit")
	ErrInvalidRateLimit    = petro.Register(Codespace, 51, "invalid rate limit")
	ErrLimitBelowUsed      = petro.Register(Codespace, 52, "rate limit below the amount already used in its window")
	ErrUnknownTranche      = petro.Register(Codespace, 53, "unknown tranche")
	ErrTrancheRequired     = petro.Register(Codespace, 54, "no tranche named and no default tranche")
	ErrTrancheFull         = petro.Register(Codespace, 55, "issue would exceed the tranche's cap")
	ErrTrancheIssuer       = petro.Register(Codespace, 56, "issuer may not issue into this tranche")
	ErrTrancheClosed       = petro.Register(Codespace, 57, "tranche is not open at this block time")
	ErrInvalidTranche      = petro.Register(Codespace, 58, "invalid tranche")
	ErrTrancheCapsOverCap  = petro.Register(Codespace, 59, "tranche caps sum above the hard cap")
	ErrCapBelowOutstanding = petro.Register(Codespace, 60, "tranche cap below its outstanding amount")
	ErrNoOutputs           = petro.Register(Codespace, 61, "batch has no outputs")
	ErrTooManyOutputs      = petro.Register(Codespace, 62, "batch has too many outputs")
	ErrDuplicateOutput     = petro.Register(Codespace, 63, "batch pays the same recipient twice")
	ErrBatchOverflow       = petro.Register(Codespace, 64, "batch outputs sum overflows")
)
