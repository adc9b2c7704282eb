package app

import "github.com/petro-network/petro/internal/store"

type petroKV = store.KVStore

// SetWorkerHook installs a hook that runs before each tx is decoded by the
// decode/verify workers (tests only); the returned func removes it.
func SetWorkerHook(f func(raw []byte)) (restore func()) {
	workerHook = f
	return func() { workerHook = nil }
}

// WorkingStore is the working tree the next FinalizeBlock executes on
// (tests only: to build a state no handler would produce).
func (a *App) WorkingStore() petroKV { return a.cs.Working() }
