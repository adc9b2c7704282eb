package store

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/iavl"
)

// State snapshots: a committed version exported as a stream of IAVL nodes, compressed, and
// imported into an empty store. See README.md ("Snapshots") for the format; snapshot_store.go
// keeps snapshots on disk in chunks.

// SnapshotFormat is the format number of the snapshots this package writes and restores
// (ABCI Snapshot.Format). Any change to the stream below needs a new number.
const SnapshotFormat uint32 = 1

// snapshotMagic opens every (uncompressed) stream of format 1.
const snapshotMagic = "PETROSS1"

// Record tags of the stream.
const (
	tagEnd  byte = 0
	tagNode byte = 1
)

// maxSnapshotField bounds a key or value read from a stream, so a hostile stream cannot make
// the importer allocate without limit (no state value comes near it).
const maxSnapshotField = 64 << 20

var (
	// ErrInvalidSnapshot is returned when a snapshot stream is malformed, truncated, or
	// restores to a root hash other than the expected app hash. The snapshot is bad, not
	// the node: try another one.
	ErrInvalidSnapshot = errors.New("store: invalid snapshot")

	// ErrNotEmpty is returned by Restore on a store that already holds a version.
	ErrNotEmpty = errors.New("store: restore needs an empty store")
)

// restoreMarkerKey is set (synced) in the DB before a restore writes anything and deleted
// once the restored version is verified. It lies outside IAVL's key space (IAVL uses the
// prefixes f, m, n, o, r and s). NewCommitStore finds it only after a crash during a restore
// and then wipes the DB, which was empty when the restore began.
var restoreMarkerKey = []byte("petro/restore-in-progress")

// WriteSnapshot writes committed version of s to w as a snapshot stream (gzip of the node
// stream) and returns the number of IAVL nodes written. It reads through the ReadAt handle, so
// it may run on any goroutine while blocks commit; the caller must keep version from being
// pruned until it returns (an IAVL traversal that meets a pruned node stops silently, which the
// node count check below turns into an error). Cancel ctx to stop early.
func (s *CommitStore) WriteSnapshot(ctx context.Context, version int64, w io.Writer) (nodes int64, err error) {
	s.mu.RLock()
	latest, closed := s.version, s.closed
	s.mu.RUnlock()
	switch {
	case closed:
		return 0, ErrClosed
	case version <= 0 || version > latest:
		return 0, fmt.Errorf("%w: %d (latest %d)", ErrVersionNotFound, version, latest)
	}
	tree, err := s.reader.GetImmutable(version)
	if errors.Is(err, iavl.ErrVersionDoesNotExist) {
		return 0, fmt.Errorf("%w: %d", ErrVersionNotFound, version)
	}
	if err != nil {
		return 0, fmt.Errorf("store: load version %d: %w", version, err)
	}

	zw, err := gzip.NewWriterLevel(w, gzip.DefaultCompression)
	if err != nil {
		return 0, err
	}
	bw := bufio.NewWriterSize(zw, 64<<10)
	var scratch [binary.MaxVarintLen64]byte
	putUvarint := func(v uint64) error {
		_, err := bw.Write(scratch[:binary.PutUvarint(scratch[:], v)])
		return err
	}
	putBytes := func(b []byte) error {
		if err := putUvarint(uint64(len(b))); err != nil {
			return err
		}
		_, err := bw.Write(b)
		return err
	}
	if _, err := bw.WriteString(snapshotMagic); err != nil {
		return 0, err
	}
	if err := putUvarint(uint64(version)); err != nil {
		return 0, err
	}

	if size := tree.Size(); size > 0 {
		exp, err := tree.Export()
		if err != nil {
			return 0, fmt.Errorf("store: export version %d: %w", version, err)
		}
		defer exp.Close()
		for {
			n, err := exp.Next()
			if errors.Is(err, iavl.ErrorExportDone) {
				break
			}
			if err != nil {
				return nodes, fmt.Errorf("store: export version %d: %w", version, err)
			}
			if nodes%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return nodes, err
				}
			}
			if err := bw.WriteByte(tagNode); err != nil {
				return nodes, err
			}
			if err := bw.WriteByte(byte(n.Height)); err != nil {
				return nodes, err
			}
			if err := putUvarint(uint64(n.Version)); err != nil {
				return nodes, err
			}
			if err := putBytes(n.Key); err != nil {
				return nodes, err
			}
			if n.Height == 0 {
				if err := putBytes(n.Value); err != nil {
					return nodes, err
				}
			}
			nodes++
		}
		// A tree of n leaves has 2n-1 nodes. Fewer means the traversal stopped early
		// (iavl drops traversal errors, e.g. a node pruned under it).
		if want := 2*size - 1; nodes != want {
			return nodes, fmt.Errorf("store: export version %d: %d nodes exported, want %d (version pruned during export?)", version, nodes, want)
		}
	}
	if err := bw.WriteByte(tagEnd); err != nil {
		return nodes, err
	}
	if err := putUvarint(uint64(nodes)); err != nil {
		return nodes, err
	}
	if err := bw.Flush(); err != nil {
		return nodes, err
	}
	return nodes, zw.Close()
}

// Restore imports a snapshot stream (as written by WriteSnapshot) from r as version height and
// checks that the resulting root hash is appHash, the app hash of height that the caller trusts
// (from a light-client-verified header). It reads r to its end.
//
// The store must be empty: nothing committed and no uncommitted writes (ErrNotEmpty). On
// success the store is at version height with hash appHash, exactly as if it had committed
// it; both tree handles serve it. On any failure (ErrInvalidSnapshot for a bad stream or a
// hash mismatch, or an I/O error) everything the import wrote is deleted and the store is
// empty again, ready for another snapshot. A crash during Restore is recovered by the next
// NewCommitStore, which finds the restore marker and empties the DB.
//
// Restore belongs to the block-execution side of the concurrency contract: it must not run
// concurrently with Working, Commit, Rollback, Prune or another Restore. ReadAt may be called
// throughout; it serves the empty state until Restore succeeds.
func (s *CommitStore) Restore(height int64, appHash []byte, r io.Reader) (err error) {
	s.mu.RLock()
	latest, closed, broken := s.version, s.closed, s.broken
	s.mu.RUnlock()
	switch {
	case closed:
		return ErrClosed
	case broken != nil:
		return broken
	case latest != 0 || !s.tree.IsEmpty():
		return fmt.Errorf("%w: version %d", ErrNotEmpty, latest)
	case height <= 0:
		return fmt.Errorf("store: restore height %d", height)
	case len(appHash) == 0:
		return errors.New("store: restore needs the expected app hash")
	}
	// Uncommitted deletions may be recorded although the tree is empty; the import does not
	// go through treeKV, so nothing is recorded from here on.
	s.pending.reset()
	if err := s.db.SetSync(restoreMarkerKey, []byte{1}); err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: import panicked: %v", ErrInvalidSnapshot, p)
		}
		if err != nil {
			if werr := s.resetAfterFailedRestore(); werr != nil {
				err = errors.Join(err, werr)
			}
		}
	}()
	hash, err := s.importStream(height, r)
	if err != nil {
		return err
	}
	if string(hash) != string(appHash) {
		return fmt.Errorf("%w: restored root hash %X, want app hash %X", ErrInvalidSnapshot, hash, appHash)
	}
	if err := s.db.DeleteSync(restoreMarkerKey); err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	// The working tree was loaded at height by the importer. The reader handle has read
	// nothing yet (ReadAt serves version 0 without it), so it sees the new version as is.
	// The latest-version cache starts empty at height (a new epoch) before height is
	// published, so every view of it can use the cache.
	s.latest.reset(height)
	s.mu.Lock()
	s.version, s.hash = height, cloneBytes(hash)
	s.mu.Unlock()
	return nil
}

// importStream decodes r into an IAVL importer on the working tree and returns the root hash
// of the imported version.
func (s *CommitStore) importStream(height int64, r io.Reader) ([]byte, error) {
	src := &sourceReader{r: r}
	zr, err := gzip.NewReader(src)
	if err != nil {
		if src.err != nil && errors.Is(err, src.err) {
			return nil, fmt.Errorf("store: restore: %w", err)
		}
		return nil, fmt.Errorf("%w: %v", ErrInvalidSnapshot, err)
	}
	br := bufio.NewReaderSize(zr, 64<<10)
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidSnapshot, fmt.Sprintf(format, args...))
	}
	// Only a failure of the chunk source itself is not the snapshot's fault;
	// everything else (truncation, bad gzip or deflate data, a varint that
	// overflows) is an invalid snapshot, which CometBFT rejects before trying
	// another, where a source failure aborts state sync.
	readErr := func(what string, err error) error {
		if src.err != nil && errors.Is(err, src.err) {
			return fmt.Errorf("store: restore: %s: %w", what, err)
		}
		return bad("%s: %v", what, err)
	}
	readBytes := func(what string) ([]byte, error) {
		n, err := binary.ReadUvarint(br)
		if err != nil {
			return nil, readErr(what, err)
		}
		if n > maxSnapshotField {
			return nil, bad("%s of %d bytes", what, n)
		}
		b := make([]byte, n) // never nil: a leaf's empty value is not a missing one
		if _, err := io.ReadFull(br, b); err != nil {
			return nil, readErr(what, err)
		}
		return b, nil
	}

	magic := make([]byte, len(snapshotMagic))
	if _, err := io.ReadFull(br, magic); err != nil {
		return nil, readErr("header", err)
	}
	if string(magic) != snapshotMagic {
		return nil, bad("not a format %d snapshot stream", SnapshotFormat)
	}
	v, err := binary.ReadUvarint(br)
	if err != nil {
		return nil, readErr("header", err)
	}
	if int64(v) != height {
		return nil, bad("stream is of version %d, not %d", v, height)
	}

	imp, err := s.tree.Import(height)
	if err != nil {
		return nil, fmt.Errorf("store: restore: %w", err)
	}
	defer imp.Close()
	var nodes int64
	for {
		tag, err := br.ReadByte()
		if err != nil {
			return nil, readErr("record", err)
		}
		if tag == tagEnd {
			break
		}
		if tag != tagNode {
			return nil, bad("unknown record tag %d after %d nodes", tag, nodes)
		}
		h, err := br.ReadByte()
		if err != nil {
			return nil, readErr("node height", err)
		}
		if int8(h) < 0 {
			return nil, bad("node height %d", int8(h))
		}
		ver, err := binary.ReadUvarint(br)
		if err != nil {
			return nil, readErr("node version", err)
		}
		if ver == 0 || ver > uint64(height) { // the importer indexes by version: check first
			return nil, bad("node version %d outside 1..%d", ver, height)
		}
		n := &iavl.ExportNode{Height: int8(h), Version: int64(ver)}
		if n.Key, err = readBytes("node key"); err != nil {
			return nil, err
		}
		if h == 0 {
			if n.Value, err = readBytes("node value"); err != nil {
				return nil, err
			}
		}
		if err := imp.Add(n); err != nil {
			return nil, bad("node %d: %v", nodes, err)
		}
		nodes++
	}
	count, err := binary.ReadUvarint(br)
	if err != nil {
		return nil, readErr("trailer", err)
	}
	if count != uint64(nodes) {
		return nil, bad("trailer counts %d nodes, stream has %d", count, nodes)
	}
	// Nothing may follow: the end of the gzip stream must be the end of the input.
	if _, err := br.ReadByte(); err != io.EOF {
		if err == nil {
			return nil, bad("data after the end record")
		}
		return nil, readErr("end of stream", err)
	}
	if err := imp.Commit(); err != nil {
		return nil, bad("commit import: %v", err)
	}
	return s.tree.Hash(), nil
}

// sourceReader remembers the last error of the chunk source (other than
// EOF), so that importStream can tell it from an error in the data.
type sourceReader struct {
	r   io.Reader
	err error
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		s.err = err
	}
	return n, err
}

// resetAfterFailedRestore deletes everything a failed restore wrote and gives the store a
// fresh working tree over the empty DB (the importer may have loaded the bad version into the
// old one). The reader handle is kept: nothing read through it while the store was empty.
func (s *CommitStore) resetAfterFailedRestore() error {
	s.latest.reset(0)
	s.pending.reset()
	if err := wipeDB(s.db); err != nil {
		s.mu.Lock()
		s.broken = fmt.Errorf("store: failed restore could not be cleaned up, delete the application DB: %w", err)
		s.mu.Unlock()
		return s.broken
	}
	old := s.tree
	s.tree = iavl.NewMutableTree(iavlDB{db: s.db}, s.cacheSize, true, iavl.NewNopLogger(), s.treeOpts...)
	s.pending = newPendingWrites(latestCacheEntries) // a Working() of the old tree records elsewhere
	if _, err := s.tree.Load(); err != nil {
		return fmt.Errorf("store: reload after failed restore: %w", err)
	}
	_ = old.Close()
	s.mu.Lock()
	s.version, s.hash = 0, cloneBytes(EmptyRootHash)
	s.mu.Unlock()
	return nil
}

// recoverInterruptedRestore empties db if a restore was interrupted (the marker is present).
// The DB was empty when that restore began, so nothing else is lost.
func recoverInterruptedRestore(db dbm.DB) error {
	has, err := db.Has(restoreMarkerKey)
	if err != nil || !has {
		return err
	}
	if err := wipeDB(db); err != nil {
		return fmt.Errorf("store: clean up an interrupted restore: %w", err)
	}
	return nil
}

// wipeDB deletes every key of db, the restore marker last (a crash midway leaves the marker,
// so the next open wipes again).
func wipeDB(db dbm.DB) error {
	const batchKeys = 10_000
	for {
		it, err := db.Iterator(nil, nil)
		if err != nil {
			return err
		}
		var keys [][]byte
		for ; it.Valid() && len(keys) < batchKeys; it.Next() {
			if string(it.Key()) != string(restoreMarkerKey) {
				keys = append(keys, cloneBytes(it.Key()))
			}
		}
		err = errors.Join(it.Error(), it.Close())
		if err != nil {
			return err
		}
		if len(keys) == 0 {
			break
		}
		b := db.NewBatch()
		for _, k := range keys {
			if err := b.Delete(k); err != nil {
				b.Close()
				return err
			}
		}
		err = b.Write()
		b.Close()
		if err != nil {
			return err
		}
	}
	return db.DeleteSync(restoreMarkerKey)
}
