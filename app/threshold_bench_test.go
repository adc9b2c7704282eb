package app_test

import (
	"context"
	"fmt"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/crypto/multisig"
	"github.com/petro-network/petro/internal/store"
	"github.com/petro-network/petro/internal/testutil"
	txtypes "github.com/petro-network/petro/types/tx"
)

// The cost of threshold signers (#13): the same transfers signed by a
// single key (the baseline), a 2-of-3 and a 5-of-7 account, in one run.

type benchSigner struct {
	k, n int // 0, 0 for a single key
}

func (s benchSigner) String() string {
	if s.n == 0 {
		return "single"
	}
	return fmt.Sprintf("%dof%d", s.k, s.n)
}

var benchSigners = []benchSigner{{}, {2, 3}, {5, 7}}

// benchAccount is sender i of kind s: its address and how to sign a
// transfer of 1 from it at a sequence.
type benchAccount struct {
	addr crypto.Address
	sign func(b *testing.B, seq uint64, to crypto.Address) []byte
}

func newBenchAccount(b *testing.B, s benchSigner, i int) benchAccount {
	if s.n == 0 {
		key := testutil.Key(i)
		return benchAccount{addr: key.PubKey().Address(), sign: func(b *testing.B, seq uint64, to crypto.Address) []byte {
			return testutil.SendTx(b, key, seq, to, 1)
		}}
	}
	keys := make([]*crypto.PrivKey, s.n)
	pubs := make([]*crypto.PubKey, s.n)
	for j := range keys {
		keys[j] = testutil.Key(100_000 + i*s.n + j)
		pubs[j] = keys[j].PubKey()
	}
	mk, err := multisig.New(s.k, pubs)
	if err != nil {
		b.Fatal(err)
	}
	byIndex := make([]*crypto.PrivKey, s.n)
	for _, k := range keys {
		byIndex[mk.Index(k.PubKey())] = k
	}
	return benchAccount{addr: mk.Address(), sign: func(b *testing.B, seq uint64, to crypto.Address) []byte {
		u, err := client.BuildThresholdTx(testutil.ChainID, mk, seq, []*txtypes.Msg{client.SendMsg(mk.Address(), to, 1)}, client.TxOptions{})
		if err != nil {
			b.Fatal(err)
		}
		doc, err := client.NewTxDoc(u)
		if err != nil {
			b.Fatal(err)
		}
		for j := 0; j < s.k; j++ { // the first k members
			sig, err := doc.MemberSign(byIndex[j])
			if err != nil {
				b.Fatal(err)
			}
			doc.MemberSignatures = append(doc.MemberSignatures, sig)
		}
		raw, err := doc.TxBytes()
		if err != nil {
			b.Fatal(err)
		}
		return raw
	}}
}

// thresholdBenchApp funds senders accounts of kind s on memdb, block 1
// committed.
func thresholdBenchApp(b *testing.B, s benchSigner, senders int) (*app.App, []benchAccount) {
	accs := make([]benchAccount, senders)
	gb := testutil.NewGenesis()
	for i := range accs {
		accs[i] = newBenchAccount(b, s, i)
		gb.Fund(accs[i].addr, benchFunds)
	}
	a, _ := testutil.OpenApp(b, store.BackendMemDB, "", testutil.NoInvariants(), func(o *app.Options) { o.CacheSize = petrodCacheSize })
	testutil.InitChain(b, a, gb.State())
	finalizeCommit(b, a, 1)
	return a, accs
}

// BenchmarkThresholdCheckTx: CheckTx of pre-signed transfers, 200 senders
// round-robin (each tx a fresh signature set: no cache hits).
func BenchmarkThresholdCheckTx(b *testing.B) {
	for _, s := range benchSigners {
		b.Run("signer="+s.String(), func(b *testing.B) {
			const senders = 200
			a, accs := thresholdBenchApp(b, s, senders)
			txs := make([][]byte, b.N)
			for i := range txs {
				txs[i] = accs[i%senders].sign(b, uint64(i/senders), accs[(i+1)%senders].addr)
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
		})
	}
}

// BenchmarkThresholdFinalizeCommit: FinalizeBlock + Commit of a block of
// 1,000 transfers from 1,000 distinct senders, every signature verified in
// FinalizeBlock (no ProcessProposal first: the cold signature cache).
func BenchmarkThresholdFinalizeCommit(b *testing.B) {
	for _, s := range benchSigners {
		b.Run("signer="+s.String(), func(b *testing.B) {
			const txsPerBlock = 1000
			a, accs := thresholdBenchApp(b, s, txsPerBlock)
			var cpu cpuClock
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				txs := make([][]byte, txsPerBlock)
				for j := range txs {
					txs[j] = accs[j].sign(b, uint64(i), accs[(j+1)%txsPerBlock].addr)
				}
				cpu.Start()
				b.StartTimer()
				resp := finalizeCommit(b, a, int64(i+2), txs...)
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
