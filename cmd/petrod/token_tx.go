package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	txtypes "github.com/petro-network/petro/types/tx"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

const (
	flagInstructions     = "instructions"
	flagInstructionsHash = "instructions-hash"
	flagProof            = "proof"
	flagProofHash        = "proof-hash"
	flagReason           = "reason"
	flagReasonCode       = "reason-code"
	flagCaseID           = "case-id"

	maxReasonBytes = 256
	maxCaseIDBytes = 64
)

// tokenTxCmds are the issuance, redemption and compliance commands of
// `tx token`, each signed by --from; buildTokenMsg turns each into a Msg.
func tokenTxCmds() []*cobra.Command {
	issue := &cobra.Command{
		Use:   "issue RECIPIENT AMOUNT --from ISSUER",
		Short: "Mint PTR to RECIPIENT (issuers; within the allowance, while the backing is OK and capacity allows)",
		Long: `Mint AMOUNT (PTR, e.g. 10ptr, or base units, e.g. 1000ptrbase) to RECIPIENT.
Signed by --from, an issuer. The chain refuses it unless issuance is not
paused, the recipient is not frozen, the backing status is OK, supply +
AMOUNT stays within the capacity and the hard cap, and the issuer's
allowance covers it.`,
		Example: `  petrod tx token issue petro1… 10ptr --from alice --keyring-backend test`,
		Args:    usageArgs(cobra.ExactArgs(2)),
	}
	redeem := &cobra.Command{
		Use:   "redeem AMOUNT --instructions TEXT|--instructions-hash HEX32 --from OWNER",
		Short: "Request a redemption: AMOUNT goes into escrow until an issuer fulfils or rejects it",
		Long: `Request the redemption of AMOUNT (PTR, e.g. 5ptr, or base units) held by --from.
The tokens move into escrow and the latest settled round's price is pinned.
The settlement instructions are recorded by their SHA-256 only: give the
text with --instructions (it is hashed locally and never sent) or the hash
with --instructions-hash. In text output the new redemption id is printed.`,
		Example: `  petrod tx token redeem 5ptr --instructions "deliver FOB Jose terminal, account 42" --from bob --keyring-backend test`,
		Args:    usageArgs(cobra.ExactArgs(1)),
	}
	redeem.Flags().String(flagInstructions, "", "settlement instructions; only their SHA-256 goes on chain")
	redeem.Flags().String(flagInstructionsHash, "", "SHA-256 of the settlement instructions, 64 hex digits")
	accept := &cobra.Command{
		Use:   "accept-redemption ID --from ISSUER",
		Short: "Take on a requested redemption (issuers)",
		Args:  usageArgs(cobra.ExactArgs(1)),
	}
	fulfill := &cobra.Command{
		Use:   "fulfill-redemption ID --proof TEXT|--proof-hash HEX32 --from ISSUER",
		Short: "Close an accepted redemption with a delivery or settlement proof: the escrow is burned (issuers)",
		Args:  usageArgs(cobra.ExactArgs(1)),
	}
	fulfill.Flags().String(flagProof, "", "delivery or settlement proof (e.g. a bill of lading number); only its SHA-256 goes on chain")
	fulfill.Flags().String(flagProofHash, "", "SHA-256 of the proof document, 64 hex digits")
	reject := &cobra.Command{
		Use:   "reject-redemption ID --reason TEXT --from ISSUER",
		Short: "Refuse a redemption: the escrow is refunded (issuers)",
		Args:  usageArgs(cobra.ExactArgs(1)),
	}
	reject.Flags().String(flagReason, "", fmt.Sprintf("why (required, at most %d bytes; public)", maxReasonBytes))
	freeze := &cobra.Command{
		Use:   "freeze ADDRESS --reason-code N --case-id ID --from OFFICER",
		Short: "Freeze an account: it can neither send, receive nor redeem, and its roles are suspended (compliance officers)",
		Args:  usageArgs(cobra.ExactArgs(1)),
	}
	freeze.Flags().Uint32(flagReasonCode, 0, "reason code, > 0 (required; the meaning of codes is the officers' policy)")
	freeze.Flags().String(flagCaseID, "", fmt.Sprintf("case id (required, at most %d bytes)", maxCaseIDBytes))
	unfreeze := &cobra.Command{
		Use:   "unfreeze ADDRESS --case-id ID --from OFFICER",
		Short: "Lift a freeze (compliance officers)",
		Args:  usageArgs(cobra.ExactArgs(1)),
	}
	unfreeze.Flags().String(flagCaseID, "", fmt.Sprintf("case id (required, at most %d bytes)", maxCaseIDBytes))
	pause := &cobra.Command{
		Use:   "pause transfers|issuance --from PAUSER",
		Short: "Pause transfers (sends and redemption requests) or issuance (pausers)",
		Args:  usageArgs(cobra.ExactArgs(1)),
	}
	unpause := &cobra.Command{
		Use:   "unpause transfers|issuance --from PAUSER",
		Short: "Resume transfers or issuance (pausers)",
		Args:  usageArgs(cobra.ExactArgs(1)),
	}
	issue.Flags().String(flagTranche, "", "tranche to issue into (default: the chain's default tranche)")
	batch := newBatchSendCmd()
	batch.Flags().String(flagOutputsFile, "", `file of outputs, one "ADDRESS AMOUNT" per line`)
	cmds := []*cobra.Command{issue, batch, redeem, accept, fulfill, reject, freeze, unfreeze, pause, unpause}
	for _, c := range cmds {
		addTxFlags(c)
		c.Flags().String(flagFrom, "", "key (name or address in the keyring) that signs (required): "+tokenSignerRole(c.Name()))
		c.RunE = runTokenTx
	}
	return cmds
}

// tokenSignerRole names who must sign each command.
func tokenSignerRole(name string) string {
	switch name {
	case "redeem", "batch-send":
		return "the holder"
	case "freeze", "unfreeze":
		return "a compliance officer"
	case "pause", "unpause":
		return "a pauser"
	default:
		return "an issuer"
	}
}

// buildTokenMsg turns a token command's arguments and flags into its Msg,
// with the signer's field left empty (setTokenSigner fills it once the key
// is loaded). It reads neither the keyring nor the network. Every problem
// with the command line is a usageError.
func buildTokenMsg(cmd *cobra.Command, args []string) (*txtypes.Msg, error) {
	f := cmd.Flags()
	switch cmd.Name() {
	case "issue":
		to, err := parseAddressArg("recipient", args[0])
		if err != nil {
			return nil, err
		}
		amount, err := positiveAmount(args[1])
		if err != nil {
			return nil, err
		}
		tranche, _ := f.GetString(flagTranche)
		return &txtypes.Msg{Sum: &txtypes.Msg_Issue{Issue: &tokentypes.MsgIssue{Recipient: to.String(), Amount: amount, Tranche: tranche}}}, nil
	case "batch-send":
		return buildBatchSend(cmd, args)
	case "redeem":
		amount, err := positiveAmount(args[0])
		if err != nil {
			return nil, err
		}
		h, err := hashFromFlags(cmd, flagInstructionsHash, flagInstructions, false)
		if err != nil {
			return nil, err
		}
		return &txtypes.Msg{Sum: &txtypes.Msg_RequestRedemption{RequestRedemption: &tokentypes.MsgRequestRedemption{Amount: amount, SettlementInstructionHash: h}}}, nil
	case "accept-redemption":
		id, err := parseRedemptionID(args[0])
		if err != nil {
			return nil, err
		}
		return &txtypes.Msg{Sum: &txtypes.Msg_AcceptRedemption{AcceptRedemption: &tokentypes.MsgAcceptRedemption{RedemptionId: id}}}, nil
	case "fulfill-redemption":
		id, err := parseRedemptionID(args[0])
		if err != nil {
			return nil, err
		}
		h, err := hashFromFlags(cmd, flagProofHash, flagProof, false)
		if err != nil {
			return nil, err
		}
		return &txtypes.Msg{Sum: &txtypes.Msg_FulfillRedemption{FulfillRedemption: &tokentypes.MsgFulfillRedemption{RedemptionId: id, ProofHash: h}}}, nil
	case "reject-redemption":
		id, err := parseRedemptionID(args[0])
		if err != nil {
			return nil, err
		}
		reason, _ := f.GetString(flagReason)
		if err := checkText(flagReason, reason, maxReasonBytes); err != nil {
			return nil, err
		}
		return &txtypes.Msg{Sum: &txtypes.Msg_RejectRedemption{RejectRedemption: &tokentypes.MsgRejectRedemption{RedemptionId: id, Reason: reason}}}, nil
	case "freeze":
		addr, err := parseAddressArg("address", args[0])
		if err != nil {
			return nil, err
		}
		if !f.Changed(flagReasonCode) {
			return nil, &usageError{fmt.Sprintf("--%s N is required", flagReasonCode)}
		}
		code, _ := f.GetUint32(flagReasonCode)
		if code == 0 {
			return nil, &usageError{fmt.Sprintf("--%s must be positive", flagReasonCode)}
		}
		caseID, err := caseIDFlag(cmd)
		if err != nil {
			return nil, err
		}
		return &txtypes.Msg{Sum: &txtypes.Msg_Freeze{Freeze: &tokentypes.MsgFreeze{Address: addr.String(), ReasonCode: code, CaseId: caseID}}}, nil
	case "unfreeze":
		addr, err := parseAddressArg("address", args[0])
		if err != nil {
			return nil, err
		}
		caseID, err := caseIDFlag(cmd)
		if err != nil {
			return nil, err
		}
		return &txtypes.Msg{Sum: &txtypes.Msg_Unfreeze{Unfreeze: &tokentypes.MsgUnfreeze{Address: addr.String(), CaseId: caseID}}}, nil
	case "pause", "unpause":
		scope, err := parseScope(args[0])
		if err != nil {
			return nil, err
		}
		if cmd.Name() == "pause" {
			return &txtypes.Msg{Sum: &txtypes.Msg_Pause{Pause: &tokentypes.MsgPause{Scope: scope}}}, nil
		}
		return &txtypes.Msg{Sum: &txtypes.Msg_Unpause{Unpause: &tokentypes.MsgUnpause{Scope: scope}}}, nil
	}
	return nil, &usageError{fmt.Sprintf("unknown token command %q", cmd.Name())}
}

// setTokenSigner fills the signer's field of a Msg built by buildTokenMsg
// and checks the whole Msg as the chain will (ValidateBasic).
func setTokenSigner(msg *txtypes.Msg, signer string) error {
	var v interface{ ValidateBasic() error }
	switch s := msg.GetSum().(type) {
	case *txtypes.Msg_Issue:
		s.Issue.Issuer, v = signer, s.Issue
	case *txtypes.Msg_BatchSend:
		s.BatchSend.From, v = signer, s.BatchSend
	case *txtypes.Msg_RequestRedemption:
		s.RequestRedemption.Owner, v = signer, s.RequestRedemption
	case *txtypes.Msg_AcceptRedemption:
		s.AcceptRedemption.Issuer, v = signer, s.AcceptRedemption
	case *txtypes.Msg_FulfillRedemption:
		s.FulfillRedemption.Issuer, v = signer, s.FulfillRedemption
	case *txtypes.Msg_RejectRedemption:
		s.RejectRedemption.Issuer, v = signer, s.RejectRedemption
	case *txtypes.Msg_Freeze:
		s.Freeze.Officer, v = signer, s.Freeze
	case *txtypes.Msg_Unfreeze:
		s.Unfreeze.Officer, v = signer, s.Unfreeze
	case *txtypes.Msg_Pause:
		s.Pause.Pauser, v = signer, s.Pause
	case *txtypes.Msg_Unpause:
		s.Unpause.Pauser, v = signer, s.Unpause
	default:
		return fmt.Errorf("not a token message: %T", s)
	}
	if err := v.ValidateBasic(); err != nil {
		return &usageError{err.Error()}
	}
	return nil
}

func runTokenTx(cmd *cobra.Command, args []string) error {
	p, err := newPrinter(cmd)
	if err != nil {
		return err
	}
	from, err := requiredFrom(cmd, tokenSignerRole(cmd.Name())+"'s key")
	if err != nil {
		return err
	}
	msg, err := buildTokenMsg(cmd, args)
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
	if err := setTokenSigner(msg, key.Address().String()); err != nil {
		return err
	}
	res, err := broadcastMsg(cmd, setup, key, msg)
	if err != nil {
		return err
	}
	var after []string
	if _, ok := msg.GetSum().(*txtypes.Msg_RequestRedemption); ok && !p.json && res.GetCode() == 0 {
		if id, ok := eventAttr(res.GetEvents(), tokentypes.EventTypeRedemption, "redemption_id"); ok {
			after = append(after, "redemption_id: "+id)
		} else {
			after = append(after, "redemption_id: (known once the tx is in a block: see the redemption event of `petrod query tx HASH`)")
		}
	}
	return printBroadcastThen(p, res, func(w io.Writer) {
		for _, l := range after {
			fmt.Fprintln(w, l)
		}
	})
}

// positiveAmount is parseAmount for a positive amount, as a usageError.
func positiveAmount(s string) (uint64, error) {
	amount, err := parseAmount(s)
	if err != nil {
		return 0, &usageError{err.Error()}
	}
	if amount == 0 {
		return 0, &usageError{"amount must be positive"}
	}
	return amount, nil
}

func parseRedemptionID(s string) (uint64, error) {
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil || id == 0 {
		return 0, &usageError{fmt.Sprintf("redemption id %q: want a positive integer", s)}
	}
	return id, nil
}

// checkText requires --name to be 1..max bytes.
func checkText(name, s string, max int) error {
	switch {
	case s == "":
		return &usageError{fmt.Sprintf("--%s is required", name)}
	case len(s) > max:
		return &usageError{fmt.Sprintf("--%s: %d bytes; at most %d", name, len(s), max)}
	}
	return nil
}

func caseIDFlag(cmd *cobra.Command) (string, error) {
	id, _ := cmd.Flags().GetString(flagCaseID)
	return id, checkText(flagCaseID, id, maxCaseIDBytes)
}

// parseScope accepts transfers|issuance (any case) or the enum's full name.
func parseScope(s string) (tokentypes.PauseScope, error) {
	name := "PAUSE_SCOPE_" + strings.TrimPrefix(strings.ToUpper(s), "PAUSE_SCOPE_")
	v, ok := tokentypes.PauseScope_value[name]
	if !ok || v == 0 {
		return 0, &usageError{fmt.Sprintf("scope %q: want transfers or issuance", s)}
	}
	return tokentypes.PauseScope(v), nil
}
