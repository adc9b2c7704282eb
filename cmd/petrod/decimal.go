package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
)

// Barrels and prices are uint64 in 10^-8 units, like PTR base units.
const (
	fixedDecimals = 8
	fixedUnit     = 100_000_000
)

// parseDecimal8 reads a non-negative decimal with at most 8 decimal places
// ("1234.5", "70", "0.00000001") and returns it in 10^-8 units
// (123450000000, 7000000000, 1). Signs, exponents, separators, spaces,
// a bare point and values above uint64 are refused. what names the value
// in errors, e.g. "--price".
func parseDecimal8(what, s string) (uint64, error) {
	bad := func(why string) (uint64, error) {
		return 0, fmt.Errorf("%s %q: %s (want a decimal number with at most %d decimals, e.g. 1234.5)", what, s, why, fixedDecimals)
	}
	intPart, frac, hasPoint := strings.Cut(s, ".")
	switch {
	case intPart == "":
		return bad("no digits before the decimal point")
	case !allDigits(intPart) || !allDigits(frac):
		return bad("not a non-negative decimal number")
	case hasPoint && frac == "":
		return bad("no digits after the decimal point")
	case len(frac) > fixedDecimals:
		return bad(fmt.Sprintf("more than %d decimals", fixedDecimals))
	}
	whole, err := strconv.ParseUint(intPart, 10, 64)
	if err != nil {
		return bad("too large")
	}
	var fracUnits uint64
	if frac != "" {
		fracUnits, _ = strconv.ParseUint(frac+strings.Repeat("0", fixedDecimals-len(frac)), 10, 64)
	}
	if whole > (^uint64(0)-fracUnits)/fixedUnit {
		return bad("too large")
	}
	return whole*fixedUnit + fracUnits, nil
}

// formatDecimal8 writes 10^-8 units as a decimal without trailing zeros:
// 123450000000 → "1234.5".
func formatDecimal8(units uint64) string {
	whole, frac := units/fixedUnit, units%fixedUnit
	if frac == 0 {
		return strconv.FormatUint(whole, 10)
	}
	return fmt.Sprintf("%d.%s", whole, strings.TrimRight(fmt.Sprintf("%08d", frac), "0"))
}

// formatBarrels: 10^-8 barrel units → "1234.5 bbl".
func formatBarrels(units uint64) string { return formatDecimal8(units) + " bbl" }

// formatPrice: 10^-8 USD per barrel → "70.25 USD/bbl".
func formatPrice(units uint64) string { return formatDecimal8(units) + " USD/bbl" }

// formatBps writes basis points as a percentage with 2 decimals:
// 11111 → "111.11 %".
func formatBps(bps uint64) string { return fmt.Sprintf("%d.%02d %%", bps/100, bps%100) }

// formatNAV writes a NAV given in 10^-16 USD (a decimal string: PTR base
// units × 10^-8 USD/bbl prices) as USD rounded half up to cents:
// "280000000000000000000" → "28000.00 USD". A value that is not a
// non-negative integer is shown as it is, marked.
func formatNAV(nav string) string {
	if nav == "" {
		return "-"
	}
	v, ok := new(big.Int).SetString(nav, 10)
	if !ok || v.Sign() < 0 {
		return fmt.Sprintf("%q (unreadable)", nav)
	}
	// cents = round(v / 10^14)
	unit := new(big.Int).Exp(big.NewInt(10), big.NewInt(14), nil)
	cents := new(big.Int).Add(v, new(big.Int).Quo(unit, big.NewInt(2)))
	cents.Quo(cents, unit)
	dollars, rem := new(big.Int).QuoRem(cents, big.NewInt(100), new(big.Int))
	return fmt.Sprintf("%s.%02d USD", dollars.String(), rem.Int64())
}

// parseHash32 reads a SHA-256 hash given as 64 hex digits (an optional 0x
// prefix is dropped).
func parseHash32(what, s string) ([]byte, error) {
	h := strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if len(h) != 64 || !isHex(h) {
		return nil, fmt.Errorf("%s %q: want 64 hex digits (a SHA-256 hash)", what, s)
	}
	bz, _ := hex.DecodeString(h)
	return bz, nil
}

// hashFile is the SHA-256 of a file's bytes.
func hashFile(what, path string) ([]byte, error) {
	bz, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", what, err)
	}
	h := sha256.Sum256(bz)
	return h[:], nil
}

// hashText is the SHA-256 of a text given on the command line.
func hashText(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// hashFromFlags reads a 32-byte hash from exactly one of two flags:
// --hexFlag (64 hex digits) or --altFlag, whose value is hashed with
// SHA-256: a file's bytes when altIsFile, else the text itself. Every
// problem is a usageError.
func hashFromFlags(cmd *cobra.Command, hexFlag, altFlag string, altIsFile bool) ([]byte, error) {
	f := cmd.Flags()
	hx, alt := f.Changed(hexFlag), f.Changed(altFlag)
	if hx == alt {
		return nil, &usageError{fmt.Sprintf("give exactly one of --%s and --%s", hexFlag, altFlag)}
	}
	if hx {
		s, _ := f.GetString(hexFlag)
		h, err := parseHash32("--"+hexFlag, s)
		if err != nil {
			return nil, &usageError{err.Error()}
		}
		return h, nil
	}
	s, _ := f.GetString(altFlag)
	if altIsFile {
		h, err := hashFile("--"+altFlag, s)
		if err != nil {
			return nil, &usageError{err.Error()}
		}
		return h, nil
	}
	if s == "" {
		return nil, &usageError{fmt.Sprintf("--%s must not be empty", altFlag)}
	}
	return hashText(s), nil
}
