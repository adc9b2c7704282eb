package testutil

import (
	"context"
	"sync"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"
	ics23 "github.com/cosmos/ics23/go"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/internal/store"
)

// Option adjusts the app.Options a helper opens an app with.
type Option func(*app.Options)

// WithOptions replaces the default options (CheckInvariants on) with o.
func WithOptions(o app.Options) Option { return func(p *app.Options) { *p = o } }

// NoInvariants turns the app's own per-block invariant check off (the
// block driver still checks the committed state). For benchmarks.
func NoInvariants() Option { return func(p *app.Options) { p.CheckInvariants = false } }

func appOptions(opts []Option) app.Options {
	o := app.Options{CheckInvariants: true}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// NewApp opens an app on a fresh in-memory database and runs InitChain with
// gs at GenesisTime. The app and database are closed when the test ends.
// Nothing is committed yet: the first Block (height 1) commits genesis.
func NewApp(t testing.TB, gs *app.GenesisState, opts ...Option) *app.App {
	t.Helper()
	a, _ := openApp(t, store.BackendMemDB, "", opts)
	InitChain(t, a, gs)
	return a
}

// NewPebbleApp is NewApp on a real pebble database in dir (t.TempDir() if
// dir is ""). It returns a close function, so a test can close and reopen
// the same dir (OpenApp); the function is idempotent and also runs when
// the test ends.
func NewPebbleApp(t testing.TB, dir string, gs *app.GenesisState, opts ...Option) (*app.App, func()) {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	a, closeFn := openApp(t, store.BackendPebble, dir, opts)
	InitChain(t, a, gs)
	return a, closeFn
}

// OpenApp opens (without InitChain) the app state in dir with backend, as
// petrod does on restart. It returns an idempotent close function that
// also runs when the test ends.
func OpenApp(t testing.TB, backend, dir string, opts ...Option) (*app.App, func()) {
	t.Helper()
	return openApp(t, backend, dir, opts)
}

func openApp(t testing.TB, backend, dir string, opts []Option) (*app.App, func()) {
	t.Helper()
	db, err := store.OpenDB(backend, dir, "application")
	if err != nil {
		t.Fatalf("open db: %v", err)
	}
	a, err := app.New(ChainID, db, appOptions(opts))
	if err != nil {
		_ = db.Close()
		t.Fatalf("app.New: %v", err)
	}
	var once sync.Once
	closeFn := func() {
		once.Do(func() {
			if err := a.Close(); err != nil {
				t.Errorf("close app: %v", err)
			}
			if err := db.Close(); err != nil {
				t.Errorf("close db: %v", err)
			}
		})
	}
	t.Cleanup(closeFn)
	return a, closeFn
}

// InitChain runs InitChain with gs and checks the returned app hash is set.
func InitChain(t testing.TB, a *app.App, gs *app.GenesisState) *abci.ResponseInitChain {
	t.Helper()
	if gs == nil {
		gs = app.DefaultGenesis()
	}
	resp, err := a.InitChain(context.Background(), &abci.RequestInitChain{
		Time:          GenesisTime,
		ChainId:       ChainID,
		InitialHeight: 1,
		AppStateBytes: GenesisJSON(t, gs),
	})
	if err != nil {
		t.Fatalf("InitChain: %v", err)
	}
	if len(resp.AppHash) == 0 {
		t.Fatal("InitChain returned no app hash")
	}
	return resp
}

// NewKVStore returns the working tree of a fresh in-memory commit store,
// for keeper tests that need a plain KVStore. Use NewCommitStore to also
// commit versions.
func NewKVStore(t testing.TB) store.KVStore {
	t.Helper()
	return NewCommitStore(t).Working()
}

// NewCommitStore opens a commit store on a fresh in-memory database,
// closed when the test ends.
func NewCommitStore(t testing.TB) *store.CommitStore {
	t.Helper()
	db := dbm.NewMemDB()
	cs, err := store.NewCommitStore(db, store.Options{})
	if err != nil {
		t.Fatalf("NewCommitStore: %v", err)
	}
	t.Cleanup(func() { _ = cs.Close(); _ = db.Close() })
	return cs
}

// CommittedState is a petro.StateReader over the committed versions of a
// commit store: a hand-written stand-in for the app in query-server tests.
type CommittedState struct{ CS *store.CommitStore }

// StateAt follows app.App.StateAt: 0 is the latest committed height.
func (s CommittedState) StateAt(height int64) (store.KVStore, int64, error) {
	if height == 0 {
		height, _ = s.CS.LastCommit()
	}
	rs, err := s.CS.ReadAt(height)
	if err != nil {
		return nil, 0, err
	}
	return store.NewReadOnlyKV(rs), height, nil
}

// ProveAt follows app.App.ProveAt (types.Prover).
func (s CommittedState) ProveAt(height int64, key []byte) ([]byte, *ics23.CommitmentProof, error) {
	rs, err := s.CS.ReadAt(height)
	if err != nil {
		return nil, nil, err
	}
	return rs.Prove(key)
}
