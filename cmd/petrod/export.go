package main

import (
	"encoding/json"
	"fmt"

	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/cobra"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/internal/store"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
)

const (
	flagOutputDocument = "output-document"
)

func init() { extraCommands = append(extraCommands, newExportCmd) }

func newExportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write the whole state at a height as a genesis file (the node must be stopped)",
		Long: `Write the application state at a committed height (default: the latest) as a
genesis.json a new chain starts from: every module's state, the validators
(with node IDs) as CometBFT's genesis validators, the chain id and consensus
parameters of config/genesis.json, initial_height = height + 1 and
genesis_time = the time of block height (so block time never goes back).
A chain started from it holds exactly that state. The node must be stopped
(the database is locked while it runs); --height must be a retained version
(app.toml pruning).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			height, _ := cmd.Flags().GetInt64(flagHeight)
			if height < 0 {
				return &usageError{"--height must not be negative"}
			}
			doc, err := ExportGenesis(homeFlag(cmd), height)
			if err != nil {
				return err
			}
			bz, err := cmtjson.MarshalIndent(doc, "", "  ")
			if err != nil {
				return err
			}
			bz = append(bz, '\n')
			if out, _ := cmd.Flags().GetString(flagOutputDocument); out != "" {
				if err := writeFileAtomic(out, bz, 0o644); err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "exported height %d of %s to %s (initial height %d)\n", doc.InitialHeight-1, doc.ChainID, out, doc.InitialHeight)
				return nil
			}
			_, err = cmd.OutOrStdout().Write(bz)
			return err
		},
	}
	cmd.Flags().Int64(flagHeight, 0, "height to export (0: the latest committed)")
	cmd.Flags().String(flagOutputDocument, "", "write the genesis to this file instead of stdout")
	return cmd
}

// ExportGenesis opens home's application state and returns the genesis of
// a chain that continues from height (0: the latest).
func ExportGenesis(home string, height int64) (*cmttypes.GenesisDoc, error) {
	cfg, err := LoadCometConfig(home)
	if err != nil {
		return nil, err
	}
	appCfg, err := LoadAppConfig(home)
	if err != nil {
		return nil, err
	}
	orig, err := cmttypes.GenesisDocFromFile(cfg.GenesisFile())
	if err != nil {
		return nil, fmt.Errorf("genesis %s: %w", cfg.GenesisFile(), err)
	}
	db, err := store.OpenDB(appCfg.DBBackend, cfg.DBDir(), "application")
	if err != nil {
		return nil, fmt.Errorf("open application db (is the node still running?): %w", err)
	}
	defer db.Close()
	a, err := app.New(orig.ChainID, db, app.Options{})
	if err != nil {
		return nil, err
	}
	defer a.Close()
	gs, h, err := a.ExportGenesis(height)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if h == 0 {
		return nil, fmt.Errorf("export: nothing committed yet in %s", cfg.DBDir())
	}
	t, err := a.LastBlockTimeAt(h)
	if err != nil {
		return nil, err
	}
	appState, err := json.Marshal(gs)
	if err != nil {
		return nil, err
	}
	// The consensus params carry the chain's app version on (InitChain
	// hands CometBFT the same from app_state).
	params := *orig.ConsensusParams
	params.Version.App = max(gs.Authority.AppVersion, authoritytypes.GenesisAppVersion)
	doc := &cmttypes.GenesisDoc{
		ChainID:         orig.ChainID,
		GenesisTime:     t,
		InitialHeight:   h + 1,
		ConsensusParams: &params,
		AppState:        appState,
	}
	for _, v := range gs.Authority.Validators {
		pk := ed25519.PubKey(v.PubKey)
		doc.Validators = append(doc.Validators, cmttypes.GenesisValidator{Address: pk.Address(), PubKey: pk, Power: v.Power, Name: v.Moniker})
	}
	if err := doc.ValidateAndComplete(); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return doc, nil
}
