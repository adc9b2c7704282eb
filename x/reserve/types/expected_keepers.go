package types

import "github.com/petro-network/petro/internal/store"

// AuthorityKeeper tells who holds the oracle role.
type AuthorityKeeper interface {
	// Oracles lists the addresses (bech32) holding ROLE_ORACLE, sorted.
	Oracles(kv store.KVStore) ([]string, error)
}

// TokenKeeper gives the supply and the hard cap that capacity respects.
type TokenKeeper interface {
	Supply(kv store.KVStore) (uint64, error)
	HardCap(kv store.KVStore) (uint64, error)
}
