package keeper

import (
	"encoding/binary"
	"fmt"

	"github.com/petro-network/petro/internal/crypto"
	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
)

func decodeUint64(bz []byte) (uint64, error) {
	if len(bz) != 8 {
		return 0, fmt.Errorf("token: corrupt amount: %d bytes", len(bz))
	}
	return binary.BigEndian.Uint64(bz), nil
}

// SupplyInvariant checks supply = Σ balances. It returns a description of
// the breach, or nil.
func (k Keeper) SupplyInvariant(kv store.KVStore) error {
	supply, err := k.Supply(kv)
	if err != nil {
		return err
	}
	var sum uint64
	var ovf error
	err = k.IterateBalances(kv, nil, func(_ crypto.Address, amount uint64) bool {
		sum, ovf = petro.SafeAdd(sum, amount)
		return ovf != nil
	})
	if err != nil {
		return err
	}
	if ovf != nil {
		return fmt.Errorf("supply invariant: Σ balances overflows: %w", ovf)
	}
	if sum != supply {
		return fmt.Errorf("supply invariant broken: supply %d ≠ Σ balances %d", supply, sum)
	}
	return nil
}
