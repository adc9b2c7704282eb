package types

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
