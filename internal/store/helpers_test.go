package store

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	dbm "github.com/cosmos/cosmos-db"
)

// diskBackends are the backends every persistence test runs against.
var diskBackends = []string{BackendPebble, BackendGoLevelDB}

// openDB opens name in dir and closes it at the end of the test (closing twice is harmless for
// the tests that close earlier to reopen).
func openDB(t testing.TB, backend, dir string) dbm.DB {
	t.Helper()
	db, err := OpenDB(backend, dir, "app")
	if err != nil {
		t.Fatalf("OpenDB(%q): %v", backend, err)
	}
	return db
}

func openStore(t testing.TB, db dbm.DB, opts Options) *CommitStore {
	t.Helper()
	s, err := NewCommitStore(db, opts)
	if err != nil {
		t.Fatalf("NewCommitStore: %v", err)
	}
	return s
}

func mustSet(t testing.TB, kv KVStore, key, value string) {
	t.Helper()
	if err := kv.Set([]byte(key), []byte(value)); err != nil {
		t.Fatalf("Set(%q): %v", key, err)
	}
}

func mustGet(t testing.TB, kv interface{ Get([]byte) ([]byte, error) }, key string) []byte {
	t.Helper()
	v, err := kv.Get([]byte(key))
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return v
}

func mustCommit(t testing.TB, s *CommitStore) (int64, []byte) {
	t.Helper()
	v, h, err := s.Commit()
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	return v, h
}

// kvPair is one item seen by an iterator.
type kvPair struct{ Key, Value string }

// drain returns a function that reads an iterator to the end, closes it and fails the test on
// any error; it is curried so that it can take an (Iterator, error) call directly:
// drain(t)(kv.Iterator(nil, nil)).
func drain(t testing.TB) func(Iterator, error) []kvPair {
	return func(it Iterator, err error) []kvPair {
		t.Helper()
		return drainIter(t, it, err)
	}
}

func drainIter(t testing.TB, it Iterator, err error) []kvPair {
	t.Helper()
	if err != nil {
		t.Fatalf("iterator: %v", err)
	}
	var out []kvPair
	for ; it.Valid(); it.Next() {
		out = append(out, kvPair{string(it.Key()), string(it.Value())})
	}
	if err := it.Error(); err != nil {
		t.Fatalf("iterator error: %v", err)
	}
	if err := it.Close(); err != nil {
		t.Fatalf("iterator close: %v", err)
	}
	return out
}

// dbKV is a KVStore straight over a cosmos-db DB: the plain base store for branch tests.
type dbKV struct{ db dbm.DB }

func (d dbKV) Get(key []byte) ([]byte, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	return d.db.Get(key)
}

func (d dbKV) Has(key []byte) (bool, error) {
	if err := checkKey(key); err != nil {
		return false, err
	}
	return d.db.Has(key)
}

func (d dbKV) Set(key, value []byte) error {
	if err := checkKeyValue(key, value); err != nil {
		return err
	}
	return d.db.Set(key, value)
}

func (d dbKV) Delete(key []byte) error {
	if err := checkKey(key); err != nil {
		return err
	}
	return d.db.Delete(key)
}

func (d dbKV) Iterator(start, end []byte) (Iterator, error) {
	start, end, empty := normalizeDomain(start, end)
	if empty {
		return emptyIterator{}, nil
	}
	return d.db.Iterator(start, end)
}

func (d dbKV) ReverseIterator(start, end []byte) (Iterator, error) {
	start, end, empty := normalizeDomain(start, end)
	if empty {
		return emptyIterator{}, nil
	}
	return d.db.ReverseIterator(start, end)
}

func newMemKV() dbKV { return dbKV{db: dbm.NewMemDB()} }

// faultDB wraps a cosmos-db DB, counts batch writes, and when armed makes the next batch
// write fail without applying anything: a process dying just before the write reaches the DB.
// failAfter lets that many writes succeed first (simulating a commit flushed in pieces).
type faultDB struct {
	dbm.DB
	writes    atomic.Int64
	mu        sync.Mutex
	armed     bool
	failAfter int
	drop      bool // a failing write reports success but applies nothing (the process "died")
}

var errInjected = errors.New("injected crash before batch write")

func (f *faultDB) arm(failAfter int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.armed, f.failAfter = true, failAfter
}

func (f *faultDB) NewBatch() dbm.Batch { return &faultBatch{Batch: f.DB.NewBatch(), db: f} }

func (f *faultDB) NewBatchWithSize(n int) dbm.Batch {
	return &faultBatch{Batch: f.DB.NewBatchWithSize(n), db: f}
}

// shouldFail consumes one write from the budget of an armed DB.
func (f *faultDB) shouldFail() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.armed {
		return false
	}
	if f.failAfter == 0 {
		return true
	}
	f.failAfter--
	return false
}

type faultBatch struct {
	dbm.Batch
	db *faultDB
}

func (b *faultBatch) Write() error {
	if b.db.shouldFail() {
		if b.db.drop {
			return b.Batch.Close()
		}
		return errInjected
	}
	b.db.writes.Add(1)
	return b.Batch.Write()
}

func (b *faultBatch) WriteSync() error {
	if b.db.shouldFail() {
		if b.db.drop {
			return b.Batch.Close()
		}
		return errInjected
	}
	b.db.writes.Add(1)
	return b.Batch.WriteSync()
}

func key(i int) string { return fmt.Sprintf("k%06d", i) }
