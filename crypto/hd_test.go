package crypto

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/bech32"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
)

const (
	h = hdkeychain.HardenedKeyStart
	// The public BIP-39 test mnemonic; never fund its addresses.
	abandonMnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
)

// TestBIP32Vectors checks derivePath against the official BIP-32 test
// vectors (private keys of the leaf; vector 3 exercises the leading-zero
// case that btcutil's old Child method got wrong).
func TestBIP32Vectors(t *testing.T) {
	cases := []struct {
		name    string
		seed    string
		path    []uint32
		wantKey string
	}{
		{
			name:    "vector 1 m",
			seed:    "000102030405060708090a0b0c0d0e0f",
			path:    nil,
			wantKey: "e8f32e723decf4051aefac8e2c93c9c5b214313817cdb01a1494b917c8436b35",
		},
		{
			name:    "vector 1 m/0'/1/2'/2/1000000000",
			seed:    "000102030405060708090a0b0c0d0e0f",
			path:    []uint32{h + 0, 1, h + 2, 2, 1000000000},
			wantKey: "471b76e389e528d6de6d816857e012c5455051cad6660850e58372a6c3e6e7c8",
		},
		{
			name:    "vector 3 m/0'",
			seed:    "4b381541583be4423346c643850da4b320e46a87ae3d2a4e6da11eba819cd4acba45d239319ac14f863b8d5ab5a0d0c64d2e8a1e7d1457df2e5a3c51c73235be",
			path:    []uint32{h + 0},
			wantKey: "491f7a2eebc7b57028e0d3faa0acda02e75c33b03c48fb288c41e2ea44e1daef",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seed, err := hex.DecodeString(tc.seed)
			if err != nil {
				t.Fatal(err)
			}
			k, err := derivePath(seed, tc.path)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(k.Bytes()); got != tc.wantKey {
				t.Fatalf("key = %s, want %s", got, tc.wantKey)
			}
		})
	}
}

// TestCosmosVector: the all-"abandon" mnemonic at m/44'/118'/0'/0/0 is the
// Cosmos Hub address cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4 (published
// by cosmjs, Keplr and others); our address must hold the same 20 bytes.
func TestCosmosVector(t *testing.T) {
	hrp, data, err := bech32.Decode("cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4")
	if err != nil || hrp != "cosmos" {
		t.Fatal(hrp, err)
	}
	want, err := bech32.ConvertBits(data, 5, 8, false)
	if err != nil {
		t.Fatal(err)
	}

	k, err := DerivePrivKeyFromMnemonic(abandonMnemonic, "", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := k.PubKey().Address(); !got.Equals(want) {
		t.Fatalf("address = %x, want %x", []byte(got), want)
	}

	// Extra white space is normalised away: same key.
	k2, err := DerivePrivKeyFromMnemonic("  "+strings.ReplaceAll(abandonMnemonic, " ", "\t ")+"\n", "", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(k2.Bytes()) != hex.EncodeToString(k.Bytes()) {
		t.Fatal("white space changed the derived key")
	}
}

func TestDerivePrivKeyFromMnemonicDistinct(t *testing.T) {
	seen := map[string]string{}
	for _, c := range []struct {
		pass           string
		account, index uint32
	}{
		{"", 0, 0}, {"", 0, 1}, {"", 1, 0}, {"25th word", 0, 0}, {"", h - 1, h - 1},
	} {
		k, err := DerivePrivKeyFromMnemonic(abandonMnemonic, c.pass, c.account, c.index)
		if err != nil {
			t.Fatal(err)
		}
		key := hex.EncodeToString(k.Bytes())
		label := HDPath(c.account, c.index) + " pass=" + c.pass
		if prev, dup := seen[key]; dup {
			t.Fatalf("%s and %s derive the same key", prev, label)
		}
		seen[key] = label
	}
}

func TestDerivePrivKeyFromMnemonicErrors(t *testing.T) {
	badChecksum := strings.Replace(abandonMnemonic, "about", "abandon", 1)
	cases := []struct {
		name           string
		mnemonic       string
		account, index uint32
		want           error
	}{
		{"bad checksum", badChecksum, 0, 0, ErrInvalidMnemonic},
		{"unknown word", strings.Replace(abandonMnemonic, "about", "petro", 1), 0, 0, ErrInvalidMnemonic},
		{"11 words", abandonMnemonic[len("abandon "):], 0, 0, ErrInvalidMnemonic},
		{"empty", "", 0, 0, ErrInvalidMnemonic},
		{"upper case", strings.ToUpper(abandonMnemonic), 0, 0, ErrInvalidMnemonic},
		{"hardened account", abandonMnemonic, h, 0, ErrInvalidHDPath},
		{"hardened index", abandonMnemonic, 0, h, ErrInvalidHDPath},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := DerivePrivKeyFromMnemonic(tc.mnemonic, "", tc.account, tc.index); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestNewMnemonic(t *testing.T) {
	m, err := NewMnemonic()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Fields(m)); n != 24 {
		t.Fatalf("%d words, want 24", n)
	}
	if err := ValidateMnemonic(m); err != nil {
		t.Fatal(err)
	}
	m2, err := NewMnemonic()
	if err != nil {
		t.Fatal(err)
	}
	if m == m2 {
		t.Fatal("two mnemonics are equal")
	}
}

func TestHDPath(t *testing.T) {
	if got := HDPath(2, 7); got != "m/44'/118'/2'/0/7" {
		t.Fatal(got)
	}
}
