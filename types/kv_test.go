package types_test

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/internal/testutil"
	petro "github.com/petro-network/petro/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

func TestPageLimit(t *testing.T) {
	for _, tc := range []struct {
		in   uint32
		want int
	}{{0, 100}, {1, 1}, {1000, 1000}, {1001, 1000}} {
		if got := petro.PageLimit(tc.in); got != tc.want {
			t.Errorf("PageLimit(%d) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestProtoHelpers(t *testing.T) {
	kv := testutil.NewKVStore(t)
	in := &tokentypes.Balance{Address: "petro1x", Amount: 7}
	if err := petro.SetProto(kv, []byte("k/1"), in); err != nil {
		t.Fatal(err)
	}
	out := &tokentypes.Balance{}
	if ok, err := petro.GetProto(kv, []byte("k/1"), out); !ok || err != nil || !proto.Equal(in, out) {
		t.Fatalf("round trip: %v %v %v", ok, err, out)
	}
	if ok, err := petro.GetProto(kv, []byte("k/2"), out); ok || err != nil {
		t.Fatalf("absent key: %v %v", ok, err)
	}
	_ = kv.Set([]byte("k/3"), []byte{0xff})
	if _, err := petro.GetProto(kv, []byte("k/3"), out); err == nil {
		t.Fatal("corrupt value decoded")
	}
	n := 0
	err := petro.IterateProto(kv, []byte("k/"), func() proto.Message { return &tokentypes.Balance{} }, func(proto.Message) bool { n++; return false })
	if err == nil || n != 1 {
		t.Fatalf("iterate over a corrupt value: n=%d err=%v", n, err)
	}
}

func TestPageOf(t *testing.T) {
	items := []string{"a", "b", "c", "d", "e"}
	key := func(s string) []byte { return []byte(s) }
	var got []string
	var next []byte
	for page := 0; page == 0 || next != nil; page++ {
		var p []string
		p, next = petro.PageOf(items, key, next, 2)
		if len(p) > 2 {
			t.Fatalf("page of %d", len(p))
		}
		got = append(got, p...)
	}
	if strings.Join(got, "") != "abcde" {
		t.Fatalf("pages gave %v", got)
	}
	if p, next := petro.PageOf(items, key, []byte("bb"), 0); strings.Join(p, "") != "cde" || next != nil {
		t.Fatalf("from a key between items: %v %q", p, next)
	}
	if p, next := petro.PageOf([]string(nil), key, nil, 0); len(p) != 0 || next != nil {
		t.Fatal("empty list")
	}
}

func TestPageProto(t *testing.T) {
	kv := testutil.NewKVStore(t)
	prefix := []byte("p/")
	for _, k := range []string{"a", "b", "c", "d", "e"} {
		if err := petro.SetProto(kv, append([]byte("p/"), k...), &tokentypes.Balance{Address: k}); err != nil {
			t.Fatal(err)
		}
	}
	if err := kv.Set([]byte("q/z"), []byte{0xff}); err != nil { // outside the prefix: never read
		t.Fatal(err)
	}
	var got string
	var next []byte
	for pages := 0; pages == 0 || next != nil; pages++ {
		n := 0
		var err error
		next, err = petro.PageProto(kv, prefix, next, 2, func() proto.Message { return &tokentypes.Balance{} },
			func(m proto.Message) { got += m.(*tokentypes.Balance).Address; n++ })
		if err != nil || n > 2 || pages > 5 {
			t.Fatalf("page %d: %d items, %v", pages, n, err)
		}
	}
	if got != "abcde" {
		t.Fatalf("pages gave %q", got)
	}
}
