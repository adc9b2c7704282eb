package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/petro-network/petro/internal/fsutil"
)

// DefaultSnapshotChunkSize is the size of every chunk but the last: 10 MiB, below CometBFT's
// 16 MB limit on a state-sync chunk message.
const DefaultSnapshotChunkSize = 10 << 20

// maxSnapshotChunkSize keeps chunks under CometBFT's chunk message limit (16e6 bytes) with
// room for the message envelope.
const maxSnapshotChunkSize = 15_000_000

const (
	snapshotMetadataFile = "metadata.json"
	snapshotTmpPrefix    = ".tmp-"
)

// ErrSnapshotNotFound is returned for a snapshot or chunk that is not (or no longer) stored.
var ErrSnapshotNotFound = errors.New("store: snapshot not found")

// Snapshot describes a stored snapshot of one committed version.
type Snapshot struct {
	Height int64
	Format uint32
	Chunks uint32
	// Hash is the SHA-256 of the whole stream (every chunk in order): ABCI Snapshot.Hash.
	Hash []byte
	// ChunkHashes holds the SHA-256 of each chunk; Metadata encodes them for ABCI.
	ChunkHashes [][]byte
	// AppHash is the root hash of the exported version (the app hash of Height).
	AppHash []byte
	// Nodes is the number of IAVL nodes in the stream; Size its length in bytes.
	Nodes int64
	Size  int64
}

// Metadata is ABCI Snapshot.Metadata: the chunk hashes, 32 bytes each, concatenated in chunk
// order. A node that restores verifies every chunk against it before using it.
func (s *Snapshot) Metadata() []byte {
	md := make([]byte, 0, len(s.ChunkHashes)*sha256.Size)
	for _, h := range s.ChunkHashes {
		md = append(md, h...)
	}
	return md
}

// ParseSnapshotMetadata splits ABCI Snapshot.Metadata of a snapshot of chunks chunks into its
// chunk hashes.
func ParseSnapshotMetadata(chunks uint32, md []byte) ([][]byte, error) {
	if chunks == 0 {
		return nil, fmt.Errorf("%w: no chunks", ErrInvalidSnapshot)
	}
	if uint64(len(md)) != uint64(chunks)*sha256.Size {
		return nil, fmt.Errorf("%w: metadata of %d bytes for %d chunks, want %d", ErrInvalidSnapshot, len(md), chunks, uint64(chunks)*sha256.Size)
	}
	hashes := make([][]byte, chunks)
	for i := range hashes {
		hashes[i] = cloneBytes(md[i*sha256.Size : (i+1)*sha256.Size])
	}
	return hashes, nil
}

// SnapshotStore keeps snapshots on disk, one directory per snapshot:
//
//	<dir>/<height>/<format>/metadata.json
//	<dir>/<height>/<format>/0, 1, … (chunk files, in stream order)
//
// A snapshot is written under <dir>/.tmp-<height>-<format> and renamed into place when
// complete, so List never sees a partial one; leftovers of a crash are removed by
// OpenSnapshotStore. Its methods are safe for concurrent use; Create must not run twice
// at once for the same height.
type SnapshotStore struct {
	dir       string
	chunkSize int

	mu sync.Mutex // serialises renames and removals with List and LoadChunk
}

// OpenSnapshotStore opens (creating it) the snapshot directory dir. chunkSize is the size of
// every chunk but the last; 0 means DefaultSnapshotChunkSize.
func OpenSnapshotStore(dir string, chunkSize int) (*SnapshotStore, error) {
	if chunkSize == 0 {
		chunkSize = DefaultSnapshotChunkSize
	}
	if chunkSize < 0 || chunkSize > maxSnapshotChunkSize {
		return nil, fmt.Errorf("store: snapshot chunk size %d: want 1..%d", chunkSize, maxSnapshotChunkSize)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("store: snapshot dir: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("store: snapshot dir: %w", err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), snapshotTmpPrefix) {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return nil, fmt.Errorf("store: remove partial snapshot: %w", err)
			}
		}
	}
	return &SnapshotStore{dir: dir, chunkSize: chunkSize}, nil
}

// Dir is the snapshot directory.
func (ss *SnapshotStore) Dir() string { return ss.dir }

func (ss *SnapshotStore) path(height int64, format uint32) string {
	return filepath.Join(ss.dir, strconv.FormatInt(height, 10), strconv.FormatUint(uint64(format), 10))
}

// Create writes a snapshot of committed version height of cs and returns it; an existing
// snapshot of that height is returned as is. It reads through cs.WriteSnapshot, so it may run
// on its own goroutine while blocks commit; the caller keeps height from being pruned until
// it returns. Cancelling ctx abandons the snapshot.
func (ss *SnapshotStore) Create(ctx context.Context, cs *CommitStore, height int64) (*Snapshot, error) {
	if s, err := ss.Get(height, SnapshotFormat); err == nil {
		return s, nil
	}
	rs, err := cs.ReadAt(height)
	if err != nil {
		return nil, err
	}
	tmp := filepath.Join(ss.dir, fmt.Sprintf("%s%d-%d", snapshotTmpPrefix, height, SnapshotFormat))
	if err := os.RemoveAll(tmp); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			_ = os.RemoveAll(tmp)
		}
	}()
	cw := &chunkWriter{dir: tmp, size: ss.chunkSize, all: sha256.New()}
	nodes, err := cs.WriteSnapshot(ctx, height, cw)
	if cerr := cw.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("store: snapshot %d: %w", height, err)
	}
	s := &Snapshot{
		Height: height, Format: SnapshotFormat, Chunks: uint32(len(cw.hashes)),
		Hash: cw.all.Sum(nil), ChunkHashes: cw.hashes, AppHash: rs.Hash(), Nodes: nodes, Size: cw.total,
	}
	bz, err := json.MarshalIndent(toMetadataFile(s), "", "  ")
	if err != nil {
		return nil, err
	}
	if err := fsutil.SyncFile(filepath.Join(tmp, snapshotMetadataFile), append(bz, '\n'), 0o644); err != nil {
		return nil, err
	}
	final := ss.path(height, SnapshotFormat)
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return nil, err
	}
	if err := os.RemoveAll(final); err != nil { // a leftover without metadata
		return nil, err
	}
	if err := os.Rename(tmp, final); err != nil {
		return nil, err
	}
	if err := fsutil.SyncDir(filepath.Dir(final)); err != nil {
		return nil, err
	}
	ok = true
	return s, nil
}

// Get returns the stored snapshot of height in format, or ErrSnapshotNotFound.
func (ss *SnapshotStore) Get(height int64, format uint32) (*Snapshot, error) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.get(height, format)
}

func (ss *SnapshotStore) get(height int64, format uint32) (*Snapshot, error) {
	bz, err := os.ReadFile(filepath.Join(ss.path(height, format), snapshotMetadataFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: height %d format %d", ErrSnapshotNotFound, height, format)
	}
	if err != nil {
		return nil, err
	}
	var m metadataFile
	if err := json.Unmarshal(bz, &m); err != nil {
		return nil, fmt.Errorf("store: snapshot %d/%d metadata: %w", height, format, err)
	}
	s := m.snapshot()
	if s.Height != height || s.Format != format || int(s.Chunks) != len(s.ChunkHashes) || s.Chunks == 0 || len(s.Hash) != sha256.Size {
		return nil, fmt.Errorf("store: snapshot %d/%d: inconsistent metadata", height, format)
	}
	for _, h := range s.ChunkHashes {
		if len(h) != sha256.Size {
			return nil, fmt.Errorf("store: snapshot %d/%d: inconsistent metadata", height, format)
		}
	}
	return s, nil
}

// List returns every stored snapshot, newest (highest height, then format) first. A
// directory that does not hold a readable snapshot is skipped.
func (ss *SnapshotStore) List() ([]*Snapshot, error) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	heights, err := ss.heights()
	if err != nil {
		return nil, err
	}
	var out []*Snapshot
	for _, h := range heights {
		formats, err := os.ReadDir(filepath.Join(ss.dir, strconv.FormatInt(h, 10)))
		if err != nil {
			continue
		}
		for _, f := range formats {
			format, err := strconv.ParseUint(f.Name(), 10, 32)
			if err != nil || !f.IsDir() {
				continue
			}
			if s, err := ss.get(h, uint32(format)); err == nil {
				out = append(out, s)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Height != out[j].Height {
			return out[i].Height > out[j].Height
		}
		return out[i].Format > out[j].Format
	})
	return out, nil
}

// heights lists the height directories, ascending.
func (ss *SnapshotStore) heights() ([]int64, error) {
	entries, err := os.ReadDir(ss.dir)
	if err != nil {
		return nil, err
	}
	var hs []int64
	for _, e := range entries {
		if h, err := strconv.ParseInt(e.Name(), 10, 64); err == nil && h > 0 && e.IsDir() {
			hs = append(hs, h)
		}
	}
	sort.Slice(hs, func(i, j int) bool { return hs[i] < hs[j] })
	return hs, nil
}

// LoadChunk returns chunk index of a stored snapshot, checked against its recorded hash (a
// chunk damaged on disk is reported, never served). ErrSnapshotNotFound if it is not stored.
func (ss *SnapshotStore) LoadChunk(height int64, format uint32, index uint32) ([]byte, error) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, err := ss.get(height, format)
	if err != nil {
		return nil, err
	}
	if index >= s.Chunks {
		return nil, fmt.Errorf("%w: chunk %d of %d at height %d", ErrSnapshotNotFound, index, s.Chunks, height)
	}
	bz, err := os.ReadFile(filepath.Join(ss.path(height, format), strconv.FormatUint(uint64(index), 10)))
	if err != nil {
		return nil, err
	}
	if sum := sha256.Sum256(bz); !bytes.Equal(sum[:], s.ChunkHashes[index]) {
		return nil, fmt.Errorf("store: snapshot %d chunk %d is damaged on disk (hash %X, want %X)", height, index, sum, s.ChunkHashes[index])
	}
	return bz, nil
}

// Prune keeps the keepRecent most recent snapshot heights and deletes the others; keepRecent
// 0 keeps all. It returns the heights deleted.
func (ss *SnapshotStore) Prune(keepRecent int) ([]int64, error) {
	if keepRecent <= 0 {
		return nil, nil
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	heights, err := ss.heights()
	if err != nil || len(heights) <= keepRecent {
		return nil, err
	}
	old := heights[:len(heights)-keepRecent]
	for _, h := range old {
		if err := os.RemoveAll(filepath.Join(ss.dir, strconv.FormatInt(h, 10))); err != nil {
			return nil, err
		}
	}
	return old, nil
}

// chunkWriter cuts a stream into chunk files of size bytes (the last may be shorter), hashing
// each chunk and the whole stream.
type chunkWriter struct {
	dir  string
	size int
	all  hash.Hash

	f      *os.File
	cur    hash.Hash
	n      int // bytes in the open chunk
	hashes [][]byte
	total  int64
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		if w.f == nil {
			f, err := os.Create(filepath.Join(w.dir, strconv.Itoa(len(w.hashes))))
			if err != nil {
				return written, err
			}
			w.f, w.cur, w.n = f, sha256.New(), 0
		}
		part := p[:min(len(p), w.size-w.n)]
		if _, err := w.f.Write(part); err != nil {
			return written, err
		}
		w.cur.Write(part)
		w.all.Write(part)
		w.n += len(part)
		w.total += int64(len(part))
		written += len(part)
		p = p[len(part):]
		if w.n == w.size {
			if err := w.finishChunk(); err != nil {
				return written, err
			}
		}
	}
	return written, nil
}

func (w *chunkWriter) finishChunk() error {
	f := w.f
	w.f = nil
	w.hashes = append(w.hashes, w.cur.Sum(nil))
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Close ends the last chunk.
func (w *chunkWriter) Close() error {
	if w.f == nil {
		return nil
	}
	return w.finishChunk()
}

// metadataFile is metadata.json: hashes in hex, for operators reading it.
type metadataFile struct {
	Height      int64      `json:"height"`
	Format      uint32     `json:"format"`
	Chunks      uint32     `json:"chunks"`
	Hash        hexBytes   `json:"hash"`
	AppHash     hexBytes   `json:"app_hash"`
	Nodes       int64      `json:"nodes"`
	Size        int64      `json:"size"`
	ChunkHashes []hexBytes `json:"chunk_hashes"`
}

func toMetadataFile(s *Snapshot) metadataFile {
	m := metadataFile{Height: s.Height, Format: s.Format, Chunks: s.Chunks, Hash: s.Hash,
		AppHash: s.AppHash, Nodes: s.Nodes, Size: s.Size}
	for _, h := range s.ChunkHashes {
		m.ChunkHashes = append(m.ChunkHashes, h)
	}
	return m
}

func (m metadataFile) snapshot() *Snapshot {
	s := &Snapshot{Height: m.Height, Format: m.Format, Chunks: m.Chunks, Hash: m.Hash,
		AppHash: m.AppHash, Nodes: m.Nodes, Size: m.Size}
	for _, h := range m.ChunkHashes {
		s.ChunkHashes = append(s.ChunkHashes, h)
	}
	return s
}

type hexBytes []byte

func (b hexBytes) MarshalText() ([]byte, error) {
	return []byte(strings.ToUpper(hex.EncodeToString(b))), nil
}

func (b *hexBytes) UnmarshalText(text []byte) error {
	v, err := hex.DecodeString(string(text))
	*b = v
	return err
}
