package main

import (
	"context"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cometbft/cometbft/light"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/cobra"
	"google.golang.org/grpc/status"

	"github.com/petro-network/petro/client"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
)

const (
	flagTrustHeight = "trust-height"
	flagTrustHash   = "trust-hash"
	flagTrustPeriod = "trust-period"
	flagGenesis     = "genesis"
	flagWitness     = "witness"
	flagReportFrom  = "from"
	flagReportTo    = "to"
	flagFormat      = "format"
	flagOut         = "out"

	auditTimeout = 2 * time.Minute
)

func newAuditCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Verify supply and backing against validator-signed app hashes, trusting no node",
		Long: `Verify, without trusting the node you ask, that PTR supply is backed by the
attested reserve, now (check) or over a range of heights (report).

Every figure is read over gRPC (--node) with a Merkle proof (ICS23, IAVL) and
checked against the app hash of its height, taken from the next block's
header; headers come from CometBFT's light client (--node-rpc), which checks
the validators' signatures from a root of trust you supply:
  --trust-height H --trust-hash HEX   a header you obtained out of band, or
  --genesis genesis.json              the genesis validator set (height 1).
Pass --witness with other nodes' RPC addresses to cross-check headers.

Any figure that fails verification stops the command with exit code 1 and
one line naming the height and the value.`,
	}
	pf := cmd.PersistentFlags()
	pf.String(flagNode, defaultGRPCNode, "gRPC address of a petro node (host:port; plaintext unless --tls); not trusted")
	addTLSFlags(pf)
	pf.String(flagNodeRPC, defaultNodeRPC, "CometBFT RPC address serving headers to the light client")
	pf.StringSlice(flagWitness, nil, "CometBFT RPC addresses of other nodes to cross-check headers (default: --node-rpc itself)")
	pf.Int64(flagTrustHeight, 0, "height of a trusted header")
	pf.String(flagTrustHash, "", "hex hash of the trusted header at --trust-height")
	pf.String(flagGenesis, "", "genesis.json whose validator set to trust at the initial height (instead of --trust-height/--trust-hash)")
	pf.Duration(flagTrustPeriod, client.DefaultTrustPeriod, "how old the trusted header may be")
	cmd.AddCommand(newAuditCheckCmd(), newAuditReportCmd())
	return cmd
}

// newAuditor builds the light client from the trust flags and dials --node.
func newAuditor(ctx context.Context, cmd *cobra.Command) (*client.Auditor, func(), error) {
	f := cmd.Flags()
	rpc, _ := f.GetString(flagNodeRPC)
	witnesses, _ := f.GetStringSlice(flagWitness)
	th, _ := f.GetInt64(flagTrustHeight)
	thHex, _ := f.GetString(flagTrustHash)
	genPath, _ := f.GetString(flagGenesis)
	period, _ := f.GetDuration(flagTrustPeriod)
	cfg := client.LightConfig{RPC: rpc, Witnesses: witnesses, Trust: light.TrustOptions{Period: period}}
	switch {
	case genPath != "" && (th != 0 || thHex != ""):
		return nil, nil, &usageError{fmt.Sprintf("give --%s or --%s/--%s, not both", flagGenesis, flagTrustHeight, flagTrustHash)}
	case genPath != "":
		doc, err := cmttypes.GenesisDocFromFile(genPath)
		if err != nil {
			return nil, nil, &usageError{fmt.Sprintf("--%s: %v", flagGenesis, err)}
		}
		cfg.Genesis = doc
	case th > 0 && thHex != "":
		hash, err := hex.DecodeString(strings.TrimPrefix(thHex, "0x"))
		if err != nil || len(hash) != 32 {
			return nil, nil, &usageError{fmt.Sprintf("--%s %q: want the 32-byte header hash in hex", flagTrustHash, thHex)}
		}
		cfg.Trust.Height, cfg.Trust.Hash = th, hash
	default:
		return nil, nil, &usageError{fmt.Sprintf("a root of trust is required: --%s H --%s HEX, or --%s FILE", flagTrustHeight, flagTrustHash, flagGenesis)}
	}
	if period <= 0 {
		return nil, nil, &usageError{fmt.Sprintf("--%s must be positive", flagTrustPeriod)}
	}
	lc, err := client.NewLightClient(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	c, _, err := dialNode(cmd)
	if err != nil {
		return nil, nil, err
	}
	return client.NewAuditor(c, lc), func() { c.Close() }, nil
}

// auditErr keeps a verification failure's own one-line message and maps
// transport failures like the query commands do.
func auditErr(cmd *cobra.Command, err error) error {
	var ve *client.VerificationError
	if err == nil || errors.As(err, &ve) {
		return err
	}
	if _, ok := status.FromError(err); ok {
		addr, _ := cmd.Flags().GetString(flagNode)
		return nodeErr(addr, err)
	}
	return err
}

// auditDecimal writes 10^-8 units (PTR base units, barrels, USD per
// barrel) as a plain decimal: 123450000000 → "1234.5".
func auditDecimal(units uint64) string {
	whole, frac := units/100_000_000, units%100_000_000
	if frac == 0 {
		return strconv.FormatUint(whole, 10)
	}
	return fmt.Sprintf("%d.%s", whole, strings.TrimRight(fmt.Sprintf("%08d", frac), "0"))
}

// auditPct writes basis points as a percentage: 11111 → "111.11".
func auditPct(bps uint64) string { return fmt.Sprintf("%d.%02d", bps/100, bps%100) }

func auditStatus(s reservetypes.BackingStatus) string {
	return strings.TrimPrefix(s.String(), "BACKING_STATUS_")
}

func auditTime(unix int64) string { return time.Unix(unix, 0).UTC().Format(time.RFC3339) }

// checkResult is audit check's JSON output: decimals as strings.
type checkResult struct {
	Verified         bool        `json:"verified"`
	Height           int64       `json:"height"`
	AppHash          string      `json:"app_hash"`
	Status           string      `json:"status"`
	Supply           string      `json:"supply_ptr"`
	Capacity         string      `json:"capacity_ptr"`
	HardCap          string      `json:"hard_cap_ptr"`
	Round            uint64      `json:"round_id"`
	ObservedAt       string      `json:"observed_at,omitempty"`
	AgeSeconds       int64       `json:"attestation_age_seconds"`
	Price            string      `json:"price_usd_per_barrel"`
	Lots             []lotResult `json:"lots"`
	Reserve          string      `json:"reserve_barrels"`
	Delivered        string      `json:"delivered_barrels"`
	Available        string      `json:"available_barrels"`
	BarrelsPerToken  string      `json:"barrels_per_token"`
	MarginPct        string      `json:"margin_pct"`
	CoveragePct      string      `json:"coverage_pct"`
	Halted           bool        `json:"halted"`
	HaltReason       string      `json:"halt_reason,omitempty"`
	MaxAgeSeconds    uint64      `json:"max_age_seconds"`
	BackingComputed  string      `json:"backing_computed_at"`
	StatusSinceBlock int64       `json:"status_since_height"`
}

type lotResult struct {
	ID      string `json:"id"`
	Field   string `json:"field"`
	Barrels string `json:"barrels"`
	Active  bool   `json:"active"`
}

func newAuditCheckCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Verify the current backing end to end and print the verified figures",
		Long: `Verify the backing at the latest height whose app hash is signed (the latest
block minus one), or at --height: the stored backing record, supply, reserve
and token parameters, the latest settled round and each of its lots are
proven; available barrels, capacity, coverage and status are recomputed here
with the chain's own formulas and must equal the stored record.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := newPrinter(cmd)
			if err != nil {
				return err
			}
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), auditTimeout)
			defer cancel()
			a, closeFn, err := newAuditor(ctx, cmd)
			if err != nil {
				return auditErr(cmd, err)
			}
			defer closeFn()
			res, err := a.AuditBacking(ctx, h)
			if err != nil {
				return auditErr(cmd, err)
			}
			out := checkResultOf(res)
			return p.print(out, func(w io.Writer) { printCheck(w, res) })
		},
	}
	addOutputFlag(cmd)
	cmd.Flags().Int64(flagHeight, 0, "height to verify (0 = the latest verifiable)")
	return cmd
}

func checkResultOf(r *client.BackingAudit) checkResult {
	b := r.Backing
	out := checkResult{
		Verified: true, Height: r.Height, AppHash: fmt.Sprintf("%X", r.AppHash),
		Status: auditStatus(r.Status), Supply: auditDecimal(r.Supply), Capacity: auditDecimal(r.Capacity),
		HardCap: auditDecimal(r.HardCap), AgeSeconds: r.AgeSeconds, Price: "0",
		Reserve: auditDecimal(r.Reserve), Delivered: auditDecimal(r.Delivered), Available: auditDecimal(r.Available),
		BarrelsPerToken: auditDecimal(r.Params.BarrelsPerToken), MarginPct: auditPct(uint64(r.Params.MarginBps)),
		CoveragePct: auditPct(r.CoverageBps), Halted: b.Halted, HaltReason: b.HaltReason,
		MaxAgeSeconds: r.Params.MaxAgeSeconds, BackingComputed: auditTime(b.ComputedTimeUnix),
		StatusSinceBlock: b.SinceHeight, Lots: []lotResult{},
	}
	if r.Round != nil {
		out.Round, out.ObservedAt, out.Price = r.Round.Id, auditTime(r.Round.ObservedAtUnix), auditDecimal(r.Round.Price)
	}
	for _, l := range r.Lots {
		out.Lots = append(out.Lots, lotResult{ID: l.Lot.Id, Field: l.Lot.Field, Barrels: auditDecimal(l.Barrels), Active: l.Active})
	}
	return out
}

func printCheck(w io.Writer, r *client.BackingAudit) {
	fmt.Fprintf(w, "VERIFIED backing at height %d\n", r.Height)
	fmt.Fprintf(w, "app hash %X (header %d, validator signatures checked by the light client)\n\n", r.AppHash, r.Height+1)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	b := r.Backing
	fmt.Fprintf(tw, "status\t%s (recomputed; since height %d)\n", auditStatus(r.Status), b.SinceHeight)
	if b.Halted {
		fmt.Fprintf(tw, "halted\t%s\n", b.HaltReason)
	}
	fmt.Fprintf(tw, "supply\t%s PTR\n", auditDecimal(r.Supply))
	if r.Round != nil {
		fmt.Fprintf(tw, "round\t%d, observed %s (%d s before the block), settled at height %d\n",
			r.Round.Id, auditTime(r.Round.ObservedAtUnix), r.AgeSeconds, r.Round.SettledHeight)
		fmt.Fprintf(tw, "price\t%s USD/bbl\n", auditDecimal(r.Round.Price))
		for _, l := range r.Lots {
			state := "active"
			if !l.Active {
				state = "not counted (retired or certificate expired)"
			}
			fmt.Fprintf(tw, "lot %s\t%s bbl, %s\n", l.Lot.Id, auditDecimal(l.Barrels), state)
		}
	} else {
		fmt.Fprintf(tw, "round\tnone settled yet\n")
	}
	fmt.Fprintf(tw, "reserve\t%s bbl\n", auditDecimal(r.Reserve))
	fmt.Fprintf(tw, "delivered since\t%s bbl\n", auditDecimal(r.Delivered))
	fmt.Fprintf(tw, "available\t%s bbl\n", auditDecimal(r.Available))
	fmt.Fprintf(tw, "capacity\t%s PTR (recomputed: %s bbl per PTR, margin %s %%, hard cap %s PTR)\n",
		auditDecimal(r.Capacity), auditDecimal(r.Params.BarrelsPerToken), auditPct(uint64(r.Params.MarginBps)), auditDecimal(r.HardCap))
	fmt.Fprintf(tw, "coverage\t%s %%\n", auditPct(r.CoverageBps))
	tw.Flush()
}

var reportHeader = []string{"round_id", "settled_height", "observed_at", "reserve_barrels", "price_usd", "supply_ptr", "coverage_pct", "status"}

// reportRecord is one CSV/JSON row of audit report.
func reportRecord(r client.ReportRow) []string {
	return []string{
		strconv.FormatUint(r.RoundID, 10), strconv.FormatInt(r.SettledHeight, 10), auditTime(r.ObservedAtUnix),
		auditDecimal(r.ReserveBarrels), auditDecimal(r.Price), auditDecimal(r.Supply), auditPct(r.CoverageBps), auditStatus(r.Status),
	}
}

func newAuditReportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Verify every round settled in a height range and write a CSV or JSON report",
		Long: `Walk the reserve rounds settled at heights --from..--to (--to 0: the latest
verifiable height) and verify each: the round as stored at --to, and the
supply, backing status and parameters at its settled height. Rounds are
read by id, so none can be left out. Writes one row per round to --out
(default stdout) with the columns
  ` + strings.Join(reportHeader, ",") + `
Decimals are plain ("1234.5"), times RFC 3339 UTC. Progress goes to stderr.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			from, _ := cmd.Flags().GetInt64(flagReportFrom)
			to, _ := cmd.Flags().GetInt64(flagReportTo)
			format, _ := cmd.Flags().GetString(flagFormat)
			outPath, _ := cmd.Flags().GetString(flagOut)
			if format != "csv" && format != "json" {
				return &usageError{fmt.Sprintf("--%s %q: want csv or json", flagFormat, format)}
			}
			if from < 0 || to < 0 || (to != 0 && from > to) {
				return &usageError{fmt.Sprintf("--%s %d --%s %d: want 0 <= from <= to (to 0 = latest)", flagReportFrom, from, flagReportTo, to)}
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 30*time.Minute)
			defer cancel()
			a, closeFn, err := newAuditor(ctx, cmd)
			if err != nil {
				return auditErr(cmd, err)
			}
			defer closeFn()
			stderr := cmd.ErrOrStderr()
			upTo := "the latest"
			if to != 0 {
				upTo = strconv.FormatInt(to, 10)
			}
			fmt.Fprintf(stderr, "verifying rounds settled at heights %d to %s\n", from, upTo)
			rows, err := a.AuditRounds(ctx, from, to, func(done, total int) { progressBar(stderr, done, total) })
			if err != nil {
				fmt.Fprintln(stderr)
				return auditErr(cmd, err)
			}
			var w io.Writer = cmd.OutOrStdout()
			if outPath != "" && outPath != "-" {
				f, err := os.Create(outPath)
				if err != nil {
					return err
				}
				defer f.Close()
				w = f
			}
			if err := writeReport(w, format, rows); err != nil {
				return err
			}
			if outPath != "" && outPath != "-" {
				fmt.Fprintf(stderr, "%d verified rounds written to %s\n", len(rows), outPath)
			}
			return nil
		},
	}
	cmd.Flags().Int64(flagReportFrom, 1, "first height of the range")
	cmd.Flags().Int64(flagReportTo, 0, "last height of the range (0 = the latest verifiable)")
	cmd.Flags().String(flagFormat, "csv", "report format: csv|json")
	cmd.Flags().String(flagOut, "", "file to write (default stdout)")
	return cmd
}

func writeReport(w io.Writer, format string, rows []client.ReportRow) error {
	if format == "json" {
		out := make([]map[string]string, 0, len(rows))
		for _, r := range rows {
			rec := reportRecord(r)
			m := map[string]string{}
			for i, k := range reportHeader {
				m[k] = rec[i]
			}
			out = append(out, m)
		}
		bz, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", bz)
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(reportHeader); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write(reportRecord(r)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// progressBar redraws one line on w: "[#####-----] 5/10 rounds verified".
func progressBar(w io.Writer, done, total int) {
	const width = 30
	n := width
	if total > 0 {
		n = done * width / total
	}
	fmt.Fprintf(w, "\r[%s%s] %d/%d rounds verified", strings.Repeat("#", n), strings.Repeat("-", width-n), done, total)
	if done == total {
		fmt.Fprintln(w)
	}
}
