package app

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/libs/log"
	dbm "github.com/cosmos/cosmos-db"
	ics23 "github.com/cosmos/ics23/go"

	"github.com/petro-network/petro/app/upgrades"
	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	authkeeper "github.com/petro-network/petro/x/auth/keeper"
	authoritykeeper "github.com/petro-network/petro/x/authority/keeper"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservekeeper "github.com/petro-network/petro/x/reserve/keeper"
	tokenkeeper "github.com/petro-network/petro/x/token/keeper"
)

// Options configure an App; the zero value of each field takes a default.
type Options struct {
	// IAVL node cache size (nodes).
	CacheSize int
	// Keep this many recent versions; 0 keeps everything.
	PruneKeepRecent int64
	// Check every invariant (the full set, whose cost grows with state)
	// after every block on this node. A breach is logged and counted
	// (LocalInvariantBreaches) and this node's CheckTx refuses MsgIssue
	// (token/40); the chain is not halted. Every node checks the bounded
	// invariants at every end-block regardless (see blockInvariants).
	CheckInvariants bool
	Logger          log.Logger

	// State sync (app.toml [state_sync]; see snapshot.go). SnapshotDir holds the
	// snapshots this node serves; "" means it serves none (it can still restore one).
	SnapshotDir string
	// Take a snapshot every SnapshotInterval heights; 0 never.
	SnapshotInterval uint64
	// Keep this many most recent snapshots; 0 means DefaultSnapshotKeepRecent.
	SnapshotKeepRecent uint32
	// Snapshot chunk size in bytes; 0 means store.DefaultSnapshotChunkSize (10 MiB).
	SnapshotChunkSize int
	// GenesisAppState is genesis.json's app_state. Until the app has state it answers
	// the peer filter from it: a node that state-syncs never runs InitChain.
	GenesisAppState []byte
	// Upgrades are the upgrade handlers this binary has (upgrades.All() in
	// petrod); see upgrade.go.
	Upgrades []upgrades.Upgrade
	// OnUpgradeNeeded, if set, is called once, synchronously, when the app
	// finds that the next block is an upgrade it has no handler for (before
	// UpgradeNeeded is closed and before FinalizeBlock of that height
	// fails): petrod writes data/upgrade-info.json there, so the file exists
	// however the node stops. It must not call back into the app.
	OnUpgradeNeeded func(*authoritytypes.UpgradePlan)
}

// CommitListener is told about every committed block's txs and results,
// after the state is durable. It must not block.
type CommitListener func(height int64, txs [][]byte, results []*abci.ExecTxResult)

// App is the petro ABCI application.
type App struct {
	abci.BaseApplication

	chainID string
	opts    Options
	logger  log.Logger
	cs      *store.CommitStore
	sigs    *sigCache
	txs     txCache // decoded txs, so each is decoded once (Decode)

	auth      authkeeper.Keeper
	authority authoritykeeper.Keeper
	token     tokenkeeper.Keeper
	reserve   reservekeeper.Keeper

	// peers is the node-id allowlist CometBFT's peer filter asks about,
	// rebuilt from committed state whenever a block changes it.
	peersMu        sync.RWMutex
	peers          map[string]bool
	onPeersChanged func()
	peersChanged   bool // set by FinalizeBlock, acted on at Commit
	localBreaches  atomic.Uint64

	// check state and last block time: guarded by checkMu (CheckTx and
	// Commit may be called by different CometBFT connections, Simulate by
	// gRPC goroutines while FinalizeBlock runs).
	checkMu       sync.Mutex
	check         *store.Branch
	lastBlockTime time.Time
	pending       pendingTxs // txs the check state holds (check_tx.go)

	// initialHeight is genesis.json's initial_height, set by InitChain: the
	// first block's height when nothing is committed yet.
	initialHeight int64

	// the block being finalized, handed to listeners at Commit
	pendingHeight  int64
	pendingTxs     [][]byte
	pendingResults []*abci.ExecTxResult
	pendingTime    time.Time

	listenersMu sync.RWMutex
	listeners   []CommitListener

	snapshots *snapshots // state sync: snapshots taken and served, restore in progress

	upgrades *upgradeState // coordinated upgrades: handlers, upgrade-needed signal
}

var _ abci.Application = (*App)(nil)

// New opens the app over db for chainID. It loads the latest committed
// version; CometBFT's handshake then replays any blocks the app lacks.
func New(chainID string, db dbm.DB, opts Options) (*App, error) {
	if chainID == "" {
		return nil, errors.New("app: chain id is required")
	}
	if opts.Logger == nil {
		opts.Logger = log.NewNopLogger()
	}
	// Sync: a committed version is durable when Commit returns, one fsync
	// per block (cheap at our block rates).
	cs, err := store.NewCommitStore(db, store.Options{CacheSize: opts.CacheSize, Sync: true})
	if err != nil {
		return nil, fmt.Errorf("app: open state: %w", err)
	}
	a := &App{chainID: chainID, opts: opts, logger: opts.Logger, cs: cs, sigs: newSigCache(200_000)}
	// x/authority needs freezes and the reserve quorum, x/reserve the token
	// supply, hard cap and freezes: the zero token and reserve keepers serve
	// them (they read only the store). x/token needs roles and the reserve.
	a.authority = authoritykeeper.NewKeeper(tokenkeeper.Keeper{}, reservekeeper.Keeper{})
	a.reserve = reservekeeper.NewKeeper(a.authority, tokenkeeper.Keeper{})
	a.token = tokenkeeper.NewKeeper(a.authority, a.reserve)
	if err := a.resetCheckState(); err != nil {
		return nil, err
	}
	kv, _, err := a.StateAt(0)
	if err != nil {
		return nil, err
	}
	if err := a.loadPeers(kv); err != nil {
		return nil, err
	}
	if a.lastBlockTime, err = lastBlockTime(kv); err != nil {
		return nil, err
	}
	if err := a.loadGenesisPeers(); err != nil {
		return nil, err
	}
	if a.snapshots, err = newSnapshots(opts, opts.Logger); err != nil {
		return nil, err
	}
	if a.upgrades, err = newUpgradeState(opts.Upgrades); err != nil {
		return nil, err
	}
	a.AddCommitListener(a.afterCommitUpgrade)
	return a, nil
}

// ChainID is the chain this app was opened for.
func (a *App) ChainID() string { return a.chainID }

// Close stops a snapshot or restore in progress and releases the state store.
func (a *App) Close() error {
	if a.snapshots != nil {
		a.snapshots.close()
	}
	return a.cs.Close()
}

// AddCommitListener registers l for every later commit.
func (a *App) AddCommitListener(l CommitListener) {
	a.listenersMu.Lock()
	defer a.listenersMu.Unlock()
	a.listeners = append(a.listeners, l)
}

// LastCommit is the latest committed height and app hash.
func (a *App) LastCommit() (int64, []byte) { return a.cs.LastCommit() }

// StateAt implements types.StateReader over committed versions.
func (a *App) StateAt(height int64) (store.KVStore, int64, error) {
	last, _ := a.cs.LastCommit()
	if height == 0 {
		height = last
	}
	if height < 0 || height > last {
		return nil, 0, fmt.Errorf("height %d: %w (latest is %d)", height, store.ErrVersionNotFound, last)
	}
	rs, err := a.cs.ReadAt(height)
	if err != nil {
		return nil, 0, err
	}
	return store.NewReadOnlyKV(rs), height, nil
}

// ProveAt implements types.Prover: the value of key at a committed height
// and its ICS23 proof against that height's app hash.
func (a *App) ProveAt(height int64, key []byte) ([]byte, *ics23.CommitmentProof, error) {
	last, _ := a.cs.LastCommit()
	if height <= 0 || height > last {
		return nil, nil, fmt.Errorf("height %d: %w (latest is %d)", height, store.ErrVersionNotFound, last)
	}
	rs, err := a.cs.ReadAt(height)
	if err != nil {
		return nil, nil, err
	}
	return rs.Prove(key)
}

var _ petro.Prover = (*App)(nil)

// resetCheckState points the check state at the last committed version.
func (a *App) resetCheckState() error {
	kv, _, err := a.StateAt(0)
	if err != nil {
		return err
	}
	a.checkMu.Lock()
	a.check = store.NewBranch(kv)
	a.pending = nil // recheck admits again what stays in the mempool
	a.checkMu.Unlock()
	return nil
}

// TokenKeeper is the token keeper wired to this app's other keepers (for
// query servers).
func (a *App) TokenKeeper() tokenkeeper.Keeper { return a.token }

var _ petro.StateReader = (*App)(nil)

// ReserveKeeper is the reserve keeper wired to this app's other keepers
// (for query servers).
func (a *App) ReserveKeeper() reservekeeper.Keeper { return a.reserve }
