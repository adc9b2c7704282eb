package store

import (
	"sync"
	"sync/atomic"
)

// The latest-version cache: a write-through cache of key → value (or absence) for the last
// committed version, filled by Commit from the working tree's writes and by reads that missed.
//
// Why: ReadAt serves committed versions from a second iavl handle (see README.md, Concurrency)
// whose node cache never holds the nodes the working tree just wrote, so reading a key a block
// has just changed loads its leaf and every new inner node on its path from the DB. CheckTx
// reads exactly those keys (the accounts that just transacted) through ReadAt(latest); in a
// profile of a loaded node that was ~10 % of all CPU, on CometBFT's serial CheckTx path.
//
// Correctness: the cache represents one (version, epoch) at a time. A committed version never
// changes, so an entry stored for version V is V's value for as long as the cache represents V.
// Commit of V+1 applies the block's writes (the only keys whose value differs between V and
// V+1) and then represents V+1. A view of V reads the cache only while the cache represents V
// and inserts what it read only under the cache lock after checking that again; once the cache
// has moved to V+1 the view bypasses it and reads its ImmutableTree, as every view of an older
// version does. The epoch changes whenever the cache is reset (Close, Restore, a failed Commit),
// so a version number reused after a reset can never match a view taken before it.
//
// Bound: at most maxEntries entries and about maxBytes of keys and values. When an insert would
// exceed either, arbitrary entries are evicted one by one (Go's randomised map iteration order
// makes this random eviction, O(1) per entry); the hot set (keys read every block) stays mostly
// cached, and a miss costs what a read cost without the cache.
//
// Slices: entries hold values that nobody mutates: the copy treeKV.Set made for the working
// tree (iavl replaces nodes, it never writes into a value), or a copy of what a read found (a
// node's value is a sub-slice of its whole encoding, which the cache should not keep alive).
// The cache never hands an entry out: readers get a copy.

const (
	// latestCacheEntries bounds the number of keys cached (~30 MB of balance-sized entries).
	latestCacheEntries = 200_000
	// latestCacheBytes bounds the cached keys and values (with entryOverhead per entry).
	latestCacheBytes = 128 << 20
	// entryOverhead approximates a map entry's own memory: string and slice headers, hash
	// table slot and load-factor slack.
	entryOverhead = 64
)

// latestCache maps keys of one committed version to their values (nil: absent in that version).
// It is a partial map: a key not in it may hold anything.
type latestCache struct {
	mu      sync.RWMutex
	version int64         // the version the entries belong to; 0 = none (version 0 is never cached)
	epoch   atomic.Uint64 // bumped by reset; written under mu, read without it by ReadAt
	entries map[string][]byte
	bytes   int // sum of entrySize over entries

	maxEntries, maxBytes int
}

func newLatestCache(maxEntries, maxBytes int) *latestCache {
	return &latestCache{entries: make(map[string][]byte), maxEntries: maxEntries, maxBytes: maxBytes}
}

func entrySize(key string, value []byte) int { return len(key) + len(value) + entryOverhead }

// reset empties the cache, starts a new epoch and makes it represent version (0: nothing).
// An empty cache is a correct (partial) image of any version.
func (c *latestCache) reset(version int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch.Add(1)
	c.version = version
	c.entries = make(map[string][]byte)
	c.bytes = 0
}

// currentEpoch is the epoch a view taken now must match.
func (c *latestCache) currentEpoch() uint64 { return c.epoch.Load() }

// get returns the cached value of key at (version, epoch); hit is false when the key is not
// cached or the cache represents another version. value is shared: copy before handing out.
func (c *latestCache) get(version int64, epoch uint64, key []byte) (value []byte, hit bool) {
	c.mu.RLock()
	if c.version == version && c.epoch.Load() == epoch {
		value, hit = c.entries[string(key)]
	}
	c.mu.RUnlock()
	return value, hit
}

// put records that key holds value (nil: absent) at (version, epoch), read from that version's
// tree; it does nothing if the cache represents anything else by now. It keeps a copy of value.
func (c *latestCache) put(version int64, epoch uint64, key, value []byte) {
	value = cloneBytes(value)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version || c.epoch.Load() != epoch {
		return
	}
	if _, ok := c.entries[string(key)]; ok {
		return // same version, so the same value
	}
	c.insertLocked(string(key), value)
}

// insertLocked sets key (new or not) to value, evicting arbitrary entries to stay in bounds.
func (c *latestCache) insertLocked(key string, value []byte) {
	if old, ok := c.entries[key]; ok {
		c.bytes -= entrySize(key, old)
		delete(c.entries, key)
	}
	size := entrySize(key, value)
	if size > c.maxBytes || c.maxEntries <= 0 {
		return // not cached: the key stays absent from the (partial) map
	}
	for len(c.entries) >= c.maxEntries || c.bytes+size > c.maxBytes {
		for k, v := range c.entries { // random start: evicts an arbitrary entry
			c.bytes -= entrySize(k, v)
			delete(c.entries, k)
			break
		}
	}
	c.entries[key] = value
	c.bytes += size
}

// commit makes the cache represent next, the version SaveVersion just wrote from prev plus the
// writes w. If the cache did not represent prev, or w is not a complete record of the block's
// writes, what the cache held is dropped; every key recorded in w is still exact for next.
func (c *latestCache) commit(prev, next int64, w *pendingWrites) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != prev || c.version == 0 || w.incomplete || w.failed {
		c.entries = make(map[string][]byte)
		c.bytes = 0
	}
	if !w.failed {
		for k, v := range w.m {
			c.insertLocked(k, v)
		}
	}
	c.version = next
}

// pendingWrites records the working tree's writes since the last Commit, for latestCache.
// It belongs to the block-execution goroutine, like the working tree.
type pendingWrites struct {
	m map[string][]byte // key → value written (nil: deleted); values are shared with the tree
	// incomplete: a new key was not recorded because m was full. Recorded keys stay exact
	// (later writes to them are still recorded), but the others are unknown, so Commit must
	// drop the cache's old entries.
	incomplete bool
	// failed: a Set or Delete on the tree failed, so the tree's value of that key is
	// unknown; Commit then drops the cache and records nothing.
	failed bool
	max    int
}

// newPendingWrites returns the record of a new working tree. A KVStore from Working() keeps
// the record of its tree, so one that outlived its tree (resetAfterFailedRestore replaces
// both) writes into a record no Commit reads.
func newPendingWrites(max int) *pendingWrites {
	return &pendingWrites{m: make(map[string][]byte), max: max}
}

// record notes that key now holds value (nil: deleted) in the working tree. value must not be
// modified afterwards by anyone.
func (p *pendingWrites) record(key, value []byte) {
	if p == nil {
		return
	}
	if _, ok := p.m[string(key)]; !ok && len(p.m) >= p.max {
		p.incomplete = true
		return
	}
	p.m[string(key)] = value
}

// fail notes a write whose effect on the working tree is unknown.
func (p *pendingWrites) fail() {
	if p != nil {
		p.failed = true
	}
}

func (p *pendingWrites) reset() {
	p.m = make(map[string][]byte)
	p.incomplete, p.failed = false, false
}

// cachedView is the ReadStore of the version that was the latest when ReadAt made it: Get and
// Has go through the latest-version cache while it still represents that version; everything
// else (iterators, proofs) reads the tree as treeView does.
type cachedView struct {
	treeView
	cache *latestCache
	epoch uint64
}

var _ ReadStore = cachedView{}

func (v cachedView) Get(key []byte) ([]byte, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	val, err := v.lookup(key)
	return cloneBytes(val), err
}

func (v cachedView) Has(key []byte) (bool, error) {
	if err := checkKey(key); err != nil {
		return false, err
	}
	val, err := v.lookup(key)
	return val != nil, err
}

// lookup returns key's value (shared: not to be handed out or modified), nil if absent.
//
// A leaf the reader handle loads always has a non-nil value (iavl decodes it as a sub-slice of
// the stored node, empty or not), so nil from ImmutableTree.Get means absent, which is why a
// miss of Has can read (and cache) through Get as well.
func (v cachedView) lookup(key []byte) ([]byte, error) {
	version := v.tree.Version()
	if val, hit := v.cache.get(version, v.epoch, key); hit {
		return val, nil
	}
	val, err := v.tree.Get(key)
	if err != nil {
		return nil, err
	}
	v.cache.put(version, v.epoch, key, val)
	return val, nil
}
