package types

import petro "github.com/petro-network/petro/types"

// Codespace of x/reserve. Codes are frozen once released.
const Codespace = "reserve"

var (
	ErrNotOracle           = petro.Register(Codespace, 2, "sender is not an oracle")
	ErrAlreadyReported     = petro.Register(Codespace, 3, "oracle already reported in this round")
	ErrObservationTooOld   = petro.Register(Codespace, 4, "observation older than the max age")
	ErrObservationInFuture = petro.Register(Codespace, 5, "observation later than block time plus skew")
	ErrUnknownLot          = petro.Register(Codespace, 6, "unknown lot")
	ErrLotExpired          = petro.Register(Codespace, 7, "lot certificate expired")
	ErrZeroPrice           = petro.Register(Codespace, 8, "price must be positive")
	ErrWrongRound          = petro.Register(Codespace, 9, "not the open round")
	ErrIncompleteReport    = petro.Register(Codespace, 10, "report must cover every active lot")
	ErrDuplicateLot        = petro.Register(Codespace, 11, "lot listed twice or out of order")
	ErrInvalidLot          = petro.Register(Codespace, 12, "invalid lot")
	ErrLotExists           = petro.Register(Codespace, 13, "lot already exists")
	ErrInvalidParams       = petro.Register(Codespace, 14, "invalid params")
	ErrInvalidEvidence     = petro.Register(Codespace, 15, "evidence hash must be 32 bytes")
	ErrRoundNotFound       = petro.Register(Codespace, 16, "round not found")
	ErrInvalidGenesis      = petro.Register(Codespace, 17, "invalid genesis")
	ErrLotRetired          = petro.Register(Codespace, 18, "lot retired")
	ErrNoActiveLots        = petro.Register(Codespace, 19, "no active lots to attest")
	ErrInvalidAddress      = petro.Register(Codespace, 20, "invalid address")

	// #21
	ErrSignerFrozen      = petro.Register(Codespace, 21, "signer is frozen: its roles are suspended")
	ErrQuorumUnreachable = petro.Register(Codespace, 22, "quorum exceeds the number of oracles")
)
