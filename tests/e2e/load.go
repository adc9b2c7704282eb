package e2e

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/crypto"
	txtypes "github.com/petro-network/petro/types/tx"
	authtypes "github.com/petro-network/petro/x/auth/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// Shared helpers of the fault tests: a transfer load that survives nodes
// going away and keeps a client-side history of every tx it was told is
// committed, an independent replay of the committed blocks, and
// cross-node checks of block and app hashes.

// Load sends signed transfers from several keys, each to nodes that are
// currently targets, in BROADCAST_MODE_COMMIT, and records every tx acked
// as committed with code 0. The content of (sender, sequence) is fixed, so
// a retry after an error re-sends byte-identical txs: a sequence can never
// be spent on two different transfers by the load itself.
type Load struct {
	t       testing.TB
	chainID string
	keys    []*crypto.PrivKey
	addrs   []crypto.Address

	mu      sync.Mutex
	targets []*Node
	conns   map[*Node]*grpc.ClientConn
	acks    []acked

	nAcked atomic.Int64
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// StartLoad starts one goroutine per key sending to targets.
func StartLoad(t testing.TB, chainID string, keys []*crypto.PrivKey, targets []*Node) *Load {
	t.Helper()
	l := &Load{t: t, chainID: chainID, keys: keys, conns: map[*Node]*grpc.ClientConn{}}
	for _, k := range keys {
		l.addrs = append(l.addrs, k.PubKey().Address())
	}
	l.SetTargets(targets...)
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	for i := range keys {
		l.wg.Add(1)
		go l.sender(ctx, i)
	}
	t.Cleanup(l.Stop)
	return l
}

// SetTargets replaces the nodes the load sends to (call it before a node
// is stopped, so no new tx goes there).
func (l *Load) SetTargets(nodes ...*Node) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.targets = append([]*Node(nil), nodes...)
	for _, n := range nodes {
		if l.conns[n] == nil {
			cc, err := grpc.NewClient(n.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
			if err != nil {
				l.t.Errorf("dial %s: %v", n.GRPCAddr(), err)
				continue
			}
			l.conns[n] = cc
		}
	}
}

// Stop stops sending and waits for every sender (idempotent).
func (l *Load) Stop() {
	l.cancel()
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	for n, cc := range l.conns {
		cc.Close()
		delete(l.conns, n)
	}
}

// Acked is how many txs were acked as committed so far.
func (l *Load) Acked() int64 { return l.nAcked.Load() }

// Acks returns a copy of the history.
func (l *Load) Acks() []acked {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]acked(nil), l.acks...)
}

// WaitAcked waits until at least n more txs than now are acked.
func (l *Load) WaitAcked(n int64, timeout time.Duration) error {
	target := l.Acked() + n
	return Eventually(timeout, func() error {
		if got := l.Acked(); got < target {
			return fmt.Errorf("%d of %d txs acked", got, target)
		}
		return nil
	})
}

func (l *Load) conn(attempt int, i int) *grpc.ClientConn {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.targets) == 0 {
		return nil
	}
	return l.conns[l.targets[(i+attempt)%len(l.targets)]]
}

// transfer is the fixed content of sender i's tx at seq.
func (l *Load) transfer(i int, seq uint64) (to crypto.Address, amount uint64) {
	n := len(l.addrs)
	return l.addrs[(i+1+int(seq%uint64(n-1)))%n], 1 + uint64(i) + seq%1000
}

func (l *Load) sender(ctx context.Context, i int) {
	defer l.wg.Done()
	var (
		seq     uint64
		known   bool // seq read from a node (after start or an error)
		attempt int
	)
	for ctx.Err() == nil {
		cc := l.conn(attempt, i)
		if cc == nil {
			backoff(ctx, attempt)
			attempt++
			continue
		}
		rctx, rcancel := context.WithTimeout(ctx, 10*time.Second)
		if !known {
			acc, err := authtypes.NewQueryClient(cc).Account(rctx, &authtypes.QueryAccountRequest{Address: l.addrs[i].String()})
			if err != nil {
				rcancel()
				backoff(ctx, attempt)
				attempt++
				continue
			}
			seq, known = acc.GetAccount().GetSequence(), true
		}
		to, amount := l.transfer(i, seq)
		raw, err := client.SignTx(l.chainID, l.keys[i], seq, []*txtypes.Msg{client.SendMsg(l.addrs[i], to, amount)}, client.TxOptions{})
		if err != nil {
			rcancel()
			l.t.Errorf("sign: %v", err)
			return
		}
		resp, err := txtypes.NewTxServiceClient(cc).Broadcast(rctx, &txtypes.BroadcastRequest{TxBytes: raw, Mode: txtypes.BroadcastMode_BROADCAST_MODE_COMMIT})
		rcancel()
		if err != nil || resp.Code != 0 || !resp.Committed {
			// Unknown outcome (node gone, timeout, already in a mempool,
			// sequence moved): read the sequence again and go on.
			known = false
			backoff(ctx, attempt)
			attempt++
			continue
		}
		attempt = 0
		l.mu.Lock()
		l.acks = append(l.acks, acked{hash: resp.TxHash, from: l.addrs[i].String(), to: to.String(), amount: amount, seq: seq})
		l.mu.Unlock()
		l.nAcked.Add(1)
		seq++
	}
}

// backoff waits a little before a retry (a load generator's pacing, not a
// test condition).
func backoff(ctx context.Context, attempt int) {
	d := time.Duration(min(attempt+1, 10)) * 50 * time.Millisecond
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// rpcClient is a CometBFT RPC client for n that is safe to use from any
// goroutine (no t.Fatal).
func rpcClient(n *Node) (*rpchttp.HTTP, error) {
	return rpchttp.New("http://"+net.JoinHostPort(n.host(), strconv.Itoa(n.RPCPort)), "/websocket")
}

// Height is n's latest block height, or an error if it does not answer.
func Height(n *Node) (int64, error) {
	c, err := rpcClient(n)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	st, err := c.Status(ctx)
	if err != nil {
		return 0, err
	}
	return st.SyncInfo.LatestBlockHeight, nil
}

// WaitHeight waits until n reports a height ≥ h and returns it.
func WaitHeight(n *Node, h int64, timeout time.Duration) (int64, error) {
	var got int64
	err := Eventually(timeout, func() error {
		if !n.Running() {
			return errStop{fmt.Errorf("%s exited", n.Home)}
		}
		var err error
		if got, err = Height(n); err != nil {
			return err
		}
		if got < h {
			return fmt.Errorf("%s at height %d, want ≥ %d", n.Home, got, h)
		}
		return nil
	})
	return got, err
}

// headerInfo is what the cross-node checks compare per height.
type headerInfo struct {
	Time      time.Time
	BlockHash []byte
	AppHash   []byte // state after the previous height
}

// Headers returns the headers of heights from…to on n (via /blockchain,
// 20 per call).
func Headers(n *Node, from, to int64) (map[int64]headerInfo, error) {
	c, err := rpcClient(n)
	if err != nil {
		return nil, err
	}
	out := map[int64]headerInfo{}
	for lo := from; lo <= to; lo += 20 {
		hi := min(lo+19, to)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		res, err := c.BlockchainInfo(ctx, lo, hi)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("%s: blockchain %d-%d: %w", n.Home, lo, hi, err)
		}
		for _, m := range res.BlockMetas {
			out[m.Header.Height] = headerInfo{Time: m.Header.Time, BlockHash: m.BlockID.Hash, AppHash: m.Header.AppHash}
		}
	}
	for h := from; h <= to; h++ {
		if _, ok := out[h]; !ok {
			return nil, fmt.Errorf("%s: no header at %d", n.Home, h)
		}
	}
	return out, nil
}

// AssertSameChain compares the block hash and app hash of every height
// from 1 to the lowest height all nodes have; it returns that height.
// The app hash in header h+1 is the state after h, so agreeing headers at
// every common height mean every node computed the same state.
func AssertSameChain(t testing.TB, nodes ...*Node) int64 {
	t.Helper()
	common := int64(-1)
	for _, n := range nodes {
		h, err := Height(n)
		if err != nil {
			t.Fatalf("height of %s: %v", n.Home, err)
		}
		if common < 0 || h < common {
			common = h
		}
	}
	ref, err := Headers(nodes[0], 1, common)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes[1:] {
		got, err := Headers(n, 1, common)
		if err != nil {
			t.Fatal(err)
		}
		for h := int64(1); h <= common; h++ {
			a, b := ref[h], got[h]
			if !bytes.Equal(a.AppHash, b.AppHash) || !bytes.Equal(a.BlockHash, b.BlockHash) {
				t.Fatalf("height %d: %s has block %X app hash %X, %s has block %X app hash %X",
					h, nodes[0].Home, a.BlockHash, a.AppHash, n.Home, b.BlockHash, b.AppHash)
			}
		}
	}
	return common
}

// LongestGap is the longest interval between consecutive block times in
// from…to on n, and the height that ended it.
func LongestGap(n *Node, from, to int64) (time.Duration, int64, error) {
	hs, err := Headers(n, from, to)
	if err != nil {
		return 0, 0, err
	}
	var gap time.Duration
	var at int64
	for h := from + 1; h <= to; h++ {
		if d := hs[h].Time.Sub(hs[h-1].Time); d > gap {
			gap, at = d, h
		}
	}
	return gap, at, nil
}

// Replay is the state an independent replay of committed blocks gives.
type Replay struct {
	Balances map[string]uint64
	NextSeq  map[string]uint64
	// Committed counts, per tx hash (upper-case hex), the times it was
	// committed with code 0.
	Committed map[string]int
}

// ReplayTransfers replays blocks 1…h from n over the given starting
// balances: it checks that every tx that consumed a sequence consumed
// exactly the next one, and applies every successful transfer. Only
// transfer txs are expected.
func ReplayTransfers(t testing.TB, n *Node, h int64, genesis map[string]uint64) Replay {
	t.Helper()
	rpc, err := rpcClient(n)
	if err != nil {
		t.Fatal(err)
	}
	r := Replay{Balances: map[string]uint64{}, NextSeq: map[string]uint64{}, Committed: map[string]int{}}
	for a, b := range genesis {
		r.Balances[a] = b
	}
	bg := context.Background()
	for height := int64(1); height <= h; height++ {
		hh := height
		blk, err := rpc.Block(bg, &hh)
		if err != nil {
			t.Fatalf("block %d: %v", height, err)
		}
		if len(blk.Block.Txs) == 0 {
			continue
		}
		res, err := rpc.BlockResults(bg, &hh)
		if err != nil {
			t.Fatalf("block results %d: %v", height, err)
		}
		for i, raw := range blk.Block.Txs {
			txr, body, auth := &txtypes.TxRaw{}, &txtypes.TxBody{}, &txtypes.AuthInfo{}
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
			if rr := res.TxsResults[i]; rr.Code != 0 && rr.Codespace == authtypes.Codespace {
				continue
			}
			if auth.Sequence != r.NextSeq[sender] {
				t.Fatalf("block %d tx %d: %s sequence %d, expected %d (applied twice or skipped)", height, i, sender, auth.Sequence, r.NextSeq[sender])
			}
			r.NextSeq[sender]++
			if res.TxsResults[i].Code != 0 {
				continue
			}
			r.Committed[strings.ToUpper(hex.EncodeToString(raw.Hash()))]++
			for _, m := range body.Messages {
				s := m.GetSend()
				if s == nil {
					t.Fatalf("block %d tx %d: not a transfer: %v", height, i, m)
				}
				r.Balances[s.From] -= s.Amount
				r.Balances[s.To] += s.Amount
			}
		}
	}
	return r
}

// AssertStateMatchesReplay checks every acked tx was committed exactly
// once, and that n's balances and sequences at h equal the replay's.
func AssertStateMatchesReplay(t testing.TB, n *Node, h int64, r Replay, acks []acked) {
	t.Helper()
	for _, a := range acks {
		if c := r.Committed[a.hash]; c != 1 {
			t.Errorf("acked tx %s (from %s seq %d) committed %d times", a.hash, a.from, a.seq, c)
		}
	}
	cc, err := grpc.NewClient(n.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	tq, aq := tokentypes.NewQueryClient(cc), authtypes.NewQueryClient(cc)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var total, want uint64
	for a, bal := range r.Balances {
		b, err := tq.Balance(ctx, &tokentypes.QueryBalanceRequest{Address: a, Height: h})
		if err != nil {
			t.Fatal(err)
		}
		if b.Balance.Amount != bal {
			t.Errorf("%s at %d: node says %d, replay says %d", a, h, b.Balance.Amount, bal)
		}
		acc, err := aq.Account(ctx, &authtypes.QueryAccountRequest{Address: a, Height: h})
		if err != nil {
			t.Fatal(err)
		}
		if acc.Account.Sequence != r.NextSeq[a] {
			t.Errorf("%s at %d: sequence %d, replay says %d", a, h, acc.Account.Sequence, r.NextSeq[a])
		}
		total += b.Balance.Amount
		want += bal
	}
	sup, err := tq.Supply(ctx, &tokentypes.QuerySupplyRequest{Height: h})
	if err != nil {
		t.Fatal(err)
	}
	if sup.Amount != total || total != want {
		t.Errorf("supply %d, Σ balances %d, replay Σ %d", sup.Amount, total, want)
	}
}

// ExitCode waits up to timeout for n's process to exit on its own and
// returns its exit code (-1 if a signal ended it); it fails the test if
// the process is still running.
func ExitCode(t testing.TB, n *Node, timeout time.Duration) int {
	t.Helper()
	n.mu.Lock()
	cmd, done := n.cmd, n.done
	n.mu.Unlock()
	if cmd == nil {
		t.Fatalf("%s: no process", n.Home)
	}
	select {
	case <-done:
	case <-time.After(timeout):
		t.Fatalf("%s: still running after %v", n.Home, timeout)
	}
	n.mu.Lock()
	n.cmd = nil
	n.mu.Unlock()
	return exitCode(cmd)
}

// StopCode sends SIGTERM, waits, and returns the exit code.
func StopCode(t testing.TB, n *Node) int {
	t.Helper()
	n.mu.Lock()
	cmd := n.cmd
	n.mu.Unlock()
	if cmd == nil {
		t.Fatalf("%s: not running", n.Home)
	}
	n.Stop()
	return exitCode(cmd)
}

func exitCode(cmd *exec.Cmd) int {
	ps := cmd.ProcessState
	if ps == nil {
		return -2
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return -1
	}
	return ps.ExitCode()
}

// SetTimeoutPropose rewrites timeout_propose in every node's config.toml
// (nothing started yet). A dead proposer costs one propose timeout per
// round it would have led; on a loopback network 1 s is ample.
func SetTimeoutPropose(t testing.TB, tn *Testnet, d time.Duration) {
	t.Helper()
	for _, n := range tn.Nodes {
		path := filepath.Join(n.Home, "config", "config.toml")
		bz, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		re := regexp.MustCompile(`(?m)^timeout_propose = .*$`)
		if !re.Match(bz) {
			t.Fatalf("%s: no timeout_propose", path)
		}
		bz = re.ReplaceAll(bz, []byte(fmt.Sprintf("timeout_propose = %q", d.String())))
		if err := os.WriteFile(path, bz, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// acked is a tx the node told us was committed with code 0.
type acked struct {
	hash     string
	from, to string
	amount   uint64
	seq      uint64
}
