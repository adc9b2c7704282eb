// Package app is petro's ABCI 2.0 application: one file per ABCI phase, the
// tx decoder, the ante checks and the message router.
//
// State lives in one IAVL tree (internal/store). FinalizeBlock applies each
// tx on its own branch of the working tree and persists nothing; Commit
// saves the tree as one new version in one atomic write; Info reports the
// last saved version so CometBFT replays whatever the app lacks after a
// crash. CheckTx runs on a branch of the last committed version that keeps
// the sequences it has accepted until the next Commit resets it.
//
// Queries (gRPC) read immutable committed versions through StateAt and never
// touch the working tree, so they run concurrently with block execution.
package app
