package app

import (
	"bytes"
	"errors"
	"testing"

	"crypto/sha256"
	"encoding/binary"

	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/crypto"
	txtypes "github.com/petro-network/petro/types/tx"
)

// testKey is a deterministic key (this package cannot import testutil).
func testKey(t testing.TB, i int) *crypto.PrivKey {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(i))
	sum := sha256.Sum256(append([]byte("petro/app/pubkey_cache_test"), b[:]...))
	k, err := crypto.PrivKeyFromBytes(sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestPubKeyCacheSameAsParse(t *testing.T) {
	c := newPubKeyCache(2)
	for round := 0; round < 2; round++ { // miss, then hit
		for i := 0; i < 3; i++ { // 3 keys in a cache of 2: it starts over
			b := testKey(t, i).PubKey().Bytes()
			want, err := crypto.PubKeyFromBytes(b)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.parse(b)
			if err != nil {
				t.Fatal(err)
			}
			if !got.pub.Equals(want) || !bytes.Equal(got.addr, want.Address()) || got.bech32 != want.Address().String() {
				t.Fatalf("key %d round %d: cache gives another key", i, round)
			}
			if len(c.m) > 2 {
				t.Fatalf("cache holds %d > 2", len(c.m))
			}
		}
	}
	// Invalid keys fail as PubKeyFromBytes does and are not cached.
	for _, bad := range [][]byte{nil, make([]byte, 33), append([]byte{0x04}, make([]byte, 32)...), make([]byte, 65)} {
		_, want := crypto.PubKeyFromBytes(bad)
		_, got := c.parse(bad)
		if got == nil || got.Error() != want.Error() || !errors.Is(got, crypto.ErrInvalidPubKey) {
			t.Fatalf("%x: error %v, want %v", bad, got, want)
		}
	}
	if len(c.m) > 2 {
		t.Fatal("an invalid key was cached")
	}
}

func TestTxCacheGenerations(t *testing.T) {
	k := testKey(t, 0)
	raw, err := client.SignTx("c", k, 0, []*txtypes.Msg{client.SendMsg(k.PubKey().Address(), testKey(t, 1).PubKey().Address(), 1)}, client.TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := DecodeTx(raw)
	if err != nil {
		t.Fatal(err)
	}
	var c txCache
	c.put(5, tx)
	if c.get(5, raw) != tx || c.get(6, raw) != tx {
		t.Fatal("miss at the decoding height or the next")
	}
	// Used at 6, so still there at 7 (a tx waiting in the mempool is
	// looked up by every recheck).
	if c.get(7, raw) != tx {
		t.Fatal("an entry used during the previous height was dropped")
	}
	// Not used during heights 8 and 9 (e.g. it was committed): gone.
	other := bytes.Clone(raw)
	other[len(other)-1] ^= 1
	c.get(8, other)
	c.get(9, other)
	if c.get(9, raw) != nil {
		t.Fatal("an unused entry survived two heights")
	}
	c.put(9, tx)
	// Other bytes never hit.
	if c.get(9, other) != nil {
		t.Fatal("hit for other bytes")
	}
}

// BenchmarkPubKeyParse: crypto.PubKeyFromBytes (decompression) + Address
// + bech32, as DecodeTx did per tx, against a hit in the cache.
func BenchmarkPubKeyParse(b *testing.B) {
	keys := make([][]byte, 1000)
	for i := range keys {
		keys[i] = testKey(b, i).PubKey().Bytes()
	}
	b.Run("uncached", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			pk, err := crypto.PubKeyFromBytes(keys[i%len(keys)])
			if err != nil {
				b.Fatal(err)
			}
			_ = pk.Address().String()
		}
	})
	b.Run("cached", func(b *testing.B) {
		c := newPubKeyCache(pubKeyCacheSize)
		for _, k := range keys {
			_, _ = c.parse(k)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := c.parse(keys[i%len(keys)]); err != nil {
				b.Fatal(err)
			}
		}
	})
}
