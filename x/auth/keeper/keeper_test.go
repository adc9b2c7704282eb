package keeper_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/crypto/multisig"
	"github.com/petro-network/petro/internal/store"
	"github.com/petro-network/petro/internal/testutil"
	"github.com/petro-network/petro/x/auth/keeper"
	"github.com/petro-network/petro/x/auth/types"
)

var k keeper.Keeper

func TestAccountDefault(t *testing.T) {
	kv := testutil.NewKVStore(t)
	addr := testutil.Addr(0)
	acc, err := k.Account(kv, addr)
	if err != nil {
		t.Fatal(err)
	}
	if acc.Address != addr.String() || acc.Sequence != 0 || len(acc.PubKey) != 0 {
		t.Fatalf("unknown account = %v, want address only", acc)
	}
	if has, _ := kv.Has(types.AccountKey(addr)); has {
		t.Fatal("reading an unknown account stored it")
	}
}

func TestSetAccountRoundTrip(t *testing.T) {
	kv := testutil.NewKVStore(t)
	key := testutil.Key(0)
	addr := key.PubKey().Address()
	in := &types.Account{Address: addr.String(), PubKey: key.PubKey().Bytes(), Sequence: 42}
	if err := k.SetAccount(kv, addr, in); err != nil {
		t.Fatal(err)
	}
	out, err := k.Account(kv, addr)
	if err != nil {
		t.Fatal(err)
	}
	if out.Address != in.Address || out.Sequence != 42 || !bytes.Equal(out.PubKey, in.PubKey) {
		t.Fatalf("round trip: %v", out)
	}
	if err := kv.Set(types.AccountKey(addr), []byte{0xff}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Account(kv, addr); err == nil {
		t.Fatal("a corrupt account record decoded")
	}
}

func TestInitGenesis(t *testing.T) {
	k0, k1 := testutil.Key(0), testutil.Key(1)
	acc := func(i int, withKey bool, seq uint64) *types.Account {
		key := testutil.Key(i)
		a := &types.Account{Address: key.PubKey().Address().String(), Sequence: seq}
		if withKey {
			a.PubKey = key.PubKey().Bytes()
		}
		return a
	}
	mk, err := multisig.New(2, []*crypto.PubKey{testutil.Key(5).PubKey(), testutil.Key(6).PubKey(), testutil.Key(7).PubKey()})
	if err != nil {
		t.Fatal(err)
	}
	thr := func(k uint32, members [][]byte) *types.Account {
		return &types.Account{Address: mk.Address().String(), Threshold: k, MemberPubKeys: members, Sequence: 2}
	}
	mb := mk.MemberBytes()
	for _, c := range []struct {
		name     string
		accounts []*types.Account
		ok       bool
	}{
		{"empty", nil, true},
		{"threshold account", []*types.Account{thr(2, mb)}, true},
		{"threshold key of another account", []*types.Account{thr(1, mb)}, false},
		{"threshold key unsorted", []*types.Account{thr(2, [][]byte{mb[1], mb[0], mb[2]})}, false},
		{"threshold 0", []*types.Account{thr(0, mb)}, false},
		{"threshold and pub_key", []*types.Account{{Address: mk.Address().String(), Threshold: 2, MemberPubKeys: mb, PubKey: mb[0]}}, false},
		{"with keys and sequences", []*types.Account{acc(0, true, 3), acc(1, false, 0)}, true},
		{"public key of another account", []*types.Account{{Address: k0.PubKey().Address().String(), PubKey: k1.PubKey().Bytes()}}, false},
		{"uncompressed public key", []*types.Account{{Address: k0.PubKey().Address().String(), PubKey: append([]byte{0x04}, make([]byte, 64)...)}}, false},
		{"bad address", []*types.Account{{Address: "petro1nope"}}, false},
		{"empty address", []*types.Account{{}}, false},
		{"duplicate", []*types.Account{acc(0, false, 0), acc(0, false, 1)}, false},
		{"duplicate, upper-case spelling", []*types.Account{acc(0, false, 0), {Address: strings.ToUpper(k0.PubKey().Address().String()), Sequence: 9}}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			kv := testutil.NewKVStore(t)
			err := k.InitGenesis(kv, &types.GenesisState{Accounts: c.accounts})
			if c.ok != (err == nil) {
				t.Fatalf("InitGenesis = %v, want ok=%v", err, c.ok)
			}
			if !c.ok {
				return
			}
			out, err := k.ExportGenesis(kv)
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Accounts) != len(c.accounts) {
				t.Fatalf("exported %d accounts, want %d", len(out.Accounts), len(c.accounts))
			}
			for _, want := range c.accounts {
				addr, _ := k.Account(kv, mustAddr(t, want.Address))
				if addr.Sequence != want.Sequence || !bytes.Equal(addr.PubKey, want.PubKey) || addr.Threshold != want.Threshold || len(addr.MemberPubKeys) != len(want.MemberPubKeys) {
					t.Fatalf("account %s = %v, want %v", want.Address, addr, want)
				}
			}
		})
	}
}

func TestQueryAccount(t *testing.T) {
	cs := testutil.NewCommitStore(t)
	key := testutil.Key(0)
	addr := key.PubKey().Address()
	if err := k.SetAccount(cs.Working(), addr, &types.Account{Address: addr.String(), Sequence: 7}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := cs.Commit(); err != nil {
		t.Fatal(err)
	}
	q := keeper.NewQueryServer(k, testutil.CommittedState{CS: cs})
	resp, err := q.Account(context.Background(), &types.QueryAccountRequest{Address: addr.String()})
	if err != nil || resp.Account.Sequence != 7 || resp.Height != 1 {
		t.Fatalf("Account = %v, %v", resp, err)
	}
	if _, err := q.Account(context.Background(), &types.QueryAccountRequest{Address: "nope"}); !errors.Is(err, types.ErrInvalidAddress) {
		t.Fatalf("bad address: %v", err)
	}
	if _, err := q.Account(context.Background(), &types.QueryAccountRequest{Address: addr.String(), Height: 5}); !errors.Is(err, store.ErrVersionNotFound) {
		t.Fatalf("future height: %v", err)
	}
}
