package app_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/internal/store"
	"github.com/petro-network/petro/internal/testutil"
	authoritykeeper "github.com/petro-network/petro/x/authority/keeper"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
)

// failingDelete fails the Delete of one key: the authority end-block fails
// after the validator change executed, while finalising its proposal.
type failingDelete struct {
	store.KVStore
	key []byte
}

func (f failingDelete) Delete(key []byte) error {
	if bytes.Equal(key, f.key) {
		return errors.New("injected store failure")
	}
	return f.KVStore.Delete(key)
}

// A failed end-block step contributes nothing: a store error after an
// AddValidator executed sends CometBFT no validator update and leaves the
// set and the proposal as they were; the next block executes it (#17).
func TestFailedEndBlockStepSendsNoValidatorUpdate(t *testing.T) {
	gs, blocks := goldenChain(t)
	a := testutil.NewApp(t, gs)
	run := func(i int) (validatorUpdates int) {
		raws := make([][]byte, len(blocks[i].txs))
		for j, tx := range blocks[i].txs {
			raws[j] = tx.raw
		}
		resp := testutil.Block(t, a, int64(i+1), blocks[i].time, raws...)
		return len(resp.ValidatorUpdates)
	}
	for i := 0; i < 9; i++ {
		run(i)
	}
	const addValidatorProposal = 6 // block 10 proposes and approves it
	restore := app.SetEndBlockStoreHook(func(step string, kv store.KVStore) store.KVStore {
		if step != "authority" {
			return kv
		}
		return failingDelete{kv, authoritytypes.ActiveKey(addValidatorProposal)}
	})
	if got := run(9); got != 0 {
		t.Fatalf("failed authority step sent %d validator updates", got)
	}
	restore()
	kv, _, _ := a.StateAt(0)
	vals, _ := authoritykeeper.Keeper{}.Validators(kv)
	p, _ := authoritykeeper.Keeper{}.Proposal(kv, addValidatorProposal)
	if len(vals) != 4 || p.GetStatus() != authoritytypes.ProposalStatus_PROPOSAL_STATUS_VOTING {
		t.Fatalf("after the failed step: %d validators, proposal %s; want 4, VOTING", len(vals), p.GetStatus())
	}
	if got := run(10); got != 1 {
		t.Fatalf("next block: %d validator updates, want 1", got)
	}
}
