package app_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/internal/store"
	"github.com/petro-network/petro/internal/testutil"
)

// -petro.bigstate (or PETRO_BENCH_BIG=1) enables the benchmark variants
// whose setup is slow (a million accounts in state).
var bigState = flag.Bool("petro.bigstate", false, "run benchmarks with 1M accounts in state (slow setup)")

func bigStateEnabled() bool { return *bigState || os.Getenv("PETRO_BENCH_BIG") == "1" }

const benchFunds = 1 << 30 // × 1M accounts stays under the 100M PTR hard cap

// benchApp opens an app whose genesis funds Key(0) … Key(senders-1) and
// holds filler more accounts (balance and account record each, no key), on
// backend ("memdb" or "pebble"), with block 1 committed. The app's own
// per-block invariant walk is off: it is O(accounts) and a test aid.
func benchApp(b *testing.B, backend string, senders, filler int) *app.App {
	b.Helper()
	gb := testutil.NewGenesis()
	for i := 0; i < senders; i++ {
		gb.Fund(testutil.Addr(i), benchFunds)
	}
	gs := gb.State()
	for i := 0; i < filler; i++ {
		a := testutil.FillerAddr(i)
		gb.Fund(a, 1)
		gs.Auth.Accounts = append(gs.Auth.Accounts, accountRecord(a.String()))
	}
	dir := ""
	if backend != store.BackendMemDB {
		dir = b.TempDir()
	}
	a, _ := testutil.OpenApp(b, backend, dir, testutil.NoInvariants(), func(o *app.Options) { o.CacheSize = petrodCacheSize })
	testutil.InitChain(b, a, gs)
	finalizeCommit(b, a, 1)
	return a
}

// petrodCacheSize is the IAVL node cache petrod runs with (app.toml
// iavl_cache_size, cmd/petrod DefaultAppConfig), so the benchmarks measure
// what a node does.
const petrodCacheSize = 500_000

// signTransfers signs, in parallel, one transfer of 1 from each of
// Key(0) … Key(n-1) at sequence seq to the next sender.
func signTransfers(b *testing.B, n int, seq uint64) [][]byte {
	b.Helper()
	txs := make([][]byte, n)
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += workers {
				txs[i] = testutil.SendTx(b, testutil.Key(i), seq, testutil.Addr((i+1)%n), 1)
			}
		}(w)
	}
	wg.Wait()
	return txs
}

// finalizeCommit is FinalizeBlock + Commit without the test driver's
// per-block state walks (benchmarks time this).
func finalizeCommit(b *testing.B, a *app.App, height int64, txs ...[]byte) *abci.ResponseFinalizeBlock {
	resp, err := a.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Txs: txs, Height: height, Time: testutil.BlockTime(height)})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := a.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
		b.Fatal(err)
	}
	return resp
}

func assertAllOK(b *testing.B, resp *abci.ResponseFinalizeBlock) {
	b.Helper()
	for i, r := range resp.TxResults {
		if r.Code != 0 {
			b.Fatalf("tx %d failed: %s/%d %s", i, r.Codespace, r.Code, r.Log)
		}
	}
}

// BenchmarkCheckTx admits pre-signed transfers (1,000 senders round-robin,
// so each sender's sequence advances in the check state) into the
// mempool: decode, signature, ante and message on the check state.
func BenchmarkCheckTx(b *testing.B) {
	const senders = 1000
	a := benchApp(b, store.BackendMemDB, senders, 0)
	txs := make([][]byte, b.N)
	for start := 0; start < b.N; start += senders {
		round := signTransfers(b, senders, uint64(start/senders))
		copy(txs[start:], round)
	}
	ctx := context.Background()
	var cpu cpuClock
	b.ReportAllocs()
	b.ResetTimer()
	cpu.Start()
	for i := 0; i < b.N; i++ {
		resp, err := a.CheckTx(ctx, &abci.RequestCheckTx{Tx: txs[i]})
		if err != nil || resp.Code != 0 {
			b.Fatalf("CheckTx %d: %v %s", i, err, resp.GetLog())
		}
	}
	cpu.Stop()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
	cpu.Report(b, 1)
}

// BenchmarkFinalizeCommit5000 executes and commits one block of 5,000
// signed transfers from 5,000 distinct funded senders on pebble, with
// more accounts in state in the larger variants. sigcache=cold verifies
// every signature inside FinalizeBlock; sigcache=warm runs ProcessProposal
// first (untimed), as a validator does, so FinalizeBlock hits the
// verified-signature cache.
func BenchmarkFinalizeCommit5000(b *testing.B) {
	const txsPerBlock = 5000
	for _, accounts := range []int{5_000, 10_000, 1_000_000} {
		for _, warm := range []bool{false, true} {
			name := fmt.Sprintf("accounts=%s/sigcache=%s", human(accounts), map[bool]string{false: "cold", true: "warm"}[warm])
			b.Run(name, func(b *testing.B) {
				if accounts >= 1_000_000 && !bigStateEnabled() {
					b.Skip("slow setup: run with -petro.bigstate or PETRO_BENCH_BIG=1")
				}
				a := benchApp(b, store.BackendPebble, txsPerBlock, accounts-txsPerBlock)
				var cpu cpuClock
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					height := int64(i + 2)
					txs := signTransfers(b, txsPerBlock, uint64(i))
					if warm {
						if st := processProposal(b, a, height, txs...); st != accept {
							b.Fatalf("ProcessProposal: %v", st)
						}
					}
					cpu.Start()
					b.StartTimer()
					resp := finalizeCommit(b, a, height, txs...)
					b.StopTimer()
					cpu.Stop()
					assertAllOK(b, resp)
					b.StartTimer()
				}
				b.ReportMetric(float64(txsPerBlock*b.N)/b.Elapsed().Seconds(), "tx/s")
				cpu.Report(b, txsPerBlock)
			})
		}
	}
}

func human(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

// BenchmarkDecodeTx is CheckTx's baseline: decoding and the stateless
// checks alone (canonical encoding, limits, ValidateBasic), no signature
// and no state.
func BenchmarkDecodeTx(b *testing.B) {
	txs := signTransfers(b, 1000, 0)
	var cpu cpuClock
	b.ReportAllocs()
	b.ResetTimer()
	cpu.Start()
	for i := 0; i < b.N; i++ {
		if _, err := app.DecodeTx(txs[i%len(txs)]); err != nil {
			b.Fatal(err)
		}
	}
	cpu.Stop()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
	cpu.Report(b, 1)
}
