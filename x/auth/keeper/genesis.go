package keeper

import (
	"fmt"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/crypto/multisig"
	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/auth/types"
)

// InitGenesis stores the genesis accounts after validating them: a
// single key (pub_key) or a threshold key (threshold, member_pub_keys in
// canonical order) must derive the account's address. ExportGenesis
// writes both kinds back as stored.
func (k Keeper) InitGenesis(kv store.KVStore, gs *types.GenesisState) error {
	seen := map[string]bool{}
	for i, acc := range gs.GetAccounts() {
		addr, err := crypto.AddressFromBech32(acc.Address)
		if err != nil {
			return fmt.Errorf("auth genesis: account %d: %w", i, err)
		}
		if seen[string(addr)] { // by bytes: the upper-case spelling is the same account
			return fmt.Errorf("auth genesis: duplicate account %s", acc.Address)
		}
		seen[string(addr)] = true
		if acc.Threshold != 0 || len(acc.MemberPubKeys) > 0 {
			if len(acc.PubKey) > 0 {
				return fmt.Errorf("auth genesis: account %s: both pub_key and a threshold key", acc.Address)
			}
			mk, err := multisig.Parse(acc.Threshold, acc.MemberPubKeys, nil)
			if err != nil {
				return fmt.Errorf("auth genesis: account %s: threshold key: %w", acc.Address, err)
			}
			if !mk.Address().Equals(addr) {
				return fmt.Errorf("auth genesis: account %s: threshold key belongs to %s", acc.Address, mk.Address())
			}
		}
		if len(acc.PubKey) > 0 {
			pk, err := crypto.PubKeyFromBytes(acc.PubKey)
			if err != nil {
				return fmt.Errorf("auth genesis: account %s: %w", acc.Address, err)
			}
			if !pk.Address().Equals(addr) {
				return fmt.Errorf("auth genesis: account %s: public key belongs to %s", acc.Address, pk.Address())
			}
		}
		if err := k.SetAccount(kv, addr, acc); err != nil {
			return err
		}
	}
	return nil
}

// ExportGenesis lists every stored account in address order.
func (k Keeper) ExportGenesis(kv store.KVStore) (*types.GenesisState, error) {
	it, err := kv.Iterator(types.AccountKeyPrefix, petro.PrefixEnd(types.AccountKeyPrefix))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	gs := &types.GenesisState{}
	for ; it.Valid(); it.Next() {
		acc := &types.Account{}
		if err := unmarshal(it.Value(), acc); err != nil {
			return nil, err
		}
		gs.Accounts = append(gs.Accounts, acc)
	}
	return gs, it.Error()
}
