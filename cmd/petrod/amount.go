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
	// The two denominations the CLI takes: PTR (up to 8 decimals) and its
	// base unit, 10^-8 PTR (whole numbers only). The base unit has no SI
	// prefix on purpose: "uptr" would read as 10^-6, "nptr" as 10^-9.
	ptrSuffix  = "ptr"
	baseSuffix = "ptrbase"
)

// parseAmount reads an amount given on the command line, which must name its
// denomination (case-insensitive): PTR with at most 8 decimals ("1.5ptr",
// "10PTR") or whole base units ("150000000ptrbase"); it returns base units.
// A bare number is refused with a hint, as are other denominations, signs,
// spaces, exponents, separators and values above uint64.
func parseAmount(s string) (uint64, error) {
	bad := func(why string) (uint64, error) {
		return 0, fmt.Errorf("amount %q: %s (give PTR, e.g. 1.5%s, or base units, 1 PTR = 10^8, e.g. 150000000%s)", s, why, ptrSuffix, baseSuffix)
	}
	num, denom := s, ""
	if i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' }); i >= 0 {
		num, denom = s[:i], s[i:]
	}
	isPTR := false
	switch d := strings.ToLower(denom); {
	case d == ptrSuffix:
		isPTR = true
	case d == baseSuffix:
	case d == "" && num != "" && !strings.Contains(num, "."):
		return 0, fmt.Errorf("amount %q needs a denomination: %s%s (PTR) or %s%s (base units, 1 PTR = 10^8)", s, s, ptrSuffix, s, baseSuffix)
	case d == "" && num != "":
		return 0, fmt.Errorf("amount %q needs a denomination: %s%s (PTR; base units, %s, are whole)", s, s, ptrSuffix, baseSuffix)
	case d != "" && num != "" && allLetters(d):
		return bad(fmt.Sprintf("unknown denomination %q", denom))
	case d != "":
		return bad("not a non-negative decimal number")
	}
	intPart, frac, hasPoint := strings.Cut(num, ".")
	switch {
	case intPart == "":
		return bad("no digits before the denomination")
	case !allDigits(intPart):
		return bad("not a non-negative decimal number")
	case hasPoint && !isPTR:
		return bad("base units are whole; a decimal amount is in ptr")
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

func allLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
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
