// Package keeper holds PTR balances and supply and applies x/token messages.
package keeper

import (
	"strconv"

	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/token/types"
)

// Keeper reads and writes token state in the store it is handed. The zero
// value serves balances, supply and params; issuance, redemption and
// compliance need the keepers given to NewKeeper.

type Keeper struct {
	authority types.AuthorityKeeper
	reserve   types.ReserveKeeper
}

// NewKeeper wires x/token to the roles and the reserve it depends on.
func NewKeeper(a types.AuthorityKeeper, r types.ReserveKeeper) Keeper {
	return Keeper{authority: a, reserve: r}
}

var marshal = proto.MarshalOptions{Deterministic: true}

// Balance returns addr's balance in base units (0 if none).
func (Keeper) Balance(kv store.KVStore, addr crypto.Address) (uint64, error) {
	return petro.GetUint64(kv, types.BalanceKey(addr), 0)
}

// setBalance stores amount, deleting the key at zero so state holds only
// holders.
func (Keeper) setBalance(kv store.KVStore, addr crypto.Address, amount uint64) error {
	if amount == 0 {
		return kv.Delete(types.BalanceKey(addr))
	}
	return petro.SetUint64(kv, types.BalanceKey(addr), amount)
}

// Supply returns the total supply in base units.
func (Keeper) Supply(kv store.KVStore) (uint64, error) {
	return petro.GetUint64(kv, types.SupplyKey, 0)
}

// Params returns the module parameters.
func (Keeper) Params(kv store.KVStore) (*types.Params, error) {
	bz, err := kv.Get(types.ParamsKey)
	if err != nil {
		return nil, err
	}
	p := &types.Params{}
	if bz == nil {
		return types.DefaultParams(), nil
	}
	return p, proto.Unmarshal(bz, p)
}

// Send moves amount from → to (distinct addresses) with checked
// arithmetic. It does not check signers; the caller (the message server)
// has.
func (k Keeper) Send(kv store.KVStore, from, to crypto.Address, amount uint64) error {
	// from == to would read both balances before writing either and so
	// credit amount out of nothing.
	if from.Equals(to) {
		return types.ErrSelfTransfer.Wrap(from.String())
	}
	fromBal, err := k.Balance(kv, from)
	if err != nil {
		return err
	}
	if fromBal < amount {
		return types.ErrInsufficientFunds.Wrapf("%s has %d, needs %d", from, fromBal, amount)
	}
	toBal, err := k.Balance(kv, to)
	if err != nil {
		return err
	}
	newTo, err := petro.SafeAdd(toBal, amount)
	if err != nil {
		return types.ErrSupplyOverflow.Wrap(err.Error())
	}
	if err := k.setBalance(kv, from, fromBal-amount); err != nil {
		return err
	}
	return k.setBalance(kv, to, newTo)
}

func transferEvent(from, to string, amount uint64) petro.Event {
	return petro.NewEvent(types.EventTypeTransfer,
		types.AttrSender, from,
		types.AttrRecipient, to,
		types.AttrAmount, strconv.FormatUint(amount, 10))
}

// HardCap is the most PTR (base units) that may ever exist.
func (k Keeper) HardCap(kv store.KVStore) (uint64, error) {
	p, err := k.Params(kv)
	if err != nil {
		return 0, err
	}
	return p.HardCap, nil
}
