package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/cobra"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/app/upgrades"
	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	authtypes "github.com/petro-network/petro/x/auth/types"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

func init() { extraCommands = append(extraCommands, newGenesisCmd) }

func newGenesisCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "genesis",
		Short: "Build a network's genesis.json: accounts, council, roles, lots, params, validator joins",
		Long: `The genesis ceremony (networks/README.md): a coordinator runs petrod init,
adds accounts, the council, roles and lots and sets parameters; every
operator signs a join with its own keys (genesis join) and sends the file;
the coordinator collects the joins (genesis collect), checks the result
(genesis validate) and sends the final genesis.json to every operator.
Every command edits <home>/config/genesis.json in place.`,
	}
	cmd.AddCommand(
		newGenesisAddAccountCmd(), newGenesisSetCouncilCmd(), newGenesisAddRoleCmd(), newGenesisAddLotCmd(),
		newGenesisAddPeerCmd(), newGenesisSetParamCmd(), newGenesisJoinCmd(), newGenesisCollectCmd(), newGenesisValidateCmd(),
	)
	return cmd
}

func genesisPath(home string) string { return filepath.Join(home, "config", "genesis.json") }

// readGenesis reads a genesis.json and its app_state strictly.
func readGenesis(path string) (*cmttypes.GenesisDoc, *app.GenesisState, error) {
	doc, err := cmttypes.GenesisDocFromFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("genesis %s: %w", path, err)
	}
	gs := app.DefaultGenesis()
	if len(doc.AppState) > 0 {
		if err := json.Unmarshal(doc.AppState, gs); err != nil {
			return nil, nil, fmt.Errorf("genesis %s: %w", path, err)
		}
	}
	return doc, gs, nil
}

// editGenesis applies edit to home's genesis.json and writes it back.
func editGenesis(home string, edit func(doc *cmttypes.GenesisDoc, gs *app.GenesisState) error) error {
	path := genesisPath(home)
	doc, gs, err := readGenesis(path)
	if err != nil {
		return err
	}
	if err := edit(doc, gs); err != nil {
		return err
	}
	if doc.AppState, err = json.Marshal(gs); err != nil {
		return err
	}
	if err := doc.ValidateAndComplete(); err != nil {
		return err
	}
	return doc.SaveAs(path)
}

func newGenesisAddAccountCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "add-account ADDRESS AMOUNT",
		Short:   "Give an address a genesis balance (AMOUNT: base units or PTR, e.g. 1000ptr)",
		Example: "  petrod genesis add-account petro1… 1000ptr",
		Args:    usageArgs(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := parseAddressArg("address", args[0])
			if err != nil {
				return err
			}
			amount, err := parseAmount(args[1])
			if err != nil {
				return &usageError{err.Error()}
			}
			if amount == 0 {
				return &usageError{"amount must be positive"}
			}
			return editGenesis(homeFlag(cmd), func(_ *cmttypes.GenesisDoc, gs *app.GenesisState) error {
				for _, b := range gs.Token.Balances {
					if b.Address == addr.String() {
						return fmt.Errorf("%s already has a genesis balance of %s", addr, formatPTR(b.Amount))
					}
				}
				gs.Token.Balances = append(gs.Token.Balances, &tokentypes.Balance{Address: addr.String(), Amount: amount})
				slices.SortFunc(gs.Token.Balances, func(a, b *tokentypes.Balance) int { return strings.Compare(a.Address, b.Address) })
				// An exported genesis states its supply and totals: they grow
				// with the new balance (issued − burned = supply still holds).
				if gs.Token.Supply != 0 {
					if gs.Token.Supply, err = petro.SafeAdd(gs.Token.Supply, amount); err != nil {
						return err
					}
				}
				if t := gs.Token.Totals; t != nil {
					if t.Issued, err = petro.SafeAdd(t.Issued, amount); err != nil {
						return err
					}
				}
				// Tranches, when the genesis lists them, hold every balance:
				// the new one counts as issued into --tranche (default: the
				// default tranche), so Σ outstanding = supply still holds.
				if len(gs.Token.Tranches) > 0 {
					name, _ := cmd.Flags().GetString("tranche")
					if name == "" {
						name = gs.Token.DefaultTranche
					}
					i := slices.IndexFunc(gs.Token.Tranches, func(t *tokentypes.Tranche) bool { return t.Name == name })
					if i < 0 {
						return &usageError{fmt.Sprintf("no tranche %q in the genesis (--tranche names one)", name)}
					}
					if gs.Token.Tranches[i].Issued, err = petro.SafeAdd(gs.Token.Tranches[i].Issued, amount); err != nil {
						return err
					}
				}
				if !slices.ContainsFunc(gs.Auth.Accounts, func(a *authtypes.Account) bool { return a.Address == addr.String() }) {
					gs.Auth.Accounts = append(gs.Auth.Accounts, &authtypes.Account{Address: addr.String()})
					slices.SortFunc(gs.Auth.Accounts, func(a, b *authtypes.Account) int { return strings.Compare(a.Address, b.Address) })
				}
				fmt.Fprintf(cmd.OutOrStdout(), "added %s with %s\n", addr, formatPTR(amount))
				return nil
			})
		},
	}
	cmd.Flags().String("tranche", "", "the tranche the balance counts as issued into, when the genesis lists tranches (default: the default tranche)")
	return cmd
}

func newGenesisSetCouncilCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "set-council --threshold M ADDRESS...",
		Short:   "Set the council: its members and the approvals a proposal needs",
		Example: "  petrod genesis set-council --threshold 3 petro1a… petro1b… petro1c… petro1d…",
		Args:    usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			threshold, _ := cmd.Flags().GetUint32(flagThreshold)
			c := &authoritytypes.Council{Threshold: threshold}
			for _, a := range args {
				addr, err := parseAddressArg("member", a)
				if err != nil {
					return err
				}
				c.Members = append(c.Members, addr.String())
			}
			c.Normalize()
			if err := c.Validate(); err != nil {
				return &usageError{err.Error()}
			}
			return editGenesis(homeFlag(cmd), func(_ *cmttypes.GenesisDoc, gs *app.GenesisState) error {
				gs.Authority.Council = c
				fmt.Fprintf(cmd.OutOrStdout(), "council: %d of %d\n", c.Threshold, len(c.Members))
				return nil
			})
		},
	}
	cmd.Flags().Uint32(flagThreshold, 0, "approvals a proposal needs (1..members, required)")
	return cmd
}

func newGenesisAddRoleCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add-role issuer|oracle|compliance|pauser ADDRESS [--allowance AMOUNT]",
		Short: "Grant a role at genesis (an issuer needs --allowance, what it may mint)",
		Example: `  petrod genesis add-role issuer petro1… --allowance 1000000ptr
  petrod genesis add-role oracle petro1…`,
		Args: usageArgs(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			role, err := parseRole(args[0])
			if err != nil {
				return err
			}
			addr, err := parseAddressArg("address", args[1])
			if err != nil {
				return err
			}
			g := &authoritytypes.RoleGrant{Address: addr.String(), Role: role}
			if s, _ := cmd.Flags().GetString(flagAllowance); s != "" {
				if role != authoritytypes.Role_ROLE_ISSUER {
					return &usageError{"--allowance is for issuers only"}
				}
				if g.Allowance, err = parseAmount(s); err != nil {
					return &usageError{err.Error()}
				}
			}
			return editGenesis(homeFlag(cmd), func(_ *cmttypes.GenesisDoc, gs *app.GenesisState) error {
				for _, r := range gs.Authority.Roles {
					if r.Role == role && r.Address == g.Address {
						return fmt.Errorf("%s already holds %s", g.Address, role)
					}
				}
				gs.Authority.Roles = append(gs.Authority.Roles, g)
				fmt.Fprintf(cmd.OutOrStdout(), "granted %s to %s\n", strings.ToLower(strings.TrimPrefix(role.String(), "ROLE_")), g.Address)
				return nil
			})
		},
	}
	cmd.Flags().String(flagAllowance, "", "issuer's mint allowance: base units or PTR (e.g. 1000ptr)")
	return cmd
}

func newGenesisAddLotCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add-lot --id ID --field F --category C --certifier NAME --certificate-hash HEX32|--certificate-file FILE --valid-until T",
		Short: "Add a reserve lot at genesis",
		Example: `  petrod genesis add-lot --id ayacucho-1 --field ayacucho-1 --category in-ground \
    --certifier "PDVSA-CVP" --certificate-file cert.pdf --valid-until 2027-01-01T00:00:00Z`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			id, _ := cmd.Flags().GetString(flagLotID)
			if err := reservetypes.ValidateLotID(id); err != nil {
				return &usageError{fmt.Sprintf("--%s: %v", flagLotID, err)}
			}
			l, err := lotFromFlags(cmd, &reservetypes.Lot{Id: id}, true)
			if err != nil {
				return err
			}
			if err := l.ValidateBasic(); err != nil {
				return &usageError{err.Error()}
			}
			return editGenesis(homeFlag(cmd), func(_ *cmttypes.GenesisDoc, gs *app.GenesisState) error {
				if slices.ContainsFunc(gs.Reserve.Lots, func(o *reservetypes.Lot) bool { return o.Id == id }) {
					return fmt.Errorf("lot %s already exists", id)
				}
				gs.Reserve.Lots = append(gs.Reserve.Lots, l)
				slices.SortFunc(gs.Reserve.Lots, func(a, b *reservetypes.Lot) int { return strings.Compare(a.Id, b.Id) })
				fmt.Fprintf(cmd.OutOrStdout(), "added lot %s\n", id)
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.String(flagLotID, "", "lot id: [a-z0-9._-], at most 64 characters (required)")
	f.String(flagField, "", "oil field, e.g. ayacucho-1 (required)")
	f.String(flagCategory, "", "in-ground|produced|stored (required)")
	f.String(flagCertifier, "", "who certified the lot (required)")
	f.String(flagCertificateHash, "", "SHA-256 of the certificate, 64 hex digits")
	f.String(flagCertificateFile, "", "certificate file, hashed with SHA-256 (instead of --"+flagCertificateHash+")")
	f.String(flagValidUntil, "", "the certificate's expiry, RFC 3339 (e.g. 2027-01-01T00:00:00Z) (required)")
	return cmd
}

func newGenesisAddPeerCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "add-peer NODE_ID [--note TEXT]",
		Short:   "Allow a node that is not a validator (sentry, full node, auditor) to connect",
		Example: `  petrod genesis add-peer 0123456789abcdef0123456789abcdef01234567 --note "auditor's node"`,
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			note, _ := cmd.Flags().GetString(flagNote)
			p := &authoritytypes.AllowedPeer{NodeId: args[0], Note: note}
			a := &authoritytypes.Action{Sum: &authoritytypes.Action_AllowPeer{AllowPeer: &authoritytypes.AllowPeer{Peer: p}}}
			if err := a.ValidateBasic(); err != nil {
				return &usageError{err.Error()}
			}
			return editGenesis(homeFlag(cmd), func(_ *cmttypes.GenesisDoc, gs *app.GenesisState) error {
				if slices.ContainsFunc(gs.Authority.Peers, func(o *authoritytypes.AllowedPeer) bool { return o.NodeId == p.NodeId }) {
					return fmt.Errorf("peer %s is already allowed", p.NodeId)
				}
				gs.Authority.Peers = append(gs.Authority.Peers, p)
				slices.SortFunc(gs.Authority.Peers, func(a, b *authoritytypes.AllowedPeer) int { return strings.Compare(a.NodeId, b.NodeId) })
				fmt.Fprintf(cmd.OutOrStdout(), "allowed peer %s\n", p.NodeId)
				return nil
			})
		},
	}
	cmd.Flags().String(flagNote, "", "who runs it (at most 140 bytes)")
	return cmd
}

// moduleParams are the parameter messages set-param edits, by module.
func moduleParams(gs *app.GenesisState) map[string]proto.Message {
	return map[string]proto.Message{
		tokentypes.ModuleName:     gs.Token.Params,
		reservetypes.ModuleName:   gs.Reserve.Params,
		authoritytypes.ModuleName: gs.Authority.Params,
	}
}

func newGenesisSetParamCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "set-param MODULE KEY VALUE",
		Short: "Set one module parameter (MODULE: token|reserve|authority; KEY: the field name in genesis.json)",
		Long: `Set one parameter of a module's params in genesis.json. KEY is the field as
genesis.json spells it; VALUE is a number, true/false or text as the field
needs. Amounts in PTR (token hard_cap) also take the ptr suffix (100000000ptr).
Parameters:
  token:     denom decimals hard_cap redemption_ttl_seconds
  reserve:   quorum max_age_seconds max_future_skew_seconds max_deviation_bps barrels_per_token margin_bps
  authority: proposal_lifetime_seconds timelock_seconds max_power_change_percent max_validators`,
		Example: `  petrod genesis set-param reserve quorum 3
  petrod genesis set-param token hard_cap 100000000ptr`,
		Args: usageArgs(cobra.ExactArgs(3)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return editGenesis(homeFlag(cmd), func(_ *cmttypes.GenesisDoc, gs *app.GenesisState) error {
				p, ok := moduleParams(gs)[args[0]]
				if !ok {
					return &usageError{fmt.Sprintf("module %q: want token, reserve or authority", args[0])}
				}
				if err := setParamField(p, args[1], args[2]); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s.%s = %s\n", args[0], args[1], args[2])
				return nil
			})
		},
	}
}

// setParamField parses value for the field named key of p.
func setParamField(p proto.Message, key, value string) error {
	m := p.ProtoReflect()
	fd := m.Descriptor().Fields().ByName(protoreflect.Name(key))
	if fd == nil {
		var names []string
		for i := 0; i < m.Descriptor().Fields().Len(); i++ {
			names = append(names, string(m.Descriptor().Fields().Get(i).Name()))
		}
		return &usageError{fmt.Sprintf("%s has no parameter %q (it has %s)", m.Descriptor().Name(), key, strings.Join(names, ", "))}
	}
	bad := func(err error) error { return &usageError{fmt.Sprintf("%s %q: %v", key, value, err)} }
	var v protoreflect.Value
	switch fd.Kind() {
	case protoreflect.Uint64Kind:
		n, err := strconv.ParseUint(value, 10, 64)
		if err != nil {
			if n, err = parseAmount(value); err != nil {
				return bad(err)
			}
		}
		v = protoreflect.ValueOfUint64(n)
	case protoreflect.Uint32Kind:
		n, err := strconv.ParseUint(value, 10, 32)
		if err != nil {
			return bad(err)
		}
		v = protoreflect.ValueOfUint32(uint32(n))
	case protoreflect.Int64Kind:
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return bad(err)
		}
		v = protoreflect.ValueOfInt64(n)
	case protoreflect.BoolKind:
		b, err := strconv.ParseBool(value)
		if err != nil {
			return bad(err)
		}
		v = protoreflect.ValueOfBool(b)
	case protoreflect.StringKind:
		v = protoreflect.ValueOfString(value)
	default:
		return &usageError{fmt.Sprintf("%s: a %s field cannot be set from the command line", key, fd.Kind())}
	}
	m.Set(fd, v)
	return nil
}

func newGenesisValidateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate [GENESIS_FILE]",
		Short: "List every problem of a genesis (default: <home>/config/genesis.json); exit 1 if any",
		Args:  usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := genesisPath(homeFlag(cmd))
			if len(args) == 1 {
				path = args[0]
			}
			doc, gs, err := readGenesis(path)
			if err != nil {
				return err
			}
			problems := GenesisProblems(doc, gs)
			if len(problems) == 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "%s: valid (chain %s, %d validators)\n", path, doc.ChainID, len(doc.Validators))
				return nil
			}
			printProblems(cmd.OutOrStdout(), problems)
			return fmt.Errorf("%s: %d problems", path, len(problems))
		},
	}
}

// GenesisProblems is app.GenesisProblems plus genesis.json's own checks:
// upgrades against initial_height, the consensus params' app version and
// CometBFT's validator list must be app_state's.
func GenesisProblems(doc *cmttypes.GenesisDoc, gs *app.GenesisState) []string {
	out := app.GenesisProblems(gs, doc.GenesisTime)
	out = append(out, gs.Authority.UpgradeProblemsAt(max(doc.InitialHeight, 1))...)
	if doc.ConsensusParams == nil {
		return append(out, "genesis.json has no consensus_params")
	}
	// CometBFT's default 0 is fine: InitChain sets the version either way.
	if v, want := doc.ConsensusParams.Version.App, max(gs.Authority.GetAppVersion(), authoritytypes.GenesisAppVersion); v != 0 && v != want {
		out = append(out, fmt.Sprintf("consensus_params.version.app %d ≠ app_state.authority's app version %d", v, want))
	}
	want := map[string]int64{}
	for _, v := range gs.Authority.Validators {
		want[string(v.PubKey)] = v.Power
	}
	if len(gs.Authority.Validators) > 0 && len(doc.Validators) != len(want) {
		out = append(out, fmt.Sprintf("genesis.json lists %d validators, app_state.authority %d", len(doc.Validators), len(gs.Authority.Validators)))
	}
	for _, v := range doc.Validators {
		if p, ok := want[string(v.PubKey.Bytes())]; len(want) > 0 && (!ok || p != v.Power) {
			out = append(out, fmt.Sprintf("genesis.json validator %s (power %d) is not in app_state.authority with that power", v.Name, v.Power))
		}
	}
	if len(out) == 0 {
		// The last word is the chain's: InitChain on a throw-away state.
		if err := dryRunInitChain(doc); err != nil {
			out = append(out, fmt.Sprintf("InitChain refuses it: %v", err))
		}
	}
	return out
}

// dryRunInitChain runs InitChain for doc on an in-memory state.
func dryRunInitChain(doc *cmttypes.GenesisDoc) error {
	db, err := store.OpenDB(store.BackendMemDB, "", "dry-run")
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := app.New(doc.ChainID, db, app.Options{Upgrades: upgrades.All()})
	if err != nil {
		return err
	}
	defer a.Close()
	var vals []abci.ValidatorUpdate
	for _, v := range doc.Validators {
		vals = append(vals, abci.Ed25519ValidatorUpdate(v.PubKey.Bytes(), v.Power))
	}
	_, err = a.InitChain(context.Background(), &abci.RequestInitChain{
		ChainId: doc.ChainID, Time: doc.GenesisTime, InitialHeight: doc.InitialHeight, AppStateBytes: doc.AppState, Validators: vals,
	})
	return err
}

func printProblems(w io.Writer, problems []string) {
	for _, p := range problems {
		fmt.Fprintln(w, "  -", p)
	}
}

// printGenesisMissing tells petrod init's user what the genesis still lacks
// before the chain can govern itself, issue and attest.
func printGenesisMissing(w io.Writer, path string) {
	doc, gs, err := readGenesis(path)
	if err != nil {
		return
	}
	if p := GenesisProblems(doc, gs); len(p) > 0 {
		fmt.Fprintf(w, "%s starts a chain, but it is still missing (see petrod genesis --help, networks/README.md):\n", path)
		printProblems(w, p)
	}
}
