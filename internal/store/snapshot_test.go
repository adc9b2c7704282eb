package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// snapshotSource builds a store with nVersions versions of mixed writes and deletes, so the
// exported nodes carry many different versions.
func snapshotSource(t testing.TB, nVersions, keysPerVersion int) *CommitStore {
	t.Helper()
	s := openStore(t, openDB(t, BackendMemDB, ""), Options{})
	t.Cleanup(func() { s.Close() })
	for v := 1; v <= nVersions; v++ {
		w := s.Working()
		for i := 0; i < keysPerVersion; i++ {
			mustSet(t, w, fmt.Sprintf("k/%04d", (v*7+i*13)%(keysPerVersion*3)), fmt.Sprintf("v%d-%d-%s", v, i, bytes.Repeat([]byte{'x'}, i%50)))
		}
		if v%3 == 0 {
			if err := w.Delete([]byte(fmt.Sprintf("k/%04d", v%keysPerVersion))); err != nil {
				t.Fatal(err)
			}
		}
		mustSet(t, w, "empty-value", "") // a leaf with an empty (non-nil) value
		mustCommit(t, s)
	}
	return s
}

// chunksOf reads every chunk of snap back from ss.
func chunksOf(t *testing.T, ss *SnapshotStore, snap *Snapshot) [][]byte {
	t.Helper()
	var out [][]byte
	for i := uint32(0); i < snap.Chunks; i++ {
		c, err := ss.LoadChunk(snap.Height, snap.Format, i)
		if err != nil {
			t.Fatalf("LoadChunk(%d): %v", i, err)
		}
		out = append(out, c)
	}
	return out
}

func joinChunks(chunks [][]byte) io.Reader {
	rs := make([]io.Reader, len(chunks))
	for i, c := range chunks {
		rs[i] = bytes.NewReader(c)
	}
	return io.MultiReader(rs...)
}

// sameContents compares every key/value of two views.
func sameContents(t *testing.T, a, b ReadStore) {
	t.Helper()
	collect := func(r ReadStore) map[string]string {
		it, err := r.Iterator(nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer it.Close()
		m := map[string]string{}
		for ; it.Valid(); it.Next() {
			m[string(it.Key())] = string(it.Value())
		}
		return m
	}
	ma, mb := collect(a), collect(b)
	if len(ma) != len(mb) || len(ma) == 0 {
		t.Fatalf("key counts differ: %d vs %d", len(ma), len(mb))
	}
	for k, v := range ma {
		if w, ok := mb[k]; !ok || w != v {
			t.Fatalf("key %q: %q vs %q (present %v)", k, v, w, ok)
		}
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	for _, backend := range diskBackends {
		t.Run(backend, func(t *testing.T) {
			src := snapshotSource(t, 12, 200)
			ss, err := OpenSnapshotStore(t.TempDir(), 4<<10) // 4 KiB chunks: several of them
			if err != nil {
				t.Fatal(err)
			}
			const height = 10
			snap, err := ss.Create(context.Background(), src, height)
			if err != nil {
				t.Fatal(err)
			}
			srcView, _ := src.ReadAt(height)
			if snap.Height != height || snap.Format != SnapshotFormat || snap.Chunks < 2 ||
				!bytes.Equal(snap.AppHash, srcView.Hash()) || len(snap.ChunkHashes) != int(snap.Chunks) {
				t.Fatalf("snapshot = %+v", snap)
			}
			t.Logf("snapshot: %d nodes, %d bytes, %d chunks", snap.Nodes, snap.Size, snap.Chunks)
			// The ABCI metadata round-trips; the snapshot is listed; creating again is a no-op.
			hashes, err := ParseSnapshotMetadata(snap.Chunks, snap.Metadata())
			if err != nil || len(hashes) != int(snap.Chunks) || !bytes.Equal(hashes[1], snap.ChunkHashes[1]) {
				t.Fatalf("ParseSnapshotMetadata: %v", err)
			}
			if list, err := ss.List(); err != nil || len(list) != 1 || list[0].Height != height {
				t.Fatalf("List = %v, %v", list, err)
			}
			if again, err := ss.Create(context.Background(), src, height); err != nil || !bytes.Equal(again.Hash, snap.Hash) {
				t.Fatalf("second Create: %v", err)
			}
			// Determinism: a second node with the same state writes the same bytes.
			ss2, _ := OpenSnapshotStore(t.TempDir(), 4<<10)
			snap2, err := ss2.Create(context.Background(), src, height)
			if err != nil || !bytes.Equal(snap2.Hash, snap.Hash) {
				t.Fatalf("snapshot not deterministic: %X vs %X (%v)", snap2.Hash, snap.Hash, err)
			}

			// ACT: restore into an empty on-disk store.
			dir := t.TempDir()
			db := openDB(t, backend, dir)
			dst := openStore(t, db, Options{})
			if err := dst.Restore(height, snap.AppHash, joinChunks(chunksOf(t, ss, snap))); err != nil {
				t.Fatal(err)
			}

			// ASSERT: same version, hash and contents; both continue identically.
			if v, h := dst.LastCommit(); v != height || !bytes.Equal(h, snap.AppHash) {
				t.Fatalf("LastCommit = (%d, %X)", v, h)
			}
			if !bytes.Equal(dst.WorkingHash(), snap.AppHash) {
				t.Fatal("working hash differs after restore")
			}
			dstView, err := dst.ReadAt(height)
			if err != nil {
				t.Fatal(err)
			}
			sameContents(t, srcView, dstView)
			if got := mustGet(t, dstView, "empty-value"); got == nil || len(got) != 0 {
				t.Fatalf("empty value = %v", got)
			}
			if _, proof, err := dstView.Prove([]byte("k/0001")); err != nil || proof == nil {
				t.Fatalf("Prove on restored store: %v", err)
			}
			if _, err := dst.ReadAt(height - 1); !errors.Is(err, ErrVersionNotFound) {
				t.Fatalf("ReadAt below the snapshot = %v, want ErrVersionNotFound", err)
			}

			// A fresh source at the same height (the chain moved on in src, so rebuild).
			ref := snapshotSource(t, height, 200)
			for v := height + 1; v <= height+3; v++ {
				for _, s := range []*CommitStore{ref, dst} {
					mustSet(t, s.Working(), fmt.Sprintf("k/%04d", v), "next")
					if err := s.Working().Delete([]byte("k/0002")); err != nil {
						t.Fatal(err)
					}
				}
				v1, h1 := mustCommit(t, ref)
				v2, h2 := mustCommit(t, dst)
				if v1 != int64(v) || v2 != int64(v) || !bytes.Equal(h1, h2) {
					t.Fatalf("after restore, commit %d: ref (%d, %X) restored (%d, %X)", v, v1, h1, v2, h2)
				}
			}
			// Survives a reopen; pruning below works from the restored version on.
			dst.Close()
			db.Close()
			db = openDB(t, backend, dir)
			defer db.Close()
			dst = openStore(t, db, Options{})
			defer dst.Close()
			if v, _ := dst.LastCommit(); v != height+3 {
				t.Fatalf("reopened at %d", v)
			}
			if err := dst.Prune(height + 2); err != nil {
				t.Fatal(err)
			}
			if _, err := dst.ReadAt(height); !errors.Is(err, ErrVersionNotFound) {
				t.Fatalf("ReadAt(pruned snapshot height) = %v", err)
			}
			r, err := dst.ReadAt(height + 3)
			if err != nil {
				t.Fatal(err)
			}
			refView, _ := ref.ReadAt(height + 3)
			sameContents(t, refView, r)
		})
	}
}

func TestSnapshotEmptyTree(t *testing.T) {
	src := openStore(t, openDB(t, BackendMemDB, ""), Options{})
	defer src.Close()
	mustCommit(t, src)
	mustCommit(t, src)
	ss, _ := OpenSnapshotStore(t.TempDir(), 0)
	snap, err := ss.Create(context.Background(), src, 2)
	if err != nil {
		t.Fatal(err)
	}
	dst := openStore(t, openDB(t, BackendMemDB, ""), Options{})
	defer dst.Close()
	if err := dst.Restore(2, EmptyRootHash, joinChunks(chunksOf(t, ss, snap))); err != nil {
		t.Fatal(err)
	}
	if v, h := dst.LastCommit(); v != 2 || !bytes.Equal(h, EmptyRootHash) {
		t.Fatalf("LastCommit = %d %X", v, h)
	}
	mustSet(t, dst.Working(), "a", "1")
	mustSet(t, src.Working(), "a", "1")
	_, h1 := mustCommit(t, src)
	if v, h2 := mustCommit(t, dst); v != 3 || !bytes.Equal(h1, h2) {
		t.Fatalf("next commit differs")
	}
}

func TestSnapshotRestoreRejectsBadInput(t *testing.T) {
	src := snapshotSource(t, 6, 300)
	ss, _ := OpenSnapshotStore(t.TempDir(), 2<<10)
	snap, err := ss.Create(context.Background(), src, 6)
	if err != nil {
		t.Fatal(err)
	}
	good := chunksOf(t, ss, snap)
	stream := bytes.Join(good, nil)

	flip := func(b []byte, i int) []byte { c := bytes.Clone(b); c[i] ^= 0x40; return c }
	wrongHash := bytes.Clone(snap.AppHash)
	wrongHash[0] ^= 1
	cases := []struct {
		name    string
		height  int64
		appHash []byte
		data    []byte
	}{
		{"wrong app hash", 6, wrongHash, stream},
		{"wrong height", 5, snap.AppHash, stream},
		{"truncated", 6, snap.AppHash, stream[:len(stream)-len(good[len(good)-1])]},
		{"corrupted byte", 6, snap.AppHash, flip(stream, len(stream)/2)},
		{"trailing garbage", 6, snap.AppHash, append(bytes.Clone(stream), 1, 2, 3)},
		{"chunks swapped", 6, snap.AppHash, bytes.Join(append([][]byte{good[1], good[0]}, good[2:]...), nil)},
		{"not gzip", 6, snap.AppHash, []byte("hello")},
		{"empty", 6, snap.AppHash, nil},
	}
	for _, backend := range diskBackends {
		db := openDB(t, backend, t.TempDir())
		defer db.Close()
		dst := openStore(t, db, Options{})
		defer dst.Close()
		for _, c := range cases {
			t.Run(backend+"/"+c.name, func(t *testing.T) {
				err := dst.Restore(c.height, c.appHash, bytes.NewReader(c.data))
				if !errors.Is(err, ErrInvalidSnapshot) {
					t.Fatalf("Restore = %v, want ErrInvalidSnapshot", err)
				}
				if v, h := dst.LastCommit(); v != 0 || !bytes.Equal(h, EmptyRootHash) {
					t.Fatalf("after failed restore LastCommit = (%d, %X)", v, h)
				}
				it, err := db.Iterator(nil, nil)
				if err != nil {
					t.Fatal(err)
				}
				if it.Valid() {
					t.Fatalf("key %q left in the DB after a failed restore", it.Key())
				}
				it.Close()
			})
		}
		// After all those failures, the right snapshot restores.
		if err := dst.Restore(6, snap.AppHash, bytes.NewReader(stream)); err != nil {
			t.Fatalf("%s: good restore after failures: %v", backend, err)
		}
		if v, _ := dst.LastCommit(); v != 6 {
			t.Fatalf("LastCommit = %d", v)
		}
		// A store that holds a version refuses another restore.
		if err := dst.Restore(6, snap.AppHash, bytes.NewReader(stream)); !errors.Is(err, ErrNotEmpty) {
			t.Fatalf("Restore into a non-empty store = %v", err)
		}
	}
}

// A chunk damaged on disk is never served, and the metadata check catches a wrong length.
func TestSnapshotChunkCorruption(t *testing.T) {
	src := snapshotSource(t, 4, 200)
	dir := t.TempDir()
	ss, _ := OpenSnapshotStore(dir, 2<<10)
	snap, err := ss.Create(context.Background(), src, 4)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "4", fmt.Sprint(SnapshotFormat), "1")
	bz, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bz[10] ^= 0xff
	if err := os.WriteFile(path, bz, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ss.LoadChunk(4, SnapshotFormat, 1); err == nil {
		t.Fatal("damaged chunk served")
	}
	if _, err := ss.LoadChunk(4, SnapshotFormat, 0); err != nil {
		t.Fatalf("intact chunk: %v", err)
	}
	if _, err := ss.LoadChunk(4, SnapshotFormat, snap.Chunks); !errors.Is(err, ErrSnapshotNotFound) {
		t.Fatalf("chunk past the end: %v", err)
	}
	if _, err := ss.LoadChunk(5, SnapshotFormat, 0); !errors.Is(err, ErrSnapshotNotFound) {
		t.Fatalf("unknown height: %v", err)
	}
	if _, err := ParseSnapshotMetadata(snap.Chunks, snap.Metadata()[1:]); !errors.Is(err, ErrInvalidSnapshot) {
		t.Fatalf("short metadata: %v", err)
	}
	if _, err := ParseSnapshotMetadata(0, nil); !errors.Is(err, ErrInvalidSnapshot) {
		t.Fatalf("zero chunks: %v", err)
	}
}

// Snapshots and pruning: a pruned version cannot be snapshotted; the store keeps the most
// recent snapshots; partial snapshots are cleaned up on open.
func TestSnapshotPruning(t *testing.T) {
	src := snapshotSource(t, 10, 50)
	if err := src.Prune(6); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ss, _ := OpenSnapshotStore(dir, 0)
	if _, err := ss.Create(context.Background(), src, 5); !errors.Is(err, ErrVersionNotFound) {
		t.Fatalf("snapshot of a pruned version = %v, want ErrVersionNotFound", err)
	}
	if _, err := ss.Create(context.Background(), src, 11); !errors.Is(err, ErrVersionNotFound) {
		t.Fatalf("snapshot of a future version = %v", err)
	}
	for _, h := range []int64{6, 8, 10} {
		if _, err := ss.Create(context.Background(), src, h); err != nil {
			t.Fatal(err)
		}
	}
	removed, err := ss.Prune(2)
	if err != nil || len(removed) != 1 || removed[0] != 6 {
		t.Fatalf("Prune = %v, %v", removed, err)
	}
	list, _ := ss.List()
	if len(list) != 2 || list[0].Height != 10 || list[1].Height != 8 {
		t.Fatalf("List after prune: %d snapshots", len(list))
	}
	// A cancelled snapshot leaves nothing.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ss.Create(ctx, src, 9); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Create = %v", err)
	}
	// A crash mid-snapshot leaves a .tmp dir, removed on open.
	if err := os.MkdirAll(filepath.Join(dir, ".tmp-7-1"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenSnapshotStore(dir, 0); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "8" && e.Name() != "10" {
			t.Fatalf("left in snapshot dir: %s", e.Name())
		}
	}
}

// A crash during a restore leaves the marker; the next open empties the DB.
func TestSnapshotInterruptedRestore(t *testing.T) {
	dir := t.TempDir()
	db := openDB(t, BackendPebble, dir)
	for i := 0; i < 25_000; i++ { // more than one wipe batch
		if err := db.Set([]byte(fmt.Sprintf("s%08d", i)), []byte("partial node")); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetSync(restoreMarkerKey, []byte{1}); err != nil {
		t.Fatal(err)
	}
	s := openStore(t, db, Options{})
	defer s.Close()
	if v, _ := s.LastCommit(); v != 0 {
		t.Fatalf("LastCommit = %d", v)
	}
	it, _ := db.Iterator(nil, nil)
	defer it.Close()
	if it.Valid() {
		t.Fatalf("key %q survived", it.Key())
	}
	mustSet(t, s.Working(), "a", "1")
	if v, _ := mustCommit(t, s); v != 1 {
		t.Fatal("store not usable")
	}
}
