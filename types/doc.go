// Package types holds what every module shares: the execution Context a
// message handler runs in, the registry of stable error codes, checked
// integer arithmetic and typed events. It imports no keeper and no CometBFT
// package; app/ translates these to ABCI.
package types
