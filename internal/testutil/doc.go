// Package testutil holds hand-written helpers for petro's tests and
// benchmarks: deterministic keys, a genesis builder, an app opened on a
// fresh in-memory or on-disk database, a block driver that checks the
// invariants after every block, a tx builder whose every stage can be
// malleated, and small fakes (a committed-state reader over a store).
//
// Nothing here is used by production code. Every helper takes a
// testing.TB and fails the test (t.Fatal) instead of returning errors, so
// tests read as ARRANGE / ACT / ASSERT without error plumbing.
package testutil
