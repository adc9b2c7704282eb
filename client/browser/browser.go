// Package browser is the auditor's verifier as it runs in a web page
// (compiled to WebAssembly by client/browser/wasm): it reads figures from
// any node's REST gateway and headers from any node's CometBFT RPC, both
// untrusted, and checks them with the same code as petrod audit — ICS23
// proofs by client.Auditor, against app hashes in headers whose validator
// signatures it verifies from a trusted header. It links no storage engine
// and none of CometBFT's light-client package (which does not build for
// js/wasm): header verification is CometBFT's own commit checks
// (types.ValidatorSet.VerifyCommitLight / VerifyCommitLightTrusting), the
// core of its light client's skipping verification.
package browser

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	cmtjson "github.com/cometbft/cometbft/libs/json"
	cmtmath "github.com/cometbft/cometbft/libs/math"
	cmttypes "github.com/cometbft/cometbft/types"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/client"
)

// RESTConn is a gRPC connection over petro's REST/JSON gateway: every
// unary method /petro.<m>.v1.<S>/<Method> is POSTed as protojson to
// <base>/petro/<m>/v1/<method_in_snake_case> (server/rest's rule).
type RESTConn struct {
	Base string
	HTTP *http.Client
}

var _ grpc.ClientConnInterface = (*RESTConn)(nil)

// Invoke POSTs args and decodes the answer into reply.
func (c *RESTConn) Invoke(ctx context.Context, method string, args, reply any, _ ...grpc.CallOption) error {
	path, err := restPath(method)
	if err != nil {
		return err
	}
	body, err := protojson.Marshal(args.(proto.Message))
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(c.Base, "/")+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return fmt.Errorf("REST %s: %w", path, err)
	}
	defer resp.Body.Close()
	bz, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		// The gateway's errors are {"code": <gRPC code>, "message": …}.
		var e struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		}
		if json.Unmarshal(bz, &e) == nil && e.Code != 0 {
			return status.Error(codes.Code(e.Code), e.Message)
		}
		return fmt.Errorf("REST %s: %s: %s", path, resp.Status, bytes.TrimSpace(bz))
	}
	return protojson.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(bz, reply.(proto.Message))
}

// NewStream is not supported.
func (c *RESTConn) NewStream(context.Context, *grpc.StreamDesc, string, ...grpc.CallOption) (grpc.ClientStream, error) {
	return nil, errors.New("browser: REST supports unary calls only")
}

func (c *RESTConn) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// restPath maps "/petro.token.v1.Query/Supply" to "/petro/token/v1/supply".
func restPath(method string) (string, error) {
	svc, m, ok := strings.Cut(strings.TrimPrefix(method, "/"), "/")
	parts := strings.Split(svc, ".")
	if !ok || len(parts) != 4 || parts[0] != "petro" {
		return "", fmt.Errorf("browser: no REST path for %s", method)
	}
	var b strings.Builder
	for i, r := range m {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return "/" + parts[0] + "/" + parts[1] + "/" + parts[2] + "/" + b.String(), nil
}

// Headers verifies CometBFT headers fetched from an RPC endpoint
// (untrusted) from one trusted header: each header it returns is signed by
// more than 2/3 of its own validator set, and that set is trusted because
// validators holding more than 1/3 of the trusted header's power signed it
// too (CometBFT's skipping verification, trust level 1/3). It is a
// client.AppHashSource.
type Headers struct {
	RPC     string
	ChainID string
	HTTP    *http.Client
	// Witnesses are other nodes' RPC URLs: every verified header is
	// compared with theirs (a different one is evidence and fails);
	// Witnessed says whether one confirmed them all.
	Witnesses []string

	unconfirmed int64 // a header no witness confirmed (0: none)

	mu       sync.Mutex
	trusted  *cmttypes.LightBlock
	verified map[int64]*cmttypes.LightBlock
}

var (
	_ client.AppHashSource = (*Headers)(nil)
	_ client.AnchorSource  = (*Headers)(nil)
)

// Trust fetches the header at height and requires its hash to be hash.
func (h *Headers) Trust(ctx context.Context, height int64, hash []byte) error {
	lb, err := h.fetch(ctx, height)
	if err != nil {
		return err
	}
	if !bytes.Equal(lb.Hash(), hash) {
		return fmt.Errorf("trusted header %d: the node serves hash %X, not the trusted %X", height, lb.Hash(), hash)
	}
	if err := lb.ValidatorSet.VerifyCommitLight(h.ChainID, lb.Commit.BlockID, lb.Height, lb.Commit); err != nil {
		return fmt.Errorf("trusted header %d: %w", height, err)
	}
	h.mu.Lock()
	h.trusted, h.verified = lb, map[int64]*cmttypes.LightBlock{height: lb}
	h.mu.Unlock()
	return nil
}

// LightBlock returns the header at height, verified.
func (h *Headers) LightBlock(ctx context.Context, height int64) (*cmttypes.LightBlock, error) {
	h.mu.Lock()
	lb, ok := h.verified[height]
	trusted := h.trusted
	h.mu.Unlock()
	if ok {
		return lb, nil
	}
	if trusted == nil {
		return nil, errors.New("browser: no trusted header")
	}
	lb, err := h.fetch(ctx, height)
	if err != nil {
		return nil, err
	}
	if lb.Height <= trusted.Height {
		return nil, fmt.Errorf("header %d is not after the trusted header %d", lb.Height, trusted.Height)
	}
	if err := trusted.ValidatorSet.VerifyCommitLightTrusting(h.ChainID, lb.Commit, cmtmath.Fraction{Numerator: 1, Denominator: 3}); err != nil {
		return nil, fmt.Errorf("header %d: not signed by the trusted validators: %w", lb.Height, err)
	}
	if err := lb.ValidatorSet.VerifyCommitLight(h.ChainID, lb.Commit.BlockID, lb.Height, lb.Commit); err != nil {
		return nil, fmt.Errorf("header %d: %w", lb.Height, err)
	}
	if err := h.compare(ctx, lb); err != nil {
		return nil, err
	}
	h.mu.Lock()
	h.verified[lb.Height] = lb
	h.mu.Unlock()
	return lb, nil
}

// compare checks lb against every witness's header at its height. A
// witness reporting the primary's node id confirms nothing (the same node).
func (h *Headers) compare(ctx context.Context, lb *cmttypes.LightBlock) error {
	confirmed := false
	primaryID := h.nodeID(ctx)
	for _, w := range h.Witnesses {
		other := &Headers{RPC: w, HTTP: h.HTTP}
		sameNode := primaryID != "" && other.nodeID(ctx) == primaryID
		var c struct {
			SignedHeader cmttypes.SignedHeader `json:"signed_header"`
		}
		if err := other.call(ctx, "commit", map[string]string{"height": strconv.FormatInt(lb.Height, 10)}, &c); err != nil || c.SignedHeader.Header == nil {
			continue // confirms nothing
		}
		if !bytes.Equal(c.SignedHeader.Hash(), lb.Hash()) {
			return fmt.Errorf("EVIDENCE: witness %s disagrees at height %d: verified header %X (app hash %X), witness header %X (app hash %X)",
				w, lb.Height, lb.Hash(), lb.AppHash, c.SignedHeader.Hash(), c.SignedHeader.AppHash)
		}
		confirmed = confirmed || !sameNode
	}
	if !confirmed {
		h.mu.Lock()
		if h.unconfirmed == 0 {
			h.unconfirmed = lb.Height
		}
		h.mu.Unlock()
	}
	return nil
}

// nodeID is the node id h's RPC reports (unverified; "" if unknown).
func (h *Headers) nodeID(ctx context.Context) string {
	var st struct {
		NodeInfo struct {
			ID string `json:"id"`
		} `json:"node_info"`
	}
	if h.call(ctx, "status", nil, &st) != nil {
		return ""
	}
	return st.NodeInfo.ID
}

// Witnessed reports whether a witness confirmed every verified header
// after the trusted one.
func (h *Headers) Witnessed() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.Witnesses) > 0 && h.unconfirmed == 0
}

// AppHash is the app hash of height, from verified header height+1.
func (h *Headers) AppHash(ctx context.Context, height int64) ([]byte, error) {
	lb, err := h.LightBlock(ctx, height+1)
	if err != nil {
		return nil, err
	}
	return lb.AppHash, nil
}

// Anchor names the verified header behind height's app hash.
func (h *Headers) Anchor(ctx context.Context, height int64) (client.Anchor, error) {
	lb, err := h.LightBlock(ctx, height+1)
	if err != nil {
		return client.Anchor{}, err
	}
	return client.Anchor{Height: height, HeaderHeight: lb.Height, HeaderHash: lb.Hash(), HeaderTime: lb.Time, AppHash: lb.AppHash}, nil
}

// LatestProvableHeight is the node's latest header, verified, minus one.
func (h *Headers) LatestProvableHeight(ctx context.Context) (int64, error) {
	var st struct {
		SyncInfo struct {
			LatestBlockHeight string `json:"latest_block_height"`
		} `json:"sync_info"`
	}
	if err := h.call(ctx, "status", nil, &st); err != nil {
		return 0, err
	}
	latest, err := strconv.ParseInt(st.SyncInfo.LatestBlockHeight, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("status: latest height %q", st.SyncInfo.LatestBlockHeight)
	}
	if _, err := h.LightBlock(ctx, latest); err != nil {
		return 0, err
	}
	return latest - 1, nil
}

// fetch reads the signed header and validator set at height, checked for
// internal consistency (not yet for trust).
func (h *Headers) fetch(ctx context.Context, height int64) (*cmttypes.LightBlock, error) {
	var c struct {
		SignedHeader cmttypes.SignedHeader `json:"signed_header"`
	}
	if err := h.call(ctx, "commit", map[string]string{"height": strconv.FormatInt(height, 10)}, &c); err != nil {
		return nil, err
	}
	var vals []*cmttypes.Validator
	for page := 1; ; page++ {
		var v struct {
			Validators []*cmttypes.Validator `json:"validators"`
			Total      string                `json:"total"`
		}
		if err := h.call(ctx, "validators", map[string]string{"height": strconv.FormatInt(height, 10), "page": strconv.Itoa(page), "per_page": "100"}, &v); err != nil {
			return nil, err
		}
		vals = append(vals, v.Validators...)
		total, _ := strconv.Atoi(v.Total)
		if len(vals) >= total || len(v.Validators) == 0 {
			break
		}
	}
	vs, err := cmttypes.ValidatorSetFromExistingValidators(vals)
	if err != nil {
		return nil, fmt.Errorf("validators of %d: %w", height, err)
	}
	lb := &cmttypes.LightBlock{SignedHeader: &c.SignedHeader, ValidatorSet: vs}
	if err := lb.ValidateBasic(h.ChainID); err != nil {
		return nil, fmt.Errorf("header %d: %w", height, err)
	}
	if lb.Height != height {
		return nil, fmt.Errorf("asked for header %d, got %d", height, lb.Height)
	}
	return lb, nil
}

// call does a CometBFT JSON-RPC call (URI form, GET) into result.
func (h *Headers) call(ctx context.Context, method string, params map[string]string, result any) error {
	u := strings.TrimRight(h.RPC, "/") + "/" + method
	sep := "?"
	for _, k := range []string{"height", "page", "per_page"} {
		if v, ok := params[k]; ok {
			u += sep + k + "=" + v
			sep = "&"
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	c := h.HTTP
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("RPC %s: %w", method, err)
	}
	defer resp.Body.Close()
	bz, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	var env struct {
		Result json.RawMessage `json:"result"`
		Error  *struct {
			Message string `json:"message"`
			Data    string `json:"data"`
		} `json:"error"`
	}
	if err := json.Unmarshal(bz, &env); err != nil {
		return fmt.Errorf("RPC %s: %w", method, err)
	}
	if env.Error != nil {
		return fmt.Errorf("RPC %s: %s %s", method, env.Error.Message, env.Error.Data)
	}
	return cmtjson.Unmarshal(env.Result, result)
}

// Config is what the page asks for: the nodes (any, untrusted) and the
// trusted header.
type Config struct {
	REST        string `json:"rest"`
	RPC         string `json:"rpc"`
	ChainID     string `json:"chain_id"`
	TrustHeight int64  `json:"trust_height"`
	TrustHash   string `json:"trust_hash"` // hex
	MaxLagSec   int64  `json:"max_lag_seconds"`
	// Witnesses: other operators' RPC URLs.
	Witnesses []string `json:"witnesses"`
}

// Result is a verified audit for the page: every figure in it was proven.
type Result struct {
	Height      int64        `json:"height"`
	HeaderHash  string       `json:"header_hash"`
	HeaderTime  string       `json:"header_time"`
	AppHash     string       `json:"app_hash"`
	Status      string       `json:"status"`
	Supply      uint64       `json:"supply"`
	Capacity    uint64       `json:"capacity"`
	Available   uint64       `json:"available_barrels"`
	CoverageBps uint64       `json:"coverage_bps"`
	Round       uint64       `json:"round_id"`
	Price       uint64       `json:"price"`
	Headroom    uint64       `json:"issuable_headroom"` // 0 unless status is OK
	Witnessed   bool         `json:"witnessed"`         // every header confirmed by a witness
	Redemptions []Redemption `json:"redemptions"`       // each proven
	Rounds      []Round      `json:"rounds"`            // every settled round, each proven (the chart)
	Assumption  string       `json:"assumption"`
}

// Redemption is one proven redemption record.
type Redemption struct {
	ID     uint64 `json:"id"`
	Owner  string `json:"owner"`
	Amount uint64 `json:"amount"`
	Status string `json:"status"` // REQUESTED, ACCEPTED, FULFILLED, REJECTED, EXPIRED
}

// Round is one proven report row (client.ReportRow).
type Round struct {
	ID            uint64 `json:"id"`
	SettledHeight int64  `json:"settled_height"`
	ObservedAt    string `json:"observed_at"`
	Reserve       uint64 `json:"reserve_barrels"`
	Price         uint64 `json:"price"`
	Supply        uint64 `json:"supply"`
	CoverageBps   uint64 `json:"coverage_bps"`
	Status        string `json:"status"`
	HeaderHash    string `json:"header_hash"`
	AppHash       string `json:"app_hash"`
}

// Audit verifies the backing at the latest height from cfg's nodes.
func Audit(ctx context.Context, cfg Config) (*Result, error) {
	hash, err := hexBytes(cfg.TrustHash)
	if err != nil {
		return nil, fmt.Errorf("trusted hash: %w", err)
	}
	hs := &Headers{RPC: cfg.RPC, ChainID: cfg.ChainID, Witnesses: cfg.Witnesses}
	if err := hs.Trust(ctx, cfg.TrustHeight, hash); err != nil {
		return nil, err
	}
	a := client.NewAuditor(client.NewWith(&RESTConn{Base: cfg.REST}), hs)
	b, err := a.AuditBacking(ctx, 0)
	if err != nil {
		return nil, err
	}
	if lag := time.Duration(cfg.MaxLagSec) * time.Second; lag > 0 && time.Since(b.Anchor.HeaderTime) > lag {
		return nil, fmt.Errorf("stale: the newest verified header (%d) is %s old, more than %s", b.Anchor.HeaderHeight, time.Since(b.Anchor.HeaderTime).Round(time.Second), lag)
	}
	out := &Result{Height: b.Height, HeaderHash: fmt.Sprintf("%X", b.Anchor.HeaderHash), HeaderTime: b.Anchor.HeaderTime.UTC().Format(time.RFC3339),
		AppHash: fmt.Sprintf("%X", b.AppHash), Status: strings.TrimPrefix(b.Status.String(), "BACKING_STATUS_"),
		Supply: b.Supply, Capacity: b.Capacity, Available: b.Available, CoverageBps: b.CoverageBps,
		Redemptions: []Redemption{}, Rounds: []Round{},
		Assumption: "more than 1/3 of the validator power of the trusted header is honest"}
	if b.Round != nil {
		out.Round, out.Price = b.Round.Id, b.Round.Price
	}
	if out.Status == "OK" && b.Capacity > b.Supply {
		out.Headroom = b.Capacity - b.Supply
	}
	reds, err := a.VerifiedRedemptions(ctx, b.Height)
	if err != nil {
		return nil, err
	}
	for _, r := range reds {
		out.Redemptions = append(out.Redemptions, Redemption{ID: r.Id, Owner: r.Owner, Amount: r.Amount,
			Status: strings.TrimPrefix(r.Status.String(), "REDEMPTION_STATUS_")})
	}
	rows, err := a.AuditRounds(ctx, 1, b.Height, nil)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out.Rounds = append(out.Rounds, Round{ID: r.RoundID, SettledHeight: r.SettledHeight,
			ObservedAt: time.Unix(r.ObservedAtUnix, 0).UTC().Format(time.RFC3339), Reserve: r.ReserveBarrels, Price: r.Price,
			Supply: r.Supply, CoverageBps: r.CoverageBps, Status: strings.TrimPrefix(r.Status.String(), "BACKING_STATUS_"),
			HeaderHash: fmt.Sprintf("%X", r.Anchor.HeaderHash), AppHash: fmt.Sprintf("%X", r.Anchor.AppHash)})
	}
	out.Witnessed = hs.Witnessed()
	if out.Witnessed {
		out.Assumption += ", and at least one witness is an honest node (every header was confirmed by a witness)"
	} else {
		out.Assumption += "; UNWITNESSED: no witness confirmed every header, so whoever holds more than 2/3 of the validator power could have signed these figures"
	}
	return out, nil
}

func hexBytes(s string) ([]byte, error) {
	return hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(s), "0x"))
}
