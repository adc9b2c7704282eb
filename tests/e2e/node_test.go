package e2e

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/crypto"
	txtypes "github.com/petro-network/petro/types/tx"
	authtypes "github.com/petro-network/petro/x/auth/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

const (
	e2eChainID = "petro-e2e-1"
	fund       = uint64(1_000_000_00000000) // 1M PTR each
)

// TestNodeCrashRecovery sends signed transfers over gRPC from many
// accounts, SIGKILLs the node mid-load, restarts it, and checks that every
// tx acknowledged as committed is in the chain exactly once, that state
// equals an independent replay of the committed blocks, and that the chain
// goes on.
func TestNodeCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("node test")
	}
	const senders = 16
	keys := make([]*crypto.PrivKey, senders)
	addrs := make([]crypto.Address, senders)
	for i := range keys {
		keys[i] = Key(t, i)
		addrs[i] = keys[i].PubKey().Address()
	}
	n := NewSingleNode(t, e2eChainID, addrs, fund, 200*time.Millisecond)

	// ARRANGE: a running node.
	n.Start()
	n.WaitReady(1, 60*time.Second)

	// ACT: load from every sender until enough txs are acknowledged, then
	// SIGKILL while the senders are still sending.
	var (
		mu     sync.Mutex
		acks   []acked
		nAcked atomic.Int64
	)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := range keys {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			cc := n.Conn()
			txc := txtypes.NewTxServiceClient(cc)
			for seq := uint64(0); ctx.Err() == nil; seq++ {
				to := addrs[(i+1+int(seq)%(senders-1))%senders]
				amount := uint64(1 + i + int(seq))
				raw, err := client.SignTx(e2eChainID, keys[i], seq, []*txtypes.Msg{client.SendMsg(addrs[i], to, amount)}, client.TxOptions{})
				if err != nil {
					t.Error(err)
					return
				}
				rctx, rcancel := context.WithTimeout(ctx, 20*time.Second)
				resp, err := txc.Broadcast(rctx, &txtypes.BroadcastRequest{TxBytes: raw, Mode: txtypes.BroadcastMode_BROADCAST_MODE_COMMIT})
				rcancel()
				if err != nil {
					return // the node is gone (or we were told to stop)
				}
				if resp.Code != 0 || !resp.Committed {
					t.Errorf("sender %d seq %d: code %d %s committed=%v", i, seq, resp.Code, resp.Log, resp.Committed)
					return
				}
				mu.Lock()
				acks = append(acks, acked{hash: resp.TxHash, from: addrs[i].String(), to: to.String(), amount: amount, seq: seq})
				mu.Unlock()
				nAcked.Add(1)
			}
		}(i)
	}
	if err := Eventually(90*time.Second, func() error {
		if got := nAcked.Load(); got < 200 {
			return fmt.Errorf("only %d txs acknowledged", got)
		}
		return nil
	}); err != nil {
		cancel()
		wg.Wait()
		t.Fatal(err)
	}
	n.Kill()
	cancel()
	wg.Wait()
	t.Logf("acknowledged %d txs before SIGKILL", len(acks))

	// Restart: the node must come back on its own and keep going.
	n.Start()
	h := n.WaitReady(0, 60*time.Second)
	h = n.WaitReady(h, 30*time.Second) // at least one block after restart

	// ASSERT 1: replay every committed block independently.
	rpc := n.RPC()
	balances := map[string]uint64{}
	for _, a := range addrs {
		balances[a.String()] = fund
	}
	seen := map[string]int{}       // tx hash → times committed with code 0
	nextSeq := map[string]uint64{} // sender → next sequence in committed txs
	bg := context.Background()
	for height := int64(1); height <= h; height++ {
		hh := height
		blk, err := rpc.Block(bg, &hh)
		if err != nil {
			t.Fatalf("block %d: %v", height, err)
		}
		res, err := rpc.BlockResults(bg, &hh)
		if err != nil {
			t.Fatalf("block results %d: %v", height, err)
		}
		for i, raw := range blk.Block.Txs {
			txr := &txtypes.TxRaw{}
			body := &txtypes.TxBody{}
			auth := &txtypes.AuthInfo{}
			if err := errors.Join(proto.Unmarshal(raw, txr), proto.Unmarshal(txr.GetBodyBytes(), body), proto.Unmarshal(txr.GetAuthInfoBytes(), auth)); err != nil {
				t.Fatalf("block %d tx %d: %v", height, i, err)
			}
			pk, err := crypto.PubKeyFromBytes(auth.PubKey)
			if err != nil {
				t.Fatal(err)
			}
			sender := pk.Address().String()
			// A tx that failed ante (codespace "tx") changed nothing; every
			// other tx consumed exactly the next sequence.
			if r := res.TxsResults[i]; r.Code != 0 && r.Codespace == authtypes.Codespace {
				continue
			}
			if auth.Sequence != nextSeq[sender] {
				t.Fatalf("block %d tx %d: %s sequence %d, expected %d (applied twice or skipped)", height, i, sender, auth.Sequence, nextSeq[sender])
			}
			nextSeq[sender]++
			if res.TxsResults[i].Code != 0 {
				continue
			}
			seen[strings.ToUpper(hex.EncodeToString(raw.Hash()))]++
			for _, m := range body.Messages {
				s := m.GetSend()
				balances[s.From] -= s.Amount
				balances[s.To] += s.Amount
			}
		}
	}
	for _, a := range acks {
		if c := seen[a.hash]; c != 1 {
			t.Errorf("acknowledged tx %s (from %s seq %d) committed %d times", a.hash, a.from, a.seq, c)
		}
	}

	// ASSERT 2: the node's state at h equals the replay.
	cc := n.Conn()
	tq := tokentypes.NewQueryClient(cc)
	aq := authtypes.NewQueryClient(cc)
	var total uint64
	for _, a := range addrs {
		b, err := tq.Balance(bg, &tokentypes.QueryBalanceRequest{Address: a.String(), Height: h})
		if err != nil {
			t.Fatal(err)
		}
		if b.Balance.Amount != balances[a.String()] {
			t.Errorf("%s: node says %d, replay says %d", a, b.Balance.Amount, balances[a.String()])
		}
		total += b.Balance.Amount
		acc, err := aq.Account(bg, &authtypes.QueryAccountRequest{Address: a.String(), Height: h})
		if err != nil {
			t.Fatal(err)
		}
		if acc.Account.Sequence != nextSeq[a.String()] {
			t.Errorf("%s: sequence %d, replay says %d", a, acc.Account.Sequence, nextSeq[a.String()])
		}
	}
	sup, err := tq.Supply(bg, &tokentypes.QuerySupplyRequest{Height: h})
	if err != nil {
		t.Fatal(err)
	}
	if sup.Amount != total || total != fund*senders {
		t.Errorf("supply %d, Σ balances %d, genesis %d", sup.Amount, total, fund*senders)
	}

	// ASSERT 3: the chain continues: every sender can transact again.
	txc := txtypes.NewTxServiceClient(cc)
	for i, k := range keys {
		acc, err := aq.Account(bg, &authtypes.QueryAccountRequest{Address: addrs[i].String()})
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := client.SignTx(e2eChainID, k, acc.Account.Sequence, []*txtypes.Msg{client.SendMsg(addrs[i], addrs[(i+1)%senders], 1)}, client.TxOptions{})
		resp, err := txc.Broadcast(bg, &txtypes.BroadcastRequest{TxBytes: raw, Mode: txtypes.BroadcastMode_BROADCAST_MODE_COMMIT})
		if err != nil || resp.Code != 0 || !resp.Committed {
			t.Fatalf("sender %d after restart: %v %+v", i, err, resp)
		}
	}
}
