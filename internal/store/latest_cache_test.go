package store

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"sync"
	"testing"
	"time"
)

// model is the expected state of one version: key → value (absent keys are missing).
type model map[string]string

func (m model) clone() model {
	c := make(model, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// checkView compares Get and Has of r with want for every key in keys, twice (the first read
// of a key may miss the latest-version cache, the second should hit it).
func checkView(t *testing.T, r ReadStore, want model, keys []string) {
	t.Helper()
	for pass := 0; pass < 2; pass++ {
		for _, k := range keys {
			wv, present := want[k]
			got, err := r.Get([]byte(k))
			if err != nil {
				t.Fatalf("v%d pass %d Get(%q): %v", r.Version(), pass, k, err)
			}
			if present != (got != nil) || string(got) != wv {
				t.Fatalf("v%d pass %d Get(%q) = %q (nil %v), want %q (present %v)", r.Version(), pass, k, got, got == nil, wv, present)
			}
			has, err := r.Has([]byte(k))
			if err != nil || has != present {
				t.Fatalf("v%d pass %d Has(%q) = %v, %v; want %v", r.Version(), pass, k, has, err, present)
			}
			if got != nil {
				// The caller owns what it got: scribbling on it changes nothing.
				for i := range got {
					got[i] ^= 0xff
				}
				if again := mustGet(t, r, k); string(again) != wv {
					t.Fatalf("v%d Get(%q) after modifying a returned slice = %q, want %q", r.Version(), k, again, wv)
				}
			}
		}
	}
}

// uncached returns the plain tree view behind a latest-version view: reads bypass the cache.
func uncached(r ReadStore) ReadStore {
	if c, ok := r.(cachedView); ok {
		return c.treeView
	}
	return r
}

// cacheState reports the version the cache represents and its size (white box).
func cacheState(s *CommitStore) (version int64, entries int) {
	s.latest.mu.RLock()
	defer s.latest.mu.RUnlock()
	return s.latest.version, len(s.latest.entries)
}

// checkCacheAccounting recomputes the byte count of the cache and checks its bounds.
func checkCacheAccounting(t *testing.T, c *latestCache) {
	t.Helper()
	c.mu.RLock()
	defer c.mu.RUnlock()
	sum := 0
	for k, v := range c.entries {
		sum += entrySize(k, v)
	}
	if sum != c.bytes {
		t.Fatalf("cache counts %d bytes, entries hold %d", c.bytes, sum)
	}
	if len(c.entries) > c.maxEntries || c.bytes > c.maxBytes {
		t.Fatalf("cache holds %d entries / %d bytes, bounds %d / %d", len(c.entries), c.bytes, c.maxEntries, c.maxBytes)
	}
}

// TestLatestCacheEquivalence runs random blocks of Set/Delete followed by Commit or Rollback
// and checks, after every Commit, that the latest version read through the cache (first read
// and repeated read) equals a map model and the uncached tree, for written, deleted and never
// written keys. The small-bounds case exercises eviction and an overflowing write record.
func TestLatestCacheEquivalence(t *testing.T) {
	cases := []struct {
		name                           string
		maxEntries, maxBytes, pendingN int
	}{
		{"default bounds", latestCacheEntries, latestCacheBytes, latestCacheEntries},
		{"small bounds", 37, 37 * (entryOverhead + 12), 9},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t, BackendPebble, t.TempDir())
			defer db.Close()
			s := openStore(t, db, Options{CacheSize: 500})
			defer s.Close()
			s.latest.maxEntries, s.latest.maxBytes, s.pending.max = tc.maxEntries, tc.maxBytes, tc.pendingN

			const written, never = 120, 30
			var keys []string
			for i := 0; i < written+never; i++ {
				keys = append(keys, key(i)) // keys >= written are never written
			}
			rng := rand.New(rand.NewSource(7))
			committed := model{}
			for round := 0; round < 40; round++ {
				working := committed.clone()
				w := s.Working()
				for op, n := 0, rng.Intn(25); op < n; op++ {
					k := keys[rng.Intn(written)]
					switch rng.Intn(4) {
					case 0:
						if err := w.Delete([]byte(k)); err != nil {
							t.Fatal(err)
						}
						delete(working, k)
					case 1:
						mustSet(t, w, k, "") // an empty value is present, not absent
						working[k] = ""
					default:
						v := fmt.Sprintf("r%d-%d", round, rng.Intn(1000))
						mustSet(t, w, k, v)
						working[k] = v
					}
				}
				if rng.Intn(5) == 0 {
					s.Rollback()
					continue
				}
				version, _ := mustCommit(t, s)
				committed = working
				if cv, _ := cacheState(s); cv != version {
					t.Fatalf("cache represents v%d after Commit of v%d", cv, version)
				}
				r, err := s.ReadAt(version)
				if err != nil {
					t.Fatal(err)
				}
				if _, ok := r.(cachedView); !ok {
					t.Fatalf("ReadAt(latest) is a %T, want cachedView", r)
				}
				checkView(t, r, committed, keys)
				checkView(t, uncached(r), committed, keys)
				checkCacheAccounting(t, s.latest)
				if tc.maxEntries == latestCacheEntries {
					if _, n := cacheState(s); n != len(keys) {
						t.Fatalf("cache holds %d entries after reading %d keys", n, len(keys))
					}
				}
			}
		})
	}
}

// TestLatestCacheStaleView: a view of version V keeps returning V's values after V+1 is
// committed, whether it read a key before the commit (cached) or only after it; a new view
// returns V+1's.
func TestLatestCacheStaleView(t *testing.T) {
	db := openDB(t, BackendPebble, t.TempDir())
	defer db.Close()
	s := openStore(t, db, Options{})
	defer s.Close()

	mustSet(t, s.Working(), "k", "v1")
	mustSet(t, s.Working(), "gone", "v1")
	mustSet(t, s.Working(), "late", "v1")
	v1, _ := mustCommit(t, s)
	old, err := s.ReadAt(v1)
	if err != nil {
		t.Fatal(err)
	}
	checkView(t, old, model{"k": "v1", "gone": "v1", "late": "v1"}, []string{"k", "gone", "new"})

	mustSet(t, s.Working(), "k", "v2")
	mustSet(t, s.Working(), "late", "v2")
	mustSet(t, s.Working(), "new", "v2")
	if err := s.Working().Delete([]byte("gone")); err != nil {
		t.Fatal(err)
	}
	v2, _ := mustCommit(t, s)

	// "late" was never read through old before the commit: its first read happens now, must
	// come from v1's tree and must not be inserted into the cache of v2. Drop v2's entry of it
	// (as eviction would), so that such an insert would not be shadowed by it.
	evict := func(k string) {
		s.latest.mu.Lock()
		s.latest.bytes -= entrySize(k, s.latest.entries[k])
		delete(s.latest.entries, k)
		s.latest.mu.Unlock()
	}
	evict("late")
	checkView(t, old, model{"k": "v1", "gone": "v1", "late": "v1"}, []string{"k", "gone", "new", "late"})
	cur, err := s.ReadAt(v2)
	if err != nil {
		t.Fatal(err)
	}
	checkView(t, cur, model{"k": "v2", "late": "v2", "new": "v2"}, []string{"k", "gone", "new", "late"})
	// And the old view still is v1 after the new one filled the cache.
	checkView(t, old, model{"k": "v1", "gone": "v1", "late": "v1"}, []string{"k", "gone", "new", "late"})

	// A put from a view whose version the cache no longer represents is ignored.
	evict("k")
	s.latest.put(v1, old.(cachedView).epoch, []byte("k"), []byte("v1"))
	if got := string(mustGet(t, cur, "k")); got != "v2" {
		t.Fatalf("v2 k = %q after a stale put", got)
	}
}

// TestLatestCacheRollback: writes discarded by Rollback never reach the cache.
func TestLatestCacheRollback(t *testing.T) {
	db := openDB(t, BackendPebble, t.TempDir())
	defer db.Close()
	s := openStore(t, db, Options{})
	defer s.Close()

	mustSet(t, s.Working(), "a", "1")
	mustSet(t, s.Working(), "b", "1")
	v1, _ := mustCommit(t, s)
	r, err := s.ReadAt(v1)
	if err != nil {
		t.Fatal(err)
	}
	checkView(t, r, model{"a": "1", "b": "1"}, []string{"a", "b", "c"})

	mustSet(t, s.Working(), "a", "rolled back")
	mustSet(t, s.Working(), "c", "rolled back")
	if err := s.Working().Delete([]byte("b")); err != nil {
		t.Fatal(err)
	}
	s.Rollback()
	mustSet(t, s.Working(), "d", "2")
	v2, _ := mustCommit(t, s)

	want := model{"a": "1", "b": "1", "d": "2"}
	s.latest.mu.RLock()
	for k, v := range s.latest.entries {
		if wv, ok := want[k]; ok != (v != nil) || string(v) != wv {
			t.Errorf("cache entry %q = %q, want %q", k, v, wv)
		}
	}
	s.latest.mu.RUnlock()
	r, err = s.ReadAt(v2)
	if err != nil {
		t.Fatal(err)
	}
	checkView(t, r, want, []string{"a", "b", "c", "d"})
}

// TestLatestCacheConcurrent reads the latest version (through the cache), views kept across
// commits, and older versions from several goroutines while the block goroutine writes and
// commits; every read must match the model of the view's version. Run with -race.
func TestLatestCacheConcurrent(t *testing.T) {
	db := openDB(t, BackendPebble, t.TempDir())
	defer db.Close()
	s := openStore(t, db, Options{CacheSize: 1000})
	defer s.Close()

	const nKeys = 150
	var (
		modelsMu sync.RWMutex
		models   = map[int64]model{}
	)
	modelOf := func(v int64) model {
		modelsMu.RLock()
		defer modelsMu.RUnlock()
		return models[v]
	}

	working := model{}
	rng := rand.New(rand.NewSource(1))
	block := func(v int64) {
		for i := 0; i < 30; i++ {
			k := key(rng.Intn(nKeys))
			if rng.Intn(5) == 0 {
				if err := s.Working().Delete([]byte(k)); err != nil {
					t.Fatal(err)
				}
				delete(working, k)
				continue
			}
			val := fmt.Sprintf("v%d-%d", v, i)
			mustSet(t, s.Working(), k, val)
			working[k] = val
		}
		// The model of v is published before v is: a reader that sees v finds it.
		modelsMu.Lock()
		models[v] = working.clone()
		modelsMu.Unlock()
		if got, _ := mustCommit(t, s); got != v {
			t.Fatalf("Commit = %d, want %d", got, v)
		}
	}
	block(1)

	stop := make(chan struct{})
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(seed))
			var kept ReadStore // a latest view kept across commits
			for {
				select {
				case <-stop:
					return
				default:
				}
				latest, _ := s.LastCommit()
				var r ReadStore
				var err error
				switch n := rng.Intn(4); {
				case n == 0 && kept != nil:
					r = kept
				case n == 1:
					r, err = s.ReadAt(1 + rng.Int63n(latest))
				default:
					r, err = s.ReadAt(latest)
					if rng.Intn(4) == 0 {
						kept = r
					}
				}
				if err != nil {
					errs <- err
					return
				}
				want := modelOf(r.Version())
				for i := 0; i < 20; i++ {
					k := key(rng.Intn(nKeys + 10))
					wv, present := want[k]
					got, err := r.Get([]byte(k))
					if err != nil || (got != nil) != present || string(got) != wv {
						errs <- fmt.Errorf("v%d Get(%q) = %q, %v; want %q (present %v)", r.Version(), k, got, err, wv, present)
						return
					}
					has, err := r.Has([]byte(k))
					if err != nil || has != present {
						errs <- fmt.Errorf("v%d Has(%q) = %v, %v; want %v", r.Version(), k, has, err, present)
						return
					}
				}
			}
		}(int64(g + 10))
	}
	for v := int64(2); v <= 40; v++ {
		block(v)
		if v%10 == 0 {
			time.Sleep(time.Millisecond) // let readers fill the cache of this version
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	checkCacheAccounting(t, s.latest)
}

// TestLatestCacheResets: a restored store starts with an empty cache at the restored height,
// a failed restore and Close leave it empty and representing nothing, and a failed write
// drops it at the next Commit.
func TestLatestCacheResets(t *testing.T) {
	src := snapshotSource(t, 4, 50)
	var stream bytes.Buffer
	if _, err := src.WriteSnapshot(t.Context(), 4, &stream); err != nil {
		t.Fatal(err)
	}
	_, appHash := src.LastCommit()

	db := openDB(t, BackendPebble, t.TempDir())
	defer db.Close()
	dst := openStore(t, db, Options{})
	bad := bytes.Clone(appHash)
	bad[0] ^= 1
	if err := dst.Restore(4, bad, bytes.NewReader(stream.Bytes())); !errors.Is(err, ErrInvalidSnapshot) {
		t.Fatalf("Restore with a wrong app hash = %v", err)
	}
	if v, n := cacheState(dst); v != 0 || n != 0 {
		t.Fatalf("after a failed restore the cache is at v%d with %d entries", v, n)
	}
	if err := dst.Restore(4, appHash, bytes.NewReader(stream.Bytes())); err != nil {
		t.Fatal(err)
	}
	if v, n := cacheState(dst); v != 4 || n != 0 {
		t.Fatalf("after a restore the cache is at v%d with %d entries", v, n)
	}
	srcView, err := src.ReadAt(4)
	if err != nil {
		t.Fatal(err)
	}
	want := model{}
	it, err := srcView.Iterator(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for ; it.Valid(); it.Next() {
		want[string(it.Key())] = string(it.Value())
		keys = append(keys, string(it.Key()))
	}
	it.Close()
	keys = append(keys, "k/none")
	r, err := dst.ReadAt(4)
	if err != nil {
		t.Fatal(err)
	}
	checkView(t, r, want, keys)
	if _, n := cacheState(dst); n != len(keys) {
		t.Fatalf("cache holds %d entries after reading %d keys of the restored version", n, len(keys))
	}

	// The next block continues from the restored cache.
	mustSet(t, dst.Working(), keys[0], "changed")
	want[keys[0]] = "changed"
	mustCommit(t, dst)
	r, err = dst.ReadAt(5)
	if err != nil {
		t.Fatal(err)
	}
	checkView(t, r, want, keys)

	// A write whose outcome is unknown drops the cache at the next Commit.
	dst.pending.fail()
	mustCommit(t, dst)
	if v, n := cacheState(dst); v != 6 || n != 0 {
		t.Fatalf("after a failed write the cache is at v%d with %d entries", v, n)
	}

	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	if v, n := cacheState(dst); v != 0 || n != 0 {
		t.Fatalf("after Close the cache is at v%d with %d entries", v, n)
	}
}

// TestLatestCacheBounds fills a tiny cache directly: it never exceeds its bounds, a value
// larger than the byte bound is not cached, and a block's writes replace old entries.
func TestLatestCacheBounds(t *testing.T) {
	c := newLatestCache(10, 10*(entryOverhead+8))
	c.reset(1)
	epoch := c.currentEpoch()
	for i := 0; i < 100; i++ {
		c.put(1, epoch, []byte(fmt.Sprintf("k%03d", i)), []byte("vvv"))
		checkCacheAccounting(t, c)
	}
	if len(c.entries) != 10 {
		t.Fatalf("full cache holds %d entries, want 10", len(c.entries))
	}
	c.put(1, epoch, []byte("huge"), bytes.Repeat([]byte{'x'}, 20*(entryOverhead+8)))
	if _, hit := c.get(1, epoch, []byte("huge")); hit {
		t.Fatal("a value over the byte bound was cached")
	}
	checkCacheAccounting(t, c)

	// Overwrites through commit keep the accounting exact; a wrong epoch never hits.
	p := newPendingWrites(5)
	for i := 0; i < 8; i++ {
		p.record([]byte(fmt.Sprintf("k%03d", i)), bytes.Repeat([]byte{'y'}, i))
	}
	if !p.incomplete || len(p.m) != 5 {
		t.Fatalf("record of 8 keys with room for 5: incomplete %v, %d recorded", p.incomplete, len(p.m))
	}
	p.record([]byte("k000"), nil) // a recorded key is still updated when the record is full
	c.commit(1, 2, p)
	checkCacheAccounting(t, c)
	if len(c.entries) != 5 {
		t.Fatalf("after an incomplete record the cache holds %d entries, want the 5 recorded", len(c.entries))
	}
	if v, hit := c.get(2, epoch, []byte("k000")); !hit || v != nil {
		t.Fatalf("k000 = %q, %v; want a cached deletion", v, hit)
	}
	if _, hit := c.get(2, epoch+1, []byte("k001")); hit {
		t.Fatal("hit for another epoch")
	}
	if _, hit := c.get(1, epoch, []byte("k001")); hit {
		t.Fatal("hit for the previous version")
	}
}
