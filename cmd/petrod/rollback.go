package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	cmtlog "github.com/cometbft/cometbft/libs/log"
	"github.com/cometbft/cometbft/privval"
	cmtstate "github.com/cometbft/cometbft/state"
	cmtstore "github.com/cometbft/cometbft/store"
	"github.com/spf13/cobra"

	"github.com/petro-network/petro/internal/store"
)

// Recovery commands: rollback and unsafe-reset-all (networks/README.md,
// "Rolling back a block" and "Resetting a node").

func init() {
	extraCommands = append(extraCommands, newRollbackCmd, newUnsafeResetAllCmd)
}

const flagHard = "hard"

func newRollbackCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rollback",
		Short: "Move CometBFT's state and the app state back one height (the node must be stopped)",
		Long: `Rollback overwrites CometBFT's state at height n with the state at n-1 and
deletes app state version n, so that on the next start the node executes
block n again (with the binary it is started with). Use it when a node
committed a bad block (an app hash other nodes do not share) or stopped in
the middle of an upgrade. --hard also removes block n from the block store:
the node then gets it again from its peers. Run it only on a stopped node;
it can be repeated to go back further.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			hard, _ := cmd.Flags().GetBool(flagHard)
			h, hash, err := rollback(homeFlag(cmd), hard)
			if err != nil {
				return err
			}
			what := "state"
			if hard {
				what = "state and block"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Rolled back %s to height %d and app hash %X\n", what, h, hash)
			return nil
		},
	}
	cmd.Flags().Bool(flagHard, false, "also remove the last block from the block store")
	return cmd
}

// rollback steps CometBFT's state back one height (cmtstate.Rollback) and
// the app state to the same height, and checks that the app's root hash
// there is the app hash CometBFT recorded.
func rollback(home string, hard bool) (int64, []byte, error) {
	cfg, err := LoadCometConfig(home)
	if err != nil {
		return 0, nil, err
	}
	appCfg, err := LoadAppConfig(home)
	if err != nil {
		return 0, nil, err
	}
	for _, name := range []string{"blockstore.db", "state.db"} {
		if _, err := os.Stat(filepath.Join(cfg.DBDir(), name)); err != nil {
			return 0, nil, fmt.Errorf("nothing to roll back: %s not found", filepath.Join(cfg.DBDir(), name))
		}
	}
	backend := cometBackend(cfg.DBBackend)
	blockDB, err := store.OpenDB(backend, cfg.DBDir(), "blockstore")
	if err != nil {
		return 0, nil, fmt.Errorf("open block store (is the node still running?): %w", err)
	}
	defer blockDB.Close()
	stateDB, err := store.OpenDB(backend, cfg.DBDir(), "state")
	if err != nil {
		return 0, nil, fmt.Errorf("open state store (is the node still running?): %w", err)
	}
	defer stateDB.Close()
	appDB, err := store.OpenDB(appCfg.DBBackend, cfg.DBDir(), "application")
	if err != nil {
		return 0, nil, fmt.Errorf("open application db (is the node still running?): %w", err)
	}
	defer appDB.Close()

	bs := cmtstore.NewBlockStore(store.NewCometDB(blockDB))
	ss := cmtstate.NewStore(store.NewCometDB(stateDB), cmtstate.StoreOptions{DiscardABCIResponses: cfg.Storage.DiscardABCIResponses})
	height, appHash, err := cmtstate.Rollback(bs, ss, hard)
	if err != nil {
		return 0, nil, fmt.Errorf("roll back CometBFT state: %w", err)
	}
	v, rootHash, err := store.RollbackTo(appDB, height)
	if err != nil {
		return 0, nil, fmt.Errorf("roll back app state to height %d: %w", height, err)
	}
	if v != height {
		return 0, nil, fmt.Errorf("app state is at height %d, CometBFT's at %d: the app is behind; start the node to replay the blocks it lacks", v, height)
	}
	if !bytes.Equal(rootHash, appHash) {
		return 0, nil, fmt.Errorf("app state at height %d has hash %X, CometBFT recorded %X: this data directory is inconsistent; restore it from a backup or a snapshot", v, rootHash, appHash)
	}
	return height, appHash, nil
}

func newUnsafeResetAllCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "unsafe-reset-all",
		Short: "Delete all chain data (app state, blocks, CometBFT state, WAL) and reset the validator's signing state; keys and config stay",
		Long: `unsafe-reset-all removes data/ (the app state, CometBFT's block and state
stores, the consensus WAL, snapshots, upgrade-info.json), the address book,
and resets data/priv_validator_state.json to height 0. config/ (node key,
validator key, genesis, config.toml, app.toml) and keyring/ are kept.
A validator reset this way must not sign again at heights it already
signed: only sync it from peers (or state sync) before it votes.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := LoadCometConfig(homeFlag(cmd))
			if err != nil {
				return err
			}
			return unsafeResetAll(cfg.DBDir(), cfg.P2P.AddrBookFile(), cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile(),
				cmtlog.NewTMLogger(cmtlog.NewSyncWriter(cmd.OutOrStdout())))
		},
	}
}

// unsafeResetAll is CometBFT's reset-all: data/ removed and re-created,
// the address book removed, the signing state reset (the key kept).
func unsafeResetAll(dataDir, addrBook, pvKey, pvState string, logger cmtlog.Logger) error {
	if err := os.RemoveAll(dataDir); err != nil {
		return fmt.Errorf("remove %s: %w", dataDir, err)
	}
	logger.Info("removed all chain data", "dir", dataDir)
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return err
	}
	if err := os.Remove(addrBook); err == nil {
		logger.Info("removed the address book", "file", addrBook)
	} else if !os.IsNotExist(err) {
		return fmt.Errorf("remove %s: %w", addrBook, err)
	}
	if _, err := os.Stat(pvKey); err == nil {
		pv := privval.LoadFilePVEmptyState(pvKey, pvState)
		pv.Reset()
		logger.Info("reset the validator's signing state", "key", pvKey, "state", pvState)
	}
	return nil
}
