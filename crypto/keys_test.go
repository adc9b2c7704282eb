package crypto

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
)

// Group order N and (N-1)/2 of secp256k1, big-endian.
const (
	hexN        = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"
	hexHalfN    = "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0"
	hexHalfNP1  = "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a1"
	hexNMinus1  = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140"
	hexAllOnes  = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	hexZero32   = "0000000000000000000000000000000000000000000000000000000000000000"
	hexOne32    = "0000000000000000000000000000000000000000000000000000000000000001"
	fixedKeyHex = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fixedKey(t testing.TB) *PrivKey {
	t.Helper()
	k, err := PrivKeyFromBytes(mustHex(t, fixedKeyHex))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustSign(t testing.TB, k *PrivKey, msg []byte) []byte {
	t.Helper()
	sig, err := k.Sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func TestPrivKeyFromBytes(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		wantErr bool
	}{
		{"one", hexOne32, false},
		{"N-1", hexNMinus1, false},
		{"fixed", fixedKeyHex, false},
		{"zero", hexZero32, true},
		{"N", hexN, true},
		{"above N", hexAllOnes, true},
		{"31 bytes", hexOne32[2:], true},
		{"33 bytes", "00" + hexOne32, true},
		{"empty", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k, err := PrivKeyFromBytes(mustHex(t, tc.in))
			if tc.wantErr {
				if !errors.Is(err, ErrInvalidPrivKey) {
					t.Fatalf("err = %v, want ErrInvalidPrivKey", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(k.Bytes()); got != tc.in {
				t.Fatalf("Bytes() = %s, want %s", got, tc.in)
			}
		})
	}
}

func TestGenPrivKey(t *testing.T) {
	a, err := GenPrivKey()
	if err != nil {
		t.Fatal(err)
	}
	b, err := GenPrivKey()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two generated keys are equal")
	}
	if _, err := PrivKeyFromBytes(a.Bytes()); err != nil {
		t.Fatalf("generated key does not round-trip: %v", err)
	}
}

func TestSignDeterministicLowS(t *testing.T) {
	k := fixedKey(t)
	for _, msg := range [][]byte{nil, []byte("a"), []byte("petro sign bytes"), bytes.Repeat([]byte{0xff}, 1000)} {
		sig1 := mustSign(t, k, msg)
		sig2 := mustSign(t, k, msg)
		if !bytes.Equal(sig1, sig2) {
			t.Fatal("Sign is not deterministic")
		}
		if len(sig1) != SignatureSize {
			t.Fatalf("len(sig) = %d", len(sig1))
		}
		var s btcec.ModNScalar
		if s.SetByteSlice(sig1[32:]) || s.IsOverHalfOrder() {
			t.Fatal("signature is not low-S")
		}
	}
}

// TestSignMatchesBtcec pins the encoding: our R‖S is btcec's RFC 6979
// signature over SHA-256(msg), and btcec verifies it.
func TestSignMatchesBtcec(t *testing.T) {
	k := fixedKey(t)
	msg := []byte("hello petro")
	sig := mustSign(t, k, msg)
	hash := sha256.Sum256(msg)
	want := ecdsa.Sign(k.key, hash[:])
	r, s := want.R(), want.S()
	rb, sb := r.Bytes(), s.Bytes()
	if !bytes.Equal(sig[:32], rb[:]) || !bytes.Equal(sig[32:], sb[:]) {
		t.Fatal("R‖S differs from btcec's signature")
	}
	if !want.Verify(hash[:], k.key.PubKey()) {
		t.Fatal("btcec rejects its own signature")
	}
}

func TestVerifySignature(t *testing.T) {
	k := fixedKey(t)
	pub := k.PubKey()
	msg := []byte("transfer 1 PTR")
	sig := mustSign(t, k, msg)
	other, err := PrivKeyFromBytes(mustHex(t, hexOne32))
	if err != nil {
		t.Fatal(err)
	}

	// withR / withS return a copy of sig with r or s replaced.
	withR := func(r string) []byte { return append(mustHex(t, r), sig[32:]...) }
	withS := func(s string) []byte { return append(bytes.Clone(sig[:32]), mustHex(t, s)...) }

	cases := []struct {
		name string
		pub  *PubKey
		msg  []byte
		sig  []byte
		want error // nil: valid
	}{
		{"valid", pub, msg, sig, nil},
		{"wrong message", pub, []byte("transfer 2 PTR"), sig, ErrSigInvalid},
		{"wrong key", other.PubKey(), msg, sig, ErrSigInvalid},
		{"nil key", nil, msg, sig, ErrInvalidPubKey},
		{"empty sig", pub, msg, nil, ErrSigLength},
		{"63 bytes", pub, msg, sig[:63], ErrSigLength},
		{"65 bytes", pub, msg, append(bytes.Clone(sig), 0), ErrSigLength},
		{"DER-length 70 bytes", pub, msg, make([]byte, 70), ErrSigLength},
		{"r = 0", pub, msg, withR(hexZero32), ErrSigRange},
		{"s = 0", pub, msg, withS(hexZero32), ErrSigRange},
		{"r = N", pub, msg, withR(hexN), ErrSigRange},
		{"s = N", pub, msg, withS(hexN), ErrSigRange},
		{"r > N", pub, msg, withR(hexAllOnes), ErrSigRange},
		{"s > N", pub, msg, withS(hexAllOnes), ErrSigRange},
		{"s = N-1 (high)", pub, msg, withS(hexNMinus1), ErrSigHighS},
		{"s = N/2+1 (high)", pub, msg, withS(hexHalfNP1), ErrSigHighS},
		{"s = N/2 (low, wrong)", pub, msg, withS(hexHalfN), ErrSigInvalid},
		{"r = N-1 (in range, wrong)", pub, msg, withR(hexNMinus1), ErrSigInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.pub.VerifySignatureErr(tc.msg, tc.sig)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
			} else if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if got := tc.pub.VerifySignature(tc.msg, tc.sig); got != (tc.want == nil) {
				t.Fatalf("VerifySignature = %v, want %v", got, tc.want == nil)
			}
		})
	}
}

// TestVerifyRejectsHighS is the reason this package exists: (r, N-s) is a
// second valid ECDSA signature that btcec accepts and we must not.
func TestVerifyRejectsHighS(t *testing.T) {
	k := fixedKey(t)
	msg := []byte("malleable?")
	sig := mustSign(t, k, msg)

	var r, s btcec.ModNScalar
	r.SetByteSlice(sig[:32])
	s.SetByteSlice(sig[32:])
	highS := new(btcec.ModNScalar).NegateVal(&s) // N - s
	if !highS.IsOverHalfOrder() {
		t.Fatal("N - s should be high")
	}
	high := make([]byte, SignatureSize)
	r.PutBytesUnchecked(high[:32])
	highS.PutBytesUnchecked(high[32:])

	hash := sha256.Sum256(msg)
	if !ecdsa.NewSignature(&r, highS).Verify(hash[:], k.key.PubKey()) {
		t.Fatal("btcec's ecdsa.Verify should accept the high-S twin (premise of this test)")
	}
	if err := k.PubKey().VerifySignatureErr(msg, high); !errors.Is(err, ErrSigHighS) {
		t.Fatalf("err = %v, want ErrSigHighS", err)
	}
	if k.PubKey().VerifySignature(msg, high) {
		t.Fatal("VerifySignature accepted a high-S signature")
	}
}

func TestPubKeyFromBytes(t *testing.T) {
	k := fixedKey(t)
	compressed := k.PubKey().Bytes()
	uncompressed := k.key.PubKey().SerializeUncompressed()
	// x = 5 is not the x-coordinate of any curve point (5^3 + 7 = 132 is a
	// non-residue mod P).
	offCurve := append([]byte{0x02}, mustHex(t, "0000000000000000000000000000000000000000000000000000000000000005")...)
	// x = P (not reduced).
	xIsP := append([]byte{0x02}, mustHex(t, "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f")...)
	withPrefix := func(p byte) []byte { b := bytes.Clone(compressed); b[0] = p; return b }

	cases := []struct {
		name    string
		in      []byte
		wantErr bool
	}{
		{"compressed", compressed, false},
		{"flipped parity", withPrefix(compressed[0] ^ 0x01), false}, // the negated point, still valid
		{"uncompressed 65 bytes", uncompressed, true},
		{"hybrid prefix 0x06", withPrefix(0x06), true},
		{"prefix 0x04 in 33 bytes", withPrefix(0x04), true},
		{"prefix 0x00", withPrefix(0x00), true},
		{"x not on curve", offCurve, true},
		{"x = P", xIsP, true},
		{"32 bytes", compressed[:32], true},
		{"34 bytes", append(bytes.Clone(compressed), 0), true},
		{"empty", nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pk, err := PubKeyFromBytes(tc.in)
			if tc.wantErr {
				if !errors.Is(err, ErrInvalidPubKey) {
					t.Fatalf("err = %v, want ErrInvalidPubKey", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(pk.Bytes(), tc.in) {
				t.Fatal("Bytes() does not round-trip")
			}
		})
	}
}

func TestPubKeyEqualsAndBytesCopy(t *testing.T) {
	k := fixedKey(t)
	a, b := k.PubKey(), k.PubKey()
	if !a.Equals(b) {
		t.Fatal("same key not equal")
	}
	bz := a.Bytes()
	bz[1] ^= 0xff
	if !a.Equals(b) {
		t.Fatal("mutating Bytes() changed the key")
	}
	var nilKey *PubKey
	if a.Equals(nilKey) || !nilKey.Equals(nil) {
		t.Fatal("nil handling")
	}
}

func BenchmarkSign(b *testing.B) {
	k := fixedKey(b)
	msg := bytes.Repeat([]byte{7}, 256)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Sign(msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifySignature(b *testing.B) {
	k := fixedKey(b)
	pub := k.PubKey()
	msg := bytes.Repeat([]byte{7}, 256)
	sig := mustSign(b, k, msg)
	b.ReportAllocs()
	for b.Loop() {
		if !pub.VerifySignature(msg, sig) {
			b.Fatal("invalid")
		}
	}
}

func BenchmarkPubKeyFromBytes(b *testing.B) {
	bz := fixedKey(b).PubKey().Bytes()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := PubKeyFromBytes(bz); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifySignatureBtcecBaseline is the baseline for
// BenchmarkVerifySignature: btcec's own ecdsa.Verify on the same key,
// message and signature, without petro's length, range and low-S checks.
func BenchmarkVerifySignatureBtcecBaseline(b *testing.B) {
	k := fixedKey(b)
	pub, err := btcec.ParsePubKey(k.PubKey().Bytes())
	if err != nil {
		b.Fatal(err)
	}
	msg := bytes.Repeat([]byte{7}, 256)
	sig := mustSign(b, k, msg)
	var r, s btcec.ModNScalar
	r.SetByteSlice(sig[:32])
	s.SetByteSlice(sig[32:])
	esig := ecdsa.NewSignature(&r, &s)
	h := sha256.Sum256(msg)
	b.ReportAllocs()
	for b.Loop() {
		if !esig.Verify(h[:], pub) {
			b.Fatal("invalid")
		}
	}
}
