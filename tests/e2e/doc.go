// Package e2e runs real petrod processes on loopback ports and drives them
// the way wallets and operators do: gRPC, CometBFT RPC, signals. The
// harness here builds the binary once, lays out homes, and waits on
// observable conditions (never on fixed sleeps).
package e2e
