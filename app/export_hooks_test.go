package app

import "github.com/petro-network/petro/internal/store"

type petroKV = store.KVStore

// SetDecodeHook installs a hook that runs at the start of every
// App.Decode (in CheckTx, PreVerify and the decode/verify workers); the
// returned func removes it.
func SetDecodeHook(f func(raw []byte)) (restore func()) {
	decodeHook = f
	return func() { decodeHook = nil }
}

// WorkingStore is the working tree the next FinalizeBlock executes on
// (tests only: to build a state no handler would produce).
func (a *App) WorkingStore() petroKV { return a.cs.Working() }

// SetEndBlockStoreHook wraps the store of every end-block step with f
// (tests only); the returned func removes it.
func SetEndBlockStoreHook(f func(step string, kv store.KVStore) store.KVStore) (restore func()) {
	endBlockStoreHook = f
	return func() { endBlockStoreHook = nil }
}
