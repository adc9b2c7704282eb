package store

import (
	"bytes"
	"fmt"

	"github.com/cockroachdb/pebble"
	cmtdb "github.com/cometbft/cometbft-db"
	cmtcfg "github.com/cometbft/cometbft/config"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/syndtr/goleveldb/leveldb/util"
)

// CometDBProvider returns a DBProvider for node.NewNode that opens CometBFT's own databases
// (blockstore, state, tx_index, evidence) with cosmos-db's backend (pebble by default) at
// ctx.Config.DBDir()/ctx.ID.db. cometbft-db v0.14 compiles pebble only under a build tag; going
// through cosmos-db needs none, and the on-disk layout is the one cometbft-db's own pebble
// backend uses, so `cometbft` tools built with -tags pebbledb can read the same files.
//
// backend follows OpenDB ("" means pebble). An unknown backend fails on the first call.
func CometDBProvider(backend string) cmtcfg.DBProvider {
	return func(ctx *cmtcfg.DBContext) (cmtdb.DB, error) {
		db, err := OpenDB(backend, ctx.Config.DBDir(), ctx.ID)
		if err != nil {
			return nil, err
		}
		return NewCometDB(db), nil
	}
}

// NewCometDB wraps a cosmos-db DB as a cometbft-db DB. The wrapper owns db: closing it closes
// db.
func NewCometDB(db dbm.DB) cmtdb.DB { return cometDB{db: db} }

// cometDB adapts cosmos-db to cometbft-db. The interfaces share their semantics (empty keys
// rejected, nil values rejected, [start, end) domains, batches atomic); cosmos-db's Iterator
// and Batch method sets are supersets of cometbft-db's, so they are returned as they are.
// Only Compact is missing from cosmos-db and is implemented per backend.
type cometDB struct{ db dbm.DB }

var _ cmtdb.DB = cometDB{}

func (c cometDB) Get(key []byte) ([]byte, error)  { return c.db.Get(key) }
func (c cometDB) Has(key []byte) (bool, error)    { return c.db.Has(key) }
func (c cometDB) Set(key, value []byte) error     { return c.db.Set(key, value) }
func (c cometDB) SetSync(key, value []byte) error { return c.db.SetSync(key, value) }
func (c cometDB) Delete(key []byte) error         { return c.db.Delete(key) }
func (c cometDB) DeleteSync(key []byte) error     { return c.db.DeleteSync(key) }
func (c cometDB) Close() error                    { return c.db.Close() }
func (c cometDB) NewBatch() cmtdb.Batch           { return c.db.NewBatch() }
func (c cometDB) Print() error                    { return c.db.Print() }

func (c cometDB) Iterator(start, end []byte) (cmtdb.Iterator, error) {
	it, err := c.db.Iterator(start, end)
	if err != nil {
		return nil, err
	}
	return it, nil
}

func (c cometDB) ReverseIterator(start, end []byte) (cmtdb.Iterator, error) {
	it, err := c.db.ReverseIterator(start, end)
	if err != nil {
		return nil, err
	}
	return it, nil
}

// Stats forwards to cosmos-db, except for pebble, where cosmos-db returns nil: it reports
// pebble's metrics table instead.
func (c cometDB) Stats() map[string]string {
	if p, ok := c.db.(*dbm.PebbleDB); ok {
		return map[string]string{"pebble.metrics": p.DB().Metrics().String()}
	}
	return c.db.Stats()
}

// Compact compacts [start, end); nil bounds mean the first / past the last key, as in
// cometbft-db. Backends without compaction (memdb) do nothing.
func (c cometDB) Compact(start, end []byte) error {
	switch db := c.db.(type) {
	case *dbm.GoLevelDB:
		return db.DB().CompactRange(util.Range{Start: start, Limit: end})
	case *dbm.PebbleDB:
		return compactPebble(db.DB(), start, end)
	default:
		return nil
	}
}

// compactPebble resolves nil bounds (pebble rejects them) to the first key and just past the
// last key, then compacts. An empty range is a no-op.
func compactPebble(p *pebble.DB, start, end []byte) error {
	if start == nil || end == nil {
		it, err := p.NewIter(nil)
		if err != nil {
			return err
		}
		if start == nil && it.First() {
			start = cloneBytes(it.Key())
		}
		if end == nil && it.Last() {
			end = append(cloneBytes(it.Key()), 0) // exclusive bound just past the last key
		}
		if err := it.Close(); err != nil {
			return err
		}
	}
	if start == nil || end == nil || bytes.Compare(start, end) >= 0 {
		return nil
	}
	if err := p.Compact(start, end, true); err != nil {
		return fmt.Errorf("store: compact: %w", err)
	}
	return nil
}
