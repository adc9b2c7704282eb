package main

import (
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
	"github.com/spf13/cobra"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/internal/crypto"
	"github.com/petro-network/petro/internal/keyring"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

const (
	flagReset = "reset"

	devChainID = "petro-dev-1"
	devMoniker = "dev"
	// devBalance is what each dev key holds at genesis: 1,000,000 PTR.
	devBalance = 1_000_000 * ptrUnit
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
)

// devKey is one funded key of the dev chain.
type devKey struct {
	Name     string `json:"name"`
	Address  string `json:"address"`
	Mnemonic string `json:"mnemonic"`
}

type devKeys []devKey

// devKeyList derives the dev keys from their fixed mnemonics.
func devKeyList() (devKeys, error) {
	named := []struct{ name, mnemonic string }{
		{"validator", devMnemonicValidator},
		{"alice", devMnemonicAlice},
		{"bob", devMnemonicBob},
		{"carol", devMnemonicCarol},
	}
	keys := make(devKeys, len(named))
	for i, n := range named {
		priv, err := crypto.DerivePrivKeyFromMnemonic(n.mnemonic, "", 0, 0)
		if err != nil {
			return nil, fmt.Errorf("dev key %s: %w", n.name, err)
		}
		keys[i] = devKey{Name: n.name, Address: priv.PubKey().Address().String(), Mnemonic: n.mnemonic}
	}
	return keys, nil
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
keys validator, alice, bob and carol in the home's *test* keyring (unencrypted),
each funded with 1,000,000 PTR. Their mnemonics are fixed and public. Later
runs start the existing chain. --reset deletes the dev home first.`,
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
			if err := printDevBanner(cmd.OutOrStdout(), home, keys, o, created); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return RunNode(ctx, home, o, cmd.ErrOrStderr())
		},
	}
	cmd.Flags().Bool(flagReset, false, "delete the dev home (only one created by petrod dev) and start afresh")
	addStartFlags(cmd)
	return cmd
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
	gs := app.DefaultGenesis()
	for _, k := range keys {
		rec, err := kr.Recover(k.Name, k.Mnemonic)
		if err != nil {
			return nil, fmt.Errorf("dev key %s: %w", k.Name, err)
		}
		if rec.Address.String() != k.Address {
			return nil, fmt.Errorf("dev key %s: keyring derived %s, want %s", k.Name, rec.Address, k.Address)
		}
		gs.Token.Balances = append(gs.Token.Balances, &tokentypes.Balance{Address: k.Address, Amount: devBalance})
	}
	sort.Slice(gs.Token.Balances, func(i, j int) bool { return gs.Token.Balances[i].Address < gs.Token.Balances[j].Address })
	if err := gs.Token.Validate(); err != nil {
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

// printDevBanner tells the user what is running and how to use it.
func printDevBanner(w io.Writer, home string, keys devKeys, o StartOverrides, created bool) error {
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
	fmt.Fprintf(w, "Dev keys, each funded with %s at genesis, in the UNENCRYPTED test keyring.\n", formatPTR(devBalance))
	fmt.Fprintln(w, "Their mnemonics are PUBLIC (hard-coded in petrod): never use them for real funds.")
	for _, k := range keys {
		fmt.Fprintf(w, "\n  %-9s  %s\n             %s\n", k.Name, k.Address, k.Mnemonic)
	}
	fmt.Fprintf(w, "\nEndpoints\n  gRPC            %s   (plaintext)\n  CometBFT RPC    %s\n  P2P             %s\n\n", grpcAddr, rpcHTTP, p2pAddr)
	bob := keys[0].Address
	for _, k := range keys {
		if k.Name == "bob" {
			bob = k.Address
		}
	}
	fmt.Fprintln(w, "Try")
	fmt.Fprintf(w, "  petrod tx token send alice %s 10ptr --home %s --keyring-backend test%s\n", bob, home, nodeFlag)
	fmt.Fprintf(w, "  petrod query token balance %s%s\n", bob, nodeFlag)
	fmt.Fprintf(w, "  petrod query token supply%s -o json\n", nodeFlag)
	fmt.Fprintf(w, "  petrod keys list --home %s --keyring-backend test\n", home)
	fmt.Fprintf(w, "  petrod status%s\n", rpcFlag)
	fmt.Fprintf(w, "  grpcurl -plaintext %s list\n", grpcAddr)
	fmt.Fprintln(w, "\nStop with Ctrl-C; run `petrod dev` again to continue this chain, or add --reset to start over.")
	fmt.Fprintln(w, bar)
	return nil
}
