package keeper

import (
	"context"
	"encoding/binary"
	"slices"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/crypto"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/token/types"
)

// QueryServer answers petro.token.v1.Query from committed state.
type QueryServer struct {
	// Unsafe, not Unimplemented: an RPC added to query.proto and not
	// implemented here fails to compile instead of answering Unimplemented.
	types.UnsafeQueryServer
	k     Keeper
	state petro.StateReader
	// invariants evaluates every module's invariants (the app's); nil
	// means token's own.
	invariants func(kv petro.KVStore, full bool) ([]petro.InvariantResult, error)
}

var _ types.QueryServer = (*QueryServer)(nil)

func NewQueryServer(k Keeper, state petro.StateReader) *QueryServer {
	return &QueryServer{k: k, state: state}
}

// WithInvariants makes the Invariants query report all of the app's
// invariants, as evaluated by f, instead of token's alone.
func (q *QueryServer) WithInvariants(f func(kv petro.KVStore, full bool) ([]petro.InvariantResult, error)) *QueryServer {
	q.invariants = f
	return q
}

func (q *QueryServer) Balance(_ context.Context, req *types.QueryBalanceRequest) (*types.QueryBalanceResponse, error) {
	addr, err := crypto.AddressFromBech32(req.GetAddress())
	if err != nil {
		return nil, types.ErrInvalidAddress.Wrap(err.Error())
	}
	kv, h, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	amount, err := q.k.Balance(kv, addr)
	if err != nil {
		return nil, err
	}
	resp := &types.QueryBalanceResponse{Balance: &types.Balance{Address: addr.String(), Amount: amount}, Height: h}
	if req.GetProve() {
		resp.Proof, err = petro.ProveKey(q.state, h, types.BalanceKey(addr))
	}
	return resp, err
}

func (q *QueryServer) AllBalances(_ context.Context, req *types.QueryAllBalancesRequest) (*types.QueryAllBalancesResponse, error) {
	limit := petro.PageLimit(req.GetPagination().GetLimit())
	start := req.GetPagination().GetKey()
	if len(start) != 0 {
		if err := crypto.ValidateAddressBytes(start); err != nil {
			return nil, types.ErrInvalidAddress.Wrapf("pagination key: %v", err)
		}
	}
	kv, h, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	resp := &types.QueryAllBalancesResponse{Height: h, Pagination: &types.PageResponse{}}
	err = q.k.IterateBalances(kv, start, func(addr crypto.Address, amount uint64) bool {
		if len(resp.Balances) == limit {
			resp.Pagination.NextKey = addr
			return true
		}
		resp.Balances = append(resp.Balances, &types.Balance{Address: addr.String(), Amount: amount})
		return false
	})
	return resp, err
}

func (q *QueryServer) Supply(_ context.Context, req *types.QuerySupplyRequest) (*types.QuerySupplyResponse, error) {
	kv, h, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	s, err := q.k.Supply(kv)
	if err != nil {
		return nil, err
	}
	resp := &types.QuerySupplyResponse{Amount: s, Height: h}
	if req.GetProve() {
		resp.Proof, err = petro.ProveKey(q.state, h, types.SupplyKey)
	}
	return resp, err
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

func (q *QueryServer) Redemption(_ context.Context, req *types.QueryRedemptionRequest) (*types.QueryRedemptionResponse, error) {
	kv, h, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	r, err := q.k.Redemption(kv, req.GetId())
	if err != nil {
		return nil, err
	}
	resp := &types.QueryRedemptionResponse{Redemption: r, Height: h}
	if req.GetProve() {
		resp.Proof, err = petro.ProveKey(q.state, h, types.RedemptionKey(r.GetId()))
	}
	return resp, err
}

// Redemptions walks ids ascending (by owner through the owner index),
// filtering by status; next_key is the next id to read.
func (q *QueryServer) Redemptions(_ context.Context, req *types.QueryRedemptionsRequest) (*types.QueryRedemptionsResponse, error) {
	limit := petro.PageLimit(req.GetPagination().GetLimit())
	var from uint64
	if key := req.GetPagination().GetKey(); len(key) != 0 {
		if len(key) != 8 {
			return nil, types.ErrRedemptionNotFound.Wrap("pagination key must be an 8-byte id")
		}
		from = binary.BigEndian.Uint64(key)
	}
	prefix := types.RedemptionPrefix
	if req.GetOwner() != "" {
		owner, err := crypto.AddressFromBech32(req.GetOwner())
		if err != nil {
			return nil, types.ErrInvalidAddress.Wrap(err.Error())
		}
		prefix = types.RedemptionOwnerPrefixOf(owner)
	}
	kv, h, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	start := append(append([]byte(nil), prefix...), binary.BigEndian.AppendUint64(nil, from)...)
	it, err := kv.Iterator(start, petro.PrefixEnd(prefix))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	resp := &types.QueryRedemptionsResponse{Height: h, Pagination: &types.PageResponse{}}
	for ; it.Valid(); it.Next() {
		key := it.Key()
		id := binary.BigEndian.Uint64(key[len(key)-8:])
		r, err := q.k.Redemption(kv, id)
		if err != nil {
			return nil, err
		}
		if st := req.GetStatus(); st != types.RedemptionStatus_REDEMPTION_STATUS_UNSPECIFIED && r.Status != st {
			continue
		}
		if len(resp.Redemptions) == limit {
			resp.Pagination.NextKey = binary.BigEndian.AppendUint64(nil, id)
			break
		}
		resp.Redemptions = append(resp.Redemptions, r)
		if req.GetProve() {
			p, err := petro.ProveKey(q.state, h, types.RedemptionKey(id))
			if err != nil {
				return nil, err
			}
			resp.Proofs = append(resp.Proofs, p)
		}
	}
	return resp, it.Error()
}

// Frozen lists frozen accounts with their reasons, in address order,
// paginated (next_key is the next address).
func (q *QueryServer) Frozen(_ context.Context, req *types.QueryFrozenRequest) (*types.QueryFrozenResponse, error) {
	limit := petro.PageLimit(req.GetPagination().GetLimit())
	start := types.FrozenPrefix
	if key := req.GetPagination().GetKey(); len(key) != 0 {
		if err := crypto.ValidateAddressBytes(key); err != nil {
			return nil, types.ErrInvalidAddress.Wrapf("pagination key: %v", err)
		}
		start = types.FrozenKey(key)
	}
	kv, h, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	it, err := kv.Iterator(start, petro.PrefixEnd(types.FrozenPrefix))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	resp := &types.QueryFrozenResponse{Height: h, Pagination: &types.PageResponse{}}
	for ; it.Valid(); it.Next() {
		if len(resp.Frozen) == limit {
			resp.Pagination.NextKey = append([]byte(nil), it.Key()[len(types.FrozenPrefix):]...)
			break
		}
		r := &types.FreezeRecord{}
		if err := proto.Unmarshal(it.Value(), r); err != nil {
			return nil, err
		}
		resp.Frozen = append(resp.Frozen, r)
	}
	return resp, it.Error()
}

func (q *QueryServer) Pause(_ context.Context, req *types.QueryPauseRequest) (*types.QueryPauseResponse, error) {
	kv, h, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	p, err := q.k.Pause(kv)
	return &types.QueryPauseResponse{Pause: p, Height: h}, err
}

func (q *QueryServer) Totals(_ context.Context, req *types.QueryTotalsRequest) (*types.QueryTotalsResponse, error) {
	kv, h, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	t, err := q.k.Totals(kv)
	if err != nil {
		return nil, err
	}
	s, err := q.k.Supply(kv)
	if err != nil {
		return nil, err
	}
	resp := &types.QueryTotalsResponse{Totals: t, Supply: s, Height: h}
	if req.GetProve() {
		if resp.Proof, err = petro.ProveKey(q.state, h, types.TotalsKey); err != nil {
			return nil, err
		}
		resp.SupplyProof, err = petro.ProveKey(q.state, h, types.SupplyKey)
	}
	return resp, err
}

func (q *QueryServer) Allowances(_ context.Context, req *types.QueryAllowancesRequest) (*types.QueryAllowancesResponse, error) {
	kv, h, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	if q.k.authority == nil {
		return &types.QueryAllowancesResponse{Height: h}, nil
	}
	all, err := q.k.authority.Allowances(kv)
	if err != nil {
		return nil, err
	}
	// Paged by the issuer's bech32 address, in string order (bech32's
	// alphabet does not keep the store's byte order).
	slices.SortFunc(all, func(a, b *types.Allowance) int { return strings.Compare(a.Issuer, b.Issuer) })
	resp := &types.QueryAllowancesResponse{Height: h, Pagination: &types.PageResponse{}}
	resp.Allowances, resp.Pagination.NextKey = petro.PageOf(all, func(a *types.Allowance) []byte { return []byte(a.Issuer) },
		req.GetPagination().GetKey(), req.GetPagination().GetLimit())
	return resp, nil
}

func (q *QueryServer) Invariants(_ context.Context, req *types.QueryInvariantsRequest) (*types.QueryInvariantsResponse, error) {
	kv, h, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	eval := q.invariants
	if eval == nil {
		eval = q.k.ModuleInvariants
	}
	res, err := eval(kv, true)
	if err != nil {
		return nil, err
	}
	stop, err := q.k.IssuanceStop(kv)
	if err != nil {
		return nil, err
	}
	resp := &types.QueryInvariantsResponse{AllHold: true, Height: h, IssuanceStopped: stop}
	for _, r := range res {
		resp.AllHold = resp.AllHold && r.Holds
		resp.Invariants = append(resp.Invariants, &types.InvariantResult{Module: r.Module, Name: r.Name, Holds: r.Holds, Detail: r.Detail})
	}
	return resp, nil
}
