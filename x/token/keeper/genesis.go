package keeper

import (
	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/token/types"
)

// InitGenesis validates gs and stores params, balances and their sum as
// the supply.
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
	if err := setUint64(kv, types.SupplyKey, supply); err != nil {
		return err
	}
	if err := k.initMonetary(kv, gs, supply); err != nil {
		return err
	}
	return k.setTotals(kv, &types.Totals{Issued: supply})
}

// ExportGenesis returns params and every balance in address order.
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
		amount, err := decodeUint64(it.Value())
		if err != nil {
			return err
		}
		if fn(addr, amount) {
			break
		}
	}
	return it.Error()
}
