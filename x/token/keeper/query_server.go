package keeper

import (
	"context"

	"github.com/petro-network/petro/internal/crypto"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/token/types"
)

const (
	defaultPageLimit = 100
	maxPageLimit     = 1000
)

// QueryServer answers petro.token.v1.Query from committed state.
type QueryServer struct {
	types.UnimplementedQueryServer
	k     Keeper
	state petro.StateReader
}

var _ types.QueryServer = (*QueryServer)(nil)

func NewQueryServer(k Keeper, state petro.StateReader) *QueryServer {
	return &QueryServer{k: k, state: state}
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
	return &types.QueryBalanceResponse{Balance: &types.Balance{Address: addr.String(), Amount: amount}, Height: h}, nil
}

func (q *QueryServer) AllBalances(_ context.Context, req *types.QueryAllBalancesRequest) (*types.QueryAllBalancesResponse, error) {
	limit := int(req.GetPagination().GetLimit())
	switch {
	case limit == 0:
		limit = defaultPageLimit
	case limit > maxPageLimit:
		limit = maxPageLimit
	}
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
	return &types.QuerySupplyResponse{Amount: s, Height: h}, nil
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
	return &types.QueryParamsResponse{Params: p, Height: h}, nil
}
