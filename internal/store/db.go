package store

import (
	"fmt"
	"os"

	corestore "cosmossdk.io/core/store"
	dbm "github.com/cosmos/cosmos-db"
	idb "github.com/cosmos/iavl/db"
)

// Backend names accepted by OpenDB and CometDBProvider.
const (
	BackendPebble    = "pebble" // default; "pebbledb" (cosmos-db's name) is accepted too
	BackendGoLevelDB = "goleveldb"
	BackendMemDB     = "memdb"
)

// OpenDB opens (creating if needed) the database name in dir with the given backend:
// "pebble" (the default, also when backend is ""), "goleveldb" or "memdb". On-disk backends
// store it in dir/name.db, the layout CometBFT's own tools expect. The caller owns the
// returned DB and must Close it.
func OpenDB(backend, dir, name string) (dbm.DB, error) {
	bt, err := backendType(backend)
	if err != nil {
		return nil, err
	}
	if bt != dbm.MemDBBackend {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("store: create db dir: %w", err)
		}
	}
	db, err := dbm.NewDB(name, bt, dir)
	if err != nil {
		return nil, fmt.Errorf("store: open %s db %q in %s: %w", bt, name, dir, err)
	}
	return db, nil
}

func backendType(backend string) (dbm.BackendType, error) {
	switch backend {
	case "", BackendPebble, string(dbm.PebbleDBBackend):
		return dbm.PebbleDBBackend, nil
	case BackendGoLevelDB:
		return dbm.GoLevelDBBackend, nil
	case BackendMemDB:
		return dbm.MemDBBackend, nil
	default:
		return "", fmt.Errorf("store: unknown db backend %q (want %q, %q or %q)",
			backend, BackendPebble, BackendGoLevelDB, BackendMemDB)
	}
}

// iavlDB adapts a cosmos-db DB to the iavl v1.3 db.DB interface. The two differ only in the
// nominal types of Iterator and Batch, whose method sets are identical, so every method
// forwards.
type iavlDB struct{ db dbm.DB }

var _ idb.DB = iavlDB{}

func (d iavlDB) Get(key []byte) ([]byte, error) { return d.db.Get(key) }
func (d iavlDB) Has(key []byte) (bool, error)   { return d.db.Has(key) }

func (d iavlDB) Iterator(start, end []byte) (corestore.Iterator, error) {
	it, err := d.db.Iterator(start, end)
	if err != nil {
		return nil, err
	}
	return it, nil
}

func (d iavlDB) ReverseIterator(start, end []byte) (corestore.Iterator, error) {
	it, err := d.db.ReverseIterator(start, end)
	if err != nil {
		return nil, err
	}
	return it, nil
}

func (d iavlDB) NewBatch() corestore.Batch { return d.db.NewBatch() }

// NewBatchWithSize ignores the size hint. iavl passes its FlushThreshold here, which we set
// very high so that a commit is never split (see CommitStore.Commit); goleveldb would
// pre-allocate that many bytes.
func (d iavlDB) NewBatchWithSize(int) corestore.Batch { return d.db.NewBatch() }

// Close is never called by iavl (its nodeDB leaves the DB to its owner); it forwards anyway.
func (d iavlDB) Close() error { return d.db.Close() }
