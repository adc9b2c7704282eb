package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/crypto"
	txtypes "github.com/petro-network/petro/types/tx"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// TestTxHistoryAndSubscriptions runs the wallet's follow-up surface on a
// real node: SubscribeTxs (a fast subscriber gets every tx in commit order,
// a client that stops reading is dropped with ResourceExhausted without
// disturbing it or the node, the per-connection limit), WaitForTx, then
// GetTxsByAddress over gRPC, REST and `petrod query txs` (paging, both
// orders, filters, decoded txs) and the decoded GetTx / `petrod query tx`.
func TestTxHistoryAndSubscriptions(t *testing.T) {
	if testing.Short() {
		t.Skip("node test")
	}
	alice, bob, carol := Key(t, 710), Key(t, 711), Key(t, 712)
	aAddr, bAddr, cAddr := alice.PubKey().Address(), bob.PubKey().Address(), carol.PubKey().Address()
	n := NewSingleNode(t, e2eChainID, []crypto.Address{aAddr, bAddr}, fund, 200*time.Millisecond)
	editConfig(t, n, "app.toml", "max_subscriptions_per_conn = 16", "max_subscriptions_per_conn = 2")
	editConfig(t, n, "app.toml", "subscription_buffer_blocks = 64", "subscription_buffer_blocks = 4")
	n.Start()
	n.WaitReady(1, 90*time.Second)
	c := client.New(n.Conn())
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	memo := strings.Repeat("m", 200) // larger records fill the slow client's window sooner
	send := func(key *crypto.PrivKey, seq uint64, to crypto.Address, mode txtypes.BroadcastMode) string {
		t.Helper()
		raw, err := client.SignTx(e2eChainID, key, seq, []*txtypes.Msg{client.SendMsg(key.PubKey().Address(), to, 1_00000000)}, client.TxOptions{Memo: memo})
		if err != nil {
			t.Fatal(err)
		}
		r, err := c.Tx.Broadcast(ctx, &txtypes.BroadcastRequest{TxBytes: raw, Mode: mode})
		if err != nil || r.Code != 0 {
			t.Fatalf("broadcast seq %d: %v %+v", seq, err, r)
		}
		return r.TxHash
	}

	// ARRANGE: a fast subscriber (WatchTxs) and a slow one that never reads,
	// on its own connection with the smallest HTTP/2 windows.
	fastCtx, stopFast := context.WithCancel(ctx)
	defer stopFast()
	var fastMu sync.Mutex
	var fast []*txtypes.TxRecord
	fastDone := make(chan error, 1)
	go func() {
		fastDone <- c.WatchTxs(fastCtx, bAddr.String(), func(r *txtypes.TxRecord) error {
			fastMu.Lock()
			fast = append(fast, r)
			fastMu.Unlock()
			return nil
		})
	}()
	fastHas := func(hashes ...string) error {
		fastMu.Lock()
		defer fastMu.Unlock()
		seen := map[string]bool{}
		for _, r := range fast {
			seen[r.TxHash] = true
		}
		for _, h := range hashes {
			if !seen[h] {
				return fmt.Errorf("fast subscriber has %d txs, not %s", len(fast), h)
			}
		}
		return nil
	}
	slowCC, err := grpc.NewClient(n.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithInitialWindowSize(64<<10), grpc.WithInitialConnWindowSize(64<<10))
	if err != nil {
		t.Fatal(err)
	}
	defer slowCC.Close()
	slow, err := txtypes.NewTxServiceClient(slowCC).SubscribeTxs(ctx, &txtypes.SubscribeTxsRequest{Address: bAddr.String()})
	if err != nil {
		t.Fatal(err)
	}

	// The fast subscriber is live once it sees a tx.
	var warm []string
	if err := Eventually(60*time.Second, func() error {
		warm = append(warm, send(alice, uint64(len(warm)), bAddr, txtypes.BroadcastMode_BROADCAST_MODE_COMMIT))
		return fastHas(warm[len(warm)-1])
	}); err != nil {
		t.Fatal(err)
	}

	// ACT: many txs to bob over at least `rounds` blocks (each round's last
	// tx followed with WaitForTx), so that the slow client falls more than
	// its 4 blocks behind once its HTTP/2 windows are full.
	const rounds, perRound = 20, 25
	const burst = rounds * perRound
	var hashes []string
	var last *txtypes.GetTxResponse
	for r := 0; r < rounds; r++ {
		for i := 0; i < perRound; i++ {
			hashes = append(hashes, send(alice, uint64(len(warm)+len(hashes)), bAddr, txtypes.BroadcastMode_BROADCAST_MODE_SYNC))
		}
		var err error
		last, err = c.WaitForTx(ctx, hashes[len(hashes)-1])
		if err != nil || last.Code != 0 || last.Height == 0 {
			t.Fatalf("WaitForTx: %v %+v", err, last)
		}
	}

	// ASSERT: the fast subscriber got every tx, in commit order.
	if err := Eventually(2*time.Minute, func() error { return fastHas(hashes...) }); err != nil {
		t.Fatal(err)
	}
	fastMu.Lock()
	for i := 1; i < len(fast); i++ {
		p, q := fast[i-1], fast[i]
		if q.Height < p.Height || (q.Height == p.Height && q.Index <= p.Index) {
			t.Errorf("fast subscriber out of commit order at %d: %d/%d after %d/%d", i, q.Height, q.Index, p.Height, p.Index)
		}
	}
	if r := fast[len(fast)-1]; r.Signer != aAddr.String() || r.Body.GetMemo() != memo || r.TimeUnix == 0 || len(r.Events) == 0 {
		t.Errorf("streamed record not decoded: %+v", r)
	}
	fastMu.Unlock()

	// The slow one, read now, ends with ResourceExhausted before the end.
	got := 0
	for {
		_, err := slow.Recv()
		if err == nil {
			got++
			continue
		}
		if status.Code(err) != codes.ResourceExhausted || !strings.Contains(err.Error(), "dropped") {
			t.Fatalf("slow subscriber ended with %v after %d txs, want ResourceExhausted", err, got)
		}
		break
	}
	if got >= len(warm)+burst {
		t.Fatalf("slow subscriber got all %d txs: never dropped", got)
	}
	t.Logf("slow subscriber dropped after %d of %d txs", got, len(warm)+burst)

	// The fast subscriber and the node go on.
	after := send(bob, 0, cAddr, txtypes.BroadcastMode_BROADCAST_MODE_COMMIT)
	if err := Eventually(60*time.Second, func() error { return fastHas(after) }); err != nil {
		t.Fatal(err)
	}

	t.Run("per-connection limit", func(t *testing.T) {
		cc, err := grpc.NewClient(n.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		defer cc.Close()
		sctx, stop := context.WithCancel(ctx)
		defer stop()
		results := make(chan error, 3)
		for i := 0; i < 3; i++ {
			s, err := txtypes.NewTxServiceClient(cc).SubscribeTxs(sctx, &txtypes.SubscribeTxsRequest{Address: cAddr.String()})
			if err != nil {
				t.Fatal(err)
			}
			go func() { _, err := s.Recv(); results <- err }()
		}
		// One of the three is refused at once; the other two get the next tx.
		first := <-results
		if status.Code(first) != codes.ResourceExhausted || !strings.Contains(first.Error(), "per connection") {
			t.Fatalf("third subscription on a connection: %v", first)
		}
		send(bob, 1, cAddr, txtypes.BroadcastMode_BROADCAST_MODE_COMMIT)
		for i := 0; i < 2; i++ {
			if err := <-results; err != nil {
				t.Errorf("subscription within the limit: %v", err)
			}
		}
	})
	stopFast()
	if err := <-fastDone; err != nil {
		t.Errorf("WatchTxs ended with %v after its context was cancelled", err)
	}

	// CometBFT indexes a block a moment after its commit (when COMMIT
	// broadcasts and GetTx already see it): wait for the last one.
	wantBob := uint64(len(warm) + burst + 2) // warm-up and burst as recipient, two sends as signer
	if err := Eventually(60*time.Second, func() error {
		r, err := c.Tx.GetTxsByAddress(ctx, &txtypes.GetTxsByAddressRequest{Address: bAddr.String(), Limit: 1})
		if err != nil || r.Total != wantBob {
			return fmt.Errorf("bob's history: %v, total %d, want %d", err, r.GetTotal(), wantBob)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	t.Run("history of bob, newest first, every page", func(t *testing.T) {
		var all []*txtypes.TxRecord
		req := &txtypes.GetTxsByAddressRequest{Address: bAddr.String(), Limit: 100}
		if err := c.TxHistory(ctx, req, func(r *txtypes.TxRecord) error { all = append(all, r); return nil }); err != nil {
			t.Fatal(err)
		}
		if want := int(wantBob); len(all) != want {
			t.Fatalf("%d txs, want %d", len(all), want)
		}
		for i := 1; i < len(all); i++ {
			p, q := all[i-1], all[i]
			if q.Height > p.Height || (q.Height == p.Height && q.Index >= p.Index) {
				t.Fatalf("not newest first at %d: %d/%d after %d/%d", i, q.Height, q.Index, p.Height, p.Index)
			}
		}
		if top := all[0]; top.Signer != bAddr.String() || top.Sequence != 1 || top.Body.GetMessages()[0].GetSend().GetTo() != cAddr.String() {
			t.Errorf("newest entry %+v", top)
		}
	})

	t.Run("oldest first, filters, bad requests", func(t *testing.T) {
		r, err := c.Tx.GetTxsByAddress(ctx, &txtypes.GetTxsByAddressRequest{Address: bAddr.String(), Order: txtypes.TxOrder_TX_ORDER_OLDEST_FIRST, Limit: 1})
		if err != nil || len(r.Txs) != 1 || r.Txs[0].TxHash != warm[0] || len(r.NextPageKey) == 0 || r.Total != wantBob || r.EarliestHeight != 1 {
			t.Fatalf("oldest first: %v %+v", err, r)
		}
		r2, err := c.Tx.GetTxsByAddress(ctx, &txtypes.GetTxsByAddressRequest{Address: bAddr.String(), Order: txtypes.TxOrder_TX_ORDER_OLDEST_FIRST, Limit: 1, PageKey: r.NextPageKey})
		if err != nil || len(r2.Txs) != 1 || r2.Txs[0].TxHash == warm[0] {
			t.Fatalf("second page: %v %+v", err, r2)
		}
		none, err := c.Tx.GetTxsByAddress(ctx, &txtypes.GetTxsByAddressRequest{Address: bAddr.String(), MsgType: "/petro.token.v1.MsgIssue"})
		if err != nil || len(none.Txs) != 0 || none.Total != 0 {
			t.Errorf("msg_type MsgIssue: %v %+v", err, none)
		}
		h := last.Height
		inRange, err := c.Tx.GetTxsByAddress(ctx, &txtypes.GetTxsByAddressRequest{Address: bAddr.String(), MsgType: "/petro.token.v1.MsgSend", FromHeight: h, ToHeight: h, Limit: 100})
		if err != nil || len(inRange.Txs) == 0 {
			t.Fatalf("height %d: %v %+v", h, err, inRange)
		}
		for _, r := range inRange.Txs {
			if r.Height != h {
				t.Errorf("height range [%d, %d] returned height %d", h, h, r.Height)
			}
		}
		for name, req := range map[string]*txtypes.GetTxsByAddressRequest{
			"bad address":  {Address: "cosmos1xyz"},
			"limit 101":    {Address: bAddr.String(), Limit: 101},
			"bad page key": {Address: bAddr.String(), PageKey: []byte{0xff}},
			"bad range":    {Address: bAddr.String(), FromHeight: 9, ToHeight: 3},
			"bad msg_type": {Address: bAddr.String(), MsgType: "x' OR tx.height>0"},
		} {
			if _, err := c.Tx.GetTxsByAddress(ctx, req); status.Code(err) != codes.InvalidArgument {
				t.Errorf("%s: %v, want InvalidArgument", name, err)
			}
		}
	})

	t.Run("carol over gRPC GetTx, REST and the CLI", func(t *testing.T) {
		tx, err := c.Tx.GetTx(ctx, &txtypes.GetTxRequest{Hash: after})
		if err != nil || tx.Signer != bAddr.String() || tx.Sequence != 0 || tx.Body.GetMemo() != memo || tx.TimeUnix == 0 {
			t.Fatalf("GetTx decoded: %v %+v", err, tx)
		}
		code, body := restGet(t, n.APIURL()+"/petro/tx/v1/get_txs_by_address?address="+cAddr.String()+"&order=OLDEST_FIRST")
		var page struct {
			Txs []struct {
				TxHash string `json:"tx_hash"`
				Signer string `json:"signer"`
				Body   struct {
					Memo string `json:"memo"`
				} `json:"body"`
			} `json:"txs"`
			Total string `json:"total"`
		}
		if err := json.Unmarshal(body, &page); err != nil || code != 200 || len(page.Txs) != 2 || page.Txs[0].TxHash != after || page.Txs[0].Signer != bAddr.String() || page.Total != "2" {
			t.Fatalf("REST history: %d %s", code, body)
		}
		out, err := exec.Command(Binary(t), "query", "txs", "--address", cAddr.String(), "--node", n.GRPCAddr(), "--order", "oldest", "--limit", "1").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "txhash: "+after) || !strings.Contains(string(out), "signer: "+bAddr.String()) || !strings.Contains(string(out), "next page: --page-key ") {
			t.Fatalf("petrod query txs: %v\n%s", err, out)
		}
		out, err = exec.Command(Binary(t), "query", "tx", after, "--node", n.GRPCAddr()).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "message 0: ") || !strings.Contains(string(out), "memo: "+memo) || !strings.Contains(string(out), "sequence: 0") {
			t.Fatalf("petrod query tx: %v\n%s", err, out)
		}
		bal, err := c.Token.Balance(ctx, &tokentypes.QueryBalanceRequest{Address: cAddr.String()})
		if err != nil || bal.Balance.Amount != 2_00000000 {
			t.Errorf("carol: %v %+v", err, bal)
		}
	})

	t.Run("WaitForTx respects its context", func(t *testing.T) {
		wctx, stop := context.WithTimeout(ctx, time.Second)
		defer stop()
		if _, err := c.WaitForTx(wctx, strings.Repeat("ab", 32)); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("unknown hash: %v, want context.DeadlineExceeded", err)
		}
	})
}
