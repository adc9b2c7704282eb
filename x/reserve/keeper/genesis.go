package keeper

import (
	"encoding/binary"

	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/reserve/types"
)

// InitGenesis validates and stores gs. A new chain gives params and lots:
// the first round to report is round 1 and the status stays STALE until a
// round settles. An export (petrod export) also carries the backing, the
// open round, settled rounds, the open round's attestations, oracle
// records and deliveries; InitGenesis writes back exactly the keys
// ExportGenesis read.
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
	if gs.OpenRound != 0 {
		if err := petro.SetUint64(kv, types.OpenRoundKey, gs.OpenRound); err != nil {
			return err
		}
	}
	for _, r := range gs.Rounds {
		if err := set(kv, types.RoundKey(r.Id), r); err != nil {
			return err
		}
	}
	for _, a := range gs.Reports {
		addr, _ := crypto.AddressFromBech32(a.Oracle) // validated
		if err := set(kv, types.ReportKey(a.RoundId, addr), a); err != nil {
			return err
		}
	}
	for _, o := range gs.Oracles {
		addr, _ := crypto.AddressFromBech32(o.Address) // validated
		if err := set(kv, types.OracleKey(addr), o); err != nil {
			return err
		}
	}
	for _, d := range gs.Deliveries {
		if err := set(kv, types.DeliveryKey(d.Seq), d.Delivery); err != nil {
			return err
		}
	}
	if gs.NextDeliverySeq != 0 {
		if err := petro.SetUint64(kv, types.DeliverySeqKey, gs.NextDeliverySeq); err != nil {
			return err
		}
	}
	b := gs.GetBacking()
	if b == nil {
		b = &types.Backing{Status: types.BackingStatus_BACKING_STATUS_STALE}
	}
	return set(kv, types.BackingKey, b)
}

// ExportGenesis returns the whole reserve ledger: params, lots, the
// backing, the open round, settled rounds, pending attestations, oracle
// records and deliveries, each in key order.
func (k Keeper) ExportGenesis(kv store.KVStore) (*types.GenesisState, error) {
	p, err := k.Params(kv)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Params: p}
	if gs.Lots, err = k.Lots(kv); err != nil {
		return nil, err
	}
	if gs.Backing, err = k.Backing(kv); err != nil {
		return nil, err
	}
	if gs.OpenRound, err = petro.GetUint64(kv, types.OpenRoundKey, 0); err != nil {
		return nil, err
	}
	if gs.NextDeliverySeq, err = petro.GetUint64(kv, types.DeliverySeqKey, 0); err != nil {
		return nil, err
	}
	collect := func(prefix []byte, newMsg func() proto.Message, add func(proto.Message)) error {
		return iterate(kv, prefix, newMsg, func(m proto.Message) bool { add(m); return false })
	}
	if err := collect(types.RoundPrefix, func() proto.Message { return &types.SettledRound{} },
		func(m proto.Message) { gs.Rounds = append(gs.Rounds, m.(*types.SettledRound)) }); err != nil {
		return nil, err
	}
	if err := collect(types.ReportPrefix, func() proto.Message { return &types.Attestation{} },
		func(m proto.Message) { gs.Reports = append(gs.Reports, m.(*types.Attestation)) }); err != nil {
		return nil, err
	}
	if err := collect(types.OraclePrefix, func() proto.Message { return &types.OracleRecord{} },
		func(m proto.Message) { gs.Oracles = append(gs.Oracles, m.(*types.OracleRecord)) }); err != nil {
		return nil, err
	}
	ds, keys, err := k.Deliveries(kv)
	if err != nil {
		return nil, err
	}
	for i, d := range ds {
		seq := binary.BigEndian.Uint64(keys[i][len(types.DeliveryPrefix):])
		gs.Deliveries = append(gs.Deliveries, &types.GenesisDelivery{Seq: seq, Delivery: d})
	}
	return gs, nil
}
