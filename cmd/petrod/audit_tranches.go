package main

import (
	"context"
	"fmt"
	"io"

	"github.com/petro-network/petro/client"
)

// trancheResult is one tranche in audit check's JSON output (#19).
type trancheResult struct {
	Name        string `json:"name"`
	Cap         string `json:"cap_ptr"`
	Issued      string `json:"issued_ptr"`
	Burned      string `json:"burned_ptr"`
	Outstanding string `json:"outstanding_ptr"`
}

// auditTranches proves every tranche at height; their outstanding must
// sum to the proven supply.
func auditTranches(ctx context.Context, a *client.Auditor, height int64) ([]trancheResult, error) {
	ts, _, err := a.VerifiedTranches(ctx, height)
	if err != nil {
		return nil, err
	}
	out := []trancheResult{}
	for _, t := range ts {
		tr := t.GetTranche()
		out = append(out, trancheResult{Name: tr.GetName(), Cap: auditDecimal(t.GetCap()), Issued: auditDecimal(tr.GetIssued()),
			Burned: auditDecimal(tr.GetBurned()), Outstanding: auditDecimal(t.GetOutstanding())})
	}
	return out, nil
}

func printTranches(w io.Writer, ts []trancheResult) {
	for _, t := range ts {
		fmt.Fprintf(w, "tranche %s: %s of %s PTR outstanding (issued %s, burned %s)\n", t.Name, t.Outstanding, t.Cap, t.Issued, t.Burned)
	}
	if len(ts) > 0 {
		fmt.Fprintln(w, "tranches: Σ outstanding = supply (proven)")
	}
}
