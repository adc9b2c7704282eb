package store

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	cmtdb "github.com/cometbft/cometbft-db"
	cmtcfg "github.com/cometbft/cometbft/config"
)

func TestCometDBProvider(t *testing.T) {
	for _, backend := range []string{"", BackendPebble, BackendGoLevelDB, BackendMemDB} {
		t.Run("backend="+backend, func(t *testing.T) {
			cfg := cmtcfg.DefaultConfig()
			cfg.SetRoot(t.TempDir())
			provider := CometDBProvider(backend)
			ctx := &cmtcfg.DBContext{ID: "blockstore", Config: cfg}

			db, err := provider(ctx)
			if err != nil {
				t.Fatal(err)
			}
			cometDBSemantics(t, db)
			if err := db.Set([]byte("persist"), []byte("yes")); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if backend == BackendMemDB {
				return
			}
			if _, err := os.Stat(filepath.Join(cfg.DBDir(), "blockstore.db")); err != nil {
				t.Fatalf("db not at DBDir/ID.db: %v", err)
			}
			db, err = provider(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if v, err := db.Get([]byte("persist")); err != nil || string(v) != "yes" {
				t.Fatalf("after reopen Get = %q, %v", v, err)
			}
		})
	}
	t.Run("unknown backend", func(t *testing.T) {
		cfg := cmtcfg.DefaultConfig()
		cfg.SetRoot(t.TempDir())
		if _, err := CometDBProvider("boltdb")(&cmtcfg.DBContext{ID: "state", Config: cfg}); err == nil {
			t.Fatal("unknown backend accepted")
		}
	})
}

// cometDBSemantics exercises db the way CometBFT's stores use cometbft-db.
func cometDBSemantics(t *testing.T, db cmtdb.DB) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	get := func(k string) string {
		t.Helper()
		v, err := db.Get([]byte(k))
		must(err)
		return string(v)
	}
	list := func(it cmtdb.Iterator, err error) string {
		t.Helper()
		must(err)
		defer it.Close()
		var s string
		for ; it.Valid(); it.Next() {
			s += fmt.Sprintf("%s=%s ", it.Key(), it.Value())
		}
		must(it.Error())
		return s
	}

	must(db.Set([]byte("a"), []byte("1")))
	must(db.SetSync([]byte("b"), []byte("2")))
	must(db.Set([]byte("c"), []byte("3")))
	if get("a") != "1" || get("b") != "2" || get("missing") != "" {
		t.Fatalf("Get mismatch")
	}
	if has, err := db.Has([]byte("c")); err != nil || !has {
		t.Fatalf("Has(c) = %v, %v", has, err)
	}
	if _, err := db.Get(nil); err == nil {
		t.Error("Get(nil) accepted")
	}
	if err := db.Set([]byte("k"), nil); err == nil {
		t.Error("Set(nil value) accepted")
	}

	if got := list(db.Iterator(nil, nil)); got != "a=1 b=2 c=3 " {
		t.Errorf("Iterator = %q", got)
	}
	if got := list(db.Iterator([]byte("b"), []byte("c"))); got != "b=2 " {
		t.Errorf("Iterator[b,c) = %q", got)
	}
	if got := list(db.ReverseIterator(nil, []byte("c"))); got != "b=2 a=1 " {
		t.Errorf("ReverseIterator(nil,c) = %q", got)
	}
	if got := list(cmtdb.IteratePrefix(db, []byte("b"))); got != "b=2 " {
		t.Errorf("IteratePrefix(b) = %q", got)
	}

	batch := db.NewBatch()
	must(batch.Set([]byte("d"), []byte("4")))
	must(batch.Delete([]byte("a")))
	if get("d") != "" {
		t.Error("batch visible before Write")
	}
	must(batch.Write())
	must(batch.Close())
	if get("d") != "4" || get("a") != "" {
		t.Errorf("after batch Write: d=%q a=%q", get("d"), get("a"))
	}
	batch = db.NewBatch()
	must(batch.Set([]byte("e"), []byte("5")))
	must(batch.WriteSync())
	if err := batch.Set([]byte("f"), []byte("6")); err == nil {
		t.Error("Set on a written batch accepted")
	}
	must(batch.Close())
	if get("e") != "5" {
		t.Error("WriteSync lost")
	}

	must(db.Delete([]byte("b")))
	must(db.DeleteSync([]byte("c")))
	if got := list(db.Iterator(nil, nil)); got != "d=4 e=5 " {
		t.Errorf("after deletes = %q", got)
	}
	must(db.Compact(nil, nil))
	must(db.Compact([]byte("d"), []byte("e")))
	if get("d") != "4" {
		t.Error("data lost by Compact")
	}
	if db.Stats() == nil {
		t.Error("Stats = nil")
	}
	must(db.Delete([]byte("d")))
	must(db.Delete([]byte("e")))
	must(db.Compact(nil, nil)) // empty db
}
