package keeper

import (
	"context"
	"encoding/binary"

	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/crypto"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/reserve/types"
)

// QueryServer answers petro.reserve.v1.Query from committed state.
type QueryServer struct {
	// Unsafe, not Unimplemented: an RPC added to query.proto and not
	// implemented here fails to compile instead of answering Unimplemented.
	types.UnsafeQueryServer
	k     Keeper
	state petro.StateReader
}

var _ types.QueryServer = (*QueryServer)(nil)

func NewQueryServer(k Keeper, state petro.StateReader) *QueryServer {
	return &QueryServer{k: k, state: state}
}

func (q *QueryServer) Status(_ context.Context, req *types.QueryStatusRequest) (*types.QueryStatusResponse, error) {
	kv, h, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	b, err := q.k.Backing(kv)
	if err != nil {
		return nil, err
	}
	resp := &types.QueryStatusResponse{Backing: b, Height: h}
	if req.GetProve() {
		resp.Proof, err = petro.ProveKey(q.state, h, types.BackingKey)
	}
	return resp, err
}

func (q *QueryServer) LatestRound(_ context.Context, req *types.QueryLatestRoundRequest) (*types.QueryRoundResponse, error) {
	kv, h, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	r, err := q.k.LatestRound(kv)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, types.ErrRoundNotFound.Wrap("no round has settled yet")
	}
	resp := &types.QueryRoundResponse{Round: r, Height: h}
	if req.GetProve() {
		resp.Proof, err = petro.ProveKey(q.state, h, types.RoundKey(r.Id))
	}
	return resp, err
}

func (q *QueryServer) Round(_ context.Context, req *types.QueryRoundRequest) (*types.QueryRoundResponse, error) {
	kv, h, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	r, err := q.k.Round(kv, req.GetId())
	if err != nil {
		return nil, err
	}
	resp := &types.QueryRoundResponse{Round: r, Height: h}
	if req.GetProve() {
		resp.Proof, err = petro.ProveKey(q.state, h, types.RoundKey(req.GetId()))
	}
	return resp, err
}

type iter = interface {
	Valid() bool
	Next()
	Key() []byte
	Value() []byte
	Error() error
	Close() error
}

func (q *QueryServer) rounds(height int64, page *types.PageRequest, fn func(*types.SettledRound)) (int64, []byte, error) {
	limit := petro.PageLimit(page.GetLimit())
	kv, h, err := q.state.StateAt(height)
	if err != nil {
		return 0, nil, err
	}
	start, end := types.RoundPrefix, petro.PrefixEnd(types.RoundPrefix)
	if key := page.GetKey(); len(key) != 0 {
		if len(key) != 8 {
			return 0, nil, types.ErrRoundNotFound.Wrap("pagination key must be an 8-byte round id")
		}
		if page.GetReverse() {
			end = types.RoundKey(binary.BigEndian.Uint64(key) + 1)
		} else {
			start = types.RoundKey(binary.BigEndian.Uint64(key))
		}
	}
	var it iter
	if page.GetReverse() {
		it, err = kv.ReverseIterator(start, end)
	} else {
		it, err = kv.Iterator(start, end)
	}
	if err != nil {
		return 0, nil, err
	}
	defer it.Close()
	n := 0
	for ; it.Valid(); it.Next() {
		r := &types.SettledRound{}
		if err := proto.Unmarshal(it.Value(), r); err != nil {
			return 0, nil, err
		}
		if n == limit {
			return h, binary.BigEndian.AppendUint64(nil, r.Id), nil
		}
		fn(r)
		n++
	}
	return h, nil, it.Error()
}

func (q *QueryServer) Rounds(_ context.Context, req *types.QueryRoundsRequest) (*types.QueryRoundsResponse, error) {
	resp := &types.QueryRoundsResponse{Pagination: &types.PageResponse{}}
	h, next, err := q.rounds(req.GetHeight(), req.GetPagination(), func(r *types.SettledRound) { resp.Rounds = append(resp.Rounds, r) })
	resp.Height, resp.Pagination.NextKey = h, next
	if err != nil || !req.GetProve() {
		return resp, err
	}
	for _, r := range resp.Rounds {
		p, err := petro.ProveKey(q.state, h, types.RoundKey(r.Id))
		if err != nil {
			return nil, err
		}
		resp.Proofs = append(resp.Proofs, p)
	}
	return resp, nil
}

// History lists, per settled round, the figures recorded when it settled
// (coverage included, so later parameter changes do not rewrite history).
func (q *QueryServer) History(_ context.Context, req *types.QueryHistoryRequest) (*types.QueryHistoryResponse, error) {
	resp := &types.QueryHistoryResponse{Pagination: &types.PageResponse{}}
	h, next, err := q.rounds(req.GetHeight(), req.GetPagination(), func(r *types.SettledRound) {
		resp.Entries = append(resp.Entries, &types.HistoryEntry{
			RoundId: r.Id, SettledHeight: r.SettledHeight, ObservedAtUnix: r.ObservedAtUnix,
			ReserveBarrels: r.TotalBarrels, Price: r.Price, Supply: r.Supply, CoverageBps: r.CoverageBps,
		})
	})
	if err != nil {
		return nil, err
	}
	resp.Height, resp.Pagination.NextKey = h, next
	return resp, nil
}

func (q *QueryServer) OpenRound(_ context.Context, req *types.QueryOpenRoundRequest) (*types.QueryOpenRoundResponse, error) {
	kv, h, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	open, err := q.k.OpenRound(kv)
	if err != nil {
		return nil, err
	}
	reports, err := q.k.Reports(kv, open)
	if err != nil {
		return nil, err
	}
	p, err := q.k.Params(kv)
	if err != nil {
		return nil, err
	}
	return &types.QueryOpenRoundResponse{RoundId: open, Attestations: reports, Quorum: p.Quorum, Height: h}, nil
}

func (q *QueryServer) Lots(_ context.Context, req *types.QueryLotsRequest) (*types.QueryLotsResponse, error) {
	kv, h, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	resp := &types.QueryLotsResponse{Height: h, Pagination: &types.PageResponse{}}
	resp.Pagination.NextKey, err = petro.PageProto(kv, types.LotPrefix, req.GetPagination().GetKey(), req.GetPagination().GetLimit(),
		func() proto.Message { return &types.Lot{} }, func(m proto.Message) { resp.Lots = append(resp.Lots, m.(*types.Lot)) })
	if err != nil {
		return nil, err
	}
	if !req.GetProve() {
		return resp, nil
	}
	for _, l := range resp.Lots {
		p, err := petro.ProveKey(q.state, h, types.LotKey(l.Id))
		if err != nil {
			return nil, err
		}
		resp.Proofs = append(resp.Proofs, p)
	}
	return resp, nil
}

func (q *QueryServer) Oracles(_ context.Context, req *types.QueryOraclesRequest) (*types.QueryOraclesResponse, error) {
	kv, h, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	addrs, err := q.k.authority.Oracles(kv)
	if err != nil {
		return nil, err
	}
	resp := &types.QueryOraclesResponse{Height: h, Pagination: &types.PageResponse{}}
	addrs, resp.Pagination.NextKey = petro.PageOf(addrs, func(a string) []byte { return []byte(a) },
		req.GetPagination().GetKey(), req.GetPagination().GetLimit())
	for _, a := range addrs {
		rec, err := q.k.oracleRecordBech(kv, a)
		if err != nil {
			return nil, err
		}
		resp.Oracles = append(resp.Oracles, rec)
		if req.GetProve() {
			addr, err := crypto.AddressFromBech32(a)
			if err != nil {
				return nil, err
			}
			p, err := petro.ProveKey(q.state, h, types.OracleKey(addr))
			if err != nil {
				return nil, err
			}
			resp.Proofs = append(resp.Proofs, p)
		}
	}
	return resp, nil
}

func (q *QueryServer) Params(_ context.Context, req *types.QueryParamsRequest) (*types.QueryParamsResponse, error) {
	kv, h, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	p, err := q.k.Params(kv)
	if err != nil {
		return nil, err
	}
	resp := &types.QueryParamsResponse{Params: p, Height: h}
	if req.GetProve() {
		resp.Proof, err = petro.ProveKey(q.state, h, types.ParamsKey)
	}
	return resp, err
}
