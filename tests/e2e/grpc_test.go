package e2e

import (
	"context"
	"io"
	"sort"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	rpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/crypto"
	txtypes "github.com/petro-network/petro/types/tx"
	authtypes "github.com/petro-network/petro/x/auth/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// TestNodeServesWallets checks the wallet-facing gRPC surface of a real
// node: reflection (what grpcurl list uses), broadcast in both modes,
// simulate, GetTx, queries, and that bad requests get clear errors while
// the node keeps serving.
func TestNodeServesWallets(t *testing.T) {
	if testing.Short() {
		t.Skip("node test")
	}
	alice, bob := Key(t, 100), Key(t, 101)
	aAddr, bAddr := alice.PubKey().Address(), bob.PubKey().Address()
	n := NewSingleNode(t, e2eChainID, []crypto.Address{aAddr}, fund, 200*time.Millisecond)
	n.Start()
	n.WaitReady(1, 60*time.Second)
	cc := n.Conn()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	t.Run("reflection lists the services", func(t *testing.T) {
		stream, err := rpb.NewServerReflectionClient(cc).ServerReflectionInfo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := stream.Send(&rpb.ServerReflectionRequest{MessageRequest: &rpb.ServerReflectionRequest_ListServices{}}); err != nil {
			t.Fatal(err)
		}
		resp, err := stream.Recv()
		if err != nil {
			t.Fatal(err)
		}
		_ = stream.CloseSend()
		if _, err := stream.Recv(); err != io.EOF && err != nil {
			t.Log(err)
		}
		var names []string
		for _, s := range resp.GetListServicesResponse().GetService() {
			names = append(names, s.Name)
		}
		sort.Strings(names)
		got := strings.Join(names, ",")
		for _, want := range []string{"petro.auth.v1.Query", "petro.token.v1.Query", "petro.tx.v1.TxService", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection"} {
			if !strings.Contains(got, want) {
				t.Errorf("reflection lists %s; missing %s", got, want)
			}
		}
	})

	txc := txtypes.NewTxServiceClient(cc)
	tq := tokentypes.NewQueryClient(cc)
	sign := func(seq, amount uint64) []byte {
		raw, err := client.SignTx(e2eChainID, alice, seq, []*txtypes.Msg{client.SendMsg(aAddr, bAddr, amount)}, client.TxOptions{Memo: "e2e"})
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}

	t.Run("simulate then broadcast commit", func(t *testing.T) {
		raw := sign(0, 5_00000000)
		sim, err := txc.Simulate(ctx, &txtypes.SimulateRequest{TxBytes: raw})
		if err != nil || sim.Code != 0 {
			t.Fatalf("simulate: %v %+v", err, sim)
		}
		resp, err := txc.Broadcast(ctx, &txtypes.BroadcastRequest{TxBytes: raw, Mode: txtypes.BroadcastMode_BROADCAST_MODE_COMMIT})
		if err != nil || resp.Code != 0 || !resp.Committed || resp.Height == 0 {
			t.Fatalf("broadcast: %v %+v", err, resp)
		}
		var sawTransfer bool
		for _, ev := range resp.Events {
			if ev.Type == tokentypes.EventTypeTransfer {
				sawTransfer = true
			}
		}
		if !sawTransfer {
			t.Errorf("no transfer event in %v", resp.Events)
		}
		got, err := txc.GetTx(ctx, &txtypes.GetTxRequest{Hash: strings.ToLower(resp.TxHash)})
		if err != nil || got.Height != resp.Height || got.Code != 0 {
			t.Fatalf("get tx: %v %+v", err, got)
		}
		bal, err := tq.Balance(ctx, &tokentypes.QueryBalanceRequest{Address: bAddr.String()})
		if err != nil || bal.Balance.Amount != 5_00000000 {
			t.Fatalf("balance: %v %+v", err, bal)
		}
	})

	t.Run("sync mode returns the CheckTx verdict", func(t *testing.T) {
		resp, err := txc.Broadcast(ctx, &txtypes.BroadcastRequest{TxBytes: sign(1, 1)})
		if err != nil || resp.Code != 0 || resp.Committed {
			t.Fatalf("%v %+v", err, resp)
		}
		replay, err := txc.Broadcast(ctx, &txtypes.BroadcastRequest{TxBytes: sign(0, 2)})
		if err != nil || replay.Codespace != authtypes.Codespace || replay.Code != authtypes.ErrSequenceReplayed.Code {
			t.Fatalf("replay: %v %+v", err, replay)
		}
	})

	t.Run("bad requests get clear errors", func(t *testing.T) {
		resp, err := txc.Broadcast(ctx, &txtypes.BroadcastRequest{TxBytes: []byte{0xff, 0x01}})
		if err != nil || resp.Codespace != authtypes.Codespace || resp.Code != authtypes.ErrTxDecode.Code {
			t.Errorf("malformed: %v %+v", err, resp)
		}
		if resp, err := txc.Broadcast(ctx, &txtypes.BroadcastRequest{}); err != nil || resp.Code != authtypes.ErrNoMessages.Code {
			t.Errorf("empty: %v %+v", err, resp) // the table is TestRefusalCodes
		}
		for name, c := range map[string]struct {
			call func() error
			want codes.Code
		}{
			"unknown mode": {func() error {
				_, err := txc.Broadcast(ctx, &txtypes.BroadcastRequest{TxBytes: []byte{1}, Mode: 77})
				return err
			}, codes.InvalidArgument},
			"bad hash": {func() error { _, err := txc.GetTx(ctx, &txtypes.GetTxRequest{Hash: "zz"}); return err }, codes.InvalidArgument},
			"unknown hash": {func() error {
				_, err := txc.GetTx(ctx, &txtypes.GetTxRequest{Hash: strings.Repeat("ab", 32)})
				return err
			}, codes.NotFound},
			"bad address": {func() error {
				_, err := tq.Balance(ctx, &tokentypes.QueryBalanceRequest{Address: "cosmos1xyz"})
				return err
			}, codes.InvalidArgument},
			"future height": {func() error {
				_, err := tq.Supply(ctx, &tokentypes.QuerySupplyRequest{Height: 1 << 40})
				return err
			}, codes.NotFound},
		} {
			if err := c.call(); status.Code(err) != c.want {
				t.Errorf("%s: got %v, want %v", name, err, c.want)
			}
		}
		// The node still serves.
		if _, err := tq.Supply(ctx, &tokentypes.QuerySupplyRequest{}); err != nil {
			t.Fatal(err)
		}
	})
}
