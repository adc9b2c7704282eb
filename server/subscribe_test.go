package server

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/crypto"
	txtypes "github.com/petro-network/petro/types/tx"
)

// hubService serves SubscribeTxs alone, fed by hand-made blocks (the rest
// of the TxService needs a node; tests/e2e covers it on one).
func hubService(t *testing.T, cfg Config) (*TxService, *grpc.ClientConn) {
	t.Helper()
	s := &TxService{}
	s.subs = newSubHub(cfg, func(height int64, index uint32, raw []byte, _ *abci.ExecTxResult, _ map[int64]int64) *txtypes.TxRecord {
		return &txtypes.TxRecord{Height: height, Index: index, TxBytes: raw}
	})
	gs := grpc.NewServer(grpc.ChainStreamInterceptor(streamInterceptor(nil)))
	txtypes.RegisterTxServiceServer(gs, s)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = gs.Serve(lis) }()
	t.Cleanup(gs.Stop)
	cc, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithInitialWindowSize(64<<10), grpc.WithInitialConnWindowSize(64<<10))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return s, cc
}

// block is a committed block of n txs of 1 KiB, each touching addr.
func block(addr string, n int) ([][]byte, []*abci.ExecTxResult) {
	txs, res := make([][]byte, n), make([]*abci.ExecTxResult, n)
	for i := range txs {
		txs[i] = make([]byte, 1024)
		res[i] = &abci.ExecTxResult{Events: []abci.Event{{Type: app.EventTypeTx, Attributes: []abci.EventAttribute{{Key: app.AttributeKeyAddress, Value: addr, Index: true}}}}}
	}
	return txs, res
}

func waitSubs(t *testing.T, s *TxService, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s.subs.mu.Lock()
		got := s.subs.n
		s.subs.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d subscriptions, want %d", got, n)
		}
		time.Sleep(5 * time.Millisecond) // polling a condition, not timing
	}
}

// TestSubscribeSlowConsumerDropped: a stream that does not read is dropped
// with ResourceExhausted once its buffer of blocks is full; a reader on
// the same address gets every block; the dropped one's slot is freed.
func TestSubscribeSlowConsumerDropped(t *testing.T) {
	cfg := DefaultConfig()
	cfg.SubscriptionBufferBlocks = 2
	s, cc := hubService(t, cfg)
	addr := crypto.Address(make([]byte, 20)).String()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	slow, err := txtypes.NewTxServiceClient(cc).SubscribeTxs(ctx, &txtypes.SubscribeTxsRequest{Address: addr})
	if err != nil {
		t.Fatal(err)
	}
	fast, err := txtypes.NewTxServiceClient(cc).SubscribeTxs(ctx, &txtypes.SubscribeTxsRequest{Address: addr})
	if err != nil {
		t.Fatal(err)
	}
	waitSubs(t, s, 2)

	const blocks, perBlock = 200, 10 // 2 MB: far more than the HTTP/2 windows
	got := make(chan int, 1)
	var fastRead atomic.Int64
	go func() {
		n := 0
		for n < blocks*perBlock {
			if _, err := fast.Recv(); err != nil {
				t.Errorf("fast reader: %v after %d", err, n)
				break
			}
			n++
			fastRead.Store(int64(n))
		}
		got <- n
	}()
	for h := int64(1); h <= blocks; h++ {
		// Blocks come no faster than a reader that keeps up reads them (on
		// a chain, one a second or so): the fast one is at most a block
		// behind, the slow one falls behind for good.
		for fastRead.Load() < (h-2)*perBlock && ctx.Err() == nil {
			time.Sleep(time.Millisecond) // polling a condition, not timing
		}
		txs, res := block(addr, perBlock)
		s.subs.onCommit(h, txs, res)
	}
	if n := <-got; n != blocks*perBlock {
		t.Fatalf("fast reader got %d of %d", n, blocks*perBlock)
	}
	read := 0
	for {
		_, err := slow.Recv()
		if err == nil {
			read++
			continue
		}
		if status.Code(err) != codes.ResourceExhausted || !strings.Contains(err.Error(), "dropped") {
			t.Fatalf("slow reader: %v after %d", err, read)
		}
		break
	}
	if read >= blocks*perBlock {
		t.Fatal("slow reader never dropped")
	}
	waitSubs(t, s, 1) // only the fast one holds a slot
}

// TestSubscribeLimits: per-connection and total limits answer
// ResourceExhausted; a bad address InvalidArgument; a cancelled stream
// frees its slot.
func TestSubscribeLimits(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxSubscriptionsPerConn, cfg.MaxSubscriptions = 2, 3
	s, cc := hubService(t, cfg)
	addr := crypto.Address(make([]byte, 20)).String()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	open := func(cc *grpc.ClientConn, ctx context.Context, a string) txtypes.TxService_SubscribeTxsClient {
		st, err := txtypes.NewTxServiceClient(cc).SubscribeTxs(ctx, &txtypes.SubscribeTxsRequest{Address: a})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	recvCode := func(st txtypes.TxService_SubscribeTxsClient) (codes.Code, string) {
		_, err := st.Recv()
		return status.Code(err), fmt.Sprint(err)
	}
	if c, msg := recvCode(open(cc, ctx, "cosmos1xyz")); c != codes.InvalidArgument {
		t.Errorf("bad address: %v", msg)
	}
	sctx, stop := context.WithCancel(ctx)
	open(cc, sctx, addr)
	open(cc, ctx, addr)
	waitSubs(t, s, 2)
	if c, msg := recvCode(open(cc, ctx, addr)); c != codes.ResourceExhausted || !strings.Contains(msg, "per connection") {
		t.Errorf("third on a connection: %v", msg)
	}
	other, err := grpc.NewClient(cc.Target(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	open(other, ctx, addr)
	waitSubs(t, s, 3)
	if c, msg := recvCode(open(other, ctx, addr)); c != codes.ResourceExhausted || !strings.Contains(msg, "at most 3") {
		t.Errorf("over the total: %v", msg)
	}
	stop() // frees one slot
	waitSubs(t, s, 2)
}
