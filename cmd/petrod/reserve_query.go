package main

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/petro-network/petro/client"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
)

const flagReverse = "reverse"

func newQueryReserveCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "reserve",
		Short: "Query the reserve ledger: backing status, rounds, lots, oracles, history, params",
	}
	cmd.AddCommand(
		newQueryReserveStatusCmd(), newQueryLatestRoundCmd(), newQueryRoundCmd(), newQueryRoundsCmd(),
		newQueryOpenRoundCmd(), newQueryLotsCmd(), newQueryOraclesCmd(), newQueryHistoryCmd(), newQueryReserveParamsCmd(),
	)
	return cmd
}

// backingStatusName: BACKING_STATUS_OK → OK.
func backingStatusName(s reservetypes.BackingStatus) string {
	return strings.TrimPrefix(s.String(), "BACKING_STATUS_")
}

func categoryName(c reservetypes.LotCategory) string {
	switch c {
	case reservetypes.LotCategory_LOT_CATEGORY_CERTIFIED_IN_GROUND:
		return "in-ground"
	case reservetypes.LotCategory_LOT_CATEGORY_PRODUCED:
		return "produced"
	case reservetypes.LotCategory_LOT_CATEGORY_STORED:
		return "stored"
	default:
		return c.String()
	}
}

// parseCategory accepts in-ground|produced|stored (any case) or the enum's
// full name.
func parseCategory(s string) (reservetypes.LotCategory, error) {
	switch strings.ToLower(s) {
	case "in-ground", "certified-in-ground":
		return reservetypes.LotCategory_LOT_CATEGORY_CERTIFIED_IN_GROUND, nil
	case "produced":
		return reservetypes.LotCategory_LOT_CATEGORY_PRODUCED, nil
	case "stored":
		return reservetypes.LotCategory_LOT_CATEGORY_STORED, nil
	}
	if v, ok := reservetypes.LotCategory_value[strings.ToUpper(s)]; ok && v != 0 {
		return reservetypes.LotCategory(v), nil
	}
	return 0, &usageError{fmt.Sprintf("--%s %q: want in-ground, produced or stored", flagCategory, s)}
}

// roundPageFlags reads --limit, --page-key (an 8-byte round id in base64,
// as next_key prints it) and --reverse.
func roundPageFlags(cmd *cobra.Command) (*reservetypes.PageRequest, error) {
	pr := &reservetypes.PageRequest{}
	pr.Limit, _ = cmd.Flags().GetUint32(flagLimit)
	pr.Reverse, _ = cmd.Flags().GetBool(flagReverse)
	pk, _ := cmd.Flags().GetString(flagPageKey)
	key, err := base64.StdEncoding.DecodeString(pk)
	if err != nil || (len(key) != 0 && len(key) != 8) {
		return nil, &usageError{fmt.Sprintf("--%s %q: pass next_key (base64) from the previous page", flagPageKey, pk)}
	}
	pr.Key = key
	return pr, nil
}

func addRoundPageFlags(cmd *cobra.Command) {
	cmd.Flags().Uint32(flagLimit, 0, "page size (0 = the node's default, 100; at most 1000)")
	cmd.Flags().String(flagPageKey, "", "next_key (base64) from the previous page")
	cmd.Flags().Bool(flagReverse, false, "newest first")
}

func printNextPage(w io.Writer, nk []byte, what string) {
	if len(nk) == 0 {
		return
	}
	next := ""
	if len(nk) == 8 {
		next = fmt.Sprintf(" (from %s %d)", what, binary.BigEndian.Uint64(nk))
	}
	fmt.Fprintf(w, "next page: --%s %s%s\n", flagPageKey, base64.StdEncoding.EncodeToString(nk), next)
}

func ageString(seconds int64) string {
	if seconds < 0 {
		return fmt.Sprintf("%ds (observed after the block time)", seconds)
	}
	return (time.Duration(seconds) * time.Second).String()
}

// reserveStatusView is what `query reserve status` shows: the backing and,
// for the text form, the params it is judged by.
type reserveStatusView struct {
	status *reservetypes.QueryStatusResponse
	params *reservetypes.Params // nil if the node did not answer
}

func newQueryReserveStatusCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status",
		Short: "The backing: status, available barrels, capacity, supply, coverage, price, NAV, attestation age",
		Long: `The backing as computed at the end of the block: OK, STALE (the latest
settled round is older than the max age, or none has settled), UNDERBACKED
(supply above capacity) or HALTED (by the council); the barrels available,
the PTR they back (capacity), the supply, coverage (available barrels ÷
barrels owed by the supply), the latest median price, NAV (supply × price)
and how old the latest attestation is.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			p, err := newPrinter(cmd)
			if err != nil {
				return err
			}
			var params *reservetypes.Params
			return runQuery(cmd, func(ctx context.Context, c *client.Client) (*reservetypes.QueryStatusResponse, error) {
				res, err := c.Reserve.Status(ctx, &reservetypes.QueryStatusRequest{Height: h})
				if err == nil && !p.json {
					if pr, perr := c.Reserve.Params(ctx, &reservetypes.QueryParamsRequest{Height: res.GetHeight()}); perr == nil {
						params = pr.GetParams()
					}
				}
				return res, err
			}, func(w io.Writer, r *reservetypes.QueryStatusResponse) {
				printReserveStatus(w, reserveStatusView{status: r, params: params})
			})
		},
	}
	addQueryFlags(cmd, true)
	return cmd
}

func printReserveStatus(w io.Writer, v reserveStatusView) {
	b := v.status.GetBacking()
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, format string, a ...any) { fmt.Fprintf(tw, "%s:\t%s\n", k, fmt.Sprintf(format, a...)) }
	row("status", "%s (since height %d)", backingStatusName(b.GetStatus()), b.GetSinceHeight())
	if b.GetHalted() {
		row("halt reason", "%s", dash(b.GetHaltReason()))
	}
	switch b.GetStaleReason() {
	case reservetypes.StaleReason_STALE_REASON_TOO_FEW_ORACLES:
		row("stale reason", "too few oracles: %d can report, the quorum is %d", b.GetEligibleOracles(), b.GetQuorum())
	case reservetypes.StaleReason_STALE_REASON_NO_ROUND:
		row("stale reason", "no round has settled yet")
	case reservetypes.StaleReason_STALE_REASON_ROUND_TOO_OLD:
		row("stale reason", "the latest round is older than the max age")
	}
	if b.GetLatestRound() == 0 {
		row("latest round", "none settled yet")
	} else {
		row("latest round", "%d", b.GetLatestRound())
	}
	row("available barrels", "%s", formatBarrels(b.GetAvailableBarrels()))
	if b.GetDeliveredBarrels() > 0 {
		row("delivered barrels", "%s (redemptions since the latest round)", formatBarrels(b.GetDeliveredBarrels()))
	}
	row("capacity", "%s", formatPTR(b.GetCapacity()))
	row("supply", "%s", formatPTR(b.GetSupply()))
	if b.GetSupply() == 0 {
		row("coverage", "- (nothing issued)")
	} else {
		row("coverage", "%s", formatBps(b.GetCoverageBps()))
	}
	if b.GetLatestRound() == 0 {
		row("price", "-")
	} else {
		row("price", "%s", formatPrice(b.GetPrice()))
	}
	row("NAV", "%s", formatNAV(b.GetNav()))
	if b.GetLatestRound() == 0 {
		row("attestation age", "-")
	} else {
		age := ageString(b.GetAttestationAgeSeconds())
		if v.params != nil {
			age += fmt.Sprintf(" (max %s)", secondsString(v.params.GetMaxAgeSeconds()))
		}
		row("attestation age", "%s", age)
	}
	row("computed", "height %d, %s", b.GetComputedHeight(), unixString(b.GetComputedTimeUnix()))
	row("height", "%d", v.status.GetHeight())
	tw.Flush()
}

func newQueryLatestRoundCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "latest-round",
		Short: "The latest settled round: per-lot medians, price, reporters, outliers",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			return runQuery(cmd, func(ctx context.Context, c *client.Client) (*reservetypes.QueryRoundResponse, error) {
				return c.Reserve.LatestRound(ctx, &reservetypes.QueryLatestRoundRequest{Height: h})
			}, func(w io.Writer, r *reservetypes.QueryRoundResponse) {
				printRound(w, r.GetRound())
				fmt.Fprintf(w, "height: %d\n", r.GetHeight())
			})
		},
	}
	addQueryFlags(cmd, true)
	return cmd
}

func parseRoundID(s string) (uint64, error) {
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil || id == 0 {
		return 0, &usageError{fmt.Sprintf("round id %q: want a positive integer", s)}
	}
	return id, nil
}

func newQueryRoundCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "round ID",
		Short: "One settled round",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseRoundID(args[0])
			if err != nil {
				return err
			}
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			return runQuery(cmd, func(ctx context.Context, c *client.Client) (*reservetypes.QueryRoundResponse, error) {
				return c.Reserve.Round(ctx, &reservetypes.QueryRoundRequest{Id: id, Height: h})
			}, func(w io.Writer, r *reservetypes.QueryRoundResponse) {
				printRound(w, r.GetRound())
				fmt.Fprintf(w, "height: %d\n", r.GetHeight())
			})
		},
	}
	addQueryFlags(cmd, true)
	return cmd
}

func printRound(w io.Writer, r *reservetypes.SettledRound) {
	fmt.Fprintf(w, "round: %d\n", r.GetId())
	fmt.Fprintf(w, "settled: height %d, %s\n", r.GetSettledHeight(), unixString(r.GetSettledTimeUnix()))
	fmt.Fprintf(w, "observed at: %s (median)\n", unixString(r.GetObservedAtUnix()))
	fmt.Fprintf(w, "price: %s (median)\n", formatPrice(r.GetPrice()))
	fmt.Fprintf(w, "total barrels: %s (lots active at settlement)\n", formatBarrels(r.GetTotalBarrels()))
	fmt.Fprintf(w, "supply at settlement: %s\n", formatPTR(r.GetSupply()))
	fmt.Fprintln(w, "lots (median barrels):")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, l := range r.GetLots() {
		fmt.Fprintf(tw, "  %s\t%s\n", l.GetLotId(), formatBarrels(l.GetBarrels()))
	}
	tw.Flush()
	list := func(name string, addrs []string) {
		if len(addrs) == 0 {
			fmt.Fprintf(w, "%s: none\n", name)
			return
		}
		fmt.Fprintf(w, "%s: %d\n", name, len(addrs))
		for _, a := range addrs {
			fmt.Fprintf(w, "  %s\n", a)
		}
	}
	list("reporters", r.GetReporters())
	list("outliers", r.GetOutliers())
	list("missed", r.GetMissed())
}

func newQueryRoundsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rounds",
		Short: "List settled rounds by id, one page at a time",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			page, err := roundPageFlags(cmd)
			if err != nil {
				return err
			}
			return runQuery(cmd, func(ctx context.Context, c *client.Client) (*reservetypes.QueryRoundsResponse, error) {
				return c.Reserve.Rounds(ctx, &reservetypes.QueryRoundsRequest{Pagination: page, Height: h})
			}, func(w io.Writer, r *reservetypes.QueryRoundsResponse) {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ROUND\tSETTLED\tOBSERVED AT\tPRICE (USD/bbl)\tBARRELS\tREPORTERS\tOUTLIERS\tMISSED")
				for _, x := range r.GetRounds() {
					fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%d\t%d\t%d\n", x.GetId(), x.GetSettledHeight(), unixString(x.GetObservedAtUnix()),
						formatDecimal8(x.GetPrice()), formatDecimal8(x.GetTotalBarrels()), len(x.GetReporters()), len(x.GetOutliers()), len(x.GetMissed()))
				}
				tw.Flush()
				fmt.Fprintf(w, "height: %d\n", r.GetHeight())
				printNextPage(w, r.GetPagination().GetNextKey(), "round")
			})
		},
	}
	addQueryFlags(cmd, true)
	addRoundPageFlags(cmd)
	return cmd
}

func newQueryOpenRoundCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "open-round",
		Short: "The round being collected: its id, the quorum and the reports so far",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			return runQuery(cmd, func(ctx context.Context, c *client.Client) (*reservetypes.QueryOpenRoundResponse, error) {
				return c.Reserve.OpenRound(ctx, &reservetypes.QueryOpenRoundRequest{Height: h})
			}, func(w io.Writer, r *reservetypes.QueryOpenRoundResponse) {
				fmt.Fprintf(w, "round: %d\nreports: %d of %d needed\n", r.GetRoundId(), len(r.GetAttestations()), r.GetQuorum())
				if len(r.GetAttestations()) > 0 {
					tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "ORACLE\tPRICE (USD/bbl)\tBARRELS\tOBSERVED AT\tHEIGHT")
					for _, a := range r.GetAttestations() {
						var total uint64
						for _, l := range a.GetLots() {
							total += l.GetBarrels() // display only; the chain sums with overflow checks
						}
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", a.GetOracle(), formatDecimal8(a.GetPrice()), formatDecimal8(total), unixString(a.GetObservedAtUnix()), a.GetHeight())
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

func newQueryLotsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lots",
		Short: "Every reserve lot (retired ones too): field, category, certifier, certificate",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			return runQuery(cmd, func(ctx context.Context, c *client.Client) (*reservetypes.QueryLotsResponse, error) {
				return c.Reserve.Lots(ctx, &reservetypes.QueryLotsRequest{Height: h})
			}, func(w io.Writer, r *reservetypes.QueryLotsResponse) {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tFIELD\tCATEGORY\tCERTIFIER\tVALID UNTIL\tRETIRED\tCERTIFICATE SHA-256")
				for _, l := range r.GetLots() {
					retired := "no"
					if l.GetRetired() {
						retired = "yes"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", l.GetId(), l.GetField(), categoryName(l.GetCategory()), l.GetCertifier(),
						unixString(l.GetValidUntilUnix()), retired, hex.EncodeToString(l.GetCertificateHash()))
				}
				tw.Flush()
				fmt.Fprintf(w, "lots: %d\nheight: %d\n", len(r.GetLots()), r.GetHeight())
			})
		},
	}
	addQueryFlags(cmd, true)
	return cmd
}

func newQueryOraclesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "oracles",
		Short: "The oracles and their record: reports, misses, outliers, last round",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			return runQuery(cmd, func(ctx context.Context, c *client.Client) (*reservetypes.QueryOraclesResponse, error) {
				return c.Reserve.Oracles(ctx, &reservetypes.QueryOraclesRequest{Height: h})
			}, func(w io.Writer, r *reservetypes.QueryOraclesResponse) {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ORACLE\tREPORTS\tMISSES\tOUTLIERS\tLAST ROUND")
				for _, o := range r.GetOracles() {
					fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\n", o.GetAddress(), o.GetReports(), o.GetMisses(), o.GetOutliers(), o.GetLastRound())
				}
				tw.Flush()
				fmt.Fprintf(w, "oracles: %d\nheight: %d\n", len(r.GetOracles()), r.GetHeight())
			})
		},
	}
	addQueryFlags(cmd, true)
	return cmd
}

func newQueryHistoryCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "history",
		Short: "Per settled round: reserve, price, supply and coverage, one page at a time",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			page, err := roundPageFlags(cmd)
			if err != nil {
				return err
			}
			return runQuery(cmd, func(ctx context.Context, c *client.Client) (*reservetypes.QueryHistoryResponse, error) {
				return c.Reserve.History(ctx, &reservetypes.QueryHistoryRequest{Pagination: page, Height: h})
			}, func(w io.Writer, r *reservetypes.QueryHistoryResponse) {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ROUND\tSETTLED\tOBSERVED AT\tRESERVE (bbl)\tPRICE (USD/bbl)\tSUPPLY (PTR)\tCOVERAGE")
				for _, e := range r.GetEntries() {
					cov := "-"
					if e.GetSupply() > 0 {
						cov = formatBps(e.GetCoverageBps())
					}
					fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\n", e.GetRoundId(), e.GetSettledHeight(), unixString(e.GetObservedAtUnix()),
						formatDecimal8(e.GetReserveBarrels()), formatDecimal8(e.GetPrice()), formatDecimal8(e.GetSupply()), cov)
				}
				tw.Flush()
				fmt.Fprintf(w, "height: %d\n", r.GetHeight())
				printNextPage(w, r.GetPagination().GetNextKey(), "round")
			})
		},
	}
	addQueryFlags(cmd, true)
	addRoundPageFlags(cmd)
	return cmd
}

func newQueryReserveParamsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "params",
		Short: "x/reserve parameters: quorum, max age, skew, deviation, barrels per PTR, margin",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			return runQuery(cmd, func(ctx context.Context, c *client.Client) (*reservetypes.QueryParamsResponse, error) {
				return c.Reserve.Params(ctx, &reservetypes.QueryParamsRequest{Height: h})
			}, func(w io.Writer, r *reservetypes.QueryParamsResponse) {
				printReserveParams(w, r.GetParams())
				fmt.Fprintf(w, "height: %d\n", r.GetHeight())
			})
		},
	}
	addQueryFlags(cmd, true)
	return cmd
}

func printReserveParams(w io.Writer, p *reservetypes.Params) {
	fmt.Fprintf(w, "quorum: %d oracle reports\n", p.GetQuorum())
	fmt.Fprintf(w, "max_age: %s\n", secondsString(p.GetMaxAgeSeconds()))
	fmt.Fprintf(w, "max_future_skew: %s\n", secondsString(p.GetMaxFutureSkewSeconds()))
	fmt.Fprintf(w, "max_deviation: %s (%d bps)\n", formatBps(uint64(p.GetMaxDeviationBps())), p.GetMaxDeviationBps())
	fmt.Fprintf(w, "barrels_per_token: %s per PTR\n", formatBarrels(p.GetBarrelsPerToken()))
	fmt.Fprintf(w, "margin: %s (%d bps)\n", formatBps(uint64(p.GetMarginBps())), p.GetMarginBps())
}
