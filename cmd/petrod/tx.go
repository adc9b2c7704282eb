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
	"github.com/petro-network/petro/crypto"
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
	token := &cobra.Command{Use: "token", Short: "Token transactions: send, issue, redeem, compliance (freeze, pause)"}
	token.AddCommand(newTxSendCmd())
	token.AddCommand(tokenTxCmds()...)
	cmd.AddCommand(token, newTxAuthorityCmd(), newTxReserveCmd(),
		newTxSignCmd(), newTxMultisignCmd(), newTxBroadcastCmd(), newTxEncodeCmd(), newTxDecodeCmd(), newTxValidateSignaturesCmd())
	endAtGenerated(cmd)
	return cmd
}

// addTxFlags are the flags of every command that signs and broadcasts.
func addTxFlags(cmd *cobra.Command) {
	addNodeFlag(cmd)
	addKeyringFlag(cmd)
	addOutputFlag(cmd)
	cmd.Flags().String(flagChainID, "", "chain id to sign for (default: client.toml's chain-id, else chain_id of <home>/config/genesis.json)")
	cmd.Flags().String(flagMemo, "", "memo")
	cmd.Flags().Uint64(flagTimeoutHeight, 0, "tx is invalid above this block height (0 = no timeout)")
	cmd.Flags().Uint64(flagSequence, 0, "sign with this account sequence instead of asking the node (to send several txs per block)")
	cmd.Flags().String(flagBroadcastMode, "commit", "sync (return after CheckTx) | commit (wait until the tx is in a block)")
	cmd.Flags().Bool(flagGenerateOnly, false, "print the unsigned tx as JSON for `petrod tx sign` instead of signing and broadcasting (the signer may be a multisig key; the sequence is read from --node unless --sequence is given)")
	fromClientConfig(cmd.Flags(), flagChainID, flagBroadcastMode)
}

// chainIDFlag is --chain-id, or else the chain_id of --home's genesis.json,
// or else that of --home's testnet.json (the manifest of `petrod testnet`,
// whose directory holds the keyring but is not a node home).
func chainIDFlag(cmd *cobra.Command) (string, error) {
	if id, _ := cmd.Flags().GetString(flagChainID); id != "" {
		return id, nil
	}
	home := homeFlag(cmd)
	path := filepath.Join(home, "config", "genesis.json")
	bz, err := os.ReadFile(path)
	if err != nil {
		if mbz, merr := os.ReadFile(filepath.Join(home, testnetManifest)); merr == nil {
			path, bz, err = filepath.Join(home, testnetManifest), mbz, nil
		}
	}
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
		Short: "Transfer PTR; AMOUNT in PTR (1.5ptr) or base units (150000000ptrbase)",
		Long: `Transfer PTR from a key in the keyring to an address.

AMOUNT names its denomination: PTR with at most 8 decimals, e.g. 1.5ptr, or
base units (1 PTR = 10^8 base units) with the suffix ptrbase, e.g.
150000000ptrbase; a bare number is refused. The tx is signed with the
sender's next sequence as committed on the node (or --sequence) and, by
default, the command waits until it is in a block. A tx the chain refuses
prints its result and exits with status 1.`,
		Example: `  petrod tx token send alice petro1… 10ptr --keyring-backend test
  petrod tx token send alice petro1… 150000000ptrbase --broadcast-mode sync -o json`,
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
			setup, err := readTxFlags(cmd)
			if err != nil {
				return err
			}
			key, err := loadTxKey(cmd, "sender", args[0])
			if err != nil {
				return err
			}
			res, err := broadcastMsg(cmd, setup, key, client.SendMsg(key.Address(), to, amount))
			if err != nil {
				return err
			}
			return printBroadcast(p, res)
		},
	}
	addTxFlags(cmd)
	return cmd
}

// txSetup is what a signing command reads from the common tx flags, before
// it touches the keyring or the network.
type txSetup struct {
	chainID string
	opts    client.BroadcastOptions
}

// readTxFlags reads and checks the flags of addTxFlags; every problem is a
// usageError.
func readTxFlags(cmd *cobra.Command) (txSetup, error) {
	var s txSetup
	mode, err := broadcastModeFlag(cmd)
	if err != nil {
		return s, err
	}
	if s.chainID, err = chainIDFlag(cmd); err != nil {
		return s, err
	}
	s.opts.Mode = mode
	s.opts.Memo, _ = cmd.Flags().GetString(flagMemo)
	s.opts.TimeoutHeight, _ = cmd.Flags().GetUint64(flagTimeoutHeight)
	if cmd.Flags().Changed(flagSequence) {
		seq, _ := cmd.Flags().GetUint64(flagSequence)
		s.opts.Sequence = &seq
	}
	return s, nil
}

// loadSigner opens the keyring and returns the private key of nameOrAddress
// (what names the signer in errors, e.g. "sender").
func loadSigner(cmd *cobra.Command, what, nameOrAddress string) (*crypto.PrivKey, error) {
	kr, err := openKeyring(cmd, newCLIInput(cmd), false)
	if err != nil {
		return nil, err
	}
	key, err := kr.PrivKey(nameOrAddress)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %w", what, nameOrAddress, err)
	}
	return key, nil
}

// broadcastMsg signs msg with key and broadcasts it to --node. With
// --generate-only it prints the unsigned tx instead and returns
// errTxGenerated.
func broadcastMsg(cmd *cobra.Command, s txSetup, key *txKey, msg *txtypes.Msg) (*txtypes.BroadcastResponse, error) {
	if generateOnly(cmd) {
		return nil, generateTx(cmd, s, key, msg)
	}
	c, addr, err := dialNode(cmd)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(cmd.Context(), broadcastTimeout)
	defer cancel()
	res, err := c.SignAndBroadcast(ctx, s.chainID, key.priv, []*txtypes.Msg{msg}, s.opts)
	if err != nil {
		return nil, nodeErr(addr, err)
	}
	return res, nil
}

// printBroadcast prints a broadcast result and turns a refused tx into an
// error (non-zero exit) carrying the chain's code and message.
func printBroadcast(p *printer, res *txtypes.BroadcastResponse) error {
	return printBroadcastThen(p, res, nil)
}

// printBroadcastThen is printBroadcast with more text lines (after the
// result, in text mode only) from then, e.g. the state the tx produced.
func printBroadcastThen(p *printer, res *txtypes.BroadcastResponse, then func(w io.Writer)) error {
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
		if then != nil && res.GetCode() == 0 {
			then(w)
		}
	})
	if err != nil {
		return err
	}
	if res.GetCode() != 0 {
		return txFailed(res.GetTxHash(), res.GetCodespace(), res.GetCode(), res.GetLog())
	}
	return nil
}
