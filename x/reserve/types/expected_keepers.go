package types

import (
	"github.com/petro-network/petro/crypto"
	petro "github.com/petro-network/petro/types"
)

// AuthorityKeeper tells who holds the oracle role.
type AuthorityKeeper interface {
	// Oracles lists the addresses (bech32) holding ROLE_ORACLE, sorted.
	Oracles(kv petro.KVStore) ([]string, error)
}

// TokenKeeper gives the supply and the hard cap that capacity respects,
// and tells which accounts are frozen (a frozen oracle does not attest).
type TokenKeeper interface {
	Supply(kv petro.KVStore) (uint64, error)
	HardCap(kv petro.KVStore) (uint64, error)
	IsFrozen(kv petro.KVStore, addr crypto.Address) (bool, error)
}
