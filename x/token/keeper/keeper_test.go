package keeper_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"sort"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/store"
	"github.com/petro-network/petro/internal/testutil"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/token/keeper"
	"github.com/petro-network/petro/x/token/types"
)

var k keeper.Keeper

// setBalance writes a raw balance, bypassing every rule (to build states
// the rules would never produce).
func setBalance(t *testing.T, kv store.KVStore, addr crypto.Address, amount uint64) {
	t.Helper()
	if err := kv.Set(types.BalanceKey(addr), binary.BigEndian.AppendUint64(nil, amount)); err != nil {
		t.Fatal(err)
	}
}

func balance(t *testing.T, kv store.KVStore, addr crypto.Address) uint64 {
	t.Helper()
	b, err := k.Balance(kv, addr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func genesis(bals ...*types.Balance) *types.GenesisState {
	return &types.GenesisState{Params: types.DefaultParams(), Balances: bals}
}

func bal(addr crypto.Address, amount uint64) *types.Balance {
	return &types.Balance{Address: addr.String(), Amount: amount}
}

func TestSend(t *testing.T) {
	alice, bob := testutil.Addr(0), testutil.Addr(1)
	for _, c := range []struct {
		name           string
		alice, bob     uint64
		from, to       crypto.Address
		amount         uint64
		want           error
		wantA, wantB   uint64
		aliceKeyExists bool
	}{
		{name: "partial", alice: 100, bob: 5, from: alice, to: bob, amount: 30, wantA: 70, wantB: 35, aliceKeyExists: true},
		{name: "to a new holder", alice: 100, from: alice, to: bob, amount: 1, wantA: 99, wantB: 1, aliceKeyExists: true},
		{name: "everything deletes the key", alice: 100, bob: 5, from: alice, to: bob, amount: 100, wantA: 0, wantB: 105},
		{name: "insufficient funds", alice: 100, bob: 5, from: alice, to: bob, amount: 101, want: types.ErrInsufficientFunds, wantA: 100, wantB: 5, aliceKeyExists: true},
		{name: "no balance at all", bob: 5, from: alice, to: bob, amount: 1, want: types.ErrInsufficientFunds, wantB: 5},
		{name: "recipient overflow", alice: 100, bob: math.MaxUint64 - 10, from: alice, to: bob, amount: 11, want: types.ErrSupplyOverflow, wantA: 100, wantB: math.MaxUint64 - 10, aliceKeyExists: true},
		{name: "recipient to exactly max", alice: 100, bob: math.MaxUint64 - 10, from: alice, to: bob, amount: 10, wantA: 90, wantB: math.MaxUint64, aliceKeyExists: true},
		{name: "self-transfer refused", alice: 100, from: alice, to: alice, amount: 50, want: types.ErrSelfTransfer, wantA: 100, aliceKeyExists: true},
		{name: "self-transfer of everything refused", alice: 100, from: alice, to: alice, amount: 100, want: types.ErrSelfTransfer, wantA: 100, aliceKeyExists: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			kv := testutil.NewKVStore(t)
			if c.alice > 0 {
				setBalance(t, kv, alice, c.alice)
			}
			if c.bob > 0 {
				setBalance(t, kv, bob, c.bob)
			}
			err := k.Send(kv, c.from, c.to, c.amount)
			if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("Send = %v, want %v", err, c.want)
			}
			if got := balance(t, kv, alice); got != c.wantA {
				t.Errorf("alice %d, want %d", got, c.wantA)
			}
			if got := balance(t, kv, bob); got != c.wantB {
				t.Errorf("bob %d, want %d", got, c.wantB)
			}
			if has, _ := kv.Has(types.BalanceKey(alice)); has != c.aliceKeyExists {
				t.Errorf("alice's balance key stored = %v, want %v (zero balances are deleted)", has, c.aliceKeyExists)
			}
		})
	}
}

func TestHandleSendEmitsTransfer(t *testing.T) {
	alice, bob := testutil.Addr(0), testutil.Addr(1)
	kv := testutil.NewKVStore(t)
	setBalance(t, kv, alice, 10)
	ctx := petro.NewContext(kv, testutil.ChainID, 1, testutil.GenesisTime)
	if err := k.HandleSend(ctx, &types.MsgSend{From: alice.String(), To: bob.String(), Amount: 4}); err != nil {
		t.Fatal(err)
	}
	evs := ctx.Events()
	if len(evs) != 1 || evs[0].Type != types.EventTypeTransfer {
		t.Fatalf("events %+v", evs)
	}
	want := map[string]string{types.AttrSender: alice.String(), types.AttrRecipient: bob.String(), types.AttrAmount: "4"}
	for _, at := range evs[0].Attributes {
		if want[at.Key] != at.Value || !at.Index {
			t.Errorf("attribute %+v", at)
		}
	}
	// A message that fails validation changes nothing and emits nothing.
	ctx = ctx.WithStore(kv)
	if err := k.HandleSend(ctx, &types.MsgSend{From: alice.String(), To: strings.ToUpper(alice.String()), Amount: 1}); !errors.Is(err, types.ErrInvalidAddress) {
		t.Fatalf("HandleSend(self) = %v", err)
	}
	if len(ctx.Events()) != 0 || balance(t, kv, alice) != 6 {
		t.Fatal("a refused send left a trace")
	}
}

// sortedAddrs returns n test addresses in ascending byte order.
func sortedAddrs(n int) []crypto.Address {
	out := make([]crypto.Address, n)
	for i := range out {
		out[i] = testutil.FillerAddr(i)
	}
	sort.Slice(out, func(i, j int) bool { return bytes.Compare(out[i], out[j]) < 0 })
	return out
}

func TestIterateBalances(t *testing.T) {
	kv := testutil.NewKVStore(t)
	addrs := sortedAddrs(6)
	for i, a := range addrs {
		setBalance(t, kv, a, uint64(i+1))
	}
	// An unrelated key just past the balance prefix must not be visited.
	if err := kv.Set(types.SupplyKey, binary.BigEndian.AppendUint64(nil, 21)); err != nil {
		t.Fatal(err)
	}
	collect := func(start []byte, max int) []crypto.Address {
		var got []crypto.Address
		err := k.IterateBalances(kv, start, func(a crypto.Address, amount uint64) bool {
			got = append(got, a)
			return len(got) == max
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	for _, c := range []struct {
		name  string
		start []byte
		max   int
		want  []crypto.Address
	}{
		{"all", nil, 100, addrs},
		{"stop after 2", nil, 2, addrs[:2]},
		{"start is inclusive", addrs[3], 100, addrs[3:]},
		{"start between keys", append(append([]byte(nil), addrs[3]...), 0), 100, addrs[4:]},
		{"start past the end", bytes.Repeat([]byte{0xff}, 20), 100, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := collect(c.start, c.max)
			if len(got) != len(c.want) {
				t.Fatalf("got %d addresses, want %d", len(got), len(c.want))
			}
			for i := range got {
				if !got[i].Equals(c.want[i]) {
					t.Fatalf("address %d: %s, want %s", i, got[i], c.want[i])
				}
			}
		})
	}
}

func TestGenesisValidate(t *testing.T) {
	a, b := testutil.Addr(0), testutil.Addr(1)
	for _, c := range []struct {
		name     string
		malleate func(gs *types.GenesisState)
		ok       bool
	}{
		{"valid", func(*types.GenesisState) {}, true},
		{"empty balances", func(gs *types.GenesisState) { gs.Balances = nil }, true},
		{"supply exactly the hard cap", func(gs *types.GenesisState) {
			gs.Balances[0].Amount, gs.Balances[1].Amount = types.DefaultHardCap-1, 1
		}, true},
		{"supply exactly max with a max cap", func(gs *types.GenesisState) {
			gs.Params.HardCap = math.MaxUint64
			gs.Balances[0].Amount, gs.Balances[1].Amount = math.MaxUint64-1, 1
		}, true},
		{"supply above the hard cap", func(gs *types.GenesisState) { gs.Balances[0].Amount = types.DefaultHardCap }, false},
		{"zero hard cap", func(gs *types.GenesisState) { gs.Params.HardCap = 0 }, false},
		{"decimals not 8", func(gs *types.GenesisState) { gs.Params.Decimals = 6 }, false},
		{"nil params", func(gs *types.GenesisState) { gs.Params = nil }, false},
		{"empty denom", func(gs *types.GenesisState) { gs.Params.Denom = "" }, false},
		{"bad address", func(gs *types.GenesisState) { gs.Balances[0].Address = "petro1bad" }, false},
		{"wrong prefix", func(gs *types.GenesisState) { gs.Balances[0].Address = "cosmos1qyqszqgpqyqszqgpqyqszqgpqyqszqgp6ljt6k" }, false},
		{"duplicate", func(gs *types.GenesisState) { gs.Balances[1].Address = gs.Balances[0].Address }, false},
		{"duplicate, upper-case spelling", func(gs *types.GenesisState) { gs.Balances[1].Address = strings.ToUpper(gs.Balances[0].Address) }, false},
		{"zero amount", func(gs *types.GenesisState) { gs.Balances[1].Amount = 0 }, false},
		{"supply overflows", func(gs *types.GenesisState) {
			gs.Params.HardCap = math.MaxUint64
			gs.Balances[0].Amount, gs.Balances[1].Amount = math.MaxUint64, 1
		}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			gs := genesis(bal(a, 10), bal(b, 20))
			c.malleate(gs)
			err := gs.Validate()
			if c.ok != (err == nil) {
				t.Fatalf("Validate = %v, want ok=%v", err, c.ok)
			}
			if err != nil && !errors.Is(err, types.ErrInvalidGenesis) {
				t.Fatalf("error %v is not ErrInvalidGenesis", err)
			}
			// InitGenesis refuses exactly what Validate refuses.
			kv := store.NewBranch(testutil.NewKVStore(t))
			ierr := k.InitGenesis(kv, gs)
			if c.ok != (ierr == nil) {
				t.Fatalf("InitGenesis = %v, want ok=%v", ierr, c.ok)
			}
		})
	}
}

func TestGenesisRoundTripAndInvariant(t *testing.T) {
	kv := testutil.NewKVStore(t)
	addrs := sortedAddrs(3)
	gs := genesis(bal(addrs[2], 3), bal(addrs[0], 1), bal(addrs[1], 2))
	gs.Params.Denom = "XPTR"
	if err := k.InitGenesis(kv, gs); err != nil {
		t.Fatal(err)
	}
	if s, _ := k.Supply(kv); s != 6 {
		t.Fatalf("supply %d", s)
	}
	if err := k.CheckInvariants(kv); err != nil {
		t.Fatal(err)
	}
	out, err := k.ExportGenesis(kv)
	if err != nil {
		t.Fatal(err)
	}
	if out.Params.Denom != "XPTR" || len(out.Balances) != 3 {
		t.Fatalf("export %v", out)
	}
	for i, b := range out.Balances { // address order
		if b.Address != addrs[i].String() || b.Amount != uint64(i+1) {
			t.Fatalf("balance %d: %v", i, b)
		}
	}
	// A balance written around the rules breaks the invariant.
	setBalance(t, kv, addrs[0], 2)
	if err := k.CheckInvariants(kv); err == nil {
		t.Fatal("invariant holds with supply 6, Σ balances 7")
	}
	// Σ balances overflowing is reported, not wrapped.
	setBalance(t, kv, addrs[0], math.MaxUint64)
	if err := k.CheckInvariants(kv); err == nil || !errors.Is(err, petro.ErrOverflow) {
		t.Fatalf("overflowing Σ balances: %v", err)
	}
}

func TestParamsDefault(t *testing.T) {
	p, err := k.Params(testutil.NewKVStore(t))
	if err != nil || p.Denom != "PTR" || p.Decimals != 8 {
		t.Fatalf("Params on empty state = %v, %v", p, err)
	}
}

func TestCorruptBalance(t *testing.T) {
	kv := testutil.NewKVStore(t)
	if err := kv.Set(types.BalanceKey(testutil.Addr(0)), []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Balance(kv, testutil.Addr(0)); err == nil {
		t.Fatal("a 3-byte balance decoded")
	}
	if err := k.CheckInvariants(kv); err == nil {
		t.Fatal("invariant ignores a corrupt balance")
	}
}

// queryFixture commits n balances (1, 2, …, n in address order) as
// version 1 and returns a query server over committed state.
func queryFixture(t *testing.T, n int) (*keeper.QueryServer, []crypto.Address) {
	t.Helper()
	cs := testutil.NewCommitStore(t)
	addrs := sortedAddrs(n)
	gs := genesis()
	for i, a := range addrs {
		gs.Balances = append(gs.Balances, bal(a, uint64(i+1)))
	}
	if err := k.InitGenesis(cs.Working(), gs); err != nil {
		t.Fatal(err)
	}
	if _, _, err := cs.Commit(); err != nil {
		t.Fatal(err)
	}
	return keeper.NewQueryServer(k, testutil.CommittedState{CS: cs}), addrs
}

func TestQueryAllBalancesPagination(t *testing.T) {
	q, addrs := queryFixture(t, 7)
	ctx := context.Background()

	// Walk every page of 3 by next_key.
	var got []*types.Balance
	var key []byte
	for pages := 0; ; pages++ {
		if pages > 3 {
			t.Fatal("pagination does not end")
		}
		resp, err := q.AllBalances(ctx, &types.QueryAllBalancesRequest{Pagination: &types.PageRequest{Key: key, Limit: 3}})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Height != 1 {
			t.Fatalf("height %d", resp.Height)
		}
		if len(resp.Balances) > 3 {
			t.Fatalf("page of %d > limit 3", len(resp.Balances))
		}
		got = append(got, resp.Balances...)
		key = resp.GetPagination().GetNextKey()
		if len(key) == 0 {
			if pages != 2 {
				t.Fatalf("%d pages, want 3", pages+1)
			}
			break
		}
		if !bytes.Equal(key, addrs[len(got)]) {
			t.Fatalf("next_key %X, want the next address %X", key, []byte(addrs[len(got)]))
		}
	}
	if len(got) != len(addrs) {
		t.Fatalf("walked %d balances, want %d", len(got), len(addrs))
	}
	for i, b := range got {
		if b.Address != addrs[i].String() || b.Amount != uint64(i+1) {
			t.Fatalf("balance %d: %v", i, b)
		}
	}

	// An exact multiple of the limit: the last full page has no next_key.
	resp, err := q.AllBalances(ctx, &types.QueryAllBalancesRequest{Pagination: &types.PageRequest{Limit: 7}})
	if err != nil || len(resp.Balances) != 7 || len(resp.Pagination.NextKey) != 0 {
		t.Fatalf("limit = total: %d balances, next_key %X, err %v", len(resp.GetBalances()), resp.GetPagination().GetNextKey(), err)
	}
	// No pagination: the default limit covers these.
	resp, err = q.AllBalances(ctx, &types.QueryAllBalancesRequest{})
	if err != nil || len(resp.Balances) != 7 {
		t.Fatalf("default page: %d, %v", len(resp.GetBalances()), err)
	}

	for _, c := range []struct {
		name string
		req  *types.QueryAllBalancesRequest
		want error
	}{
		{"short pagination key", &types.QueryAllBalancesRequest{Pagination: &types.PageRequest{Key: []byte{1, 2, 3}}}, types.ErrInvalidAddress},
		{"height not committed", &types.QueryAllBalancesRequest{Height: 9}, store.ErrVersionNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := q.AllBalances(ctx, c.req); !errors.Is(err, c.want) {
				t.Fatalf("AllBalances = %v, want %v", err, c.want)
			}
		})
	}
}

func TestQueryBalance(t *testing.T) {
	q, addrs := queryFixture(t, 2)
	ctx := context.Background()
	resp, err := q.Balance(ctx, &types.QueryBalanceRequest{Address: addrs[1].String()})
	if err != nil || resp.Balance.Amount != 2 || resp.Height != 1 {
		t.Fatalf("Balance = %v, %v", resp, err)
	}
	resp, err = q.Balance(ctx, &types.QueryBalanceRequest{Address: testutil.Addr(50).String()})
	if err != nil || resp.Balance.Amount != 0 {
		t.Fatalf("Balance of a non-holder = %v, %v", resp, err)
	}
	for _, c := range []struct {
		name string
		req  *types.QueryBalanceRequest
		want error
	}{
		{"empty address", &types.QueryBalanceRequest{}, types.ErrInvalidAddress},
		{"bad checksum", &types.QueryBalanceRequest{Address: addrs[0].String()[:30] + "qqqqqq"}, types.ErrInvalidAddress},
		{"hex address", &types.QueryBalanceRequest{Address: "0x0102"}, types.ErrInvalidAddress},
		{"height not committed", &types.QueryBalanceRequest{Address: addrs[0].String(), Height: 2}, store.ErrVersionNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := q.Balance(ctx, c.req); !errors.Is(err, c.want) {
				t.Fatalf("Balance = %v, want %v", err, c.want)
			}
		})
	}
	sup, err := q.Supply(ctx, &types.QuerySupplyRequest{})
	if err != nil || sup.Amount != 3 {
		t.Fatalf("Supply = %v, %v", sup, err)
	}
	par, err := q.Params(ctx, &types.QueryParamsRequest{})
	if err != nil || par.Params.Denom != "PTR" {
		t.Fatalf("Params = %v, %v", par, err)
	}
}

func TestFrozenQueryPaginates(t *testing.T) {
	cs := testutil.NewCommitStore(t)
	for i := 0; i < 5; i++ {
		a := testutil.Addr(60 + i)
		bz, _ := proto.Marshal(&types.FreezeRecord{Address: a.String(), ReasonCode: 1, CaseId: "c"})
		if err := cs.Working().Set(types.FrozenKey(a), bz); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := cs.Commit(); err != nil {
		t.Fatal(err)
	}
	q := keeper.NewQueryServer(k, testutil.CommittedState{CS: cs})
	seen := map[string]bool{}
	var key []byte
	for pages := 0; pages < 10; pages++ {
		resp, err := q.Frozen(context.Background(), &types.QueryFrozenRequest{Pagination: &types.PageRequest{Key: key, Limit: 2}})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range resp.Frozen {
			seen[r.Address] = true
		}
		if key = resp.Pagination.NextKey; len(key) == 0 {
			break
		}
	}
	if len(seen) != 5 {
		t.Fatalf("%d frozen accounts over the pages, want 5", len(seen))
	}
	if _, err := q.Frozen(context.Background(), &types.QueryFrozenRequest{Pagination: &types.PageRequest{Key: []byte{1, 2}}}); !errors.Is(err, types.ErrInvalidAddress) {
		t.Fatalf("bad key: %v", err)
	}
}
