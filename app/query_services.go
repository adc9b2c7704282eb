package app

import (
	"google.golang.org/grpc"

	authkeeper "github.com/petro-network/petro/x/auth/keeper"
	authtypes "github.com/petro-network/petro/x/auth/types"
	authoritykeeper "github.com/petro-network/petro/x/authority/keeper"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservekeeper "github.com/petro-network/petro/x/reserve/keeper"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokenkeeper "github.com/petro-network/petro/x/token/keeper"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// RegisterQueryServices registers every module's gRPC query service on r
// (the server hands its *grpc.Server): only the app wires keepers. Each
// service reads committed versions through the app (any retained height).
func (a *App) RegisterQueryServices(r grpc.ServiceRegistrar) {
	authtypes.RegisterQueryServer(r, authkeeper.NewQueryServer(authkeeper.Keeper{}, a))
	tokentypes.RegisterQueryServer(r, tokenkeeper.NewQueryServer(a.token, a).WithInvariants(a.Invariants))
	authoritytypes.RegisterQueryServer(r, authoritykeeper.NewQueryServer(a.authority, a))
	reservetypes.RegisterQueryServer(r, reservekeeper.NewQueryServer(a.reserve, a))
}
