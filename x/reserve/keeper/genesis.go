package keeper

import (
	"github.com/petro-network/petro/internal/store"
	"github.com/petro-network/petro/x/reserve/types"
)

// InitGenesis validates and stores params and lots. The first round to
// report is round 1; the status stays STALE until a round settles.
func (k Keeper) InitGenesis(kv store.KVStore, gs *types.GenesisState) error {
	if gs.Params == nil {
		gs.Params = types.DefaultParams()
	}
	if err := gs.Validate(); err != nil {
		return err
	}
	if err := set(kv, types.ParamsKey, gs.Params); err != nil {
		return err
	}
	for _, l := range gs.Lots {
		if err := set(kv, types.LotKey(l.Id), l); err != nil {
			return err
		}
	}
	return set(kv, types.BackingKey, &types.Backing{Status: types.BackingStatus_BACKING_STATUS_STALE})
}

// ExportGenesis returns params and lots (rounds are history, not genesis).
func (k Keeper) ExportGenesis(kv store.KVStore) (*types.GenesisState, error) {
	p, err := k.Params(kv)
	if err != nil {
		return nil, err
	}
	lots, err := k.Lots(kv)
	return &types.GenesisState{Params: p, Lots: lots}, err
}
