package app

import "sync"

// sigCache remembers hashes of txs whose signature verified. Validity is a
// pure function of the tx bytes and the chain id, so a hit is as good as a
// verification; the cache only saves work and never changes a result. It
// is bounded: when full it starts over.
type sigCache struct {
	mu  sync.Mutex
	max int
	set map[[32]byte]struct{}
}

func newSigCache(max int) *sigCache {
	return &sigCache{max: max, set: make(map[[32]byte]struct{}, max)}
}

func (c *sigCache) has(h [32]byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.set[h]
	return ok
}

func (c *sigCache) add(h [32]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.set) >= c.max {
		clear(c.set)
	}
	c.set[h] = struct{}{}
}
