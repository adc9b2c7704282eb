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

// BenchmarkReadLatestAfterCommit measures what CheckTx does after a block: read, through
// ReadAt(latest), the keys the block just wrote. Each iteration commits a block of 2,000
// balance-like updates (16-byte values) over a tree of 10,000 keys (untimed), then reads those
// 2,000 keys once (timed); ns/get is the time of one Get.
//
//   - cache: the latest-version cache (every key is a hit: Commit wrote it through);
//   - tree: the same view bypassing the cache, the behaviour without it (the new nodes are
//     not in the reader handle's node cache, so each Get loads its path from the DB);
//   - tree-reread: a second pass through the tree, once its nodes are cached by the reader.
func BenchmarkReadLatestAfterCommit(b *testing.B) {
	const treeKeys, block = 10_000, 2_000
	for _, mode := range []string{"cache", "tree", "tree-reread"} {
		b.Run(mode, func(b *testing.B) {
			s := benchStore(b, treeKeys)
			keys := make([][]byte, block)
			val := make([]byte, 16)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				for j := range keys {
					keys[j] = []byte(key(j*(treeKeys/block) + i%(treeKeys/block)))
					val[0], val[1] = byte(i), byte(j)
					if err := s.Working().Set(keys[j], val); err != nil {
						b.Fatal(err)
					}
				}
				version, _, err := s.Commit()
				if err != nil {
					b.Fatal(err)
				}
				r, err := s.ReadAt(version)
				if err != nil {
					b.Fatal(err)
				}
				if mode != "cache" {
					r = r.(cachedView).treeView
				}
				if mode == "tree-reread" {
					for _, k := range keys {
						if _, err := r.Get(k); err != nil {
							b.Fatal(err)
						}
					}
				}
				b.StartTimer()
				for _, k := range keys {
					if v, err := r.Get(k); err != nil || len(v) != 16 {
						b.Fatalf("Get = %x, %v", v, err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*block), "ns/get")
		})
	}
}
