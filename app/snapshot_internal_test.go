package app

import "testing"

// A height being snapshotted is never pruned: Commit's pruning bound stops below it.
func TestSnapshotPinsPruning(t *testing.T) {
	s := &snapshots{}
	if got := s.retainFrom(9); got != 9 {
		t.Fatalf("no snapshot running: retainFrom(9) = %d", got)
	}
	s.pinned = 5
	if got := s.retainFrom(9); got != 5 {
		t.Fatalf("snapshot of 5 running: retainFrom(9) = %d, want 5", got)
	}
	if got := s.retainFrom(3); got != 3 {
		t.Fatalf("retainFrom(3) = %d", got)
	}
}
