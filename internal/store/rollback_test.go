package store_test

import (
	"bytes"
	"testing"

	"github.com/petro-network/petro/internal/store"
)

// TestRollbackTo: versions above the target are deleted, the target's
// hash is the latest again, and a reopened store continues from it.
func TestRollbackTo(t *testing.T) {
	db, err := store.OpenDB(store.BackendMemDB, "", "")
	if err != nil {
		t.Fatal(err)
	}
	cs, err := store.NewCommitStore(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var hashes [][]byte
	for i := byte(1); i <= 3; i++ {
		if err := cs.Working().Set([]byte{'k', i}, []byte{i}); err != nil {
			t.Fatal(err)
		}
		_, h, err := cs.Commit()
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, h)
	}
	if err := cs.Close(); err != nil {
		t.Fatal(err)
	}

	v, h, err := store.RollbackTo(db, 2)
	if err != nil || v != 2 || !bytes.Equal(h, hashes[1]) {
		t.Fatalf("RollbackTo(2) = %d, %X, %v; want 2, %X", v, h, err, hashes[1])
	}
	if v, _, err := store.RollbackTo(db, 5); err != nil || v != 2 {
		t.Fatalf("RollbackTo above the latest = %d, %v; want 2 unchanged", v, err)
	}
	cs, err = store.NewCommitStore(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	if v, h := cs.LastCommit(); v != 2 || !bytes.Equal(h, hashes[1]) {
		t.Fatalf("reopened at %d %X", v, h)
	}
	if err := cs.Working().Set([]byte{'k', 3}, []byte{3}); err != nil {
		t.Fatal(err)
	}
	if v, h, err := cs.Commit(); err != nil || v != 3 || !bytes.Equal(h, hashes[2]) {
		t.Fatalf("re-commit of version 3 = %d %X %v; want the same hash %X", v, h, err, hashes[2])
	}
}
