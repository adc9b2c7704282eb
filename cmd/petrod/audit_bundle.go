package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/petro-network/petro/client/light"
)

const flagRoundsFrom = "rounds-from"

func newAuditBundleCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bundle --out FILE",
		Short: "Verify the backing (and rounds) and archive the audit in one self-verifying file",
		Long: `Run the audit of check (at --height, default the latest, with the freshness
and witness checks) and of report (rounds settled from --rounds-from up to
that height; 0 = none), and write to --out one file holding the trust root
(and the genesis file when trusting one), every header with its commit and
validator set from the trust root on, every node answer with its proof, and
the figures. "petrod audit verify-bundle FILE" re-verifies it with no node,
years later. The witnesses and the result (VERIFIED or UNWITNESSED) are
recorded as they were: offline, headers and proofs can be re-checked, the
witnesses cannot be asked again.

` + auditTrustModel,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			outPath, _ := cmd.Flags().GetString(flagOut)
			from, _ := cmd.Flags().GetInt64(flagRoundsFrom)
			if outPath == "" {
				return &usageError{fmt.Sprintf("--%s FILE is required", flagOut)}
			}
			if from < 0 {
				return &usageError{fmt.Sprintf("--%s %d: want >= 0", flagRoundsFrom, from)}
			}
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 30*time.Minute)
			defer cancel()
			s, err := newAuditSession(ctx, cmd)
			if err != nil {
				return auditErr(cmd, err)
			}
			defer s.close()
			if h, err = s.a.Height(ctx, h); err != nil {
				return auditErr(cmd, err)
			}
			figs, err := s.a.AuditFigures(ctx, h, from)
			if err != nil {
				return auditErr(cmd, err)
			}
			b, err := s.lc.NewBundle(s.genesis, s.rec, h, from, figs)
			if err != nil {
				return err
			}
			bz, err := b.Encode()
			if err != nil {
				return err
			}
			if err := os.WriteFile(outPath, bz, 0o644); err != nil {
				return err
			}
			t := trustInfoOf(s.lc)
			w := cmd.OutOrStdout()
			printCheck(w, figs.Backing, t)
			fmt.Fprintf(w, "\nbundle %s: %d headers, %d node answers, %d rounds (%d bytes)\n", outPath, len(b.LightBlocks), len(b.Exchanges), len(figs.Rounds), len(bz))
			return witnessedOrExit5(t)
		},
	}
	cmd.Flags().String(flagOut, "", "bundle file to write")
	cmd.Flags().Int64(flagHeight, 0, "height to verify (0 = the latest verifiable)")
	cmd.Flags().Int64(flagRoundsFrom, 1, "include every round settled from this height (0 = none)")
	return cmd
}

// bundleResult is verify-bundle's JSON output.
type bundleResult struct {
	OfflineVerified bool           `json:"offline_verified"`
	CreatedAt       time.Time      `json:"created_at"`
	Headers         int            `json:"headers"`
	NodeAnswers     int            `json:"node_answers"`
	Trust           trustInfo      `json:"trust"`
	Check           checkResult    `json:"check"`
	Rounds          []reportRecord `json:"rounds"`
}

type reportRecord map[string]string

func newAuditVerifyBundleCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "verify-bundle FILE",
		Short: "Re-verify an audit bundle offline, with no node",
		Long: `Re-verify a file written by "petrod audit bundle" without any network: its
digest; its trust root (the genesis file's SHA-256 and that the genesis
validators signed the first header, or the trusted header's hash — compare
that with your own record); every header, signed by validators the previous
header trusts; then the audit is replayed over the archived node answers:
every figure is proven again against those headers and must equal the
figures the bundle states. Any changed byte fails (exit 1, one line).
The witnesses and the result are those recorded at creation: an
UNWITNESSED bundle exits 3.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := newPrinter(cmd)
			if err != nil {
				return err
			}
			bz, err := os.ReadFile(args[0])
			if err != nil {
				return &usageError{err.Error()}
			}
			b, figs, err := light.VerifyBundle(cmd.Context(), bz)
			if err != nil {
				return err
			}
			t := bundleTrust(b)
			out := bundleResult{OfflineVerified: true, CreatedAt: b.CreatedAt, Headers: len(b.LightBlocks), NodeAnswers: len(b.Exchanges),
				Trust: t, Check: checkResultOf(figs.Backing, t), Rounds: []reportRecord{}}
			for _, r := range figs.Rounds {
				rec := reportRecordOf(r)
				m := reportRecord{}
				for i, k := range reportHeader {
					m[k] = rec[i]
				}
				out.Rounds = append(out.Rounds, m)
			}
			if err := p.print(out, func(w io.Writer) {
				fmt.Fprintf(w, "OFFLINE RE-VERIFIED bundle %s (created %s): %d headers from the trust root, %d node answers, %d rounds\n",
					args[0], b.CreatedAt.Format(time.RFC3339), len(b.LightBlocks), len(b.Exchanges), len(figs.Rounds))
				printCheck(w, figs.Backing, t)
				if len(figs.Rounds) > 0 {
					fmt.Fprintln(w)
					_ = writeReport(w, "csv", figs.Rounds, t, reportRange{})
				}
			}); err != nil {
				return err
			}
			return witnessedOrExit5(t)
		},
	}
	addOutputFlag(cmd)
	return cmd
}

// bundleTrust states a bundle's trust as recorded at its creation.
func bundleTrust(b *light.Bundle) trustInfo {
	t := trustInfo{Result: b.Result, Witnesses: b.Witnesses, Assumption: b.Assumption,
		TrustRoot: trustRootJSON{Height: b.Trust.Height, HeaderHash: fmt.Sprintf("%X", b.Trust.Hash)}}
	if len(b.Trust.GenesisHash) != 0 {
		t.TrustRoot.GenesisHash = fmt.Sprintf("%X", b.Trust.GenesisHash)
	}
	if t.Witnesses == nil {
		t.Witnesses = []light.Witness{}
	}
	if t.Result == "VERIFIED" {
		t.Meaning = "every header was confirmed by an independent witness when the bundle was made (a record: witnesses cannot be re-asked offline)"
	} else {
		t.Meaning = "when the bundle was made no independent witness confirmed the headers: " + unwitnessedMeaning
	}
	return t
}
