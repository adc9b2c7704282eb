package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/petro-network/petro/client"
	txtypes "github.com/petro-network/petro/types/tx"
)

const (
	flagMemo          = "memo"
	flagTimeoutHeight = "timeout-height"
	flagSequence      = "sequence"
	flagBroadcastMode = "broadcast-mode"

	// broadcastTimeout bounds a whole tx command; the node itself gives up
	// waiting for a COMMIT broadcast after 30 s by default.
	broadcastTimeout = 90 * time.Second
)

func newTxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tx",
		Short: "Sign transactions with a key from the keyring and broadcast them over gRPC (--node)",
	}
	token := &cobra.Command{Use: "token", Short: "Token transactions"}
	token.AddCommand(newTxSendCmd())
	cmd.AddCommand(token)
	return cmd
}

// addTxFlags are the flags of every command that signs and broadcasts.
func addTxFlags(cmd *cobra.Command) {
	addNodeFlag(cmd)
	addKeyringFlag(cmd)
	addOutputFlag(cmd)
	cmd.Flags().String(flagChainID, "", "chain id to sign for (default: chain_id of <home>/config/genesis.json)")
	cmd.Flags().String(flagMemo, "", "memo")
	cmd.Flags().Uint64(flagTimeoutHeight, 0, "tx is invalid above this block height (0 = no timeout)")
	cmd.Flags().Uint64(flagSequence, 0, "sign with this account sequence instead of asking the node (to send several txs per block)")
	cmd.Flags().String(flagBroadcastMode, "commit", "sync (return after CheckTx) | commit (wait until the tx is in a block)")
}

// chainIDFlag is --chain-id, or else the chain_id of --home's genesis.json.
func chainIDFlag(cmd *cobra.Command) (string, error) {
	if id, _ := cmd.Flags().GetString(flagChainID); id != "" {
		return id, nil
	}
	path := filepath.Join(homeFlag(cmd), "config", "genesis.json")
	bz, err := os.ReadFile(path)
	if err != nil {
		return "", &usageError{fmt.Sprintf("--%s is required (no genesis at %s to read it from)", flagChainID, path)}
	}
	var g struct {
		ChainID string `json:"chain_id"`
	}
	if err := json.Unmarshal(bz, &g); err != nil || g.ChainID == "" {
		return "", &usageError{fmt.Sprintf("--%s is required (%s has no readable chain_id)", flagChainID, path)}
	}
	return g.ChainID, nil
}

func broadcastModeFlag(cmd *cobra.Command) (txtypes.BroadcastMode, error) {
	m, _ := cmd.Flags().GetString(flagBroadcastMode)
	switch m {
	case "sync":
		return txtypes.BroadcastMode_BROADCAST_MODE_SYNC, nil
	case "commit":
		return txtypes.BroadcastMode_BROADCAST_MODE_COMMIT, nil
	default:
		return 0, &usageError{fmt.Sprintf("--%s %q: want sync or commit", flagBroadcastMode, m)}
	}
}

func newTxSendCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "send FROM_KEY_OR_ADDRESS TO_ADDRESS AMOUNT",
		Short: "Transfer PTR; AMOUNT in base units (150000000) or PTR (1.5ptr)",
		Long: `Transfer PTR from a key in the keyring to an address.

AMOUNT is base units (1 PTR = 10^8 base units), e.g. 150000000, or PTR with
the suffix ptr and at most 8 decimals, e.g. 1.5ptr. The tx is signed with the
sender's next sequence as committed on the node (or --sequence) and, by
default, the command waits until it is in a block. A tx the chain refuses
prints its result and exits with status 1.`,
		Example: `  petrod tx token send alice petro1… 10ptr --keyring-backend test
  petrod tx token send alice petro1… 150000000 --broadcast-mode sync -o json`,
		Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := newPrinter(cmd)
			if err != nil {
				return err
			}
			to, err := parseAddressArg("recipient", args[1])
			if err != nil {
				return err
			}
			amount, err := parseAmount(args[2])
			if err != nil {
				return &usageError{err.Error()}
			}
			if amount == 0 {
				return &usageError{"amount must be positive"}
			}
			mode, err := broadcastModeFlag(cmd)
			if err != nil {
				return err
			}
			chainID, err := chainIDFlag(cmd)
			if err != nil {
				return err
			}
			opts := client.BroadcastOptions{Mode: mode}
			opts.Memo, _ = cmd.Flags().GetString(flagMemo)
			opts.TimeoutHeight, _ = cmd.Flags().GetUint64(flagTimeoutHeight)
			if cmd.Flags().Changed(flagSequence) {
				seq, _ := cmd.Flags().GetUint64(flagSequence)
				opts.Sequence = &seq
			}

			kr, err := openKeyring(cmd, newCLIInput(cmd), false)
			if err != nil {
				return err
			}
			key, err := kr.PrivKey(args[0])
			if err != nil {
				return fmt.Errorf("sender %q: %w", args[0], err)
			}
			c, addr, err := dialNode(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			ctx, cancel := context.WithTimeout(cmd.Context(), broadcastTimeout)
			defer cancel()
			msg := client.SendMsg(key.PubKey().Address(), to, amount)
			res, err := c.SignAndBroadcast(ctx, chainID, key, []*txtypes.Msg{msg}, opts)
			if err != nil {
				return nodeErr(addr, err)
			}
			return printBroadcast(p, res)
		},
	}
	addTxFlags(cmd)
	return cmd
}

// printBroadcast prints a broadcast result and turns a refused tx into an
// error (non-zero exit) carrying the chain's code and message.
func printBroadcast(p *printer, res *txtypes.BroadcastResponse) error {
	err := p.print(res, func(w io.Writer) {
		fmt.Fprintf(w, "txhash: %s\n", res.GetTxHash())
		switch {
		case res.GetCommitted():
			fmt.Fprintf(w, "height: %d\n", res.GetHeight())
		case res.GetCode() != 0:
			fmt.Fprintln(w, "height: (refused by CheckTx: not in the mempool, will not be in a block)")
		default:
			fmt.Fprintln(w, "height: (in the mempool, not committed yet; follow it with `petrod query tx HASH`)")
		}
		printResultLines(w, res.GetCodespace(), res.GetCode(), res.GetLog(), res.GetEvents())
	})
	if err != nil {
		return err
	}
	if res.GetCode() != 0 {
		return txFailed(res.GetTxHash(), res.GetCodespace(), res.GetCode(), res.GetLog())
	}
	return nil
}
