// Package store holds petro's state: the application state as an IAVL tree over cosmos-db
// (CommitStore), per-transaction and check-state write buffers (Branch), ICS23 proofs against
// the app hash (ReadStore.Prove, VerifyProof), and the adapters that put CometBFT's own
// databases on the same embedded engine (CometDBProvider).
//
// # Contracts
//
// Persistence. OpenDB opens a cosmos-db database: pebble by default, goleveldb or memdb on
// request. NewCommitStore loads the latest committed version. Nothing reaches the DB until
// Commit, and Commit writes the whole version (every new node and the version's root) in a
// single batch, so after a crash the store reopens at either the previous version or the new
// one, never in between. LastCommit is what ABCI Info reports; before the first commit it is
// (0, EmptyRootHash). A failed Commit poisons the store: reopen it.
//
// Block execution. One goroutine owns the working tree: Working, WorkingHash, Commit,
// Rollback and Prune are called only from it. FinalizeBlock runs each transaction on
// NewBranch(store.Working()) and calls Write on success or Discard on failure; WorkingHash is
// the app hash; Commit makes it durable and returns the same hash.
//
// Queries. ReadAt(version) and LastCommit may be called from any goroutine at any time. A
// ReadStore is an immutable view of one committed version, safe for concurrent use while blocks
// execute and commit; it is served by a separate IAVL handle with its own node cache, so it
// shares no mutable node with the working tree. Get and Has of a view of the latest version
// consult a bounded write-through cache of that version first (filled by Commit and by reads);
// the cache is versioned, so it changes no result, only the time. Pruning a version under a
// live ReadStore makes that view fail with errors (never return wrong data): keep a retention
// window.
//
// Check state. NewBranch(NewReadOnlyKV(committed)) starts from the committed state and
// accumulates CheckTx writes (sequence numbers) without touching the working tree; rebuild it
// from the new ReadAt after Commit.
//
// Keys and values. Keys are non-empty, values non-nil (ErrEmptyKey, ErrNilValue). Set copies
// its arguments; every returned slice is a copy the caller owns. Iteration domains are
// [start, end) with nil meaning unbounded. Branch.Write applies writes in ascending key order.
//
// Proofs. ReadStore.Prove returns an ICS23 existence proof for a present key or a
// non-existence proof for an absent one, against ReadStore.Hash (the app hash at that height).
// VerifyProof checks either kind with ics23.IavlSpec and needs no node. An empty tree has no
// proofs (ErrEmptyTree); its root is EmptyRootHash.
package store
