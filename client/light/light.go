// Package light verifies CometBFT block headers for auditors: it wraps
// CometBFT's light client (validator signatures from a trusted header
// onwards) and gives the verified app hashes that client.Auditor checks
// Merkle proofs against. It is a package of its own so that a wallet
// importing client links none of CometBFT's light-client, RPC or p2p code.
package light

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	"github.com/cometbft/cometbft/libs/log"
	cmtlight "github.com/cometbft/cometbft/light"
	"github.com/cometbft/cometbft/light/provider"
	lighthttp "github.com/cometbft/cometbft/light/provider/http"
	lightdb "github.com/cometbft/cometbft/light/store/db"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/petro-network/petro/client"
)

var _ client.AppHashSource = (*Client)(nil)

// TrustOptions is CometBFT's light.TrustOptions: the trusted height, its
// header hash and how old that header may be (Period 0 = DefaultTrustPeriod).
type TrustOptions = cmtlight.TrustOptions

// DefaultTrustPeriod is how old a trusted header may be. A permissioned
// chain has no unbonding period to stay under; a year lets an auditor
// start from genesis of a young chain. Use a shorter one when you can.
const DefaultTrustPeriod = 365 * 24 * time.Hour

// Config says which nodes serve headers and what the auditor trusts
// to begin with: either Trust (a height and its header hash, obtained
// out of band) or Genesis (the genesis validator set, trusted at the
// chain's initial height).
type Config struct {
	// RPC is the CometBFT RPC address of the primary (host:port, or a
	// tcp:// or http:// URL).
	RPC string
	// Witnesses are other nodes' RPC addresses the light client cross-checks
	// the primary against (fork detection). Empty: the primary is its own
	// witness, which detects nothing; give independent nodes when you have
	// them.
	Witnesses []string
	// ChainID; empty takes the genesis document's, else asks the primary.
	ChainID string

	Trust   TrustOptions // Height and Hash; Period 0 = DefaultTrustPeriod
	Genesis *cmttypes.GenesisDoc

	Logger log.Logger // nil: silent
}

// Client verifies block headers with CometBFT's light client
// (validator signatures from a trusted header onwards, skipping
// verification with a 1/3 trust level), keeping verified headers in memory.
type Client struct {
	lc      *cmtlight.Client
	chainID string
	primary provider.Provider
}

// New starts a light client per cfg. It fetches and verifies
// the trusted header from the primary (and compares it with the witnesses).
func New(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.RPC == "" {
		return nil, errors.New("light client: no RPC address")
	}
	if cfg.Logger == nil {
		cfg.Logger = log.NewNopLogger()
	}
	chainID := cfg.ChainID
	if chainID == "" && cfg.Genesis != nil {
		chainID = cfg.Genesis.ChainID
	}
	if chainID == "" {
		// Asked of the node, but not trusted: the trusted header hash
		// covers the chain id, so a wrong one fails verification.
		rc, err := rpchttp.New(rpcURL(cfg.RPC), "/websocket")
		if err != nil {
			return nil, fmt.Errorf("light client: %s: %w", cfg.RPC, err)
		}
		st, err := rc.Status(ctx)
		if err != nil {
			return nil, fmt.Errorf("light client: chain id from %s: %w", cfg.RPC, err)
		}
		chainID = st.NodeInfo.Network
	}
	primary, err := lighthttp.New(chainID, rpcURL(cfg.RPC))
	if err != nil {
		return nil, fmt.Errorf("light client: %s: %w", cfg.RPC, err)
	}
	witnessAddrs := cfg.Witnesses
	if len(witnessAddrs) == 0 {
		witnessAddrs = []string{cfg.RPC}
	}
	var witnesses []provider.Provider
	for _, w := range witnessAddrs {
		p, err := lighthttp.New(chainID, rpcURL(w))
		if err != nil {
			return nil, fmt.Errorf("light client: witness %s: %w", w, err)
		}
		witnesses = append(witnesses, p)
	}
	trust := cfg.Trust
	if trust.Period == 0 {
		trust.Period = DefaultTrustPeriod
	}
	if cfg.Genesis != nil {
		if trust.Height != 0 || len(trust.Hash) != 0 {
			return nil, errors.New("light client: give a trusted height and hash or a genesis, not both")
		}
		h, hash, err := TrustGenesis(ctx, primary, cfg.Genesis)
		if err != nil {
			return nil, err
		}
		trust.Height, trust.Hash = h, hash
	}
	lc, err := cmtlight.NewClient(ctx, chainID, trust, primary, witnesses,
		lightdb.New(dbm.NewMemDB(), chainID),
		cmtlight.Logger(cfg.Logger), cmtlight.MaxRetryAttempts(3))
	if err != nil {
		return nil, fmt.Errorf("light client: trust height %d hash %X: %w", trust.Height, trust.Hash, err)
	}
	return &Client{lc: lc, chainID: chainID, primary: primary}, nil
}

// ChainID is the chain the light client follows.
func (l *Client) ChainID() string { return l.chainID }

// Header returns the header at height, verified against the trusted state.
func (l *Client) Header(ctx context.Context, height int64) (*cmttypes.Header, error) {
	lb, err := l.lc.VerifyLightBlockAtHeight(ctx, height, time.Now())
	if err != nil {
		return nil, fmt.Errorf("light client: verify header %d: %w", height, err)
	}
	return lb.Header, nil
}

// AppHash is the app hash committed by block height — the IAVL root after
// that block — as signed in the verified header of block height+1.
func (l *Client) AppHash(ctx context.Context, height int64) ([]byte, error) {
	if height <= 0 {
		return nil, fmt.Errorf("light client: no app hash for height %d", height)
	}
	h, err := l.Header(ctx, height+1)
	if err != nil {
		return nil, err
	}
	return h.AppHash, nil
}

// LatestProvableHeight is the highest height H whose app hash the light
// client can verify now: the primary's latest block minus one (the app
// hash of H is in the header of H+1). The latest header is verified.
func (l *Client) LatestProvableHeight(ctx context.Context) (int64, error) {
	lb, err := l.lc.Update(ctx, time.Now())
	if err != nil {
		return 0, fmt.Errorf("light client: update: %w", err)
	}
	if lb == nil { // nothing newer than the trusted header
		if lb, err = l.lc.TrustedLightBlock(0); err != nil {
			return 0, fmt.Errorf("light client: %w", err)
		}
	}
	if lb.Height < 2 {
		return 0, fmt.Errorf("light client: the chain is at height %d; a height's app hash needs the next block", lb.Height)
	}
	return lb.Height - 1, nil
}

// TrustGenesis derives a trust root from a genesis document: it fetches
// the light block at the chain's initial height from p and checks that its
// chain id and validator set are genesis's and that those validators
// signed it with more than 2/3 of the voting power. It returns that
// height and the header hash to trust.
func TrustGenesis(ctx context.Context, p provider.Provider, gen *cmttypes.GenesisDoc) (int64, []byte, error) {
	if err := gen.ValidateAndComplete(); err != nil {
		return 0, nil, fmt.Errorf("genesis: %w", err)
	}
	if len(gen.Validators) == 0 {
		return 0, nil, errors.New("genesis: genesis.json lists no validators; trust a height and hash instead")
	}
	vals := make([]*cmttypes.Validator, len(gen.Validators))
	for i, v := range gen.Validators {
		vals[i] = cmttypes.NewValidator(v.PubKey, v.Power)
	}
	set := cmttypes.NewValidatorSet(vals)
	h := gen.InitialHeight
	lb, err := p.LightBlock(ctx, h)
	if err != nil {
		return 0, nil, fmt.Errorf("genesis: fetch block %d: %w", h, err)
	}
	if err := lb.ValidateBasic(gen.ChainID); err != nil {
		return 0, nil, fmt.Errorf("genesis: block %d: %w", h, err)
	}
	if !bytes.Equal(lb.ValidatorsHash, set.Hash()) {
		return 0, nil, fmt.Errorf("genesis: block %d's validators hash %X is not the genesis validator set's %X", h, lb.ValidatorsHash, set.Hash())
	}
	if err := set.VerifyCommitLight(gen.ChainID, lb.Commit.BlockID, h, lb.Commit); err != nil {
		return 0, nil, fmt.Errorf("genesis: block %d is not signed by the genesis validators: %w", h, err)
	}
	return h, lb.Hash(), nil
}

// rpcURL turns "tcp://host:port" (CometBFT's config form) or "host:port"
// into an http URL.
func rpcURL(addr string) string {
	switch {
	case strings.HasPrefix(addr, "tcp://"):
		return "http://" + strings.TrimPrefix(addr, "tcp://")
	case !strings.Contains(addr, "://"):
		return "http://" + addr
	}
	return addr
}
