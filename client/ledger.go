package client

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	tokentypes "github.com/petro-network/petro/x/token/types"
)

// VerifiedTotals are x/token's cumulative totals (issued, burned, in
// escrow) and the supply committed at height, both proven.
func (a *Auditor) VerifiedTotals(ctx context.Context, height int64) (*tokentypes.Totals, uint64, error) {
	h, err := a.Height(ctx, height)
	if err != nil {
		return nil, 0, err
	}
	res, err := a.C.Token.Totals(ctx, &tokentypes.QueryTotalsRequest{Height: h, Prove: true})
	if err != nil {
		return nil, 0, queryErr(h, "totals", err)
	}
	t := res.GetTotals()
	if t == nil {
		t = &tokentypes.Totals{}
	}
	what := fmt.Sprintf("totals (issued %d, burned %d, escrow %d; supply %d)", t.Issued, t.Burned, t.Escrow, res.GetSupply())
	return t, res.GetSupply(), a.verify(ctx, h, res.GetHeight(), what, func(appHash []byte) error {
		if err := VerifyMessage(appHash, h, tokentypes.TotalsKey, t, &tokentypes.Totals{}, res.GetProof()); err != nil {
			return err
		}
		return VerifyUint64(appHash, h, tokentypes.SupplyKey, res.GetSupply(), res.GetSupplyProof())
	})
}

// LedgerEntry is one block in which PTR was issued or burned: the
// cumulative totals proven before it (Height-1) and after it (Height).
type LedgerEntry struct {
	Height      int64
	Issued      uint64 // issued by this block (genesis supply counts at the first height)
	Burned      uint64 // burned by this block: fulfilled redemptions and wiped frozen balances
	IssuedTotal uint64 // cumulative, after the block
	BurnedTotal uint64
	Supply      uint64 // after the block
	Anchor      Anchor // the header proving the totals after the block
}

// Ledger is the issuance and burn ledger of a height range, every entry
// proven; Start and End are the proven totals at From-1 and To.
type Ledger struct {
	From, To   int64
	Start, End *tokentypes.Totals
	Entries    []LedgerEntry
}

// AuditLedger finds every block in [from, to] (to 0: the latest
// verifiable) that issued or burned PTR, from proofs alone: the chain
// keeps cumulative issued and burned totals, both only ever grow, so equal
// totals at two heights prove no issue or burn between them, and a
// bisection over proven totals finds each block where they changed — no
// block can be left out. Each entry costs about log2(range) proofs.
// from 1 takes the state after block 1 (genesis balances included) as
// the start.
func (a *Auditor) AuditLedger(ctx context.Context, from, to int64) (*Ledger, error) {
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
	start := from - 1
	if start < 1 {
		start = 1
	}
	type point struct {
		t      *tokentypes.Totals
		supply uint64
	}
	memo := map[int64]point{}
	at := func(h int64) (point, error) {
		if p, ok := memo[h]; ok {
			return p, nil
		}
		t, s, err := a.VerifiedTotals(ctx, h)
		if err != nil {
			return point{}, err
		}
		memo[h] = point{t, s}
		return memo[h], nil
	}
	lo, err := at(start)
	if err != nil {
		return nil, err
	}
	hi, err := at(to)
	if err != nil {
		return nil, err
	}
	out := &Ledger{From: from, To: to, Start: lo.t, End: hi.t}
	var walk func(l, h int64, pl, ph point) error
	walk = func(l, h int64, pl, ph point) error {
		if pl.t.Issued == ph.t.Issued && pl.t.Burned == ph.t.Burned {
			return nil
		}
		if ph.t.Issued < pl.t.Issued || ph.t.Burned < pl.t.Burned {
			return &VerificationError{Height: h, What: fmt.Sprintf("totals issued %d burned %d", ph.t.Issued, ph.t.Burned),
				Err: fmt.Errorf("%w: lower than the proven totals at height %d (issued %d, burned %d): cumulative totals only grow", ErrInvalidProof, l, pl.t.Issued, pl.t.Burned)}
		}
		if h == l+1 {
			anchor, err := a.AnchorAt(ctx, h)
			if err != nil {
				return err
			}
			out.Entries = append(out.Entries, LedgerEntry{Height: h, Issued: ph.t.Issued - pl.t.Issued, Burned: ph.t.Burned - pl.t.Burned,
				IssuedTotal: ph.t.Issued, BurnedTotal: ph.t.Burned, Supply: ph.supply, Anchor: anchor})
			return nil
		}
		m := l + (h-l)/2
		pm, err := at(m)
		if err != nil {
			return err
		}
		if err := walk(l, m, pl, pm); err != nil {
			return err
		}
		return walk(m, h, pm, ph)
	}
	if start == to {
		return out, nil
	}
	if err := walk(start, to, lo, hi); err != nil {
		return nil, err
	}
	return out, nil
}

// VerifiedRedemptions are redemptions 1, 2, … as stored at height, each
// proven, up to the first id the node reports not found. Ids are
// consecutive, so none inside the list can be skipped; the end of the list
// is the node's word (the query serves no absence proof).
func (a *Auditor) VerifiedRedemptions(ctx context.Context, height int64) ([]*tokentypes.Redemption, error) {
	h, err := a.Height(ctx, height)
	if err != nil {
		return nil, err
	}
	var out []*tokentypes.Redemption
	for id := uint64(1); ; id++ {
		r, err := a.VerifiedRedemption(ctx, id, h)
		var ve *VerificationError
		if err != nil && !errors.As(err, &ve) && isRedemptionNotFound(err) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
}

// isRedemptionNotFound is the node's answer for an id it does not hold:
// result code token/23 in the gRPC status message.
func isRedemptionNotFound(err error) bool {
	st, ok := status.FromError(errors.Unwrap(err))
	if !ok {
		st, ok = status.FromError(err)
	}
	return ok && st.Code() == codes.InvalidArgument &&
		strings.Contains(st.Message(), fmt.Sprintf("%s/%d:", tokentypes.Codespace, 23))
}
