// Command wallet is a minimal petro wallet in a Go module of its own: it
// recovers a key from a BIP-39 mnemonic, reads the account over gRPC,
// signs a transfer, broadcasts it, waits for the block that commits it,
// finds it in the account's history and prints the result. It imports only petro's public client surface
// (client, crypto, types/tx, x/token/types), which links no storage engine
// and no CometBFT node.
//
// Against `petrod dev` (chain petro-dev-1, gRPC 127.0.0.1:9090) it sends
// 1 PTR from the dev key alice to bob with no arguments:
//
//	go run .
//	PETRO_MNEMONIC="word1 … word24" go run . -chain-id C -node H:P -to petro1… -amount 150000000
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/crypto"
	txtypes "github.com/petro-network/petro/types/tx"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// The dev chain's alice (funded by `petrod dev`) and bob. Never use a
// published mnemonic for real funds.
const (
	devMnemonicAlice = "dentist snow trend miss rug emerge high similar donate loop world kitchen game sudden mesh confirm faculty material blind use indoor service poet ticket"
	devAddressBob    = "petro1fg59yn8j5l8ww5r2rpc358w2lrs4van2futy0w"
)

func main() {
	node := flag.String("node", "127.0.0.1:9090", "gRPC address of a petro node")
	chainID := flag.String("chain-id", "petro-dev-1", "chain id the tx is signed for")
	to := flag.String("to", devAddressBob, "recipient address (petro1…)")
	amount := flag.Uint64("amount", 100_000_000, "base units to send (10^8 = 1 PTR)")
	memo := flag.String("memo", "", "tx memo")
	timeout := flag.Duration("timeout", time.Minute, "how long to wait for the commit")
	flag.Parse()
	mnemonic := os.Getenv("PETRO_MNEMONIC")
	if mnemonic == "" {
		mnemonic = devMnemonicAlice
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := run(ctx, *node, *chainID, mnemonic, *to, *amount, *memo); err != nil {
		fmt.Fprintln(os.Stderr, "wallet:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, node, chainID, mnemonic, toAddr string, amount uint64, memo string) error {
	// Key: BIP-39 mnemonic → BIP-32 m/44'/118'/0'/0/0 → secp256k1.
	key, err := crypto.DerivePrivKeyFromMnemonic(mnemonic, "", 0, 0)
	if err != nil {
		return err
	}
	to, err := crypto.AddressFromBech32(toAddr)
	if err != nil {
		return fmt.Errorf("-to: %w", err)
	}
	c, err := client.Dial(node)
	if err != nil {
		return err
	}
	defer c.Close()

	// Account: the next sequence to sign (0 for an address never seen).
	acc, err := c.Account(ctx, key.Address())
	if err != nil {
		return fmt.Errorf("account: %w", err)
	}
	fmt.Printf("from      %s (sequence %d)\n", key.Address(), acc.GetSequence())

	// Sign and broadcast (SYNC: the node's CheckTx verdict).
	seq := acc.GetSequence()
	res, err := c.SignAndBroadcast(ctx, chainID, key, []*txtypes.Msg{client.SendMsg(key.Address(), to, amount)},
		client.BroadcastOptions{TxOptions: client.TxOptions{Memo: memo}, Sequence: &seq, Mode: txtypes.BroadcastMode_BROADCAST_MODE_SYNC})
	if err != nil {
		return fmt.Errorf("broadcast: %w", err)
	}
	fmt.Printf("tx        %s\n", res.TxHash)
	if res.Code != 0 {
		return fmt.Errorf("refused: %s/%d: %s", res.Codespace, res.Code, res.Log)
	}

	// Wait for the block.
	tx, err := c.WaitForTx(ctx, res.TxHash)
	if err != nil {
		return err
	}
	if tx.Code != 0 {
		return fmt.Errorf("failed in block %d: %s/%d: %s", tx.Height, tx.Codespace, tx.Code, tx.Log)
	}
	fmt.Printf("committed at height %d\n", tx.Height)

	bal, err := c.Token.Balance(ctx, &tokentypes.QueryBalanceRequest{Address: key.Address().String()})
	if err != nil {
		return fmt.Errorf("balance: %w", err)
	}
	fmt.Printf("balance   %d base units at height %d\n", bal.GetBalance().GetAmount(), bal.GetHeight())

	// History: the tx is indexed a moment after its commit.
	at, err := findInHistory(ctx, c, key.Address().String(), res.TxHash)
	if err != nil {
		return err
	}
	fmt.Printf("history   %s at height %d\n", res.TxHash, at)
	return nil
}

// findInHistory pages through addr's history (newest first) until it lists
// the tx hash, retrying while the indexer catches up with the commit.
func findInHistory(ctx context.Context, c *client.Client, addr, hash string) (int64, error) {
	errFound := errors.New("found")
	for {
		var height int64
		err := c.TxHistory(ctx, &txtypes.GetTxsByAddressRequest{Address: addr, Limit: 20}, func(r *txtypes.TxRecord) error {
			if strings.EqualFold(r.TxHash, hash) {
				height = r.Height
				return errFound
			}
			return nil
		})
		if errors.Is(err, errFound) {
			return height, nil
		}
		if err != nil {
			return 0, fmt.Errorf("history: %w", err)
		}
		select {
		case <-ctx.Done():
			return 0, errors.Join(fmt.Errorf("tx %s not in the history of %s", hash, addr), ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}
