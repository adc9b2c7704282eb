package testutil_test

import (
	"testing"

	"github.com/petro-network/petro/internal/testutil"
)

// TestKeysAreStable pins the first test addresses: they must not change
// between runs or machines (golden hashes and fixtures depend on them).
func TestKeysAreStable(t *testing.T) {
	if got, want := testutil.Addr(0).String(), addr0; got != want {
		t.Fatalf("Addr(0) = %s, want %s", got, want)
	}
	if k := testutil.Key(7); k != testutil.Key(7) {
		t.Fatal("Key is not cached")
	}
	seen := map[string]bool{}
	for i := 0; i < 50; i++ {
		for _, a := range []string{testutil.Addr(i).String(), testutil.FillerAddr(i).String()} {
			if seen[a] {
				t.Fatalf("address %s repeats", a)
			}
			seen[a] = true
		}
	}
}

const addr0 = "petro19ypgdnf23l38elxr69624swagxkq99kt65c2xq"

func TestDriver(t *testing.T) {
	a := testutil.NewApp(t, testutil.FundedGenesis(10, testutil.Addr(0)))
	resp := testutil.NextBlock(t, a, testutil.SendTx(t, testutil.Key(0), 0, testutil.Addr(1), 4))
	if resp.TxResults[0].Code != 0 {
		t.Fatalf("transfer failed: %s", resp.TxResults[0].Log)
	}
	st := testutil.Snapshot(t, a)
	if st.Height != 1 || st.Balance(testutil.Addr(1)) != 4 || st.Sequence(testutil.Addr(0)) != 1 || st.Supply != 10 {
		t.Fatalf("state %+v", st)
	}
	// TxParts without edits is the wallet's encoding.
	if string(testutil.NewSend(testutil.Key(0), 1, testutil.Addr(1), 1).Build(t)) != string(testutil.SendTx(t, testutil.Key(0), 1, testutil.Addr(1), 1)) {
		t.Fatal("TxParts.Build differs from client.SignTx")
	}
}
