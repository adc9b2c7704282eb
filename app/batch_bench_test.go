package app_test

import (
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/internal/store"
	"github.com/petro-network/petro/internal/testutil"
	txtypes "github.com/petro-network/petro/types/tx"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// BenchmarkBatchPayments (#19) executes and commits blocks of 4,096
// payments on pebble, each payment a new recipient, as single MsgSend txs
// and as MsgBatchSend txs of 1, 16 and 256 outputs (4096, 256 and 16
// signed txs per block): payments/s is what a batch buys. Signing is
// untimed; FinalizeBlock verifies every signature (cold signature cache).
func BenchmarkBatchPayments(b *testing.B) {
	const payments = 4096
	for _, size := range []int{0, 1, 16, 256} { // 0: single MsgSend
		name := fmt.Sprintf("batch=%d", size)
		if size == 0 {
			name = "single-send"
		}
		b.Run(name, func(b *testing.B) {
			txsPerBlock := payments
			if size > 0 {
				txsPerBlock = payments / size
			}
			a := benchApp(b, store.BackendPebble, txsPerBlock, 0)
			var cpu cpuClock
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				height := int64(i + 2)
				txs := signPayments(b, txsPerBlock, size, uint64(i), i*payments)
				cpu.Start()
				b.StartTimer()
				resp := finalizeCommit(b, a, height, txs...)
				b.StopTimer()
				cpu.Stop()
				assertAllOK(b, resp)
				b.StartTimer()
			}
			b.ReportMetric(float64(payments*b.N)/b.Elapsed().Seconds(), "payments/s")
			cpu.Report(b, payments)
		})
	}
}

// signPayments signs, in parallel, one tx from each of Key(0) … Key(n-1)
// at sequence seq: a MsgSend (size 0) or a MsgBatchSend of size outputs,
// each to a fresh recipient FillerAddr(first + k).
func signPayments(b *testing.B, n, size int, seq uint64, first int) [][]byte {
	b.Helper()
	txs := make([][]byte, n)
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += workers {
				from := testutil.Addr(i)
				var msg *txtypes.Msg
				if size == 0 {
					msg = client.SendMsg(from, testutil.FillerAddr(first+i), 1)
				} else {
					outs := make([]*tokentypes.Output, size)
					for k := range outs {
						outs[k] = &tokentypes.Output{To: testutil.FillerAddr(first + i*size + k).String(), Amount: 1}
					}
					msg = &txtypes.Msg{Sum: &txtypes.Msg_BatchSend{BatchSend: &tokentypes.MsgBatchSend{From: from.String(), Outputs: outs}}}
				}
				raw, err := client.SignTx(testutil.ChainID, testutil.Key(i), seq, []*txtypes.Msg{msg}, client.TxOptions{})
				if err != nil {
					b.Error(err)
					return
				}
				txs[i] = raw
			}
		}(w)
	}
	wg.Wait()
	return txs
}
