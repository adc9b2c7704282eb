package testutil

import (
	"bytes"
	"context"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/crypto"
)

// MaxBlockBytes is the block byte limit the driver hands PrepareProposal.
const MaxBlockBytes = 64 << 20

// Block runs one height the way a CometBFT validator that proposes it does:
// PrepareProposal over txs, ProcessProposal of the block it built (which
// must be ACCEPTed: every block PrepareProposal builds passes
// ProcessProposal), FinalizeBlock, Commit. height must be the next height.
// PrepareProposal must keep every tx (the caller passes txs it means to
// land in the block; to test dropping, call PrepareProposal directly), so
// the results line up with txs.
//
// After Commit it asserts the committed app hash equals FinalizeBlock's,
// the module invariants hold on the committed state (StateAt(0)), and no
// account's sequence went down or public key changed.
func Block(t testing.TB, a *app.App, height int64, tm time.Time, txs ...[]byte) *abci.ResponseFinalizeBlock {
	t.Helper()
	ctx := context.Background()
	prep, err := a.PrepareProposal(ctx, &abci.RequestPrepareProposal{
		MaxTxBytes: MaxBlockBytes, Txs: txs, Height: height, Time: tm,
	})
	if err != nil {
		t.Fatalf("height %d: PrepareProposal: %v", height, err)
	}
	if !sameTxs(prep.Txs, txs) {
		t.Fatalf("height %d: PrepareProposal kept %d of %d txs (or reordered them)", height, len(prep.Txs), len(txs))
	}
	proc, err := a.ProcessProposal(ctx, &abci.RequestProcessProposal{Txs: prep.Txs, Height: height, Time: tm})
	if err != nil {
		t.Fatalf("height %d: ProcessProposal: %v", height, err)
	}
	if proc.Status != abci.ResponseProcessProposal_ACCEPT {
		t.Fatalf("height %d: ProcessProposal rejected a block PrepareProposal built: %v", height, proc.Status)
	}
	return FinalizeCommit(t, a, height, tm, prep.Txs...)
}

// NextBlock is Block at the next height with time BlockTime(height).
func NextBlock(t testing.TB, a *app.App, txs ...[]byte) *abci.ResponseFinalizeBlock {
	t.Helper()
	h, _ := a.LastCommit()
	return Block(t, a, h+1, BlockTime(h+1), txs...)
}

// FinalizeCommit runs FinalizeBlock and Commit for txs without the proposal
// phases: what a node does with a decided block, including one an honest
// proposer would not have built (garbage, bad signatures). It makes the
// same after-block assertions as Block.
func FinalizeCommit(t testing.TB, a *app.App, height int64, tm time.Time, txs ...[]byte) *abci.ResponseFinalizeBlock {
	t.Helper()
	ctx := context.Background()
	before := Snapshot(t, a)
	resp, err := a.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Txs: txs, Height: height, Time: tm})
	if err != nil {
		t.Fatalf("height %d: FinalizeBlock: %v", height, err)
	}
	if len(resp.TxResults) != len(txs) {
		t.Fatalf("height %d: %d results for %d txs", height, len(resp.TxResults), len(txs))
	}
	if _, err := a.Commit(ctx, &abci.RequestCommit{}); err != nil {
		t.Fatalf("height %d: Commit: %v", height, err)
	}
	h, hash := a.LastCommit()
	if h != height {
		t.Fatalf("after Commit: last committed height %d, want %d", h, height)
	}
	if !bytes.Equal(hash, resp.AppHash) {
		t.Fatalf("height %d: committed app hash %X ≠ FinalizeBlock's %X", height, hash, resp.AppHash)
	}
	AssertInvariants(t, a)
	AssertSequencesGrew(t, before, Snapshot(t, a))
	return resp
}

// AssertInvariants runs app.CheckInvariants on the latest committed state.
func AssertInvariants(t testing.TB, a *app.App) {
	t.Helper()
	kv, h, err := a.StateAt(0)
	if err != nil {
		t.Fatalf("StateAt(0): %v", err)
	}
	if err := a.CheckInvariants(kv); err != nil {
		t.Fatalf("invariant broken at height %d: %v", h, err)
	}
}

// AssertSequencesGrew checks that every account of before still exists in
// after with a sequence at least as high and the same public key once set.
func AssertSequencesGrew(t testing.TB, before, after State) {
	t.Helper()
	for addr, b := range before.Accounts {
		a, ok := after.Accounts[addr]
		if !ok {
			t.Fatalf("height %d: account %s disappeared", after.Height, addr)
		}
		if a.Sequence < b.Sequence {
			t.Fatalf("height %d: account %s sequence went down %d → %d", after.Height, addr, b.Sequence, a.Sequence)
		}
		if len(b.PubKey) > 0 && !bytes.Equal(a.PubKey, b.PubKey) {
			t.Fatalf("height %d: account %s public key changed", after.Height, addr)
		}
	}
}

func sameTxs(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// Account is the part of an auth account a test compares.
type Account struct {
	Sequence uint64
	PubKey   []byte
	// A threshold account's key (#13).
	Threshold     uint32
	MemberPubKeys [][]byte
}

// State is a comparable picture of the committed state at one height.
type State struct {
	Height   int64
	AppHash  []byte
	Supply   uint64
	Balances map[string]uint64  // bech32 → balance (holders only)
	Accounts map[string]Account // bech32 → account
}

// Snapshot reads the latest committed state (through the app's own export,
// the path an auditor uses).
func Snapshot(t testing.TB, a *app.App) State {
	t.Helper()
	gs, h, err := a.ExportGenesis(0)
	if err != nil {
		t.Fatalf("ExportGenesis: %v", err)
	}
	kv, _, err := a.StateAt(h)
	if err != nil {
		t.Fatalf("StateAt(%d): %v", h, err)
	}
	supply, err := a.Supply(kv)
	if err != nil {
		t.Fatalf("supply: %v", err)
	}
	_, hash := a.LastCommit()
	s := State{Height: h, AppHash: hash, Supply: supply, Balances: map[string]uint64{}, Accounts: map[string]Account{}}
	for _, b := range gs.Token.Balances {
		s.Balances[b.Address] = b.Amount
	}
	for _, acc := range gs.Auth.Accounts {
		s.Accounts[acc.Address] = Account{Sequence: acc.Sequence, PubKey: acc.PubKey, Threshold: acc.Threshold, MemberPubKeys: acc.MemberPubKeys}
	}
	return s
}

// Balance is addr's balance in s (0 for a non-holder).
func (s State) Balance(addr crypto.Address) uint64 { return s.Balances[addr.String()] }

// Sequence is addr's next sequence in s (0 for an unknown account).
func (s State) Sequence(addr crypto.Address) uint64 { return s.Accounts[addr.String()].Sequence }
