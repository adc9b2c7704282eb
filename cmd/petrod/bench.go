package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/spf13/cobra"
	"golang.org/x/term"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/crypto"
	txtypes "github.com/petro-network/petro/types/tx"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// petrod bench: a closed- or open-loop load generator that pre-signs
// transfers, sends them over gRPC Broadcast (SYNC) and counts what the chain
// committed from the blocks themselves (never from what was sent).

const (
	flagBenchAccounts    = "accounts"
	flagBenchFundFrom    = "fund-from"
	flagBenchFundAmount  = "fund-amount"
	flagBenchKeysSeed    = "keys-seed"
	flagBenchRate        = "rate"
	flagBenchDuration    = "duration"
	flagBenchConcurrency = "concurrency"
	flagBenchMaxTxs      = "max-txs"
	flagBenchDrain       = "drain-timeout"
	flagBenchProgress    = "progress"
	flagBenchPoll        = "poll-interval"
	flagBenchKVStore     = "kvstore"
	flagBenchTxSize      = "tx-size"

	defaultBenchSeed = "petro/bench/v1"
	benchTransferAmt = 1 // base units per transfer
)

// BenchOptions are the inputs of `petrod bench`.
type BenchOptions struct {
	Nodes        []string
	NodeRPC      string
	ChainID      string
	Accounts     int
	KeysSeed     string
	FundAmount   uint64
	Rate         float64 // tx/s over all workers; 0 = open loop
	Duration     time.Duration
	Concurrency  int
	MaxTxs       int // open loop: how many txs to pre-sign
	DrainTimeout time.Duration
	PollInterval time.Duration
	Progress     bool
	ProgressTTY  bool // redraw one line (else: a line every 5 s)
	// KVStore loads CometBFT's kvstore example app instead: Nodes are
	// CometBFT RPC URLs, txs are unique "key=value" strings of TxSize bytes
	// sent with broadcast_tx_sync. Everything measured is measured the
	// same way, so it is the like-for-like baseline (bench-compare).
	KVStore bool
	TxSize  int
}

// BenchReport is the result; field names are stable (scripts read -o json).
type BenchReport struct {
	Nodes           []string `json:"nodes"`
	ChainID         string   `json:"chain_id"`
	Accounts        int      `json:"accounts"`
	Concurrency     int      `json:"concurrency"`
	OfferedRate     float64  `json:"offered_rate"` // 0 = open loop
	DurationSeconds float64  `json:"duration_seconds"`
	PreSigned       int      `json:"pre_signed"`
	SignSeconds     float64  `json:"sign_seconds"` // preparing the txs: keys, funding, sequences, signing

	Submitted       int     `json:"submitted"`
	SubmitSeconds   float64 `json:"submit_seconds"`
	SubmittedTPS    float64 `json:"submitted_tps"`
	Accepted        int     `json:"accepted"` // CheckTx code 0
	CheckTxRejects  []Count `json:"checktx_rejects"`
	TransportErrors []Count `json:"transport_errors"`
	// MempoolFullRetries: Broadcasts answered Unavailable (mempool full)
	// and sent again after 20 ms; latency counts from the first attempt.
	MempoolFullRetries int64 `json:"mempool_full_retries"`

	StartHeight int64 `json:"start_height"` // last height before the clock started
	EndHeight   int64 `json:"end_height"`   // last height scanned
	// Committed: our txs with code 0 in blocks StartHeight+1..EndHeight.
	Committed int `json:"committed"`
	// CommittedInWindow: of those, in blocks the client saw while sending.
	CommittedInWindow int `json:"committed_in_window"`
	// CommittedTPS = CommittedInWindow / SubmitSeconds: the headline.
	CommittedTPS float64 `json:"committed_tps"`
	// CommittedTPSInclDrain = Committed / (time the last block with ours
	// was seen − start).
	CommittedTPSInclDrain float64 `json:"committed_tps_incl_drain"`
	BlockRejects          []Count `json:"block_rejects"` // our txs in blocks with code ≠ 0
	NotCommitted          int     `json:"not_committed"` // accepted but in no scanned block

	// Latency: submit (just before the Broadcast call) → the time the
	// client first saw the tx's block height as the node's latest (RPC
	// /status polled every PollInterval).
	CommitTime string         `json:"commit_time"`
	Latency    LatencySummary `json:"latency_ms"`
	// LatencyHeader: submit → the block's header time, the definition of
	// CometBFT's loadtime report (BFT time: can be early, even negative).
	LatencyHeader LatencySummary `json:"latency_header_ms"`
	TxBytesAvg    float64        `json:"tx_bytes_avg"`

	Blocks           int     `json:"blocks"`
	BlockIntervalAvg float64 `json:"block_interval_avg_ms"` // header times
	BlockIntervalMax float64 `json:"block_interval_max_ms"`
	TxsPerBlockAvg   float64 `json:"txs_per_block_avg"`
	TxsPerBlockMax   int     `json:"txs_per_block_max"`
}

// Count is how often one outcome occurred, with one sample message.
type Count struct {
	Key    string `json:"key"` // codespace/code, or the gRPC status code
	Count  int    `json:"count"`
	Sample string `json:"sample,omitempty"`
}

// LatencySummary is in milliseconds.
type LatencySummary struct {
	N    int     `json:"n"`
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
}

func newBenchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Load a running network with pre-signed transfers and measure committed tx/s and latency",
		Long: `Send pre-signed token transfers to one or more nodes over gRPC (Broadcast,
SYNC) and measure what the chain commits.

Accounts: --accounts N deterministic keys derived from --keys-seed. Either they
already hold PTR (genesis), or --fund-from KEY (a funded key in the keyring at
--home, e.g. val0 of ` + "`petrod testnet`" + ` with --keyring-backend test) first sends
each of them --fund-amount in multi-message txs.

Before the clock starts, bench reads every account's sequence and signs all
txs (account i sends 1 base unit to account i+1, sequences in order). Worker
w of --concurrency owns the accounts i ≡ w (mod concurrency) and sends their
txs in order to node w mod len(--node); a worker waits for CheckTx before its
next tx. --rate R paces the txs over all workers at R tx/s (0 = open loop:
as fast as the workers go, --max-txs pre-signed).

Results come from the blocks (RPC /block and /block_results over the
measured height range), counting only our txs with code 0: committed tx/s is
what committed in blocks seen during the send window divided by its length.
Latency is submit → the time this client first saw the block's height at
--node-rpc /status (polled every --poll-interval), not the header time
(CometBFT's BFT time lags the real commit).`,
		Example: `  petrod testnet --validators 4 --output ./tn --timeout-commit 500ms
  petrod bench --node 127.0.0.1:26602,127.0.0.1:26612 --node-rpc http://127.0.0.1:26601 \
      --fund-from val0 --home ./tn --keyring-backend test --accounts 2000 --rate 1500 --duration 60s
  petrod bench ... -o json | jq .committed_tps`,
		Args: usageArgs(cobra.NoArgs),
		RunE: runBench,
	}
	f := cmd.Flags()
	f.String(flagNode, defaultGRPCNode, "gRPC address(es) of the node(s) to send to, comma-separated")
	f.String(flagNodeRPC, defaultNodeRPC, "CometBFT RPC of a node, to read blocks and heights")
	f.String(flagChainID, "", "chain id (default: from --home genesis.json or testnet.json)")
	fromClientConfig(f, flagChainID, flagNodeRPC) // not --node: with --kvstore it takes RPC URLs
	f.Int(flagBenchAccounts, 1000, "number of sending accounts")
	f.String(flagBenchKeysSeed, defaultBenchSeed, "seed of the deterministic account keys")
	f.String(flagBenchFundFrom, "", "fund the accounts from this keyring key first (name or address)")
	f.String(flagBenchFundAmount, "1ptr", "amount to give each account whose balance is below half of it (PTR, e.g. 1ptr, or base units, e.g. 100000000ptrbase)")
	f.Float64(flagBenchRate, 1000, "offered load in tx/s over all workers (0 = open loop)")
	f.Duration(flagBenchDuration, 60*time.Second, "how long to send")
	f.Int(flagBenchConcurrency, 16, "concurrent senders (in-flight Broadcast calls)")
	f.Int(flagBenchMaxTxs, 200_000, "open loop (--rate 0): txs to pre-sign")
	f.Duration(flagBenchDrain, 30*time.Second, "after sending, wait at most this long for the mempool to empty")
	f.Duration(flagBenchPoll, 20*time.Millisecond, "how often to poll --node-rpc /status for new heights")
	f.Bool(flagBenchProgress, true, "show progress on stderr (a bar on a terminal, a line every 5 s otherwise)")
	f.Bool(flagBenchKVStore, false, "load CometBFT's kvstore example app instead (--node: CometBFT RPC URLs); the like-for-like baseline")
	f.Int(flagBenchTxSize, 222, "with --kvstore: bytes per tx (petrod's transfer is 222)")
	addKeyringFlag(cmd)
	addOutputFlag(cmd)
	return cmd
}

func runBench(cmd *cobra.Command, _ []string) error {
	p, err := newPrinter(cmd)
	if err != nil {
		return err
	}
	f := cmd.Flags()
	var o BenchOptions
	nodes, _ := f.GetString(flagNode)
	for _, n := range strings.Split(nodes, ",") {
		if n = strings.TrimSpace(n); n != "" {
			o.Nodes = append(o.Nodes, n)
		}
	}
	o.NodeRPC, _ = f.GetString(flagNodeRPC)
	o.Accounts, _ = f.GetInt(flagBenchAccounts)
	o.KeysSeed, _ = f.GetString(flagBenchKeysSeed)
	fund, _ := f.GetString(flagBenchFundAmount)
	if o.FundAmount, err = parseAmount(fund); err != nil {
		return &usageError{"--" + flagBenchFundAmount + ": " + err.Error()}
	}
	o.Rate, _ = f.GetFloat64(flagBenchRate)
	o.Duration, _ = f.GetDuration(flagBenchDuration)
	o.Concurrency, _ = f.GetInt(flagBenchConcurrency)
	o.MaxTxs, _ = f.GetInt(flagBenchMaxTxs)
	o.DrainTimeout, _ = f.GetDuration(flagBenchDrain)
	o.PollInterval, _ = f.GetDuration(flagBenchPoll)
	o.Progress, _ = f.GetBool(flagBenchProgress)
	o.KVStore, _ = f.GetBool(flagBenchKVStore)
	o.TxSize, _ = f.GetInt(flagBenchTxSize)
	switch {
	case len(o.Nodes) == 0:
		return &usageError{"--node: at least one gRPC address"}
	case o.KVStore && (o.TxSize < 8 || o.TxSize > 64*1024):
		return &usageError{"--tx-size must be between 8 and 65536"}
	case o.Accounts < 1:
		return &usageError{"--accounts must be at least 1"}
	case o.Concurrency < 1:
		return &usageError{"--concurrency must be at least 1"}
	case o.Rate < 0 || math.IsNaN(o.Rate) || math.IsInf(o.Rate, 0):
		return &usageError{"--rate must be ≥ 0"}
	case o.Duration <= 0:
		return &usageError{"--duration must be positive"}
	case o.Rate == 0 && o.MaxTxs < 1:
		return &usageError{"--max-txs must be at least 1"}
	case o.PollInterval <= 0:
		return &usageError{"--poll-interval must be positive"}
	}
	if o.Concurrency > o.Accounts {
		o.Concurrency = o.Accounts // a worker owns at least one account
	}
	if !o.KVStore {
		if o.ChainID, err = chainIDFlag(cmd); err != nil {
			return err
		}
	}
	var funder *crypto.PrivKey
	if from, _ := f.GetString(flagBenchFundFrom); from != "" && !o.KVStore {
		if funder, err = loadSigner(cmd, "--"+flagBenchFundFrom, from); err != nil {
			return err
		}
	}
	stderr := cmd.ErrOrStderr()
	if fd, ok := stderr.(*os.File); o.Progress && ok && term.IsTerminal(int(fd.Fd())) {
		o.ProgressTTY = true
	}
	rep, err := RunBench(cmd.Context(), o, funder, stderr)
	if err != nil {
		return err
	}
	return p.print(rep, func(w io.Writer) { printBenchReport(w, rep) })
}

// benchKey is the i-th deterministic bench key: the scalar
// SHA-256(seed ‖ i ‖ attempt), first valid attempt.
func benchKey(seed string, i int) *crypto.PrivKey {
	buf := make([]byte, len(seed)+16)
	copy(buf, seed)
	binary.BigEndian.PutUint64(buf[len(seed):], uint64(i))
	for attempt := uint64(0); ; attempt++ {
		binary.BigEndian.PutUint64(buf[len(seed)+8:], attempt)
		sum := sha256.Sum256(buf)
		if k, err := crypto.PrivKeyFromBytes(sum[:]); err == nil {
			return k
		}
	}
}

// benchTx is one pre-signed tx and what happened to it.
type benchTx struct {
	raw      []byte
	hash     [32]byte
	sentAt   time.Time
	sent     bool
	accepted bool
	// not accepted: transport (no CheckTx verdict) or a CheckTx code
	transport bool
	rejKey    string
	rejLog    string
}

// RunBench runs the whole benchmark; progress and phase notes go to logw.
func RunBench(ctx context.Context, o BenchOptions, funder *crypto.PrivKey, logw io.Writer) (*BenchReport, error) {
	if err := checkRPCURL(o.NodeRPC); err != nil {
		return nil, &usageError{err.Error()}
	}
	rpc, err := rpchttp.New(o.NodeRPC, "/websocket")
	if err != nil {
		return nil, &usageError{fmt.Sprintf("--%s %q: %v", flagNodeRPC, o.NodeRPC, err)}
	}
	if _, err := rpc.Status(ctx); err != nil {
		return nil, fmt.Errorf("node RPC %s: %w", o.NodeRPC, err)
	}
	total := o.MaxTxs
	if o.Rate > 0 {
		total = int(math.Ceil(o.Rate * o.Duration.Seconds()))
	}
	var (
		work [][]*benchTx
		send benchSender
	)
	t0 := time.Now()
	if o.KVStore {
		work, send, err = prepareKVStore(o, total)
	} else {
		var closeClients func()
		work, send, closeClients, err = prepareTransfers(ctx, o, total, funder, logw)
		if closeClients != nil {
			defer closeClients()
		}
	}
	if err != nil {
		return nil, err
	}
	prepared := time.Since(t0)
	rep, err := runLoad(ctx, o, rpc, work, send, logw)
	if rep != nil {
		rep.SignSeconds = prepared.Seconds()
	}
	return rep, err
}

// benchSender sends one tx for worker w and returns CheckTx's verdict, or
// a *transportError when the tx did not get one (errMempoolFull: a full
// mempool, retried, not counted).
type benchSender func(ctx context.Context, w int, raw []byte) (codespace string, code uint32, log string, err error)

// transportError is a send that got no CheckTx verdict; key labels it in
// the report ("grpc/DeadlineExceeded", "rpc", "mempool-full").
type transportError struct{ key, msg string }

func (e *transportError) Error() string { return e.key + ": " + e.msg }

var errMempoolFull = &transportError{key: "mempool-full", msg: "mempool is full"}

// prepareTransfers derives the accounts, funds them if asked, reads their
// sequences and pre-signs total transfers: worker w owns accounts w, w+c,
// w+2c, … and sends them over gRPC Broadcast (SYNC) to node w mod len(Nodes).
func prepareTransfers(ctx context.Context, o BenchOptions, total int, funder *crypto.PrivKey, logw io.Writer) ([][]*benchTx, benchSender, func(), error) {
	clients := make([]*client.Client, 0, len(o.Nodes))
	closeAll := func() {
		for _, c := range clients {
			c.Close()
		}
	}
	for _, n := range o.Nodes {
		c, err := client.Dial(n)
		if err != nil {
			return nil, nil, closeAll, err
		}
		clients = append(clients, c)
	}

	// Keys.
	t0 := time.Now()
	keys := make([]*crypto.PrivKey, o.Accounts)
	addrs := make([]crypto.Address, o.Accounts)
	parallelFor(o.Accounts, func(i int) {
		keys[i] = benchKey(o.KeysSeed, i)
		addrs[i] = keys[i].PubKey().Address()
	})
	fmt.Fprintf(logw, "bench: %d accounts derived from seed %q in %s\n", o.Accounts, o.KeysSeed, time.Since(t0).Round(time.Millisecond))

	if funder != nil {
		if err := benchFund(ctx, o, clients[0], funder, addrs, logw); err != nil {
			return nil, nil, closeAll, err
		}
	}

	// Sequences.
	seqs := make([]uint64, o.Accounts)
	var seqErr atomic.Value
	parallelForN(o.Accounts, 16, func(i int) {
		acc, err := clients[i%len(clients)].Account(ctx, addrs[i])
		if err != nil {
			seqErr.Store(fmt.Errorf("account %s: %w", addrs[i], err))
			return
		}
		seqs[i] = acc.GetSequence()
	})
	if e, _ := seqErr.Load().(error); e != nil {
		return nil, nil, closeAll, e
	}

	// Plan and pre-sign: worker w owns accounts w, w+c, w+2c, …
	c := o.Concurrency
	work, jobs := planWork(c, total)
	t0 = time.Now()
	var signErr atomic.Value
	var signed atomic.Int64
	stopSignProgress := startLineProgress(logw, o.Progress, o.ProgressTTY, func() string {
		return fmt.Sprintf("signing %s", bar(float64(signed.Load())/float64(max(len(jobs), 1)), 30))
	})
	parallelFor(len(jobs), func(k int) {
		w, j := jobs[k].w, jobs[k].j
		owned := (o.Accounts - w + c - 1) / c // accounts i ≡ w (mod c) below Accounts
		acct := w + c*(j%owned)
		seq := seqs[acct] + uint64(j/owned)
		to := addrs[(acct+1)%o.Accounts]
		raw, err := client.SignTx(o.ChainID, keys[acct], seq, []*txtypes.Msg{client.SendMsg(addrs[acct], to, benchTransferAmt)}, client.TxOptions{})
		if err != nil {
			signErr.Store(err)
			return
		}
		work[w][j] = &benchTx{raw: raw, hash: sha256.Sum256(raw)}
		signed.Add(1)
	})
	stopSignProgress()
	if e, _ := signErr.Load().(error); e != nil {
		return nil, nil, closeAll, fmt.Errorf("sign: %w", e)
	}
	fmt.Fprintf(logw, "bench: pre-signed %d txs in %s (%d workers, %s)\n", len(jobs), time.Since(t0).Round(time.Millisecond), c, rateString(o.Rate))
	send := func(ctx context.Context, w int, raw []byte) (string, uint32, string, error) {
		res, err := clients[w%len(clients)].Tx.Broadcast(ctx, &txtypes.BroadcastRequest{TxBytes: raw, Mode: txtypes.BroadcastMode_BROADCAST_MODE_SYNC})
		switch {
		case status.Code(err) == codes.Unavailable:
			return "", 0, "", errMempoolFull
		case err != nil:
			return "", 0, "", &transportError{"grpc/" + status.Code(err).String(), status.Convert(err).Message()}
		}
		return res.GetCodespace(), res.GetCode(), res.GetLog(), nil
	}
	return work, send, closeAll, nil
}

// planWork splits total txs over c workers: work[w][j] is worker w's j-th.
func planWork(c, total int) (work [][]*benchTx, jobs []benchJob) {
	work = make([][]*benchTx, c)
	for w := 0; w < c; w++ {
		n := total / c
		if w < total%c {
			n++
		}
		work[w] = make([]*benchTx, n)
		for j := 0; j < n; j++ {
			jobs = append(jobs, benchJob{w, j})
		}
	}
	return work, jobs
}

type benchJob struct{ w, j int }

// prepareKVStore makes total unique "key=value" txs of o.TxSize bytes for
// CometBFT's kvstore app, sent with broadcast_tx_sync to RPC node w mod
// len(Nodes).
func prepareKVStore(o BenchOptions, total int) ([][]*benchTx, benchSender, error) {
	rpcs := make([]*rpchttp.HTTP, len(o.Nodes))
	for i, n := range o.Nodes {
		c, err := rpchttp.New(n, "/websocket")
		if err != nil {
			return nil, nil, &usageError{fmt.Sprintf("--%s %q: %v", flagNode, n, err)}
		}
		rpcs[i] = c
	}
	work, jobs := planWork(o.Concurrency, total)
	run := time.Now().UnixNano()
	for _, jb := range jobs {
		key := fmt.Sprintf("bench-%x-%d-%d=", run, jb.w, jb.j)
		raw := []byte(key + strings.Repeat("x", max(o.TxSize-len(key), 1)))
		work[jb.w][jb.j] = &benchTx{raw: raw, hash: sha256.Sum256(raw)}
	}
	send := func(ctx context.Context, w int, raw []byte) (string, uint32, string, error) {
		res, err := rpcs[w%len(rpcs)].BroadcastTxSync(ctx, raw)
		switch {
		case err != nil && strings.Contains(err.Error(), "mempool is full"):
			return "", 0, "", errMempoolFull
		case err != nil:
			return "", 0, "", &transportError{"rpc", err.Error()}
		}
		return res.Codespace, res.Code, res.Log, nil
	}
	return work, send, nil
}

// runLoad sends work at the offered rate, waits for the mempool to drain
// and reads the outcome from the blocks.
func runLoad(ctx context.Context, o BenchOptions, rpc *rpchttp.HTTP, work [][]*benchTx, send benchSender, logw io.Writer) (*BenchReport, error) {
	c := len(work)
	jobsN := 0
	for _, w := range work {
		jobsN += len(w)
	}

	// Height watcher: the first time each height is seen.
	st, err := rpc.Status(ctx)
	if err != nil {
		return nil, err
	}
	startHeight := st.SyncInfo.LatestBlockHeight
	hw := newHeightWatcher(startHeight)
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go hw.run(watchCtx, rpc, o.PollInterval)

	// Send.
	fmt.Fprintf(logw, "bench: sending %d txs (%s)\n", jobsN, rateString(o.Rate))
	var sentN, okN, rejN, retries atomic.Int64
	start := time.Now()
	deadline := start.Add(o.Duration)
	pace := pacer{rate: o.Rate, workers: c}
	sendCtx, cancelSend := context.WithDeadline(ctx, deadline.Add(10*time.Second))
	defer cancelSend()
	stopProgress := startLineProgress(logw, o.Progress, o.ProgressTTY, func() string {
		el := time.Since(start)
		frac := min(el.Seconds()/o.Duration.Seconds(), 1)
		s := sentN.Load()
		return fmt.Sprintf("%s %5.1fs/%s sent %d (%.0f tx/s) ok %d rej %d height %d",
			bar(frac, 30), el.Seconds(), o.Duration, s, float64(s)/max(el.Seconds(), 1e-9), okN.Load(), rejN.Load(), hw.latest())
	})
	var wg sync.WaitGroup
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for j, tx := range work[w] {
				if pace.rate > 0 {
					if d := time.Until(start.Add(pace.due(w, j))); d > 0 {
						time.Sleep(d)
					}
				}
				if !time.Now().Before(deadline) || sendCtx.Err() != nil {
					return
				}
				tx.sentAt, tx.sent = time.Now(), true
				sentN.Add(1)
				space, code, log, err := send(sendCtx, w, tx.raw)
				// A full mempool is back-pressure, not a refusal: retry the
				// same tx (the account's later txs need it first).
				for err == errMempoolFull && time.Now().Before(deadline) {
					retries.Add(1)
					time.Sleep(20 * time.Millisecond)
					space, code, log, err = send(sendCtx, w, tx.raw)
				}
				switch {
				case err != nil:
					te := &transportError{"other", err.Error()}
					errors.As(err, &te)
					tx.transport, tx.rejKey, tx.rejLog = true, te.key, te.msg
					rejN.Add(1)
				case code != 0:
					tx.rejKey, tx.rejLog = fmt.Sprintf("%s/%d", space, code), log
					rejN.Add(1)
				default:
					tx.accepted = true
					okN.Add(1)
				}
			}
		}(w)
	}
	wg.Wait()
	sendEnd := time.Now()
	stopProgress()
	submitDur := sendEnd.Sub(start)

	// Drain: wait for the mempool to empty (bounded), then one more block.
	fmt.Fprintf(logw, "bench: sent %d in %s; waiting up to %s for the mempool to drain\n", sentN.Load(), submitDur.Round(time.Millisecond), o.DrainTimeout)
	drainEnd := time.Now().Add(o.DrainTimeout)
	for time.Now().Before(drainEnd) {
		if u, err := rpc.NumUnconfirmedTxs(ctx); err == nil && u.Total == 0 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	target := hw.latest() + 1
	for time.Now().Before(drainEnd.Add(5*time.Second)) && hw.latest() < target {
		time.Sleep(50 * time.Millisecond)
	}
	stopWatch()
	endHeight := hw.latest()

	rep := &BenchReport{
		Nodes: o.Nodes, ChainID: o.ChainID, Accounts: o.Accounts, Concurrency: c, OfferedRate: o.Rate,
		DurationSeconds: o.Duration.Seconds(), PreSigned: jobsN,
		SubmitSeconds: submitDur.Seconds(), StartHeight: startHeight, EndHeight: endHeight, MempoolFullRetries: retries.Load(),
		CommitTime: fmt.Sprintf("client-observed: first time %s /status reported the block's height (polled every %s)", o.NodeRPC, o.PollInterval),
	}
	ours := map[[32]byte]*benchTx{}
	rejects, transport := counter{}, counter{}
	for _, txs := range work {
		for _, tx := range txs {
			if !tx.sent {
				continue
			}
			rep.Submitted++
			ours[tx.hash] = tx
			switch {
			case tx.accepted:
				rep.Accepted++
			case tx.transport:
				transport.add(tx.rejKey, tx.rejLog)
			default:
				rejects.add(tx.rejKey, tx.rejLog)
			}
		}
	}
	rep.SubmittedTPS = float64(rep.Submitted) / submitDur.Seconds()
	rep.CheckTxRejects, rep.TransportErrors = rejects.list(), transport.list()

	// Scan the blocks.
	blockRejects := counter{}
	var lats, hlats []time.Duration
	var headerTimes []time.Time
	var lastSeen time.Time
	for h := startHeight + 1; h <= endHeight; h++ {
		hh := h
		b, err := rpc.Block(ctx, &hh)
		if err != nil {
			return nil, fmt.Errorf("block %d: %w", h, err)
		}
		br, err := rpc.BlockResults(ctx, &hh)
		if err != nil {
			return nil, fmt.Errorf("block_results %d: %w", h, err)
		}
		rep.Blocks++
		n := len(b.Block.Txs)
		rep.TxsPerBlockMax = max(rep.TxsPerBlockMax, n)
		rep.TxsPerBlockAvg += float64(n)
		headerTimes = append(headerTimes, b.Block.Time)
		seen := hw.seenAt(h)
		for i, raw := range b.Block.Txs {
			tx := ours[sha256.Sum256(raw)]
			if tx == nil || i >= len(br.TxsResults) {
				continue
			}
			r := br.TxsResults[i]
			if r.Code != 0 {
				blockRejects.add(fmt.Sprintf("%s/%d", r.Codespace, r.Code), r.Log)
				tx.accepted = false
				continue
			}
			rep.Committed++
			tx.accepted = false // counted
			hlats = append(hlats, b.Block.Time.Sub(tx.sentAt))
			if !seen.IsZero() {
				lats = append(lats, seen.Sub(tx.sentAt))
				lastSeen = seen
				if !seen.After(sendEnd) {
					rep.CommittedInWindow++
				}
			}
		}
	}
	for _, tx := range ours {
		if tx.accepted {
			rep.NotCommitted++
		}
	}
	rep.BlockRejects = blockRejects.list()
	rep.CommittedTPS = float64(rep.CommittedInWindow) / submitDur.Seconds()
	if !lastSeen.IsZero() {
		rep.CommittedTPSInclDrain = float64(rep.Committed) / lastSeen.Sub(start).Seconds()
	}
	rep.Latency, rep.LatencyHeader = summarize(lats), summarize(hlats)
	var txBytes int
	for _, txs := range work {
		for _, tx := range txs {
			txBytes += len(tx.raw)
		}
	}
	rep.TxBytesAvg = math.Round(float64(txBytes)/float64(max(jobsN, 1))*10) / 10
	if rep.Blocks > 0 {
		rep.TxsPerBlockAvg /= float64(rep.Blocks)
	}
	rep.BlockIntervalAvg, rep.BlockIntervalMax = intervals(headerTimes)
	return rep, nil
}

// benchFund gives every account below half of o.FundAmount o.FundAmount,
// in txs of up to app.MaxMsgsPerTx transfers, and waits until they commit.
func benchFund(ctx context.Context, o BenchOptions, c *client.Client, funder *crypto.PrivKey, addrs []crypto.Address, logw io.Writer) error {
	need := make([]bool, len(addrs))
	var qErr atomic.Value
	parallelForN(len(addrs), 16, func(i int) {
		res, err := c.Token.Balance(ctx, balanceReq(addrs[i]))
		if err != nil {
			qErr.Store(fmt.Errorf("balance of %s: %w", addrs[i], err))
			return
		}
		need[i] = res.GetBalance().GetAmount() < o.FundAmount/2
	})
	if e, _ := qErr.Load().(error); e != nil {
		return e
	}
	from := funder.PubKey().Address()
	var msgs [][]*txtypes.Msg
	var cur []*txtypes.Msg
	for i, a := range addrs {
		if !need[i] {
			continue
		}
		cur = append(cur, client.SendMsg(from, a, o.FundAmount))
		if len(cur) == app.MaxMsgsPerTx {
			msgs, cur = append(msgs, cur), nil
		}
	}
	if len(cur) > 0 {
		msgs = append(msgs, cur)
	}
	if len(msgs) == 0 {
		fmt.Fprintf(logw, "bench: all %d accounts already funded\n", len(addrs))
		return nil
	}
	acc, err := c.Account(ctx, from)
	if err != nil {
		return fmt.Errorf("funder %s: %w", from, err)
	}
	seq0 := acc.GetSequence()
	for k, m := range msgs {
		raw, err := client.SignTx(o.ChainID, funder, seq0+uint64(k), m, client.TxOptions{Memo: "petrod bench funding"})
		if err != nil {
			return err
		}
		res, err := c.Tx.Broadcast(ctx, &txtypes.BroadcastRequest{TxBytes: raw, Mode: txtypes.BroadcastMode_BROADCAST_MODE_SYNC})
		if err != nil {
			return fmt.Errorf("funding tx %d: %w", k, err)
		}
		if res.GetCode() != 0 {
			return fmt.Errorf("funding tx %d refused: %s/%d %s", k, res.GetCodespace(), res.GetCode(), res.GetLog())
		}
	}
	want := seq0 + uint64(len(msgs))
	deadline := time.Now().Add(2 * time.Minute)
	for {
		acc, err := c.Account(ctx, from)
		if err == nil && acc.GetSequence() >= want {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("funding txs not committed within 2m (funder sequence %d, want %d)", acc.GetSequence(), want)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// A funding tx whose sequence committed may still have failed (e.g.
	// funds): check one funded account of the last tx.
	last := msgs[len(msgs)-1]
	to := last[len(last)-1].GetSend().GetTo()
	res, err := c.Token.Balance(ctx, balanceReqStr(to))
	if err != nil {
		return err
	}
	if res.GetBalance().GetAmount() < o.FundAmount/2 {
		return fmt.Errorf("funding failed: %s has %d after the funding txs committed (does %s hold %d × %d?)", to, res.GetBalance().GetAmount(), from, len(addrs), o.FundAmount)
	}
	fmt.Fprintf(logw, "bench: funded %d accounts in %d txs from %s\n", countTrue(need), len(msgs), from)
	return nil
}

func countTrue(b []bool) (n int) {
	for _, v := range b {
		if v {
			n++
		}
	}
	return n
}

// pacer spreads txs over workers at rate tx/s: worker w's j-th tx is the
// (j·workers + w)-th tx overall and is due at that index / rate after the
// start. A worker that falls behind sends at once (no catch-up burst
// beyond what is due).
type pacer struct {
	rate    float64
	workers int
}

func (p pacer) due(w, j int) time.Duration {
	if p.rate <= 0 {
		return 0
	}
	k := float64(j*p.workers + w)
	return time.Duration(k / p.rate * float64(time.Second))
}

// percentile is the nearest-rank percentile (0 < pct ≤ 100) of sorted.
func percentile(sorted []time.Duration, pct float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(pct / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

func summarize(d []time.Duration) LatencySummary {
	if len(d) == 0 {
		return LatencySummary{}
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	var sum time.Duration
	for _, v := range s {
		sum += v
	}
	ms := func(v time.Duration) float64 { return math.Round(float64(v)/1e3) / 1e3 }
	return LatencySummary{
		N: len(s), Mean: ms(sum / time.Duration(len(s))),
		P50: ms(percentile(s, 50)), P95: ms(percentile(s, 95)), P99: ms(percentile(s, 99)), Max: ms(s[len(s)-1]),
	}
}

// intervals is the mean and max gap between consecutive times, in ms.
func intervals(ts []time.Time) (avg, maxv float64) {
	if len(ts) < 2 {
		return 0, 0
	}
	var m time.Duration
	for i := 1; i < len(ts); i++ {
		m = max(m, ts[i].Sub(ts[i-1]))
	}
	avg = float64(ts[len(ts)-1].Sub(ts[0])) / float64(len(ts)-1) / 1e6
	return math.Round(avg*10) / 10, float64(m) / 1e6
}

type counter map[string]*Count

func (c counter) add(key, sample string) {
	if e := c[key]; e != nil {
		e.Count++
		return
	}
	if len(sample) > 200 {
		sample = sample[:200] + "…"
	}
	c[key] = &Count{Key: key, Count: 1, Sample: sample}
}

// list is sorted by count (largest first), then key.
func (c counter) list() []Count {
	out := make([]Count, 0, len(c))
	for _, v := range c {
		out = append(out, *v)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// heightWatcher records when the client first saw each height.
type heightWatcher struct {
	mu   sync.Mutex
	last int64
	seen map[int64]time.Time
}

func newHeightWatcher(h int64) *heightWatcher {
	return &heightWatcher{last: h, seen: map[int64]time.Time{}}
}

func (hw *heightWatcher) observe(h int64, at time.Time) {
	hw.mu.Lock()
	defer hw.mu.Unlock()
	for x := hw.last + 1; x <= h; x++ {
		hw.seen[x] = at
	}
	hw.last = max(hw.last, h)
}

func (hw *heightWatcher) latest() int64 {
	hw.mu.Lock()
	defer hw.mu.Unlock()
	return hw.last
}

func (hw *heightWatcher) seenAt(h int64) time.Time {
	hw.mu.Lock()
	defer hw.mu.Unlock()
	return hw.seen[h]
}

func (hw *heightWatcher) run(ctx context.Context, rpc *rpchttp.HTTP, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		st, err := rpc.Status(sctx)
		cancel()
		if err == nil {
			hw.observe(st.SyncInfo.LatestBlockHeight, time.Now())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// startLineProgress shows line() on w while enabled: on a terminal it
// redraws one line every 250 ms, elsewhere (a log file) it writes a line
// every 5 s. The returned stop shows it a last time.
func startLineProgress(w io.Writer, enabled, tty bool, line func() string) (stop func()) {
	if !enabled {
		return func() {}
	}
	every, format := 5*time.Second, "%s\n"
	if tty {
		every, format = 250*time.Millisecond, "\r\033[K%s"
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				if tty {
					fmt.Fprintf(w, "\r\033[K%s\n", line())
				} else {
					fmt.Fprintf(w, "%s\n", line())
				}
				return
			case <-t.C:
				fmt.Fprintf(w, format, line())
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

func bar(frac float64, width int) string {
	frac = min(max(frac, 0), 1)
	n := int(frac * float64(width))
	return "[" + strings.Repeat("=", n) + strings.Repeat(" ", width-n) + "]"
}

func rateString(r float64) string {
	if r == 0 {
		return "open loop"
	}
	return fmt.Sprintf("%g tx/s offered", r)
}

// parallelFor runs f(0..n-1) on GOMAXPROCS goroutines.
func parallelFor(n int, f func(i int)) { parallelForN(n, runtime.GOMAXPROCS(0), f) }

func parallelForN(n, workers int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}

func printBenchReport(w io.Writer, r *BenchReport) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, format string, a ...any) { fmt.Fprintf(tw, "%s\t"+format+"\n", append([]any{k}, a...)...) }
	row("nodes", "%s", strings.Join(r.Nodes, ","))
	row("chain", "%s", r.ChainID)
	row("accounts / workers", "%d / %d", r.Accounts, r.Concurrency)
	row("offered", "%s for %.0fs (%d pre-signed in %.1fs)", rateString(r.OfferedRate), r.DurationSeconds, r.PreSigned, r.SignSeconds)
	row("submitted", "%d in %.1fs = %.1f tx/s (CheckTx ok %d; %d retries on a full mempool)", r.Submitted, r.SubmitSeconds, r.SubmittedTPS, r.Accepted, r.MempoolFullRetries)
	row("committed", "%.1f tx/s (%d in blocks seen while sending; %d in all, %.1f tx/s incl. drain)", r.CommittedTPS, r.CommittedInWindow, r.Committed, r.CommittedTPSInclDrain)
	row("not committed", "%d accepted by CheckTx but in no block %d..%d", r.NotCommitted, r.StartHeight+1, r.EndHeight)
	row("latency ms", "p50 %.0f  p95 %.0f  p99 %.0f  max %.0f  mean %.0f  (n=%d)", r.Latency.P50, r.Latency.P95, r.Latency.P99, r.Latency.Max, r.Latency.Mean, r.Latency.N)
	row("commit time", "%s", r.CommitTime)
	row("latency ms (header)", "p50 %.0f  p95 %.0f  p99 %.0f  (submit → block header time, as loadtime reports)", r.LatencyHeader.P50, r.LatencyHeader.P95, r.LatencyHeader.P99)
	row("tx size", "%.0f bytes avg", r.TxBytesAvg)
	row("blocks", "%d (heights %d..%d), interval avg %.0f ms max %.0f ms, txs/block avg %.0f max %d", r.Blocks, r.StartHeight+1, r.EndHeight, r.BlockIntervalAvg, r.BlockIntervalMax, r.TxsPerBlockAvg, r.TxsPerBlockMax)
	for _, set := range []struct {
		name string
		c    []Count
	}{{"CheckTx rejects", r.CheckTxRejects}, {"transport errors", r.TransportErrors}, {"block rejects", r.BlockRejects}} {
		if len(set.c) == 0 {
			row(set.name, "none")
		}
		for _, c := range set.c {
			row(set.name, "%s × %d  e.g. %s", c.Key, c.Count, c.Sample)
		}
	}
	tw.Flush()
}

func balanceReq(a crypto.Address) *tokentypes.QueryBalanceRequest { return balanceReqStr(a.String()) }

func balanceReqStr(a string) *tokentypes.QueryBalanceRequest {
	return &tokentypes.QueryBalanceRequest{Address: a}
}
