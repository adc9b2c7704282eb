package store

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"sync"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/iavl"
)

// DefaultCacheSize is the number of IAVL nodes cached (per tree) when Options.CacheSize is 0.
const DefaultCacheSize = 100_000

// EmptyRootHash is the root hash of a tree with no keys: SHA-256 of the empty string. It is what
// iavl reports for version 0 (nothing committed) and for any committed version that holds no
// keys, so LastCommit on a fresh store returns (0, EmptyRootHash).
var EmptyRootHash = func() []byte { h := sha256.Sum256(nil); return h[:] }()

// flushThreshold is passed to iavl as FlushThreshold. iavl buffers every write of SaveVersion
// in one batch and, by default, writes it out in pieces once it exceeds 100 kB; a crash between
// pieces leaves nodes of a version whose root is missing, and iavl then refuses to load. With
// this threshold the batch is never split (pebble caps a batch at 4 GiB, far above any block of
// ours), so SaveVersion ends in exactly one Batch.Write.
const flushThreshold = math.MaxInt32

// Options configure a CommitStore.
type Options struct {
	// CacheSize is the number of IAVL nodes kept in memory by the working tree and, separately,
	// by the tree that serves ReadAt. 0 means DefaultCacheSize.
	CacheSize int
	// InitialVersion is the version the first Commit produces when the store is empty
	// (CometBFT's genesis initial_height). 0 or 1 means 1. Ignored once a version exists.
	InitialVersion int64
	// Sync makes Commit fsync its batch. Without it a commit may sit in
	// the DB's write buffer when the process is killed (pebble flushes its
	// WAL asynchronously) and the node relies on CometBFT replaying the
	// lost blocks; with it a committed version is on disk when Commit
	// returns. petrod sets it.
	Sync bool
}

// CommitStore is the application state: an IAVL tree over a cosmos-db DB whose root hash is
// the app hash.
//
// Concurrency contract: the working tree (Working, WorkingHash, Commit, Rollback, Prune) belongs
// to one goroutine, the one executing blocks; those methods must not be called concurrently with
// each other. LastCommit and ReadAt, and every method of a ReadStore, may be called from any
// goroutine at any time, including while a block executes or commits: ReadAt serves immutable
// committed versions from a second IAVL tree handle with its own node cache, so readers never
// touch a node the working tree mutates. Get and Has of the latest version are served from a
// write-through cache of that version first (latest_cache.go). A ReadStore of a version that
// Prune deletes afterwards may fail with an error (never wrong data); prune only versions no
// reader still uses.
type CommitStore struct {
	tree   *iavl.MutableTree // working tree; owned by the block-execution goroutine
	reader *iavl.MutableTree // only GetImmutable is called on it; safe for concurrent use

	// pending records the working tree's writes since the last Commit (owned by the
	// block-execution goroutine); Commit applies them to latest, the cache of the last
	// committed version that ReadAt(latest) views read first (safe for concurrent use).
	pending *pendingWrites
	latest  *latestCache

	// what Restore needs to replace the working tree after a failed import
	db        dbm.DB
	cacheSize int
	treeOpts  []iavl.Option

	mu      sync.RWMutex // guards the fields below
	version int64        // last committed version
	hash    []byte       // its root hash
	broken  error        // set when a Commit failed; the store must be reopened
	closed  bool
}

// NewCommitStore opens the tree stored in db and loads its latest version (0 if db holds none).
// db stays owned by the caller, who closes it after CommitStore.Close.
func NewCommitStore(db dbm.DB, opts Options) (*CommitStore, error) {
	if opts.CacheSize < 0 || opts.InitialVersion < 0 {
		return nil, fmt.Errorf("store: invalid options %+v", opts)
	}
	if opts.CacheSize == 0 {
		opts.CacheSize = DefaultCacheSize
	}
	treeOpts := []iavl.Option{
		iavl.FlushThresholdOption(flushThreshold),
		iavl.SyncOption(opts.Sync),
		// AsyncPruning stays off: the async pruner writes into the same batch as SaveVersion.
	}
	if opts.InitialVersion > 1 {
		treeOpts = append(treeOpts, iavl.InitialVersionOption(uint64(opts.InitialVersion)))
	}
	// skipFastStorageUpgrade = true: no "fast node" index. That index is keyed by the latest
	// version only; an ImmutableTree of an older version consults it without synchronisation
	// against a concurrent SaveVersion, and the upgrade itself is written in many batches. Reads
	// walk the tree instead (O(log n) node loads, cached).
	// A restore (snapshot import) that crashed left a partial tree: start empty again.
	if err := recoverInterruptedRestore(db); err != nil {
		return nil, err
	}
	idbw := iavlDB{db: db}
	tree := iavl.NewMutableTree(idbw, opts.CacheSize, true, iavl.NewNopLogger(), treeOpts...)
	if _, err := tree.Load(); err != nil {
		return nil, fmt.Errorf("store: load latest version: %w", err)
	}
	reader := iavl.NewMutableTree(idbw, opts.CacheSize, true, iavl.NewNopLogger(), treeOpts...)
	latest := newLatestCache(latestCacheEntries, latestCacheBytes)
	latest.reset(tree.Version())
	return &CommitStore{
		tree:      tree,
		reader:    reader,
		pending:   newPendingWrites(latestCacheEntries),
		latest:    latest,
		db:        db,
		cacheSize: opts.CacheSize,
		treeOpts:  treeOpts,
		version:   tree.Version(),
		hash:      tree.Hash(),
	}, nil
}

// LastCommit returns the last committed version and its root hash, what ABCI Info reports as
// LastBlockHeight and LastBlockAppHash. Before the first Commit it is (0, EmptyRootHash).
// Safe for concurrent use.
func (s *CommitStore) LastCommit() (version int64, hash []byte) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.version, cloneBytes(s.hash)
}

// Working returns the mutable working tree. Writes stay in memory until Commit and are
// discarded by Rollback or by a crash. Keepers normally write through a Branch of it.
func (s *CommitStore) Working() KVStore { return treeKV{tree: s.tree, pending: s.pending} }

// WorkingHash returns the root hash the working tree would have if committed now: the app hash
// FinalizeBlock returns. Commit then returns the same hash.
func (s *CommitStore) WorkingHash() []byte { return cloneBytes(s.tree.WorkingHash()) }

// SetInitialVersion makes the first Commit of an empty store produce version (CometBFT's
// genesis initial_height, known only at InitChain). It fails once a version exists.
func (s *CommitStore) SetInitialVersion(version int64) error {
	s.mu.RLock()
	last := s.version
	s.mu.RUnlock()
	if last != 0 || version < 1 {
		return fmt.Errorf("store: initial version %d: store already at %d", version, last)
	}
	s.tree.SetInitialVersion(uint64(version))
	s.reader.SetInitialVersion(uint64(version))
	s.treeOpts = append(s.treeOpts, iavl.InitialVersionOption(uint64(version)))
	return nil
}

// Commit saves the working tree as the next version (iavl SaveVersion) and returns it.
//
// Atomicity: every write of SaveVersion (new nodes, the version's root entry and, for a tree
// with no changes, the root reference) goes into one batch that is written once; iavl writes
// the root under key "s"+version+nonce 1 in that same batch. A crash before the write leaves
// the previous version intact (the next NewCommitStore loads it and CometBFT replays the
// block); a crash after it leaves the new version complete. Pebble and goleveldb apply a batch
// through one WAL record, so there is no state in between.
//
// An error from Commit means the in-memory tree may no longer match the DB: the store refuses
// further commits (it returns the same error) and the process must reopen it, which loads the
// last version that reached the DB.
func (s *CommitStore) Commit() (version int64, hash []byte, err error) {
	s.mu.RLock()
	prev, broken, closed := s.version, s.broken, s.closed
	s.mu.RUnlock()
	if closed {
		return 0, nil, ErrClosed
	}
	if broken != nil {
		return 0, nil, broken
	}

	hash, version, err = s.tree.SaveVersion()
	if err == nil {
		// Before the new version is published: a view of it taken from now on finds the
		// cache at its version. Views of prev stop using the cache here.
		s.latest.commit(prev, version, s.pending)
	} else {
		s.latest.reset(0)
	}
	s.pending.reset()

	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.broken = fmt.Errorf("store: commit failed, reopen the store: %w", err)
		return 0, nil, s.broken
	}
	s.version, s.hash = version, cloneBytes(hash)
	return version, cloneBytes(hash), nil
}

// Rollback discards every change made to the working tree since the last Commit.
func (s *CommitStore) Rollback() {
	s.tree.Rollback()
	s.pending.reset()
}

// ReadAt returns an immutable view of committed version. Version 0 is the empty state before
// the first Commit and exists only while nothing has been committed. It fails with
// ErrVersionNotFound for a version never committed or already pruned. Safe for concurrent use;
// the view is safe for concurrent use too.
//
// A view of the latest version reads Get and Has through the latest-version cache for as long
// as that cache still represents its version (until the next Commit), and the tree afterwards;
// the results are the same either way.
func (s *CommitStore) ReadAt(version int64) (ReadStore, error) {
	s.mu.RLock()
	latest, closed := s.version, s.closed
	epoch := s.latest.currentEpoch()
	s.mu.RUnlock()
	switch {
	case closed:
		return nil, ErrClosed
	case version == 0 && latest == 0:
		return emptyView{}, nil
	case version <= 0 || version > latest:
		return nil, fmt.Errorf("%w: %d (latest %d)", ErrVersionNotFound, version, latest)
	}
	t, err := s.reader.GetImmutable(version)
	if errors.Is(err, iavl.ErrVersionDoesNotExist) {
		return nil, fmt.Errorf("%w: %d", ErrVersionNotFound, version)
	}
	if err != nil {
		return nil, fmt.Errorf("store: load version %d: %w", version, err)
	}
	if version == latest {
		return cachedView{treeView: treeView{tree: t}, cache: s.latest, epoch: epoch}, nil
	}
	return treeView{tree: t}, nil
}

// Prune deletes every version below retainFrom (iavl DeleteVersionsTo(retainFrom-1)) in one
// batch. The latest version can never be pruned: retainFrom must be <= the last committed
// version. retainFrom <= 1, or below the oldest retained version, does nothing.
func (s *CommitStore) Prune(retainFrom int64) error {
	s.mu.RLock()
	latest, closed := s.version, s.closed
	s.mu.RUnlock()
	switch {
	case closed:
		return ErrClosed
	case retainFrom <= 1:
		return nil
	case retainFrom > latest:
		return fmt.Errorf("store: cannot prune below %d: latest version is %d", retainFrom, latest)
	}
	if err := s.tree.DeleteVersionsTo(retainFrom - 1); err != nil {
		return fmt.Errorf("store: prune versions < %d: %w", retainFrom, err)
	}
	return nil
}

// Close releases both tree handles. Uncommitted changes are lost. It does not close the DB,
// which belongs to the caller. Readers must be done before Close.
func (s *CommitStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.latest.reset(0)
	return errors.Join(s.tree.Close(), s.reader.Close())
}

// treeKV is the KVStore over the working tree. Set and Delete are recorded in pending (nil for a
// tree outside a CommitStore) for the latest-version cache.
type treeKV struct {
	tree    *iavl.MutableTree
	pending *pendingWrites
}

var _ KVStore = treeKV{}

func (t treeKV) Get(key []byte) ([]byte, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	v, err := t.tree.Get(key)
	return cloneBytes(v), err
}

func (t treeKV) Has(key []byte) (bool, error) {
	if err := checkKey(key); err != nil {
		return false, err
	}
	return t.tree.Has(key)
}

func (t treeKV) Set(key, value []byte) error {
	if err := checkKeyValue(key, value); err != nil {
		return err
	}
	// iavl keeps the slices in its nodes: copy so callers may reuse their buffers. The
	// pending record shares the copies; neither iavl nor the cache ever writes into them.
	key, value = cloneBytes(key), cloneBytes(value)
	if _, err := t.tree.Set(key, value); err != nil {
		t.pending.fail()
		return err
	}
	t.pending.record(key, value)
	return nil
}

func (t treeKV) Delete(key []byte) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if _, _, err := t.tree.Remove(key); err != nil {
		t.pending.fail()
		return err
	}
	t.pending.record(key, nil)
	return nil
}

func (t treeKV) Iterator(start, end []byte) (Iterator, error) { return t.iterator(start, end, true) }

func (t treeKV) ReverseIterator(start, end []byte) (Iterator, error) {
	return t.iterator(start, end, false)
}

func (t treeKV) iterator(start, end []byte, ascending bool) (Iterator, error) {
	start, end, empty := normalizeDomain(start, end)
	if empty {
		return emptyIterator{}, nil
	}
	it, err := t.tree.Iterator(start, end, ascending)
	if err != nil {
		return nil, err
	}
	return copyingIterator{it: it}, nil
}
