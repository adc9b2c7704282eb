package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	cmtversion "github.com/cometbft/cometbft/version"
	"github.com/spf13/cobra"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/app/upgrades"
)

// versionInfo is what `petrod version --long -o json` prints.
type versionInfo struct {
	app.BuildInfo
	CometBFT string `json:"cometbft_version"`
}

func newVersionCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the petrod version (--long: commit, build date, Go, CometBFT, app version)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			long, _ := cmd.Flags().GetBool("long")
			p, err := newPrinter(cmd)
			if err != nil {
				return err
			}
			v := versionInfo{BuildInfo: app.ReadBuildInfo(), CometBFT: cmtversion.TMCoreSemVer}
			v.Upgrades = []string{}
			for _, u := range upgrades.All() {
				v.Upgrades = append(v.Upgrades, u.Name)
			}
			v.AppVersions = supportedAppVersions(v.AppVersion)
			if !long && !p.json {
				fmt.Fprintln(cmd.OutOrStdout(), v.Version)
				return nil
			}
			return p.print(v, func(w io.Writer) {
				fmt.Fprintf(w, "version:      %s\n", v.Version)
				fmt.Fprintf(w, "commit:       %s\n", orUnknown(v.Commit))
				fmt.Fprintf(w, "build date:   %s\n", orUnknown(v.BuildDate))
				fmt.Fprintf(w, "go:           %s\n", v.GoVersion)
				fmt.Fprintf(w, "cometbft:     %s\n", v.CometBFT)
				fmt.Fprintf(w, "app version:  %d (runs %s)\n", v.AppVersion, joinUints(v.AppVersions))
				fmt.Fprintf(w, "upgrades:     %s\n", cmp.Or(strings.Join(v.Upgrades, " "), "none"))
			})
		},
	}
	cmd.Flags().Bool("long", false, "print commit, build date, Go, CometBFT and app versions")
	addOutputFlag(cmd)
	return cmd
}

// supportedAppVersions mirrors app.App.SupportedAppVersions without opening
// a state: own plus each upgrade handler's.
func supportedAppVersions(own uint64) []uint64 {
	out := []uint64{own}
	for _, u := range upgrades.All() {
		if u.AppVersion > 0 && !slices.Contains(out, u.AppVersion) {
			out = append(out, u.AppVersion)
		}
	}
	slices.Sort(out)
	return out
}

func joinUints(s []uint64) string {
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, ",")
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
