package main

import (
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

const (
	flagHome     = "home"
	flagOutput   = "output"
	flagLogLevel = "log_level"
	flagLogFmt   = "log_format"
	envHome      = "PETRO_HOME"
)

// DefaultHome is ~/.petro, or $PETRO_HOME when set.
func DefaultHome() string {
	if h := os.Getenv(envHome); h != "" {
		return h
	}
	dir, err := os.UserHomeDir()
	if err != nil {
		return ".petro"
	}
	return filepath.Join(dir, ".petro")
}

// NewRootCmd builds the whole command tree; no globals, so tests can build
// as many as they like.
func NewRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "petrod",
		Short:         "petro: a permissioned chain for an oil-backed token",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().String(flagHome, DefaultHome(), "node and keyring home directory")
	root.AddCommand(
		newInitCmd(),
		newStartCmd(),
		newVersionCmd(),
		newDevCmd(),
		newKeysCmd(),
		newTxCmd(),
		newQueryCmd(),
		newStatusCmd(),
		newTestnetCmd(),
		newAuditCmd(),
		newBenchCmd(),
	)
	return root
}

func homeFlag(cmd *cobra.Command) string {
	h, _ := cmd.Flags().GetString(flagHome)
	return h
}
