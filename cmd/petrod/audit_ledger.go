package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/petro-network/petro/client"
)

func newAuditBalanceCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "balance ADDR",
		Short: "Verify an account's PTR balance (an account with none is proven absent and reads 0)",
		Long:  "Verify ADDR's balance at --height (0: the latest, with the freshness and witness checks).\n\n" + auditTrustModel,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := newPrinter(cmd)
			if err != nil {
				return err
			}
			addr, err := parseAddressArg("address", args[0])
			if err != nil {
				return err
			}
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), auditTimeout)
			defer cancel()
			a, lc, closeFn, err := newAuditor(ctx, cmd)
			if err != nil {
				return auditErr(cmd, err)
			}
			defer closeFn()
			if h, err = a.Height(ctx, h); err != nil {
				return auditErr(cmd, err)
			}
			amount, err := a.VerifiedBalance(ctx, addr, h)
			if err != nil {
				return auditErr(cmd, err)
			}
			anchor, err := a.AnchorAt(ctx, h)
			if err != nil {
				return auditErr(cmd, err)
			}
			t := trustInfoOf(lc)
			out := struct {
				Trust      trustInfo `json:"trust"`
				Address    string    `json:"address"`
				Balance    string    `json:"balance_ptr"`
				Height     int64     `json:"height"`
				HeaderHash string    `json:"header_hash"`
				AppHash    string    `json:"app_hash"`
			}{t, addr.String(), auditDecimal(amount), h, fmt.Sprintf("%X", anchor.HeaderHash), fmt.Sprintf("%X", anchor.AppHash)}
			if err := p.print(out, func(w io.Writer) {
				fmt.Fprintf(w, "%s balance of %s at height %d: %s PTR\n", t.Result, addr, h, auditDecimal(amount))
				printAnchor(w, anchor)
				printTrust(w, t)
			}); err != nil {
				return err
			}
			return witnessedOrExit5(t)
		},
	}
	addOutputFlag(cmd)
	cmd.Flags().Int64(flagHeight, 0, "height to verify (0 = the latest verifiable)")
	return cmd
}

func printAnchor(w io.Writer, a client.Anchor) {
	fmt.Fprintf(w, "app hash %X (header %d, hash %X, time %s; validator signatures checked by the light client)\n",
		a.AppHash, a.HeaderHeight, a.HeaderHash, a.HeaderTime.UTC().Format(time.RFC3339))
}

var ledgerHeader = []string{"height", "kind", "issued_ptr", "burned_ptr", "issued_total_ptr", "burned_total_ptr", "supply_ptr", "header_height", "header_hash", "app_hash"}

func newAuditLedgerCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ledger",
		Short: "Verify every block that issued or burned PTR in a height range, and the redemptions",
		Long: `List every block in --from..--to (--to 0: the latest, with the freshness and
witness checks) that issued or burned PTR, each proven: the chain keeps
cumulative issued and burned totals that only grow, so proven totals equal at
two heights show nothing was issued or burned between them, and a bisection
finds each block where they changed (about log2(range) proofs per entry; it
needs a node that keeps history). "burned" is fulfilled redemptions and wiped
frozen balances. Then every redemption stored at --to, each proven (ids are
consecutive; the list ends where the node reports the next id not found).
Rows carry the height, header hash and app hash that proved them. Needs an
archive node for old heights.

` + auditTrustModel,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			from, to, err := auditRange(cmd)
			if err != nil {
				return err
			}
			format, _ := cmd.Flags().GetString(flagFormat)
			if format != "csv" && format != "text" {
				return &usageError{fmt.Sprintf("--%s %q: want text or csv", flagFormat, format)}
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 30*time.Minute)
			defer cancel()
			a, lc, closeFn, err := newAuditor(ctx, cmd)
			if err != nil {
				return auditErr(cmd, err)
			}
			defer closeFn()
			led, err := a.AuditLedger(ctx, from, to)
			if err != nil {
				return auditErr(cmd, err)
			}
			reds, err := a.VerifiedRedemptions(ctx, led.To)
			if err != nil {
				return auditErr(cmd, err)
			}
			end, err := a.AnchorAt(ctx, led.To)
			if err != nil {
				return auditErr(cmd, err)
			}
			t := trustInfoOf(lc)
			w := cmd.OutOrStdout()
			rows := [][]string{}
			for _, e := range led.Entries {
				kind := "issue"
				switch {
				case e.Issued > 0 && e.Burned > 0:
					kind = "issue+burn"
				case e.Burned > 0:
					kind = "burn"
				}
				rows = append(rows, []string{strconv.FormatInt(e.Height, 10), kind, auditDecimal(e.Issued), auditDecimal(e.Burned),
					auditDecimal(e.IssuedTotal), auditDecimal(e.BurnedTotal), auditDecimal(e.Supply),
					strconv.FormatInt(e.Anchor.HeaderHeight, 10), fmt.Sprintf("%X", e.Anchor.HeaderHash), fmt.Sprintf("%X", e.Anchor.AppHash)})
			}
			if format == "csv" {
				cw := csv.NewWriter(w)
				_ = cw.Write(ledgerHeader)
				_ = cw.WriteAll(rows)
				if err := cw.Error(); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(w, "%s issuance and burn ledger, heights %d to %d (ends at header %d, %s)\n", t.Result, led.From, led.To,
					end.HeaderHeight, end.HeaderTime.UTC().Format(time.RFC3339))
				fmt.Fprintf(w, "start (height %d): issued %s, burned %s PTR; end: issued %s, burned %s PTR\n", max(led.From-1, 1),
					auditDecimal(led.Start.Issued), auditDecimal(led.Start.Burned), auditDecimal(led.End.Issued), auditDecimal(led.End.Burned))
				tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "height\tkind\tissued\tburned\tsupply after\theader hash")
				for _, r := range rows {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r[0], r[1], r[2], r[3], r[6], r[8])
				}
				tw.Flush()
				fmt.Fprintf(w, "\nredemptions at height %d (each proven):\n", led.To)
				tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "id\towner\tamount\tstatus")
				for _, r := range reds {
					fmt.Fprintf(tw, "%d\t%s\t%s PTR\t%s\n", r.Id, r.Owner, auditDecimal(r.Amount), r.Status)
				}
				tw.Flush()
				printTrust(w, t)
			}
			return witnessedOrExit5(t)
		},
	}
	cmd.Flags().Int64(flagReportFrom, 1, "first height of the range")
	cmd.Flags().Int64(flagReportTo, 0, "last height of the range (0 = the latest verifiable)")
	cmd.Flags().String(flagFormat, "text", "output: text|csv (csv: the ledger rows only)")
	return cmd
}
