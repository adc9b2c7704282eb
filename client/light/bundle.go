package light

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	cmtlight "github.com/cometbft/cometbft/light"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/petro-network/petro/client"
)

// BundleFormat names the bundle layout; VerifyBundle refuses others.
const BundleFormat = "petro-audit-bundle/1"

// Bundle is an audit archived in one file: the trust root, every header
// (with its commit and validator set) the light client verified from it,
// every node answer the audit read (proofs included) and the figures.
// VerifyBundle re-verifies all of it with no node.
type Bundle struct {
	Format      string            `json:"format"`
	ChainID     string            `json:"chain_id"`
	CreatedAt   time.Time         `json:"created_at"`
	Trust       TrustRoot         `json:"trust_root"`
	Genesis     []byte            `json:"genesis,omitempty"` // the genesis file byte for byte, when the trust root is one
	Witnesses   []Witness         `json:"witnesses"`
	Result      string            `json:"result"` // VERIFIED | UNWITNESSED when created
	Assumption  string            `json:"assumption"`
	Height      int64             `json:"height"` // the audited height
	From        int64             `json:"rounds_from,omitempty"`
	LightBlocks [][]byte          `json:"light_blocks"` // cometbft.types.LightBlock protobuf, by height
	Exchanges   []client.Exchange `json:"node_answers"`
	Figures     json.RawMessage   `json:"figures"` // client.Figures
}

// NewBundle archives an audit run through rec with this light client:
// genesis is the trusted genesis file (nil when trusting a header).
func (l *Client) NewBundle(genesis []byte, rec *client.Recorder, height, from int64, figures *client.Figures) (*Bundle, error) {
	trace, err := l.Trace()
	if err != nil {
		return nil, err
	}
	b := &Bundle{Format: BundleFormat, ChainID: l.chainID, CreatedAt: l.now().UTC(), Trust: l.trust,
		Genesis: genesis, Witnesses: l.Witnesses(), Result: "VERIFIED", Assumption: Assumption,
		Height: height, From: from, Exchanges: rec.Exchanges()}
	if ok, _ := l.Witnessed(); !ok {
		b.Result = "UNWITNESSED"
	}
	for _, lb := range trace {
		pb, err := lb.ToProto()
		if err != nil {
			return nil, err
		}
		bz, err := pb.Marshal()
		if err != nil {
			return nil, err
		}
		b.LightBlocks = append(b.LightBlocks, bz)
	}
	if b.Figures, err = json.Marshal(figures); err != nil {
		return nil, err
	}
	return b, nil
}

// Encode writes b as its file: compact JSON, a newline, then "sha256 "
// and the hex SHA-256 of the JSON and a newline. The digest catches
// damage anywhere in the file (even in bytes JSON would tolerate); what
// makes a bundle impossible to forge is the verification, not the digest.
func (b *Bundle) Encode() ([]byte, error) {
	bz, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	return frame(bz), nil
}

// frame appends the digest line to body.
func frame(body []byte) []byte {
	sum := sha256.Sum256(body)
	return append(body, []byte("\nsha256 "+hex.EncodeToString(sum[:])+"\n")...)
}

// DecodeBundle checks the digest and parses the file strictly.
func DecodeBundle(file []byte) (*Bundle, error) {
	i := bytes.LastIndex(file, []byte("\nsha256 "))
	if i < 0 || !bytes.HasSuffix(file, []byte("\n")) {
		return nil, errors.New("bundle: no sha256 line at the end")
	}
	body, digest := file[:i], strings.TrimSuffix(string(file[i+len("\nsha256 "):]), "\n")
	sum := sha256.Sum256(body)
	if digest != hex.EncodeToString(sum[:]) {
		return nil, fmt.Errorf("bundle: damaged: its content hashes to %X, the file says %s", sum, digest)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	b := &Bundle{}
	if err := dec.Decode(b); err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	if b.Format != BundleFormat {
		return nil, fmt.Errorf("bundle: format %q, want %q", b.Format, BundleFormat)
	}
	return b, nil
}

// Archive is a set of headers verified offline from a trust root: an
// app hash source for replaying an archived audit.
type Archive struct {
	headers map[int64]*cmttypes.Header
}

var (
	_ client.AppHashSource = (*Archive)(nil)
	_ client.AnchorSource  = (*Archive)(nil)
)

// AppHash is the app hash of height, from the archived header height+1.
func (a *Archive) AppHash(_ context.Context, height int64) ([]byte, error) {
	h, ok := a.headers[height+1]
	if !ok {
		return nil, fmt.Errorf("bundle: no verified header %d (for the app hash of height %d)", height+1, height)
	}
	return h.AppHash, nil
}

// Anchor names the archived header behind height's app hash.
func (a *Archive) Anchor(_ context.Context, height int64) (client.Anchor, error) {
	h, ok := a.headers[height+1]
	if !ok {
		return client.Anchor{}, fmt.Errorf("bundle: no verified header %d (for the app hash of height %d)", height+1, height)
	}
	return client.Anchor{Height: height, HeaderHeight: h.Height, HeaderHash: h.Hash(), HeaderTime: h.Time, AppHash: h.AppHash}, nil
}

// LatestProvableHeight has no meaning offline: archived audits name their height.
func (a *Archive) LatestProvableHeight(context.Context) (int64, error) {
	return 0, errors.New("bundle: an archived audit has no latest height")
}

// VerifyBundle re-verifies a bundle file with no node: the digest; the
// trust root (the genesis file's hash and that its validators signed the
// first header, or the trusted header's hash); every header, each signed
// by validators that the previous one trusts (CometBFT's light.Verify,
// 1/3 trust level, no expiry: the check is historical); then it replays
// the audit over the archived node answers, re-proving every figure
// against those headers, and requires the same figures. Witness
// confirmations are a record of the creation: they cannot be re-asked.
func VerifyBundle(ctx context.Context, file []byte) (*Bundle, *client.Figures, error) {
	b, err := DecodeBundle(file)
	if err != nil {
		return nil, nil, err
	}
	blocks := make([]*cmttypes.LightBlock, 0, len(b.LightBlocks))
	for i, bz := range b.LightBlocks {
		pb := &cmtproto.LightBlock{}
		if err := pb.Unmarshal(bz); err != nil {
			return nil, nil, fmt.Errorf("bundle: light block #%d: %w", i, err)
		}
		lb, err := cmttypes.LightBlockFromProto(pb)
		if err != nil {
			return nil, nil, fmt.Errorf("bundle: light block #%d: %w", i, err)
		}
		if err := lb.ValidateBasic(b.ChainID); err != nil {
			return nil, nil, fmt.Errorf("bundle: header %d: %w", lb.Height, err)
		}
		blocks = append(blocks, lb)
	}
	sort.SliceStable(blocks, func(i, j int) bool { return blocks[i].Height < blocks[j].Height })
	if len(blocks) == 0 {
		return nil, nil, errors.New("bundle: no headers")
	}
	root := blocks[0]
	if root.Height != b.Trust.Height || !bytes.Equal(root.Hash(), b.Trust.Hash) {
		return nil, nil, fmt.Errorf("bundle: the first header (%d, %X) is not the trust root (%d, %X)", root.Height, root.Hash(), b.Trust.Height, b.Trust.Hash)
	}
	if len(b.Genesis) != 0 || len(b.Trust.GenesisHash) != 0 {
		sum := sha256.Sum256(b.Genesis)
		if !bytes.Equal(sum[:], b.Trust.GenesisHash) {
			return nil, nil, fmt.Errorf("bundle: the genesis file hashes to %X, the trust root says %X", sum, b.Trust.GenesisHash)
		}
		gen, err := cmttypes.GenesisDocFromJSON(b.Genesis)
		if err != nil {
			return nil, nil, fmt.Errorf("bundle: genesis: %w", err)
		}
		if gen.ChainID != b.ChainID {
			return nil, nil, fmt.Errorf("bundle: genesis chain id %q, bundle %q", gen.ChainID, b.ChainID)
		}
		if err := VerifyGenesisBlock(gen, root); err != nil {
			return nil, nil, fmt.Errorf("bundle: %w", err)
		}
	}
	arch := &Archive{headers: map[int64]*cmttypes.Header{root.Height: root.Header}}
	last := blocks[len(blocks)-1]
	now := last.Time.Add(time.Minute)
	for i := 1; i < len(blocks); i++ {
		prev, lb := blocks[i-1], blocks[i]
		if lb.Height == prev.Height {
			return nil, nil, fmt.Errorf("bundle: header %d twice", lb.Height)
		}
		if err := cmtlight.Verify(prev.SignedHeader, prev.ValidatorSet, lb.SignedHeader, lb.ValidatorSet,
			100*365*24*time.Hour, now, time.Minute, cmtlight.DefaultTrustLevel); err != nil {
			return nil, nil, fmt.Errorf("bundle: header %d does not verify from header %d: %w", lb.Height, prev.Height, err)
		}
		arch.headers[lb.Height] = lb.Header
	}
	a := client.NewAuditor(client.NewWith(client.NewReplay(b.Exchanges)), arch)
	figs, err := a.AuditFigures(ctx, b.Height, b.From)
	if err != nil {
		return nil, nil, err
	}
	again, err := json.Marshal(figs)
	if err != nil {
		return nil, nil, err
	}
	if !bytes.Equal(again, b.Figures) {
		return nil, nil, errors.New("bundle: the figures it states differ from those re-proven from its headers and proofs")
	}
	return b, figs, nil
}
