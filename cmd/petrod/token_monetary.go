package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/petro-network/petro/client"
	txtypes "github.com/petro-network/petro/types/tx"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// Commands of #19: batch transfers, issuance tranches and rate limits.

const (
	flagTranche     = "tranche"
	flagOutputsFile = "outputs-file"
	flagWindow      = "window"
	flagCapBps      = "cap-bps"
	flagCap         = "cap"
	flagIssuers     = "issuers"
	flagOpen        = "open"
	flagClose       = "close"
)

func newBatchSendCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "batch-send [ADDRESS=AMOUNT …] [--outputs-file FILE] --from KEY",
		Short: fmt.Sprintf("Pay up to %d recipients in one message, all or nothing, with one signature", tokentypes.MaxBatchOutputs),
		Long: fmt.Sprintf(`Pay each ADDRESS its AMOUNT (PTR, e.g. 1.5ptr, or base units, e.g. 10ptrbase)
from --from in one MsgBatchSend: at most %d distinct recipients, applied
atomically (one refused output refuses them all). --outputs-file reads more
outputs, one "ADDRESS AMOUNT" per line (blank lines and # comments skipped).
Each output is a transfer event, so every recipient's history shows it.`, tokentypes.MaxBatchOutputs),
		Example: `  petrod tx token batch-send petro1…=10ptr petro1…=2.5ptr --from alice --keyring-backend test
  petrod tx token batch-send --outputs-file payroll.txt --from alice --keyring-backend test`,
		Args: usageArgs(cobra.ArbitraryArgs),
	}
}

// buildBatchSend reads the outputs of batch-send from args and
// --outputs-file.
func buildBatchSend(cmd *cobra.Command, args []string) (*txtypes.Msg, error) {
	var outs []*tokentypes.Output
	add := func(where, addrText, amountText string) error {
		to, err := parseAddressArg("recipient", addrText)
		if err != nil {
			return err
		}
		amount, err := positiveAmount(amountText)
		if err != nil {
			return &usageError{fmt.Sprintf("%s: %v", where, err)}
		}
		outs = append(outs, &tokentypes.Output{To: to.String(), Amount: amount})
		return nil
	}
	for _, a := range args {
		addr, amount, ok := strings.Cut(a, "=")
		if !ok {
			return nil, &usageError{fmt.Sprintf("output %q: want ADDRESS=AMOUNT", a)}
		}
		if err := add(a, addr, amount); err != nil {
			return nil, err
		}
	}
	if path, _ := cmd.Flags().GetString(flagOutputsFile); path != "" {
		f, err := os.Open(path)
		if err != nil {
			return nil, &usageError{fmt.Sprintf("--%s: %v", flagOutputsFile, err)}
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			fields := strings.Fields(line)
			if len(fields) != 2 {
				return nil, &usageError{fmt.Sprintf("%s:%d: want ADDRESS AMOUNT", path, n)}
			}
			if err := add(fmt.Sprintf("%s:%d", path, n), fields[0], fields[1]); err != nil {
				return nil, err
			}
		}
		if err := sc.Err(); err != nil {
			return nil, &usageError{fmt.Sprintf("--%s: %v", flagOutputsFile, err)}
		}
	}
	return &txtypes.Msg{Sum: &txtypes.Msg_BatchSend{BatchSend: &tokentypes.MsgBatchSend{Outputs: outs}}}, nil
}

// monetaryProposeCmds are the council's `propose` commands of #19.
func monetaryProposeCmds() []*cobra.Command {
	rate := &cobra.Command{
		Use:   "set-rate-limit ISSUER [--window DURATION=AMOUNT …]",
		Short: "Limit what ISSUER may issue per rolling window of block time; no --window removes the limit (x/token)",
		Long: fmt.Sprintf(`Replace ISSUER's rate limit with the given windows (1 to %d, each a duration
in whole seconds and the most it may issue within any such span of block
time), or remove it when no --window is given. Windows must get longer and
their max must not get smaller.`, tokentypes.MaxRateWindows),
		Example: `  petrod tx authority propose set-rate-limit petro1… --window 1h=10000ptr --window 24h=100000ptr --from val0`,
		Args:    usageArgs(cobra.ExactArgs(1)),
	}
	rate.Flags().StringArray(flagWindow, nil, "DURATION=AMOUNT, e.g. 1h=10000ptr (repeatable)")
	tranche := &cobra.Command{
		Use:   "set-tranche NAME --cap-bps N|--cap AMOUNT [--issuers ADDR,…] [--open TIME] [--close TIME]",
		Short: "Create a tranche of the hard cap or change one's cap, issuers and times (x/token)",
		Long: `Create or change the tranche NAME (1-32 bytes of a-z 0-9 _ -). Its cap is
--cap-bps basis points of the hard cap or an absolute --cap; the caps of all
tranches may not exceed the hard cap, nor a cap fall below what is
outstanding in its tranche. --issuers limits who may issue into it (default:
every issuer). --open and --close (RFC 3339 or unix seconds) bound the block
times at which issues are accepted: open ≤ time < close.`,
		Example: `  petrod tx authority propose set-tranche public --cap-bps 4400 --from val0`,
		Args:    usageArgs(cobra.ExactArgs(1)),
	}
	tranche.Flags().Uint32(flagCapBps, 0, "cap in basis points of the hard cap (1..10000)")
	tranche.Flags().String(flagCap, "", "absolute cap: PTR (e.g. 1000ptr) or base units")
	tranche.Flags().StringSlice(flagIssuers, nil, "issuers allowed to issue into it (default: every issuer)")
	tranche.Flags().String(flagOpen, "", "first block time accepted (RFC 3339 or unix seconds)")
	tranche.Flags().String(flagClose, "", "first block time no longer accepted (RFC 3339 or unix seconds)")
	return []*cobra.Command{rate, tranche}
}

func parseTime(flag, s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
		return n, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return 0, &usageError{fmt.Sprintf("--%s %q: want RFC 3339 or unix seconds", flag, s)}
	}
	return t.Unix(), nil
}

// buildMonetaryAction turns set-rate-limit and set-tranche into actions
// that pass their ValidateBasic.
func buildMonetaryAction(cmd *cobra.Command, args []string) (*authoritytypes.Action, error) {
	f := cmd.Flags()
	switch cmd.Name() {
	case "set-rate-limit":
		issuer, err := parseAddressArg("issuer", args[0])
		if err != nil {
			return nil, err
		}
		rl := &tokentypes.RateLimit{Issuer: issuer.String()}
		ws, _ := f.GetStringArray(flagWindow)
		for _, w := range ws {
			d, amount, ok := strings.Cut(w, "=")
			dur, err := time.ParseDuration(d)
			if !ok || err != nil || dur <= 0 || dur%time.Second != 0 {
				return nil, &usageError{fmt.Sprintf("--%s %q: want DURATION=AMOUNT with a whole number of seconds, e.g. 1h=100ptr", flagWindow, w)}
			}
			max, err := positiveAmount(amount)
			if err != nil {
				return nil, err
			}
			rl.Windows = append(rl.Windows, &tokentypes.RateWindow{Seconds: uint64(dur / time.Second), Max: max})
		}
		s := &tokentypes.SetRateLimit{Limit: rl}
		if err := s.ValidateBasic(); err != nil {
			return nil, &usageError{fmt.Sprintf("%s: %v", cmd.Name(), err)}
		}
		return &authoritytypes.Action{Sum: &authoritytypes.Action_SetRateLimit{SetRateLimit: s}}, nil
	case "set-tranche":
		t := &tokentypes.Tranche{Name: args[0]}
		t.CapBps, _ = f.GetUint32(flagCapBps)
		if c, _ := f.GetString(flagCap); c != "" {
			amount, err := positiveAmount(c)
			if err != nil {
				return nil, err
			}
			t.CapAmount = amount
		}
		t.Issuers, _ = f.GetStringSlice(flagIssuers)
		var err error
		open, _ := f.GetString(flagOpen)
		if t.OpenUnix, err = parseTime(flagOpen, open); err != nil {
			return nil, err
		}
		cl, _ := f.GetString(flagClose)
		if t.CloseUnix, err = parseTime(flagClose, cl); err != nil {
			return nil, err
		}
		s := &tokentypes.SetTranche{Tranche: t}
		if err := s.ValidateBasic(); err != nil {
			return nil, &usageError{fmt.Sprintf("%s: %v", cmd.Name(), err)}
		}
		return &authoritytypes.Action{Sum: &authoritytypes.Action_SetTranche{SetTranche: s}}, nil
	}
	return nil, &usageError{fmt.Sprintf("unknown action %q", cmd.Name())}
}

func newQueryRateLimitsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rate-limits [ISSUER]",
		Short: "Each rate-limited issuer's used and remaining amount per window, at the height's block time",
		Args:  usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := &tokentypes.QueryRateLimitsRequest{}
			if len(args) == 1 {
				a, err := parseAddressArg("issuer", args[0])
				if err != nil {
					return err
				}
				req.Issuer = a.String()
			}
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			req.Height = h
			return runQuery(cmd, func(ctx context.Context, c *client.Client) (*tokentypes.QueryRateLimitsResponse, error) {
				return c.Token.RateLimits(ctx, req)
			}, func(w io.Writer, r *tokentypes.QueryRateLimitsResponse) {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ISSUER\tWINDOW\tMAX\tUSED\tREMAINING\tFREES IN")
				for _, l := range r.GetLimits() {
					for _, u := range l.GetWindows() {
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", l.GetIssuer(), time.Duration(u.GetSeconds())*time.Second,
							formatPTR(u.GetMax()), formatPTR(u.GetUsed()), formatPTR(u.GetRemaining()), time.Duration(u.GetFreesInSeconds())*time.Second)
					}
				}
				tw.Flush()
				fmt.Fprintf(w, "height: %d (block time %s)\n", r.GetHeight(), time.Unix(r.GetTimeUnix(), 0).UTC().Format(time.RFC3339))
			})
		},
	}
	addQueryFlags(cmd, true)
	return cmd
}

func newQueryTranchesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tranches",
		Short: "Issuance tranches: cap, issued, burned and outstanding (Σ outstanding = supply)",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			return runQuery(cmd, func(ctx context.Context, c *client.Client) (*tokentypes.QueryTranchesResponse, error) {
				return c.Token.Tranches(ctx, &tokentypes.QueryTranchesRequest{Height: h})
			}, func(w io.Writer, r *tokentypes.QueryTranchesResponse) {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "TRANCHE\tCAP\tISSUED\tBURNED\tOUTSTANDING\tISSUERS")
				for _, t := range r.GetTranches() {
					name, issuers := t.GetTranche().GetName(), "any"
					if name == r.GetDefaultTranche() {
						name += " (default)"
					}
					if is := t.GetTranche().GetIssuers(); len(is) > 0 {
						issuers = strings.Join(is, ",")
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", name, formatPTR(t.GetCap()), formatPTR(t.GetTranche().GetIssued()),
						formatPTR(t.GetTranche().GetBurned()), formatPTR(t.GetOutstanding()), issuers)
				}
				tw.Flush()
				fmt.Fprintf(w, "supply: %s\nheight: %d\n", formatPTR(r.GetSupply()), r.GetHeight())
			})
		},
	}
	addQueryFlags(cmd, true)
	return cmd
}
