package keeper

import (
	"context"

	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/crypto"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/auth/types"
)

var unmarshal = proto.Unmarshal

// QueryServer answers petro.auth.v1.Query from committed state.
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

func (q *QueryServer) Account(_ context.Context, req *types.QueryAccountRequest) (*types.QueryAccountResponse, error) {
	addr, err := crypto.AddressFromBech32(req.GetAddress())
	if err != nil {
		return nil, types.ErrInvalidAddress.Wrap(err.Error())
	}
	kv, height, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	acc, err := q.k.Account(kv, addr)
	if err != nil {
		return nil, err
	}
	return &types.QueryAccountResponse{Account: acc, Height: height}, nil
}
