package main

import (
	"context"
	"fmt"
	"io"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/spf13/cobra"
)

const (
	flagNodeRPC    = "node-rpc"
	defaultNodeRPC = "http://127.0.0.1:26657"
	statusTimeout  = 10 * time.Second
)

// nodeStatus is what `petrod status` prints.
type nodeStatus struct {
	ChainID           string    `json:"chain_id"`
	Moniker           string    `json:"moniker"`
	NodeID            string    `json:"node_id"`
	LatestBlockHeight int64     `json:"latest_block_height"`
	LatestBlockTime   time.Time `json:"latest_block_time"`
	LatestBlockHash   string    `json:"latest_block_hash"`
	LatestAppHash     string    `json:"latest_app_hash"`
	CatchingUp        bool      `json:"catching_up"`
	ValidatorAddress  string    `json:"validator_address"`
	ValidatorPower    int64     `json:"validator_power"`
	Version           string    `json:"cometbft_version"`
}

func newStatusCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show a node's chain id, latest block, app hash and validator (CometBFT RPC)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := newPrinter(cmd)
			if err != nil {
				return err
			}
			remote, _ := cmd.Flags().GetString(flagNodeRPC)
			if err := checkRPCURL(remote); err != nil {
				return &usageError{err.Error()}
			}
			rpc, err := rpchttp.New(remote, "/websocket")
			if err != nil {
				return &usageError{fmt.Sprintf("--%s %q: %v", flagNodeRPC, remote, err)}
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), statusTimeout)
			defer cancel()
			st, err := rpc.Status(ctx)
			if err != nil {
				return fmt.Errorf("node RPC %s unavailable (is petrod running there? --%s is the CometBFT RPC URL, port 26657 by default, not gRPC): %v%s", remote, flagNodeRPC, err, rpcHint(err))
			}
			out := nodeStatus{
				ChainID:           st.NodeInfo.Network,
				Moniker:           st.NodeInfo.Moniker,
				NodeID:            string(st.NodeInfo.DefaultNodeID),
				LatestBlockHeight: st.SyncInfo.LatestBlockHeight,
				LatestBlockTime:   st.SyncInfo.LatestBlockTime,
				LatestBlockHash:   st.SyncInfo.LatestBlockHash.String(),
				LatestAppHash:     st.SyncInfo.LatestAppHash.String(),
				CatchingUp:        st.SyncInfo.CatchingUp,
				ValidatorAddress:  st.ValidatorInfo.Address.String(),
				ValidatorPower:    st.ValidatorInfo.VotingPower,
				Version:           st.NodeInfo.Version,
			}
			return p.print(out, func(w io.Writer) {
				fmt.Fprintf(w, "chain_id:        %s\n", out.ChainID)
				fmt.Fprintf(w, "moniker:         %s\n", out.Moniker)
				fmt.Fprintf(w, "node_id:         %s\n", out.NodeID)
				fmt.Fprintf(w, "latest height:   %d\n", out.LatestBlockHeight)
				fmt.Fprintf(w, "latest time:     %s\n", out.LatestBlockTime.UTC().Format(time.RFC3339Nano))
				fmt.Fprintf(w, "latest block:    %s\n", out.LatestBlockHash)
				fmt.Fprintf(w, "app hash:        %s\n", out.LatestAppHash)
				fmt.Fprintf(w, "catching up:     %t\n", out.CatchingUp)
				fmt.Fprintf(w, "validator:       %s (power %d)\n", out.ValidatorAddress, out.ValidatorPower)
				fmt.Fprintf(w, "cometbft:        %s\n", out.Version)
			})
		},
	}
	cmd.Flags().String(flagNodeRPC, defaultNodeRPC, "CometBFT RPC address of the node")
	fromClientConfig(cmd.Flags(), flagNodeRPC)
	addOutputFlag(cmd)
	return cmd
}
