package keeper

import (
	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/token/types"
)

// Totals returns the issued / burned / escrow counters.
func (Keeper) Totals(kv store.KVStore) (*types.Totals, error) {
	t := &types.Totals{}
	_, err := getMsg(kv, types.TotalsKey, t)
	return t, err
}

func (Keeper) setTotals(kv store.KVStore, t *types.Totals) error {
	return setMsg(kv, types.TotalsKey, t)
}

// Pause returns what is paused.
func (Keeper) Pause(kv store.KVStore) (*types.PauseState, error) {
	p := &types.PauseState{}
	_, err := getMsg(kv, types.PauseKey, p)
	return p, err
}

// Frozen returns addr's freeze record, or nil if it is not frozen.
func (Keeper) Frozen(kv store.KVStore, addr crypto.Address) (*types.FreezeRecord, error) {
	r := &types.FreezeRecord{}
	ok, err := getMsg(kv, types.FrozenKey(addr), r)
	if !ok {
		return nil, err
	}
	return r, nil
}

// IsFrozen reports whether addr is frozen. It reads only the store, so
// the zero Keeper serves x/authority and x/reserve, which refuse a frozen
// signer's role messages with it.
func (k Keeper) IsFrozen(kv store.KVStore, addr crypto.Address) (bool, error) {
	r, err := k.Frozen(kv, addr)
	return r != nil, err
}

// checkSignerNotFrozen refuses a role message whose signer is frozen
// (ErrSignerFrozen): a frozen key exercises no role. It runs right after
// the role check.
func (k Keeper) checkSignerNotFrozen(kv store.KVStore, addr crypto.Address) error {
	r, err := k.Frozen(kv, addr)
	if err != nil {
		return err
	}
	if r != nil {
		return types.ErrSignerFrozen.Wrapf("%s (case %s)", addr, r.CaseId)
	}
	return nil
}

func (k Keeper) checkNotFrozen(kv store.KVStore, addr crypto.Address, role string) error {
	r, err := k.Frozen(kv, addr)
	if err != nil {
		return err
	}
	if r != nil {
		return types.ErrFrozen.Wrapf("%s %s (case %s)", role, addr, r.CaseId)
	}
	return nil
}

// Redemption returns redemption id or ErrRedemptionNotFound.
func (Keeper) Redemption(kv store.KVStore, id uint64) (*types.Redemption, error) {
	r := &types.Redemption{}
	ok, err := getMsg(kv, types.RedemptionKey(id), r)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, types.ErrRedemptionNotFound.Wrapf("%d", id)
	}
	return r, nil
}

func (Keeper) setRedemption(kv store.KVStore, r *types.Redemption) error {
	return setMsg(kv, types.RedemptionKey(r.Id), r)
}

// Shared state helpers: deterministic protobuf values at keys.
var (
	getMsg = petro.GetProto
	setMsg = petro.SetProto
)

var unmarshalRedemption = func(bz []byte, r *types.Redemption) error { return proto.Unmarshal(bz, r) }
var unmarshalProto = proto.Unmarshal
