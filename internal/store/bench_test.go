package store

import (
	"fmt"
	"testing"
)

// benchStore returns a pebble-backed store holding n committed keys.
func benchStore(b *testing.B, n int) *CommitStore {
	b.Helper()
	db := openDB(b, BackendPebble, b.TempDir())
	b.Cleanup(func() { db.Close() })
	s := openStore(b, db, Options{})
	b.Cleanup(func() { s.Close() })
	bulkWrite(b, s.Working(), n, 64, 0)
	mustCommit(b, s)
	return s
}

// BenchmarkSetCommit5000 measures one block writing 5,000 keys (64-byte values) and committing.
func BenchmarkSetCommit5000(b *testing.B) {
	s := benchStore(b, 100_000)
	val := make([]byte, 64)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := s.Working()
		for j := 0; j < 5000; j++ {
			val[0] = byte(i)
			if err := w.Set([]byte(key((i*5000+j)%200_000)), val); err != nil {
				b.Fatal(err)
			}
		}
		if _, _, err := s.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadAtGet measures a query: open the latest version and read one key.
func BenchmarkReadAtGet(b *testing.B) {
	s := benchStore(b, 100_000)
	version, _ := s.LastCommit()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := s.ReadAt(version)
		if err != nil {
			b.Fatal(err)
		}
		if v, err := r.Get([]byte(key(i % 100_000))); err != nil || v == nil {
			b.Fatalf("Get = %q, %v", v, err)
		}
	}
}

// BenchmarkProve measures proof generation for present and absent keys, and verification.
func BenchmarkProve(b *testing.B) {
	s := benchStore(b, 100_000)
	version, root := s.LastCommit()
	r, err := s.ReadAt(version)
	if err != nil {
		b.Fatal(err)
	}
	for _, present := range []bool{true, false} {
		b.Run(fmt.Sprintf("present=%v", present), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				k := []byte(key(i % 100_000))
				if !present {
					k = append(k, 'x')
				}
				if _, _, err := r.Prove(k); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("verify", func(b *testing.B) {
		k := []byte(key(4242))
		v, p, err := r.Prove(k)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := VerifyProof(root, k, v, p); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkBranchIterate measures a merged iteration over a branch with buffered writes.
func BenchmarkBranchIterate(b *testing.B) {
	s := benchStore(b, 10_000)
	br := NewBranch(s.Working())
	for i := 0; i < 10_000; i += 10 {
		if err := br.Set([]byte(key(i)+"b"), []byte("v")); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		it, err := br.Iterator([]byte(key(1000)), []byte(key(2000)))
		if err != nil {
			b.Fatal(err)
		}
		for ; it.Valid(); it.Next() {
			_ = it.Value()
		}
		it.Close()
	}
}
