// Package light verifies CometBFT block headers for auditors: it wraps
// CometBFT's light client (validator signatures from a trusted header
// onwards) and gives the verified app hashes that client.Auditor checks
// Merkle proofs against. On top of CometBFT's client it checks freshness
// (the newest header is recent, and no witness has newer blocks than the
// primary serves) and cross-checks every header it verifies with
// independent witnesses. It is a package of its own so that a wallet
// importing client links none of CometBFT's light-client, RPC or p2p code.
package light

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	"github.com/cometbft/cometbft/libs/log"
	cmtlight "github.com/cometbft/cometbft/light"
	"github.com/cometbft/cometbft/light/provider"
	lighthttp "github.com/cometbft/cometbft/light/provider/http"
	lightstore "github.com/cometbft/cometbft/light/store"
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

// DefaultMaxLag is how old the newest verified header may be: petro makes
// a block about every second (timeout_commit 1 s, empty blocks on), a
// loaded network a few seconds; 30 s is about ten block times under load
// times a margin of three, far below what hiding blocks to change a figure
// takes, yet above a stalled round or two.
const DefaultMaxLag = 30 * time.Second

// DefaultMaxAhead is how many blocks a witness may be ahead of the
// primary: the heights are read one after the other, so an honest primary
// can trail by the blocks made meanwhile (a few at most).
const DefaultMaxAhead = 10

// Assumption is the trust model of a witnessed audit, in plain words.
const Assumption = "more than 1/3 of the validator power is honest (the validator set is followed from the trust root by its own signatures), and at least one witness is an honest node"

// Config says which nodes serve headers and what the auditor trusts
// to begin with: either Trust (a height and its header hash, obtained
// out of band) or Genesis (the genesis validator set, trusted at the
// chain's initial height).
type Config struct {
	// RPC is the CometBFT RPC address of the primary (host:port, or a
	// tcp:// or http:// URL).
	RPC string
	// Witnesses are other nodes' RPC addresses. Every verified header is
	// compared with theirs, and "latest" is the highest of their latest
	// heights and the primary's. A witness that reports the primary's
	// node id is listed but not independent. With no independent witness
	// the headers are only as good as the validator signatures: see
	// Witnessed.
	Witnesses []string
	// ChainID; empty takes the genesis document's, else asks the primary.
	ChainID string

	Trust       TrustOptions // Height and Hash; Period 0 = DefaultTrustPeriod
	Genesis     *cmttypes.GenesisDoc
	GenesisHash []byte // SHA-256 of the genesis file, for the record (optional)

	MaxLag   time.Duration    // 0: DefaultMaxLag
	MaxAhead int64            // 0: DefaultMaxAhead
	Now      func() time.Time // nil: time.Now

	Logger log.Logger // nil: silent
}

// Witness is one witness as the audit states it.
type Witness struct {
	Addr        string `json:"addr"`
	NodeID      string `json:"node_id,omitempty"`
	Independent bool   `json:"independent"`
	// Note says why the witness is not independent or why it confirmed
	// nothing ("same node id as the primary", "unreachable: …").
	Note string `json:"note,omitempty"`
}

// TrustRoot is what the audit started from.
type TrustRoot struct {
	Height      int64  `json:"height"`
	Hash        []byte `json:"header_hash"`
	GenesisHash []byte `json:"genesis_sha256,omitempty"` // set when trusting a genesis file
}

func (t TrustRoot) String() string {
	if len(t.GenesisHash) != 0 {
		return fmt.Sprintf("genesis (sha256 %X), validators of height %d, header %X", t.GenesisHash, t.Height, t.Hash)
	}
	if t.Hash == nil {
		return fmt.Sprintf("genesis validators of height %d", t.Height)
	}
	return fmt.Sprintf("trusted header %d (hash %X)", t.Height, t.Hash)
}

type witness struct {
	Witness
	p  provider.Provider
	rc *rpchttp.HTTP // raw headers, for comparison (not validated by the provider)
}

// Client verifies block headers with CometBFT's light client
// (validator signatures from a trusted header onwards, skipping
// verification with a 1/3 trust level), keeping verified headers in memory.
type Client struct {
	lc        *cmtlight.Client
	store     lightstore.Store
	chainID   string
	primary   provider.Provider
	rpc       string
	witnesses []*witness
	trust     TrustRoot
	maxLag    time.Duration
	maxAhead  int64
	now       func() time.Time

	mu          sync.Mutex
	checked     map[int64]bool   // heights compared with the witnesses: confirmed by an independent one
	unconfirmed map[int64]string // why a checked height was not confirmed
}

// New starts a light client per cfg. It fetches and verifies the trusted
// header from the primary and asks each witness for its node id.
func New(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.RPC == "" {
		return nil, errors.New("light client: no RPC address")
	}
	if cfg.Logger == nil {
		cfg.Logger = log.NewNopLogger()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxLag == 0 {
		cfg.MaxLag = DefaultMaxLag
	}
	if cfg.MaxAhead == 0 {
		cfg.MaxAhead = DefaultMaxAhead
	}
	primaryID, network, err := nodeStatus(ctx, cfg.RPC)
	chainID := cfg.ChainID
	if chainID == "" && cfg.Genesis != nil {
		chainID = cfg.Genesis.ChainID
	}
	if chainID == "" {
		// Asked of the node, but not trusted: the trusted header hash
		// covers the chain id, so a wrong one fails verification.
		if err != nil {
			return nil, fmt.Errorf("light client: chain id from %s: %w", cfg.RPC, err)
		}
		chainID = network
	}
	primary, err := lighthttp.New(chainID, rpcURL(cfg.RPC))
	if err != nil {
		return nil, fmt.Errorf("light client: %s: %w", cfg.RPC, err)
	}
	l := &Client{chainID: chainID, primary: primary, rpc: cfg.RPC, maxLag: cfg.MaxLag, maxAhead: cfg.MaxAhead,
		now: cfg.Now, checked: map[int64]bool{}, unconfirmed: map[int64]string{}}
	for _, addr := range cfg.Witnesses {
		p, err := lighthttp.New(chainID, rpcURL(addr))
		if err != nil {
			return nil, fmt.Errorf("light client: witness %s: %w", addr, err)
		}
		rc, err := rpchttp.New(rpcURL(addr), "/websocket")
		if err != nil {
			return nil, fmt.Errorf("light client: witness %s: %w", addr, err)
		}
		w := &witness{Witness: Witness{Addr: addr}, p: p, rc: rc}
		id, _, err := nodeStatus(ctx, addr)
		switch {
		case err != nil:
			w.Note = fmt.Sprintf("unreachable: %v", err)
		case rpcURL(addr) == rpcURL(cfg.RPC):
			w.NodeID, w.Note = id, "the primary's own address"
		case id == primaryID && primaryID != "":
			w.NodeID, w.Note = id, "same node id as the primary"
		default:
			w.NodeID, w.Independent = id, true
		}
		l.witnesses = append(l.witnesses, w)
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
		l.trust.GenesisHash = cfg.GenesisHash
	}
	l.trust.Height, l.trust.Hash = trust.Height, trust.Hash
	// CometBFT's own detector gets the primary as its only witness: the
	// witnesses are compared here instead (compare), which reports a
	// conflict as evidence rather than dropping the witness.
	l.store = lightdb.New(dbm.NewMemDB(), chainID)
	lc, err := cmtlight.NewClient(ctx, chainID, trust, primary, []provider.Provider{primary}, l.store,
		cmtlight.Logger(cfg.Logger), cmtlight.MaxRetryAttempts(3),
		cmtlight.PruningSize(0)) // keep every verified header: a bundle needs them all
	if err != nil {
		return nil, fmt.Errorf("light client: trust height %d hash %X: %w", trust.Height, trust.Hash, err)
	}
	l.lc = lc
	// The root is trusted by the auditor, not by the witnesses: a witness
	// that no longer has it (pruned, state-synced) does not make the audit
	// unwitnessed, but one that serves another header is evidence.
	if err := l.compare(ctx, trust.Height); err != nil {
		return nil, err
	}
	l.mu.Lock()
	delete(l.unconfirmed, trust.Height)
	l.mu.Unlock()
	return l, nil
}

// ChainID is the chain the light client follows.
func (l *Client) ChainID() string { return l.chainID }

// Trust is the root the client started from.
func (l *Client) Trust() TrustRoot { return l.trust }

// Witnesses lists the configured witnesses, in order.
func (l *Client) Witnesses() []Witness {
	out := make([]Witness, len(l.witnesses))
	for i, w := range l.witnesses {
		out[i] = w.Witness
	}
	return out
}

// Witnessed reports whether every header verified so far was confirmed
// (same hash) by at least one independent witness; if not, why. Without
// that, the headers rest on the validator signatures alone: whoever holds
// more than 2/3 of the voting power could have signed them.
func (l *Client) Witnessed() (bool, string) {
	ind := 0
	for _, w := range l.witnesses {
		if w.Independent {
			ind++
		}
	}
	if ind == 0 {
		if len(l.witnesses) == 0 {
			return false, "no witness given"
		}
		return false, "no independent witness (" + l.witnesses[0].Note + ")"
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	hs := make([]int64, 0, len(l.unconfirmed))
	for h := range l.unconfirmed {
		hs = append(hs, h)
	}
	if len(hs) == 0 {
		return true, ""
	}
	sort.Slice(hs, func(i, j int) bool { return hs[i] < hs[j] })
	return false, fmt.Sprintf("no independent witness confirmed header %d: %s", hs[0], l.unconfirmed[hs[0]])
}

// LightBlock returns the light block (signed header and validator set) at
// height, verified against the trusted state and compared with every
// witness.
func (l *Client) LightBlock(ctx context.Context, height int64) (*cmttypes.LightBlock, error) {
	lb, err := l.lc.VerifyLightBlockAtHeight(ctx, height, l.now())
	if err != nil {
		return nil, fmt.Errorf("light client: verify header %d: %w", height, err)
	}
	if err := l.compare(ctx, height); err != nil {
		return nil, err
	}
	return lb, nil
}

// Header returns the header at height, verified against the trusted state
// and compared with every witness.
func (l *Client) Header(ctx context.Context, height int64) (*cmttypes.Header, error) {
	lb, err := l.LightBlock(ctx, height)
	if err != nil {
		return nil, err
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

// Anchor names the verified header that carries height's app hash.
func (l *Client) Anchor(ctx context.Context, height int64) (client.Anchor, error) {
	h, err := l.Header(ctx, height+1)
	if err != nil {
		return client.Anchor{}, err
	}
	return client.Anchor{Height: height, HeaderHeight: h.Height, HeaderHash: h.Hash(), HeaderTime: h.Time, AppHash: h.AppHash}, nil
}

// LatestProvableHeight is the highest height H whose app hash the light
// client can verify now: the latest block (Latest) minus one.
func (l *Client) LatestProvableHeight(ctx context.Context) (int64, error) {
	lb, err := l.Latest(ctx)
	if err != nil {
		return 0, err
	}
	if lb.Height < 2 {
		return 0, fmt.Errorf("light client: the chain is at height %d; a height's app hash needs the next block", lb.Height)
	}
	return lb.Height - 1, nil
}

// Latest verifies and returns the newest header: the highest of the
// primary's latest height and every witness's own latest signed height.
// It refuses (a *StaleError) when a witness is more than MaxAhead blocks
// ahead of the primary, or when the newest verified header is older than
// MaxLag by the local clock: a node that hides its newest blocks.
func (l *Client) Latest(ctx context.Context) (*cmttypes.LightBlock, error) {
	// Witnesses first, then the primary: an honest primary asked last is
	// not behind by the blocks made while the witnesses answered.
	type head struct {
		addr   string
		height int64
	}
	var heads []head
	for _, w := range l.witnesses {
		lb, err := w.p.LightBlock(ctx, 0)
		if err != nil {
			continue // it confirms nothing; compare records that
		}
		heads = append(heads, head{w.Addr, lb.Height})
	}
	plb, err := l.primary.LightBlock(ctx, 0)
	if err != nil {
		return nil, fmt.Errorf("light client: latest block of %s: %w", l.rpc, err)
	}
	target := plb.Height
	for _, h := range heads {
		if h.height > plb.Height+l.maxAhead {
			return nil, &StaleError{Reason: fmt.Sprintf("witness %s is at height %d, %d blocks ahead of the primary %s (at %d; bound %d): the primary hides newer blocks or lags",
				h.addr, h.height, h.height-plb.Height, l.rpc, plb.Height, l.maxAhead)}
		}
		if h.height > target {
			target = h.height
		}
	}
	var lb *cmttypes.LightBlock
	deadline := l.now().Add(l.maxLag)
	for {
		lb, err = l.lc.VerifyLightBlockAtHeight(ctx, target, l.now())
		if err == nil || !isTooHigh(err) || l.now().After(deadline) {
			break
		}
		// The primary has not made the witnesses' latest block yet.
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	if err != nil {
		return nil, fmt.Errorf("light client: verify the latest header %d: %w", target, err)
	}
	if age := l.now().Sub(lb.Time); age > l.maxLag {
		return nil, &StaleError{Reason: fmt.Sprintf("the newest verified header (height %d, %s) is %s old, more than the max lag %s: the node hides newer blocks or the chain has stopped",
			lb.Height, lb.Time.UTC().Format(time.RFC3339), age.Round(time.Second), l.maxLag)}
	}
	if err := l.compare(ctx, target); err != nil {
		return nil, err
	}
	return lb, nil
}

// StaleError is a refused "latest": the audit would describe the past.
type StaleError struct{ Reason string }

func (e *StaleError) Error() string { return "stale: " + e.Reason }

// ConflictError is a witness whose header differs from the verified one:
// evidence of a fork (validators signed both) or of a lying node.
type ConflictError struct {
	Witness        string
	Height         int64
	Primary        *cmttypes.SignedHeader
	Other          *cmttypes.SignedHeader
	OtherSignedErr error // nil: the witness's header is signed by > 2/3 of the trusted validators too (a fork)
}

func (e *ConflictError) Error() string {
	signed := "its header is signed by the validators too: the validator majority signed two blocks at this height (a fork)"
	if e.OtherSignedErr != nil {
		signed = fmt.Sprintf("its header does not verify (%v)", e.OtherSignedErr)
	}
	return fmt.Sprintf("EVIDENCE: witness %s disagrees at height %d: verified header %s, witness header %s; %s",
		e.Witness, e.Height, describe(e.Primary), describe(e.Other), signed)
}

func describe(h *cmttypes.SignedHeader) string {
	if h == nil || h.Header == nil {
		return "(none)"
	}
	return fmt.Sprintf("{hash %X, time %s, app hash %X, validators %X}", h.Hash(), h.Time.UTC().Format(time.RFC3339Nano), h.AppHash, h.ValidatorsHash)
}

// compare checks the verified header at height against every witness,
// once per height. A different header is a *ConflictError; a witness
// that cannot answer (lagging up to MaxLag, unreachable) confirms
// nothing, recorded for Witnessed.
func (l *Client) compare(ctx context.Context, height int64) error {
	l.mu.Lock()
	_, done := l.checked[height]
	l.mu.Unlock()
	if done {
		return nil
	}
	ours, err := l.lc.TrustedLightBlock(height)
	if err != nil {
		return fmt.Errorf("light client: header %d: %w", height, err)
	}
	confirmed := false
	var why []string
	for _, w := range l.witnesses {
		theirs, err := l.witnessHeader(ctx, w, height)
		if err != nil {
			why = append(why, fmt.Sprintf("%s: %v", w.Addr, err))
			continue
		}
		if !bytes.Equal(theirs.Hash(), ours.Hash()) {
			ce := &ConflictError{Witness: w.Addr, Height: height, Primary: ours.SignedHeader, Other: theirs}
			ce.OtherSignedErr = l.verifyOther(ctx, w, theirs)
			return ce
		}
		if w.Independent {
			confirmed = true
		} else {
			why = append(why, fmt.Sprintf("%s: not independent (%s)", w.Addr, w.Note))
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.checked[height] = confirmed
	if !confirmed && len(l.witnesses) > 0 {
		l.unconfirmed[height] = strings.Join(why, "; ")
	}
	return nil
}

// witnessHeader fetches w's signed header at height as served (its own
// validity is checked only on a conflict), waiting up to MaxLag for a
// witness that has not made that block yet.
func (l *Client) witnessHeader(ctx context.Context, w *witness, height int64) (*cmttypes.SignedHeader, error) {
	deadline := l.now().Add(l.maxLag)
	for {
		res, err := w.rc.Commit(ctx, &height)
		if err == nil {
			if res.SignedHeader.Header == nil || res.SignedHeader.Height != height {
				return nil, fmt.Errorf("no header %d in its answer", height)
			}
			return &res.SignedHeader, nil
		}
		if !isTooHigh(err) || l.now().After(deadline) {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// verifyOther checks a witness's conflicting header against the trusted
// root's validators, as the primary's was: nil means the validators signed
// both (a fork).
func (l *Client) verifyOther(ctx context.Context, w *witness, sh *cmttypes.SignedHeader) error {
	root, err := l.lc.TrustedLightBlock(l.trust.Height)
	if err != nil {
		return err
	}
	if err := sh.ValidateBasic(l.chainID); err != nil {
		return err
	}
	if sh.Height == root.Height {
		return errors.New("it is not the trusted header")
	}
	vals, err := w.p.LightBlock(ctx, sh.Height)
	if err != nil {
		return fmt.Errorf("its validator set: %w", err)
	}
	return cmtlight.Verify(root.SignedHeader, root.ValidatorSet, sh, vals.ValidatorSet,
		100*365*24*time.Hour, l.now(), 10*time.Second, cmtlight.DefaultTrustLevel)
}

// Trace returns every light block the client verified, by height: the
// chain of headers and validator sets from the trust root that an offline
// verifier needs (bundle).
func (l *Client) Trace() ([]*cmttypes.LightBlock, error) {
	var out []*cmttypes.LightBlock
	last, err := l.store.LastLightBlockHeight()
	if err != nil {
		return nil, err
	}
	for h := last; h > 0; {
		lb, err := l.store.LightBlock(h)
		if err != nil {
			return nil, err
		}
		out = append(out, lb)
		prev, err := l.store.LightBlockBefore(h)
		if err != nil {
			break // no earlier block
		}
		h = prev.Height
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Height < out[j].Height })
	return out, nil
}

func isTooHigh(err error) bool {
	return errors.Is(err, provider.ErrHeightTooHigh) || errors.Is(err, provider.ErrLightBlockNotFound) ||
		strings.Contains(err.Error(), provider.ErrHeightTooHigh.Error()) ||
		strings.Contains(err.Error(), "must be less than or equal to the current blockchain height") // raw RPC
}

// nodeStatus asks addr's /status for its node id and network (unverified).
func nodeStatus(ctx context.Context, addr string) (id, network string, err error) {
	rc, err := rpchttp.New(rpcURL(addr), "/websocket")
	if err != nil {
		return "", "", err
	}
	st, err := rc.Status(ctx)
	if err != nil {
		return "", "", err
	}
	return string(st.NodeInfo.DefaultNodeID), st.NodeInfo.Network, nil
}

// TrustGenesis derives a trust root from a genesis document: it fetches
// the light block at the chain's initial height from p and checks that its
// chain id and validator set are genesis's and that those validators
// signed it with more than 2/3 of the voting power. It returns that
// height and the header hash to trust.
func TrustGenesis(ctx context.Context, p provider.Provider, gen *cmttypes.GenesisDoc) (int64, []byte, error) {
	lb, err := p.LightBlock(ctx, gen.InitialHeight)
	if err != nil {
		return 0, nil, fmt.Errorf("genesis: fetch block %d: %w", gen.InitialHeight, err)
	}
	if err := VerifyGenesisBlock(gen, lb); err != nil {
		return 0, nil, err
	}
	return lb.Height, lb.Hash(), nil
}

// VerifyGenesisBlock checks that lb is the chain's first block, signed by
// more than 2/3 of genesis's validator set.
func VerifyGenesisBlock(gen *cmttypes.GenesisDoc, lb *cmttypes.LightBlock) error {
	if err := gen.ValidateAndComplete(); err != nil {
		return fmt.Errorf("genesis: %w", err)
	}
	if len(gen.Validators) == 0 {
		return errors.New("genesis: genesis.json lists no validators; trust a height and hash instead")
	}
	vals := make([]*cmttypes.Validator, len(gen.Validators))
	for i, v := range gen.Validators {
		vals[i] = cmttypes.NewValidator(v.PubKey, v.Power)
	}
	set := cmttypes.NewValidatorSet(vals)
	h := gen.InitialHeight
	if lb == nil || lb.SignedHeader == nil || lb.Height != h {
		return fmt.Errorf("genesis: no block %d", h)
	}
	if err := lb.ValidateBasic(gen.ChainID); err != nil {
		return fmt.Errorf("genesis: block %d: %w", h, err)
	}
	if !bytes.Equal(lb.ValidatorsHash, set.Hash()) {
		return fmt.Errorf("genesis: block %d's validators hash %X is not the genesis validator set's %X", h, lb.ValidatorsHash, set.Hash())
	}
	if err := set.VerifyCommitLight(gen.ChainID, lb.Commit.BlockID, h, lb.Commit); err != nil {
		return fmt.Errorf("genesis: block %d is not signed by the genesis validators: %w", h, err)
	}
	return nil
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
