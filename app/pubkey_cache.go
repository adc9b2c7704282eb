package app

import (
	"sync"

	"github.com/petro-network/petro/crypto"
)

// pubKeyCache maps a 33-byte compressed public key to its parsed form.
// Parsing decompresses the point (a square root mod p, ~11 µs) and DecodeTx
// runs for the same tx in CheckTx, recheck, Prepare/ProcessProposal and
// FinalizeBlock; a wallet's key is the same in all its txs. A hit returns
// exactly what crypto.PubKeyFromBytes returns for those bytes (a PubKey is
// immutable), and only successful parses are cached, so the cache changes
// no result, only the time. It is bounded: when full it starts over.
type pubKeyCache struct {
	mu  sync.RWMutex
	max int
	m   map[[crypto.PubKeySize]byte]*parsedKey
}

// parsedKey is a parsed key with its address and the address's bech32
// string (DecodeTx compares every message's signer with it). Shared by
// every Tx signed with the key: never modify one.
type parsedKey struct {
	pub    *crypto.PubKey
	addr   crypto.Address
	bech32 string
}

// pubKeyCacheSize bounds the cache: ~250 B a key, so ~16 MiB when full.
const pubKeyCacheSize = 65_536

var pubKeys = newPubKeyCache(pubKeyCacheSize)

func newPubKeyCache(max int) *pubKeyCache {
	return &pubKeyCache{max: max, m: make(map[[crypto.PubKeySize]byte]*parsedKey)}
}

// parse is crypto.PubKeyFromBytes (and Address, and its String), memoised.
func (c *pubKeyCache) parse(b []byte) (*parsedKey, error) {
	if len(b) != crypto.PubKeySize {
		_, err := crypto.PubKeyFromBytes(b) // the error, with its detail
		return nil, err
	}
	k := [crypto.PubKeySize]byte(b)
	c.mu.RLock()
	pk, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return pk, nil
	}
	pub, err := crypto.PubKeyFromBytes(b)
	if err != nil {
		return nil, err
	}
	addr := pub.Address()
	pk = &parsedKey{pub: pub, addr: addr, bech32: addr.String()}
	c.mu.Lock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[k] = pk
	c.mu.Unlock()
	return pk, nil
}

// PreVerify decodes raw and verifies its signature into the decoded-tx and
// verified-signature caches, touching no state, so that CheckTx (and
// Process/FinalizeBlock) of the same bytes finds both done. CometBFT runs
// CheckTx one at a time on the mempool connection; the node's ABCI client
// calls PreVerify on the caller's goroutine (a broadcast, a peer's
// receive routine) before taking that connection's lock, so verification,
// most of CheckTx's cost, runs on all cores. It changes no result: a tx
// that fails here is verified again, and refused, by CheckTx. Safe for
// concurrent use.
func (a *App) PreVerify(raw []byte) {
	defer func() { // it runs on CometBFT's peer and RPC goroutines: never take the node down
		if r := recover(); r != nil {
			a.logger.Error("pre-verifying a tx panicked; CheckTx will judge it", "panic", r)
		}
	}()
	if tx, err := a.Decode(raw); err == nil {
		_ = a.verifySig(tx)
	}
}
