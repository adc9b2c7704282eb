package app

import (
	"bytes"
	"crypto/sha256"
	"sync"
)

// txCache keeps decoded txs so that a node decodes each tx once: the
// first of PreVerify (broadcast or gossip, before CheckTx), CheckTx,
// recheck, Prepare/ProcessProposal, FinalizeBlock and the telemetry
// listener decodes it, the others find it here. On a loaded validator a
// tx used to be decoded five times (~10 % of the node's CPU, most of it
// bech32 decoding in ValidateBasic). A decoded Tx is a pure function of
// its bytes and is never modified after DecodeTx returns (the hit is
// checked byte for byte), so a hit changes no result.
//
// Entries live in two generations keyed by the committed height: a tx
// decoded or looked up at height h is kept for h and h+1; one not used
// during a whole height (committed a while ago, evicted) is dropped. A
// tx waiting in the mempool is touched by every recheck and stays.
type txCache struct {
	mu     sync.Mutex
	height int64
	cur    map[[32]byte]*Tx
	prev   map[[32]byte]*Tx
}

// txCacheMax bounds one generation: a height's admissions and blocks at
// several thousand tx/s, or a full 20,000-tx mempool being rechecked.
const txCacheMax = 20_000

// rotate starts a new generation when the committed height moved. c.mu held.
func (c *txCache) rotate(height int64) {
	if c.cur == nil || height != c.height {
		c.prev, c.cur, c.height = c.cur, make(map[[32]byte]*Tx), height
	}
}

// get returns the decoded raw, or nil; a hit is kept for this height.
func (c *txCache) get(height int64, raw []byte) *Tx {
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
	c.putLocked(tx)
	return tx
}

// put keeps tx, decoded at height.
func (c *txCache) put(height int64, tx *Tx) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rotate(height)
	c.putLocked(tx)
}

func (c *txCache) putLocked(tx *Tx) {
	if len(c.cur) < txCacheMax {
		c.cur[tx.Hash] = tx
	}
}

// Decode is DecodeTx through the node's decoded-tx cache. The result must
// not be modified. Safe for concurrent use.
func (a *App) Decode(raw []byte) (*Tx, error) {
	if decodeHook != nil {
		decodeHook(raw)
	}
	if len(raw) > MaxTxBytes {
		return DecodeTx(raw) // refused before hashing
	}
	committed, _ := a.cs.LastCommit()
	if tx := a.txs.get(committed, raw); tx != nil {
		return tx, nil
	}
	tx, err := DecodeTx(raw)
	if err == nil {
		a.txs.put(committed, tx)
	}
	return tx, err
}

// decodeHook, when set (tests only, to inject a panic), runs at the start
// of every Decode.
var decodeHook func(raw []byte)
