package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/petro-network/petro/client"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

const flagOwner = "owner"

// tokenQueryCmds are the issuance, redemption and compliance queries of
// `query token`.
func tokenQueryCmds() []*cobra.Command {
	return []*cobra.Command{
		newQueryRedemptionCmd(), newQueryRedemptionsCmd(), newQueryAllowancesCmd(), newQueryFrozenCmd(),
		newQueryPauseCmd(), newQueryTotalsCmd(), newQueryInvariantsCmd(), newQueryRateLimitsCmd(), newQueryTranchesCmd(),
	}
}

func redemptionStatusName(s tokentypes.RedemptionStatus) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "REDEMPTION_STATUS_"))
}

// parseRedemptionStatus accepts requested|accepted|fulfilled|rejected|expired
// (any case, or the enum's full name).
func parseRedemptionStatus(s string) (tokentypes.RedemptionStatus, error) {
	name := "REDEMPTION_STATUS_" + strings.TrimPrefix(strings.ToUpper(s), "REDEMPTION_STATUS_")
	v, ok := tokentypes.RedemptionStatus_value[name]
	if !ok || v == 0 {
		return 0, &usageError{fmt.Sprintf("--%s %q: want requested, accepted, fulfilled, rejected or expired", flagStatus, s)}
	}
	return tokentypes.RedemptionStatus(v), nil
}

func newQueryRedemptionCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "redemption ID",
		Short: "One redemption: owner, amount, pinned price, barrels owed, status, proof",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseRedemptionID(args[0])
			if err != nil {
				return err
			}
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			return runQuery(cmd, func(ctx context.Context, c *client.Client) (*tokentypes.QueryRedemptionResponse, error) {
				return c.Token.Redemption(ctx, &tokentypes.QueryRedemptionRequest{Id: id, Height: h})
			}, func(w io.Writer, r *tokentypes.QueryRedemptionResponse) {
				printRedemption(w, r.GetRedemption())
				fmt.Fprintf(w, "height: %d\n", r.GetHeight())
			})
		},
	}
	addQueryFlags(cmd, true)
	return cmd
}

func hexOrDash(b []byte) string {
	if len(b) == 0 {
		return "-"
	}
	return hex.EncodeToString(b)
}

func printRedemption(w io.Writer, r *tokentypes.Redemption) {
	fmt.Fprintf(w, "id: %d\nstatus: %s\nowner: %s\n", r.GetId(), redemptionStatusName(r.GetStatus()), r.GetOwner())
	fmt.Fprintf(w, "amount: %d (%s)\n", r.GetAmount(), formatPTR(r.GetAmount()))
	fmt.Fprintf(w, "barrels owed: %s\n", formatBarrels(r.GetBarrels()))
	fmt.Fprintf(w, "price: %s (round %d)\n", formatPrice(r.GetPrice()), r.GetPriceRound())
	fmt.Fprintf(w, "instructions sha256: %s\n", hexOrDash(r.GetSettlementInstructionHash()))
	fmt.Fprintf(w, "requested: height %d, %s\n", r.GetRequestedHeight(), unixString(r.GetRequestedTimeUnix()))
	fmt.Fprintf(w, "deadline: %s\n", unixString(r.GetDeadlineUnix()))
	fmt.Fprintf(w, "issuer: %s\n", dash(r.GetIssuer()))
	if len(r.GetProofHash()) > 0 {
		fmt.Fprintf(w, "proof sha256: %s\n", hex.EncodeToString(r.GetProofHash()))
	}
	if r.GetReason() != "" {
		fmt.Fprintf(w, "reason: %s\n", r.GetReason())
	}
	if r.GetClosedHeight() != 0 {
		fmt.Fprintf(w, "closed: height %d\n", r.GetClosedHeight())
	}
}

func newQueryRedemptionsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "redemptions",
		Short: "List redemptions by id, optionally of one owner and/or one status, one page at a time",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			req := &tokentypes.QueryRedemptionsRequest{Height: h, Pagination: &tokentypes.PageRequest{}}
			if o, _ := cmd.Flags().GetString(flagOwner); o != "" {
				addr, err := parseAddressArg("--"+flagOwner, o)
				if err != nil {
					return err
				}
				req.Owner = addr.String()
			}
			if s, _ := cmd.Flags().GetString(flagStatus); s != "" {
				if req.Status, err = parseRedemptionStatus(s); err != nil {
					return err
				}
			}
			req.Pagination.Limit, _ = cmd.Flags().GetUint32(flagLimit)
			pk, _ := cmd.Flags().GetString(flagPageKey)
			if req.Pagination.Key, err = base64.StdEncoding.DecodeString(pk); err != nil || (len(req.Pagination.Key) != 0 && len(req.Pagination.Key) != 8) {
				return &usageError{fmt.Sprintf("--%s %q: pass next_key (base64) from the previous page", flagPageKey, pk)}
			}
			return runQuery(cmd, func(ctx context.Context, c *client.Client) (*tokentypes.QueryRedemptionsResponse, error) {
				return c.Token.Redemptions(ctx, req)
			}, func(w io.Writer, r *tokentypes.QueryRedemptionsResponse) {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tSTATUS\tOWNER\tAMOUNT (PTR)\tBARRELS\tPRICE (USD/bbl)\tREQUESTED\tDEADLINE\tISSUER")
				for _, x := range r.GetRedemptions() {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", x.GetId(), redemptionStatusName(x.GetStatus()), x.GetOwner(),
						formatDecimal8(x.GetAmount()), formatDecimal8(x.GetBarrels()), formatDecimal8(x.GetPrice()),
						x.GetRequestedHeight(), unixString(x.GetDeadlineUnix()), dash(x.GetIssuer()))
				}
				tw.Flush()
				fmt.Fprintf(w, "height: %d\n", r.GetHeight())
				printNextPage(w, r.GetPagination().GetNextKey(), "redemption")
			})
		},
	}
	addQueryFlags(cmd, true)
	cmd.Flags().String(flagOwner, "", "only this owner's redemptions")
	cmd.Flags().String(flagStatus, "", "only redemptions in this status: requested|accepted|fulfilled|rejected|expired")
	cmd.Flags().Uint32(flagLimit, 0, "page size (0 = the node's default, 100; at most 1000)")
	cmd.Flags().String(flagPageKey, "", "next_key (base64) from the previous page")
	return cmd
}

func newQueryAllowancesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "allowances",
		Short: "Each issuer's remaining mint allowance",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			return runQuery(cmd, func(ctx context.Context, c *client.Client) (*tokentypes.QueryAllowancesResponse, error) {
				return c.Token.Allowances(ctx, &tokentypes.QueryAllowancesRequest{Height: h})
			}, func(w io.Writer, r *tokentypes.QueryAllowancesResponse) {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ISSUER\tALLOWANCE")
				for _, a := range r.GetAllowances() {
					fmt.Fprintf(tw, "%s\t%d (%s)\n", a.GetIssuer(), a.GetAllowance(), formatPTR(a.GetAllowance()))
				}
				tw.Flush()
				fmt.Fprintf(w, "height: %d\n", r.GetHeight())
			})
		},
	}
	addQueryFlags(cmd, true)
	return cmd
}

func newQueryFrozenCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "frozen",
		Short: "Frozen accounts with their reason code, case id and officer",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			return runQuery(cmd, func(ctx context.Context, c *client.Client) (*tokentypes.QueryFrozenResponse, error) {
				return c.Token.Frozen(ctx, &tokentypes.QueryFrozenRequest{Height: h})
			}, func(w io.Writer, r *tokentypes.QueryFrozenResponse) {
				if len(r.GetFrozen()) == 0 {
					fmt.Fprintln(w, "frozen: none")
				} else {
					tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "ADDRESS\tREASON CODE\tCASE ID\tOFFICER\tHEIGHT")
					for _, f := range r.GetFrozen() {
						fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\n", f.GetAddress(), f.GetReasonCode(), f.GetCaseId(), f.GetOfficer(), f.GetHeight())
					}
					tw.Flush()
				}
				fmt.Fprintf(w, "height: %d\n", r.GetHeight())
			})
		},
	}
	addQueryFlags(cmd, true)
	return cmd
}

func newQueryPauseCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "pause",
		Short: "Whether transfers and issuance are paused",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			return runQuery(cmd, func(ctx context.Context, c *client.Client) (*tokentypes.QueryPauseResponse, error) {
				return c.Token.Pause(ctx, &tokentypes.QueryPauseRequest{Height: h})
			}, func(w io.Writer, r *tokentypes.QueryPauseResponse) {
				state := func(paused bool) string {
					if paused {
						return "PAUSED"
					}
					return "running"
				}
				fmt.Fprintf(w, "transfers: %s\nissuance: %s\nheight: %d\n", state(r.GetPause().GetTransfersPaused()), state(r.GetPause().GetIssuancePaused()), r.GetHeight())
			})
		},
	}
	addQueryFlags(cmd, true)
	return cmd
}

func newQueryTotalsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "totals",
		Short: "Σ issued, Σ burned, escrow and supply",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			return runQuery(cmd, func(ctx context.Context, c *client.Client) (*tokentypes.QueryTotalsResponse, error) {
				return c.Token.Totals(ctx, &tokentypes.QueryTotalsRequest{Height: h})
			}, func(w io.Writer, r *tokentypes.QueryTotalsResponse) {
				t := r.GetTotals()
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintf(tw, "issued:\t%d\t(%s, genesis included)\n", t.GetIssued(), formatPTR(t.GetIssued()))
				fmt.Fprintf(tw, "burned:\t%d\t(%s)\n", t.GetBurned(), formatPTR(t.GetBurned()))
				fmt.Fprintf(tw, "escrow:\t%d\t(%s)\n", t.GetEscrow(), formatPTR(t.GetEscrow()))
				fmt.Fprintf(tw, "supply:\t%d\t(%s)\n", r.GetSupply(), formatPTR(r.GetSupply()))
				tw.Flush()
				fmt.Fprintf(w, "height: %d\n", r.GetHeight())
			})
		},
	}
	addQueryFlags(cmd, true)
	return cmd
}

func newQueryInvariantsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "invariants",
		Short: "Evaluate every token invariant at a height; exits 1 if any does not hold",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			var got *tokentypes.QueryInvariantsResponse
			err = runQuery(cmd, func(ctx context.Context, c *client.Client) (*tokentypes.QueryInvariantsResponse, error) {
				r, err := c.Token.Invariants(ctx, &tokentypes.QueryInvariantsRequest{Height: h})
				got = r
				return r, err
			}, printInvariants)
			if err != nil {
				return err
			}
			return invariantsErr(got)
		},
	}
	addQueryFlags(cmd, true)
	return cmd
}

func printInvariants(w io.Writer, r *tokentypes.QueryInvariantsResponse) {
	for _, inv := range r.GetInvariants() {
		mark := "✓"
		if !inv.GetHolds() {
			mark = "✗"
		}
		line := fmt.Sprintf("%s %s", mark, inv.GetName())
		if inv.GetModule() != "" {
			line = fmt.Sprintf("%s %s: %s", mark, inv.GetModule(), inv.GetName())
		}
		if inv.GetDetail() != "" {
			line += ": " + inv.GetDetail()
		}
		fmt.Fprintln(w, line)
	}
	if r.GetIssuanceStopped() != "" {
		fmt.Fprintf(w, "issuance stopped: %s\n", r.GetIssuanceStopped())
	}
	fmt.Fprintf(w, "height: %d\n", r.GetHeight())
}

// invariantsErr is the command's error when an invariant does not hold
// (or the node says not all hold).
func invariantsErr(r *tokentypes.QueryInvariantsResponse) error {
	var broken []string
	for _, inv := range r.GetInvariants() {
		if !inv.GetHolds() {
			broken = append(broken, inv.GetName())
		}
	}
	switch {
	case len(broken) > 0:
		return fmt.Errorf("%d of %d invariants do not hold at height %d: %s", len(broken), len(r.GetInvariants()), r.GetHeight(), strings.Join(broken, "; "))
	case !r.GetAllHold():
		return fmt.Errorf("the node reports that not every invariant holds at height %d", r.GetHeight())
	}
	return nil
}
