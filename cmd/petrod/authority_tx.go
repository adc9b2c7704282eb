package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cometbft/cometbft/p2p"
	"github.com/spf13/cobra"
	"google.golang.org/protobuf/proto"

	txtypes "github.com/petro-network/petro/types/tx"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

const (
	flagFrom             = "from"
	flagAllowance        = "allowance"
	flagPubKey           = "pubkey"
	flagPubKeyFile       = "pubkey-file"
	flagNodeHome         = "node-home"
	flagPower            = "power"
	flagNodeID           = "node-id"
	flagOperator         = "operator"
	flagMoniker          = "moniker"
	flagNote             = "note"
	flagProposalLifetime = "proposal-lifetime"
	flagTimelock         = "timelock"
	flagMaxPowerChange   = "max-power-change"
	flagMaxValidators    = "max-validators"
	flagMembers          = "members"
	flagThreshold        = "threshold"

	ed25519KeyType = "tendermint/PubKeyEd25519"
)

func newTxAuthorityCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "authority",
		Short: "Council proposals (roles, validators, peers, params, council) and approvals",
		Long: `Every privileged change is a council proposal: a member proposes it (and so
approves it), other members approve it, and it executes at the end of the
block that reaches the threshold (after the timelock, if any). Both commands
sign with --from, a council member's key.`,
	}
	propose := &cobra.Command{
		Use:   "propose ACTION",
		Short: "Submit a council proposal (counts as the proposer's approval)",
		Long: `Submit a council proposal, signed by --from (a council member), whose
approval counts at once. --memo is stored with the proposal. In text output
the new proposal's id and status are printed after the tx result.`,
	}
	for _, c := range proposeActionCmds() {
		addTxFlags(c)
		c.Flags().String(flagFrom, "", "council member key (name or address in the keyring) that signs and proposes (required)")
		c.Flags().Lookup(flagMemo).Usage = "memo stored with the proposal (its reason, a ticket, …)"
		c.RunE = runPropose
		propose.AddCommand(c)
	}
	cmd.AddCommand(propose, newTxApproveCmd())
	return cmd
}

// proposeActionCmds are the `propose` subcommands, one per action kind,
// with their own flags; buildAction turns each into an Action.
func proposeActionCmds() []*cobra.Command {
	grant := &cobra.Command{
		Use:   "grant-role ADDRESS ROLE",
		Short: "Grant ROLE (issuer|oracle|compliance|pauser) to ADDRESS; issuers with --allowance",
		Example: `  petrod tx authority propose grant-role petro1… oracle --from val0
  petrod tx authority propose grant-role petro1… issuer --allowance 1000000ptr --from val0`,
		Args: usageArgs(cobra.ExactArgs(2)),
	}
	grant.Flags().String(flagAllowance, "", "issuer's mint allowance: PTR (e.g. 1000ptr) or base units (e.g. 1000ptrbase)")
	revoke := &cobra.Command{Use: "revoke-role ADDRESS ROLE", Short: "Revoke ROLE from ADDRESS", Args: usageArgs(cobra.ExactArgs(2))}
	allowance := &cobra.Command{
		Use:   "set-allowance ADDRESS AMOUNT",
		Short: "Set an issuer's remaining mint allowance (PTR, e.g. 1000ptr, or base units, e.g. 1000ptrbase)",
		Args:  usageArgs(cobra.ExactArgs(2)),
	}
	addVal := &cobra.Command{
		Use:   "add-validator --pubkey BASE64|--pubkey-file FILE|--node-home DIR --power N [--node-id ID]",
		Short: "Add a validator (ed25519 consensus key, power, node id)",
		Long: `Add a validator. Its consensus key comes from exactly one of:
  --pubkey BASE64      the 32-byte ed25519 key
  --pubkey-file FILE   a priv_validator_key.json (its pub_key is read)
  --node-home DIR      the node's home: DIR/config/priv_validator_key.json, and
                       the node id from DIR/config/node_key.json (and the
                       moniker from DIR/config/config.toml unless --moniker)
--node-id is required unless --node-home gives it.`,
		Example: `  petrod tx authority propose add-validator --node-home ./tn/node4 --power 10 --operator petro1… --from val0`,
		Args:    usageArgs(cobra.NoArgs),
	}
	addConsensusKeyFlags(addVal)
	addVal.Flags().Int64(flagPower, 0, "voting power (required, > 0)")
	addVal.Flags().String(flagNodeID, "", "node id: 40 lower-case hex characters (required unless --node-home)")
	addVal.Flags().String(flagOperator, "", "operator's account address (optional)")
	addVal.Flags().String(flagMoniker, "", "moniker (optional)")
	removeVal := &cobra.Command{
		Use:   "remove-validator --pubkey BASE64|--pubkey-file FILE|--node-home DIR",
		Short: "Remove a validator from the set",
		Args:  usageArgs(cobra.NoArgs),
	}
	addConsensusKeyFlags(removeVal)
	setPower := &cobra.Command{
		Use:   "set-power --pubkey BASE64|--pubkey-file FILE|--node-home DIR --power N",
		Short: "Change a validator's voting power",
		Args:  usageArgs(cobra.NoArgs),
	}
	addConsensusKeyFlags(setPower)
	setPower.Flags().Int64(flagPower, 0, "new voting power (required, > 0)")
	allowPeer := &cobra.Command{Use: "allow-peer NODE_ID", Short: "Allow a non-validator node (full node, sentry) to connect", Args: usageArgs(cobra.ExactArgs(1))}
	allowPeer.Flags().String(flagNote, "", "what the node is (at most 140 bytes)")
	denyPeer := &cobra.Command{Use: "deny-peer NODE_ID", Short: "Remove a node from the peer allowlist", Args: usageArgs(cobra.ExactArgs(1))}
	setParams := &cobra.Command{
		Use:   "set-params [--proposal-lifetime D] [--timelock D] [--max-power-change P] [--max-validators N]",
		Short: "Change x/authority params; flags not given keep their current value (queried from --node)",
		Args:  usageArgs(cobra.NoArgs),
	}
	setParams.Flags().Duration(flagProposalLifetime, 0, "how long a proposal collects approvals, whole seconds (e.g. 168h)")
	setParams.Flags().Duration(flagTimelock, 0, "delay between passing and execution, whole seconds (e.g. 0s, 24h)")
	setParams.Flags().Uint32(flagMaxPowerChange, 0, "max voting power change per block, percent of the total (1..100)")
	setParams.Flags().Uint32(flagMaxValidators, 0, "max number of validators (1..10000)")
	setCouncil := &cobra.Command{
		Use:   "set-council --members ADDR,ADDR,… --threshold T",
		Short: "Replace the council: its members and the approvals needed",
		Args:  usageArgs(cobra.NoArgs),
	}
	setCouncil.Flags().StringSlice(flagMembers, nil, "comma-separated member addresses (required)")
	setCouncil.Flags().Uint32(flagThreshold, 0, "approvals needed, 1..number of members (required)")
	wipe := &cobra.Command{
		Use:   "wipe-frozen ADDRESS --case-id ID",
		Short: "Burn a frozen account's whole balance (x/token)",
		Args:  usageArgs(cobra.ExactArgs(1)),
	}
	wipe.Flags().String(flagCaseID, "", fmt.Sprintf("the compliance case id (required, at most %d bytes)", maxCaseIDBytes))
	rejectRed := &cobra.Command{
		Use:   "reject-redemption ID --reason TEXT",
		Short: "Reject an open redemption, accepted or not, and refund its escrow to the owner (x/token)",
		Args:  usageArgs(cobra.ExactArgs(1)),
	}
	rejectRed.Flags().String(flagReason, "", fmt.Sprintf("why (required, at most %d bytes; public)", maxReasonBytes))
	return append([]*cobra.Command{grant, revoke, allowance, addVal, removeVal, setPower, allowPeer, denyPeer, setParams, setCouncil, wipe, rejectRed},
		append(reserveProposeCmds(), append(upgradeProposeCmds(), monetaryProposeCmds()...)...)...)
}

func addConsensusKeyFlags(cmd *cobra.Command) {
	cmd.Flags().String(flagPubKey, "", "the validator's ed25519 consensus key, base64 (32 bytes)")
	cmd.Flags().String(flagPubKeyFile, "", "read the consensus key from this priv_validator_key.json")
	cmd.Flags().String(flagNodeHome, "", "read the consensus key (and node id) from this node home")
}

// chainLookup reads the chain state that some actions start from; each
// function is called only after the flags have been checked.
type chainLookup struct {
	authorityParams func() (*authoritytypes.Params, error)     // set-params
	reserveParams   func() (*reservetypes.Params, error)       // set-reserve-params
	lot             func(id string) (*reservetypes.Lot, error) // update-lot; nil, nil if there is no such lot
}

// buildAction turns a `propose` subcommand's arguments and flags into an
// action that passes ValidateBasic (and, for other modules' actions, their
// own stateless checks). It touches neither the keyring nor the network,
// except that set-params, set-reserve-params and update-lot call cur
// (after checking their flags) to start from the chain's current values.
// Every problem with the command line is a usageError.
func buildAction(cmd *cobra.Command, args []string, cur chainLookup) (*authoritytypes.Action, error) {
	f := cmd.Flags()
	var a *authoritytypes.Action
	switch cmd.Name() {
	case "create-lot", "update-lot", "retire-lot", "halt", "unhalt", "set-reserve-params":
		return buildReserveAction(cmd, cur)
	case "schedule-upgrade", "cancel-upgrade":
		return buildUpgradeAction(cmd, args)
	case "set-rate-limit", "set-tranche":
		return buildMonetaryAction(cmd, args)
	case "wipe-frozen":
		addr, err := parseAddressArg("address", args[0])
		if err != nil {
			return nil, err
		}
		caseID, err := caseIDFlag(cmd)
		if err != nil {
			return nil, err
		}
		w := &tokentypes.WipeFrozen{Address: addr.String(), CaseId: caseID}
		if err := w.ValidateBasic(); err != nil {
			return nil, &usageError{fmt.Sprintf("%s: %v", cmd.Name(), err)}
		}
		a = &authoritytypes.Action{Sum: &authoritytypes.Action_WipeFrozen{WipeFrozen: w}}
	case "reject-redemption":
		id, err := parseRedemptionID(args[0])
		if err != nil {
			return nil, err
		}
		reason, _ := f.GetString(flagReason)
		if err := checkText(flagReason, reason, maxReasonBytes); err != nil {
			return nil, err
		}
		a = &authoritytypes.Action{Sum: &authoritytypes.Action_RejectRedemption{RejectRedemption: &tokentypes.RejectRedemption{RedemptionId: id, Reason: reason}}}
	case "grant-role":
		addr, err := parseAddressArg("address", args[0])
		if err != nil {
			return nil, err
		}
		role, err := parseRole(args[1])
		if err != nil {
			return nil, err
		}
		g := &authoritytypes.GrantRole{Address: addr.String(), Role: role}
		if f.Changed(flagAllowance) {
			if role != authoritytypes.Role_ROLE_ISSUER {
				return nil, &usageError{fmt.Sprintf("--%s is for issuers only (role %s)", flagAllowance, roleName(role))}
			}
			s, _ := f.GetString(flagAllowance)
			if g.Allowance, err = parseAmount(s); err != nil {
				return nil, &usageError{"--" + flagAllowance + ": " + err.Error()}
			}
		}
		a = &authoritytypes.Action{Sum: &authoritytypes.Action_GrantRole{GrantRole: g}}
	case "revoke-role":
		addr, err := parseAddressArg("address", args[0])
		if err != nil {
			return nil, err
		}
		role, err := parseRole(args[1])
		if err != nil {
			return nil, err
		}
		a = &authoritytypes.Action{Sum: &authoritytypes.Action_RevokeRole{RevokeRole: &authoritytypes.RevokeRole{Address: addr.String(), Role: role}}}
	case "set-allowance":
		addr, err := parseAddressArg("address", args[0])
		if err != nil {
			return nil, err
		}
		amt, err := parseAmount(args[1])
		if err != nil {
			return nil, &usageError{err.Error()}
		}
		a = &authoritytypes.Action{Sum: &authoritytypes.Action_SetAllowance{SetAllowance: &authoritytypes.SetAllowance{Address: addr.String(), Allowance: amt}}}
	case "add-validator":
		ck, err := consensusKeyFromFlags(cmd)
		if err != nil {
			return nil, err
		}
		power, err := powerFlag(cmd)
		if err != nil {
			return nil, err
		}
		v := &authoritytypes.Validator{PubKey: ck.pubKey, Power: power, NodeId: ck.nodeID, Moniker: ck.moniker}
		if f.Changed(flagNodeID) {
			id, _ := f.GetString(flagNodeID)
			if ck.nodeID != "" && id != ck.nodeID {
				return nil, &usageError{fmt.Sprintf("--%s %s differs from the node id in --%s (%s)", flagNodeID, id, flagNodeHome, ck.nodeID)}
			}
			v.NodeId = id
		}
		if v.NodeId == "" {
			return nil, &usageError{fmt.Sprintf("--%s is required (or give --%s)", flagNodeID, flagNodeHome)}
		}
		if err := authoritytypes.ValidateNodeID(v.NodeId); err != nil {
			return nil, &usageError{fmt.Sprintf("--%s: %v", flagNodeID, err)}
		}
		if op, _ := f.GetString(flagOperator); op != "" {
			addr, err := parseAddressArg("--"+flagOperator, op)
			if err != nil {
				return nil, err
			}
			v.Operator = addr.String()
		}
		if f.Changed(flagMoniker) {
			v.Moniker, _ = f.GetString(flagMoniker)
		}
		a = &authoritytypes.Action{Sum: &authoritytypes.Action_AddValidator{AddValidator: &authoritytypes.AddValidator{Validator: v}}}
	case "remove-validator":
		ck, err := consensusKeyFromFlags(cmd)
		if err != nil {
			return nil, err
		}
		a = &authoritytypes.Action{Sum: &authoritytypes.Action_RemoveValidator{RemoveValidator: &authoritytypes.RemoveValidator{PubKey: ck.pubKey}}}
	case "set-power":
		ck, err := consensusKeyFromFlags(cmd)
		if err != nil {
			return nil, err
		}
		power, err := powerFlag(cmd)
		if err != nil {
			return nil, err
		}
		a = &authoritytypes.Action{Sum: &authoritytypes.Action_SetValidatorPower{SetValidatorPower: &authoritytypes.SetValidatorPower{PubKey: ck.pubKey, Power: power}}}
	case "allow-peer":
		if err := authoritytypes.ValidateNodeID(args[0]); err != nil {
			return nil, &usageError{fmt.Sprintf("node id: %v", err)}
		}
		note, _ := f.GetString(flagNote)
		a = &authoritytypes.Action{Sum: &authoritytypes.Action_AllowPeer{AllowPeer: &authoritytypes.AllowPeer{Peer: &authoritytypes.AllowedPeer{NodeId: args[0], Note: note}}}}
	case "deny-peer":
		if err := authoritytypes.ValidateNodeID(args[0]); err != nil {
			return nil, &usageError{fmt.Sprintf("node id: %v", err)}
		}
		a = &authoritytypes.Action{Sum: &authoritytypes.Action_DenyPeer{DenyPeer: &authoritytypes.DenyPeer{NodeId: args[0]}}}
	case "set-params":
		p, err := paramsFromFlags(cmd, cur.authorityParams)
		if err != nil {
			return nil, err
		}
		a = &authoritytypes.Action{Sum: &authoritytypes.Action_SetParams{SetParams: &authoritytypes.SetParams{Params: p}}}
	case "set-council":
		members, _ := f.GetStringSlice(flagMembers)
		if len(members) == 0 {
			return nil, &usageError{fmt.Sprintf("--%s is required", flagMembers)}
		}
		if !f.Changed(flagThreshold) {
			return nil, &usageError{fmt.Sprintf("--%s is required", flagThreshold)}
		}
		c := &authoritytypes.Council{}
		c.Threshold, _ = f.GetUint32(flagThreshold)
		for _, m := range members {
			addr, err := parseAddressArg("--"+flagMembers, strings.TrimSpace(m))
			if err != nil {
				return nil, err
			}
			c.Members = append(c.Members, addr.String())
		}
		c.Normalize()
		a = &authoritytypes.Action{Sum: &authoritytypes.Action_SetCouncil{SetCouncil: &authoritytypes.SetCouncil{Council: c}}}
	default:
		return nil, &usageError{fmt.Sprintf("unknown proposal action %q", cmd.Name())}
	}
	if err := a.ValidateBasic(); err != nil {
		return nil, &usageError{fmt.Sprintf("%s: %v", cmd.Name(), err)}
	}
	return a, nil
}

// parseRole accepts issuer|oracle|compliance|pauser in any case, or the
// enum's full name (ROLE_ISSUER).
func parseRole(s string) (authoritytypes.Role, error) {
	name := "ROLE_" + strings.TrimPrefix(strings.ToUpper(s), "ROLE_")
	v, ok := authoritytypes.Role_value[name]
	if !ok || v == 0 {
		return 0, &usageError{fmt.Sprintf("role %q: want issuer, oracle, compliance or pauser", s)}
	}
	return authoritytypes.Role(v), nil
}

func powerFlag(cmd *cobra.Command) (int64, error) {
	if !cmd.Flags().Changed(flagPower) {
		return 0, &usageError{fmt.Sprintf("--%s is required", flagPower)}
	}
	p, _ := cmd.Flags().GetInt64(flagPower)
	if p <= 0 {
		return 0, &usageError{fmt.Sprintf("--%s %d: must be positive (to drop a validator, propose remove-validator)", flagPower, p)}
	}
	if p > authoritytypes.MaxTotalVotingPower {
		return 0, &usageError{fmt.Sprintf("--%s %d: above CometBFT's limit %d", flagPower, p, authoritytypes.MaxTotalVotingPower)}
	}
	return p, nil
}

// consensusKey is a validator's identity read from the command line.
type consensusKey struct {
	pubKey  []byte
	nodeID  string // from --node-home only
	moniker string // from --node-home only
}

// consensusKeyFromFlags reads exactly one of --pubkey, --pubkey-file and
// --node-home.
func consensusKeyFromFlags(cmd *cobra.Command) (consensusKey, error) {
	var ck consensusKey
	f := cmd.Flags()
	b64, _ := f.GetString(flagPubKey)
	file, _ := f.GetString(flagPubKeyFile)
	home, _ := f.GetString(flagNodeHome)
	n := 0
	for _, s := range []string{b64, file, home} {
		if s != "" {
			n++
		}
	}
	if n != 1 {
		return ck, &usageError{fmt.Sprintf("give exactly one of --%s, --%s and --%s", flagPubKey, flagPubKeyFile, flagNodeHome)}
	}
	var err error
	switch {
	case b64 != "":
		ck.pubKey, err = decodeConsensusPubKey("--"+flagPubKey, b64)
	case file != "":
		ck.pubKey, err = readPubKeyFile(file)
	default:
		ck, err = readNodeHome(home)
	}
	return ck, err
}

func decodeConsensusPubKey(what, s string) ([]byte, error) {
	pk, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, &usageError{fmt.Sprintf("%s: not base64: %v", what, err)}
	}
	if len(pk) != authoritytypes.Ed25519PubKeySize {
		return nil, &usageError{fmt.Sprintf("%s: %d bytes; want a %d-byte ed25519 key", what, len(pk), authoritytypes.Ed25519PubKeySize)}
	}
	return pk, nil
}

// readPubKeyFile reads pub_key from a CometBFT priv_validator_key.json
// (only the public half is used).
func readPubKeyFile(path string) ([]byte, error) {
	bz, err := os.ReadFile(path)
	if err != nil {
		return nil, &usageError{fmt.Sprintf("--%s: %v", flagPubKeyFile, err)}
	}
	var f struct {
		PubKey struct {
			Type  string `json:"type"`
			Value string `json:"value"`
		} `json:"pub_key"`
	}
	if err := json.Unmarshal(bz, &f); err != nil {
		return nil, &usageError{fmt.Sprintf("--%s %s: not a priv_validator_key.json: %v", flagPubKeyFile, path, err)}
	}
	if f.PubKey.Type != ed25519KeyType {
		return nil, &usageError{fmt.Sprintf("--%s %s: pub_key type %q; only %s keys are supported", flagPubKeyFile, path, f.PubKey.Type, ed25519KeyType)}
	}
	return decodeConsensusPubKey(fmt.Sprintf("--%s %s: pub_key", flagPubKeyFile, path), f.PubKey.Value)
}

// readNodeHome reads a node home's consensus key, node id and moniker.
func readNodeHome(home string) (consensusKey, error) {
	var ck consensusKey
	cfgDir := filepath.Join(home, "config")
	pk, err := readPubKeyFile(filepath.Join(cfgDir, "priv_validator_key.json"))
	if err != nil {
		return ck, &usageError{fmt.Sprintf("--%s: %v", flagNodeHome, err)}
	}
	nk, err := p2p.LoadNodeKey(filepath.Join(cfgDir, "node_key.json"))
	if err != nil {
		return ck, &usageError{fmt.Sprintf("--%s: node key: %v", flagNodeHome, err)}
	}
	ck.pubKey, ck.nodeID = pk, string(nk.ID())
	if c, err := LoadCometConfig(home); err == nil {
		ck.moniker = c.Moniker
	}
	return ck, nil
}

// paramsFromFlags is currentParams() with the given flags applied.
func paramsFromFlags(cmd *cobra.Command, currentParams func() (*authoritytypes.Params, error)) (*authoritytypes.Params, error) {
	f := cmd.Flags()
	if !f.Changed(flagProposalLifetime) && !f.Changed(flagTimelock) && !f.Changed(flagMaxPowerChange) && !f.Changed(flagMaxValidators) {
		return nil, &usageError{fmt.Sprintf("give at least one of --%s, --%s, --%s, --%s", flagProposalLifetime, flagTimelock, flagMaxPowerChange, flagMaxValidators)}
	}
	seconds := func(name string) (uint64, error) {
		d, _ := f.GetDuration(name)
		if d < 0 || d%time.Second != 0 {
			return 0, &usageError{fmt.Sprintf("--%s %s: want a non-negative whole number of seconds", name, d)}
		}
		return uint64(d / time.Second), nil
	}
	var (
		set = &authoritytypes.Params{}
		err error
	)
	if f.Changed(flagProposalLifetime) {
		if set.ProposalLifetimeSeconds, err = seconds(flagProposalLifetime); err != nil {
			return nil, err
		}
	}
	if f.Changed(flagTimelock) {
		if set.TimelockSeconds, err = seconds(flagTimelock); err != nil {
			return nil, err
		}
	}
	set.MaxPowerChangePercent, _ = f.GetUint32(flagMaxPowerChange)
	set.MaxValidators, _ = f.GetUint32(flagMaxValidators)
	// Check the given values alone before asking the node for the others.
	probe := proto.Clone(authoritytypes.DefaultParams()).(*authoritytypes.Params)
	apply := func(p *authoritytypes.Params) {
		if f.Changed(flagProposalLifetime) {
			p.ProposalLifetimeSeconds = set.ProposalLifetimeSeconds
		}
		if f.Changed(flagTimelock) {
			p.TimelockSeconds = set.TimelockSeconds
		}
		if f.Changed(flagMaxPowerChange) {
			p.MaxPowerChangePercent = set.MaxPowerChangePercent
		}
		if f.Changed(flagMaxValidators) {
			p.MaxValidators = set.MaxValidators
		}
	}
	apply(probe)
	if err := probe.Validate(); err != nil {
		return nil, &usageError{fmt.Sprintf("set-params: %v", err)}
	}
	cur, err := currentParams()
	if err != nil {
		return nil, fmt.Errorf("read the current params: %w", err)
	}
	p := proto.Clone(cur).(*authoritytypes.Params)
	apply(p)
	return p, nil
}

// fromFlag is --from, required.
func fromFlag(cmd *cobra.Command) (string, error) {
	from, _ := cmd.Flags().GetString(flagFrom)
	if from == "" {
		return "", &usageError{fmt.Sprintf("--%s KEY is required (a council member's key in the keyring)", flagFrom)}
	}
	return from, nil
}

func runPropose(cmd *cobra.Command, args []string) error {
	p, err := newPrinter(cmd)
	if err != nil {
		return err
	}
	from, err := fromFlag(cmd)
	if err != nil {
		return err
	}
	setup, err := readTxFlags(cmd)
	if err != nil {
		return err
	}
	// --memo is the proposal's memo, not the tx's.
	memo := setup.opts.Memo
	setup.opts.Memo = ""
	if len(memo) > authoritytypes.MaxMemoBytes {
		return &usageError{fmt.Sprintf("--%s: %d bytes; at most %d", flagMemo, len(memo), authoritytypes.MaxMemoBytes)}
	}
	action, err := buildAction(cmd, args, chainLookup{
		authorityParams: func() (*authoritytypes.Params, error) { return queryAuthorityParams(cmd) },
		reserveParams:   func() (*reservetypes.Params, error) { return queryReserveParams(cmd) },
		lot:             func(id string) (*reservetypes.Lot, error) { return queryLot(cmd, id) },
	})
	if err != nil {
		return err
	}
	key, err := loadTxKey(cmd, "--"+flagFrom, from)
	if err != nil {
		return err
	}
	msg := &txtypes.Msg{Sum: &txtypes.Msg_Propose{Propose: &authoritytypes.MsgPropose{
		Proposer: key.Address().String(), Action: action, Memo: memo,
	}}}
	res, err := broadcastMsg(cmd, setup, key, msg)
	if err != nil {
		return err
	}
	var after []string
	if !p.json && res.GetCode() == 0 {
		if id, ok := eventAttr(res.GetEvents(), authoritytypes.EventTypeProposalSubmitted, "proposal_id"); ok {
			after = append(after, "proposal_id: "+id)
			if n, err := strconv.ParseUint(id, 10, 64); err == nil {
				after = append(after, proposalStatusLine(cmd, n))
			}
		} else {
			after = append(after, "proposal_id: (known once the tx is in a block: see the proposal_submitted event of `petrod query tx HASH`)")
		}
	}
	return printBroadcastThen(p, res, func(w io.Writer) {
		for _, l := range after {
			fmt.Fprintln(w, l)
		}
	})
}

func newTxApproveCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "approve PROPOSAL_ID --from KEY",
		Short: "Approve a council proposal; it executes at the end of the block that reaches the threshold",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := newPrinter(cmd)
			if err != nil {
				return err
			}
			id, err := parseProposalID(args[0])
			if err != nil {
				return err
			}
			from, err := fromFlag(cmd)
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
			msg := &txtypes.Msg{Sum: &txtypes.Msg_Approve{Approve: &authoritytypes.MsgApprove{
				Approver: key.Address().String(), ProposalId: id,
			}}}
			res, err := broadcastMsg(cmd, setup, key, msg)
			if err != nil {
				return err
			}
			var after string
			if !p.json && res.GetCode() == 0 && res.GetCommitted() {
				after = proposalStatusLine(cmd, id)
			}
			return printBroadcastThen(p, res, func(w io.Writer) {
				if after != "" {
					fmt.Fprintln(w, after)
				}
			})
		},
	}
	addTxFlags(cmd)
	cmd.Flags().String(flagFrom, "", "council member key (name or address in the keyring) that signs and approves (required)")
	return cmd
}

// eventAttr returns the value of key in the first event of type typ.
func eventAttr(events []*txtypes.Event, typ, key string) (string, bool) {
	for _, e := range events {
		if e.GetType() != typ {
			continue
		}
		for _, a := range e.GetAttributes() {
			if a.GetKey() == key {
				return a.GetValue(), true
			}
		}
	}
	return "", false
}

func queryAuthorityParams(cmd *cobra.Command) (*authoritytypes.Params, error) {
	c, addr, err := dialAuthority(cmd)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(cmd.Context(), queryTimeout)
	defer cancel()
	res, err := c.Params(ctx, &authoritytypes.QueryParamsRequest{})
	if err != nil {
		return nil, nodeErr(addr, err)
	}
	if res.GetParams() == nil {
		return nil, fmt.Errorf("node %s returned no params", addr)
	}
	return res.GetParams(), nil
}

// proposalStatusLine reads proposal id and the council from --node (latest
// committed state) and says where the proposal stands, e.g.
// "proposal_status: voting (1 of 3 approvals)". A failed read is reported
// in the line: the tx itself went through.
func proposalStatusLine(cmd *cobra.Command, id uint64) string {
	c, addr, err := dialAuthority(cmd)
	if err != nil {
		return fmt.Sprintf("proposal_status: (unknown: %v)", err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(cmd.Context(), queryTimeout)
	defer cancel()
	pr, err := c.Proposal(ctx, &authoritytypes.QueryProposalRequest{Id: id})
	if err != nil {
		return fmt.Sprintf("proposal_status: (unknown: %v)", nodeErr(addr, err))
	}
	prop := pr.GetProposal()
	line := fmt.Sprintf("proposal_status: %s (%d", statusName(prop.GetStatus()), len(prop.GetApprovals()))
	if cr, err := c.Council(ctx, &authoritytypes.QueryCouncilRequest{Height: pr.GetHeight()}); err == nil && cr.GetCouncil() != nil {
		line += fmt.Sprintf(" of %d", cr.GetCouncil().GetThreshold())
	}
	line += " approvals)"
	if prop.GetResult() != "" {
		line += ": " + prop.GetResult()
	}
	return line
}

// usageArgs makes cobra's argument-count errors usage errors (exit 2).
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return &usageError{err.Error()}
		}
		return nil
	}
}
