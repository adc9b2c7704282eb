package app

import (
	"context"
	"fmt"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"

	petro "github.com/petro-network/petro/types"
	authtypes "github.com/petro-network/petro/x/auth/types"
)

// ProofOpIAVL is the CometBFT proof-op type of an ICS23 IAVL proof, as in
// the Cosmos SDK.
const ProofOpIAVL = "ics23:iavl"

// AppVersion is the app (protocol) version of this binary's own state
// machine; upgrade handlers may add later ones (SupportedAppVersions).
// Info reports the chain's current app version from state.
const (
	AppVersion = 1
	Name       = "petro"
)

// SoftwareVersion is set at build time (-ldflags -X).
var SoftwareVersion = "dev"

// Info reports the last committed height and app hash; CometBFT replays the
// blocks above it.
func (a *App) Info(_ context.Context, _ *abci.RequestInfo) (*abci.ResponseInfo, error) {
	h, hash := a.cs.LastCommit()
	appVersion, err := a.AppVersionAt(h)
	if err != nil {
		return nil, fmt.Errorf("info: %w", err)
	}
	return &abci.ResponseInfo{
		Data:             Name,
		Version:          SoftwareVersion,
		AppVersion:       appVersion, // the chain's, from state: the same on every node
		LastBlockHeight:  h,
		LastBlockAppHash: hash,
	}, nil
}

// Query answers ABCI queries. Path "/store" reads the raw state key in
// Data at Height (0 = latest); with Prove it adds an ICS23 proof (op type
// "ics23:iavl") against the app hash of that height.
func (a *App) Query(_ context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	switch {
	case req.Path == "/store" || req.Path == "/store/key":
		return a.queryStore(req), nil
	case strings.HasPrefix(req.Path, "/p2p/filter/"):
		if err := a.filterPeer(req.Path); err != nil {
			return queryErr(err), nil
		}
		return &abci.ResponseQuery{}, nil
	default:
		return queryErr(authtypes.ErrInvalidRequest.Wrapf("unknown query path %q", req.Path)), nil
	}
}

func (a *App) queryStore(req *abci.RequestQuery) *abci.ResponseQuery {
	if len(req.Data) == 0 {
		return queryErr(authtypes.ErrInvalidRequest.Wrap("empty key"))
	}
	h := req.Height
	if h == 0 {
		h, _ = a.cs.LastCommit()
	}
	rs, err := a.cs.ReadAt(h)
	if err != nil {
		return queryErr(authtypes.ErrInvalidRequest.Wrapf("height %d: %v", h, err))
	}
	resp := &abci.ResponseQuery{Key: req.Data, Height: h}
	if !req.Prove {
		v, err := rs.Get(req.Data)
		if err != nil {
			return queryErr(err)
		}
		resp.Value = v
		return resp
	}
	v, proof, err := rs.Prove(req.Data)
	if err != nil {
		return queryErr(err)
	}
	bz, err := proof.Marshal()
	if err != nil {
		return queryErr(err)
	}
	resp.Value = v
	resp.ProofOps = &cmtcrypto.ProofOps{Ops: []cmtcrypto.ProofOp{{Type: ProofOpIAVL, Key: req.Data, Data: bz}}}
	return resp
}

func queryErr(err error) *abci.ResponseQuery {
	space, code, log := petro.ABCIInfo(err)
	return &abci.ResponseQuery{Codespace: space, Code: code, Log: log}
}

// errResult turns err into an ABCI result.
func errResult(err error) (codespace string, code uint32, log string) {
	return petro.ABCIInfo(err)
}
