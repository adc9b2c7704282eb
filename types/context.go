package types

import (
	"time"
)

// Context is what a message handler or query sees: the state to read and
// write, the block it runs in and an event sink. Block time comes from the
// block header, identical on every node; handlers never read a clock.
type Context struct {
	store   KVStore
	height  int64
	time    time.Time
	chainID string
	events  *[]Event
}

// NewContext returns a context over kv for the block at height and time.
func NewContext(kv KVStore, chainID string, height int64, t time.Time) Context {
	return Context{store: kv, chainID: chainID, height: height, time: t, events: new([]Event)}
}

func (c Context) Store() KVStore       { return c.store }
func (c Context) BlockHeight() int64   { return c.height }
func (c Context) BlockTime() time.Time { return c.time }
func (c Context) ChainID() string      { return c.chainID }

// WithStore returns a copy of c over kv with a fresh event sink, used to run
// a tx or a message on its own branch.
func (c Context) WithStore(kv KVStore) Context {
	c.store = kv
	c.events = new([]Event)
	return c
}

// EmitEvent records ev; events of a branch that is discarded are dropped
// with it by the caller.
func (c Context) EmitEvent(ev Event) { *c.events = append(*c.events, ev) }

// Events returns the events emitted on this context so far.
func (c Context) Events() []Event { return *c.events }

// StateReader opens committed state for queries. height 0 means the latest
// committed height; the returned height is the one actually read. A height
// that is not (or no longer) retained returns an error wrapping
// the store's ErrVersionNotFound.
type StateReader interface {
	StateAt(height int64) (kv KVStore, readHeight int64, err error)
}

// PrefixEnd returns the smallest key greater than every key with prefix p,
// for iterating [p, PrefixEnd(p)). It returns nil (no upper bound) if p is
// all 0xff.
func PrefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
