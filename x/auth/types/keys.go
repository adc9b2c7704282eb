package types

// ModuleName is the module's name and the prefix of all its state keys.
const ModuleName = "auth"

// AccountKeyPrefix prefixes account records: "auth/acc/" | address(20).
var AccountKeyPrefix = []byte("auth/acc/")

// AccountKey is the state key of the account at addr (20 bytes).
func AccountKey(addr []byte) []byte {
	return append(append(make([]byte, 0, len(AccountKeyPrefix)+len(addr)), AccountKeyPrefix...), addr...)
}
