package app_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/petro-network/petro/internal/store"
	"github.com/petro-network/petro/internal/testutil"
	reservekeeper "github.com/petro-network/petro/x/reserve/keeper"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokenkeeper "github.com/petro-network/petro/x/token/keeper"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// cpuClock measures the process's CPU time (user + system, all threads:
// GC and background work included) over the timed parts of a benchmark.
// On a shared machine wall-clock ns/op moves with the neighbours' load;
// CPU time per op barely does. Start/Stop pair with b.StartTimer/StopTimer.
type cpuClock struct{ total, start time.Duration }

func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (c *cpuClock) Start() { c.start = processCPU() }
func (c *cpuClock) Stop()  { c.total += processCPU() - c.start }

// Report adds cpu-ns/op (per b.N) and, with perOp > 1, cpu-ns/tx.
func (c *cpuClock) Report(b *testing.B, txsPerOp int) {
	b.ReportMetric(float64(c.total.Nanoseconds())/float64(b.N), "cpu-ns/op")
	if txsPerOp > 1 {
		b.ReportMetric(float64(c.total.Nanoseconds())/float64(b.N*txsPerOp), "cpu-ns/tx")
	}
}

// BenchmarkRecheckTx is CometBFT's recheck after a block: every tx left in
// the mempool (1,000 transfers from distinct senders, admitted by CheckTx
// before the block) is re-run on the check state just reset to the
// committed state. It runs under the mempool lock inside Commit, so its
// time per tx × mempool size adds to every block interval.
func BenchmarkRecheckTx(b *testing.B) {
	const senders = 1000
	a := benchApp(b, store.BackendMemDB, senders, 0)
	txs := signTransfers(b, senders, 0)
	ctx := context.Background()
	for _, tx := range txs {
		if resp, err := a.CheckTx(ctx, &abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New}); err != nil || resp.Code != 0 {
			b.Fatalf("CheckTx: %v %s", err, resp.GetLog())
		}
	}
	height := int64(2)
	var cpu cpuClock
	b.ReportAllocs()
	b.ResetTimer()
	cpu.Start()
	for i := 0; i < b.N; i++ {
		if i%senders == 0 { // a block without these txs: the check state resets
			b.StopTimer()
			cpu.Stop()
			finalizeCommit(b, a, height)
			height++
			cpu.Start()
			b.StartTimer()
		}
		resp, err := a.CheckTx(ctx, &abci.RequestCheckTx{Tx: txs[i%senders], Type: abci.CheckTxType_Recheck})
		if err != nil || resp.Code != 0 {
			b.Fatalf("recheck %d: %v %s", i, err, resp.GetLog())
		}
	}
	cpu.Stop()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
	cpu.Report(b, 1)
}

// BenchmarkQueryBalance is the gRPC Balance handler in-process (no
// network) on pebble with 10,000 accounts, without and with an ICS23 proof.
func BenchmarkQueryBalance(b *testing.B) {
	a := benchApp(b, store.BackendPebble, 1000, 9000)
	q := tokenkeeper.NewQueryServer(a.TokenKeeper(), a)
	for _, prove := range []bool{false, true} {
		b.Run(map[bool]string{false: "prove=false", true: "prove=true"}[prove], func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				res, err := q.Balance(context.Background(), &tokentypes.QueryBalanceRequest{Address: testutil.Addr(i % 1000).String(), Prove: prove})
				if err != nil || res.GetBalance().GetAmount() == 0 || (prove && res.GetProof() == nil) {
					b.Fatalf("balance: %v %v", err, res)
				}
			}
		})
	}
}

// BenchmarkQueryBacking is the reserve Status (backing) handler, as
// BenchmarkQueryBalance.
func BenchmarkQueryBacking(b *testing.B) {
	a := benchApp(b, store.BackendPebble, 1000, 9000)
	q := reservekeeper.NewQueryServer(a.ReserveKeeper(), a)
	for _, prove := range []bool{false, true} {
		b.Run(map[bool]string{false: "prove=false", true: "prove=true"}[prove], func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				res, err := q.Status(context.Background(), &reservetypes.QueryStatusRequest{Prove: prove})
				if err != nil || (prove && res.GetProof() == nil) {
					b.Fatalf("status: %v %v", err, res)
				}
			}
		})
	}
}
