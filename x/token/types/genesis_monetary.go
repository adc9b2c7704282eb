package types

import (
	"math/bits"

	"github.com/petro-network/petro/crypto"
)

// validateMonetary checks #19's genesis state against the genesis supply:
// tranches valid with unique names, Σ caps ≤ hard cap, each outstanding ≤
// its cap, Σ outstanding = supply (when tranches are given), a default
// tranche that exists; rate limits valid and unique per issuer; usage
// records of limited issuers, positive, unique per (issuer, time).
func (gs *GenesisState) validateMonetary(supply uint64) error {
	hardCap := gs.GetParams().GetHardCap()
	names := map[string]bool{}
	var caps, out uint64
	for i, t := range gs.GetTranches() {
		if err := t.Validate(); err != nil {
			return ErrInvalidGenesis.Wrapf("tranche %d: %v", i, err)
		}
		if names[t.GetName()] {
			return ErrInvalidGenesis.Wrapf("tranche %s twice", t.GetName())
		}
		names[t.GetName()] = true
		c := t.Cap(hardCap)
		if t.Outstanding() > c {
			return ErrInvalidGenesis.Wrapf("tranche %s: outstanding %d > cap %d", t.GetName(), t.Outstanding(), c)
		}
		var carry, carry2 uint64
		caps, carry = bits.Add64(caps, c, 0)
		out, carry2 = bits.Add64(out, t.Outstanding(), 0)
		if carry != 0 || carry2 != 0 || caps > hardCap {
			return ErrInvalidGenesis.Wrapf("Σ tranche caps %d > hard cap %d", caps, hardCap)
		}
	}
	def := gs.GetDefaultTranche()
	if len(gs.GetTranches()) == 0 {
		if def != "" && def != DefaultTrancheName {
			return ErrInvalidGenesis.Wrapf("default_tranche %q: no tranches are given (the implied one is %q)", def, DefaultTrancheName)
		}
	} else {
		if out != supply {
			return ErrInvalidGenesis.Wrapf("Σ tranche outstanding %d ≠ genesis supply %d", out, supply)
		}
		if def != "" && !names[def] {
			return ErrInvalidGenesis.Wrapf("default_tranche %q is not a tranche", def)
		}
	}
	limited := map[string]bool{}
	for i, rl := range gs.GetRateLimits() {
		if err := rl.Validate(hardCap); err != nil {
			return ErrInvalidGenesis.Wrapf("rate limit %d: %v", i, err)
		}
		if len(rl.GetWindows()) == 0 {
			return ErrInvalidGenesis.Wrapf("rate limit %d: no windows", i)
		}
		addr, _ := crypto.AddressFromBech32(rl.GetIssuer())
		if limited[string(addr)] {
			return ErrInvalidGenesis.Wrapf("rate limit for %s twice", rl.GetIssuer())
		}
		limited[string(addr)] = true
	}
	type use struct {
		addr string
		t    int64
	}
	seen := map[use]bool{}
	for i, u := range gs.GetRateUsage() {
		addr, err := crypto.AddressFromBech32(u.GetIssuer())
		if err != nil {
			return ErrInvalidGenesis.Wrapf("rate usage %d: %v", i, err)
		}
		if !limited[string(addr)] || u.GetAmount() == 0 || u.GetTimeUnix() < 0 || seen[use{string(addr), u.GetTimeUnix()}] {
			return ErrInvalidGenesis.Wrapf("rate usage %d: needs a limited issuer, a positive amount, a time ≥ 0, once per time", i)
		}
		seen[use{string(addr), u.GetTimeUnix()}] = true
	}
	return nil
}
