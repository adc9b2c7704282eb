package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/crypto/multisig"
	"github.com/petro-network/petro/keyring"
	txtypes "github.com/petro-network/petro/types/tx"
)

// Offline signing (#13): every `petrod tx …` command takes --generate-only
// and prints the unsigned tx as a JSON file; these commands sign, combine,
// check, convert and broadcast such files. Only broadcast, and sign without
// --offline (to read the sequence), talk to a node.

const (
	flagGenerateOnly      = "generate-only"
	flagOffline           = "offline"
	flagMultisig          = "multisig"
	flagMultisigThreshold = "multisig-threshold"
)

// errTxGenerated ends a tx command that printed its unsigned tx
// (--generate-only) before it prints a broadcast result; endAtGenerated
// turns it into success.
var errTxGenerated = errors.New("unsigned tx printed")

// endAtGenerated makes every command under cmd that takes --generate-only
// succeed when it stopped at errTxGenerated.
func endAtGenerated(cmd *cobra.Command) {
	for _, c := range cmd.Commands() {
		endAtGenerated(c)
	}
	if run := cmd.RunE; run != nil && cmd.Flags().Lookup(flagGenerateOnly) != nil {
		cmd.RunE = func(c *cobra.Command, args []string) error {
			if err := run(c, args); !errors.Is(err, errTxGenerated) {
				return err
			}
			return nil
		}
	}
}

// txKey is the signer a tx command loaded: a key with its private key, or
// (with --generate-only) any key record, multisig ones included.
type txKey struct {
	rec  keyring.Record
	priv *crypto.PrivKey // nil with --generate-only
}

// Address is the signer's account address.
func (k *txKey) Address() crypto.Address { return k.rec.Address }

func generateOnly(cmd *cobra.Command) bool {
	g, _ := cmd.Flags().GetBool(flagGenerateOnly)
	return g
}

// loadTxKey opens the keyring and returns nameOrAddress as the signer of a
// tx command (what names it in errors, e.g. "sender"). With
// --generate-only only the public record is read (no passphrase).
func loadTxKey(cmd *cobra.Command, what, nameOrAddress string) (*txKey, error) {
	kr, err := openKeyring(cmd, newCLIInput(cmd), false)
	if err != nil {
		return nil, err
	}
	rec, err := kr.Get(nameOrAddress)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %w", what, nameOrAddress, err)
	}
	if generateOnly(cmd) {
		return &txKey{rec: rec}, nil
	}
	if rec.Threshold != nil {
		return nil, &usageError{fmt.Sprintf("%s %q is a multisig key: add --%s, have k members `petrod tx sign FILE --%s %s --from MEMBER`, then `petrod tx multisign`", what, nameOrAddress, flagGenerateOnly, flagMultisig, rec.Name)}
	}
	priv, err := kr.PrivKey(nameOrAddress)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %w", what, nameOrAddress, err)
	}
	return &txKey{rec: rec, priv: priv}, nil
}

// generateTx prints msg from key as an unsigned tx file, at --sequence or
// the account's committed sequence read from --node.
func generateTx(cmd *cobra.Command, s txSetup, key *txKey, msg *txtypes.Msg) error {
	var seq uint64
	if s.opts.Sequence != nil {
		seq = *s.opts.Sequence
	} else {
		var err error
		if seq, err = querySequence(cmd, key.Address()); err != nil {
			return err
		}
	}
	msgs := []*txtypes.Msg{msg}
	var (
		u   *client.UnsignedTx
		err error
	)
	if key.rec.Threshold != nil {
		u, err = client.BuildThresholdTx(s.chainID, key.rec.Threshold, seq, msgs, s.opts.TxOptions)
	} else {
		u, err = client.BuildTx(s.chainID, key.rec.PubKey, seq, msgs, s.opts.TxOptions)
	}
	if err != nil {
		return err
	}
	doc, err := client.NewTxDoc(u)
	if err != nil {
		return err
	}
	if err := printJSON(cmd.OutOrStdout(), doc); err != nil {
		return err
	}
	return errTxGenerated
}

func querySequence(cmd *cobra.Command, addr crypto.Address) (uint64, error) {
	c, node, err := dialNode(cmd)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(cmd.Context(), broadcastTimeout)
	defer cancel()
	acc, err := c.Account(ctx, addr)
	if err != nil {
		return 0, nodeErr(node, fmt.Errorf("query the sequence of %s (or give --%s): %w", addr, flagSequence, err))
	}
	return acc.GetSequence(), nil
}

func printJSON(w io.Writer, v any) error {
	bz, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", bz)
	return err
}

// readTxDoc reads a tx file ("-" is stdin).
func readTxDoc(cmd *cobra.Command, path string) (*client.TxDoc, error) {
	bz, err := readArgFile(cmd, path)
	if err != nil {
		return nil, err
	}
	var d client.TxDoc
	if err := json.Unmarshal(bz, &d); err != nil {
		return nil, fmt.Errorf("%s: not a tx file: %w", path, err)
	}
	return &d, nil
}

func readArgFile(cmd *cobra.Command, path string) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(cmd.InOrStdin())
	}
	return os.ReadFile(path)
}

// thresholdRecord returns the multisig key record name and checks that it
// is doc's signer.
func thresholdRecord(kr keyring.Keyring, name string, doc *client.TxDoc) (keyring.Record, error) {
	rec, err := kr.Get(name)
	if err != nil {
		return rec, fmt.Errorf("--%s %q: %w", flagMultisig, name, err)
	}
	if rec.Threshold == nil {
		return rec, &usageError{fmt.Sprintf("%q is not a multisig key", name)}
	}
	if doc.Threshold() == nil || !rec.Threshold.Equals(doc.Threshold()) {
		return rec, fmt.Errorf("the tx's signer is %s, not the multisig key %q (%s)", doc.Signer(), name, rec.Address)
	}
	return rec, nil
}

func newTxSignCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sign FILE --from KEY [--multisig NAME] [--offline --chain-id ID --sequence N]",
		Short: "Sign an unsigned tx file (from --generate-only); with --multisig, print one member's signature",
		Long: `Sign the tx in FILE ("-" for stdin) with --from and print the signed file.

The sequence is the account's next one, read from --node, or with --offline
--sequence (and --chain-id, which must be the file's): --offline never
contacts a node. If the sequence differs from the file's, the file is
re-encoded with it before signing (an already signed file is refused).

With --multisig NAME (a multisig key in the keyring that is the tx's
signer), --from must be one of its members; the command prints that
member's signature file for ` + "`petrod tx multisign`" + `.`,
		Example: `  petrod tx sign unsigned.json --from alice --keyring-backend test > signed.json
  petrod tx sign unsigned.json --multisig issuer --from member1 --offline --chain-id petro-1 --sequence 0 > sig1.json`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: runTxSign,
	}
	addNodeFlag(cmd)
	addKeyringFlag(cmd)
	cmd.Flags().String(flagFrom, "", "key (name or address in the keyring) that signs (required)")
	cmd.Flags().String(flagMultisig, "", "sign as one member of this multisig key and print the member's signature")
	cmd.Flags().Bool(flagOffline, false, "never contact a node: --chain-id and --sequence are required")
	cmd.Flags().String(flagChainID, "", "chain id; must be the file's (required with --offline)")
	cmd.Flags().Uint64(flagSequence, 0, "the account sequence to sign (required with --offline)")
	return cmd
}

func runTxSign(cmd *cobra.Command, args []string) error {
	f := cmd.Flags()
	from, _ := f.GetString(flagFrom)
	if from == "" {
		return &usageError{fmt.Sprintf("--%s KEY is required", flagFrom)}
	}
	offline, _ := f.GetBool(flagOffline)
	if offline && (!f.Changed(flagChainID) || !f.Changed(flagSequence)) {
		return &usageError{fmt.Sprintf("--%s needs --%s and --%s", flagOffline, flagChainID, flagSequence)}
	}
	doc, err := readTxDoc(cmd, args[0])
	if err != nil {
		return err
	}
	if id, _ := f.GetString(flagChainID); id != "" && id != doc.ChainID() {
		return fmt.Errorf("the tx is for chain %q, not --%s %q", doc.ChainID(), flagChainID, id)
	}
	var seq uint64
	if f.Changed(flagSequence) {
		seq, _ = f.GetUint64(flagSequence)
	} else if seq, err = querySequence(cmd, doc.Signer()); err != nil {
		return err
	}
	if err := doc.SetSequence(seq); err != nil {
		return err
	}
	kr, err := openKeyring(cmd, newCLIInput(cmd), false)
	if err != nil {
		return err
	}
	if name, _ := f.GetString(flagMultisig); name != "" {
		if _, err := thresholdRecord(kr, name, doc); err != nil {
			return err
		}
		priv, err := kr.PrivKey(from)
		if err != nil {
			return fmt.Errorf("--%s %q: %w", flagFrom, from, err)
		}
		sig, err := doc.MemberSign(priv)
		if err != nil {
			return err
		}
		return printJSON(cmd.OutOrStdout(), client.NewMemberSignatureFile(doc, sig))
	}
	if doc.Threshold() != nil {
		return &usageError{fmt.Sprintf("the signer %s is a multisig account: sign with --%s NAME as one member", doc.Signer(), flagMultisig)}
	}
	priv, err := kr.PrivKey(from)
	if err != nil {
		return fmt.Errorf("--%s %q: %w", flagFrom, from, err)
	}
	if err := doc.Sign(priv); err != nil {
		return err
	}
	return printJSON(cmd.OutOrStdout(), doc)
}

func newTxMultisignCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "multisign FILE MULTISIG_NAME SIGNATURE_FILE...",
		Short: "Combine members' signatures (from tx sign --multisig) into a signed tx file; never contacts a node",
		Long: `Add each member's signature file to the tx in FILE, whose signer must be
the multisig key MULTISIG_NAME, and print the signed tx file. Each signature
is verified against the file's sign bytes; a non-member, a member twice, a
signature over other bytes (another sequence or chain) or more signatures
than the threshold are refused. Fewer than the threshold are allowed (the
file is then half-signed; the chain refuses it).`,
		Example: `  petrod tx multisign unsigned.json issuer sig1.json sig3.json --keyring-backend test > signed.json`,
		Args:    usageArgs(cobra.MinimumNArgs(3)),
		RunE: func(cmd *cobra.Command, args []string) error {
			doc, err := readTxDoc(cmd, args[0])
			if err != nil {
				return err
			}
			kr, err := openKeyring(cmd, newCLIInput(cmd), false)
			if err != nil {
				return err
			}
			if _, err := thresholdRecord(kr, args[1], doc); err != nil {
				return err
			}
			for _, path := range args[2:] {
				bz, err := readArgFile(cmd, path)
				if err != nil {
					return err
				}
				var sf client.MemberSignatureFile
				if err := json.Unmarshal(bz, &sf); err != nil {
					return fmt.Errorf("%s: not a signature file: %w", path, err)
				}
				if err := doc.AddMemberSignatureFile(sf); err != nil {
					return fmt.Errorf("%s: %w", path, err)
				}
			}
			return printJSON(cmd.OutOrStdout(), doc)
		},
	}
	addKeyringFlag(cmd)
	return cmd
}

func newTxBroadcastCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "broadcast FILE",
		Short: "Submit a signed tx file to --node",
		Long: `Broadcast the tx in FILE ("-" for stdin) as it is: the chain checks it. A
refused tx prints its result and exits with status 1.`,
		Example: `  petrod tx broadcast signed.json`,
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := newPrinter(cmd)
			if err != nil {
				return err
			}
			mode, err := broadcastModeFlag(cmd)
			if err != nil {
				return err
			}
			doc, err := readTxDoc(cmd, args[0])
			if err != nil {
				return err
			}
			txBytes, err := doc.TxBytes()
			if err != nil {
				return err
			}
			c, node, err := dialNode(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			ctx, cancel := context.WithTimeout(cmd.Context(), broadcastTimeout)
			defer cancel()
			res, err := c.Tx.Broadcast(ctx, &txtypes.BroadcastRequest{TxBytes: txBytes, Mode: mode})
			if err != nil {
				return nodeErr(node, err)
			}
			return printBroadcast(p, res)
		},
	}
	addNodeFlag(cmd)
	addOutputFlag(cmd)
	cmd.Flags().String(flagBroadcastMode, "commit", "sync (return after CheckTx) | commit (wait until the tx is in a block)")
	fromClientConfig(cmd.Flags(), flagBroadcastMode)
	return cmd
}

func newTxEncodeCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "encode FILE",
		Short:   "Print a tx file's TxRaw bytes in base64 (what TxService.Broadcast takes)",
		Example: `  petrod tx encode signed.json`,
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			doc, err := readTxDoc(cmd, args[0])
			if err != nil {
				return err
			}
			bz, err := doc.TxBytes()
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), base64.StdEncoding.EncodeToString(bz))
			return nil
		},
	}
}

func newTxDecodeCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "decode BASE64_TX_BYTES",
		Short:   "Print base64 TxRaw bytes as a tx file (JSON)",
		Example: `  petrod tx decode CnMKYwph…`,
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			bz, err := base64.StdEncoding.DecodeString(strings.TrimSpace(args[0]))
			if err != nil {
				return &usageError{fmt.Sprintf("not base64: %v", err)}
			}
			doc, err := client.DecodeTxDoc(bz)
			if err != nil {
				return err
			}
			return printJSON(cmd.OutOrStdout(), doc)
		},
	}
}

func newTxValidateSignaturesCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate-signatures FILE",
		Short: "Check a tx file's signatures as the chain does, offline; exit 1 unless fully signed",
		Long: `Print the signer, the chain id, the sequence and the SHA-256 of the sign
bytes, then each signature and whether it verifies. The chain's other
checks (the sequence against state, the messages) are not run.`,
		Example: `  petrod tx validate-signatures signed.json`,
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			doc, err := readTxDoc(cmd, args[0])
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			sb := doc.SignBytes()
			fmt.Fprintf(w, "signer: %s\nchain_id: %s\nsequence: %d\n", doc.Signer(), doc.ChainID(), doc.Sequence())
			if mk := doc.Threshold(); mk != nil {
				fmt.Fprintf(w, "threshold: %d of %d\n", mk.Threshold(), len(mk.Members()))
				members := mk.Members()
				for _, s := range doc.MemberSignatures {
					status := "invalid: member index out of range"
					if int(s.Member) < len(members) {
						status = verdict(members[s.Member].VerifySignatureErr(sb, s.Sig))
						fmt.Fprintf(w, "  member %d %s: %s\n", s.Member, members[s.Member].Address(), status)
						continue
					}
					fmt.Fprintf(w, "  member %d: %s\n", s.Member, status)
				}
			} else {
				fmt.Fprintf(w, "pub_key: %s\n  signature: %s\n", hex.EncodeToString(doc.PubKey().Bytes()), verdict(doc.PubKey().VerifySignatureErr(sb, doc.Signature)))
			}
			if err := doc.VerifySignatures(); err != nil {
				fmt.Fprintf(w, "result: not valid: %v\n", err)
				return fmt.Errorf("signatures not valid: %w", err)
			}
			fmt.Fprintln(w, "result: valid")
			return nil
		},
	}
}

func verdict(err error) string {
	if err != nil {
		return "invalid: " + err.Error()
	}
	return "valid"
}

// parseMultisigMembers resolves --multisig members: key names or addresses
// in the keyring, or public keys (66 hex digits or base64 of 33 bytes).
func parseMultisigMembers(kr keyring.Keyring, list string) ([]*crypto.PubKey, error) {
	var out []*crypto.PubKey
	for _, m := range strings.Split(list, ",") {
		m = strings.TrimSpace(m)
		if b, err := hex.DecodeString(m); err == nil && len(b) == crypto.PubKeySize {
			pk, err := crypto.PubKeyFromBytes(b)
			if err != nil {
				return nil, fmt.Errorf("member %s: %w", m, err)
			}
			out = append(out, pk)
			continue
		}
		if b, err := base64.StdEncoding.DecodeString(m); err == nil && len(b) == crypto.PubKeySize {
			pk, err := crypto.PubKeyFromBytes(b)
			if err != nil {
				return nil, fmt.Errorf("member %s: %w", m, err)
			}
			out = append(out, pk)
			continue
		}
		rec, err := kr.Get(m)
		if err != nil {
			return nil, fmt.Errorf("member %q: %w (give a key in the keyring or a public key)", m, err)
		}
		if rec.PubKey == nil {
			return nil, fmt.Errorf("member %q is a multisig key itself", m)
		}
		out = append(out, rec.PubKey)
	}
	return out, nil
}

// addMultisigKey is `keys add NAME --multisig …`.
func addMultisigKey(cmd *cobra.Command, p *printer, name string) error {
	list, _ := cmd.Flags().GetString(flagMultisig)
	k, _ := cmd.Flags().GetInt(flagMultisigThreshold)
	kr, err := openKeyring(cmd, newCLIInput(cmd), true)
	if err != nil {
		return err
	}
	members, err := parseMultisigMembers(kr, list)
	if err != nil {
		return &usageError{err.Error()}
	}
	mk, err := multisig.New(k, members)
	if err != nil {
		return &usageError{fmt.Sprintf("--%s/--%s: %v", flagMultisig, flagMultisigThreshold, err)}
	}
	rec, err := kr.AddMultisig(name, mk)
	if err != nil {
		return err
	}
	out := toKeyOut(rec)
	return p.print(out, func(w io.Writer) { printKey(w, out) })
}
