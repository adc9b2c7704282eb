package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/cobra"

	"github.com/petro-network/petro/app"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
)

const (
	flagChainID   = "chain-id"
	flagOverwrite = "overwrite"
)

func newInitCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "init [moniker]",
		Short: "Create a node home: config.toml, app.toml, genesis.json and keys",
		Long: `Create a node home (default ~/.petro) with CometBFT's config.toml, petro's
app.toml, a single-validator genesis.json for this node, the validator key
and the node key. Existing files are kept unless --overwrite is given.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			moniker := "petro-node"
			if len(args) == 1 {
				moniker = args[0]
			}
			chainID, _ := cmd.Flags().GetString(flagChainID)
			overwrite, _ := cmd.Flags().GetBool(flagOverwrite)
			home := homeFlag(cmd)
			doc, err := InitHome(home, moniker, chainID, overwrite)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "initialised %s for chain %s (moniker %s)\n", home, doc.ChainID, moniker)
			printGenesisMissing(cmd.OutOrStdout(), genesisPath(home))
			return nil
		},
	}
	cmd.Flags().String(flagChainID, "petro-local-1", "chain id written to genesis.json")
	cmd.Flags().Bool(flagOverwrite, false, "overwrite existing config and genesis files")
	return cmd
}

// DefaultCometConfig is CometBFT's defaults with petro's choices: pebble
// for CometBFT's stores, loopback RPC, Prometheus on :26660 (off by
// default), a 1 s commit timeout.
func DefaultCometConfig(home, moniker string) *cmtcfg.Config {
	c := cmtcfg.DefaultConfig()
	c.SetRoot(home)
	c.Moniker = moniker
	c.DBBackend = "pebbledb"
	c.RPC.ListenAddress = "tcp://127.0.0.1:26657"
	c.P2P.ListenAddress = "tcp://0.0.0.0:26656"
	c.Instrumentation.PrometheusListenAddr = ":26660"
	c.Consensus.TimeoutCommit = time.Second
	// 20,000 txs (CometBFT's default is 5,000): at ~3,000 tx/s and 1 s
	// blocks the default fills between blocks and Broadcast answers
	// "mempool full"; see BENCHMARKS.md.
	c.Mempool.Size = 20_000
	c.TxIndex.Indexer = "kv"
	// Only validators and council-allowed nodes may connect (x/authority).
	c.FilterPeers = true
	return c
}

// InitHome creates home's config and genesis for a one-validator chain run
// by this node, keeping existing files unless overwrite. It returns the
// genesis written (or found).
func InitHome(home, moniker, chainID string, overwrite bool) (*cmttypes.GenesisDoc, error) {
	if chainID == "" {
		return nil, &usageError{"--chain-id must not be empty"}
	}
	c := DefaultCometConfig(home, moniker)
	for _, d := range []string{filepath.Join(home, "config"), filepath.Join(home, "data")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
	}
	cfgPath := filepath.Join(home, "config", "config.toml")
	if overwrite || !fileExists(cfgPath) {
		cmtcfg.WriteConfigFile(cfgPath, c)
	}
	if overwrite || !fileExists(appConfigPath(home)) {
		if err := WriteAppConfig(home, DefaultAppConfig()); err != nil {
			return nil, err
		}
	}
	pv := privval.LoadOrGenFilePV(c.PrivValidatorKeyFile(), c.PrivValidatorStateFile())
	nodeKey, err := p2p.LoadOrGenNodeKey(c.NodeKeyFile())
	if err != nil {
		return nil, err
	}
	genPath := c.GenesisFile()
	if !overwrite && fileExists(genPath) {
		return cmttypes.GenesisDocFromFile(genPath)
	}
	pub, err := pv.GetPubKey()
	if err != nil {
		return nil, err
	}
	gs := app.DefaultGenesis()
	gs.Authority.Validators = []*authoritytypes.Validator{{
		PubKey: pub.Bytes(), Power: 10, NodeId: string(nodeKey.ID()), Moniker: moniker,
	}}
	appState, err := json.Marshal(gs)
	if err != nil {
		return nil, err
	}
	doc := &cmttypes.GenesisDoc{
		ChainID:         chainID,
		GenesisTime:     time.Now().UTC().Truncate(time.Second),
		ConsensusParams: cmttypes.DefaultConsensusParams(),
		Validators:      []cmttypes.GenesisValidator{{Address: pub.Address(), PubKey: pub, Power: 10, Name: moniker}},
		AppState:        appState,
	}
	if err := doc.ValidateAndComplete(); err != nil {
		return nil, err
	}
	return doc, doc.SaveAs(genPath)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// SetGenesisAppState rewrites the app_state of home's genesis.json.
func SetGenesisAppState(home string, gs *app.GenesisState) error {
	path := filepath.Join(home, "config", "genesis.json")
	doc, err := cmttypes.GenesisDocFromFile(path)
	if err != nil {
		return err
	}
	if doc.AppState, err = json.Marshal(gs); err != nil {
		return err
	}
	return doc.SaveAs(path)
}
