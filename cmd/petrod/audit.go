package main

import (
	"context"
	"crypto/sha256"
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

	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/cobra"
	"google.golang.org/grpc/status"

	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/client/light"
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

// Audit exit codes (documented in petrod audit --help and client/README.md).
const (
	exitUnwitnessed = 5 // every figure verified against validator signatures, but no independent witness confirmed the headers
)

// envWitnesses lists witnesses (comma-separated) when --witness is not
// given. It is the name client.toml's conventions give the key "witness"
// (PETRO_ + key): with the client.toml helpers (wallet-cli, #12), this
// function becomes one clientKeys entry and fromClientConfig(pf, flagWitness).
const envWitnesses = "PETRO_WITNESS"

const auditTrustModel = `Trust model, in plain words:
  - The node you ask (--node, --node-rpc) is trusted for nothing. Every
    figure comes with a Merkle proof (ICS23, IAVL) checked against the app
    hash of its height, taken from the next block's header; headers are
    checked by CometBFT's light client against the validators' signatures,
    following the validator set from a root of trust you supply:
      --trust-height H --trust-hash HEX   a header obtained out of band, or
      --genesis genesis.json              the genesis validator set.
  - Signatures alone cannot tell an honest chain from a fork signed by
    whoever holds more than 2/3 of the voting power (one operator running
    the majority, as on a dev chain). Witnesses (--witness, or ` + envWitnesses + `,
    comma-separated) are other operators' nodes: every header is compared
    with theirs, and "latest" is the highest of their latest heights.
    VERIFIED means: assuming more than 1/3 of the validator power is honest
    and at least one witness is an honest node, the figures are the chain's.
    With no independent witness (none given, unreachable, or the same node
    id as the primary) the figures print as UNWITNESSED, exit code 5.
  - Freshness: "latest" is refused when the newest verified header is older
    than --max-lag by this computer's clock, or a witness is more than
    --max-ahead blocks ahead of the primary (a node hiding its newest blocks).
  - A witness whose header differs is printed as EVIDENCE (height, both
    headers) and the audit fails.

Exit codes: 0 VERIFIED; 1 a figure, header, freshness or witness check
failed (one line naming it) or a node could not be reached; 2 a usage
error; 3 UNWITNESSED.`

func newAuditCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Verify supply and backing against validator-signed app hashes, trusting no node",
		Long: `Verify, without trusting the node you ask, that PTR supply is backed by the
attested reserve, now (check) or over a range of heights (report).

` + auditTrustModel,
	}
	pf := cmd.PersistentFlags()
	pf.String(flagNode, defaultGRPCNode, "gRPC address of a petro node (host:port; plaintext unless --tls); not trusted")
	addTLSFlags(pf)
	pf.String(flagNodeRPC, defaultNodeRPC, "CometBFT RPC address serving headers to the light client")
	fromClientConfig(pf, flagNode, flagNodeRPC)
	pf.StringSlice(flagWitness, nil, "CometBFT RPC addresses of other operators' nodes that confirm every header (default: $"+envWitnesses+", then client.toml's witness)")
	fromClientConfig(pf, flagWitness)
	pf.Int64(flagTrustHeight, 0, "height of a trusted header")
	pf.String(flagTrustHash, "", "hex hash of the trusted header at --trust-height")
	pf.String(flagGenesis, "", "genesis.json whose validator set to trust at the initial height (instead of --trust-height/--trust-hash)")
	pf.Duration(flagTrustPeriod, light.DefaultTrustPeriod, "how old the trusted header may be")
	pf.Duration(flagMaxLag, light.DefaultMaxLag, "refuse a latest header older than this (about ten block times under load × 3)")
	pf.Int64(flagMaxAhead, light.DefaultMaxAhead, "refuse when a witness is more than this many blocks ahead of the primary")
	cmd.AddCommand(newAuditCheckCmd(), newAuditReportCmd(), newAuditBalanceCmd(), newAuditLedgerCmd(), newAuditBundleCmd(), newAuditVerifyBundleCmd())
	return cmd
}

const (
	flagMaxLag   = "max-lag"
	flagMaxAhead = "max-ahead"
)

// auditRange is --from and --to of report and ledger: 0 <= from <= to,
// to 0 = latest.
func auditRange(cmd *cobra.Command) (from, to int64, err error) {
	from, _ = cmd.Flags().GetInt64(flagReportFrom)
	to, _ = cmd.Flags().GetInt64(flagReportTo)
	if from < 0 || to < 0 || (to != 0 && from > to) {
		return 0, 0, &usageError{fmt.Sprintf("--%s %d --%s %d: want 0 <= from <= to (to 0 = latest)", flagReportFrom, from, flagReportTo, to)}
	}
	return from, to, nil
}

// auditWitnesses are --witness, else $PETRO_WITNESS.
func auditWitnesses(cmd *cobra.Command) []string {
	ws, _ := cmd.Flags().GetStringSlice(flagWitness)
	if len(ws) == 0 && !cmd.Flags().Changed(flagWitness) {
		for _, w := range strings.Split(os.Getenv(envWitnesses), ",") {
			if w = strings.TrimSpace(w); w != "" {
				ws = append(ws, w)
			}
		}
	}
	return ws
}

// auditSession is one audit's parts: the auditor over a recording
// connection, its light client, and the genesis file it trusts (if any).
type auditSession struct {
	a       *client.Auditor
	lc      *light.Client
	rec     *client.Recorder
	genesis []byte
	close   func()
}

// newAuditor builds the light client from the trust flags and dials --node.
func newAuditor(ctx context.Context, cmd *cobra.Command) (*client.Auditor, *light.Client, func(), error) {
	s, err := newAuditSession(ctx, cmd)
	if err != nil {
		return nil, nil, nil, err
	}
	return s.a, s.lc, s.close, nil
}

func newAuditSession(ctx context.Context, cmd *cobra.Command) (*auditSession, error) {
	var genBytes []byte
	f := cmd.Flags()
	rpc, _ := f.GetString(flagNodeRPC)
	th, _ := f.GetInt64(flagTrustHeight)
	thHex, _ := f.GetString(flagTrustHash)
	genPath, _ := f.GetString(flagGenesis)
	period, _ := f.GetDuration(flagTrustPeriod)
	maxLag, _ := f.GetDuration(flagMaxLag)
	maxAhead, _ := f.GetInt64(flagMaxAhead)
	cfg := light.Config{RPC: rpc, Witnesses: auditWitnesses(cmd), Trust: light.TrustOptions{Period: period},
		MaxLag: maxLag, MaxAhead: maxAhead}
	switch {
	case genPath != "" && (th != 0 || thHex != ""):
		return nil, &usageError{fmt.Sprintf("give --%s or --%s/--%s, not both", flagGenesis, flagTrustHeight, flagTrustHash)}
	case genPath != "":
		bz, err := os.ReadFile(genPath)
		if err != nil {
			return nil, &usageError{fmt.Sprintf("--%s: %v", flagGenesis, err)}
		}
		doc, err := cmttypes.GenesisDocFromJSON(bz)
		if err != nil {
			return nil, &usageError{fmt.Sprintf("--%s: %v", flagGenesis, err)}
		}
		sum := sha256.Sum256(bz)
		cfg.Genesis, cfg.GenesisHash, genBytes = doc, sum[:], bz
	case th > 0 && thHex != "":
		hash, err := hex.DecodeString(strings.TrimPrefix(thHex, "0x"))
		if err != nil || len(hash) != 32 {
			return nil, &usageError{fmt.Sprintf("--%s %q: want the 32-byte header hash in hex", flagTrustHash, thHex)}
		}
		cfg.Trust.Height, cfg.Trust.Hash = th, hash
	default:
		return nil, &usageError{fmt.Sprintf("a root of trust is required: --%s H --%s HEX, or --%s FILE", flagTrustHeight, flagTrustHash, flagGenesis)}
	}
	if period <= 0 {
		return nil, &usageError{fmt.Sprintf("--%s must be positive", flagTrustPeriod)}
	}
	if maxLag <= 0 || maxAhead <= 0 {
		return nil, &usageError{fmt.Sprintf("--%s and --%s must be positive", flagMaxLag, flagMaxAhead)}
	}
	lc, err := light.New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	c, _, err := dialNode(cmd)
	if err != nil {
		return nil, err
	}
	rec := client.NewRecorder(c.Conn())
	return &auditSession{a: client.NewAuditor(client.NewWith(rec), lc), lc: lc, rec: rec, genesis: genBytes,
		close: func() { c.Close() }}, nil
}

// trustInfo is what every audit output states: its result, the root of
// trust, the witnesses and the assumption under which it holds.
type trustInfo struct {
	Result     string          `json:"result"` // VERIFIED | UNWITNESSED
	Meaning    string          `json:"meaning"`
	TrustRoot  trustRootJSON   `json:"trust_root"`
	Witnesses  []light.Witness `json:"witnesses"`
	Assumption string          `json:"assumption"`
}

type trustRootJSON struct {
	Height      int64  `json:"height"`
	HeaderHash  string `json:"header_hash"`
	GenesisHash string `json:"genesis_sha256,omitempty"`
}

const unwitnessedMeaning = "the figures are proven against headers signed by the validators, but no independent node confirmed those headers: whoever holds more than 2/3 of the validator power could have signed a fork with other figures; pass --witness with another operator's node"

func trustInfoOf(lc *light.Client) trustInfo {
	t := lc.Trust()
	out := trustInfo{Result: "VERIFIED", Witnesses: lc.Witnesses(), Assumption: light.Assumption,
		TrustRoot: trustRootJSON{Height: t.Height, HeaderHash: fmt.Sprintf("%X", t.Hash)}}
	if len(t.GenesisHash) != 0 {
		out.TrustRoot.GenesisHash = fmt.Sprintf("%X", t.GenesisHash)
	}
	if out.Witnesses == nil {
		out.Witnesses = []light.Witness{}
	}
	if ok, why := lc.Witnessed(); !ok {
		out.Result, out.Meaning = "UNWITNESSED", why+": "+unwitnessedMeaning
	} else {
		out.Meaning = "every header was confirmed by an independent witness"
	}
	return out
}

// printTrust writes the trust lines of a text output.
func printTrust(w io.Writer, t trustInfo) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	root := fmt.Sprintf("header %d, hash %s", t.TrustRoot.Height, t.TrustRoot.HeaderHash)
	if t.TrustRoot.GenesisHash != "" {
		root = fmt.Sprintf("genesis.json sha256 %s (its validators signed header %d, hash %s)", t.TrustRoot.GenesisHash, t.TrustRoot.Height, t.TrustRoot.HeaderHash)
	}
	fmt.Fprintf(tw, "trust root\t%s\n", root)
	if len(t.Witnesses) == 0 {
		fmt.Fprintf(tw, "witnesses\tnone\n")
	}
	for _, wi := range t.Witnesses {
		state := "independent (node " + wi.NodeID + ")"
		if !wi.Independent {
			state = "NOT independent: " + wi.Note
		}
		fmt.Fprintf(tw, "witness\t%s, %s\n", wi.Addr, state)
	}
	fmt.Fprintf(tw, "assumption\t%s\n", t.Assumption)
	fmt.Fprintf(tw, "result\t%s: %s\n", t.Result, t.Meaning)
	tw.Flush()
}

// unwitnessedErr is exit code 5: the output is printed, unwitnessed.
type unwitnessedErr struct{ why string }

func (e *unwitnessedErr) Error() string { return "UNWITNESSED: " + e.why }
func (e *unwitnessedErr) ExitCode() int { return exitUnwitnessed }

// witnessedOrExit5 is nil for a witnessed audit, else the exit-3 error.
func witnessedOrExit5(t trustInfo) error {
	if t.Result == "VERIFIED" {
		return nil
	}
	return &unwitnessedErr{t.Meaning}
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
	Verified         bool        `json:"verified"` // true only when witnessed (Trust.Result VERIFIED)
	Trust            trustInfo   `json:"trust"`
	Height           int64       `json:"height"`
	AppHash          string      `json:"app_hash"`
	HeaderHeight     int64       `json:"header_height"`
	HeaderHash       string      `json:"header_hash"`
	HeaderTime       string      `json:"header_time"`
	Status           string      `json:"status"`
	Supply           string      `json:"supply_ptr"`
	Capacity         string      `json:"capacity_ptr"`
	HardCap          string      `json:"hard_cap_ptr"`
	Round            uint64      `json:"round_id"`
	ObservedAt       string      `json:"observed_at,omitempty"`
	AgeSeconds       int64       `json:"attestation_age_seconds"`
	Price            string      `json:"price_usd_per_barrel"`
	Lots             []lotResult `json:"lots"`
	Oracles          []oracleRes `json:"oracles"`
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

	Tranches []trancheResult `json:"tranches"` // #19
}

type oracleRes struct {
	Address   string `json:"address"`
	Reports   uint64 `json:"reports"`
	Misses    uint64 `json:"misses"`
	Outliers  uint64 `json:"outliers"`
	LastRound uint64 `json:"last_round"`
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
with the chain's own formulas and must equal the stored record. The oracles'
counters and every issuance tranche are proven too (their outstanding must
sum to the supply). The output names the header, the trust root, the
witnesses and the assumption.

` + auditTrustModel,
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
			a, lc, closeFn, err := newAuditor(ctx, cmd)
			if err != nil {
				return auditErr(cmd, err)
			}
			defer closeFn()
			res, err := a.AuditBacking(ctx, h)
			if err != nil {
				return auditErr(cmd, err)
			}
			tranches, err := auditTranches(ctx, a, res.Height)
			if err != nil {
				return auditErr(cmd, err)
			}
			out := checkResultOf(res, trustInfoOf(lc))
			out.Tranches = tranches
			if err := p.print(out, func(w io.Writer) { printCheck(w, res, out.Trust); printTranches(w, tranches) }); err != nil {
				return err
			}
			return witnessedOrExit5(out.Trust)
		},
	}
	addOutputFlag(cmd)
	cmd.Flags().Int64(flagHeight, 0, "height to verify (0 = the latest verifiable)")
	return cmd
}

func checkResultOf(r *client.BackingAudit, t trustInfo) checkResult {
	b := r.Backing
	out := checkResult{
		Verified: t.Result == "VERIFIED", Trust: t, Height: r.Height, AppHash: fmt.Sprintf("%X", r.AppHash),
		HeaderHeight: r.Anchor.HeaderHeight, HeaderHash: fmt.Sprintf("%X", r.Anchor.HeaderHash),
		HeaderTime: r.Anchor.HeaderTime.UTC().Format(time.RFC3339Nano),
		Status:     auditStatus(r.Status), Supply: auditDecimal(r.Supply), Capacity: auditDecimal(r.Capacity),
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
	out.Oracles = []oracleRes{}
	for _, o := range r.Oracles {
		out.Oracles = append(out.Oracles, oracleRes{o.Address, o.Reports, o.Misses, o.Outliers, o.LastRound})
	}
	for _, l := range r.Lots {
		out.Lots = append(out.Lots, lotResult{ID: l.Lot.Id, Field: l.Lot.Field, Barrels: auditDecimal(l.Barrels), Active: l.Active})
	}
	return out
}

func printCheck(w io.Writer, r *client.BackingAudit, t trustInfo) {
	fmt.Fprintf(w, "%s backing at height %d\n", t.Result, r.Height)
	fmt.Fprintf(w, "app hash %X (header %d, hash %X, time %s; validator signatures checked by the light client)\n",
		r.AppHash, r.Anchor.HeaderHeight, r.Anchor.HeaderHash, r.Anchor.HeaderTime.UTC().Format(time.RFC3339))
	printTrust(w, t)
	fmt.Fprintln(w)
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
	for _, o := range r.Oracles {
		fmt.Fprintf(tw, "oracle %s\t%d reports, %d misses, %d outliers, last round %d\n", o.Address, o.Reports, o.Misses, o.Outliers, o.LastRound)
	}
	tw.Flush()
}

var reportHeader = []string{"round_id", "settled_height", "observed_at", "reserve_barrels", "price_usd", "supply_ptr", "coverage_pct", "status", "header_height", "header_hash", "app_hash"}

// reportRecordOf is one CSV/JSON row of audit report.
func reportRecordOf(r client.ReportRow) []string {
	return []string{
		strconv.FormatUint(r.RoundID, 10), strconv.FormatInt(r.SettledHeight, 10), auditTime(r.ObservedAtUnix),
		auditDecimal(r.ReserveBarrels), auditDecimal(r.Price), auditDecimal(r.Supply), auditPct(r.CoverageBps), auditStatus(r.Status),
		strconv.FormatInt(r.Anchor.HeaderHeight, 10), fmt.Sprintf("%X", r.Anchor.HeaderHash), fmt.Sprintf("%X", r.Anchor.AppHash),
	}
}

func newAuditReportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Verify every round settled in a height range and write a CSV or JSON report",
		Long: `Walk the reserve rounds settled at heights --from..--to (--to 0: the latest
verifiable height, cross-checked with the witnesses' latest heights and
refused when stale) and verify each: the round as stored at --to, and the
round, supply, backing status and parameters at its settled height. Rounds
are read by id, so none can be left out. Writes one row per round to --out
(default stdout) with the columns
  ` + strings.Join(reportHeader, ",") + `
where settled_height is the height every figure of the row was proven at,
against app_hash as signed in header header_height (hash header_hash).
Decimals are plain ("1234.5"), times RFC 3339 UTC. Progress, the range's end
(height and header time), the trust root, the witnesses and the result go
to stderr; --format json holds them in the file too ({"trust", "range",
"rows"}). UNWITNESSED results still write the report, then exit 5.

` + auditTrustModel,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			from, to, err := auditRange(cmd)
			if err != nil {
				return err
			}
			format, _ := cmd.Flags().GetString(flagFormat)
			outPath, _ := cmd.Flags().GetString(flagOut)
			if format != "csv" && format != "json" {
				return &usageError{fmt.Sprintf("--%s %q: want csv or json", flagFormat, format)}
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 30*time.Minute)
			defer cancel()
			a, lc, closeFn, err := newAuditor(ctx, cmd)
			if err != nil {
				return auditErr(cmd, err)
			}
			defer closeFn()
			stderr := cmd.ErrOrStderr()
			toLatest := to == 0
			// "latest" is the highest of the primary's and the witnesses'
			// latest heights, refused when stale (light.Client.Latest).
			if to, err = a.Height(ctx, to); err != nil {
				return auditErr(cmd, err)
			}
			end, err := a.AnchorAt(ctx, to)
			if err != nil {
				return auditErr(cmd, err)
			}
			rng := reportRange{From: from, To: to, ToLatest: toLatest, EndHeaderHeight: end.HeaderHeight,
				EndHeaderHash: fmt.Sprintf("%X", end.HeaderHash), EndTime: end.HeaderTime.UTC().Format(time.RFC3339Nano)}
			upTo := ""
			if toLatest {
				upTo = " (the latest, cross-checked with the witnesses)"
			}
			fmt.Fprintf(stderr, "verifying rounds settled at heights %d to %d%s; the range ends at header %d, %s\n",
				from, to, upTo, end.HeaderHeight, rng.EndTime)
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
			t := trustInfoOf(lc)
			if err := writeReport(w, format, rows, t, rng); err != nil {
				return err
			}
			if outPath != "" && outPath != "-" {
				fmt.Fprintf(stderr, "%d rounds written to %s\n", len(rows), outPath)
			}
			printTrust(stderr, t)
			return witnessedOrExit5(t)
		},
	}
	cmd.Flags().Int64(flagReportFrom, 1, "first height of the range")
	cmd.Flags().Int64(flagReportTo, 0, "last height of the range (0 = the latest verifiable)")
	cmd.Flags().String(flagFormat, "csv", "report format: csv|json")
	cmd.Flags().String(flagOut, "", "file to write (default stdout)")
	return cmd
}

// reportRange is the range a report covers, as verified.
type reportRange struct {
	From            int64  `json:"from"`
	To              int64  `json:"to"`
	ToLatest        bool   `json:"to_latest"`
	EndHeaderHeight int64  `json:"end_header_height"`
	EndHeaderHash   string `json:"end_header_hash"`
	EndTime         string `json:"end_time"`
}

func writeReport(w io.Writer, format string, rows []client.ReportRow, t trustInfo, rng reportRange) error {
	if format == "json" {
		out := make([]map[string]string, 0, len(rows))
		for _, r := range rows {
			rec := reportRecordOf(r)
			m := map[string]string{}
			for i, k := range reportHeader {
				m[k] = rec[i]
			}
			out = append(out, m)
		}
		bz, err := json.MarshalIndent(struct {
			Trust trustInfo           `json:"trust"`
			Range reportRange         `json:"range"`
			Rows  []map[string]string `json:"rows"`
		}{t, rng, out}, "", "  ")
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
		if err := cw.Write(reportRecordOf(r)); err != nil {
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
