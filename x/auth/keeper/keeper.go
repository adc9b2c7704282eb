// Package keeper stores accounts: the public key and the next sequence of
// every address that has signed or been given state at genesis.
package keeper

import (
	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/store"
	"github.com/petro-network/petro/x/auth/types"
)

// Keeper reads and writes accounts in whatever store it is handed; it holds
// no state of its own, so one value serves every branch and height.
type Keeper struct{}

var marshal = proto.MarshalOptions{Deterministic: true}

// Account returns the account at addr, or a new one (sequence 0, no key) if
// the address was never seen.
func (Keeper) Account(kv store.KVStore, addr crypto.Address) (*types.Account, error) {
	bz, err := kv.Get(types.AccountKey(addr))
	if err != nil {
		return nil, err
	}
	acc := &types.Account{}
	if bz == nil {
		acc.Address = addr.String()
		return acc, nil
	}
	if err := proto.Unmarshal(bz, acc); err != nil {
		return nil, err
	}
	return acc, nil
}

// SetAccount stores acc under its address.
func (Keeper) SetAccount(kv store.KVStore, addr crypto.Address, acc *types.Account) error {
	bz, err := marshal.Marshal(acc)
	if err != nil {
		return err
	}
	return kv.Set(types.AccountKey(addr), bz)
}
