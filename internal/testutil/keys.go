package testutil

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/petro-network/petro/crypto"
)

// keySeed fixes every test key. Changing it changes every test address and
// the golden app hash.
const keySeed = "petro/testutil/key/v1"

var keyCache sync.Map // int → *crypto.PrivKey

// Key returns the i-th deterministic test key: the secp256k1 scalar
// SHA-256(keySeed ‖ i ‖ attempt), taking the first attempt that is a valid
// scalar. The same i gives the same key (and address) on every run and
// machine. Keys are cached; Key is safe for concurrent use. Never use these
// keys outside tests.
func Key(i int) *crypto.PrivKey {
	if k, ok := keyCache.Load(i); ok {
		return k.(*crypto.PrivKey)
	}
	var buf [len(keySeed) + 16]byte
	copy(buf[:], keySeed)
	binary.BigEndian.PutUint64(buf[len(keySeed):], uint64(i))
	for attempt := uint64(0); ; attempt++ {
		binary.BigEndian.PutUint64(buf[len(keySeed)+8:], attempt)
		sum := sha256.Sum256(buf[:])
		if k, err := crypto.PrivKeyFromBytes(sum[:]); err == nil {
			actual, _ := keyCache.LoadOrStore(i, k)
			return actual.(*crypto.PrivKey)
		}
		if attempt > 16 { // probability < 2^-2000; a broken crypto package
			panic(fmt.Sprintf("testutil: no valid key for index %d", i))
		}
	}
}

// Addr is the address of Key(i).
func Addr(i int) crypto.Address { return Key(i).PubKey().Address() }

// Keys returns Key(0) … Key(n-1).
func Keys(n int) []*crypto.PrivKey {
	out := make([]*crypto.PrivKey, n)
	for i := range out {
		out[i] = Key(i)
	}
	return out
}

// FillerAddr is the i-th deterministic address that belongs to no test key:
// the first 20 bytes of SHA-256("petro/testutil/filler" ‖ i). It is cheap
// (no elliptic-curve work), for filling state with many holders.
func FillerAddr(i int) crypto.Address {
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], uint64(i))
	sum := sha256.Sum256(append([]byte("petro/testutil/filler"), buf[:]...))
	return crypto.Address(sum[:crypto.AddressSize])
}
