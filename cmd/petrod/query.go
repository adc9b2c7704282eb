package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/crypto"
	txtypes "github.com/petro-network/petro/types/tx"
	authtypes "github.com/petro-network/petro/x/auth/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

const (
	flagNode    = "node"
	flagHeight  = "height"
	flagLimit   = "limit"
	flagPageKey = "page-key"

	defaultGRPCNode = "127.0.0.1:9090"
	queryTimeout    = 30 * time.Second
)

func addNodeFlag(cmd *cobra.Command) {
	cmd.Flags().String(flagNode, defaultGRPCNode, "gRPC address of a petro node (host:port; plaintext unless --tls)")
	fromClientConfig(cmd.Flags(), flagNode)
	addTLSFlags(cmd.Flags())
}

// dialNode connects to --node.
func dialNode(cmd *cobra.Command) (*client.Client, string, error) {
	addr, _ := cmd.Flags().GetString(flagNode)
	if err := checkGRPCAddr(addr); err != nil {
		return nil, addr, &usageError{err.Error()}
	}
	var c *client.Client
	var err error
	if o, ok := tlsOptions(cmd); ok {
		c, err = client.DialTLS(addr, o)
	} else {
		c, err = client.Dial(addr)
	}
	if err != nil {
		return nil, addr, &usageError{fmt.Sprintf("--%s: %v", flagNode, err)}
	}
	return c, addr, nil
}

// checkGRPCAddr accepts what --node takes: a gRPC host:port (tcp:// is
// tolerated, as client.Dial drops it). A URL, which is what --node-rpc
// takes, or a missing port is refused with what was expected.
func checkGRPCAddr(addr string) error {
	want := fmt.Sprintf("--%s wants the gRPC address of a petro node, host:port (port 9090 by default, e.g. %s)", flagNode, defaultGRPCNode)
	hostPort := strings.TrimPrefix(addr, "tcp://")
	if strings.Contains(hostPort, "://") {
		return fmt.Errorf("%s %q is a URL: %s; a CometBFT RPC URL (http://host:26657) goes to --%s", flagNode, addr, want, flagNodeRPC)
	}
	if _, _, err := net.SplitHostPort(hostPort); err != nil {
		return fmt.Errorf("%s %q: %s", flagNode, addr, want)
	}
	return nil
}

// checkRPCURL accepts what --node-rpc takes: a CometBFT RPC URL. A bare
// host:port, which is what --node takes, is refused with what was expected.
func checkRPCURL(addr string) error {
	if u, err := url.Parse(addr); err == nil && u.Host != "" && (u.Scheme == "http" || u.Scheme == "https" || u.Scheme == "tcp") {
		return nil
	}
	return fmt.Errorf("%s %q: --%s wants the CometBFT RPC URL of a node, http://host:port (port 26657 by default, e.g. %s); a gRPC host:port (9090) goes to --%s", flagNodeRPC, addr, flagNodeRPC, defaultNodeRPC, flagNode)
}

// portHint says what was expected when a gRPC call to addr failed with msg:
// pointing --node at CometBFT RPC or REST is the usual mistake.
func portHint(addr, msg string) string {
	want := fmt.Sprintf("--%s wants the gRPC port (9090 by default)", flagNode)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(addr, "tcp://"))
	what := map[string]string{"26657": "CometBFT RPC (--" + flagNodeRPC + ")", "1317": "the REST gateway", "26656": "P2P", "26660": "Prometheus"}[port]
	http1 := strings.Contains(msg, "server preface") || strings.Contains(msg, "frame too large")
	switch {
	case http1 && what != "":
		return fmt.Sprintf("; %s answers HTTP/1, not gRPC: port %s is %s, %s", addr, port, what, want)
	case http1:
		return fmt.Sprintf("; %s answers HTTP/1, not gRPC: is it CometBFT RPC (26657, --%s) or REST (1317)? %s", addr, flagNodeRPC, want)
	case what != "":
		return fmt.Sprintf("; port %s is %s, %s", port, what, want)
	}
	return fmt.Sprintf("; --%s is the node's gRPC address host:port (9090 by default), not its CometBFT RPC URL", flagNode)
}

// rpcHint is portHint for --node-rpc: a gRPC server there answers HTTP/2
// frames that the RPC client cannot read.
func rpcHint(err error) string {
	if strings.Contains(err.Error(), "malformed HTTP response") {
		return fmt.Sprintf("; it answers HTTP/2, not CometBFT RPC: is it the gRPC port (9090, that is --%s)?", flagNode)
	}
	return ""
}

// nodeErr turns a gRPC failure into one line that says what to do.
func nodeErr(addr string, err error) error {
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	switch st.Code() {
	case codes.Unavailable:
		return fmt.Errorf("node %s unavailable (is petrod running there? see --%s): %s%s", addr, flagNode, grpcDesc(st.Message()), portHint(addr, st.Message()))
	case codes.DeadlineExceeded:
		return fmt.Errorf("node %s: timed out: %s%s", addr, st.Message(), portHint(addr, st.Message()))
	case codes.Unimplemented:
		return fmt.Errorf("node %s does not serve this query (is it a petro node's gRPC port?): %s%s", addr, st.Message(), portHint(addr, st.Message()))
	default:
		return fmt.Errorf("node %s: %s (%s)", addr, st.Message(), st.Code())
	}
}

// grpcDesc keeps the innermost cause of a gRPC transport message, e.g.
// `connection error: desc = "transport: Error while dialing: dial tcp …:
// connect: connection refused"` → `dial tcp …: connect: connection refused`.
func grpcDesc(msg string) string {
	if i := strings.LastIndex(msg, "Error while dialing: "); i >= 0 {
		msg = msg[i+len("Error while dialing: "):]
	} else if i := strings.LastIndex(msg, `desc = "`); i >= 0 {
		msg = msg[i+len(`desc = "`):]
	}
	return strings.Trim(msg, `"`)
}

func parseAddressArg(what, s string) (crypto.Address, error) {
	a, err := crypto.AddressFromBech32(s)
	if err != nil {
		return nil, &usageError{fmt.Sprintf("%s %q: %v", what, s, err)}
	}
	return a, nil
}

// runQuery is the shape of every query command: build the printer, dial,
// call with a timeout, map errors, print.
func runQuery[R any](cmd *cobra.Command, call func(ctx context.Context, c *client.Client) (R, error), text func(w io.Writer, r R)) error {
	return runQueryWith(cmd, dialNode, call, text)
}

// runQueryWith is runQuery for any client type (dial returns it, --node's
// address, and a usage error if --node is bad).
func runQueryWith[C io.Closer, R any](cmd *cobra.Command, dial func(*cobra.Command) (C, string, error), call func(ctx context.Context, c C) (R, error), text func(w io.Writer, r R)) error {
	p, err := newPrinter(cmd)
	if err != nil {
		return err
	}
	c, addr, err := dial(cmd)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(cmd.Context(), queryTimeout)
	defer cancel()
	res, err := call(ctx, c)
	if err != nil {
		return nodeErr(addr, err)
	}
	return p.print(res, func(w io.Writer) { text(w, res) })
}

func newQueryCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "query",
		Aliases: []string{"q"},
		Short:   "Read chain state from a node over gRPC (--node)",
		Long: `Read chain state from a node over gRPC (--node, default ` + defaultGRPCNode + `).
With -o json the result is the protobuf response in protojson form (proto
field names, every field present, 64-bit integers as strings, bytes in
base64).`,
	}
	token := &cobra.Command{Use: "token", Short: "Query balances, supply, redemptions, compliance state and invariants"}
	token.AddCommand(newQueryBalanceCmd(), newQueryBalancesCmd(), newQuerySupplyCmd())
	token.AddCommand(tokenQueryCmds()...)
	auth := &cobra.Command{Use: "auth", Short: "Query accounts"}
	auth.AddCommand(newQueryAccountCmd())
	cmd.AddCommand(token, auth, newQueryAuthorityCmd(), newQueryReserveCmd(), newQueryTxCmd(), newQueryTxsCmd())
	return cmd
}

func addQueryFlags(cmd *cobra.Command, withHeight bool) {
	addNodeFlag(cmd)
	addOutputFlag(cmd)
	if withHeight {
		cmd.Flags().Int64(flagHeight, 0, "committed height to read (0 = latest)")
	}
}

func heightFlag(cmd *cobra.Command) (int64, error) {
	h, _ := cmd.Flags().GetInt64(flagHeight)
	if h < 0 {
		return 0, &usageError{"--height must not be negative"}
	}
	return h, nil
}

func newQueryBalanceCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "balance ADDRESS",
		Short: "An address's balance in base units (1 PTR = 10^8)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := parseAddressArg("address", args[0])
			if err != nil {
				return err
			}
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			return runQuery(cmd, func(ctx context.Context, c *client.Client) (*tokentypes.QueryBalanceResponse, error) {
				return c.Token.Balance(ctx, &tokentypes.QueryBalanceRequest{Address: addr.String(), Height: h})
			}, func(w io.Writer, r *tokentypes.QueryBalanceResponse) {
				amt := r.GetBalance().GetAmount()
				fmt.Fprintf(w, "address: %s\nbalance: %d (%s)\nheight: %d\n", addr, amt, formatPTR(amt), r.GetHeight())
			})
		},
	}
	addQueryFlags(cmd, true)
	return cmd
}

func newQueryBalancesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "balances",
		Short: "List non-zero balances, one page at a time",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			limit, _ := cmd.Flags().GetUint32(flagLimit)
			pk, _ := cmd.Flags().GetString(flagPageKey)
			key, err := base64.StdEncoding.DecodeString(pk)
			if err != nil {
				return &usageError{fmt.Sprintf("--%s: not base64 (pass next_key from the previous page): %v", flagPageKey, err)}
			}
			return runQuery(cmd, func(ctx context.Context, c *client.Client) (*tokentypes.QueryAllBalancesResponse, error) {
				return c.Token.AllBalances(ctx, &tokentypes.QueryAllBalancesRequest{Height: h, Pagination: &tokentypes.PageRequest{Key: key, Limit: limit}})
			}, func(w io.Writer, r *tokentypes.QueryAllBalancesResponse) {
				for _, b := range r.GetBalances() {
					fmt.Fprintf(w, "%s %d (%s)\n", b.GetAddress(), b.GetAmount(), formatPTR(b.GetAmount()))
				}
				fmt.Fprintf(w, "height: %d\n", r.GetHeight())
				if nk := r.GetPagination().GetNextKey(); len(nk) > 0 {
					fmt.Fprintf(w, "next page: --%s %s\n", flagPageKey, base64.StdEncoding.EncodeToString(nk))
				}
			})
		},
	}
	addQueryFlags(cmd, true)
	cmd.Flags().Uint32(flagLimit, 0, "page size (0 = the node's default, 100; at most 1000)")
	cmd.Flags().String(flagPageKey, "", "next_key (base64) from the previous page")
	return cmd
}

func newQuerySupplyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "supply",
		Short: "Total PTR supply in base units",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			return runQuery(cmd, func(ctx context.Context, c *client.Client) (*tokentypes.QuerySupplyResponse, error) {
				return c.Token.Supply(ctx, &tokentypes.QuerySupplyRequest{Height: h})
			}, func(w io.Writer, r *tokentypes.QuerySupplyResponse) {
				fmt.Fprintf(w, "supply: %d (%s)\nheight: %d\n", r.GetAmount(), formatPTR(r.GetAmount()), r.GetHeight())
			})
		},
	}
	addQueryFlags(cmd, true)
	return cmd
}

func newQueryAccountCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "account ADDRESS",
		Short: "An account's public key and next sequence",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := parseAddressArg("address", args[0])
			if err != nil {
				return err
			}
			h, err := heightFlag(cmd)
			if err != nil {
				return err
			}
			return runQuery(cmd, func(ctx context.Context, c *client.Client) (*authtypes.QueryAccountResponse, error) {
				return c.Auth.Account(ctx, &authtypes.QueryAccountRequest{Address: addr.String(), Height: h})
			}, func(w io.Writer, r *authtypes.QueryAccountResponse) {
				pub := "(none yet: set by the account's first tx)"
				if pk := r.GetAccount().GetPubKey(); len(pk) > 0 {
					pub = base64.StdEncoding.EncodeToString(pk)
				}
				if ms := r.GetAccount().GetMemberPubKeys(); len(ms) > 0 {
					members := make([]string, len(ms))
					for i, m := range ms {
						members[i] = base64.StdEncoding.EncodeToString(m)
					}
					pub = fmt.Sprintf("(multisig %d of %d) members %s", r.GetAccount().GetThreshold(), len(ms), strings.Join(members, ","))
				}
				fmt.Fprintf(w, "address: %s\npubkey: %s\nsequence: %d\nheight: %d\n", addr, pub, r.GetAccount().GetSequence(), r.GetHeight())
			})
		},
	}
	addQueryFlags(cmd, true)
	return cmd
}

func newQueryTxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tx HASH",
		Short: "A committed tx by hash (64 hex digits): the decoded tx and its result",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			hash := strings.TrimPrefix(strings.TrimPrefix(args[0], "0x"), "0X")
			if len(hash) != 64 || !isHex(hash) {
				return &usageError{fmt.Sprintf("tx hash %q: want 64 hex digits", args[0])}
			}
			return runQuery(cmd, func(ctx context.Context, c *client.Client) (*txtypes.GetTxResponse, error) {
				return c.Tx.GetTx(ctx, &txtypes.GetTxRequest{Hash: hash})
			}, func(w io.Writer, r *txtypes.GetTxResponse) {
				fmt.Fprintf(w, "txhash: %s\nheight: %d\nindex: %d\n", r.GetTxHash(), r.GetHeight(), r.GetIndex())
				printDecodedTx(w, r.GetSigner(), r.GetSequence(), r.GetTimeUnix(), r.GetBody())
				printResultLines(w, r.GetCodespace(), r.GetCode(), r.GetLog(), r.GetEvents())
			})
		},
	}
	addQueryFlags(cmd, false)
	return cmd
}

func isHex(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// printResultLines writes a tx result (code, codespace, log, events) as text.
func printResultLines(w io.Writer, codespace string, code uint32, log string, events []*txtypes.Event) {
	fmt.Fprintf(w, "code: %d\n", code)
	if code != 0 {
		fmt.Fprintf(w, "codespace: %s\n", codespace)
	}
	if log != "" {
		fmt.Fprintf(w, "log: %s\n", log)
	}
	for _, e := range events {
		attrs := make([]string, len(e.GetAttributes()))
		for i, a := range e.GetAttributes() {
			attrs[i] = a.GetKey() + "=" + a.GetValue()
		}
		fmt.Fprintf(w, "event: %s %s\n", e.GetType(), strings.Join(attrs, " "))
	}
}

// txFailed is the error of a tx the chain refused: the command has printed
// the result, and exits non-zero with the chain's message.
func txFailed(hash, codespace string, code uint32, log string) error {
	return fmt.Errorf("tx %s failed: %s/%d: %s", hash, codespace, code, log)
}
