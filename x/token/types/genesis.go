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
	if err := gs.validateExported(total); err != nil {
		return err
	}
	return nil
}

// RedemptionOpen reports whether a redemption in status s still holds its
// tokens in escrow.
func RedemptionOpen(s RedemptionStatus) bool {
	return s == RedemptionStatus_REDEMPTION_STATUS_REQUESTED || s == RedemptionStatus_REDEMPTION_STATUS_ACCEPTED
}

// validateExported checks the parts petrod export adds (#14): supply =
// Σ balances + escrow, escrow = Σ open redemptions, issued − burned =
// supply, redemptions and freezes well formed.
func (gs *GenesisState) validateExported(balances uint64) error {
	totals := gs.GetTotals()
	if totals == nil {
		totals = &Totals{Issued: balances}
	}
	supply, carry := bits.Add64(balances, totals.GetEscrow(), 0)
	if carry != 0 {
		return ErrInvalidGenesis.Wrap("total supply overflows uint64")
	}
	if gs.GetSupply() != 0 && gs.GetSupply() != supply {
		return ErrInvalidGenesis.Wrapf("supply %d ≠ Σ balances %d + escrow %d", gs.GetSupply(), balances, totals.GetEscrow())
	}
	if supply > gs.GetParams().GetHardCap() {
		return ErrInvalidGenesis.Wrapf("genesis supply %d exceeds the hard cap %d", supply, gs.GetParams().GetHardCap())
	}
	if totals.GetIssued() < totals.GetBurned() || totals.GetIssued()-totals.GetBurned() != supply {
		return ErrInvalidGenesis.Wrapf("totals: issued %d − burned %d ≠ supply %d", totals.GetIssued(), totals.GetBurned(), supply)
	}
	var open, last uint64
	for _, r := range gs.GetRedemptions() {
		if r.GetId() <= last {
			return ErrInvalidGenesis.Wrapf("redemption %d: ids must be unique and ascending", r.GetId())
		}
		last = r.GetId()
		if r.GetId() > gs.GetLastRedemptionId() {
			return ErrInvalidGenesis.Wrapf("redemption %d: above last_redemption_id %d", r.GetId(), gs.GetLastRedemptionId())
		}
		if _, err := crypto.AddressFromBech32(r.GetOwner()); err != nil {
			return ErrInvalidGenesis.Wrapf("redemption %d: owner: %v", r.GetId(), err)
		}
		if r.GetStatus() == RedemptionStatus_REDEMPTION_STATUS_UNSPECIFIED || RedemptionStatus_name[int32(r.GetStatus())] == "" {
			return ErrInvalidGenesis.Wrapf("redemption %d: bad status %d", r.GetId(), r.GetStatus())
		}
		if RedemptionOpen(r.GetStatus()) {
			if open, carry = bits.Add64(open, r.GetAmount(), 0); carry != 0 {
				return ErrInvalidGenesis.Wrap("escrow overflows uint64")
			}
		}
	}
	if open != totals.GetEscrow() {
		return ErrInvalidGenesis.Wrapf("totals.escrow %d ≠ Σ open redemptions %d", totals.GetEscrow(), open)
	}
	seen := map[string]bool{}
	for _, f := range gs.GetFrozen() {
		addr, err := crypto.AddressFromBech32(f.GetAddress())
		if err != nil {
			return ErrInvalidGenesis.Wrapf("frozen account: %v", err)
		}
		if seen[string(addr)] {
			return ErrInvalidGenesis.Wrapf("account %s frozen twice", f.GetAddress())
		}
		seen[string(addr)] = true
	}
	return gs.validateMonetary(supply)
}
