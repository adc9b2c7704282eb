// Package keeper keeps the reserve ledger: lots, oracle attestations,
// quorum rounds settled by median, and the backing status computed at the
// end of every block.
package keeper

import (
	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/reserve/types"
)

// Keeper reads and writes reserve state in the store it is handed; it
// sees x/authority and x/token only through the small interfaces in
// types/expected_keepers.go.
type Keeper struct {
	authority types.AuthorityKeeper
	token     types.TokenKeeper
}

func NewKeeper(a types.AuthorityKeeper, t types.TokenKeeper) Keeper {
	return Keeper{authority: a, token: t}
}

// Shared state helpers: deterministic protobuf values at keys.
var (
	get     = petro.GetProto
	set     = petro.SetProto
	iterate = petro.IterateProto
)

// Params returns the module parameters.
func (Keeper) Params(kv store.KVStore) (*types.Params, error) {
	p := &types.Params{}
	ok, err := get(kv, types.ParamsKey, p)
	if !ok && err == nil {
		return types.DefaultParams(), nil
	}
	return p, err
}

// OpenRound is the round oracles report to now (rounds start at 1).
func (Keeper) OpenRound(kv store.KVStore) (uint64, error) {
	return petro.GetUint64(kv, types.OpenRoundKey, 1)
}

// Lot returns lot id, or nil.
func (Keeper) Lot(kv store.KVStore, id string) (*types.Lot, error) {
	l := &types.Lot{}
	ok, err := get(kv, types.LotKey(id), l)
	if !ok {
		return nil, err
	}
	return l, nil
}

// Lots returns every lot (retired ones too) in id order.
func (Keeper) Lots(kv store.KVStore) ([]*types.Lot, error) {
	var out []*types.Lot
	err := iterate(kv, types.LotPrefix, func() proto.Message { return &types.Lot{} }, func(m proto.Message) bool {
		out = append(out, m.(*types.Lot))
		return false
	})
	return out, err
}

// activeLots are the lots an attestation at time now must cover: not
// retired, certificate not expired.
func (k Keeper) activeLots(kv store.KVStore, now int64) ([]*types.Lot, error) {
	all, err := k.Lots(kv)
	if err != nil {
		return nil, err
	}
	var out []*types.Lot
	for _, l := range all {
		if !l.Retired && l.ValidUntilUnix > now {
			out = append(out, l)
		}
	}
	return out, nil
}

// Round returns settled round id, or ErrRoundNotFound.
func (Keeper) Round(kv store.KVStore, id uint64) (*types.SettledRound, error) {
	r := &types.SettledRound{}
	ok, err := get(kv, types.RoundKey(id), r)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, types.ErrRoundNotFound.Wrapf("%d", id)
	}
	return r, nil
}

// LatestRound returns the last settled round, or nil if none has settled.
func (k Keeper) LatestRound(kv store.KVStore) (*types.SettledRound, error) {
	open, err := k.OpenRound(kv)
	if err != nil || open <= 1 {
		return nil, err
	}
	return k.Round(kv, open-1)
}

// Backing returns the backing computed at the end of the last block.
func (Keeper) Backing(kv store.KVStore) (*types.Backing, error) {
	b := &types.Backing{}
	_, err := get(kv, types.BackingKey, b)
	return b, err
}

// OracleRecord returns addr's reliability record (zero if none yet).
func (Keeper) OracleRecord(kv store.KVStore, addr []byte, bech string) (*types.OracleRecord, error) {
	r := &types.OracleRecord{Address: bech}
	_, err := get(kv, types.OracleKey(addr), r)
	return r, err
}

// Reports returns the attestations submitted to round, in oracle-address
// order.
func (Keeper) Reports(kv store.KVStore, round uint64) ([]*types.Attestation, error) {
	var out []*types.Attestation
	err := iterate(kv, types.ReportRoundPrefix(round), func() proto.Message { return &types.Attestation{} }, func(m proto.Message) bool {
		out = append(out, m.(*types.Attestation))
		return false
	})
	return out, err
}

// Deliveries lists deliveries not yet reflected in a settled round.
func (Keeper) Deliveries(kv store.KVStore) ([]*types.Delivery, [][]byte, error) {
	var out []*types.Delivery
	var keys [][]byte
	it, err := kv.Iterator(types.DeliveryPrefix, petro.PrefixEnd(types.DeliveryPrefix))
	if err != nil {
		return nil, nil, err
	}
	defer it.Close()
	for ; it.Valid(); it.Next() {
		d := &types.Delivery{}
		if err := proto.Unmarshal(it.Value(), d); err != nil {
			return nil, nil, err
		}
		out = append(out, d)
		keys = append(keys, it.Key())
	}
	return out, keys, it.Error()
}

// RecordDelivery notes barrels that left the reserve through a fulfilled
// redemption at block time now. Available barrels drop by them until a
// round observed after now settles.
func (Keeper) RecordDelivery(ctx petro.Context, redemptionID, barrels uint64) error {
	kv := ctx.Store()
	seq, err := petro.GetUint64(kv, types.DeliverySeqKey, 0)
	if err != nil {
		return err
	}
	if err := set(kv, types.DeliveryKey(seq), &types.Delivery{RedemptionId: redemptionID, Barrels: barrels, TimeUnix: ctx.BlockTime().Unix()}); err != nil {
		return err
	}
	return petro.SetUint64(kv, types.DeliverySeqKey, seq+1)
}

func (k Keeper) oracleRecordBech(kv store.KVStore, bech string) (*types.OracleRecord, error) {
	addr, err := crypto.AddressFromBech32(bech)
	if err != nil {
		return nil, err
	}
	return k.OracleRecord(kv, addr, bech)
}

// eligibleOracles lists the oracles that can report now: holders of
// ROLE_ORACLE that are not frozen, sorted. Only their reports settle a
// round.
func (k Keeper) eligibleOracles(kv store.KVStore) ([]string, error) {
	oracles, err := k.authority.Oracles(kv)
	if err != nil {
		return nil, err
	}
	out := oracles[:0:0]
	for _, o := range oracles {
		addr, err := crypto.AddressFromBech32(o)
		if err != nil {
			return nil, err
		}
		frozen, err := k.token.IsFrozen(kv, addr)
		if err != nil {
			return nil, err
		}
		if !frozen {
			out = append(out, o)
		}
	}
	return out, nil
}

// CheckQuorum refuses (ErrQuorumUnreachable, naming both numbers) a
// quorum above oracles, the number of oracles (ROLE_ORACLE holders,
// frozen ones included) the chain will have after the change being
// checked. It reads only the params, so the zero Keeper serves x/authority.
func (k Keeper) CheckQuorum(kv store.KVStore, oracles int) error {
	p, err := k.Params(kv)
	if err != nil {
		return err
	}
	return checkQuorum(p.Quorum, oracles)
}

func checkQuorum(quorum uint32, oracles int) error {
	if int64(quorum) > int64(oracles) {
		return types.ErrQuorumUnreachable.Wrapf("quorum %d > %d oracles", quorum, oracles)
	}
	return nil
}

// CheckGenesisQuorum applies the quorum rule to the genesis state (after
// every module's InitGenesis): a genesis that names oracles names at
// least quorum of them. A genesis without any oracle is a chain whose
// oracles the council appoints later; it stays STALE
// (STALE_REASON_TOO_FEW_ORACLES) until it has enough.
func (k Keeper) CheckGenesisQuorum(kv store.KVStore) error {
	oracles, err := k.authority.Oracles(kv)
	if err != nil || len(oracles) == 0 {
		return err
	}
	return k.CheckQuorum(kv, len(oracles))
}
