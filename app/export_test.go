package app

// SetWorkerHook installs a hook that runs before each tx is decoded by the
// decode/verify workers (tests only); the returned func removes it.
func SetWorkerHook(f func(raw []byte)) (restore func()) {
	workerHook = f
	return func() { workerHook = nil }
}
