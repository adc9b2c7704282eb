package app_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	ics23 "github.com/cosmos/ics23/go"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/internal/store"
	"github.com/petro-network/petro/internal/testutil"
	authtypes "github.com/petro-network/petro/x/auth/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// TestMultiMessageAtomic: a tx whose second message fails leaves no trace
// of its first, but its sequence is consumed in the block (the documented
// design: a failed tx can never be replayed later).
func TestMultiMessageAtomic(t *testing.T) {
	// ARRANGE
	a := fixture(t)
	from := sender.PubKey().Address()
	raw := testutil.NewTx(sender, senderSeq,
		client.SendMsg(from, recipient, 10),            // would succeed alone
		client.SendMsg(from, bystander, senderBalance), // only senderBalance−10 left
	).Build(t)
	before := testutil.Snapshot(t, a)

	// ACT
	resp := testutil.NextBlock(t, a, raw)

	// ASSERT
	res := resp.TxResults[0]
	assertCode(t, "FinalizeBlock", res, tokentypes.Codespace, 3)
	if !strings.Contains(res.Log, "message 1") {
		t.Errorf("log %q does not name the failing message", res.Log)
	}
	if len(res.Events) != 1 || res.Events[0].Type != app.EventTypeTx { // only the index event
		t.Errorf("failed tx kept events of its first message: %v", res.Events)
	}
	after := testutil.Snapshot(t, a)
	if got, want := after.Balance(recipient), before.Balance(recipient); got != want {
		t.Errorf("recipient %d, want %d: first message applied", got, want)
	}
	if got, want := after.Balance(from), before.Balance(from); got != want {
		t.Errorf("sender %d, want %d", got, want)
	}
	if got, want := after.Sequence(from), before.Sequence(from)+1; got != want {
		t.Errorf("sender sequence %d, want %d (consumed)", got, want)
	}
	// The consumed sequence cannot be replayed.
	assertCode(t, "replay", checkTx(t, a, raw), authtypes.Codespace, 13)
}

func TestMultiMessageSuccess(t *testing.T) {
	a := fixture(t)
	from := sender.PubKey().Address()
	raw := testutil.NewTx(sender, senderSeq,
		client.SendMsg(from, recipient, 10),
		client.SendMsg(from, bystander, 20),
	).Build(t)
	resp := testutil.NextBlock(t, a, raw)
	assertOK(t, "FinalizeBlock", resp.TxResults[0])
	st := testutil.Snapshot(t, a)
	if st.Balance(recipient) != recipientBalance+10 || st.Balance(bystander) != 1+20 || st.Balance(from) != senderBalance-30 {
		t.Fatalf("balances %v", st.Balances)
	}
	var transfers int
	for _, ev := range resp.TxResults[0].Events {
		if ev.Type == tokentypes.EventTypeTransfer {
			transfers++
		}
	}
	if transfers != 2 {
		t.Fatalf("%d transfer events, want 2", transfers)
	}
}

// TestCheckTxSequencesAndRecheck: the check state keeps accepted sequences
// so a wallet can queue n, n+1, n+2 before a block; Commit resets it and
// CometBFT's recheck of what is left in the mempool works.
func TestCheckTxSequencesAndRecheck(t *testing.T) {
	// ARRANGE
	a := fixture(t)
	txs := make([][]byte, 4)
	for i := range txs {
		txs[i] = testutil.SendTx(t, sender, senderSeq+uint64(i), recipient, 100)
	}

	// ACT / ASSERT: n, n+1, n+2 in before any block.
	for i := 0; i < 3; i++ {
		assertOK(t, "CheckTx", checkTx(t, a, txs[i]))
	}
	// The same bytes again are in the mempool; other bytes with sequence n
	// reuse a sequence.
	assertCode(t, "CheckTx n again", checkTx(t, a, txs[0]), authtypes.Codespace, 21)
	assertCode(t, "CheckTx another tx with n", checkTx(t, a, testutil.SendTx(t, sender, senderSeq, recipient, 101)), authtypes.Codespace, 13)
	assertCode(t, "CheckTx n+3 after a gap", checkTx(t, a, testutil.SendTx(t, sender, senderSeq+4, recipient, 1)), authtypes.Codespace, 14)
	// Funds are tracked too: the check state knows 300 already left.
	assertCode(t, "CheckTx overspend", checkTx(t, a, testutil.SendTx(t, sender, senderSeq+3, recipient, senderBalance-299)), tokentypes.Codespace, 3)

	// A block commits n and n+1 only.
	resp := testutil.NextBlock(t, a, txs[0], txs[1])
	assertOK(t, "tx n", resp.TxResults[0])
	assertOK(t, "tx n+1", resp.TxResults[1])

	// Recheck of the mempool's leftovers on the fresh check state.
	assertOK(t, "recheck n+2", recheckTx(t, a, txs[2]))
	assertCode(t, "recheck n (committed)", recheckTx(t, a, txs[0]), authtypes.Codespace, 13)
	assertOK(t, "CheckTx n+3", checkTx(t, a, txs[3]))

	resp = testutil.NextBlock(t, a, txs[2], txs[3])
	assertOK(t, "tx n+2", resp.TxResults[0])
	assertOK(t, "tx n+3", resp.TxResults[1])
	st := testutil.Snapshot(t, a)
	if got := st.Sequence(sender.PubKey().Address()); got != senderSeq+4 {
		t.Fatalf("sequence %d, want %d", got, senderSeq+4)
	}
	if got := st.Balance(recipient); got != recipientBalance+400 {
		t.Fatalf("recipient %d", got)
	}
}

// TestFirstTxSetsPubKey: an account that only holds a genesis balance gets
// its key and sequence 1 from its first tx.
func TestFirstTxSetsPubKey(t *testing.T) {
	k := testutil.Key(20)
	a := testutil.NewApp(t, testutil.NewGenesis().Fund(k.PubKey().Address(), 50).State())
	testutil.NextBlock(t, a)
	if _, known := testutil.Snapshot(t, a).Accounts[k.PubKey().Address().String()]; known {
		t.Fatal("account exists before its first tx")
	}
	assertOK(t, "FinalizeBlock", testutil.NextBlock(t, a, testutil.SendTx(t, k, 0, recipient, 5)).TxResults[0])
	acc := testutil.Snapshot(t, a).Accounts[k.PubKey().Address().String()]
	if acc.Sequence != 1 || string(acc.PubKey) != string(k.PubKey().Bytes()) {
		t.Fatalf("account after first tx: %+v", acc)
	}
}

func TestPrepareProposalDropsBadSignature(t *testing.T) {
	// ARRANGE
	a := fixture(t)
	good0 := testutil.SendTx(t, sender, senderSeq, recipient, 1)
	bad := testutil.NewSend(sender, senderSeq+1, recipient, 1)
	bad.EditSig = func(s []byte) []byte { s[50] ^= 0x80; return s }
	badRaw := bad.Build(t)
	good1 := testutil.SendTx(t, testutil.Key(30), 0, recipient, 1) // unfunded: fails in FinalizeBlock, stays in the block
	garbage := []byte("not a tx")

	// ACT
	prep, err := a.PrepareProposal(context.Background(), &abci.RequestPrepareProposal{
		MaxTxBytes: testutil.MaxBlockBytes, Txs: [][]byte{good0, badRaw, garbage, good1}, Height: 2, Time: testutil.BlockTime(2),
	})
	if err != nil {
		t.Fatal(err)
	}

	// ASSERT: bad signature and garbage dropped, order kept, and the block
	// it built passes ProcessProposal.
	if len(prep.Txs) != 2 || string(prep.Txs[0]) != string(good0) || string(prep.Txs[1]) != string(good1) {
		t.Fatalf("PrepareProposal kept %d txs, want [good0 good1]", len(prep.Txs))
	}
	if st := processProposal(t, a, 2, prep.Txs...); st != accept {
		t.Fatalf("ProcessProposal of a prepared block: %v", st)
	}
	resp := testutil.FinalizeCommit(t, a, 2, testutil.BlockTime(2), prep.Txs...)
	assertOK(t, "good0", resp.TxResults[0])
	assertCode(t, "unfunded", resp.TxResults[1], tokentypes.Codespace, 3)
}

// TestPrepareProposalOrdersEachSignersSequences: a mempool that holds one
// signer's sequences inverted (CometBFT can append concurrent CheckTx
// results out of order) still yields a block where every tx succeeds; other
// signers' txs keep their places.
func TestPrepareProposalOrdersEachSignersSequences(t *testing.T) {
	a := fixture(t)
	s0 := testutil.SendTx(t, sender, senderSeq, recipient, 1)
	s1 := testutil.SendTx(t, sender, senderSeq+1, recipient, 1)
	s2 := testutil.SendTx(t, sender, senderSeq+2, recipient, 1)
	other := testutil.SendTx(t, testutil.Key(30), 0, recipient, 1) // unfunded: fails, but stays second
	prep, err := a.PrepareProposal(context.Background(), &abci.RequestPrepareProposal{
		MaxTxBytes: testutil.MaxBlockBytes, Txs: [][]byte{s2, other, s0, s1}, Height: 2, Time: testutil.BlockTime(2),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]byte{s0, other, s1, s2}
	if len(prep.Txs) != len(want) {
		t.Fatalf("kept %d txs, want %d", len(prep.Txs), len(want))
	}
	for i := range want {
		if string(prep.Txs[i]) != string(want[i]) {
			t.Fatalf("tx %d is not the expected one (want s0, other, s1, s2)", i)
		}
	}
	resp := testutil.FinalizeCommit(t, a, 2, testutil.BlockTime(2), prep.Txs...)
	assertOK(t, "s0", resp.TxResults[0])
	assertOK(t, "s1", resp.TxResults[2])
	assertOK(t, "s2", resp.TxResults[3])
}

func TestPrepareProposalRespectsMaxTxBytes(t *testing.T) {
	a := fixture(t)
	txs := [][]byte{
		testutil.SendTx(t, sender, senderSeq, recipient, 1),
		testutil.SendTx(t, sender, senderSeq+1, recipient, 1),
	}
	prep, err := a.PrepareProposal(context.Background(), &abci.RequestPrepareProposal{
		MaxTxBytes: int64(len(txs[0]) + len(txs[1]) - 1), Txs: txs, Height: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(prep.Txs) != 1 {
		t.Fatalf("kept %d txs within the byte limit, want 1", len(prep.Txs))
	}
}

func TestProcessProposalRejectsGarbage(t *testing.T) {
	a := fixture(t)
	good := testutil.SendTx(t, sender, senderSeq, recipient, 1)
	for _, c := range []struct {
		name string
		txs  [][]byte
		want abci.ResponseProcessProposal_ProposalStatus
	}{
		{"empty block", nil, accept},
		{"valid tx", [][]byte{good}, accept},
		{"stateful failure is the block's business", [][]byte{good, good}, accept}, // replay: FinalizeBlock records tx/13
		{"garbage", [][]byte{good, []byte("garbage")}, reject},
		{"empty tx", [][]byte{{}}, reject},
		{"nil tx", [][]byte{nil}, reject},
		{"oversized tx", [][]byte{make([]byte, app.MaxTxBytes+1)}, reject},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := processProposal(t, a, 2, c.txs...); got != c.want {
				t.Fatalf("ProcessProposal: %v, want %v", got, c.want)
			}
		})
	}
	// A decided block with garbage still executes: the garbage gets tx/2,
	// a duplicate gets tx/13.
	resp := testutil.FinalizeCommit(t, a, 2, testutil.BlockTime(2), good, []byte("garbage"), good)
	assertOK(t, "good", resp.TxResults[0])
	assertCode(t, "garbage", resp.TxResults[1], authtypes.Codespace, 2)
	assertCode(t, "duplicate", resp.TxResults[2], authtypes.Codespace, 13)
}

func TestFinalizeBlockWrongHeight(t *testing.T) {
	a := fixture(t)
	if _, err := a.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: 5, Time: testutil.BlockTime(5)}); err == nil {
		t.Fatal("FinalizeBlock accepted height 5 after 1")
	}
}

// TestRestartOnPebble: commit blocks on a real on-disk pebble database,
// close, reopen the same dir: Info reports the same height and app hash,
// state is intact, and the chain continues.
func TestRestartOnPebble(t *testing.T) {
	// ARRANGE
	dir := t.TempDir()
	gs := testutil.NewGenesis().FundKeys(1_000, 0, 1, 2).State()
	a, closeApp := testutil.NewPebbleApp(t, dir, gs)
	for h := int64(1); h <= 3; h++ {
		testutil.Block(t, a, h, testutil.BlockTime(h), testutil.SendTx(t, testutil.Key(0), uint64(h-1), testutil.Addr(1), 10))
	}
	info1, err := a.Info(context.Background(), &abci.RequestInfo{})
	if err != nil {
		t.Fatal(err)
	}
	state1 := testutil.Snapshot(t, a)

	// ACT
	closeApp()
	b, _ := testutil.OpenApp(t, store.BackendPebble, dir)

	// ASSERT
	info2, err := b.Info(context.Background(), &abci.RequestInfo{})
	if err != nil {
		t.Fatal(err)
	}
	if info2.LastBlockHeight != 3 || info2.LastBlockHeight != info1.LastBlockHeight || string(info2.LastBlockAppHash) != string(info1.LastBlockAppHash) {
		t.Fatalf("after reopen Info = (%d, %X), before (%d, %X)", info2.LastBlockHeight, info2.LastBlockAppHash, info1.LastBlockHeight, info1.LastBlockAppHash)
	}
	state2 := testutil.Snapshot(t, b)
	assertSameState(t, state1, state2)
	if state2.Balance(testutil.Addr(1)) != 1_030 {
		t.Fatalf("recipient %d after restart", state2.Balance(testutil.Addr(1)))
	}
	// Older versions are still readable, and the chain goes on.
	if _, _, err := b.StateAt(1); err != nil {
		t.Fatalf("StateAt(1) after restart: %v", err)
	}
	next := testutil.SendTx(t, testutil.Key(0), 3, testutil.Addr(1), 10)
	assertOK(t, "CheckTx after restart", checkTx(t, b, next))
	assertOK(t, "block 4", testutil.Block(t, b, 4, testutil.BlockTime(4), next).TxResults[0])
}

// TestRestartBeforeFirstCommit: InitChain writes nothing durable; a crash
// before block 1's Commit leaves an empty store (Info height 0), and
// CometBFT calls InitChain again.
func TestRestartBeforeFirstCommit(t *testing.T) {
	dir := t.TempDir()
	a, closeApp := testutil.NewPebbleApp(t, dir, testutil.FundedGenesis(5, testutil.Addr(0)))
	_ = a
	closeApp()
	b, _ := testutil.OpenApp(t, store.BackendPebble, dir)
	info, err := b.Info(context.Background(), &abci.RequestInfo{})
	if err != nil {
		t.Fatal(err)
	}
	if info.LastBlockHeight != 0 {
		t.Fatalf("height %d after a crash before the first commit", info.LastBlockHeight)
	}
	testutil.InitChain(t, b, testutil.FundedGenesis(5, testutil.Addr(0)))
	testutil.Block(t, b, 1, testutil.BlockTime(1))
	if got := testutil.Snapshot(t, b).Balance(testutil.Addr(0)); got != 5 {
		t.Fatalf("balance %d", got)
	}
}

// TestQueryStoreProof: /store with prove returns an ICS23 proof that
// verifies against the committed app hash, for a present and an absent
// key, and fails for a tampered value or another height's hash.
func TestQueryStoreProof(t *testing.T) {
	a := fixture(t)
	testutil.NextBlock(t, a, testutil.SendTx(t, sender, senderSeq, recipient, 7))
	h, appHash := a.LastCommit()

	query := func(key []byte, height int64) (*abci.ResponseQuery, *ics23.CommitmentProof) {
		t.Helper()
		resp, err := a.Query(context.Background(), &abci.RequestQuery{Path: "/store", Data: key, Height: height, Prove: true})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Code != 0 {
			t.Fatalf("query %q: %s/%d %s", key, resp.Codespace, resp.Code, resp.Log)
		}
		if resp.ProofOps == nil || len(resp.ProofOps.Ops) != 1 || resp.ProofOps.Ops[0].Type != app.ProofOpIAVL {
			t.Fatalf("proof ops %v", resp.ProofOps)
		}
		proof := &ics23.CommitmentProof{}
		if err := proof.Unmarshal(resp.ProofOps.Ops[0].Data); err != nil {
			t.Fatal(err)
		}
		return resp, proof
	}

	// present key
	key := tokentypes.BalanceKey(recipient)
	resp, proof := query(key, 0)
	if resp.Height != h {
		t.Fatalf("height %d, want %d", resp.Height, h)
	}
	if len(resp.Value) != 8 || resp.Value[7] != byte((recipientBalance+7)&0xff) {
		t.Fatalf("value %X", resp.Value)
	}
	if err := store.VerifyProof(appHash, key, resp.Value, proof); err != nil {
		t.Fatalf("proof does not verify: %v", err)
	}
	tampered := append([]byte(nil), resp.Value...)
	tampered[7]++
	if err := store.VerifyProof(appHash, key, tampered, proof); err == nil {
		t.Fatal("proof verifies a tampered value")
	}

	// absent key
	absent := tokentypes.BalanceKey(testutil.Addr(99))
	resp, proof = query(absent, 0)
	if resp.Value != nil {
		t.Fatalf("absent key has value %X", resp.Value)
	}
	if err := store.VerifyProof(appHash, absent, nil, proof); err != nil {
		t.Fatalf("non-membership proof does not verify: %v", err)
	}

	// an older height proves against that height's hash, not the latest
	resp, proof = query(key, h-1)
	if err := store.VerifyProof(appHash, key, resp.Value, proof); err == nil {
		t.Fatal("height h-1 proof verifies against height h's app hash")
	}

	// bad requests
	for _, c := range []struct {
		name string
		req  *abci.RequestQuery
	}{
		{"unknown path", &abci.RequestQuery{Path: "/nope", Data: key}},
		{"empty key", &abci.RequestQuery{Path: "/store"}},
		{"future height", &abci.RequestQuery{Path: "/store", Data: key, Height: h + 1}},
		{"negative height", &abci.RequestQuery{Path: "/store", Data: key, Height: -1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, err := a.Query(context.Background(), c.req)
			if err != nil {
				t.Fatal(err)
			}
			assertCode(t, "Query", resp, authtypes.Codespace, 20)
		})
	}
}

// TestQueriesDuringBlocks: Simulate and state reads run on other
// goroutines while blocks execute (gRPC does this); run with -race.
func TestQueriesDuringBlocks(t *testing.T) {
	a := fixture(t)
	probe := testutil.SendTx(t, testutil.Key(1), 0, bystander, 1)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, _, err := a.Simulate(probe); err != nil {
				t.Errorf("Simulate: %v", err)
				return
			}
			if _, err := a.Info(context.Background(), &abci.RequestInfo{}); err != nil {
				t.Errorf("Info: %v", err)
				return
			}
		}
	}()
	for i := uint64(0); i < 5; i++ {
		testutil.NextBlock(t, a, testutil.SendTx(t, sender, senderSeq+i, recipient, 1))
	}
	close(stop)
	wg.Wait()
}

func TestInitChainRejects(t *testing.T) {
	bad := testutil.NewGenesis().Fund(testutil.Addr(0), 1).Fund(testutil.Addr(0), 2).State()
	upper := testutil.NewGenesis().Fund(testutil.Addr(0), 1).State()
	upper.Token.Balances = append(upper.Token.Balances, &tokentypes.Balance{Address: strings.ToUpper(testutil.Addr(0).String()), Amount: 1})
	for _, c := range []struct {
		name string
		req  *abci.RequestInitChain
	}{
		{"wrong chain id", &abci.RequestInitChain{ChainId: "other", AppStateBytes: []byte(`{}`)}},
		{"not json", &abci.RequestInitChain{ChainId: testutil.ChainID, AppStateBytes: []byte(`{`)}},
		{"unknown module", &abci.RequestInitChain{ChainId: testutil.ChainID, AppStateBytes: []byte(`{"bank":{}}`)}},
		{"unknown field", &abci.RequestInitChain{ChainId: testutil.ChainID, AppStateBytes: []byte(`{"token":{"params":{"denom":"PTR"},"x":1}}`)}},
		{"duplicate balance", &abci.RequestInitChain{ChainId: testutil.ChainID, AppStateBytes: testutil.GenesisJSON(t, bad)}},
		{"duplicate balance, upper-case spelling", &abci.RequestInitChain{ChainId: testutil.ChainID, AppStateBytes: testutil.GenesisJSON(t, upper)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, _ := testutil.OpenApp(t, store.BackendMemDB, "")
			if _, err := a.InitChain(context.Background(), c.req); err == nil {
				t.Fatal("InitChain accepted it")
			}
		})
	}
}

// TestGenesisRoundTrip: exporting the committed state and starting a new
// chain from it gives the same accounts, balances and supply. (Not the
// same app hash: IAVL's shape, and so its root, depends on the order keys
// were inserted, and InitChain inserts in genesis-file order.)
func TestGenesisRoundTrip(t *testing.T) {
	a := fixture(t)
	testutil.NextBlock(t, a, testutil.SendTx(t, sender, senderSeq, recipient, 3))
	gs, h, err := a.ExportGenesis(0)
	if err != nil || h != 2 {
		t.Fatalf("ExportGenesis: h=%d err=%v", h, err)
	}
	b := testutil.NewApp(t, gs)
	testutil.NextBlock(t, b)
	sa, sb := testutil.Snapshot(t, a), testutil.Snapshot(t, b)
	assertSameState(t, sa, sb)
}
