package light

import (
	"bytes"
	"strings"
	"testing"
)

// TestBundleFile covers the file layer: a round trip, and refusals of a
// damaged digest, a missing digest line, unknown fields and another format.
// (Verification of the content is exercised on a real chain by
// tests/e2e TestAuditTrust.)
func TestBundleFile(t *testing.T) {
	b := &Bundle{Format: BundleFormat, ChainID: "c", Height: 5, Figures: []byte(`{}`)}
	file, err := b.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeBundle(file)
	if err != nil || got.ChainID != "c" || got.Height != 5 {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	for name, mod := range map[string]func([]byte) []byte{
		"flipped content":  func(f []byte) []byte { f[10] ^= 0x20; return f },
		"flipped digest":   func(f []byte) []byte { f[len(f)-3] ^= 0x01; return f },
		"no digest line":   func(f []byte) []byte { return f[:bytes.LastIndex(f, []byte("\nsha256 "))] },
		"no final newline": func(f []byte) []byte { return f[:len(f)-1] },
	} {
		if _, err := DecodeBundle(mod(append([]byte(nil), file...))); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	for name, body := range map[string]string{
		"unknown field": `{"format":"` + BundleFormat + `","extra":1}`,
		"other format":  `{"format":"petro-audit-bundle/0"}`,
	} {
		if _, err := DecodeBundle(frame([]byte(body))); err == nil || !strings.Contains(err.Error(), "bundle") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
