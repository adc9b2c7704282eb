package main

import (
	"fmt"

	cmtversion "github.com/cometbft/cometbft/version"
	"github.com/spf13/cobra"

	"github.com/petro-network/petro/app"
)

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the petrod and CometBFT versions",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintf(cmd.OutOrStdout(), "petrod %s (app protocol %d, CometBFT %s)\n", app.SoftwareVersion, app.AppVersion, cmtversion.TMCoreSemVer)
		},
	}
}
