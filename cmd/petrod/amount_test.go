package main

import (
	"strings"
	"testing"
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want uint64
		err  string // substring of the error; "" means success
	}{
		{name: "base units", in: "150000000ptrbase", want: 150_000_000},
		{name: "zero base units", in: "0ptrbase", want: 0},
		{name: "leading zeros", in: "007ptrbase", want: 7},
		{name: "upper-case base", in: "7PTRBASE", want: 7},
		{name: "max uint64 base units", in: "18446744073709551615ptrbase", want: 18446744073709551615},
		{name: "ptr decimal", in: "1.5ptr", want: 150_000_000},
		{name: "upper-case suffix", in: "1.5PTR", want: 150_000_000},
		{name: "mixed-case suffix", in: "2Ptr", want: 200_000_000},
		{name: "whole ptr", in: "10ptr", want: 1_000_000_000},
		{name: "half ptr", in: "0.5ptr", want: 50_000_000},
		{name: "eight decimals", in: "0.00000001ptr", want: 1},
		{name: "trailing zero decimals", in: "1.50000000ptr", want: 150_000_000},
		{name: "largest ptr", in: "184467440737.09551615ptr", want: 18446744073709551615},

		{name: "bare number", in: "10", err: `amount "10" needs a denomination: 10ptr (PTR) or 10ptrbase (base units`},
		{name: "bare zero", in: "0", err: "needs a denomination"},
		{name: "bare decimal", in: "1.5", err: `amount "1.5" needs a denomination: 1.5ptr (PTR`},
		{name: "empty", in: "", err: "no digits"},
		{name: "suffix only", in: "ptr", err: "no digits"},
		{name: "base suffix only", in: "ptrbase", err: "no digits"},
		{name: "negative", in: "-5ptr", err: "non-negative"},
		{name: "negative bare", in: "-5", err: "non-negative"},
		{name: "negative ptr", in: "-1.5ptr", err: "non-negative"},
		{name: "plus sign", in: "+5ptr", err: "non-negative"},
		{name: "nine decimals", in: "0.000000001ptr", err: "more than 8 decimals"},
		{name: "decimal base units", in: "1.5ptrbase", err: "base units are whole"},
		{name: "point without fraction", in: "1.ptr", err: "no digits after"},
		{name: "fraction only", in: ".5ptr", err: "no digits before"},
		{name: "two points", in: "1.2.3ptr", err: "non-negative"},
		{name: "space", in: "1 ptr", err: "non-negative"},
		{name: "exponent", in: "1e8ptr", err: "non-negative"},
		{name: "hex", in: "0x10ptr", err: "non-negative"},
		{name: "underscore", in: "1_000ptr", err: "non-negative"},
		{name: "other unit", in: "5atom", err: `unknown denomination "atom"`},
		{name: "micro prefix", in: "5uptr", err: `unknown denomination "uptr"`},
		{name: "base units overflow", in: "18446744073709551616ptrbase", err: "too large"},
		{name: "ptr overflow", in: "184467440737.09551616ptr", err: "too large"},
		{name: "ptr whole overflow", in: "184467440738ptr", err: "too large"},
		{name: "huge ptr", in: "99999999999999999999ptr", err: "too large"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseAmount(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("parseAmount(%q) = %d, %v; want error containing %q", tc.in, got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("parseAmount(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestFormatPTR(t *testing.T) {
	tests := []struct {
		in   uint64
		want string
	}{
		{0, "0 PTR"},
		{1, "0.00000001 PTR"},
		{150_000_000, "1.5 PTR"},
		{100_000_000_000_000, "1000000 PTR"},
		{18446744073709551615, "184467440737.09551615 PTR"},
	}
	for _, tc := range tests {
		if got := formatPTR(tc.in); got != tc.want {
			t.Errorf("formatPTR(%d) = %q, want %q", tc.in, got, tc.want)
		}
		if tc.in > 0 {
			back, err := parseAmount(strings.ReplaceAll(strings.ToLower(formatPTR(tc.in)), " ", ""))
			if err != nil || back != tc.in {
				t.Errorf("round trip %d: %d, %v", tc.in, back, err)
			}
		}
	}
}
