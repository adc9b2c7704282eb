package main

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"google.golang.org/grpc"

	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
)

const (
	flagAddress = "address"
	flagRole    = "role"
	flagStatus  = "status"
)

// authorityClient is a connection to --node with the x/authority query
// stub (client.Client does not carry one yet).
type authorityClient struct {
	authoritytypes.QueryClient
	conn *grpc.ClientConn
}

func (c *authorityClient) Close() error { return c.conn.Close() }

// dialAuthority connects to --node like dialNode (TLS per the TLS flags;
// Dial does not connect, the first call does).
func dialAuthority(cmd *cobra.Command) (*authorityClient, string, error) {
	addr, _ := cmd.Flags().GetString(flagNode)
	target := strings.TrimPrefix(addr, "tcp://")
	if target == "" {
		return nil, addr, &usageError{fmt.Sprintf("--%s: empty gRPC address", flagNode)}
	}
	creds, err := nodeCreds(cmd)
	if err != nil {
		return nil, addr, err
	}
	conn, err := grpc.NewClient(target, grpc.WithTransportCredentials(creds))
	if err != nil {
		return nil, addr, &usageError{fmt.Sprintf("--%s: %v", flagNode, err)}
	}
	return &authorityClient{QueryClient: authoritytypes.NewQueryClient(conn), conn: conn}, addr, nil
}

func runAuthorityQuery[R any](cmd *cobra.Command, call func(ctx context.Context, c *authorityClient) (R, error), text func(w io.Writer, r R)) error {
	return runQueryWith(cmd, dialAuthority, call, text)
}

func newQueryAuthorityCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "authority", Short: "Query the council, proposals, roles, validators, peers and params"}
	cmd.AddCommand(
		newQueryCouncilCmd(), newQueryAuthorityParamsCmd(), newQueryValidatorsCmd(), newQueryPeersCmd(),
		newQueryRolesCmd(), newQueryProposalCmd(), newQueryProposalsCmd(),
		newQueryUpgradePlanCmd(), newQueryAppliedUpgradesCmd(),
	)
	return cmd
}

func newQueryCouncilCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "council",
		Short: "The council's members and approval threshold",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			return runAuthorityQuery(cmd, func(ctx context.Context, c *authorityClient) (*authoritytypes.QueryCouncilResponse, error) {
				return c.Council(ctx, &authoritytypes.QueryCouncilRequest{Height: h})
			}, func(w io.Writer, r *authoritytypes.QueryCouncilResponse) {
				cl := r.GetCouncil()
				if len(cl.GetMembers()) == 0 {
					fmt.Fprintln(w, "council: (none)")
				} else {
					fmt.Fprintf(w, "threshold: %d of %d\nmembers:\n", cl.GetThreshold(), len(cl.GetMembers()))
					for _, m := range cl.GetMembers() {
						fmt.Fprintf(w, "  %s\n", m)
					}
				}
				fmt.Fprintf(w, "height: %d\n", r.GetHeight())
			})
		},
	}
	addQueryFlags(cmd, true)
	return cmd
}

func newQueryAuthorityParamsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "params",
		Short: "x/authority parameters: proposal lifetime, timelock, power-change cap, max validators",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			return runAuthorityQuery(cmd, func(ctx context.Context, c *authorityClient) (*authoritytypes.QueryParamsResponse, error) {
				return c.Params(ctx, &authoritytypes.QueryParamsRequest{Height: h})
			}, func(w io.Writer, r *authoritytypes.QueryParamsResponse) {
				printAuthorityParams(w, r.GetParams())
				fmt.Fprintf(w, "height: %d\n", r.GetHeight())
			})
		},
	}
	addQueryFlags(cmd, true)
	return cmd
}

func printAuthorityParams(w io.Writer, p *authoritytypes.Params) {
	fmt.Fprintf(w, "proposal_lifetime: %s\n", secondsString(p.GetProposalLifetimeSeconds()))
	fmt.Fprintf(w, "timelock: %s\n", secondsString(p.GetTimelockSeconds()))
	fmt.Fprintf(w, "max_power_change: %d%%\n", p.GetMaxPowerChangePercent())
	fmt.Fprintf(w, "max_validators: %d\n", p.GetMaxValidators())
}

func secondsString(s uint64) string {
	if s > uint64(time.Duration(1<<63-1)/time.Second) {
		return fmt.Sprintf("%ds", s)
	}
	return (time.Duration(s) * time.Second).String()
}

func newQueryValidatorsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "validators",
		Short: "The validator set as x/authority keeps it (key, power, node id, operator)",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			return runAuthorityQuery(cmd, func(ctx context.Context, c *authorityClient) (*authoritytypes.QueryValidatorsResponse, error) {
				return c.Validators(ctx, &authoritytypes.QueryValidatorsRequest{Height: h})
			}, func(w io.Writer, r *authoritytypes.QueryValidatorsResponse) {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "MONIKER\tPOWER\tADDRESS\tNODE ID\tOPERATOR\tPUBKEY")
				for _, v := range r.GetValidators() {
					addr := v.GetAddress()
					if addr == "" {
						addr = authoritytypes.ConsAddressHex(v.GetPubKey())
					}
					fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", dash(v.GetMoniker()), v.GetPower(), addr,
						dash(v.GetNodeId()), dash(v.GetOperator()), base64.StdEncoding.EncodeToString(v.GetPubKey()))
				}
				tw.Flush()
				fmt.Fprintf(w, "validators: %d, total power: %d\nheight: %d\n", len(r.GetValidators()), r.GetTotalPower(), r.GetHeight())
			})
		},
	}
	addQueryFlags(cmd, true)
	return cmd
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func newQueryPeersCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "peers",
		Short: "Node IDs allowed to connect: the validators' and the council's allowlist",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			return runAuthorityQuery(cmd, func(ctx context.Context, c *authorityClient) (*authoritytypes.QueryPeersResponse, error) {
				return c.Peers(ctx, &authoritytypes.QueryPeersRequest{Height: h})
			}, func(w io.Writer, r *authoritytypes.QueryPeersResponse) {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "NODE ID\tKIND\tNOTE")
				for _, id := range r.GetValidatorNodeIds() {
					fmt.Fprintf(tw, "%s\tvalidator\t-\n", dash(id))
				}
				for _, p := range r.GetAllowlist() {
					fmt.Fprintf(tw, "%s\tallowlist\t%s\n", p.GetNodeId(), dash(p.GetNote()))
				}
				tw.Flush()
				fmt.Fprintf(w, "height: %d\n", r.GetHeight())
			})
		},
	}
	addQueryFlags(cmd, true)
	return cmd
}

func newQueryRolesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "roles",
		Short: "Role grants, optionally of one address and/or one role",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			req := &authoritytypes.QueryRolesRequest{Height: h}
			if a, _ := cmd.Flags().GetString(flagAddress); a != "" {
				addr, err := parseAddressArg("--"+flagAddress, a)
				if err != nil {
					return err
				}
				req.Address = addr.String()
			}
			if r, _ := cmd.Flags().GetString(flagRole); r != "" {
				if req.Role, err = parseRole(r); err != nil {
					return err
				}
			}
			return runAuthorityQuery(cmd, func(ctx context.Context, c *authorityClient) (*authoritytypes.QueryRolesResponse, error) {
				return c.Roles(ctx, req)
			}, func(w io.Writer, r *authoritytypes.QueryRolesResponse) {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ADDRESS\tROLE\tALLOWANCE\tPROPOSAL")
				for _, g := range r.GetRoles() {
					allow := "-"
					if g.GetRole() == authoritytypes.Role_ROLE_ISSUER {
						allow = fmt.Sprintf("%d (%s)", g.GetAllowance(), formatPTR(g.GetAllowance()))
					}
					prop := "genesis"
					if g.GetProposalId() != 0 {
						prop = strconv.FormatUint(g.GetProposalId(), 10)
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", g.GetAddress(), roleName(g.GetRole()), allow, prop)
				}
				tw.Flush()
				fmt.Fprintf(w, "height: %d\n", r.GetHeight())
			})
		},
	}
	addQueryFlags(cmd, true)
	cmd.Flags().String(flagAddress, "", "only this address's grants")
	cmd.Flags().String(flagRole, "", "only this role: issuer|oracle|compliance|pauser")
	return cmd
}

func newQueryProposalCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "proposal ID",
		Short: "One council proposal: action, approvals, status",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseProposalID(args[0])
			if err != nil {
				return err
			}
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			return runAuthorityQuery(cmd, func(ctx context.Context, c *authorityClient) (*authoritytypes.QueryProposalResponse, error) {
				return c.Proposal(ctx, &authoritytypes.QueryProposalRequest{Id: id, Height: h})
			}, func(w io.Writer, r *authoritytypes.QueryProposalResponse) {
				printProposal(w, r.GetProposal())
				fmt.Fprintf(w, "height: %d\n", r.GetHeight())
			})
		},
	}
	addQueryFlags(cmd, true)
	return cmd
}

func newQueryProposalsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "proposals",
		Short: "List proposals by id, optionally of one status, one page at a time",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			req := &authoritytypes.QueryProposalsRequest{Height: h, Pagination: &authoritytypes.PageRequest{}}
			if s, _ := cmd.Flags().GetString(flagStatus); s != "" {
				if req.Status, err = parseProposalStatus(s); err != nil {
					return err
				}
			}
			req.Pagination.Limit, _ = cmd.Flags().GetUint32(flagLimit)
			pk, _ := cmd.Flags().GetString(flagPageKey)
			if req.Pagination.Key, err = base64.StdEncoding.DecodeString(pk); err != nil || (len(req.Pagination.Key) != 0 && len(req.Pagination.Key) != 8) {
				return &usageError{fmt.Sprintf("--%s %q: pass next_key (base64) from the previous page", flagPageKey, pk)}
			}
			return runAuthorityQuery(cmd, func(ctx context.Context, c *authorityClient) (*authoritytypes.QueryProposalsResponse, error) {
				return c.Proposals(ctx, req)
			}, func(w io.Writer, r *authoritytypes.QueryProposalsResponse) {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tSTATUS\tAPPROVALS\tSUBMITTED\tPROPOSER\tACTION")
				for _, p := range r.GetProposals() {
					fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%s\t%s\n", p.GetId(), statusName(p.GetStatus()), len(p.GetApprovals()),
						p.GetSubmitHeight(), p.GetProposer(), describeAction(p.GetAction()))
				}
				tw.Flush()
				fmt.Fprintf(w, "height: %d\n", r.GetHeight())
				if nk := r.GetPagination().GetNextKey(); len(nk) > 0 {
					next := ""
					if len(nk) == 8 {
						next = fmt.Sprintf(" (from proposal %d)", binary.BigEndian.Uint64(nk))
					}
					fmt.Fprintf(w, "next page: --%s %s%s\n", flagPageKey, base64.StdEncoding.EncodeToString(nk), next)
				}
			})
		},
	}
	addQueryFlags(cmd, true)
	cmd.Flags().String(flagStatus, "", "only proposals in this status: voting|passed|executed|failed|expired")
	cmd.Flags().Uint32(flagLimit, 0, "page size (0 = the node's default, 100; at most 1000)")
	cmd.Flags().String(flagPageKey, "", "next_key (base64) from the previous page")
	return cmd
}

func parseProposalID(s string) (uint64, error) {
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil || id == 0 {
		return 0, &usageError{fmt.Sprintf("proposal id %q: want a positive integer", s)}
	}
	return id, nil
}

// parseProposalStatus accepts voting|passed|executed|failed|expired (any
// case, or the enum's full name).
func parseProposalStatus(s string) (authoritytypes.ProposalStatus, error) {
	name := "PROPOSAL_STATUS_" + strings.TrimPrefix(strings.ToUpper(s), "PROPOSAL_STATUS_")
	v, ok := authoritytypes.ProposalStatus_value[name]
	if !ok || v == 0 {
		return 0, &usageError{fmt.Sprintf("--%s %q: want voting, passed, executed, failed or expired", flagStatus, s)}
	}
	return authoritytypes.ProposalStatus(v), nil
}

func statusName(s authoritytypes.ProposalStatus) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "PROPOSAL_STATUS_"))
}

func roleName(r authoritytypes.Role) string {
	return strings.ToLower(strings.TrimPrefix(r.String(), "ROLE_"))
}

// printProposal writes a proposal as key: value lines.
func printProposal(w io.Writer, p *authoritytypes.Proposal) {
	fmt.Fprintf(w, "id: %d\nstatus: %s\nproposer: %s\naction: %s\n", p.GetId(), statusName(p.GetStatus()), p.GetProposer(), describeAction(p.GetAction()))
	if p.GetMemo() != "" {
		fmt.Fprintf(w, "memo: %s\n", p.GetMemo())
	}
	fmt.Fprintf(w, "approvals: %d\n", len(p.GetApprovals()))
	for _, a := range p.GetApprovals() {
		fmt.Fprintf(w, "  %s\n", a)
	}
	fmt.Fprintf(w, "submitted: height %d, %s\n", p.GetSubmitHeight(), unixString(p.GetSubmitTimeUnix()))
	fmt.Fprintf(w, "expires: %s\n", unixString(p.GetExpiresAtUnix()))
	if p.GetPassedHeight() != 0 {
		fmt.Fprintf(w, "passed: height %d, executable at %s\n", p.GetPassedHeight(), unixString(p.GetExecutableAtUnix()))
	}
	if p.GetFinalHeight() != 0 {
		fmt.Fprintf(w, "final height: %d\n", p.GetFinalHeight())
	}
	if p.GetResult() != "" {
		fmt.Fprintf(w, "result: %s\n", p.GetResult())
	}
}

func unixString(s int64) string {
	if s == 0 {
		return "-"
	}
	return time.Unix(s, 0).UTC().Format(time.RFC3339)
}

// describeAction is a one-line human description of an action.
func describeAction(a *authoritytypes.Action) string {
	switch s := a.GetSum().(type) {
	case *authoritytypes.Action_GrantRole:
		d := fmt.Sprintf("grant-role %s %s", s.GrantRole.GetAddress(), roleName(s.GrantRole.GetRole()))
		if s.GrantRole.GetRole() == authoritytypes.Role_ROLE_ISSUER {
			d += " allowance " + formatPTR(s.GrantRole.GetAllowance())
		}
		return d
	case *authoritytypes.Action_RevokeRole:
		return fmt.Sprintf("revoke-role %s %s", s.RevokeRole.GetAddress(), roleName(s.RevokeRole.GetRole()))
	case *authoritytypes.Action_SetAllowance:
		return fmt.Sprintf("set-allowance %s %s", s.SetAllowance.GetAddress(), formatPTR(s.SetAllowance.GetAllowance()))
	case *authoritytypes.Action_AddValidator:
		v := s.AddValidator.GetValidator()
		return fmt.Sprintf("add-validator %s power %d node %s moniker %q", authoritytypes.ConsAddressHex(v.GetPubKey()), v.GetPower(), v.GetNodeId(), v.GetMoniker())
	case *authoritytypes.Action_RemoveValidator:
		return "remove-validator " + authoritytypes.ConsAddressHex(s.RemoveValidator.GetPubKey())
	case *authoritytypes.Action_SetValidatorPower:
		return fmt.Sprintf("set-power %s %d", authoritytypes.ConsAddressHex(s.SetValidatorPower.GetPubKey()), s.SetValidatorPower.GetPower())
	case *authoritytypes.Action_AllowPeer:
		d := "allow-peer " + s.AllowPeer.GetPeer().GetNodeId()
		if n := s.AllowPeer.GetPeer().GetNote(); n != "" {
			d += fmt.Sprintf(" %q", n)
		}
		return d
	case *authoritytypes.Action_DenyPeer:
		return "deny-peer " + s.DenyPeer.GetNodeId()
	case *authoritytypes.Action_SetParams:
		p := s.SetParams.GetParams()
		return fmt.Sprintf("set-params lifetime %s timelock %s max-power-change %d%% max-validators %d",
			secondsString(p.GetProposalLifetimeSeconds()), secondsString(p.GetTimelockSeconds()), p.GetMaxPowerChangePercent(), p.GetMaxValidators())
	case *authoritytypes.Action_SetCouncil:
		c := s.SetCouncil.GetCouncil()
		return fmt.Sprintf("set-council %d of [%s]", c.GetThreshold(), strings.Join(c.GetMembers(), ","))
	case *authoritytypes.Action_WipeFrozen:
		return fmt.Sprintf("wipe-frozen %s case %q", s.WipeFrozen.GetAddress(), s.WipeFrozen.GetCaseId())
	case *authoritytypes.Action_SetRateLimit:
		return fmt.Sprintf("set-rate-limit %s, %d windows", s.SetRateLimit.GetLimit().GetIssuer(), len(s.SetRateLimit.GetLimit().GetWindows()))
	case *authoritytypes.Action_SetTranche:
		return fmt.Sprintf("set-tranche %s", s.SetTranche.GetTranche().GetName())
	case *authoritytypes.Action_RejectRedemption:
		return fmt.Sprintf("reject-redemption %d reason %q", s.RejectRedemption.GetRedemptionId(), s.RejectRedemption.GetReason())
	case *authoritytypes.Action_CreateLot:
		return "create-lot " + describeLot(s.CreateLot.GetLot())
	case *authoritytypes.Action_UpdateLot:
		return "update-lot " + describeLot(s.UpdateLot.GetLot())
	case *authoritytypes.Action_RetireLot:
		return "retire-lot " + s.RetireLot.GetLotId()
	case *authoritytypes.Action_SetHalt:
		d := "unhalt"
		if s.SetHalt.GetHalted() {
			d = "halt"
		}
		if r := s.SetHalt.GetReason(); r != "" {
			d += fmt.Sprintf(" %q", r)
		}
		return d
	case *authoritytypes.Action_SetReserveParams:
		p := s.SetReserveParams.GetParams()
		return fmt.Sprintf("set-reserve-params quorum %d max-age %s skew %s deviation %d bps barrels/PTR %s margin %d bps",
			p.GetQuorum(), secondsString(p.GetMaxAgeSeconds()), secondsString(p.GetMaxFutureSkewSeconds()), p.GetMaxDeviationBps(),
			formatDecimal8(p.GetBarrelsPerToken()), p.GetMarginBps())
	case nil:
		return "(none)"
	default:
		return a.Name()
	}
}

func describeLot(l *reservetypes.Lot) string {
	return fmt.Sprintf("%s field %s %s certifier %q valid until %s", l.GetId(), l.GetField(), categoryName(l.GetCategory()),
		l.GetCertifier(), unixString(l.GetValidUntilUnix()))
}
