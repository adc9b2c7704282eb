package types

import (
	"github.com/petro-network/petro/crypto"
	petro "github.com/petro-network/petro/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
)

// AuthorityKeeper answers who holds which role and spends allowances.
// (x/authority's own types import this package for the wipe action, so
// roles are asked about by name here.)
type AuthorityKeeper interface {
	IsIssuer(kv petro.KVStore, addr crypto.Address) (bool, error)
	IsComplianceOfficer(kv petro.KVStore, addr crypto.Address) (bool, error)
	IsPauser(kv petro.KVStore, addr crypto.Address) (bool, error)
	// UseAllowance lowers issuer addr's allowance by amount, or fails
	// changing nothing.
	UseAllowance(kv petro.KVStore, addr crypto.Address, amount uint64) error
	// Allowances lists every issuer with what it may still mint.
	Allowances(kv petro.KVStore) ([]*Allowance, error)
	// CheckFreeze fails (authority/31) if freezing addr would leave the
	// council's unfrozen members below its threshold.
	CheckFreeze(kv petro.KVStore, addr crypto.Address) error
}

// ReserveKeeper gives the backing that issuance must respect and takes
// note of delivered barrels.
type ReserveKeeper interface {
	Backing(kv petro.KVStore) (*reservetypes.Backing, error)
	LatestRound(kv petro.KVStore) (*reservetypes.SettledRound, error)
	Params(kv petro.KVStore) (*reservetypes.Params, error)
	RecordDelivery(ctx petro.Context, redemptionID, barrels uint64) error
}
