package app

import (
	"bytes"
	"crypto/sha256"
	"sync"
)

// decodedTxCache keeps the decoded form of the txs CheckTx admitted, so
// that CometBFT's recheck (every tx left in the mempool, after every
// block, under the mempool lock: its time adds to the block time) skips
// DecodeTx. A decoded Tx is a pure function of its bytes (the hit is
// checked byte for byte), so a hit changes no result: recheck still runs
// ante (sequence, chain id, timeout) and every message on the fresh check
// state, and the signature comes from the verified-signature cache as
// before. Entries live in two generations keyed by the committed height:
// a tx that is rechecked or admitted at height h is kept for h; what was
// not touched during a whole height (committed or evicted txs) is dropped.
type decodedTxCache struct {
	mu     sync.Mutex
	height int64
	cur    map[[32]byte]*Tx
	prev   map[[32]byte]*Tx
}

// decodedTxCacheMax bounds one generation (CometBFT's default mempool
// holds 5,000 txs).
const decodedTxCacheMax = 20_000

// rotate starts a new generation when the committed height moved. c.mu held.
func (c *decodedTxCache) rotate(height int64) {
	if c.cur == nil || height != c.height {
		c.prev, c.cur, c.height = c.cur, make(map[[32]byte]*Tx), height
	}
}

// get returns the decoded raw admitted earlier, or nil.
func (c *decodedTxCache) get(height int64, raw []byte) *Tx {
	h := sha256.Sum256(raw)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rotate(height)
	tx := c.cur[h]
	if tx == nil {
		tx = c.prev[h]
	}
	if tx == nil || !bytes.Equal(tx.Raw, raw) {
		return nil
	}
	return tx
}

// put keeps tx (admitted or rechecked successfully at height).
func (c *decodedTxCache) put(height int64, tx *Tx) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rotate(height)
	if len(c.cur) < decodedTxCacheMax {
		c.cur[tx.Hash] = tx
	}
}
