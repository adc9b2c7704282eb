package types

import petro "github.com/petro-network/petro/types"

// AuthorityKeeper tells who holds the oracle role.
type AuthorityKeeper interface {
	// Oracles lists the addresses (bech32) holding ROLE_ORACLE, sorted.
	Oracles(kv petro.KVStore) ([]string, error)
}

// TokenKeeper gives the supply and the hard cap that capacity respects.
type TokenKeeper interface {
	Supply(kv petro.KVStore) (uint64, error)
	HardCap(kv petro.KVStore) (uint64, error)
}
