package crypto

import (
	"bytes"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
)

// FuzzVerifySignature checks two properties:
//  1. arbitrary public-key bytes, message and signature never panic, and a
//     signature is accepted only if it is 64 bytes and low-S;
//  2. a valid signature by a fixed key with any one byte changed (at
//     pos mod 64, xor mask) is rejected.
func FuzzVerifySignature(f *testing.F) {
	k := fixedKey(f)
	pub := k.PubKey()
	msg := []byte("seed message")
	sig := mustSign(f, k, msg)

	f.Add(pub.Bytes(), msg, sig, uint8(0), byte(1))
	f.Add(pub.Bytes(), msg, sig, uint8(63), byte(0x80))
	f.Add(pub.Bytes(), []byte{}, sig[:63], uint8(32), byte(0xff))
	f.Add(k.key.PubKey().SerializeUncompressed(), msg, sig, uint8(31), byte(0x01))
	f.Add([]byte{0x02}, []byte("x"), mustHex(f, hexN+hexN), uint8(7), byte(0x10))
	f.Add(bytes.Repeat([]byte{0xff}, 33), msg, mustHex(f, hexOne32+hexNMinus1), uint8(40), byte(0x42))

	f.Fuzz(func(t *testing.T, pubBytes, m, s []byte, pos uint8, mask byte) {
		// Property 1: arbitrary inputs.
		if pk, err := PubKeyFromBytes(pubBytes); err == nil {
			if err := pk.VerifySignatureErr(m, s); err == nil {
				var sc btcec.ModNScalar
				if len(s) != SignatureSize || sc.SetByteSlice(s[32:]) || sc.IsZero() || sc.IsOverHalfOrder() {
					t.Fatalf("accepted malformed signature %x", s)
				}
				if !bytes.Equal(pk.Bytes(), pubBytes) {
					t.Fatal("accepted key does not round-trip")
				}
			}
		}

		// Property 2: a tampered valid signature fails.
		if mask == 0 {
			mask = 1
		}
		valid := mustSign(t, k, m)
		if !pub.VerifySignature(m, valid) {
			t.Fatal("fresh signature rejected")
		}
		tampered := bytes.Clone(valid)
		tampered[int(pos)%SignatureSize] ^= mask
		if pub.VerifySignature(m, tampered) {
			t.Fatalf("tampered signature accepted: byte %d ^ %#x", int(pos)%SignatureSize, mask)
		}
	})
}

// FuzzAddressFromBech32: never panics; whatever it accepts is 20 bytes and
// re-encodes to the lower-case form of the input.
func FuzzAddressFromBech32(f *testing.F) {
	good := Address(mustHex(f, "751e76e8199196d454941c45d1b3a323f1433bd6")).String()
	f.Add(good)
	f.Add(strings.ToUpper(good))
	f.Add("P" + good[1:])
	f.Add("")
	f.Add("petro1")
	f.Add("cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4")
	f.Add(good[:len(good)-1] + "q")
	f.Add(strings.Repeat("q", 100))
	f.Fuzz(func(t *testing.T, s string) {
		a, err := AddressFromBech32(s)
		if err != nil {
			return
		}
		if len(a) != AddressSize {
			t.Fatalf("accepted %d-byte address", len(a))
		}
		if a.String() != strings.ToLower(s) {
			t.Fatalf("%q re-encodes as %q", s, a.String())
		}
	})
}
