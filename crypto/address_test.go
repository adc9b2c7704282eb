package crypto

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/bech32"
)

func encodeBech32(t testing.TB, hrp string, payload []byte, m bool) string {
	t.Helper()
	conv, err := bech32.ConvertBits(payload, 8, 5, true)
	if err != nil {
		t.Fatal(err)
	}
	enc := bech32.Encode
	if m {
		enc = bech32.EncodeM
	}
	s, err := enc(hrp, conv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAddressFromPubKey(t *testing.T) {
	// Key 1 is the generator G; its hash160 is the well-known Bitcoin
	// address 1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH = 751e76e8199196d454941c45d1b3a323f1433bd6.
	k, err := PrivKeyFromBytes(mustHex(t, hexOne32))
	if err != nil {
		t.Fatal(err)
	}
	addr := k.PubKey().Address()
	if want := mustHex(t, "751e76e8199196d454941c45d1b3a323f1433bd6"); !bytes.Equal(addr, want) {
		t.Fatalf("address = %x, want %x", []byte(addr), want)
	}
	if !strings.HasPrefix(addr.String(), "petro1") {
		t.Fatalf("String() = %q", addr.String())
	}
}

func TestAddressBech32RoundTrip(t *testing.T) {
	for _, payload := range [][]byte{
		make([]byte, 20),
		bytes.Repeat([]byte{0xff}, 20),
		mustHex(t, "751e76e8199196d454941c45d1b3a323f1433bd6"),
	} {
		a := Address(payload)
		s := a.String()
		got, err := AddressFromBech32(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if !got.Equals(a) {
			t.Fatalf("%s: round trip gave %x", s, []byte(got))
		}
		// BIP-173 allows the all-upper-case form; petro accepts only the
		// canonical lower-case spelling.
		if _, err := AddressFromBech32(strings.ToUpper(s)); !errors.Is(err, ErrAddressEncoding) {
			t.Fatalf("upper case %s accepted: %v", strings.ToUpper(s), err)
		}
	}
}

func TestAddressFromBech32Rejects(t *testing.T) {
	payload := mustHex(t, "751e76e8199196d454941c45d1b3a323f1433bd6")
	good := Address(payload).String()
	flipLast := func(s string) string {
		last := s[len(s)-1]
		repl := byte('q')
		if last == 'q' {
			repl = 'p'
		}
		return s[:len(s)-1] + string(repl)
	}
	// 20 bytes plus an extra 5-bit group: 165 bits, non-zero leftover bits.
	conv, _ := bech32.ConvertBits(payload, 8, 5, true)
	overPadded, err := bech32.Encode(Bech32HRP, append(conv, 1))
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", ErrAddressEncoding},
		{"hrp only", "petro1", ErrAddressEncoding},
		{"no separator", "petroqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq", ErrAddressEncoding},
		{"bad checksum", flipLast(good), ErrAddressEncoding},
		{"mixed case", "P" + good[1:], ErrAddressEncoding},
		{"mixed case in data", good[:10] + strings.ToUpper(good[10:11]) + good[11:], ErrAddressEncoding},
		{"invalid character b", good[:8] + "b" + good[9:], ErrAddressEncoding},
		{"leading space", " " + good, ErrAddressEncoding},
		{"trailing newline", good + "\n", ErrAddressEncoding},
		{"bech32m checksum", encodeBech32(t, Bech32HRP, payload, true), ErrAddressEncoding},
		{"non-zero padding", overPadded, ErrAddressEncoding},
		{"over 90 chars", encodeBech32(t, Bech32HRP, make([]byte, 50), false), ErrAddressEncoding},
		{"wrong hrp cosmos", encodeBech32(t, "cosmos", payload, false), ErrAddressPrefix},
		{"wrong hrp petrovaloper", encodeBech32(t, "petrovaloper", payload, false), ErrAddressPrefix},
		{"19 bytes", encodeBech32(t, Bech32HRP, payload[:19], false), ErrAddressLength},
		{"21 bytes", encodeBech32(t, Bech32HRP, append(bytes.Clone(payload), 0), false), ErrAddressLength},
		{"32 bytes", encodeBech32(t, Bech32HRP, make([]byte, 32), false), ErrAddressLength},
		{"0 bytes", encodeBech32(t, Bech32HRP, nil, false), ErrAddressLength},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := AddressFromBech32(tc.in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("AddressFromBech32(%q) = %x, %v; want %v", tc.in, []byte(a), err, tc.want)
			}
			if a != nil {
				t.Fatal("non-nil address with error")
			}
		})
	}
}

func TestValidateAddressBytes(t *testing.T) {
	for _, n := range []int{0, 1, 19, 21, 32, 33} {
		if err := ValidateAddressBytes(make([]byte, n)); !errors.Is(err, ErrAddressLength) {
			t.Errorf("len %d: err = %v", n, err)
		}
	}
	if err := ValidateAddressBytes(make([]byte, 20)); err != nil {
		t.Errorf("len 20: %v", err)
	}
}

func TestAddressJSON(t *testing.T) {
	type doc struct {
		Owner Address `json:"owner"`
	}
	a := Address(mustHex(t, "751e76e8199196d454941c45d1b3a323f1433bd6"))

	bz, err := json.Marshal(doc{Owner: a})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"owner":"` + a.String() + `"}`; string(bz) != want {
		t.Fatalf("json = %s, want %s", bz, want)
	}
	var back doc
	if err := json.Unmarshal(bz, &back); err != nil || !back.Owner.Equals(a) {
		t.Fatalf("round trip: %v, %x", err, []byte(back.Owner))
	}

	t.Run("empty", func(t *testing.T) {
		bz, err := json.Marshal(doc{})
		if err != nil || string(bz) != `{"owner":""}` {
			t.Fatalf("%s, %v", bz, err)
		}
		var d doc
		if err := json.Unmarshal(bz, &d); err != nil || !d.Owner.Empty() {
			t.Fatalf("%v, %x", err, []byte(d.Owner))
		}
	})
	t.Run("null keeps value", func(t *testing.T) {
		d := doc{Owner: a}
		if err := json.Unmarshal([]byte(`{"owner":null}`), &d); err != nil || !d.Owner.Equals(a) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("wrong length refuses to marshal", func(t *testing.T) {
		if _, err := json.Marshal(doc{Owner: Address{1, 2, 3}}); !errors.Is(err, ErrAddressLength) {
			t.Fatalf("err = %v", err)
		}
	})
	for name, in := range map[string]string{
		"wrong hrp": `{"owner":"` + encodeBech32(t, "cosmos", a, false) + `"}`,
		"number":    `{"owner":12}`,
		"garbage":   `{"owner":"petro1xyz"}`,
	} {
		t.Run("rejects "+name, func(t *testing.T) {
			var d doc
			if err := json.Unmarshal([]byte(in), &d); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}
