package app_test

import (
	"encoding/hex"
	"slices"
	"testing"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/internal/testutil"
	txtypes "github.com/petro-network/petro/types/tx"
)

// goldenAppHash is the app hash after goldenTransfers' last block.
//
// It is a consensus constant: every node must compute it from the same
// genesis and blocks. If this test fails, the state machine or its
// encoding changed (keys, values, IAVL layout, tx rules, result of a tx) —
// a consensus-breaking change that needs a coordinated upgrade. Update the
// constant only for a change that is meant to break consensus, and say so
// in the commit message.
const goldenAppHash = "da5fd6a006988a78324c329980d97e204555448d0d78b78f48f5f5710304fd3f"

// goldenTransfers is a fixed genesis (deterministic keys, GenesisTime) and
// five blocks of transfers at fixed times, with successes, a failed
// message (sequence consumed), a multi-message tx, a new account and a
// balance emptied to zero.
func goldenTransfers(t testing.TB) (genesis *app.GenesisState, blocks [][][]byte) {
	gs := testutil.NewGenesis().FundKeys(1_000_000, 0, 1, 2, 3, 4).Account(testutil.Key(4), 2).State()
	seq := map[int]uint64{4: 2}
	send := func(from, to int, amount uint64) []byte {
		raw := testutil.SendTx(t, testutil.Key(from), seq[from], testutil.Addr(to), amount)
		seq[from]++
		return raw
	}
	multi := func(from int, to []int, amount uint64) []byte {
		var msgs []*txtypes.Msg
		for _, r := range to {
			msgs = append(msgs, client.SendMsg(testutil.Addr(from), testutil.Addr(r), amount))
		}
		raw := testutil.NewTx(testutil.Key(from), seq[from], msgs...).Build(t)
		seq[from]++
		return raw
	}
	blocks = [][][]byte{
		{send(0, 1, 100), send(1, 2, 200)},
		{send(2, 3, 300), send(0, 4, 50), send(4, 0, 7)},
		{send(3, 0, 10_000_000), send(4, 5, 1)}, // first fails: insufficient funds
		{multi(0, []int{1, 2, 3}, 11)},
		{send(5, 0, 1), send(1, 0, 1_000_000+100-200+11)}, // 5 (first tx, key set) and 1 empty their balances
	}
	return gs, blocks
}

// goldenCodes are the result codes of goldenTransfers' txs, block by block.
var goldenCodes = [][]uint32{{0, 0}, {0, 0, 0}, {3, 0}, {0}, {0, 0}}

// runGolden runs goldenTransfers on a and returns the app hash after each
// block (index 0 is InitChain's).
func runGolden(t *testing.T, a *app.App, gs *app.GenesisState, blocks [][][]byte) []string {
	t.Helper()
	hashes := []string{hex.EncodeToString(testutil.InitChain(t, a, gs).AppHash)}
	for i, txs := range blocks {
		h := int64(i + 1)
		resp := testutil.Block(t, a, h, testutil.BlockTime(h), txs...)
		var codes []uint32
		for _, r := range resp.TxResults {
			codes = append(codes, r.Code)
		}
		if want := goldenCodes[i]; !slices.Equal(codes, want) {
			t.Fatalf("height %d: result codes %v, want %v", h, codes, want)
		}
		hashes = append(hashes, hex.EncodeToString(resp.AppHash))
	}
	return hashes
}

func TestGoldenAppHash(t *testing.T) {
	gs, blocks := goldenTransfers(t)

	// Two independent apps, one on memdb and one on pebble, must agree at
	// every height.
	memApp, _ := testutil.OpenApp(t, "memdb", "")
	diskApp, _ := testutil.OpenApp(t, "pebble", t.TempDir())
	mem := runGolden(t, memApp, gs, blocks)
	disk := runGolden(t, diskApp, gs, blocks)
	for h := range mem {
		if mem[h] != disk[h] {
			t.Fatalf("height %d: app hashes differ between two runs: %s vs %s", h, mem[h], disk[h])
		}
	}

	// The expected outcome, so the golden hash pins a known state.
	st := testutil.Snapshot(t, memApp)
	if got := st.Balance(testutil.Addr(1)); got != 0 {
		t.Errorf("key 1 balance %d, want 0 (emptied)", got)
	}
	if got := st.Balance(testutil.Addr(5)); got != 0 {
		t.Errorf("key 5 balance %d, want 0 (emptied)", got)
	}
	if got := st.Sequence(testutil.Addr(3)); got != 1 {
		t.Errorf("key 3 sequence %d, want 1 (failed tx consumed it)", got)
	}
	if got := st.Supply; got != 5_000_000 {
		t.Errorf("supply %d", got)
	}

	if final := mem[len(mem)-1]; final != goldenAppHash {
		for h, hash := range mem {
			t.Logf("height %d: %s", h, hash)
		}
		t.Fatalf("golden app hash changed: got %s, want %s — a consensus-breaking change (see goldenAppHash)", final, goldenAppHash)
	}
}
