package types

import "math/bits"

// ErrOverflow is returned by the checked arithmetic helpers.
var ErrOverflow = Register(CodespaceRoot, 2, "integer overflow")

// SafeAdd returns a+b, or ErrOverflow if the sum does not fit in uint64.
func SafeAdd(a, b uint64) (uint64, error) {
	s, carry := bits.Add64(a, b, 0)
	if carry != 0 {
		return 0, ErrOverflow.Wrapf("%d + %d", a, b)
	}
	return s, nil
}

// SafeSub returns a-b, or ErrOverflow if b > a.
func SafeSub(a, b uint64) (uint64, error) {
	d, borrow := bits.Sub64(a, b, 0)
	if borrow != 0 {
		return 0, ErrOverflow.Wrapf("%d - %d", a, b)
	}
	return d, nil
}

// SafeMul returns a*b, or ErrOverflow if the product does not fit in uint64.
func SafeMul(a, b uint64) (uint64, error) {
	hi, lo := bits.Mul64(a, b)
	if hi != 0 {
		return 0, ErrOverflow.Wrapf("%d * %d", a, b)
	}
	return lo, nil
}
