package types

import "math/big"

// Pure figures of the backing, shared by the keeper (which records them) and by auditors
// (who recompute them from proven inputs).

// NAV is the value of the supply at the price, in 10^-16 USD, exact:
// supply (10^-8 PTR) × barrels_per_token (10^-8 bbl per PTR) ÷ 10^8 gives
// 10^-8 barrels; × price (10^-8 USD per barrel) gives 10^-16 USD.
func NAV(supply, barrelsPerToken, price uint64) string {
	n := new(big.Int).Mul(new(big.Int).SetUint64(supply), new(big.Int).SetUint64(barrelsPerToken))
	n.Mul(n, new(big.Int).SetUint64(price))
	return n.Quo(n, big.NewInt(1e8)).String()
}

// Capacity is the PTR (base units) that available barrels back:
// available ÷ barrels_per_token × (1 − margin), never above the hard cap.
// Both barrels and PTR are in 10^-8 units, so base units =
// available × 10^8 ÷ barrels_per_token × (10000 − margin_bps) ÷ 10000,
// computed exactly and rounded down.
func Capacity(available uint64, p *Params, hardCap uint64) uint64 {
	c := new(big.Int).SetUint64(available)
	c.Mul(c, big.NewInt(1e8))
	c.Mul(c, big.NewInt(int64(10_000-p.MarginBps)))
	c.Quo(c, new(big.Int).Mul(new(big.Int).SetUint64(p.BarrelsPerToken), big.NewInt(10_000)))
	if !c.IsUint64() || c.Uint64() > hardCap {
		return hardCap
	}
	return c.Uint64()
}

// CoverageBps is available ÷ (supply × barrels_per_token) in basis points
// (10000 = every PTR backed by its barrels, before the margin); 0 when
// nothing is issued.
func CoverageBps(available, supply, barrelsPerToken uint64) uint64 {
	if supply == 0 {
		return 0
	}
	num := new(big.Int).SetUint64(available)
	num.Mul(num, big.NewInt(1e8*10_000))
	den := new(big.Int).Mul(new(big.Int).SetUint64(supply), new(big.Int).SetUint64(barrelsPerToken))
	num.Quo(num, den)
	if !num.IsUint64() {
		return ^uint64(0)
	}
	return num.Uint64()
}
