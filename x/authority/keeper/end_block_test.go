package keeper_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/authority/types"
)

// failingDelete is a store whose Delete of one key fails: the end-block
// fails after an executed action was written, while finalising its
// proposal.
type failingDelete struct {
	store.KVStore
	key []byte
}

var errDisk = errors.New("injected store failure")

func (f failingDelete) Delete(key []byte) error {
	if bytes.Equal(key, f.key) {
		return errDisk
	}
	return f.KVStore.Delete(key)
}

// A store error after an AddValidator executed must not hand CometBFT the
// update (#17): the failed step's result is empty.
func TestFailedEndBlockReturnsNoUpdates(t *testing.T) {
	e := newEnv(t, nil)
	id, _ := e.propose(1, addVal(7, 10))
	if err := e.approve(2, id); err != nil {
		t.Fatal(err)
	}
	ctx := petro.NewContext(failingDelete{e.kv, types.ActiveKey(id)}, "test", e.h, e.now)
	res, err := e.k.EndBlock(ctx, nil)
	if !errors.Is(err, errDisk) {
		t.Fatalf("end block error %v, want the injected one", err)
	}
	if len(res.ValidatorUpdates) != 0 || res.PeersChanged {
		t.Fatalf("failed end block returned %+v, want nothing", res)
	}
}
