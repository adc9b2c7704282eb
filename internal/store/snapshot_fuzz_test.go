package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"strings"
	"testing"
)

// FuzzRestore feeds a peer's snapshot stream (after gzip, which only
// frames it) into Restore: any bytes fail cleanly with an error — never a
// panic, not even one Restore recovers — and leave the store empty, ready
// for another snapshot.
func FuzzRestore(f *testing.F) {
	src := snapshotSource(f, 3, 20)
	var stream bytes.Buffer
	if _, err := src.WriteSnapshot(context.Background(), 3, &stream); err != nil {
		f.Fatal(err)
	}
	zr, err := gzip.NewReader(&stream)
	if err != nil {
		f.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(plain)
	for _, n := range []int{0, 1, 8, len(plain) / 3, len(plain) - 1} {
		f.Add(plain[:n])
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(in)
		zw.Close()
		s := openStore(t, openDB(t, BackendMemDB, ""), Options{})
		defer s.Close()
		want := bytes.Repeat([]byte{1}, sha256.Size) // no stream has this root hash
		err := s.Restore(3, want, &z)
		if err == nil {
			t.Fatal("restore succeeded with an impossible app hash")
		}
		if strings.Contains(err.Error(), "panicked") {
			t.Fatalf("import panicked: %v", err)
		}
		if !errors.Is(err, ErrInvalidSnapshot) {
			t.Fatalf("error is not ErrInvalidSnapshot: %v", err)
		}
		if h, _ := s.LastCommit(); h != 0 || !s.tree.IsEmpty() {
			t.Fatalf("failed restore left version %d", h)
		}
	})
}

// FuzzSnapshotMetadata: a peer's ABCI snapshot metadata is either refused
// or exactly chunks hashes of 32 bytes.
func FuzzSnapshotMetadata(f *testing.F) {
	f.Add(uint32(1), make([]byte, 32))
	f.Add(uint32(2), make([]byte, 63))
	f.Add(uint32(0), []byte{})
	f.Add(^uint32(0), []byte{1})
	f.Fuzz(func(t *testing.T, chunks uint32, md []byte) {
		hashes, err := ParseSnapshotMetadata(chunks, md)
		if err != nil {
			return
		}
		if len(hashes) != int(chunks) {
			t.Fatalf("%d hashes for %d chunks", len(hashes), chunks)
		}
		for _, h := range hashes {
			if len(h) != sha256.Size {
				t.Fatalf("hash of %d bytes", len(h))
			}
		}
	})
}
