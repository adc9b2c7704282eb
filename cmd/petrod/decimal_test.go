package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestParseDecimal8(t *testing.T) {
	good := []struct {
		in   string
		want uint64
	}{
		{"1234.5", 123_450_000_000},
		{"70", 7_000_000_000},
		{"0", 0},
		{"0.00000001", 1},
		{"007.10", 710_000_000},
		{"184467440737.09551615", 18446744073709551615},
	}
	for _, tc := range good {
		got, err := parseDecimal8("--price", tc.in)
		if err != nil || got != tc.want {
			t.Errorf("%q: got %d, %v; want %d", tc.in, got, err, tc.want)
		}
		if err == nil && tc.in != "007.10" && tc.in != "0" {
			if back := formatDecimal8(got); back != strings.TrimSuffix(tc.in, "0") && back != tc.in {
				t.Errorf("%q formats back as %q", tc.in, back)
			}
		}
	}
	bad := []struct{ in, why string }{
		{"", "no digits"},
		{".5", "no digits"},
		{"5.", "after the decimal point"},
		{"-1", "not a non-negative"},
		{"+1", "not a non-negative"},
		{"1e3", "not a non-negative"},
		{"1,000", "not a non-negative"},
		{" 1", "not a non-negative"},
		{"1.2.3", "not a non-negative"},
		{"0.123456789", "more than 8 decimals"},
		{"184467440737.09551616", "too large"},
		{"99999999999999999999", "too large"},
		{"70usd", "not a non-negative"},
	}
	for _, tc := range bad {
		_, err := parseDecimal8("--price", tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.why) || !strings.Contains(err.Error(), "--price") {
			t.Errorf("%q: got %v, want an error about %q", tc.in, err, tc.why)
		}
	}
}

func TestFormatNAVAndBps(t *testing.T) {
	// NAV is in 10^-16 USD: 10^14 units are one cent.
	for _, tc := range []struct{ in, want string }{
		{"0", "0.00 USD"},
		{"", "-"},
		{"100000000000000", "0.01 USD"},
		{"49999999999999", "0.00 USD"},
		{"50000000000000", "0.01 USD"}, // half a cent rounds up
		{"499999999999999", "0.05 USD"},
		{"280000000000000000000000", "28000000.00 USD"},
		{"x", `"x" (unreadable)`},
		{"-5", `"-5" (unreadable)`},
	} {
		if got := formatNAV(tc.in); got != tc.want {
			t.Errorf("formatNAV(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// 1,000,000 PTR at 70.25 USD/bbl: supply × price in 10^-16 USD.
	if got := formatNAV("7025000000000000000000000"); got != "702500000.00 USD" {
		t.Errorf("NAV %q", got)
	}
	if got := formatNAV("7025000000000000"); got != "0.70 USD" { // 0.01 PTR × 70.25
		t.Errorf("NAV %q", got)
	}
	for bps, want := range map[uint64]string{11111: "111.11 %", 10000: "100.00 %", 5: "0.05 %", 0: "0.00 %"} {
		if got := formatBps(bps); got != want {
			t.Errorf("formatBps(%d) = %q", bps, got)
		}
	}
}

func TestParseHash32(t *testing.T) {
	h := strings.Repeat("aB", 32)
	for _, in := range []string{h, "0x" + h} {
		b, err := parseHash32("--evidence", in)
		if err != nil || len(b) != 32 || b[0] != 0xab {
			t.Fatalf("%q: %x %v", in, b, err)
		}
	}
	for _, in := range []string{"", "ab", h + "ab", strings.Repeat("zz", 32), "0x"} {
		if _, err := parseHash32("--evidence", in); err == nil || !strings.Contains(err.Error(), "64 hex digits") {
			t.Fatalf("%q: %v", in, err)
		}
	}
	if !bytes.Equal(hashText("abc"), mustHex(t, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")) {
		t.Fatal("hashText is not SHA-256")
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := parseHash32("hex", s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
