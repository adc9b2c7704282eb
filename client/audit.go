package client

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/crypto"
	petro "github.com/petro-network/petro/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// Auditor reads state from one node over gRPC and trusts none of it: every
// figure comes with a Merkle proof, checked against the app hash in a
// header that the light client verified from the validators' signatures.
// A node that lies about a figure is caught (a *VerificationError naming
// the height and the value); one that withholds a proof or a header
// fails the call.
//
// What a proof cannot show is completeness of a listing: VerifiedLots
// proves every lot it returns, not that no lot was left out. The backing
// audit does not depend on that: it needs exactly the lots of the settled
// round, and refuses a round lot it has no proven record for.
type Auditor struct {
	C     *Client
	Light AppHashSource
}

// AppHashSource gives verified app hashes; a *light.Client (package
// client/light) is the real one.
type AppHashSource interface {
	// AppHash is the app hash committed at height (from header height+1).
	AppHash(ctx context.Context, height int64) ([]byte, error)
	// LatestProvableHeight is the highest height AppHash can answer now.
	LatestProvableHeight(ctx context.Context) (int64, error)
}

// Anchor names the verified header whose app hash a figure was proven
// against: the app hash committed by block Height is in the header of
// block HeaderHeight = Height+1.
type Anchor struct {
	Height       int64
	HeaderHeight int64
	HeaderHash   []byte
	HeaderTime   time.Time
	AppHash      []byte
}

// AnchorSource is implemented by app hash sources that can name the
// header behind an app hash (a *light.Client does); audit results then
// carry it.
type AnchorSource interface {
	Anchor(ctx context.Context, height int64) (Anchor, error)
}

// AnchorAt is the header behind height's app hash, or just the app hash
// when the source cannot name its header.
func (a *Auditor) AnchorAt(ctx context.Context, height int64) (Anchor, error) {
	if s, ok := a.Light.(AnchorSource); ok {
		return s.Anchor(ctx, height)
	}
	ah, err := a.Light.AppHash(ctx, height)
	return Anchor{Height: height, AppHash: ah}, err
}

// NewAuditor pairs a gRPC client (any node, trusted for nothing) with a
// source of verified app hashes, normally a *light.Client.
func NewAuditor(c *Client, l AppHashSource) *Auditor { return &Auditor{C: c, Light: l} }

// Height resolves 0 to the latest height whose app hash can be verified
// now (the latest block minus one); any other height is returned as is.
func (a *Auditor) Height(ctx context.Context, height int64) (int64, error) {
	if height > 0 {
		return height, nil
	}
	if height < 0 {
		return 0, fmt.Errorf("height %d: must be positive", height)
	}
	return a.Light.LatestProvableHeight(ctx)
}

// verify runs check against the verified app hash of height, turning any
// failure into a VerificationError that names what was claimed.
func (a *Auditor) verify(ctx context.Context, height, respHeight int64, what string, check func(appHash []byte) error) error {
	if respHeight != height {
		return &VerificationError{Height: height, What: what, Err: fmt.Errorf("%w: the node answered for height %d", ErrInvalidProof, respHeight)}
	}
	appHash, err := a.Light.AppHash(ctx, height)
	if err != nil {
		return &VerificationError{Height: height, What: what, Err: err}
	}
	if err := check(appHash); err != nil {
		return &VerificationError{Height: height, What: what, Err: err}
	}
	return nil
}

func queryErr(height int64, what string, err error) error {
	return fmt.Errorf("query %s at height %d: %w", what, height, err)
}

// VerifiedSupply is the PTR supply (base units) committed at height
// (0: the latest verifiable height).
func (a *Auditor) VerifiedSupply(ctx context.Context, height int64) (uint64, error) {
	h, err := a.Height(ctx, height)
	if err != nil {
		return 0, err
	}
	res, err := a.C.Token.Supply(ctx, &tokentypes.QuerySupplyRequest{Height: h, Prove: true})
	if err != nil {
		return 0, queryErr(h, "supply", err)
	}
	what := fmt.Sprintf("token supply %d base units", res.GetAmount())
	return res.GetAmount(), a.verify(ctx, h, res.GetHeight(), what, func(appHash []byte) error {
		return VerifyUint64(appHash, h, tokentypes.SupplyKey, res.GetAmount(), res.GetProof())
	})
}

// VerifiedBalance is addr's balance (base units) committed at height; an
// account without a balance is proven absent and reads 0.
func (a *Auditor) VerifiedBalance(ctx context.Context, addr crypto.Address, height int64) (uint64, error) {
	h, err := a.Height(ctx, height)
	if err != nil {
		return 0, err
	}
	res, err := a.C.Token.Balance(ctx, &tokentypes.QueryBalanceRequest{Address: addr.String(), Height: h, Prove: true})
	if err != nil {
		return 0, queryErr(h, "balance of "+addr.String(), err)
	}
	amount := res.GetBalance().GetAmount()
	what := fmt.Sprintf("balance of %s %d base units", addr, amount)
	return amount, a.verify(ctx, h, res.GetHeight(), what, func(appHash []byte) error {
		if got := res.GetBalance().GetAddress(); got != addr.String() {
			return fmt.Errorf("%w: the response is for address %s", ErrInvalidProof, got)
		}
		return VerifyUint64(appHash, h, tokentypes.BalanceKey(addr), amount, res.GetProof())
	})
}

// VerifiedBacking is the backing record computed at the end of block
// height and committed with it.
func (a *Auditor) VerifiedBacking(ctx context.Context, height int64) (*reservetypes.Backing, error) {
	h, err := a.Height(ctx, height)
	if err != nil {
		return nil, err
	}
	res, err := a.C.Reserve.Status(ctx, &reservetypes.QueryStatusRequest{Height: h, Prove: true})
	if err != nil {
		return nil, queryErr(h, "backing status", err)
	}
	b := res.GetBacking()
	if b == nil {
		b = &reservetypes.Backing{}
	}
	what := fmt.Sprintf("backing status %s (supply %d, capacity %d, available barrels %d, price %d, round %d)",
		b.Status, b.Supply, b.Capacity, b.AvailableBarrels, b.Price, b.LatestRound)
	return b, a.verify(ctx, h, res.GetHeight(), what, func(appHash []byte) error {
		return VerifyMessage(appHash, h, reservetypes.BackingKey, b, &reservetypes.Backing{}, res.GetProof())
	})
}

// VerifiedRound is settled round id as stored at height.
func (a *Auditor) VerifiedRound(ctx context.Context, id uint64, height int64) (*reservetypes.SettledRound, error) {
	h, err := a.Height(ctx, height)
	if err != nil {
		return nil, err
	}
	res, err := a.C.Reserve.Round(ctx, &reservetypes.QueryRoundRequest{Id: id, Height: h, Prove: true})
	if err != nil {
		return nil, queryErr(h, fmt.Sprintf("round %d", id), err)
	}
	r := res.GetRound()
	if r == nil {
		r = &reservetypes.SettledRound{}
	}
	what := fmt.Sprintf("round %d (reserve %d barrel units, price %d, settled at height %d)", id, r.TotalBarrels, r.Price, r.SettledHeight)
	return r, a.verify(ctx, h, res.GetHeight(), what, func(appHash []byte) error {
		if r.Id != id {
			return fmt.Errorf("%w: the response is round %d", ErrInvalidProof, r.Id)
		}
		return VerifyMessage(appHash, h, reservetypes.RoundKey(id), r, nil, res.GetProof())
	})
}

// VerifiedLots are the reserve lots stored at height, each with its own
// proof. (Proofs show each lot is as stored; they cannot show no lot was
// left out.)
func (a *Auditor) VerifiedLots(ctx context.Context, height int64) ([]*reservetypes.Lot, error) {
	h, err := a.Height(ctx, height)
	if err != nil {
		return nil, err
	}
	res, err := a.C.Reserve.Lots(ctx, &reservetypes.QueryLotsRequest{Height: h, Prove: true})
	if err != nil {
		return nil, queryErr(h, "lots", err)
	}
	lots, proofs := res.GetLots(), res.GetProofs()
	if len(proofs) != len(lots) {
		return nil, &VerificationError{Height: h, What: fmt.Sprintf("%d lots", len(lots)),
			Err: fmt.Errorf("%w: %d proofs for %d lots", ErrInvalidProof, len(proofs), len(lots))}
	}
	for i, l := range lots {
		if l == nil {
			return nil, &VerificationError{Height: h, What: fmt.Sprintf("lot #%d", i), Err: fmt.Errorf("%w: empty lot", ErrInvalidProof)}
		}
		what := fmt.Sprintf("lot %s (field %s, valid until %d, retired %t)", l.Id, l.Field, l.ValidUntilUnix, l.Retired)
		p := proofs[i]
		if err := a.verify(ctx, h, res.GetHeight(), what, func(appHash []byte) error {
			return VerifyMessage(appHash, h, reservetypes.LotKey(l.Id), l, nil, p)
		}); err != nil {
			return nil, err
		}
	}
	return lots, nil
}

// VerifiedReserveParams are x/reserve's parameters at height (the defaults
// when none are stored, proven absent).
func (a *Auditor) VerifiedReserveParams(ctx context.Context, height int64) (*reservetypes.Params, error) {
	h, err := a.Height(ctx, height)
	if err != nil {
		return nil, err
	}
	res, err := a.C.Reserve.Params(ctx, &reservetypes.QueryParamsRequest{Height: h, Prove: true})
	if err != nil {
		return nil, queryErr(h, "reserve params", err)
	}
	p := res.GetParams()
	if p == nil {
		p = &reservetypes.Params{}
	}
	what := fmt.Sprintf("reserve params (barrels per token %d, margin %d bps, max age %d s)", p.BarrelsPerToken, p.MarginBps, p.MaxAgeSeconds)
	return p, a.verify(ctx, h, res.GetHeight(), what, func(appHash []byte) error {
		return VerifyMessage(appHash, h, reservetypes.ParamsKey, p, reservetypes.DefaultParams(), res.GetProof())
	})
}

// VerifiedTokenParams are x/token's parameters (hard cap…) at height.
func (a *Auditor) VerifiedTokenParams(ctx context.Context, height int64) (*tokentypes.Params, error) {
	h, err := a.Height(ctx, height)
	if err != nil {
		return nil, err
	}
	res, err := a.C.Token.Params(ctx, &tokentypes.QueryParamsRequest{Height: h, Prove: true})
	if err != nil {
		return nil, queryErr(h, "token params", err)
	}
	p := res.GetParams()
	if p == nil {
		p = &tokentypes.Params{}
	}
	what := fmt.Sprintf("token params (hard cap %d)", p.HardCap)
	return p, a.verify(ctx, h, res.GetHeight(), what, func(appHash []byte) error {
		return VerifyMessage(appHash, h, tokentypes.ParamsKey, p, tokentypes.DefaultParams(), res.GetProof())
	})
}

// VerifiedRedemption is redemption id as stored at height.
func (a *Auditor) VerifiedRedemption(ctx context.Context, id uint64, height int64) (*tokentypes.Redemption, error) {
	h, err := a.Height(ctx, height)
	if err != nil {
		return nil, err
	}
	res, err := a.C.Token.Redemption(ctx, &tokentypes.QueryRedemptionRequest{Id: id, Height: h, Prove: true})
	if err != nil {
		return nil, queryErr(h, fmt.Sprintf("redemption %d", id), err)
	}
	r := res.GetRedemption()
	if r == nil {
		r = &tokentypes.Redemption{}
	}
	what := fmt.Sprintf("redemption %d (%s, amount %d)", id, r.Status, r.Amount)
	return r, a.verify(ctx, h, res.GetHeight(), what, func(appHash []byte) error {
		return VerifyMessage(appHash, h, tokentypes.RedemptionKey(id), r, nil, res.GetProof())
	})
}

// LotFigure is one lot of the latest settled round as the audit counts it.
type LotFigure struct {
	Lot     *reservetypes.Lot
	Barrels uint64 // the round's median barrels (10^-8 units)
	Active  bool   // not retired and certificate valid at the backing's block time
}

// BackingAudit is the backing at one height, every input proven and every
// derived figure recomputed on the client.
type BackingAudit struct {
	Height      int64
	AppHash     []byte
	Anchor      Anchor                // the header that carried AppHash
	Backing     *reservetypes.Backing // as stored (proven)
	Supply      uint64                // proven supply
	Round       *reservetypes.SettledRound
	Lots        []LotFigure
	Params      *reservetypes.Params
	HardCap     uint64
	Reserve     uint64 // Σ active lots' medians
	Delivered   uint64 // barrels delivered since the round (from the proven backing)
	Available   uint64 // Reserve − Delivered
	Capacity    uint64 // recomputed with x/reserve/keeper.Capacity
	CoverageBps uint64 // recomputed with x/reserve/keeper.CoverageBps
	AgeSeconds  int64  // backing block time − round observation time
	Status      reservetypes.BackingStatus
	Oracles     []*reservetypes.OracleRecord // each oracle's counters, proven
}

// AuditBacking verifies the backing at height (0: the latest verifiable)
// end to end: the stored backing record, supply, reserve and token
// params, the latest settled round and each of its lots are proven
// against the light-client app hash, as are the oracles' counters; available barrels, capacity,
// coverage and status are then recomputed with the chain's own formulas
// and must match the stored record. Delivered barrels (redemptions
// fulfilled since the round) are taken from the proven record.
func (a *Auditor) AuditBacking(ctx context.Context, height int64) (*BackingAudit, error) {
	h, err := a.Height(ctx, height)
	if err != nil {
		return nil, err
	}
	out := &BackingAudit{Height: h}
	if out.Anchor, err = a.AnchorAt(ctx, h); err != nil {
		return nil, err
	}
	out.AppHash = out.Anchor.AppHash
	if out.Backing, err = a.VerifiedBacking(ctx, h); err != nil {
		return nil, err
	}
	if out.Supply, err = a.VerifiedSupply(ctx, h); err != nil {
		return nil, err
	}
	if out.Params, err = a.VerifiedReserveParams(ctx, h); err != nil {
		return nil, err
	}
	tp, err := a.VerifiedTokenParams(ctx, h)
	if err != nil {
		return nil, err
	}
	out.HardCap = tp.HardCap
	if out.Oracles, err = a.VerifiedOracles(ctx, h); err != nil {
		return nil, err
	}
	b := out.Backing
	mismatch := func(what string, stored, recomputed any) error {
		return &VerificationError{Height: h, What: fmt.Sprintf("backing %s %v", what, stored),
			Err: fmt.Errorf("recomputed from the proven inputs it is %v", recomputed)}
	}
	if b.ComputedHeight != h {
		return nil, mismatch("computed at height", b.ComputedHeight, h)
	}
	if b.Supply != out.Supply {
		return nil, mismatch("supply", b.Supply, out.Supply)
	}
	var price uint64
	if b.LatestRound != 0 {
		if out.Round, err = a.VerifiedRound(ctx, b.LatestRound, h); err != nil {
			return nil, err
		}
		lots, err := a.VerifiedLots(ctx, h)
		if err != nil {
			return nil, err
		}
		byID := map[string]*reservetypes.Lot{}
		for _, l := range lots {
			byID[l.Id] = l
		}
		for _, lr := range out.Round.Lots {
			l, ok := byID[lr.LotId]
			if !ok {
				return nil, &VerificationError{Height: h, What: fmt.Sprintf("lot %s of round %d (%d barrel units)", lr.LotId, out.Round.Id, lr.Barrels),
					Err: fmt.Errorf("%w: the node returned no proven record of this lot", ErrInvalidProof)}
			}
			f := LotFigure{Lot: l, Barrels: lr.Barrels, Active: !l.Retired && l.ValidUntilUnix > b.ComputedTimeUnix}
			if f.Active {
				if out.Reserve, err = petro.SafeAdd(out.Reserve, lr.Barrels); err != nil {
					return nil, mismatch("reserve", b.AvailableBarrels, err)
				}
			}
			out.Lots = append(out.Lots, f)
		}
		out.Delivered = b.DeliveredBarrels
		if out.Reserve > out.Delivered {
			out.Available = out.Reserve - out.Delivered
		}
		out.AgeSeconds = b.ComputedTimeUnix - out.Round.ObservedAtUnix
		price = out.Round.Price
		out.Capacity = reservetypes.Capacity(out.Available, out.Params, out.HardCap)
		out.CoverageBps = reservetypes.CoverageBps(out.Available, out.Supply, out.Params.BarrelsPerToken)
	}
	switch {
	case b.Halted:
		out.Status = reservetypes.BackingStatus_BACKING_STATUS_HALTED
	case out.Round == nil || out.AgeSeconds > int64(out.Params.MaxAgeSeconds):
		out.Status = reservetypes.BackingStatus_BACKING_STATUS_STALE
	case out.Supply > out.Capacity:
		out.Status = reservetypes.BackingStatus_BACKING_STATUS_UNDERBACKED
	default:
		out.Status = reservetypes.BackingStatus_BACKING_STATUS_OK
	}
	for _, c := range []struct {
		what             string
		stored, computed any
	}{
		{"available barrels", b.AvailableBarrels, out.Available},
		{"price", b.Price, price},
		{"attestation age (s)", b.AttestationAgeSeconds, out.AgeSeconds},
		{"capacity", b.Capacity, out.Capacity},
		{"coverage (bps)", b.CoverageBps, out.CoverageBps},
		{"status", b.Status, out.Status},
	} {
		if c.stored != c.computed {
			return nil, mismatch(c.what, c.stored, c.computed)
		}
	}
	return out, nil
}

// ReportRow is one settled round in an audit report, every figure proven.
type ReportRow struct {
	RoundID        uint64
	SettledHeight  int64
	ObservedAtUnix int64
	ReserveBarrels uint64 // the round's total (10^-8 barrels)
	Price          uint64 // 10^-8 USD per barrel
	Supply         uint64 // PTR base units at the settled height
	CoverageBps    uint64 // reserve ÷ (supply × barrels per token)
	Status         reservetypes.BackingStatus
	Anchor         Anchor // the header whose app hash proved this row's figures
}

// AuditRounds verifies every round settled at a height in [from, to] (to 0:
// the latest verifiable height). The rounds are read at `to` by id, from
// the latest settled there (per the proven backing) down to the first
// settled before from: ids are consecutive, so none can be left out.
// Each round (again), its supply, status and parameters are proven at its
// settled height, and the proven supply must equal the supply the round recorded.
// progress, if not nil, is called after each row with (done, total).
func (a *Auditor) AuditRounds(ctx context.Context, from, to int64, progress func(done, total int)) ([]ReportRow, error) {
	to, err := a.Height(ctx, to)
	if err != nil {
		return nil, err
	}
	if from < 1 {
		from = 1
	}
	if from > to {
		return nil, fmt.Errorf("empty range: from %d > to %d", from, to)
	}
	b, err := a.VerifiedBacking(ctx, to)
	if err != nil {
		return nil, err
	}
	var rounds []*reservetypes.SettledRound
	for id := b.LatestRound; id >= 1; id-- {
		r, err := a.VerifiedRound(ctx, id, to)
		if err != nil {
			return nil, err
		}
		if r.SettledHeight < from {
			break
		}
		if r.SettledHeight <= to {
			rounds = append(rounds, r)
		}
	}
	rows := make([]ReportRow, 0, len(rounds))
	for i := len(rounds) - 1; i >= 0; i-- {
		r := rounds[i]
		h := r.SettledHeight
		supply, err := a.VerifiedSupply(ctx, h)
		if err != nil {
			return nil, err
		}
		if supply != r.Supply {
			return nil, &VerificationError{Height: h, What: fmt.Sprintf("round %d supply %d", r.Id, r.Supply),
				Err: fmt.Errorf("the proven supply at its settled height is %d", supply)}
		}
		// The round is immutable once settled: proven again at its settled
		// height, every figure of the row rests on that one app hash.
		again, err := a.VerifiedRound(ctx, r.Id, h)
		if err != nil {
			return nil, err
		}
		if !proto.Equal(again, r) {
			return nil, &VerificationError{Height: h, What: fmt.Sprintf("round %d", r.Id),
				Err: fmt.Errorf("%w: the round stored at its settled height differs from the one at height %d", ErrInvalidProof, to)}
		}
		bk, err := a.VerifiedBacking(ctx, h)
		if err != nil {
			return nil, err
		}
		p, err := a.VerifiedReserveParams(ctx, h)
		if err != nil {
			return nil, err
		}
		anchor, err := a.AnchorAt(ctx, h)
		if err != nil {
			return nil, err
		}
		rows = append(rows, ReportRow{Anchor: anchor,
			RoundID: r.Id, SettledHeight: h, ObservedAtUnix: r.ObservedAtUnix,
			ReserveBarrels: r.TotalBarrels, Price: r.Price, Supply: supply,
			CoverageBps: reservetypes.CoverageBps(r.TotalBarrels, supply, p.BarrelsPerToken),
			Status:      bk.Status,
		})
		if progress != nil {
			progress(len(rows), len(rounds))
		}
	}
	return rows, nil
}

// VerifiedOracles are the oracles' counters (reports, misses, outliers,
// last round) stored at height, each proven (an oracle that never reported
// is proven absent and reads zero). The list of oracles is the node's: a
// proof shows each record, not that no oracle was left out.
func (a *Auditor) VerifiedOracles(ctx context.Context, height int64) ([]*reservetypes.OracleRecord, error) {
	h, err := a.Height(ctx, height)
	if err != nil {
		return nil, err
	}
	res, err := a.C.Reserve.Oracles(ctx, &reservetypes.QueryOraclesRequest{Height: h, Prove: true})
	if err != nil {
		return nil, queryErr(h, "oracles", err)
	}
	recs, proofs := res.GetOracles(), res.GetProofs()
	if len(proofs) != len(recs) {
		return nil, &VerificationError{Height: h, What: fmt.Sprintf("%d oracles", len(recs)),
			Err: fmt.Errorf("%w: %d proofs for %d oracles", ErrInvalidProof, len(proofs), len(recs))}
	}
	for i, r := range recs {
		if r == nil {
			return nil, &VerificationError{Height: h, What: fmt.Sprintf("oracle #%d", i), Err: fmt.Errorf("%w: empty record", ErrInvalidProof)}
		}
		addr, err := crypto.AddressFromBech32(r.Address)
		if err != nil {
			return nil, &VerificationError{Height: h, What: "oracle " + r.Address, Err: fmt.Errorf("%w: %v", ErrInvalidProof, err)}
		}
		what := fmt.Sprintf("oracle %s (reports %d, misses %d, outliers %d, last round %d)", r.Address, r.Reports, r.Misses, r.Outliers, r.LastRound)
		p := proofs[i]
		if err := a.verify(ctx, h, res.GetHeight(), what, func(appHash []byte) error {
			return VerifyMessage(appHash, h, reservetypes.OracleKey(addr), r, &reservetypes.OracleRecord{Address: r.Address}, p)
		}); err != nil {
			return nil, err
		}
	}
	return recs, nil
}
