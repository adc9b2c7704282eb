package types

import petro "github.com/petro-network/petro/types"

// Codespace of x/authority. Codes are frozen once released.
const Codespace = "authority"

var (
	ErrNotCouncilMember      = petro.Register(Codespace, 2, "not a council member")
	ErrInvalidAction         = petro.Register(Codespace, 3, "invalid proposal action")
	ErrProposalNotFound      = petro.Register(Codespace, 4, "proposal not found")
	ErrProposalClosed        = petro.Register(Codespace, 5, "proposal is no longer collecting approvals")
	ErrProposalExpired       = petro.Register(Codespace, 6, "proposal expired")
	ErrAlreadyApproved       = petro.Register(Codespace, 7, "already approved")
	ErrInvalidRole           = petro.Register(Codespace, 8, "invalid role")
	ErrRoleExists            = petro.Register(Codespace, 9, "address already holds the role")
	ErrRoleNotFound          = petro.Register(Codespace, 10, "address does not hold the role")
	ErrInvalidAddress        = petro.Register(Codespace, 11, "invalid address")
	ErrUnsupportedKeyType    = petro.Register(Codespace, 12, "unsupported consensus key type")
	ErrInvalidPower          = petro.Register(Codespace, 13, "invalid voting power")
	ErrDuplicateValidator    = petro.Register(Codespace, 14, "validator already in the set")
	ErrUnknownValidator      = petro.Register(Codespace, 15, "unknown validator")
	ErrLastValidator         = petro.Register(Codespace, 16, "cannot remove the last validator")
	ErrTotalPowerLimit       = petro.Register(Codespace, 17, "total voting power limit exceeded")
	ErrPowerChangeTooLarge   = petro.Register(Codespace, 18, "voting power change exceeds the per-block cap")
	ErrTooManyValidators     = petro.Register(Codespace, 19, "too many validators")
	ErrInvalidNodeID         = petro.Register(Codespace, 20, "invalid node id")
	ErrUnknownPeer           = petro.Register(Codespace, 21, "peer not in the allowlist")
	ErrInvalidParams         = petro.Register(Codespace, 22, "invalid params")
	ErrInvalidCouncil        = petro.Register(Codespace, 23, "invalid council")
	ErrInvalidGenesis        = petro.Register(Codespace, 24, "invalid genesis")
	ErrMemoTooLong           = petro.Register(Codespace, 25, "proposal memo too long")
	ErrInvalidAllowance      = petro.Register(Codespace, 26, "invalid allowance")
	ErrDuplicateNodeID       = petro.Register(Codespace, 27, "node id already used by a validator")
	ErrInsufficientAllowance = petro.Register(Codespace, 28, "issuer allowance exceeded")
	ErrPeerNotAllowed        = petro.Register(Codespace, 29, "peer not allowed")

	// #21
	ErrSignerFrozen       = petro.Register(Codespace, 30, "signer is frozen: its roles are suspended")
	ErrCouncilUnreachable = petro.Register(Codespace, 31, "unfrozen council members would be fewer than the threshold")
	// Coordinated upgrades (#14): 45–59.
	ErrInvalidUpgrade     = petro.Register(Codespace, 45, "invalid upgrade plan")
	ErrUpgradeTooSoon     = petro.Register(Codespace, 46, "upgrade height too soon")
	ErrUpgradeScheduled   = petro.Register(Codespace, 47, "an upgrade is already scheduled")
	ErrUpgradeNameUsed    = petro.Register(Codespace, 48, "upgrade name already used")
	ErrNoUpgradeScheduled = petro.Register(Codespace, 49, "no such upgrade scheduled")
)
