package app_test

import (
	"context"
	"sync"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/petro-network/petro/internal/testutil"
	tokenkeeper "github.com/petro-network/petro/x/token/keeper"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// TestConcurrentConnections drives the app the way CometBFT does with
// proxy.NewConnSyncLocalClientCreator (what petrod start uses): the
// consensus connection (ProcessProposal, FinalizeBlock, Commit) and the
// mempool connection (CheckTx, recheck) each serialised, but concurrent
// with each other, except that Commit and the recheck run under the
// mempool lock; gRPC queries and Simulate run beside all of it. Run with
// -race: it must find nothing, and every block must commit all its txs.
func TestConcurrentConnections(t *testing.T) {
	const senders, blocks = 40, 12
	gb := testutil.NewGenesis()
	for i := 0; i < senders; i++ {
		gb.Fund(testutil.Addr(i), 1_000_000)
	}
	a := testutil.NewApp(t, gb.State())
	testutil.NextBlock(t, a)
	ctx := context.Background()
	q := tokenkeeper.NewQueryServer(a.TokenKeeper(), a)

	// Every tx of every block, signed up front: block b holds each sender's
	// sequence b.
	txs := make([][][]byte, blocks)
	for b := range txs {
		for i := 0; i < senders; i++ {
			txs[b] = append(txs[b], testutil.SendTx(t, testutil.Key(i), uint64(b), testutil.Addr((i+1)%senders), 1))
		}
	}

	var mempoolMu sync.RWMutex // CometBFT's mempool updateMtx
	var checkMu sync.Mutex     // the mempool connection's mutex
	var mempool [][]byte       // admitted, not yet committed
	done := make(chan struct{})
	var wg sync.WaitGroup

	// Mempool connection: new txs (the next block's and the one after).
	wg.Add(1)
	go func() {
		defer wg.Done()
		for b := 0; b < blocks; b++ {
			for _, tx := range txs[b] {
				mempoolMu.RLock()
				checkMu.Lock()
				resp, err := a.CheckTx(ctx, &abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New})
				if err == nil && resp.Code == 0 {
					mempool = append(mempool, tx)
				}
				checkMu.Unlock()
				mempoolMu.RUnlock()
			}
		}
	}()
	// Queries and Simulate on gRPC goroutines.
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				if _, err := q.Balance(ctx, &tokentypes.QueryBalanceRequest{Address: testutil.Addr(i % senders).String(), Prove: i%2 == 0}); err != nil {
					t.Errorf("query: %v", err)
					return
				}
				_, _, _ = a.Simulate(txs[0][i%senders])
				_, _ = a.Info(ctx, &abci.RequestInfo{})
			}
		}(g)
	}

	// Consensus connection: each block reaps the whole mempool in order,
	// as a proposer does.
	committed := 0
	for b := 0; b < blocks; b++ {
		height, _ := a.LastCommit()
		height++
		var block [][]byte
		for wait := 0; wait < 100; wait++ { // let the mempool fill a little (≤ 1 s)
			checkMu.Lock()
			block = append(block[:0], mempool...) // reap everything, in order
			checkMu.Unlock()
			if len(block) >= senders/2 {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if st := processProposal(t, a, height, block...); st != abci.ResponseProcessProposal_ACCEPT {
			t.Fatalf("block %d rejected", height)
		}
		resp, err := a.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Txs: block, Height: height, Time: testutil.BlockTime(height)})
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range resp.TxResults {
			if r.Code != 0 {
				t.Fatalf("block %d tx %d: %s", height, i, r.Log)
			}
		}
		committed += len(block)
		// Commit + Update + recheck under the mempool lock.
		mempoolMu.Lock()
		if _, err := a.Commit(ctx, &abci.RequestCommit{}); err != nil {
			t.Fatal(err)
		}
		inBlock := map[string]bool{}
		for _, tx := range block {
			inBlock[string(tx)] = true
		}
		checkMu.Lock()
		left := mempool[:0]
		for _, tx := range mempool {
			if inBlock[string(tx)] {
				continue
			}
			resp, err := a.CheckTx(ctx, &abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_Recheck})
			if err == nil && resp.Code == 0 {
				left = append(left, tx)
			}
		}
		mempool = left
		checkMu.Unlock()
		mempoolMu.Unlock()
	}
	close(done)
	wg.Wait()
	if committed == 0 {
		t.Fatal("no tx committed")
	}
	t.Logf("%d txs committed in %d blocks", committed, blocks)
}
