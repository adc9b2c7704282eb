package client

import (
	"context"
	"fmt"

	tokentypes "github.com/petro-network/petro/x/token/types"
)

// VerifiedTranches is every issuance tranche committed at height (0: the
// latest verifiable), each proven against the app hash, with the proven
// supply. The tranches' outstanding amounts must sum to that supply: so a
// node that left out a tranche holding tokens is caught too.
func (a *Auditor) VerifiedTranches(ctx context.Context, height int64) ([]*tokentypes.TrancheTotals, uint64, error) {
	h, err := a.Height(ctx, height)
	if err != nil {
		return nil, 0, err
	}
	res, err := a.C.Token.Tranches(ctx, &tokentypes.QueryTranchesRequest{Height: h, Prove: true})
	if err != nil {
		return nil, 0, queryErr(h, "tranches", err)
	}
	ts := res.GetTranches()
	if len(res.GetProofs()) != len(ts) {
		return nil, 0, &VerificationError{Height: h, What: "tranches", Err: fmt.Errorf("%w: %d proofs for %d tranches", ErrInvalidProof, len(res.GetProofs()), len(ts))}
	}
	var sum uint64
	for i, t := range ts {
		tr := t.GetTranche()
		if tr == nil {
			tr = &tokentypes.Tranche{}
		}
		what := fmt.Sprintf("tranche %q issued %d burned %d", tr.Name, tr.Issued, tr.Burned)
		err := a.verify(ctx, h, res.GetHeight(), what, func(appHash []byte) error {
			return VerifyMessage(appHash, h, tokentypes.TrancheKey(tr.Name), tr, nil, res.GetProofs()[i])
		})
		if err != nil {
			return nil, 0, err
		}
		if tr.Burned > tr.Issued || t.GetOutstanding() != tr.Outstanding() {
			return nil, 0, &VerificationError{Height: h, What: what, Err: fmt.Errorf("the response claims outstanding %d", t.GetOutstanding())}
		}
		sum += tr.Outstanding()
	}
	supply := res.GetSupply()
	err = a.verify(ctx, h, res.GetHeight(), fmt.Sprintf("token supply %d base units", supply), func(appHash []byte) error {
		return VerifyUint64(appHash, h, tokentypes.SupplyKey, supply, res.GetSupplyProof())
	})
	if err != nil {
		return nil, 0, err
	}
	if sum != supply {
		return nil, 0, &VerificationError{Height: h, What: fmt.Sprintf("Σ tranche outstanding %d", sum), Err: fmt.Errorf("the proven supply is %d", supply)}
	}
	return ts, supply, nil
}
