package types

import petro "github.com/petro-network/petro/types"

// Codespace of transaction-level (ante) rejections. Codes are frozen.
const Codespace = "tx"

var (
	ErrTxDecode         = petro.Register(Codespace, 2, "tx could not be decoded")
	ErrTxTooLarge       = petro.Register(Codespace, 3, "tx too large")
	ErrNonCanonical     = petro.Register(Codespace, 4, "tx is not canonically encoded")
	ErrUnknownField     = petro.Register(Codespace, 5, "tx has unknown fields")
	ErrNoMessages       = petro.Register(Codespace, 6, "tx has no messages")
	ErrTooManyMessages  = petro.Register(Codespace, 7, "tx has too many messages")
	ErrMemoTooLarge     = petro.Register(Codespace, 8, "memo too large")
	ErrInvalidPubKey    = petro.Register(Codespace, 9, "invalid public key")
	ErrInvalidSignature = petro.Register(Codespace, 10, "signature verification failed")
	ErrMalleableSig     = petro.Register(Codespace, 11, "signature is not in low-S form")
	ErrWrongChainID     = petro.Register(Codespace, 12, "wrong chain id")
	ErrSequenceReplayed = petro.Register(Codespace, 13, "sequence already used")
	ErrSequenceGap      = petro.Register(Codespace, 14, "sequence skips ahead")
	ErrTxTimeout        = petro.Register(Codespace, 15, "tx timeout height passed")
	ErrSignerMismatch   = petro.Register(Codespace, 16, "message signer is not the tx signer")
	ErrInvalidAddress   = petro.Register(Codespace, 17, "invalid address")
	ErrUnknownMessage   = petro.Register(Codespace, 18, "unknown message type")
	ErrSequenceOverflow = petro.Register(Codespace, 19, "account sequence exhausted")
	ErrInvalidRequest   = petro.Register(Codespace, 20, "invalid request")
	// ErrTxInMempool: these exact bytes are already waiting in the mempool
	// (CometBFT's "tx already exists in cache", given a stable code).
	ErrTxInMempool = petro.Register(Codespace, 21, "tx already in the mempool")
)

// Threshold (k-of-n) signers, #13 (crypto/multisig). Codes 30–39.
var (
	ErrThresholdMembers   = petro.Register(Codespace, 30, "threshold key must have 1 to 16 members")
	ErrThresholdValue     = petro.Register(Codespace, 31, "threshold must be between 1 and the number of members")
	ErrDuplicateMember    = petro.Register(Codespace, 32, "threshold key lists a member key twice")
	ErrMembersUnsorted    = petro.Register(Codespace, 33, "threshold key members are not in ascending order")
	ErrMemberIndex        = petro.Register(Codespace, 34, "member signature names no member of the threshold key")
	ErrRepeatedMember     = petro.Register(Codespace, 35, "member signed twice")
	ErrMemberOrder        = petro.Register(Codespace, 36, "member signatures out of order")
	ErrTooFewSignatures   = petro.Register(Codespace, 37, "fewer member signatures than the threshold")
	ErrTooManySignatures  = petro.Register(Codespace, 38, "more member signatures than the threshold")
	ErrSignatureKindMixed = petro.Register(Codespace, 39, "signature fields do not match the signer's key kind")
)
