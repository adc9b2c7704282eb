package main

import (
	"fmt"
	"strconv"
	"strings"
)

const (
	// ptrDecimals: 1 PTR = 10^8 base units (x/token's default params).
	ptrDecimals = 8
	ptrUnit     = 100_000_000
	ptrSuffix   = "ptr"
)

// parseAmount reads an amount given on the command line, in base units
// ("150000000") or in PTR with a case-insensitive suffix ("1.5ptr",
// "1.5PTR", "2ptr"), and returns base units. A PTR amount has at most 8
// decimals; a decimal point without the suffix, signs, spaces, exponents,
// separators and values above uint64 are refused.
func parseAmount(s string) (uint64, error) {
	bad := func(why string) (uint64, error) {
		return 0, fmt.Errorf("amount %q: %s (give base units, e.g. 150000000, or PTR, e.g. 1.5ptr)", s, why)
	}
	num, isPTR := s, false
	if len(s) >= len(ptrSuffix) && strings.EqualFold(s[len(s)-len(ptrSuffix):], ptrSuffix) {
		num, isPTR = s[:len(s)-len(ptrSuffix)], true
	}
	intPart, frac, hasPoint := strings.Cut(num, ".")
	switch {
	case intPart == "":
		return bad("no digits before the unit")
	case !allDigits(intPart):
		return bad("not a non-negative decimal number")
	case hasPoint && !isPTR:
		return bad("a decimal amount needs the ptr suffix")
	case hasPoint && frac == "":
		return bad("no digits after the decimal point")
	case !allDigits(frac):
		return bad("not a non-negative decimal number")
	case len(frac) > ptrDecimals:
		return bad(fmt.Sprintf("more than %d decimals", ptrDecimals))
	}
	whole, err := strconv.ParseUint(intPart, 10, 64)
	if err != nil {
		return bad("too large")
	}
	if !isPTR {
		return whole, nil
	}
	fracUnits := uint64(0)
	if frac != "" {
		// Right-pad to 8 digits: "5" → 50000000 base units.
		fracUnits, _ = strconv.ParseUint(frac+strings.Repeat("0", ptrDecimals-len(frac)), 10, 64)
	}
	if whole > (^uint64(0)-fracUnits)/ptrUnit {
		return bad("too large")
	}
	return whole*ptrUnit + fracUnits, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// formatPTR writes base units as a PTR decimal without trailing zeros:
// 150000000 → "1.5 PTR".
func formatPTR(units uint64) string {
	whole, frac := units/ptrUnit, units%ptrUnit
	if frac == 0 {
		return fmt.Sprintf("%d PTR", whole)
	}
	f := strings.TrimRight(fmt.Sprintf("%08d", frac), "0")
	return fmt.Sprintf("%d.%s PTR", whole, f)
}
