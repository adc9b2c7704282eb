package types_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/petro-network/petro/internal/testutil"
	petro "github.com/petro-network/petro/types"
)

func TestSafeArithmetic(t *testing.T) {
	const max = math.MaxUint64
	for _, c := range []struct {
		name string
		op   func(a, b uint64) (uint64, error)
		a, b uint64
		want uint64
		ovf  bool
	}{
		{"add zero", petro.SafeAdd, 0, 0, 0, false},
		{"add to max", petro.SafeAdd, max - 1, 1, max, false},
		{"add max+0", petro.SafeAdd, max, 0, max, false},
		{"add overflow by one", petro.SafeAdd, max, 1, 0, true},
		{"add max+max", petro.SafeAdd, max, max, 0, true},
		{"sub to zero", petro.SafeSub, 5, 5, 0, false},
		{"sub max-max", petro.SafeSub, max, max, 0, false},
		{"sub max-0", petro.SafeSub, max, 0, max, false},
		{"sub underflow by one", petro.SafeSub, 0, 1, 0, true},
		{"sub 1-max", petro.SafeSub, 1, max, 0, true},
		{"mul by zero", petro.SafeMul, max, 0, 0, false},
		{"mul by one", petro.SafeMul, max, 1, max, false},
		{"mul 2^32 * (2^32-1)", petro.SafeMul, 1 << 32, 1<<32 - 1, 1<<64 - 1<<32, false},
		{"mul 2^32 * 2^32", petro.SafeMul, 1 << 32, 1 << 32, 0, true},
		{"mul max*2", petro.SafeMul, max, 2, 0, true},
		{"mul 1e8 * 1e11 fits", petro.SafeMul, 100_000_000, 100_000_000_000, 10_000_000_000_000_000_000, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.op(c.a, c.b)
			if c.ovf {
				if !errors.Is(err, petro.ErrOverflow) || got != 0 {
					t.Fatalf("got (%d, %v), want (0, ErrOverflow)", got, err)
				}
				if space, code, _ := petro.ABCIInfo(err); space != petro.CodespaceRoot || code != 2 {
					t.Fatalf("overflow maps to %s/%d", space, code)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("got (%d, %v), want %d", got, err, c.want)
			}
		})
	}
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Fatalf("%s did not panic", what)
		}
	}()
	f()
}

func TestRegister(t *testing.T) {
	e := petro.Register("test-register", 1, "first")
	if e.Codespace != "test-register" || e.Code != 1 || e.Error() != "first" {
		t.Fatalf("registered %+v", e)
	}
	mustPanic(t, "duplicate (codespace, code)", func() { petro.Register("test-register", 1, "again") })
	mustPanic(t, "code 0", func() { petro.Register("test-register", 0, "success?") })
	// Same code in another codespace is fine.
	petro.Register("test-register-2", 1, "other space")

	all := petro.RegisteredErrors()
	for i := 1; i < len(all); i++ {
		p, c := all[i-1], all[i]
		if p.Codespace > c.Codespace || p.Codespace == c.Codespace && p.Code >= c.Code {
			t.Fatalf("RegisteredErrors not sorted at %d: %s/%d then %s/%d", i, p.Codespace, p.Code, c.Codespace, c.Code)
		}
	}
	var found bool
	for _, r := range all {
		found = found || r == e
	}
	if !found {
		t.Fatal("registered error not listed")
	}
}

func TestABCIInfo(t *testing.T) {
	e := petro.Register("test-abci", 7, "thing failed")
	for _, c := range []struct {
		name  string
		err   error
		space string
		code  uint32
		log   string
	}{
		{"nil is success", nil, "", 0, ""},
		{"registered", e, "test-abci", 7, "thing failed"},
		{"Wrap", e.Wrap("detail"), "test-abci", 7, "thing failed: detail"},
		{"Wrapf", e.Wrapf("n=%d", 3), "test-abci", 7, "thing failed: n=3"},
		{"fmt %w around Wrap", fmt.Errorf("message 1: %w", e.Wrap("x")), "test-abci", 7, "message 1: thing failed: x"},
		{"joined", errors.Join(errors.New("a"), e), "test-abci", 7, "a\nthing failed"},
		{"unregistered hides detail", errors.New("disk /var/secret is full"), petro.CodespaceRoot, 1, "internal error"},
		{"fmt %v loses the code", fmt.Errorf("wrapped: %v", e), petro.CodespaceRoot, 1, "internal error"},
	} {
		t.Run(c.name, func(t *testing.T) {
			space, code, log := petro.ABCIInfo(c.err)
			if space != c.space || code != c.code || log != c.log {
				t.Fatalf("ABCIInfo = (%q, %d, %q), want (%q, %d, %q)", space, code, log, c.space, c.code, c.log)
			}
		})
	}
	if !errors.Is(e.Wrap("x"), e) {
		t.Fatal("Wrap does not unwrap to its code")
	}
}

func TestPrefixEnd(t *testing.T) {
	for _, c := range []struct {
		in, want []byte
	}{
		{[]byte("token/bal/"), []byte("token/bal0")},
		{[]byte{0x01}, []byte{0x02}},
		{[]byte{0x01, 0xff}, []byte{0x02}},
		{[]byte{0x01, 0xff, 0xff}, []byte{0x02}},
		{[]byte{0xfe, 0xff}, []byte{0xff}},
		{[]byte{0xff}, nil},
		{[]byte{0xff, 0xff}, nil},
		{[]byte{}, nil},
		{nil, nil},
	} {
		in := append([]byte(nil), c.in...)
		got := petro.PrefixEnd(c.in)
		if !bytes.Equal(got, c.want) || (got == nil) != (c.want == nil) {
			t.Errorf("PrefixEnd(%X) = %X, want %X", c.in, got, c.want)
		}
		if !bytes.Equal(in, c.in) {
			t.Errorf("PrefixEnd modified its argument %X → %X", in, c.in)
		}
	}
}

func TestContextEvents(t *testing.T) {
	kv := testutil.NewKVStore(t)
	ctx := petro.NewContext(kv, "c", 3, testutil.GenesisTime)
	ctx.EmitEvent(petro.NewEvent("a", "k", "v", "dangling"))
	branch := ctx.WithStore(kv)
	branch.EmitEvent(petro.NewEvent("b"))
	if len(ctx.Events()) != 1 || len(branch.Events()) != 1 {
		t.Fatalf("WithStore shares the event sink: %d, %d", len(ctx.Events()), len(branch.Events()))
	}
	ev := ctx.Events()[0]
	if len(ev.Attributes) != 1 || ev.Attributes[0] != (petro.Attribute{Key: "k", Value: "v", Index: true}) {
		t.Fatalf("NewEvent attributes %+v (an odd trailing key is dropped)", ev.Attributes)
	}
	if ctx.ChainID() != "c" || ctx.BlockHeight() != 3 || !ctx.BlockTime().Equal(testutil.GenesisTime) || ctx.Store() == nil {
		t.Fatal("context accessors")
	}
}
