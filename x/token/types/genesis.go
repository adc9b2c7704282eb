package types

import (
	"math/bits"

	"github.com/petro-network/petro/crypto"
)

// BaseUnitsPerPTR is 10^8: amounts are stored in base units.
const BaseUnitsPerPTR = 100_000_000

// DefaultHardCap is 100,000,000 PTR, the petro's original cap.
const DefaultHardCap = 100_000_000 * BaseUnitsPerPTR

// DefaultParams: PTR with 8 decimals (1 PTR = 10^8 base units), capped at
// 100 million PTR.
func DefaultParams() *Params {
	return &Params{Denom: "PTR", Decimals: 8, HardCap: DefaultHardCap, RedemptionTtlSeconds: 7 * 24 * 3600}
}

// DefaultGenesis has no balances.
func DefaultGenesis() *GenesisState { return &GenesisState{Params: DefaultParams()} }

// Validate checks addresses, duplicates, zero amounts and that the total
// supply fits in uint64.
func (gs *GenesisState) Validate() error {
	if gs.GetParams() == nil || gs.GetParams().GetDenom() == "" {
		return ErrInvalidGenesis.Wrap("params.denom is required")
	}
	if gs.GetParams().GetDecimals() != 8 {
		return ErrInvalidGenesis.Wrap("params.decimals must be 8")
	}
	if gs.GetParams().GetRedemptionTtlSeconds() == 0 || gs.GetParams().GetRedemptionTtlSeconds() > 366*24*3600 {
		return ErrInvalidGenesis.Wrap("params.redemption_ttl_seconds must be in 1s..1y")
	}
	if gs.GetParams().GetHardCap() == 0 {
		return ErrInvalidGenesis.Wrap("params.hard_cap must be positive")
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
	if total > gs.GetParams().GetHardCap() {
		return ErrInvalidGenesis.Wrapf("genesis supply %d exceeds the hard cap %d", total, gs.GetParams().GetHardCap())
	}
	return gs.validateMonetary(total)
}
