package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/petro-network/petro/client"
	txtypes "github.com/petro-network/petro/types/tx"
)

const (
	flagMsgType    = "type"
	flagFromHeight = "from-height"
	flagToHeight   = "to-height"
	flagOrder      = "order"
)

// newQueryTxsCmd is `petrod query txs`: an address's tx history.
func newQueryTxsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "txs --address ADDRESS",
		Short: "Committed txs an address signed or is a party of, one page at a time",
		Long: `Committed txs an address signed or is named in (any address field of any
message: sender, recipient, owner, …), applied or refused, from the node's
tx index (config.toml [tx_index] indexer = "kv"). Newest first unless
--order oldest. Print the next page with the --page-key it prints.`,
		Example: `  petrod query txs --address petro1...
  petrod query txs --address petro1... --type /petro.token.v1.MsgSend --from-height 100 --to-height 200 --order oldest --limit 50`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			addrArg, _ := cmd.Flags().GetString(flagAddress)
			if addrArg == "" {
				return &usageError{"--address is required"}
			}
			addr, err := parseAddressArg("--address", addrArg)
			if err != nil {
				return err
			}
			req := &txtypes.GetTxsByAddressRequest{Address: addr.String()}
			req.MsgType, _ = cmd.Flags().GetString(flagMsgType)
			req.FromHeight, _ = cmd.Flags().GetInt64(flagFromHeight)
			req.ToHeight, _ = cmd.Flags().GetInt64(flagToHeight)
			req.Limit, _ = cmd.Flags().GetUint32(flagLimit)
			if req.FromHeight < 0 || req.ToHeight < 0 {
				return &usageError{"--from-height and --to-height must not be negative"}
			}
			switch o, _ := cmd.Flags().GetString(flagOrder); o {
			case "newest":
				req.Order = txtypes.TxOrder_TX_ORDER_NEWEST_FIRST
			case "oldest":
				req.Order = txtypes.TxOrder_TX_ORDER_OLDEST_FIRST
			default:
				return &usageError{fmt.Sprintf("--order %q: want newest or oldest", o)}
			}
			pk, _ := cmd.Flags().GetString(flagPageKey)
			if req.PageKey, err = base64.StdEncoding.DecodeString(pk); err != nil {
				return &usageError{fmt.Sprintf("--%s: not base64 (pass the page key the previous page printed): %v", flagPageKey, err)}
			}
			return runQuery(cmd, func(ctx context.Context, c *client.Client) (*txtypes.GetTxsByAddressResponse, error) {
				return c.Tx.GetTxsByAddress(ctx, req)
			}, func(w io.Writer, r *txtypes.GetTxsByAddressResponse) {
				for i, tx := range r.GetTxs() {
					if i > 0 {
						fmt.Fprintln(w)
					}
					fmt.Fprintf(w, "txhash: %s\nheight: %d\nindex: %d\n", tx.GetTxHash(), tx.GetHeight(), tx.GetIndex())
					printDecodedTx(w, tx.GetSigner(), tx.GetSequence(), tx.GetTimeUnix(), tx.GetBody())
					printResultLines(w, tx.GetCodespace(), tx.GetCode(), tx.GetLog(), nil)
				}
				fmt.Fprintf(w, "total: %d\n", r.GetTotal())
				if e := r.GetEarliestHeight(); e > 1 {
					fmt.Fprintf(w, "this node has blocks from height %d only: older txs are not listed\n", e)
				}
				if nk := r.GetNextPageKey(); len(nk) > 0 {
					fmt.Fprintf(w, "next page: --%s %s\n", flagPageKey, base64.StdEncoding.EncodeToString(nk))
				}
			})
		},
	}
	addQueryFlags(cmd, false)
	cmd.Flags().String(flagAddress, "", "bech32 address (petro1…) whose txs to list (required)")
	cmd.Flags().String(flagMsgType, "", "only txs with a message of this type, e.g. /petro.token.v1.MsgSend")
	cmd.Flags().Int64(flagFromHeight, 0, "lowest height, inclusive (0 = from the first block)")
	cmd.Flags().Int64(flagToHeight, 0, "highest height, inclusive (0 = up to the latest block)")
	cmd.Flags().String(flagOrder, "newest", "newest (first) or oldest (first)")
	cmd.Flags().Uint32(flagLimit, 0, "txs per page (0 = 20, at most 100)")
	cmd.Flags().String(flagPageKey, "", "page key printed by the previous page")
	return cmd
}

// printDecodedTx writes the decoded part of a committed tx as text: signer,
// sequence, block time, memo and one line per message (protojson).
func printDecodedTx(w io.Writer, signer string, seq uint64, timeUnix int64, body *txtypes.TxBody) {
	if timeUnix != 0 {
		fmt.Fprintf(w, "time: %s\n", time.Unix(timeUnix, 0).UTC().Format(time.RFC3339))
	}
	if body == nil {
		fmt.Fprintln(w, "body: (does not decode)")
		return
	}
	fmt.Fprintf(w, "signer: %s\nsequence: %d\n", signer, seq)
	if body.GetMemo() != "" {
		fmt.Fprintf(w, "memo: %s\n", body.GetMemo())
	}
	for i, m := range body.GetMessages() {
		var line bytes.Buffer // protojson's spacing varies on purpose; compact it
		bz, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(m)
		if err == nil {
			err = json.Compact(&line, bz)
		}
		if err != nil {
			line.Reset()
			line.WriteString("?")
		}
		fmt.Fprintf(w, "message %d: %s\n", i, line.String())
	}
}
