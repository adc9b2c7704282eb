package keeper

import (
	"encoding/binary"
	"math/big"
	"slices"
	"testing"
)

// FuzzMedian: the median of any values lies between their minimum and
// maximum, does not depend on their order, leaves its input untouched
// and, for an even count, is the floor of the two middle values' mean
// (exactly, in big integers: no overflow).
func FuzzMedian(f *testing.F) {
	f.Add([]byte{})
	f.Add(binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, ^uint64(0)), ^uint64(0)-1))
	f.Add(binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, 3), 1), 2))
	f.Fuzz(func(t *testing.T, in []byte) {
		var vals []uint64
		for ; len(in) >= 8; in = in[8:] {
			vals = append(vals, binary.BigEndian.Uint64(in))
		}
		orig := slices.Clone(vals)
		m := median(vals)
		if !slices.Equal(vals, orig) {
			t.Fatal("median modified its input")
		}
		if len(vals) == 0 {
			if m != 0 {
				t.Fatalf("median of nothing = %d", m)
			}
			return
		}
		s := slices.Clone(vals)
		slices.Sort(s)
		want := s[len(s)/2]
		if len(s)%2 == 0 {
			sum := new(big.Int).Add(new(big.Int).SetUint64(s[len(s)/2-1]), new(big.Int).SetUint64(s[len(s)/2]))
			want = sum.Rsh(sum, 1).Uint64()
		}
		if m != want {
			t.Fatalf("median(%v) = %d, want %d", vals, m, want)
		}
		slices.Reverse(vals)
		if median(vals) != m {
			t.Fatal("median depends on order")
		}
	})
}

// FuzzDeviates: deviates(v, m, bps) is exactly |v − m| × 10000 > m × bps,
// a value never deviates from itself, and a wider band never flags what a
// narrower one let through.
func FuzzDeviates(f *testing.F) {
	f.Add(uint64(105), uint64(100), uint32(500))
	f.Add(uint64(106), uint64(100), uint32(500))
	f.Add(^uint64(0), uint64(0), uint32(0))
	f.Add(uint64(0), ^uint64(0), ^uint32(0))
	f.Fuzz(func(t *testing.T, v, m uint64, bps uint32) {
		d := new(big.Int).Sub(new(big.Int).SetUint64(v), new(big.Int).SetUint64(m))
		d.Abs(d).Mul(d, big.NewInt(10_000))
		rhs := new(big.Int).Mul(new(big.Int).SetUint64(m), new(big.Int).SetUint64(uint64(bps)))
		if got, want := deviates(v, m, bps), d.Cmp(rhs) > 0; got != want {
			t.Fatalf("deviates(%d, %d, %d) = %v, want %v", v, m, bps, got, want)
		}
		if deviates(m, m, bps) {
			t.Fatal("a value deviates from itself")
		}
		if bps > 0 && !deviates(v, m, bps-1) && deviates(v, m, bps) {
			t.Fatal("a wider band flagged what a narrower one let through")
		}
	})
}
