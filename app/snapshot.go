package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/libs/log"

	"github.com/petro-network/petro/internal/store"
)

// State sync. A node that takes snapshots (app.toml [state_sync] snapshot_interval > 0)
// exports the committed state every snapshot_interval heights on a background goroutine into
// snapshot_dir, keeps the snapshot_keep_recent newest, and serves them over ABCI ListSnapshots
// and LoadSnapshotChunk. A new node with config.toml [statesync] enable = true is offered a
// snapshot by CometBFT together with the app hash of its height, taken from a header the light
// client verified; OfferSnapshot checks the metadata and starts an import, ApplySnapshotChunk
// checks each chunk against its SHA-256 in the metadata and streams it into the IAVL
// importer, and the last chunk commits the import only if the root hash is that trusted app
// hash. See docs/state-sync.md and internal/store/README.md.

// DefaultSnapshotKeepRecent is how many snapshots are kept when Options.SnapshotKeepRecent is 0.
const DefaultSnapshotKeepRecent = 2

// maxSnapshotChunks bounds the chunks of a snapshot we accept (CometBFT's own default limit).
const maxSnapshotChunks = 100_000

var errRestoreAborted = errors.New("app: snapshot restore abandoned")

// snapshots is the app's state-sync side: the snapshot store and the background snapshot
// (block-execution side), and the restore in progress (ABCI snapshot connection).
type snapshots struct {
	store    *store.SnapshotStore // nil: this node neither takes nor serves snapshots
	interval uint64
	keep     int
	logger   log.Logger

	ctx    context.Context // cancelled by close: stops a running snapshot
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	pinned  int64 // height being snapshotted (kept from pruning), 0 if none
	closed  bool
	restore *restoreState
}

// restoreState is a restore in progress: the snapshot CometBFT offered and the goroutine
// importing the chunks streamed to it.
type restoreState struct {
	snapshot *abci.Snapshot
	appHash  []byte   // trusted app hash of snapshot.Height
	hashes   [][]byte // expected SHA-256 of each chunk (from the metadata)
	next     uint32   // index of the next chunk to apply
	stream   hash.Hash
	pw       *io.PipeWriter
	done     chan struct{} // closed when the import has ended, with its result in err
	err      error
}

func newSnapshots(opts Options, logger log.Logger) (*snapshots, error) {
	s := &snapshots{interval: opts.SnapshotInterval, keep: int(opts.SnapshotKeepRecent), logger: logger}
	if s.keep == 0 {
		s.keep = DefaultSnapshotKeepRecent
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if opts.SnapshotDir != "" {
		ss, err := store.OpenSnapshotStore(opts.SnapshotDir, opts.SnapshotChunkSize)
		if err != nil {
			return nil, fmt.Errorf("app: %w", err)
		}
		s.store = ss
	} else if opts.SnapshotInterval > 0 {
		return nil, errors.New("app: snapshot interval set without a snapshot directory")
	}
	return s, nil
}

// retainFrom lowers the pruning bound retain so that a height being snapshotted is kept.
func (s *snapshots) retainFrom(retain int64) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pinned > 0 && s.pinned < retain {
		return s.pinned
	}
	return retain
}

// afterCommit starts a snapshot of height when it is due. It never blocks Commit: the export
// runs on its own goroutine from the committed version, and a snapshot still running when the
// next one is due makes that one be skipped.
func (s *snapshots) afterCommit(cs *store.CommitStore, height int64) {
	if s.store == nil || s.interval == 0 || height <= 0 || uint64(height)%s.interval != 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	if s.pinned != 0 {
		s.logger.Error("snapshot skipped: the previous one is still being written", "height", height, "running", s.pinned)
		return
	}
	s.pinned = height
	s.wg.Add(1)
	go s.take(cs, height)
}

func (s *snapshots) take(cs *store.CommitStore, height int64) {
	defer s.wg.Done()
	start := time.Now()
	snap, err := s.store.Create(s.ctx, cs, height)
	s.mu.Lock()
	s.pinned = 0
	s.mu.Unlock()
	if err != nil {
		if s.ctx.Err() == nil {
			s.logger.Error("snapshot failed", "height", height, "err", err)
		}
		return
	}
	s.logger.Info("snapshot created", "height", height, "format", snap.Format, "chunks", snap.Chunks,
		"bytes", snap.Size, "nodes", snap.Nodes, "hash", fmt.Sprintf("%X", snap.Hash), "took", time.Since(start).Round(time.Millisecond))
	removed, err := s.store.Prune(s.keep)
	if err != nil {
		s.logger.Error("snapshot pruning failed", "err", err)
	} else if len(removed) > 0 {
		s.logger.Info("old snapshots deleted", "heights", removed)
	}
}

// close stops a running snapshot and abandons a restore in progress, and waits for both.
func (s *snapshots) close() {
	s.mu.Lock()
	s.closed = true
	r := s.restore
	s.restore = nil
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	if r != nil {
		r.abort()
	}
}

func (r *restoreState) abort() {
	r.pw.CloseWithError(errRestoreAborted)
	<-r.done
}

// wait returns the import's result once it has ended.
func (r *restoreState) wait() error {
	<-r.done
	return r.err
}

// ListSnapshots lists the snapshots this node serves, newest first.
func (a *App) ListSnapshots(_ context.Context, _ *abci.RequestListSnapshots) (*abci.ResponseListSnapshots, error) {
	resp := &abci.ResponseListSnapshots{}
	if a.snapshots.store == nil {
		return resp, nil
	}
	list, err := a.snapshots.store.List()
	if err != nil {
		a.logger.Error("list snapshots", "err", err)
		return resp, nil
	}
	for _, s := range list {
		if s.Format != store.SnapshotFormat {
			continue
		}
		resp.Snapshots = append(resp.Snapshots, &abci.Snapshot{
			Height: uint64(s.Height), Format: s.Format, Chunks: s.Chunks, Hash: s.Hash, Metadata: s.Metadata(),
		})
	}
	return resp, nil
}

// LoadSnapshotChunk serves one chunk of a stored snapshot. A chunk that is missing (pruned
// meanwhile) or damaged on disk is answered with no data: CometBFT then asks another peer.
func (a *App) LoadSnapshotChunk(_ context.Context, req *abci.RequestLoadSnapshotChunk) (*abci.ResponseLoadSnapshotChunk, error) {
	if a.snapshots.store == nil || req.Height == 0 || req.Height > math.MaxInt64 {
		return &abci.ResponseLoadSnapshotChunk{}, nil
	}
	chunk, err := a.snapshots.store.LoadChunk(int64(req.Height), req.Format, req.Chunk)
	if err != nil {
		if !errors.Is(err, store.ErrSnapshotNotFound) {
			a.logger.Error("load snapshot chunk", "height", req.Height, "chunk", req.Chunk, "err", err)
		}
		return &abci.ResponseLoadSnapshotChunk{}, nil
	}
	return &abci.ResponseLoadSnapshotChunk{Chunk: chunk}, nil
}

// OfferSnapshot accepts a snapshot of our format whose metadata is well formed, while the app
// has no state yet, and starts importing it. req.AppHash is the app hash of the snapshot's
// height from a light-client-verified header: the restore is checked against it.
func (a *App) OfferSnapshot(_ context.Context, req *abci.RequestOfferSnapshot) (*abci.ResponseOfferSnapshot, error) {
	reply := func(r abci.ResponseOfferSnapshot_Result) (*abci.ResponseOfferSnapshot, error) {
		return &abci.ResponseOfferSnapshot{Result: r}, nil
	}
	snap := req.Snapshot
	switch {
	case snap == nil:
		return reply(abci.ResponseOfferSnapshot_REJECT)
	case snap.Format != store.SnapshotFormat:
		return reply(abci.ResponseOfferSnapshot_REJECT_FORMAT)
	case snap.Height == 0 || snap.Height > math.MaxInt64 || snap.Chunks > maxSnapshotChunks ||
		len(snap.Hash) != sha256.Size || len(req.AppHash) != sha256.Size:
		a.logger.Info("snapshot rejected: malformed", "height", snap.Height, "chunks", snap.Chunks)
		return reply(abci.ResponseOfferSnapshot_REJECT)
	}
	hashes, err := store.ParseSnapshotMetadata(snap.Chunks, snap.Metadata)
	if err != nil {
		a.logger.Info("snapshot rejected", "height", snap.Height, "err", err)
		return reply(abci.ResponseOfferSnapshot_REJECT)
	}
	// CometBFT offers again after RETRY_SNAPSHOT or a rejection: drop what was begun.
	a.snapshots.mu.Lock()
	old := a.snapshots.restore
	a.snapshots.restore = nil
	closed := a.snapshots.closed
	a.snapshots.mu.Unlock()
	if old != nil {
		old.abort()
	}
	if closed {
		return reply(abci.ResponseOfferSnapshot_ABORT)
	}
	if h, _ := a.cs.LastCommit(); h != 0 {
		a.logger.Error("cannot restore a snapshot: the app already has state (delete data/ to state-sync)", "height", h)
		return reply(abci.ResponseOfferSnapshot_ABORT)
	}

	pr, pw := io.Pipe()
	r := &restoreState{snapshot: snap, appHash: bytes.Clone(req.AppHash), hashes: hashes,
		stream: sha256.New(), pw: pw, done: make(chan struct{})}
	height := int64(snap.Height)
	go func() {
		var err error
		defer func() { // a panic importing a peer's chunks rejects the snapshot, not the node
			if p := recover(); p != nil {
				a.logger.Error("snapshot import panicked; rejecting the snapshot", "panic", p)
				err = fmt.Errorf("snapshot import panicked: %v", p)
				pr.CloseWithError(err)
				r.err = err
				close(r.done)
			}
		}()
		err = a.cs.Restore(height, r.appHash, pr)
		if err != nil {
			pr.CloseWithError(err) // unblocks the chunk being written
		} else {
			pr.Close()
		}
		r.err = err
		close(r.done)
	}()
	a.snapshots.mu.Lock()
	a.snapshots.restore = r
	a.snapshots.mu.Unlock()
	a.logger.Info("restoring snapshot", "height", height, "chunks", snap.Chunks, "app_hash", fmt.Sprintf("%X", req.AppHash))
	return reply(abci.ResponseOfferSnapshot_ACCEPT)
}

// ApplySnapshotChunk checks a chunk against its hash in the metadata and streams it into the
// import. A chunk that does not match is refetched, and its sender rejected. After the last
// chunk the import is committed if its root hash is the trusted app hash; otherwise the
// snapshot is rejected (and what it wrote is deleted), and CometBFT tries another one.
func (a *App) ApplySnapshotChunk(_ context.Context, req *abci.RequestApplySnapshotChunk) (*abci.ResponseApplySnapshotChunk, error) {
	reply := func(r abci.ResponseApplySnapshotChunk_Result) (*abci.ResponseApplySnapshotChunk, error) {
		return &abci.ResponseApplySnapshotChunk{Result: r}, nil
	}
	a.snapshots.mu.Lock()
	r := a.snapshots.restore
	a.snapshots.mu.Unlock()
	switch {
	case r == nil:
		a.logger.Error("snapshot chunk without a snapshot being restored", "chunk", req.Index)
		return reply(abci.ResponseApplySnapshotChunk_ABORT)
	case req.Index < r.next: // applied already (a duplicate delivery)
		return reply(abci.ResponseApplySnapshotChunk_ACCEPT)
	case req.Index > r.next:
		// The import is a stream: chunks must come in order. Start the snapshot over.
		a.logger.Error("snapshot chunk out of order", "chunk", req.Index, "want", r.next)
		a.endRestore(r, errRestoreAborted)
		return reply(abci.ResponseApplySnapshotChunk_RETRY_SNAPSHOT)
	}
	if sum := sha256.Sum256(req.Chunk); !bytes.Equal(sum[:], r.hashes[req.Index]) {
		a.logger.Info("snapshot chunk does not match its hash: refetching", "height", r.snapshot.Height, "chunk", req.Index, "sender", req.Sender)
		resp := &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_RETRY, RefetchChunks: []uint32{req.Index}}
		if req.Sender != "" {
			resp.RejectSenders = []string{req.Sender}
		}
		return resp, nil
	}
	r.stream.Write(req.Chunk)
	r.next++
	if _, err := r.pw.Write(req.Chunk); err != nil {
		return a.restoreFailed(r, a.endRestore(r, err))
	}
	if r.next < uint32(len(r.hashes)) {
		return reply(abci.ResponseApplySnapshotChunk_ACCEPT)
	}

	// Last chunk: the stream must be the one the snapshot hash names, then the import
	// commits and checks the root against the trusted app hash.
	var err error
	if !bytes.Equal(r.stream.Sum(nil), r.snapshot.Hash) {
		err = a.endRestore(r, fmt.Errorf("%w: stream hash differs from the snapshot hash", store.ErrInvalidSnapshot))
	} else {
		err = a.endRestore(r, nil)
	}
	if err != nil {
		return a.restoreFailed(r, err)
	}
	if err := a.afterRestore(); err != nil {
		return nil, fmt.Errorf("app: after restoring snapshot %d: %w", r.snapshot.Height, err)
	}
	h, hash := a.cs.LastCommit()
	a.logger.Info("snapshot restored", "height", h, "app_hash", fmt.Sprintf("%X", hash))
	return reply(abci.ResponseApplySnapshotChunk_ACCEPT)
}

// endRestore closes the stream (with cause, or cleanly to let the import finish) and returns
// the import's result; the restore is no longer in progress.
func (a *App) endRestore(r *restoreState, cause error) error {
	if cause != nil {
		r.pw.CloseWithError(cause)
	} else {
		r.pw.Close()
	}
	err := r.wait()
	a.snapshots.mu.Lock()
	if a.snapshots.restore == r {
		a.snapshots.restore = nil
	}
	a.snapshots.mu.Unlock()
	if err == nil && cause != nil {
		err = cause
	}
	return err
}

func (a *App) restoreFailed(r *restoreState, err error) (*abci.ResponseApplySnapshotChunk, error) {
	if errors.Is(err, store.ErrInvalidSnapshot) {
		a.logger.Error("snapshot rejected", "height", r.snapshot.Height, "err", err)
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT}, nil
	}
	a.logger.Error("snapshot restore failed", "height", r.snapshot.Height, "err", err)
	return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_ABORT}, nil
}

// afterRestore brings the in-memory state in line with the restored version, as New does for
// a reopened store: check state, last block time and the peer allowlist all come from the
// committed state (which includes app/last_block).
func (a *App) afterRestore() error {
	kv, _, err := a.StateAt(0)
	if err != nil {
		return err
	}
	t, err := lastBlockTime(kv)
	if err != nil {
		return err
	}
	a.checkMu.Lock()
	a.lastBlockTime = t
	a.checkMu.Unlock()
	if err := a.resetCheckState(); err != nil {
		return err
	}
	return a.reloadPeers()
}

// loadGenesisPeers answers the peer filter from genesis until the app has state. A node that
// starts by state sync never runs InitChain, yet must let the validators it syncs from
// connect (config.toml filter_peers = true asks the app); once the snapshot is restored the
// allowlist comes from the restored state.
func (a *App) loadGenesisPeers() error {
	if h, _ := a.cs.LastCommit(); h != 0 || len(a.opts.GenesisAppState) == 0 {
		return nil
	}
	gs := DefaultGenesis()
	if err := json.Unmarshal(a.opts.GenesisAppState, gs); err != nil {
		return fmt.Errorf("app: genesis app_state: %w", err)
	}
	ids := map[string]bool{}
	for _, v := range gs.Authority.GetValidators() {
		if v.GetNodeId() != "" {
			ids[v.GetNodeId()] = true
		}
	}
	for _, p := range gs.Authority.GetPeers() {
		if p.GetNodeId() != "" {
			ids[p.GetNodeId()] = true
		}
	}
	a.peersMu.Lock()
	a.peers = ids
	a.peersMu.Unlock()
	return nil
}
