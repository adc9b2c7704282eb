// Package server serves petro to wallets and auditors over gRPC: the
// TxService (broadcast, simulate, get by hash) and every module's Query
// service, with reflection and the standard health service.
//
// Handlers are thin: check the request, call the app or the node, map the
// error once (errors.go). Queries read immutable committed versions, so
// they never wait for or disturb block execution. A client can neither
// crash the node (panics are recovered into Internal) nor stall it
// (message size, stream and waiter limits, keepalive enforcement).
package server
