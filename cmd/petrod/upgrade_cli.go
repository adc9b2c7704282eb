package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	authoritytypes "github.com/petro-network/petro/x/authority/types"
)

// Council upgrade actions (`petrod tx authority propose schedule-upgrade /
// cancel-upgrade`) and their queries (`petrod query authority upgrade-plan
// / applied-upgrades`).

const (
	flagUpgradeHeight = "upgrade-height"
	flagUpgradeInfo   = "info"
)

func upgradeProposeCmds() []*cobra.Command {
	schedule := &cobra.Command{
		Use:   "schedule-upgrade NAME --upgrade-height H [--info TEXT]",
		Short: "Schedule a coordinated upgrade: every node stops before block H unless its binary has the NAME handler",
		Example: `  petrod tx authority propose schedule-upgrade v2 --upgrade-height 120000 --info "petrod v2.0.0" --from val0
  petrod query authority upgrade-plan`,
		Args: usageArgs(cobra.ExactArgs(1)),
	}
	schedule.Flags().Int64(flagUpgradeHeight, 0, fmt.Sprintf("the upgrade height (required; at least %d blocks after the block that executes the proposal)", authoritytypes.MinUpgradeDelayBlocks))
	schedule.Flags().String(flagUpgradeInfo, "", "free text for operators and cosmovisor (written to upgrade-info.json)")
	cancel := &cobra.Command{
		Use:   "cancel-upgrade NAME",
		Short: "Cancel the scheduled upgrade NAME",
		Args:  usageArgs(cobra.ExactArgs(1)),
	}
	return []*cobra.Command{schedule, cancel}
}

// buildUpgradeAction builds schedule-upgrade and cancel-upgrade actions.
func buildUpgradeAction(cmd *cobra.Command, args []string) (*authoritytypes.Action, error) {
	if err := authoritytypes.ValidateUpgradeName(args[0]); err != nil {
		return nil, &usageError{err.Error()}
	}
	if cmd.Name() == "cancel-upgrade" {
		return &authoritytypes.Action{Sum: &authoritytypes.Action_CancelUpgrade{CancelUpgrade: &authoritytypes.CancelUpgrade{Name: args[0]}}}, nil
	}
	h, _ := cmd.Flags().GetInt64(flagUpgradeHeight)
	info, _ := cmd.Flags().GetString(flagUpgradeInfo)
	m := &authoritytypes.ScheduleUpgrade{Name: args[0], Height: h, Info: info}
	if h <= 0 {
		return nil, &usageError{fmt.Sprintf("--%s: a positive height is required", flagUpgradeHeight)}
	}
	if err := m.ValidateBasic(); err != nil {
		return nil, &usageError{err.Error()}
	}
	return &authoritytypes.Action{Sum: &authoritytypes.Action_ScheduleUpgrade{ScheduleUpgrade: m}}, nil
}

func newQueryUpgradePlanCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "upgrade-plan",
		Short: "The scheduled upgrade (name, height, info) and the chain's app version",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			return runAuthorityQuery(cmd, func(ctx context.Context, c *authorityClient) (*authoritytypes.QueryUpgradePlanResponse, error) {
				return c.UpgradePlan(ctx, &authoritytypes.QueryUpgradePlanRequest{Height: h})
			}, func(w io.Writer, r *authoritytypes.QueryUpgradePlanResponse) {
				if p := r.GetPlan(); p == nil {
					fmt.Fprintln(w, "upgrade plan: (none)")
				} else {
					fmt.Fprintf(w, "upgrade plan: %s at height %d (proposal %d)\n", p.Name, p.Height, p.ProposalId)
					if p.Info != "" {
						fmt.Fprintf(w, "info:         %s\n", p.Info)
					}
				}
				fmt.Fprintf(w, "app version:  %d\nheight:       %d\n", r.GetAppVersion(), r.GetHeight())
			})
		},
	}
	addQueryFlags(cmd, true)
	return cmd
}

func newQueryAppliedUpgradesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "applied-upgrades",
		Short: "The upgrades applied so far: name, height, app version from then on",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			req := &authoritytypes.QueryAppliedUpgradesRequest{Height: h, Pagination: &authoritytypes.PageRequest{}}
			req.Pagination.Limit, _ = cmd.Flags().GetUint32(flagLimit)
			if pk, _ := cmd.Flags().GetString(flagPageKey); pk != "" {
				if req.Pagination.Key, err = base64.StdEncoding.DecodeString(pk); err != nil {
					return &usageError{fmt.Sprintf("--%s %q: pass next_key (base64) from the previous page", flagPageKey, pk)}
				}
			}
			return runAuthorityQuery(cmd, func(ctx context.Context, c *authorityClient) (*authoritytypes.QueryAppliedUpgradesResponse, error) {
				return c.AppliedUpgrades(ctx, req)
			}, func(w io.Writer, r *authoritytypes.QueryAppliedUpgradesResponse) {
				if len(r.GetUpgrades()) == 0 {
					fmt.Fprintln(w, "applied upgrades: (none)")
				}
				for _, u := range r.GetUpgrades() {
					fmt.Fprintf(w, "%-24s height %-10s app version %d\n", u.Name, strconv.FormatInt(u.Height, 10), u.AppVersion)
				}
				if nk := r.GetPagination().GetNextKey(); len(nk) > 0 {
					fmt.Fprintf(w, "next page: --%s %s\n", flagPageKey, base64.StdEncoding.EncodeToString(nk))
				}
				fmt.Fprintf(w, "height: %d\n", r.GetHeight())
			})
		},
	}
	addQueryFlags(cmd, true)
	cmd.Flags().Uint32(flagLimit, 0, "page size (0 = the node's default, 100; at most 1000)")
	cmd.Flags().String(flagPageKey, "", "next_key (base64) from the previous page")
	return cmd
}
