package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/client"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
)

const (
	flagRound        = "round"
	flagLot          = "lot"
	flagPrice        = "price"
	flagObservedAt   = "observed-at"
	flagEvidence     = "evidence"
	flagEvidenceFile = "evidence-file"

	roundAuto = "auto"
	timeNow   = "now"
)

func newTxReserveCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "reserve", Short: "Reserve ledger transactions: oracle attestations"}
	cmd.AddCommand(newTxAttestCmd())
	return cmd
}

func newTxAttestCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "attest --lot LOT=BARRELS ... --price USD --evidence HEX32|--evidence-file FILE --from ORACLE",
		Short: "Report the barrels of every active lot and the oil price for the open round (oracles)",
		Long: `Submit an oracle's report for a round, signed by --from (an oracle key).

--lot LOT=BARRELS is repeated once per active lot (see ` + "`petrod query reserve lots`" + `);
BARRELS and --price (USD per barrel) are decimals with at most 8 decimals.
The lots are sent sorted by id; a lot given twice is refused. --round auto
(the default) reports to the open round as the node sees it now.
--observed-at is when the figures were observed: RFC 3339 or now (default);
the chain refuses observations older than its max age or in the future.
The evidence is the SHA-256 of the audit document: --evidence gives it in
hex, --evidence-file hashes a file.

A round settles at the end of the block in which a quorum of oracles has
reported; in text output the round's state is printed after the result.`,
		Example: `  petrod tx reserve attest --lot ayacucho-1=24000000 --lot junin-4=16000000.5 \
    --price 70.25 --evidence-file report.pdf --from oracle1 --keyring-backend test
  petrod tx reserve attest --round 12 --lot ayacucho-1=24000000 --price 70.25 \
    --observed-at 2025-06-01T12:00:00Z --evidence 0x9f86… --from oracle1`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := newPrinter(cmd)
			if err != nil {
				return err
			}
			from, err := requiredFrom(cmd, "an oracle's key")
			if err != nil {
				return err
			}
			msg, auto, err := buildAttest(cmd, time.Now())
			if err != nil {
				return err
			}
			setup, err := readTxFlags(cmd)
			if err != nil {
				return err
			}
			key, err := loadTxKey(cmd, "--"+flagFrom, from)
			if err != nil {
				return err
			}
			msg.Oracle = key.Address().String()
			if auto {
				open, err := queryOpenRound(cmd)
				if err != nil {
					return err
				}
				msg.RoundId = open.GetRoundId()
			}
			if err := msg.ValidateBasic(); err != nil {
				return &usageError{err.Error()}
			}
			res, err := broadcastMsg(cmd, setup, key, client.AttestMsg(msg))
			if err != nil {
				return err
			}
			var after []string
			if !p.json && res.GetCode() == 0 {
				after = append(after, fmt.Sprintf("round_id: %d", msg.RoundId))
				if res.GetCommitted() {
					after = append(after, roundStateLine(cmd, msg.RoundId))
				}
			}
			return printBroadcastThen(p, res, func(w io.Writer) {
				for _, l := range after {
					fmt.Fprintln(w, l)
				}
			})
		},
	}
	addTxFlags(cmd)
	f := cmd.Flags()
	f.String(flagFrom, "", "oracle key (name or address in the keyring) that signs the report (required)")
	f.String(flagRound, roundAuto, "round to report to: a round id, or auto (the open round, read from --node)")
	f.StringArray(flagLot, nil, "LOT=BARRELS, once per active lot (barrels: decimal, at most 8 decimals)")
	f.String(flagPrice, "", "oil price in USD per barrel, e.g. 70.25 (required)")
	f.String(flagObservedAt, timeNow, "when the figures were observed: RFC 3339 (2025-06-01T12:00:00Z) or now")
	f.String(flagEvidence, "", "SHA-256 of the audit document, 64 hex digits")
	f.String(flagEvidenceFile, "", "file whose SHA-256 is the evidence hash")
	return cmd
}

// requiredFrom is --from, required; who says whose key it must be.
func requiredFrom(cmd *cobra.Command, who string) (string, error) {
	from, _ := cmd.Flags().GetString(flagFrom)
	if from == "" {
		return "", &usageError{fmt.Sprintf("--%s KEY is required (%s in the keyring)", flagFrom, who)}
	}
	return from, nil
}

// buildAttest reads the flags of `tx reserve attest` into a MsgAttest
// without its oracle (the signer) and, when auto is true (--round auto),
// without its round. It reads the evidence file but touches neither the
// keyring nor the network; now is the time --observed-at now stands for.
// Every problem is a usageError.
func buildAttest(cmd *cobra.Command, now time.Time) (msg *reservetypes.MsgAttest, auto bool, err error) {
	f := cmd.Flags()
	msg = &reservetypes.MsgAttest{}

	round, _ := f.GetString(flagRound)
	if strings.EqualFold(round, roundAuto) {
		auto = true
	} else {
		id, perr := strconv.ParseUint(round, 10, 64)
		if perr != nil || id == 0 {
			return nil, false, &usageError{fmt.Sprintf("--%s %q: want a positive round id or auto", flagRound, round)}
		}
		msg.RoundId = id
	}

	specs, _ := f.GetStringArray(flagLot)
	if msg.Lots, err = parseLotReports(specs); err != nil {
		return nil, false, err
	}

	if !f.Changed(flagPrice) {
		return nil, false, &usageError{fmt.Sprintf("--%s USD is required (USD per barrel)", flagPrice)}
	}
	ps, _ := f.GetString(flagPrice)
	if msg.Price, err = parseDecimal8("--"+flagPrice, ps); err != nil {
		return nil, false, &usageError{err.Error()}
	}
	if msg.Price == 0 {
		return nil, false, &usageError{fmt.Sprintf("--%s must be positive", flagPrice)}
	}

	obs, _ := f.GetString(flagObservedAt)
	if msg.ObservedAtUnix, err = parseTimeFlag(flagObservedAt, obs, now); err != nil {
		return nil, false, err
	}

	if msg.EvidenceHash, err = hashFromFlags(cmd, flagEvidence, flagEvidenceFile, true); err != nil {
		return nil, false, err
	}
	return msg, auto, nil
}

// parseLotReports reads LOT=BARRELS specs, refuses duplicates and returns
// the reports sorted by lot id, as the chain requires.
func parseLotReports(specs []string) ([]*reservetypes.LotReport, error) {
	if len(specs) == 0 {
		return nil, &usageError{fmt.Sprintf("give --%s LOT=BARRELS once per active lot (see `petrod query reserve lots`)", flagLot)}
	}
	if len(specs) > reservetypes.MaxLotsPerReport {
		return nil, &usageError{fmt.Sprintf("%d lots: at most %d per report", len(specs), reservetypes.MaxLotsPerReport)}
	}
	out := make([]*reservetypes.LotReport, 0, len(specs))
	seen := map[string]bool{}
	for _, s := range specs {
		id, amt, ok := strings.Cut(s, "=")
		if !ok {
			return nil, &usageError{fmt.Sprintf("--%s %q: want LOT=BARRELS, e.g. ayacucho-1=24000000.5", flagLot, s)}
		}
		if err := reservetypes.ValidateLotID(id); err != nil {
			return nil, &usageError{fmt.Sprintf("--%s %q: %v", flagLot, s, err)}
		}
		if seen[id] {
			return nil, &usageError{fmt.Sprintf("--%s: lot %s given twice", flagLot, id)}
		}
		seen[id] = true
		barrels, err := parseDecimal8(fmt.Sprintf("--%s %s barrels", flagLot, id), amt)
		if err != nil {
			return nil, &usageError{err.Error()}
		}
		out = append(out, &reservetypes.LotReport{LotId: id, Barrels: barrels})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].LotId < out[j].LotId })
	return out, nil
}

// parseTimeFlag reads an RFC 3339 time or "now" into Unix seconds.
func parseTimeFlag(name, s string, now time.Time) (int64, error) {
	if strings.EqualFold(s, timeNow) {
		return now.Unix(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return 0, &usageError{fmt.Sprintf("--%s %q: want RFC 3339, e.g. 2025-06-01T12:00:00Z, or now", name, s)}
	}
	if t.Unix() <= 0 {
		return 0, &usageError{fmt.Sprintf("--%s %q: must be after 1970", name, s)}
	}
	return t.Unix(), nil
}

// queryOpenRound reads the open round from --node (latest committed).
func queryOpenRound(cmd *cobra.Command) (*reservetypes.QueryOpenRoundResponse, error) {
	c, addr, err := dialNode(cmd)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(cmd.Context(), queryTimeout)
	defer cancel()
	res, err := c.Reserve.OpenRound(ctx, &reservetypes.QueryOpenRoundRequest{})
	if err != nil {
		return nil, fmt.Errorf("read the open round: %w", nodeErr(addr, err))
	}
	return res, nil
}

// roundStateLine says where round stands after a committed report, e.g.
// "round_status: collecting (1 of 2 reports)" or "round_status: settled
// at height 42 (price 70.25 USD/bbl)". A failed read is reported in the
// line: the tx itself went through.
func roundStateLine(cmd *cobra.Command, round uint64) string {
	c, addr, err := dialNode(cmd)
	if err != nil {
		return fmt.Sprintf("round_status: (unknown: %v)", err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(cmd.Context(), queryTimeout)
	defer cancel()
	open, err := c.Reserve.OpenRound(ctx, &reservetypes.QueryOpenRoundRequest{})
	if err != nil {
		return fmt.Sprintf("round_status: (unknown: %v)", nodeErr(addr, err))
	}
	if open.GetRoundId() == round {
		return fmt.Sprintf("round_status: collecting (%d of %d reports)", len(open.GetAttestations()), open.GetQuorum())
	}
	r, err := c.Reserve.Round(ctx, &reservetypes.QueryRoundRequest{Id: round, Height: open.GetHeight()})
	if err != nil {
		return fmt.Sprintf("round_status: (unknown: %v)", nodeErr(addr, err))
	}
	line := fmt.Sprintf("round_status: settled at height %d (price %s, %s, %d reporters", r.GetRound().GetSettledHeight(),
		formatPrice(r.GetRound().GetPrice()), formatBarrels(r.GetRound().GetTotalBarrels()), len(r.GetRound().GetReporters()))
	if n := len(r.GetRound().GetOutliers()); n > 0 {
		line += fmt.Sprintf(", %d outliers", n)
	}
	return line + ")"
}

// Flags of the reserve proposals.
const (
	flagLotID           = "id"
	flagField           = "field"
	flagCategory        = "category"
	flagCertifier       = "certifier"
	flagCertificateHash = "certificate-hash"
	flagCertificateFile = "certificate-file"
	flagValidUntil      = "valid-until"
	flagQuorum          = "quorum"
	flagMaxAge          = "max-age"
	flagMaxFutureSkew   = "max-future-skew"
	flagMaxDeviationBps = "max-deviation-bps"
	flagBarrelsPerToken = "barrels-per-token"
	flagMarginBps       = "margin-bps"
)

// reserveProposeCmds are the `propose` subcommands of x/reserve's council
// actions.
func reserveProposeCmds() []*cobra.Command {
	lotFlags := func(c *cobra.Command, kept string) {
		f := c.Flags()
		f.String(flagLotID, "", "lot id: [a-z0-9._-], at most 64 characters (required)")
		f.String(flagField, "", "oil field, e.g. ayacucho-1"+kept)
		f.String(flagCategory, "", "in-ground|produced|stored"+kept)
		f.String(flagCertifier, "", "who certified the lot"+kept)
		f.String(flagCertificateHash, "", "SHA-256 of the certificate, 64 hex digits"+kept)
		f.String(flagCertificateFile, "", "certificate file, hashed with SHA-256 (instead of --"+flagCertificateHash+")")
		f.String(flagValidUntil, "", "the certificate's expiry, RFC 3339 (e.g. 2027-01-01T00:00:00Z)"+kept)
	}
	create := &cobra.Command{
		Use:   "create-lot --id ID --field F --category C --certifier NAME --certificate-hash HEX32|--certificate-file FILE --valid-until T",
		Short: "Add a reserve lot; oracles must then report it in every round",
		Example: `  petrod tx authority propose create-lot --id ayacucho-1 --field ayacucho-1 --category in-ground \
    --certifier "PDVSA-CVP" --certificate-file cert.pdf --valid-until 2027-01-01T00:00:00Z --from val0`,
		Args: usageArgs(cobra.NoArgs),
	}
	lotFlags(create, " (required)")
	update := &cobra.Command{
		Use:   "update-lot --id ID [--field F] [--category C] [--certifier NAME] [--certificate-hash HEX32|--certificate-file FILE] [--valid-until T]",
		Short: "Change a lot; flags not given keep their current value (queried from --node)",
		Args:  usageArgs(cobra.NoArgs),
	}
	lotFlags(update, " (default: unchanged)")
	retire := &cobra.Command{
		Use:   "retire-lot --id ID",
		Short: "Retire a lot: it no longer backs PTR and is no longer reported",
		Args:  usageArgs(cobra.NoArgs),
	}
	retire.Flags().String(flagLotID, "", "lot id (required)")
	halt := &cobra.Command{
		Use:   "halt --reason TEXT",
		Short: "Halt the backing: status HALTED, no issuance until unhalt",
		Args:  usageArgs(cobra.NoArgs),
	}
	halt.Flags().String(flagReason, "", fmt.Sprintf("why (required, at most %d bytes; public)", maxReasonBytes))
	unhalt := &cobra.Command{
		Use:   "unhalt [--reason TEXT]",
		Short: "Lift a halt; the status is recomputed at the end of the block",
		Args:  usageArgs(cobra.NoArgs),
	}
	unhalt.Flags().String(flagReason, "", fmt.Sprintf("note (optional, at most %d bytes)", maxReasonBytes))
	params := &cobra.Command{
		Use:   "set-reserve-params [--quorum N] [--max-age D] [--max-future-skew D] [--max-deviation-bps N] [--barrels-per-token B] [--margin-bps N]",
		Short: "Change x/reserve params; flags not given keep their current value (queried from --node)",
		Args:  usageArgs(cobra.NoArgs),
	}
	pf := params.Flags()
	pf.Uint32(flagQuorum, 0, "oracle reports needed to settle a round (≥ 1)")
	pf.Duration(flagMaxAge, 0, "a settled round older than this makes the status STALE, whole seconds (e.g. 24h)")
	pf.Duration(flagMaxFutureSkew, 0, "how far past block time an observation may be, whole seconds (≤ 1h)")
	pf.Uint32(flagMaxDeviationBps, 0, "a report farther than this from the median is an outlier, basis points (1..10000)")
	pf.String(flagBarrelsPerToken, "", "barrels that back one PTR, decimal (e.g. 1 or 0.5)")
	pf.Uint32(flagMarginBps, 0, "reserve kept unissued, basis points (0..9999)")
	return []*cobra.Command{create, update, retire, halt, unhalt, params}
}

// buildReserveAction is buildAction for x/reserve's actions.
func buildReserveAction(cmd *cobra.Command, cur chainLookup) (*authoritytypes.Action, error) {
	f := cmd.Flags()
	var a *authoritytypes.Action
	switch cmd.Name() {
	case "create-lot", "update-lot":
		id, _ := f.GetString(flagLotID)
		if id == "" {
			return nil, &usageError{fmt.Sprintf("--%s is required", flagLotID)}
		}
		if err := reservetypes.ValidateLotID(id); err != nil {
			return nil, &usageError{fmt.Sprintf("--%s: %v", flagLotID, err)}
		}
		if cmd.Name() == "create-lot" {
			l, err := lotFromFlags(cmd, &reservetypes.Lot{Id: id}, true)
			if err != nil {
				return nil, err
			}
			a = &authoritytypes.Action{Sum: &authoritytypes.Action_CreateLot{CreateLot: &reservetypes.CreateLot{Lot: l}}}
			break
		}
		// Check the flags alone before asking the node for the lot.
		if _, err := lotFromFlags(cmd, &reservetypes.Lot{Id: id}, false); err != nil {
			return nil, err
		}
		current, err := cur.lot(id)
		if err != nil {
			return nil, fmt.Errorf("read lot %s: %w", id, err)
		}
		if current == nil {
			return nil, fmt.Errorf("lot %s does not exist on the chain (see `petrod query reserve lots`; create it with create-lot)", id)
		}
		l, err := lotFromFlags(cmd, proto.Clone(current).(*reservetypes.Lot), false)
		if err != nil {
			return nil, err
		}
		if err := l.ValidateBasic(); err != nil {
			return nil, &usageError{fmt.Sprintf("%s: %v", cmd.Name(), err)}
		}
		a = &authoritytypes.Action{Sum: &authoritytypes.Action_UpdateLot{UpdateLot: &reservetypes.UpdateLot{Lot: l}}}
	case "retire-lot":
		id, _ := f.GetString(flagLotID)
		if id == "" {
			return nil, &usageError{fmt.Sprintf("--%s is required", flagLotID)}
		}
		if err := reservetypes.ValidateLotID(id); err != nil {
			return nil, &usageError{fmt.Sprintf("--%s: %v", flagLotID, err)}
		}
		a = &authoritytypes.Action{Sum: &authoritytypes.Action_RetireLot{RetireLot: &reservetypes.RetireLot{LotId: id}}}
	case "halt", "unhalt":
		reason, _ := f.GetString(flagReason)
		if cmd.Name() == "halt" || reason != "" {
			if err := checkText(flagReason, reason, maxReasonBytes); err != nil {
				return nil, err
			}
		}
		a = &authoritytypes.Action{Sum: &authoritytypes.Action_SetHalt{SetHalt: &reservetypes.SetHalt{Halted: cmd.Name() == "halt", Reason: reason}}}
	case "set-reserve-params":
		p, err := reserveParamsFromFlags(cmd, cur.reserveParams)
		if err != nil {
			return nil, err
		}
		a = &authoritytypes.Action{Sum: &authoritytypes.Action_SetReserveParams{SetReserveParams: &reservetypes.SetReserveParams{Params: p}}}
	default:
		return nil, &usageError{fmt.Sprintf("unknown reserve action %q", cmd.Name())}
	}
	if err := a.ValidateBasic(); err != nil {
		return nil, &usageError{fmt.Sprintf("%s: %v", cmd.Name(), err)}
	}
	return a, nil
}

// lotFromFlags applies the lot flags given to l. With all, every field is
// required (create-lot) and the result must be a valid lot; otherwise at
// least one flag besides --id is required and the caller checks the
// result (update-lot applies the flags to the lot the node returned).
func lotFromFlags(cmd *cobra.Command, l *reservetypes.Lot, all bool) (*reservetypes.Lot, error) {
	f := cmd.Flags()
	need := func(name string) error {
		if all && !f.Changed(name) {
			return &usageError{fmt.Sprintf("--%s is required", name)}
		}
		return nil
	}
	for _, n := range []string{flagField, flagCategory, flagCertifier} {
		if err := need(n); err != nil {
			return nil, err
		}
	}
	if all && !f.Changed(flagCertificateHash) && !f.Changed(flagCertificateFile) {
		return nil, &usageError{fmt.Sprintf("give --%s or --%s", flagCertificateHash, flagCertificateFile)}
	}
	if err := need(flagValidUntil); err != nil {
		return nil, err
	}
	changed := false
	if f.Changed(flagField) {
		l.Field, _ = f.GetString(flagField)
		if l.Field == "" || len(l.Field) > 64 {
			return nil, &usageError{fmt.Sprintf("--%s: 1..64 characters", flagField)}
		}
		changed = true
	}
	if f.Changed(flagCategory) {
		s, _ := f.GetString(flagCategory)
		c, err := parseCategory(s)
		if err != nil {
			return nil, err
		}
		l.Category, changed = c, true
	}
	if f.Changed(flagCertifier) {
		l.Certifier, _ = f.GetString(flagCertifier)
		if l.Certifier == "" || len(l.Certifier) > 128 {
			return nil, &usageError{fmt.Sprintf("--%s: 1..128 characters", flagCertifier)}
		}
		changed = true
	}
	if f.Changed(flagCertificateHash) || f.Changed(flagCertificateFile) {
		h, err := hashFromFlags(cmd, flagCertificateHash, flagCertificateFile, true)
		if err != nil {
			return nil, err
		}
		l.CertificateHash, changed = h, true
	}
	if f.Changed(flagValidUntil) {
		s, _ := f.GetString(flagValidUntil)
		t, err := time.Parse(time.RFC3339, s)
		if err != nil || t.Unix() <= 0 {
			return nil, &usageError{fmt.Sprintf("--%s %q: want an RFC 3339 time, e.g. 2027-01-01T00:00:00Z", flagValidUntil, s)}
		}
		l.ValidUntilUnix, changed = t.Unix(), true
	}
	if !changed {
		return nil, &usageError{fmt.Sprintf("give at least one of --%s, --%s, --%s, --%s (or --%s), --%s",
			flagField, flagCategory, flagCertifier, flagCertificateHash, flagCertificateFile, flagValidUntil)}
	}
	if all {
		if err := l.ValidateBasic(); err != nil {
			return nil, &usageError{err.Error()}
		}
	}
	return l, nil
}

// reserveParamsFromFlags is current() with the given flags applied; the
// given values are checked alone (on the default params) before current
// is called.
func reserveParamsFromFlags(cmd *cobra.Command, current func() (*reservetypes.Params, error)) (*reservetypes.Params, error) {
	f := cmd.Flags()
	names := []string{flagQuorum, flagMaxAge, flagMaxFutureSkew, flagMaxDeviationBps, flagBarrelsPerToken, flagMarginBps}
	anySet := false
	for _, n := range names {
		anySet = anySet || f.Changed(n)
	}
	if !anySet {
		return nil, &usageError{"give at least one of --" + strings.Join(names, ", --")}
	}
	seconds := func(name string) (uint64, error) {
		d, _ := f.GetDuration(name)
		if d < 0 || d%time.Second != 0 {
			return 0, &usageError{fmt.Sprintf("--%s %s: want a non-negative whole number of seconds", name, d)}
		}
		return uint64(d / time.Second), nil
	}
	var set reservetypes.Params
	var err error
	set.Quorum, _ = f.GetUint32(flagQuorum)
	set.MaxDeviationBps, _ = f.GetUint32(flagMaxDeviationBps)
	set.MarginBps, _ = f.GetUint32(flagMarginBps)
	if f.Changed(flagMaxAge) {
		if set.MaxAgeSeconds, err = seconds(flagMaxAge); err != nil {
			return nil, err
		}
	}
	if f.Changed(flagMaxFutureSkew) {
		if set.MaxFutureSkewSeconds, err = seconds(flagMaxFutureSkew); err != nil {
			return nil, err
		}
	}
	if f.Changed(flagBarrelsPerToken) {
		s, _ := f.GetString(flagBarrelsPerToken)
		if set.BarrelsPerToken, err = parseDecimal8("--"+flagBarrelsPerToken, s); err != nil {
			return nil, &usageError{err.Error()}
		}
	}
	apply := func(p *reservetypes.Params) {
		if f.Changed(flagQuorum) {
			p.Quorum = set.Quorum
		}
		if f.Changed(flagMaxAge) {
			p.MaxAgeSeconds = set.MaxAgeSeconds
		}
		if f.Changed(flagMaxFutureSkew) {
			p.MaxFutureSkewSeconds = set.MaxFutureSkewSeconds
		}
		if f.Changed(flagMaxDeviationBps) {
			p.MaxDeviationBps = set.MaxDeviationBps
		}
		if f.Changed(flagBarrelsPerToken) {
			p.BarrelsPerToken = set.BarrelsPerToken
		}
		if f.Changed(flagMarginBps) {
			p.MarginBps = set.MarginBps
		}
	}
	probe := reservetypes.DefaultParams()
	apply(probe)
	if err := probe.Validate(); err != nil {
		return nil, &usageError{fmt.Sprintf("set-reserve-params: %v", err)}
	}
	cur, err := current()
	if err != nil {
		return nil, fmt.Errorf("read the current reserve params: %w", err)
	}
	p := proto.Clone(cur).(*reservetypes.Params)
	apply(p)
	if err := p.Validate(); err != nil {
		return nil, &usageError{fmt.Sprintf("set-reserve-params: %v", err)}
	}
	return p, nil
}

func queryReserveParams(cmd *cobra.Command) (*reservetypes.Params, error) {
	c, addr, err := dialNode(cmd)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(cmd.Context(), queryTimeout)
	defer cancel()
	res, err := c.Reserve.Params(ctx, &reservetypes.QueryParamsRequest{})
	if err != nil {
		return nil, nodeErr(addr, err)
	}
	if res.GetParams() == nil {
		return nil, fmt.Errorf("node %s returned no params", addr)
	}
	return res.GetParams(), nil
}

// queryLot returns lot id from --node, or nil if there is none.
func queryLot(cmd *cobra.Command, id string) (*reservetypes.Lot, error) {
	c, addr, err := dialNode(cmd)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(cmd.Context(), queryTimeout)
	defer cancel()
	res, err := c.Reserve.Lots(ctx, &reservetypes.QueryLotsRequest{})
	if err != nil {
		return nil, nodeErr(addr, err)
	}
	for _, l := range res.GetLots() {
		if l.GetId() == id {
			return l, nil
		}
	}
	return nil, nil
}
