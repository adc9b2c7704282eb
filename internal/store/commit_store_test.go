package store

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"sync"
	"testing"

	"github.com/cosmos/iavl"
)

func TestOpenDB(t *testing.T) {
	tests := []struct {
		name    string
		backend string
		wantErr bool
	}{
		{name: "default is pebble", backend: ""},
		{name: "pebble", backend: "pebble"},
		{name: "pebbledb alias", backend: "pebbledb"},
		{name: "goleveldb", backend: "goleveldb"},
		{name: "memdb", backend: "memdb"},
		{name: "unknown", backend: "rocksdb", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, err := OpenDB(tc.backend, t.TempDir(), "x")
			if tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), "unknown db backend") {
					t.Fatalf("OpenDB(%q) err = %v, want unknown backend", tc.backend, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.Set([]byte("a"), []byte("1")); err != nil {
				t.Fatal(err)
			}
			if v, _ := db.Get([]byte("a")); string(v) != "1" {
				t.Fatalf("Get = %q", v)
			}
		})
	}
}

func TestCommitStoreEmpty(t *testing.T) {
	s := openStore(t, openDB(t, BackendMemDB, ""), Options{})
	defer s.Close()

	v, h := s.LastCommit()
	if v != 0 || !bytes.Equal(h, EmptyRootHash) {
		t.Fatalf("LastCommit = (%d, %X), want (0, %X)", v, h, EmptyRootHash)
	}
	if !bytes.Equal(s.WorkingHash(), EmptyRootHash) {
		t.Fatalf("WorkingHash of empty tree = %X", s.WorkingHash())
	}
	r, err := s.ReadAt(0)
	if err != nil {
		t.Fatalf("ReadAt(0) before first commit: %v", err)
	}
	if got := mustGet(t, r, "a"); got != nil {
		t.Fatalf("empty view Get = %q", got)
	}
	if _, _, err := r.Prove([]byte("a")); !errors.Is(err, ErrEmptyTree) {
		t.Fatalf("Prove on empty = %v, want ErrEmptyTree", err)
	}
	if _, err := s.ReadAt(1); !errors.Is(err, ErrVersionNotFound) {
		t.Fatalf("ReadAt(1) = %v, want ErrVersionNotFound", err)
	}

	// Committing an empty tree is allowed and keeps the empty hash.
	v, h = mustCommit(t, s)
	if v != 1 || !bytes.Equal(h, EmptyRootHash) {
		t.Fatalf("Commit of empty tree = (%d, %X)", v, h)
	}
	if _, err := s.ReadAt(0); !errors.Is(err, ErrVersionNotFound) {
		t.Fatalf("ReadAt(0) after a commit = %v, want ErrVersionNotFound", err)
	}
	r, err = s.ReadAt(1)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r.Hash(), EmptyRootHash) || r.Version() != 1 {
		t.Fatalf("ReadAt(1) = (%d, %X)", r.Version(), r.Hash())
	}
}

func TestCommitStoreReopen(t *testing.T) {
	for _, backend := range diskBackends {
		t.Run(backend, func(t *testing.T) {
			dir := t.TempDir()
			db := openDB(t, backend, dir)
			s := openStore(t, db, Options{})

			// ARRANGE: three committed versions, then uncommitted writes (the crash case).
			var hashes [][]byte
			for v := 1; v <= 3; v++ {
				mustSet(t, s.Working(), key(v), fmt.Sprintf("v%d", v))
				mustSet(t, s.Working(), "shared", fmt.Sprintf("v%d", v))
				wh := s.WorkingHash()
				gotV, h := mustCommit(t, s)
				if gotV != int64(v) {
					t.Fatalf("Commit version = %d, want %d", gotV, v)
				}
				if !bytes.Equal(wh, h) {
					t.Fatalf("WorkingHash %X != Commit hash %X", wh, h)
				}
				hashes = append(hashes, h)
			}
			mustSet(t, s.Working(), "uncommitted", "x")
			mustSet(t, s.Working(), "shared", "dirty")
			if err := s.Working().Delete([]byte(key(1))); err != nil {
				t.Fatal(err)
			}

			// ACT: "crash" (close without commit) and reopen.
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			db = openDB(t, backend, dir)
			defer db.Close()
			s = openStore(t, db, Options{})
			defer s.Close()

			// ASSERT: last commit restored, uncommitted writes gone.
			v, h := s.LastCommit()
			if v != 3 || !bytes.Equal(h, hashes[2]) {
				t.Fatalf("LastCommit after reopen = (%d, %X), want (3, %X)", v, h, hashes[2])
			}
			if !bytes.Equal(s.WorkingHash(), hashes[2]) {
				t.Fatalf("WorkingHash after reopen differs from last commit")
			}
			w := s.Working()
			for _, c := range []struct{ key, want string }{
				{"uncommitted", ""}, {"shared", "v3"}, {key(1), "v1"}, {key(3), "v3"},
			} {
				if got := string(mustGet(t, w, c.key)); got != c.want {
					t.Errorf("Get(%q) = %q, want %q", c.key, got, c.want)
				}
			}
			for i, want := range hashes {
				r, err := s.ReadAt(int64(i + 1))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(r.Hash(), want) {
					t.Errorf("ReadAt(%d).Hash = %X, want %X", i+1, r.Hash(), want)
				}
			}
			// The next commit continues the sequence.
			mustSet(t, s.Working(), key(4), "v4")
			if v, _ := mustCommit(t, s); v != 4 {
				t.Fatalf("Commit after reopen = %d, want 4", v)
			}
		})
	}
}

func TestCommitStoreInitialVersion(t *testing.T) {
	s := openStore(t, openDB(t, BackendMemDB, ""), Options{InitialVersion: 10})
	defer s.Close()
	mustSet(t, s.Working(), "a", "1")
	if v, _ := mustCommit(t, s); v != 10 {
		t.Fatalf("first Commit = %d, want 10", v)
	}
	if v, _ := mustCommit(t, s); v != 11 {
		t.Fatalf("second Commit = %d, want 11", v)
	}
	if _, err := s.ReadAt(9); !errors.Is(err, ErrVersionNotFound) {
		t.Fatalf("ReadAt(9) = %v", err)
	}
}

func TestCommitStoreRollback(t *testing.T) {
	s := openStore(t, openDB(t, BackendMemDB, ""), Options{})
	defer s.Close()
	mustSet(t, s.Working(), "a", "1")
	_, h1 := mustCommit(t, s)

	mustSet(t, s.Working(), "a", "2")
	mustSet(t, s.Working(), "b", "2")
	s.Rollback()

	if got := string(mustGet(t, s.Working(), "a")); got != "1" {
		t.Fatalf("a after Rollback = %q", got)
	}
	if got := mustGet(t, s.Working(), "b"); got != nil {
		t.Fatalf("b after Rollback = %q", got)
	}
	if !bytes.Equal(s.WorkingHash(), h1) {
		t.Fatalf("WorkingHash after Rollback != last commit")
	}
}

func TestCommitStoreReadAtOldVersions(t *testing.T) {
	for _, backend := range diskBackends {
		t.Run(backend, func(t *testing.T) {
			db := openDB(t, backend, t.TempDir())
			defer db.Close()
			s := openStore(t, db, Options{})
			defer s.Close()

			const versions = 20
			for v := 1; v <= versions; v++ {
				mustSet(t, s.Working(), "counter", fmt.Sprint(v))
				mustSet(t, s.Working(), key(v), "born")
				if v > 1 {
					if err := s.Working().Delete([]byte(key(v - 1))); err != nil {
						t.Fatal(err)
					}
				}
				mustCommit(t, s)
			}
			for v := 1; v <= versions; v++ {
				r, err := s.ReadAt(int64(v))
				if err != nil {
					t.Fatalf("ReadAt(%d): %v", v, err)
				}
				if got := string(mustGet(t, r, "counter")); got != fmt.Sprint(v) {
					t.Errorf("v%d counter = %q", v, got)
				}
				got := drain(t)(r.Iterator([]byte("k"), []byte("l")))
				want := []kvPair{{key(v), "born"}}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("v%d keys = %v, want %v", v, got, want)
				}
			}
			if _, err := s.ReadAt(versions + 1); !errors.Is(err, ErrVersionNotFound) {
				t.Fatalf("ReadAt(future) = %v", err)
			}
			if _, err := s.ReadAt(-1); !errors.Is(err, ErrVersionNotFound) {
				t.Fatalf("ReadAt(-1) = %v", err)
			}
		})
	}
}

// TestCommitStoreConcurrentReads runs queries on committed versions while the block goroutine
// writes and commits. Run with -race.
func TestCommitStoreConcurrentReads(t *testing.T) {
	db := openDB(t, BackendPebble, t.TempDir())
	defer db.Close()
	s := openStore(t, db, Options{CacheSize: 1000})
	defer s.Close()

	const keys = 200
	value := func(v, i int) string { return fmt.Sprintf("v%d-%d", v, i) }
	write := func(v int) {
		for i := 0; i < keys; i++ {
			if (i+v)%3 == 0 {
				mustSet(t, s.Working(), key(i), value(v, i))
			}
		}
	}
	write(1)
	mustCommit(t, s)

	// expected[v][i] is the value of key(i) at version v; written only before v is committed.
	expected := map[int]map[int]string{}
	var expMu sync.RWMutex
	snapshot := func(v int) {
		r, err := s.ReadAt(int64(v))
		if err != nil {
			t.Fatal(err)
		}
		m := map[int]string{}
		for i := 0; i < keys; i++ {
			if b := mustGet(t, r, key(i)); b != nil {
				m[i] = string(b)
			}
		}
		expMu.Lock()
		expected[v] = m
		expMu.Unlock()
	}
	snapshot(1)

	stop := make(chan struct{})
	errs := make(chan error, 16)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(seed))
			for {
				select {
				case <-stop:
					return
				default:
				}
				latest, _ := s.LastCommit()
				v := 1 + rng.Intn(int(latest))
				expMu.RLock()
				want, ok := expected[v]
				expMu.RUnlock()
				if !ok {
					continue
				}
				r, err := s.ReadAt(int64(v))
				if err != nil {
					errs <- err
					return
				}
				i := rng.Intn(keys)
				got, err := r.Get([]byte(key(i)))
				if err != nil || string(got) != want[i] {
					errs <- fmt.Errorf("v%d key %d = %q, %v; want %q", v, i, got, err, want[i])
					return
				}
				val, proof, err := r.Prove([]byte(key(i)))
				if err == nil {
					err = VerifyProof(r.Hash(), []byte(key(i)), val, proof)
				}
				if err != nil {
					errs <- fmt.Errorf("v%d prove key %d: %w", v, i, err)
					return
				}
				n := 0
				it, err := r.Iterator(nil, nil)
				if err != nil {
					errs <- err
					return
				}
				for ; it.Valid(); it.Next() {
					n++
				}
				it.Close()
				if n != len(want) {
					errs <- fmt.Errorf("v%d iterated %d keys, want %d", v, n, len(want))
					return
				}
			}
		}(int64(g))
	}

	for v := 2; v <= 30; v++ {
		write(v)
		_ = s.WorkingHash()
		mustCommit(t, s)
		snapshot(v)
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestCommitStorePrune(t *testing.T) {
	for _, backend := range diskBackends {
		t.Run(backend, func(t *testing.T) {
			dir := t.TempDir()
			db := openDB(t, backend, dir)
			s := openStore(t, db, Options{})
			for v := 1; v <= 10; v++ {
				mustSet(t, s.Working(), "counter", fmt.Sprint(v))
				mustSet(t, s.Working(), key(v), "x")
				mustCommit(t, s)
			}

			if err := s.Prune(11); err == nil {
				t.Fatal("Prune above latest succeeded")
			}
			if err := s.Prune(1); err != nil {
				t.Fatalf("Prune(1) = %v, want no-op", err)
			}
			if err := s.Prune(6); err != nil {
				t.Fatal(err)
			}
			check := func(s *CommitStore) {
				t.Helper()
				for v := 1; v <= 10; v++ {
					r, err := s.ReadAt(int64(v))
					if v < 6 {
						if !errors.Is(err, ErrVersionNotFound) {
							t.Errorf("ReadAt(%d) after prune = %v, want ErrVersionNotFound", v, err)
						}
						continue
					}
					if err != nil {
						t.Fatalf("ReadAt(%d): %v", v, err)
					}
					if got := string(mustGet(t, r, "counter")); got != fmt.Sprint(v) {
						t.Errorf("v%d counter = %q", v, got)
					}
					if got := string(mustGet(t, r, key(1))); got != "x" {
						t.Errorf("v%d %s = %q (a key written before the pruned range)", v, key(1), got)
					}
				}
			}
			check(s)
			// Pruning again below the retained range is a no-op.
			if err := s.Prune(4); err != nil {
				t.Fatal(err)
			}

			// Pruning survives a reopen, and commits continue.
			s.Close()
			db.Close()
			db = openDB(t, backend, dir)
			defer db.Close()
			s = openStore(t, db, Options{})
			defer s.Close()
			check(s)
			mustSet(t, s.Working(), "counter", "11")
			if v, _ := mustCommit(t, s); v != 11 {
				t.Fatalf("Commit after prune+reopen = %d", v)
			}
		})
	}
}

// bulkWrite writes n keys with values of size bytes each: well over iavl's default 100 kB
// flush threshold for n = 5000.
func bulkWrite(t testing.TB, kv KVStore, n, size, round int) {
	t.Helper()
	val := bytes.Repeat([]byte{byte('a' + round%26)}, size)
	for i := 0; i < n; i++ {
		if err := kv.Set([]byte(key(i)), val); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCommitIsOneBatchWrite verifies the atomicity argument: SaveVersion of a large block ends
// in exactly one batch write; with iavl's default threshold the same commit is split, which is
// what the store's configuration prevents.
func TestCommitIsOneBatchWrite(t *testing.T) {
	for _, backend := range diskBackends {
		t.Run(backend, func(t *testing.T) {
			fdb := &faultDB{DB: openDB(t, backend, t.TempDir())}
			defer fdb.Close()
			s := openStore(t, fdb, Options{})
			defer s.Close()
			for round := 0; round < 3; round++ {
				bulkWrite(t, s.Working(), 5000, 200, round)
				before := fdb.writes.Load()
				mustCommit(t, s)
				if n := fdb.writes.Load() - before; n != 1 {
					t.Fatalf("round %d: Commit made %d batch writes, want 1", round, n)
				}
			}
			before := fdb.writes.Load()
			if err := s.Prune(3); err != nil {
				t.Fatal(err)
			}
			if n := fdb.writes.Load() - before; n != 1 {
				t.Fatalf("Prune made %d batch writes, want 1", n)
			}
		})
	}
	t.Run("control: iavl default threshold splits the commit", func(t *testing.T) {
		fdb := &faultDB{DB: openDB(t, BackendMemDB, "")}
		tree := iavl.NewMutableTree(iavlDB{db: fdb}, 1000, true, iavl.NewNopLogger())
		bulkWrite(t, treeKV{tree: tree}, 5000, 200, 0)
		if _, _, err := tree.SaveVersion(); err != nil {
			t.Fatal(err)
		}
		if n := fdb.writes.Load(); n < 2 {
			t.Fatalf("default iavl made %d writes; expected a split commit", n)
		}
	})
}

// TestCommitCrash kills the commit at the write: the store refuses to go on, and reopening
// loads the previous version intact.
func TestCommitCrash(t *testing.T) {
	for _, backend := range diskBackends {
		t.Run(backend, func(t *testing.T) {
			dir := t.TempDir()
			fdb := &faultDB{DB: openDB(t, backend, dir)}
			s := openStore(t, fdb, Options{})
			bulkWrite(t, s.Working(), 5000, 200, 0)
			v1, h1 := mustCommit(t, s)

			bulkWrite(t, s.Working(), 5000, 200, 1)
			mustSet(t, s.Working(), "new", "x")
			fdb.arm(0)
			if _, _, err := s.Commit(); !errors.Is(err, errInjected) {
				t.Fatalf("Commit = %v, want injected failure", err)
			}
			if _, _, err := s.Commit(); err == nil {
				t.Fatal("Commit after a failed Commit succeeded")
			}
			s.Close()
			fdb.Close()

			db := openDB(t, backend, dir)
			defer db.Close()
			s = openStore(t, db, Options{})
			defer s.Close()
			if v, h := s.LastCommit(); v != v1 || !bytes.Equal(h, h1) {
				t.Fatalf("after crash LastCommit = (%d, %X), want (%d, %X)", v, h, v1, h1)
			}
			if got := mustGet(t, s.Working(), "new"); got != nil {
				t.Fatalf("uncommitted key survived: %q", got)
			}
			if got := string(mustGet(t, s.Working(), key(42))); got != strings.Repeat("a", 200) {
				t.Fatalf("key from v1 = %q", got)
			}
			// The chain continues from v1: the replayed block commits as v1+1.
			bulkWrite(t, s.Working(), 5000, 200, 1)
			if v, _ := mustCommit(t, s); v != v1+1 {
				t.Fatalf("Commit after recovery = %d", v)
			}
		})
	}
	t.Run("control: a commit torn between flushes is unloadable", func(t *testing.T) {
		fdb := &faultDB{DB: openDB(t, BackendMemDB, "")}
		tree := iavl.NewMutableTree(iavlDB{db: fdb}, 1000, true, iavl.NewNopLogger())
		bulkWrite(t, treeKV{tree: tree}, 5000, 200, 0)
		if _, _, err := tree.SaveVersion(); err != nil {
			t.Fatal(err)
		}
		bulkWrite(t, treeKV{tree: tree}, 5000, 200, 1)
		// The first piece reaches the DB and the process dies before the rest: modelled by
		// dropping every later write. (Returning an error instead is not survivable either:
		// iavl v1.3.5's BatchWithFlusher.Set then unlocks its mutex twice, a fatal error.)
		fdb.drop = true
		fdb.arm(1)
		if _, _, err := tree.SaveVersion(); err != nil {
			t.Fatal(err)
		}
		reopened := iavl.NewMutableTree(iavlDB{db: fdb.DB}, 1000, true, iavl.NewNopLogger())
		if _, err := reopened.Load(); err == nil {
			t.Fatal("expected iavl to fail loading a torn version; the store's single-batch commit is what prevents this")
		}
	})
}

func TestCommitStoreClosed(t *testing.T) {
	s := openStore(t, openDB(t, BackendMemDB, ""), Options{})
	mustCommit(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReadAt(1); !errors.Is(err, ErrClosed) {
		t.Errorf("ReadAt after Close = %v", err)
	}
	if _, _, err := s.Commit(); !errors.Is(err, ErrClosed) {
		t.Errorf("Commit after Close = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func TestWorkingKVContract(t *testing.T) {
	s := openStore(t, openDB(t, BackendMemDB, ""), Options{})
	defer s.Close()
	w := s.Working()
	if err := w.Set(nil, []byte("v")); !errors.Is(err, ErrEmptyKey) {
		t.Errorf("Set(nil key) = %v", err)
	}
	if err := w.Set([]byte("k"), nil); !errors.Is(err, ErrNilValue) {
		t.Errorf("Set(nil value) = %v", err)
	}
	if _, err := w.Get([]byte{}); !errors.Is(err, ErrEmptyKey) {
		t.Errorf("Get(empty) = %v", err)
	}
	// Set copies: reusing the caller's buffer must not change the stored value.
	k, v := []byte("key"), []byte("val")
	if err := w.Set(k, v); err != nil {
		t.Fatal(err)
	}
	k[0], v[0] = 'X', 'X'
	if got := string(mustGet(t, w, "key")); got != "val" {
		t.Fatalf("stored value changed with caller's buffer: %q", got)
	}
	// Get returns a copy: mutating it must not change the tree.
	got := mustGet(t, w, "key")
	got[0] = 'Y'
	if got := string(mustGet(t, w, "key")); got != "val" {
		t.Fatalf("tree changed through a returned slice: %q", got)
	}
}
