package keeper

import (
	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/token/types"
)

// InitGenesis validates gs and stores it: params, balances, the supply
// (Σ balances + escrow), the totals, redemptions with their indexes,
// freezes and the pause state. A new chain gives only params and balances;
// petrod export gives everything, and InitGenesis writes back exactly the
// keys ExportGenesis read.
func (k Keeper) InitGenesis(kv store.KVStore, gs *types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	bz, err := marshal.Marshal(gs.Params)
	if err != nil {
		return err
	}
	if err := kv.Set(types.ParamsKey, bz); err != nil {
		return err
	}
	var supply uint64
	for _, b := range gs.Balances {
		addr, _ := crypto.AddressFromBech32(b.Address) // validated
		if err := k.setBalance(kv, addr, b.Amount); err != nil {
			return err
		}
		supply += b.Amount // Validate proved the sum fits
	}
	totals := gs.GetTotals()
	if totals == nil {
		totals = &types.Totals{Issued: supply}
	}
	supply += totals.Escrow // Validate proved supply = Σ balances + escrow
	if err := petro.SetUint64(kv, types.SupplyKey, supply); err != nil {
		return err
	}
	if err := k.initMonetary(kv, gs, supply); err != nil {
		return err
	}
	if err := k.setTotals(kv, totals); err != nil {
		return err
	}
	if gs.LastRedemptionId != 0 {
		if err := petro.SetUint64(kv, types.RedemptionSeqKey, gs.LastRedemptionId); err != nil {
			return err
		}
	}
	for _, r := range gs.Redemptions {
		owner, _ := crypto.AddressFromBech32(r.Owner) // validated
		if err := k.setRedemption(kv, r); err != nil {
			return err
		}
		if err := kv.Set(types.RedemptionOwnerKey(owner, r.Id), []byte{1}); err != nil {
			return err
		}
		if types.RedemptionOpen(r.Status) {
			if err := kv.Set(types.RedemptionOpenKey(r.DeadlineUnix, r.Id), []byte{1}); err != nil {
				return err
			}
		}
	}
	for _, f := range gs.Frozen {
		addr, _ := crypto.AddressFromBech32(f.Address) // validated
		if err := setMsg(kv, types.FrozenKey(addr), f); err != nil {
			return err
		}
	}
	if gs.Pause != nil {
		return setMsg(kv, types.PauseKey, gs.Pause)
	}
	return nil
}

// ExportGenesis returns the whole token state: params, every balance in
// address order, supply, totals, every redemption by id, every freeze and
// the pause state.
func (k Keeper) ExportGenesis(kv store.KVStore) (*types.GenesisState, error) {
	p, err := k.Params(kv)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Params: p}
	err = k.IterateBalances(kv, nil, func(addr crypto.Address, amount uint64) bool {
		gs.Balances = append(gs.Balances, &types.Balance{Address: addr.String(), Amount: amount})
		return false
	})
	if err != nil {
		return nil, err
	}
	if gs.Supply, err = k.Supply(kv); err != nil {
		return nil, err
	}
	if gs.Totals, err = k.Totals(kv); err != nil {
		return nil, err
	}
	if gs.LastRedemptionId, err = petro.GetUint64(kv, types.RedemptionSeqKey, 0); err != nil {
		return nil, err
	}
	if err := petro.IterateProto(kv, types.RedemptionPrefix, func() proto.Message { return &types.Redemption{} }, func(m proto.Message) bool {
		gs.Redemptions = append(gs.Redemptions, m.(*types.Redemption))
		return false
	}); err != nil {
		return nil, err
	}
	if err := petro.IterateProto(kv, types.FrozenPrefix, func() proto.Message { return &types.FreezeRecord{} }, func(m proto.Message) bool {
		gs.Frozen = append(gs.Frozen, m.(*types.FreezeRecord))
		return false
	}); err != nil {
		return nil, err
	}
	pause := &types.PauseState{}
	ok, err := getMsg(kv, types.PauseKey, pause)
	if err != nil {
		return nil, err
	}
	if ok {
		gs.Pause = pause
	}
	return gs, k.exportMonetary(kv, gs)
}

// IterateBalances calls fn for each non-zero balance from start (an address,
// nil for the first) in address order until fn returns true.
func (k Keeper) IterateBalances(kv store.KVStore, start []byte, fn func(addr crypto.Address, amount uint64) (stop bool)) error {
	it, err := kv.Iterator(types.BalanceKey(start), petro.PrefixEnd(types.BalanceKeyPrefix))
	if err != nil {
		return err
	}
	defer it.Close()
	for ; it.Valid(); it.Next() {
		addr := crypto.Address(append([]byte(nil), it.Key()[len(types.BalanceKeyPrefix):]...))
		amount, err := petro.DecodeUint64(it.Value())
		if err != nil {
			return err
		}
		if fn(addr, amount) {
			break
		}
	}
	return it.Error()
}
