package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/libs/log"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/cobra"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/keyring"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

const (
	flagReset = "reset"

	devChainID = "petro-dev-1"
	devMoniker = "dev"
	// devBalance is what each dev holder key holds at genesis: 1,000,000
	// PTR. The four holders' 4,000,000 PTR are well within what the
	// simulated reserve backs (~45,000,000 PTR).
	devBalance = 1_000_000 * ptrUnit
	// devOracleBalance is what each dev oracle key holds: 1,000 PTR.
	devOracleBalance = 1_000 * ptrUnit
	// devIssuerAllowance: alice may mint 10,000,000 PTR.
	devIssuerAllowance = 10_000_000 * ptrUnit
	// devMaxAgeSeconds is the dev chain's reserve max age: with the
	// feeders stopped, the backing turns STALE within 30 s.
	devMaxAgeSeconds = 30
	// devMarker marks a home created by `petrod dev`; only such a home may
	// be deleted by --reset.
	devMarker = ".petro-dev"
	// devTimeoutCommit makes blocks come faster than a real network's.
	devTimeoutCommit = 500 * time.Millisecond
	devP2PAddress    = "tcp://127.0.0.1:26656"
)

// The dev keys' mnemonics. They were generated once with crypto.NewMnemonic
// and are PUBLIC: printed by every `petrod dev`, committed to this
// repository. Never hold anything of value with them.
const (
	devMnemonicValidator = "comic swamp breeze settle control loud master adult there dust stomach street mango hobby vacuum demise moon tooth clap write clump skill alley soft"
	devMnemonicAlice     = "dentist snow trend miss rug emerge high similar donate loop world kitchen game sudden mesh confirm faculty material blind use indoor service poet ticket"
	devMnemonicBob       = "engine fault fall chef bench disagree apart voyage brisk wheel kiss meadow object juice frog cook universe nominee work impact win into figure oil"
	devMnemonicCarol     = "energy pass cruel panther pitch task swamp alert road only obscure lake siege scrap crawl crash dinner front zero walnut stay novel lift joy"
	devMnemonicOracle1   = "solve anchor tip surge high pig hood man dress upper bridge argue jazz library purity thought festival alone banner gospel still game disagree decrease"
	devMnemonicOracle2   = "innocent forum screen social side setup spot original throw chef rotate secret pen inch turn invite minimum popular over renew skate orphan hill portion"
	devMnemonicOracle3   = "tomorrow window wish sad toss motor cannon cave virtual bird eyebrow always shield silk simple cargo sustain pitch fatigue staff winter glue idle harvest"
)

// devOracleNames are the dev keys that hold the oracle role and that the
// simulated feeders sign with.
var devOracleNames = []string{"oracle1", "oracle2", "oracle3"}

// devKey is one funded key of the dev chain.
type devKey struct {
	Name     string `json:"name"`
	Address  string `json:"address"`
	Mnemonic string `json:"mnemonic"`
	Balance  uint64 `json:"balance"` // base units at genesis
}

type devKeys []devKey

// devKeyList derives the dev keys from their fixed mnemonics.
func devKeyList() (devKeys, error) {
	named := []struct{ name, mnemonic string }{
		{"validator", devMnemonicValidator},
		{"alice", devMnemonicAlice},
		{"bob", devMnemonicBob},
		{"carol", devMnemonicCarol},
		{devOracleNames[0], devMnemonicOracle1},
		{devOracleNames[1], devMnemonicOracle2},
		{devOracleNames[2], devMnemonicOracle3},
	}
	keys := make(devKeys, len(named))
	for i, n := range named {
		priv, err := crypto.DerivePrivKeyFromMnemonic(n.mnemonic, "", 0, 0)
		if err != nil {
			return nil, fmt.Errorf("dev key %s: %w", n.name, err)
		}
		bal := uint64(devBalance)
		if isDevOracle(n.name) {
			bal = devOracleBalance
		}
		keys[i] = devKey{Name: n.name, Address: priv.PubKey().Address().String(), Mnemonic: n.mnemonic, Balance: bal}
	}
	return keys, nil
}

func isDevOracle(name string) bool {
	for _, o := range devOracleNames {
		if o == name {
			return true
		}
	}
	return false
}

// addr returns the address of the dev key called name ("" if none).
func (ks devKeys) addr(name string) string {
	for _, k := range ks {
		if k.Name == name {
			return k.Address
		}
	}
	return ""
}

func defaultDevHome() string {
	dir, err := os.UserHomeDir()
	if err != nil {
		return ".petro-dev"
	}
	return filepath.Join(dir, ".petro-dev")
}

func newDevCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run a single-validator dev chain with funded, well-known keys",
		Long: `Run a one-validator development chain.

On the first run (the home, default ~/.petro-dev, does not exist) it creates
the home: chain id ` + devChainID + `, 500 ms blocks, loopback-only listeners, and the
keys validator, alice, bob and carol (each funded with 1,000,000 PTR) and
oracle1-3 (1,000 PTR each) in the home's *test* keyring (unencrypted). Their
mnemonics are fixed and public. Later runs start the existing chain. --reset
deletes the dev home first.

The genesis has a live reserve ledger: council alice (threshold 1); issuer
alice (allowance 10,000,000 PTR); compliance officer and pauser bob; oracles
oracle1-3; three lots (ayacucho-1, carabobo-2, junin-4; ~50 million barrels
simulated); quorum 2, max age 30 s, 10 % margin, 1 barrel per PTR.

Once the node serves gRPC, one simulated feeder per oracle key reports every
--feed-interval: the open round's barrels per lot and the oil price (~70
USD/bbl), from a slowly drifting deterministic random walk with a little
noise per oracle. With --no-feeders (or once they are stopped) no round
settles and the backing turns STALE within 30 s, which blocks issuance.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			home := defaultDevHome()
			if cmd.Flags().Changed(flagHome) {
				home = homeFlag(cmd)
			}
			if reset, _ := cmd.Flags().GetBool(flagReset); reset {
				if err := resetDevHome(home); err != nil {
					return err
				}
			}
			created, err := ensureDevHome(home)
			if err != nil {
				return err
			}
			keys, err := devKeyList()
			if err != nil {
				return err
			}
			o := startFlags(cmd)
			feeds, err := devFeedFlags(cmd, home)
			if err != nil {
				return err
			}
			if err := printDevBanner(cmd.OutOrStdout(), home, keys, o, created, feeds); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			var hooks NodeHooks
			if feeds.on() {
				hooks.OnStarted = func(ctx context.Context, grpcAddr string, logger log.Logger) {
					runFeeders(ctx, grpcAddr, devChainID, devOracleNames, feeds.keys, feeds.interval, logger)
				}
			}
			return RunNodeWith(ctx, home, o, cmd.ErrOrStderr(), hooks)
		},
	}
	cmd.Flags().Bool(flagReset, false, "delete the dev home (only one created by petrod dev) and start afresh")
	cmd.Flags().Duration(flagFeedInterval, defaultFeedInterval, "how often each simulated oracle feeder reports")
	cmd.Flags().Bool(flagNoFeeders, false, "do not run the simulated oracle feeders (the backing turns STALE after the max age, 30 s)")
	addStartFlags(cmd)
	return cmd
}

// devFeeds is what the dev chain's simulated feeders run with.
type devFeeds struct {
	interval time.Duration
	keys     []*crypto.PrivKey // nil: no feeders
	why      string            // why there are none
}

func (f devFeeds) on() bool { return len(f.keys) > 0 }

// devFeedFlags reads --feed-interval and --no-feeders and loads the oracle
// keys from home's test keyring.
func devFeedFlags(cmd *cobra.Command, home string) (devFeeds, error) {
	var f devFeeds
	f.interval, _ = cmd.Flags().GetDuration(flagFeedInterval)
	if f.interval < 100*time.Millisecond {
		return f, &usageError{fmt.Sprintf("--%s %s: want at least 100ms", flagFeedInterval, f.interval)}
	}
	if off, _ := cmd.Flags().GetBool(flagNoFeeders); off {
		f.why = "--" + flagNoFeeders
		return f, nil
	}
	kr, err := keyring.New(keyring.BackendTest, home, nil)
	if err != nil {
		return f, err
	}
	for _, name := range devOracleNames {
		k, err := kr.PrivKey(name)
		if err != nil {
			f.why = fmt.Sprintf("no key %s in the test keyring (a dev home made by an older petrod? use --%s)", name, flagReset)
			return devFeeds{interval: f.interval, why: f.why}, nil
		}
		f.keys = append(f.keys, k)
	}
	return f, nil
}

func isDevHome(home string) bool { return fileExists(filepath.Join(home, devMarker)) }

// resetDevHome deletes home if petrod dev created it; it refuses any other
// directory, so a mistyped --home cannot wipe a real node.
func resetDevHome(home string) error {
	if _, err := os.Stat(home); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if !isDevHome(home) {
		return fmt.Errorf("refusing to --reset %s: it was not created by petrod dev (no %s file)", home, devMarker)
	}
	return os.RemoveAll(home)
}

// ensureDevHome creates the dev home unless it exists. The home is built in
// a sibling directory and renamed into place, so an interrupted first run
// leaves no half-made home behind. It refuses an existing home that petrod
// dev did not create.
func ensureDevHome(home string) (created bool, err error) {
	entries, err := os.ReadDir(home)
	switch {
	case err == nil && len(entries) > 0:
		if !isDevHome(home) {
			return false, fmt.Errorf("%s exists and was not created by petrod dev; use `petrod start --home %s`, or pick another --home", home, home)
		}
		return false, nil
	case err == nil: // an empty directory: take it over
		if err := os.Remove(home); err != nil {
			return false, err
		}
	case !errors.Is(err, os.ErrNotExist):
		return false, err
	}
	stage := home + ".setup"
	if err := os.RemoveAll(stage); err != nil {
		return false, err
	}
	if _, err := setupDevHome(stage); err != nil {
		_ = os.RemoveAll(stage)
		return false, fmt.Errorf("create dev home: %w", err)
	}
	if err := os.Rename(stage, home); err != nil {
		_ = os.RemoveAll(stage)
		return false, err
	}
	return true, nil
}

// setupDevHome writes a complete dev chain into home, which must not hold a
// chain yet: config and genesis (InitHome), faster blocks and a loopback
// P2P address in config.toml, the dev keys in the test keyring, their
// genesis balances, and the dev-home marker. Paths in the home are
// relative, so it may be renamed afterwards.
func setupDevHome(home string) (devKeys, error) {
	if _, err := InitHome(home, devMoniker, devChainID, false); err != nil {
		return nil, err
	}
	cfg, err := LoadCometConfig(home)
	if err != nil {
		return nil, err
	}
	cfg.Consensus.TimeoutCommit = devTimeoutCommit
	cfg.P2P.ListenAddress = devP2PAddress
	cmtcfg.WriteConfigFile(filepath.Join(home, "config", "config.toml"), cfg)

	keys, err := devKeyList()
	if err != nil {
		return nil, err
	}
	kr, err := keyring.New(keyring.BackendTest, home, nil)
	if err != nil {
		return nil, err
	}
	doc, err := cmttypes.GenesisDocFromFile(cfg.GenesisFile())
	if err != nil {
		return nil, err
	}
	gs := app.DefaultGenesis()
	for _, k := range keys {
		rec, err := kr.Recover(k.Name, k.Mnemonic)
		if err != nil {
			return nil, fmt.Errorf("dev key %s: %w", k.Name, err)
		}
		if rec.Address.String() != k.Address {
			return nil, fmt.Errorf("dev key %s: keyring derived %s, want %s", k.Name, rec.Address, k.Address)
		}
		gs.Token.Balances = append(gs.Token.Balances, &tokentypes.Balance{Address: k.Address, Amount: k.Balance})
	}
	sort.Slice(gs.Token.Balances, func(i, j int) bool { return gs.Token.Balances[i].Address < gs.Token.Balances[j].Address })
	setDevTranches(gs)
	setDevReserveGenesis(gs, keys, doc.GenesisTime)
	// The genesis keeps the validator InitHome wrote (with its node id).
	gs.Authority.Validators = nil
	if prev, err := readAppState(doc.AppState); err == nil {
		gs.Authority.Validators = prev.Authority.GetValidators()
	}
	if _, err := validatedAppState(gs); err != nil {
		return nil, err
	}
	if err := SetGenesisAppState(home, gs); err != nil {
		return nil, err
	}
	marker := "Created by `petrod dev`. `petrod dev --reset` may delete this directory.\n"
	if err := os.WriteFile(filepath.Join(home, devMarker), []byte(marker), 0o644); err != nil {
		return nil, err
	}
	return keys, nil
}

// setDevReserveGenesis gives the dev genesis its council, roles and
// reserve: council alice (threshold 1); issuer alice; compliance officer
// and pauser bob; oracles oracle1-3; quorum 2, max age 30 s, margin 10 %,
// 1 barrel per PTR; the three dev lots, valid a year from genesis.
func setDevReserveGenesis(gs *app.GenesisState, keys devKeys, genesis time.Time) {
	alice, bob := keys.addr("alice"), keys.addr("bob")
	gs.Authority.Council = &authoritytypes.Council{Members: []string{alice}, Threshold: 1}
	gs.Authority.Roles = []*authoritytypes.RoleGrant{
		{Address: alice, Role: authoritytypes.Role_ROLE_ISSUER, Allowance: devIssuerAllowance},
		{Address: bob, Role: authoritytypes.Role_ROLE_COMPLIANCE},
		{Address: bob, Role: authoritytypes.Role_ROLE_PAUSER},
	}
	for _, o := range devOracleNames {
		gs.Authority.Roles = append(gs.Authority.Roles, &authoritytypes.RoleGrant{Address: keys.addr(o), Role: authoritytypes.Role_ROLE_ORACLE})
	}
	p := reservetypes.DefaultParams()
	p.Quorum = 2
	p.MaxAgeSeconds = devMaxAgeSeconds
	p.MarginBps = 1000
	p.BarrelsPerToken = reservetypes.OneBarrel
	gs.Reserve.Params = p
	gs.Reserve.Lots = devReserveLots(genesis)
}

// readAppState parses a genesis app_state as the app does.
func readAppState(bz []byte) (*app.GenesisState, error) {
	gs := app.DefaultGenesis()
	if len(bz) == 0 {
		return gs, nil
	}
	if err := json.Unmarshal(bz, gs); err != nil {
		return nil, err
	}
	return gs, nil
}

// printDevBanner tells the user what is running and how to use it.
func printDevBanner(w io.Writer, home string, keys devKeys, o StartOverrides, created bool, feeds devFeeds) error {
	cfg, err := LoadCometConfig(home)
	if err != nil {
		return err
	}
	appCfg, err := LoadAppConfig(home)
	if err != nil {
		return err
	}
	grpcAddr, rpcAddr, p2pAddr := appCfg.GRPC.Address, cfg.RPC.ListenAddress, cfg.P2P.ListenAddress
	if o.GRPCAddress != "" {
		grpcAddr = o.GRPCAddress
	}
	if o.RPCAddress != "" {
		rpcAddr = o.RPCAddress
	}
	if o.P2PAddress != "" {
		p2pAddr = o.P2PAddress
	}
	rpcHTTP := "http://" + strings.TrimPrefix(rpcAddr, "tcp://")
	nodeFlag, rpcFlag := "", ""
	if grpcAddr != defaultGRPCNode {
		nodeFlag = " --node " + grpcAddr
	}
	if rpcHTTP != defaultNodeRPC {
		rpcFlag = " --node-rpc " + rpcHTTP
	}
	state := "existing"
	if created {
		state = "new"
	}

	bar := strings.Repeat("=", 78)
	fmt.Fprintln(w, bar)
	fmt.Fprintf(w, "petro dev chain (%s home)\n\n", state)
	fmt.Fprintf(w, "  chain id   %s\n  home       %s\n\n", devChainID, home)
	fmt.Fprintf(w, "Dev keys in the UNENCRYPTED test keyring: holders funded with %s, oracles with %s.\n", formatPTR(devBalance), formatPTR(devOracleBalance))
	fmt.Fprintln(w, "Their mnemonics are PUBLIC (hard-coded in petrod): never use them for real funds.")
	for _, k := range keys {
		fmt.Fprintf(w, "\n  %-9s  %s  %s\n             %s\n", k.Name, k.Address, devKeyRoles(k.Name), k.Mnemonic)
	}
	fmt.Fprintf(w, "\nReserve: lots %s (%s simulated); quorum 2 of 3 oracles; max age %ds; margin 10 %%; 1 bbl per PTR.\n",
		strings.Join(devLotIDs(), ", "), formatBarrels(simReserveBarrels()), devMaxAgeSeconds)
	if feeds.on() {
		fmt.Fprintf(w, "Oracle feeders: %s report every %s (price ~%.0f USD/bbl). Without them (--%s) the backing\n",
			strings.Join(devOracleNames, ", "), feeds.interval, simBasePrice, flagNoFeeders)
		fmt.Fprintf(w, "turns STALE %ds after the last settled round, and issuance stops.\n", devMaxAgeSeconds)
	} else {
		fmt.Fprintf(w, "Oracle feeders: OFF (%s). Attest by hand with `petrod tx reserve attest`; the backing is\n", feeds.why)
		fmt.Fprintf(w, "STALE until a round settles and again %ds after the last one, and issuance needs OK.\n", devMaxAgeSeconds)
	}
	apiAddr := appCfg.API.Address
	if o.APIAddress != "" {
		apiAddr = o.APIAddress
	}
	fmt.Fprintf(w, "\nEndpoints\n  gRPC            %s   (plaintext)\n  CometBFT RPC    %s\n  P2P             %s\n", grpcAddr, rpcHTTP, p2pAddr)
	if appCfg.API.Enable {
		fmt.Fprintf(w, "  REST + audit    http://%s/\n", apiAddr)
	}
	fmt.Fprintln(w)
	bob := keys[0].Address
	for _, k := range keys {
		if k.Name == "bob" {
			bob = k.Address
		}
	}
	fmt.Fprintln(w, "Try")
	kb := fmt.Sprintf(" --home %s --keyring-backend test%s", home, nodeFlag)
	fmt.Fprintf(w, "  petrod query reserve status%s\n", nodeFlag)
	fmt.Fprintf(w, "  petrod tx token issue %s 10ptr --from alice%s\n", bob, kb)
	fmt.Fprintf(w, "  petrod tx token redeem 5ptr --instructions \"deliver to terminal 7\" --from bob%s\n", kb)
	fmt.Fprintf(w, "  petrod tx token send alice %s 10ptr --home %s --keyring-backend test%s\n", bob, home, nodeFlag)
	fmt.Fprintf(w, "  petrod query token balance %s%s\n", bob, nodeFlag)
	fmt.Fprintf(w, "  petrod query token supply%s -o json\n", nodeFlag)
	fmt.Fprintf(w, "  petrod query token invariants%s\n", nodeFlag)
	fmt.Fprintf(w, "  petrod keys list --home %s --keyring-backend test\n", home)
	fmt.Fprintf(w, "  petrod status%s\n", rpcFlag)
	fmt.Fprintf(w, "  grpcurl -plaintext %s list\n", grpcAddr)
	fmt.Fprintln(w, "\nStop with Ctrl-C; run `petrod dev` again to continue this chain, or add --reset to start over.")
	fmt.Fprintln(w, bar)
	return nil
}

// devKeyRoles describes what a dev key does on the dev chain.
func devKeyRoles(name string) string {
	switch {
	case name == "alice":
		return "(council, issuer)"
	case name == "bob":
		return "(compliance, pauser)"
	case isDevOracle(name):
		return "(oracle)"
	default:
		return ""
	}
}

func devLotIDs() []string {
	ids := make([]string, len(devSimLots))
	for i, l := range devSimLots {
		ids[i] = l.id
	}
	return ids
}

// setDevTranches models the petro's announced allocation of its hard cap
// as tranches: 38.4 % pre-sale, 44 % public offer (the default tranche)
// and 17.6 % retained by the issuing authority, which holds the dev keys'
// genesis balances.
func setDevTranches(gs *app.GenesisState) {
	var held uint64
	for _, b := range gs.Token.Balances {
		held += b.Amount
	}
	gs.Token.Tranches = []*tokentypes.Tranche{
		{Name: "presale", CapBps: 3840},
		{Name: "public", CapBps: 4400},
		{Name: "retained", CapBps: 1760, Issued: held},
	}
	gs.Token.DefaultTranche = "public"
}
