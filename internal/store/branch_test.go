package store

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"slices"
	"sort"
	"testing"
)

// seedKV returns a base store holding the given keys (value = "p-"+key).
func seedKV(t *testing.T, keys ...string) dbKV {
	t.Helper()
	kv := newMemKV()
	for _, k := range keys {
		mustSet(t, kv, k, "p-"+k)
	}
	return kv
}

func TestBranchReadsAndWrites(t *testing.T) {
	parent := seedKV(t, "a", "b", "c")
	b := NewBranch(parent)
	mustSet(t, b, "b", "new-b")
	mustSet(t, b, "d", "d")
	if err := b.Delete([]byte("c")); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		key       string
		branch    string // value seen through the branch ("" = absent)
		parentVal string // value in the parent before Write
	}{
		{"a", "p-a", "p-a"},
		{"b", "new-b", "p-b"},
		{"c", "", "p-c"},
		{"d", "d", ""},
		{"e", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			if got := string(mustGet(t, b, tc.key)); got != tc.branch {
				t.Errorf("branch Get = %q, want %q", got, tc.branch)
			}
			if has, _ := b.Has([]byte(tc.key)); has != (tc.branch != "") {
				t.Errorf("branch Has = %v", has)
			}
			if got := string(mustGet(t, parent, tc.key)); got != tc.parentVal {
				t.Errorf("parent Get before Write = %q, want %q", got, tc.parentVal)
			}
		})
	}

	if err := b.Write(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		if got := string(mustGet(t, parent, tc.key)); got != tc.branch {
			t.Errorf("parent Get(%q) after Write = %q, want %q", tc.key, got, tc.branch)
		}
	}
	// Write empties the branch: it reads through again.
	mustSet(t, parent, "a", "later")
	if got := string(mustGet(t, b, "a")); got != "later" {
		t.Errorf("branch after Write does not read through: %q", got)
	}
}

func TestBranchDiscard(t *testing.T) {
	parent := seedKV(t, "a")
	b := NewBranch(parent)
	mustSet(t, b, "a", "x")
	mustSet(t, b, "z", "x")
	b.Discard()
	if got := string(mustGet(t, b, "a")); got != "p-a" {
		t.Errorf("a after Discard = %q", got)
	}
	if err := b.Write(); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, parent, "z"); got != nil {
		t.Errorf("discarded write reached parent: %q", got)
	}
}

func TestBranchValidationAndCopies(t *testing.T) {
	b := NewBranch(newMemKV())
	if err := b.Set(nil, []byte("v")); !errors.Is(err, ErrEmptyKey) {
		t.Errorf("Set(nil key) = %v", err)
	}
	if err := b.Set([]byte{}, []byte("v")); !errors.Is(err, ErrEmptyKey) {
		t.Errorf("Set(empty key) = %v", err)
	}
	if err := b.Set([]byte("k"), nil); !errors.Is(err, ErrNilValue) {
		t.Errorf("Set(nil value) = %v", err)
	}
	if err := b.Delete(nil); !errors.Is(err, ErrEmptyKey) {
		t.Errorf("Delete(nil) = %v", err)
	}
	if _, err := b.Get(nil); !errors.Is(err, ErrEmptyKey) {
		t.Errorf("Get(nil) = %v", err)
	}
	if _, err := b.Has(nil); !errors.Is(err, ErrEmptyKey) {
		t.Errorf("Has(nil) = %v", err)
	}
	k, v := []byte("key"), []byte("val")
	mustSet(t, b, string(k), string(v))
	if err := b.Set(k, v); err != nil {
		t.Fatal(err)
	}
	k[0], v[0] = 'X', 'X'
	if got := string(mustGet(t, b, "key")); got != "val" {
		t.Errorf("buffered value follows caller's buffer: %q", got)
	}
	got := mustGet(t, b, "key")
	got[0] = 'Y'
	it, _ := b.Iterator(nil, nil)
	it.Value()[0] = 'Y'
	it.Close()
	if got := string(mustGet(t, b, "key")); got != "val" {
		t.Errorf("buffer changed through a returned slice: %q", got)
	}
}

func TestBranchIteration(t *testing.T) {
	// parent: a b c e g ; branch: set b (override), d (new), h (new); delete c, g, x (absent)
	parent := seedKV(t, "a", "b", "c", "e", "g")
	b := NewBranch(parent)
	mustSet(t, b, "b", "B")
	mustSet(t, b, "d", "D")
	mustSet(t, b, "h", "H")
	for _, k := range []string{"c", "g", "x"} {
		if err := b.Delete([]byte(k)); err != nil {
			t.Fatal(err)
		}
	}
	all := []kvPair{{"a", "p-a"}, {"b", "B"}, {"d", "D"}, {"e", "p-e"}, {"h", "H"}}

	tests := []struct {
		name       string
		start, end string // "" = nil
		want       []kvPair
	}{
		{"all", "", "", all},
		{"from b", "b", "", all[1:]},
		{"to e exclusive", "", "e", all[:3]},
		{"b to h", "b", "h", all[1:4]},
		{"start between keys", "bb", "zz", all[2:]},
		{"deleted bounds", "c", "g", all[2:4]},
		{"only deletes", "f", "g", nil},
		{"empty domain", "e", "e", nil},
		{"inverted domain", "h", "a", nil},
	}
	bound := func(s string) []byte {
		if s == "" {
			return nil
		}
		return []byte(s)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := drain(t)(b.Iterator(bound(tc.start), bound(tc.end)))
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("ascending = %v, want %v", got, tc.want)
			}
			rev := slices.Clone(tc.want)
			slices.Reverse(rev)
			got = drain(t)(b.ReverseIterator(bound(tc.start), bound(tc.end)))
			if fmt.Sprint(got) != fmt.Sprint(rev) {
				t.Errorf("descending = %v, want %v", got, rev)
			}
		})
	}

	t.Run("writes after creating an iterator are not seen", func(t *testing.T) {
		it, err := b.Iterator(nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		mustSet(t, b, "c2", "late")
		got := drainIter(t, it, nil)
		if fmt.Sprint(got) != fmt.Sprint(all) {
			t.Errorf("got %v", got)
		}
		if err := b.Delete([]byte("c2")); err != nil {
			t.Fatal(err)
		}
	})
}

func TestNestedBranches(t *testing.T) {
	base := seedKV(t, "a", "b", "c")
	block := NewBranch(base)
	mustSet(t, block, "a", "block")
	tx := NewBranch(block)
	mustSet(t, tx, "b", "tx")
	if err := tx.Delete([]byte("a")); err != nil {
		t.Fatal(err)
	}
	inner := NewBranch(tx)
	mustSet(t, inner, "d", "inner")
	if err := inner.Delete([]byte("c")); err != nil {
		t.Fatal(err)
	}

	check := func(kv KVStore, want []kvPair) {
		t.Helper()
		got := drain(t)(kv.Iterator(nil, nil))
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("ascending = %v, want %v", got, want)
		}
		rev := slices.Clone(want)
		slices.Reverse(rev)
		if got := drain(t)(kv.ReverseIterator(nil, nil)); fmt.Sprint(got) != fmt.Sprint(rev) {
			t.Errorf("descending = %v, want %v", got, rev)
		}
	}
	check(inner, []kvPair{{"b", "tx"}, {"d", "inner"}})
	check(tx, []kvPair{{"b", "tx"}, {"c", "p-c"}})

	// A failed inner transaction is discarded; the outer ones keep their writes.
	inner.Discard()
	check(inner, []kvPair{{"b", "tx"}, {"c", "p-c"}})

	if err := tx.Write(); err != nil {
		t.Fatal(err)
	}
	check(block, []kvPair{{"b", "tx"}, {"c", "p-c"}})
	check(base, []kvPair{{"a", "p-a"}, {"b", "p-b"}, {"c", "p-c"}})
	if err := block.Write(); err != nil {
		t.Fatal(err)
	}
	check(base, []kvPair{{"b", "tx"}, {"c", "p-c"}})
}

// recordingKV records the order of writes it receives.
type recordingKV struct {
	KVStore
	ops []string
}

func (r *recordingKV) Set(k, v []byte) error {
	r.ops = append(r.ops, "set "+string(k))
	return r.KVStore.Set(k, v)
}

func (r *recordingKV) Delete(k []byte) error {
	r.ops = append(r.ops, "del "+string(k))
	return r.KVStore.Delete(k)
}

func TestBranchWriteIsSorted(t *testing.T) {
	rec := &recordingKV{KVStore: newMemKV()}
	b := NewBranch(rec)
	for _, k := range []string{"m", "c", "x", "a"} {
		mustSet(t, b, k, "v")
	}
	if err := b.Delete([]byte("d")); err != nil {
		t.Fatal(err)
	}
	mustSet(t, b, "c", "v2")
	if err := b.Write(); err != nil {
		t.Fatal(err)
	}
	want := []string{"set a", "set c", "del d", "set m", "set x"}
	if fmt.Sprint(rec.ops) != fmt.Sprint(want) {
		t.Fatalf("write order = %v, want %v", rec.ops, want)
	}
}

func TestCheckStateOverReadOnly(t *testing.T) {
	s := openStore(t, openDB(t, BackendMemDB, ""), Options{})
	defer s.Close()
	mustSet(t, s.Working(), "seq", "1")
	mustCommit(t, s)
	committed, err := s.ReadAt(1)
	if err != nil {
		t.Fatal(err)
	}
	ro := NewReadOnlyKV(committed)
	if err := ro.Set([]byte("a"), []byte("b")); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Set on read-only = %v", err)
	}
	if err := ro.Delete([]byte("a")); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Delete on read-only = %v", err)
	}

	check := NewBranch(ro)
	mustSet(t, check, "seq", "2")
	// The block goroutine moves on; the check state is unaffected.
	mustSet(t, s.Working(), "seq", "9")
	if got := string(mustGet(t, check, "seq")); got != "2" {
		t.Errorf("check state seq = %q", got)
	}
	if err := check.Write(); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Write to read-only parent = %v", err)
	}
	if got := drain(t)(check.Iterator(nil, nil)); fmt.Sprint(got) != fmt.Sprint([]kvPair{{"seq", "2"}}) {
		t.Errorf("iteration = %v", got)
	}
}

// TestBranchProperty applies random operations to a stack of branches over a memdb and to a
// map model, and checks that Get and every kind of iteration agree.
func TestBranchProperty(t *testing.T) {
	for seed := int64(1); seed <= 30; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewSource(seed))
			randKey := func() []byte { return []byte{byte('a' + rng.Intn(12)), byte('a' + rng.Intn(3))} }

			// stack[0] is the base store; models[i] is the expected content seen through
			// stack[i].
			stack := []KVStore{newMemKV()}
			models := []map[string]string{{}}
			top := func() int { return len(stack) - 1 }
			for op := 0; op < 400; op++ {
				switch r := rng.Intn(100); {
				case r < 45:
					k, v := randKey(), fmt.Sprint(rng.Intn(1000))
					if err := stack[top()].Set(k, []byte(v)); err != nil {
						t.Fatal(err)
					}
					models[top()][string(k)] = v
				case r < 70:
					k := randKey()
					if err := stack[top()].Delete(k); err != nil {
						t.Fatal(err)
					}
					delete(models[top()], string(k))
				case r < 80 && len(stack) < 4:
					n := top()
					stack = append(stack, NewBranch(stack[n]))
					models = append(models, maps(models[n]))
				case r < 88 && top() > 0:
					if err := stack[top()].(*Branch).Write(); err != nil {
						t.Fatal(err)
					}
					n := top()
					models[n-1] = maps(models[n])
					stack, models = stack[:n], models[:n]
				case r < 94 && top() > 0:
					n := top()
					stack[n].(*Branch).Discard()
					stack, models = stack[:n], models[:n]
				default:
					compare(t, rng, stack[top()], models[top()])
				}
			}
			for i := top(); i >= 0; i-- {
				compare(t, rng, stack[i], models[i])
			}
		})
	}
}

func maps(m map[string]string) map[string]string {
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// compare checks Get of every possible key, full iteration and a random range both ways.
func compare(t *testing.T, rng *rand.Rand, kv KVStore, model map[string]string) {
	t.Helper()
	keys := make([]string, 0, len(model))
	for k := range model {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for c := 'a'; c < 'a'+12; c++ {
		for d := 'a'; d < 'a'+3; d++ {
			k := string([]rune{c, d})
			got := mustGet(t, kv, k)
			if want, ok := model[k]; ok != (got != nil) || string(got) != want {
				t.Fatalf("Get(%q) = %q, want %q (present %v)", k, got, want, ok)
			}
			if has, _ := kv.Has([]byte(k)); has != (got != nil) {
				t.Fatalf("Has(%q) = %v, Get = %q", k, has, got)
			}
		}
	}
	var start, end []byte
	if rng.Intn(2) == 0 {
		start = []byte{byte('a' + rng.Intn(12))}
	}
	if rng.Intn(2) == 0 {
		end = []byte{byte('a' + rng.Intn(13))}
	}
	var want []kvPair
	for _, k := range keys {
		if (start == nil || bytes.Compare([]byte(k), start) >= 0) && (end == nil || bytes.Compare([]byte(k), end) < 0) {
			want = append(want, kvPair{k, model[k]})
		}
	}
	if got := drain(t)(kv.Iterator(start, end)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Iterator(%q, %q) = %v, want %v", start, end, got, want)
	}
	slices.Reverse(want)
	if got := drain(t)(kv.ReverseIterator(start, end)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("ReverseIterator(%q, %q) = %v, want %v", start, end, got, want)
	}
}
