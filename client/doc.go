// Package client is the Go client for wallets and auditors: build and sign
// transactions exactly as the chain verifies them, broadcast them over
// gRPC and read state.
package client
