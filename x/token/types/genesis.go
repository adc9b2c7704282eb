package types

import (
	"math/bits"

	"github.com/petro-network/petro/internal/crypto"
)

// DefaultParams: PTR with 8 decimals (1 PTR = 10^8 base units).
func DefaultParams() *Params { return &Params{Denom: "PTR", Decimals: 8} }

// DefaultGenesis has no balances.
func DefaultGenesis() *GenesisState { return &GenesisState{Params: DefaultParams()} }

// Validate checks addresses, duplicates, zero amounts and that the total
// supply fits in uint64.
func (gs *GenesisState) Validate() error {
	if gs.GetParams() == nil || gs.GetParams().GetDenom() == "" {
		return ErrInvalidGenesis.Wrap("params.denom is required")
	}
	seen := map[string]bool{}
	var total uint64
	for i, b := range gs.GetBalances() {
		addr, err := crypto.AddressFromBech32(b.GetAddress())
		if err != nil {
			return ErrInvalidGenesis.Wrapf("balance %d: %v", i, err)
		}
		// Keyed by address bytes: the upper-case spelling is the same account.
		if seen[string(addr)] {
			return ErrInvalidGenesis.Wrapf("duplicate balance for %s", b.GetAddress())
		}
		seen[string(addr)] = true
		if b.GetAmount() == 0 {
			return ErrInvalidGenesis.Wrapf("zero balance for %s", b.GetAddress())
		}
		var carry uint64
		total, carry = bits.Add64(total, b.GetAmount(), 0)
		if carry != 0 {
			return ErrInvalidGenesis.Wrap("total supply overflows uint64")
		}
	}
	return nil
}
