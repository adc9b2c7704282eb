package types

import (
	"encoding/binary"

	petro "github.com/petro-network/petro/types"
)

const ModuleName = "token"

var (
	// BalanceKeyPrefix prefixes balances: "token/bal/" | address(20) → uint64 big-endian.
	BalanceKeyPrefix = []byte("token/bal/")
	// SupplyKey holds the total supply, uint64 big-endian.
	SupplyKey = []byte("token/supply")
	// ParamsKey holds Params.
	ParamsKey = []byte("token/params")
)

// BalanceKey is the state key of addr's balance.
func BalanceKey(addr []byte) []byte {
	return append(append(make([]byte, 0, len(BalanceKeyPrefix)+len(addr)), BalanceKeyPrefix...), addr...)
}

// MsgSendTypeURL names MsgSend in events.
const MsgSendTypeURL = "/petro.token.v1.MsgSend"

// Event types and attribute keys.
const (
	EventTypeTransfer = "transfer"
	AttrSender        = "sender"
	AttrRecipient     = "recipient"
	AttrAmount        = "amount"
)

var (
	FrozenPrefix          = []byte("token/frozen/")           // | address: FreezeRecord
	PauseKey              = []byte("token/pause")             // PauseState
	TotalsKey             = []byte("token/totals")            // Totals
	RedemptionSeqKey      = []byte("token/redemption_seq")    // next id
	RedemptionPrefix      = []byte("token/redemption/")       // | id (8): Redemption
	RedemptionOpenPrefix  = []byte("token/redemption_open/")  // | deadline (8) | id (8): open requests by deadline
	RedemptionOwnerPrefix = []byte("token/redemption_owner/") // | address (20) | id (8)
)

func FrozenKey(addr []byte) []byte { return append(append([]byte(nil), FrozenPrefix...), addr...) }
func RedemptionKey(id uint64) []byte {
	return append(append([]byte(nil), RedemptionPrefix...), petro.Uint64Bytes(id)...)
}
func RedemptionOpenKey(deadline int64, id uint64) []byte {
	return append(append(append([]byte(nil), RedemptionOpenPrefix...), petro.Uint64Bytes(uint64(deadline))...), petro.Uint64Bytes(id)...)
}
func RedemptionOwnerKey(owner []byte, id uint64) []byte {
	return append(append(append([]byte(nil), RedemptionOwnerPrefix...), owner...), petro.Uint64Bytes(id)...)
}
func RedemptionOwnerPrefixOf(owner []byte) []byte {
	return append(append([]byte(nil), RedemptionOwnerPrefix...), owner...)
}

// Event types of issuance, redemption and compliance.
const (
	EventTypeIssue      = "issue"
	EventTypeRedemption = "redemption"
	EventTypeFreeze     = "freeze"
	EventTypeUnfreeze   = "unfreeze"
	EventTypePause      = "pause"
	EventTypeUnpause    = "unpause"
	EventTypeWipe       = "wipe"
)

// #19: rate limits and tranches.
var (
	RateLimitPrefix   = []byte("token/rate_limit/")     // | issuer (20): RateLimit
	RateUsePrefix     = []byte("token/rate_use/")       // | issuer (20) | time (8, BE): uint64 issued at that block time
	TranchePrefix     = []byte("token/tranche/")        // | name: Tranche
	DefaultTrancheKey = []byte("token/default_tranche") // name of the default tranche
)

func RateLimitKey(issuer []byte) []byte {
	return append(append([]byte(nil), RateLimitPrefix...), issuer...)
}
func RateUsePrefixOf(issuer []byte) []byte {
	return append(append([]byte(nil), RateUsePrefix...), issuer...)
}
func RateUseKey(issuer []byte, timeUnix int64) []byte {
	return binary.BigEndian.AppendUint64(RateUsePrefixOf(issuer), uint64(timeUnix))
}
func TrancheKey(name string) []byte {
	return append(append([]byte(nil), TranchePrefix...), name...)
}

// Event types of #19.
const (
	EventTypeRateLimitSet = "rate_limit_set"
	EventTypeRateLimit    = "rate_limit" // per window, on each issue of a limited issuer
	EventTypeTrancheSet   = "tranche_set"
	AttrTranche           = "tranche"
)
