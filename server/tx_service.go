package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/mempool"
	coretypes "github.com/cometbft/cometbft/rpc/core/types"
	cmttypes "github.com/cometbft/cometbft/types"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/petro-network/petro/app"
	petro "github.com/petro-network/petro/types"
	txtypes "github.com/petro-network/petro/types/tx"
	authtypes "github.com/petro-network/petro/x/auth/types"
)

// Node is the part of CometBFT the TxService needs; rpc/client/local.Local
// implements it.
type Node interface {
	BroadcastTxSync(ctx context.Context, tx cmttypes.Tx) (*coretypes.ResultBroadcastTx, error)
	Tx(ctx context.Context, hash []byte, prove bool) (*coretypes.ResultTx, error)
	TxSearch(ctx context.Context, query string, prove bool, page, perPage *int, orderBy string) (*coretypes.ResultTxSearch, error)
	Header(ctx context.Context, height *int64) (*coretypes.ResultHeader, error)
	Status(ctx context.Context) (*coretypes.ResultStatus, error)
}

const (
	defaultCommitTimeout = 30 * time.Second
	maxCommitTimeout     = 120 * time.Second
)

// TxService implements petro.tx.v1.TxService.
type TxService struct {
	txtypes.UnimplementedTxServiceServer
	app        *app.App
	node       Node
	maxWaiters int

	mu      sync.Mutex
	waiters map[[32]byte][]chan committed
	nWait   int
	// recent holds the latest committed txs, so GetTx answers at once even
	// before CometBFT's indexer (which runs after Commit) has caught up.
	recent      map[[32]byte]recentTx
	recentOrder [][32]byte

	subs    *subHub    // SubscribeTxs (subscribe.go)
	history chan token // bounds concurrent GetTxsByAddress (history.go)
}

type recentTx struct {
	height int64
	index  uint32
	tx     []byte
	result *abci.ExecTxResult
}

const maxRecent = 50_000

type committed struct {
	height int64
	result *abci.ExecTxResult
}

var _ txtypes.TxServiceServer = (*TxService)(nil)

// NewTxService wires the service to the app's commit notifications, with
// cfg's limits (COMMIT-mode waiters, subscriptions, history searches).
func NewTxService(a *app.App, node Node, cfg Config) *TxService {
	s := &TxService{app: a, node: node, maxWaiters: cfg.MaxCommitWaiters, waiters: map[[32]byte][]chan committed{}, recent: map[[32]byte]recentTx{},
		history: make(chan token, max(cfg.MaxHistorySearches, 1))}
	s.subs = newSubHub(cfg, s.subscriptionRecord)
	a.AddCommitListener(s.onCommit)
	a.AddCommitListener(s.subs.onCommit)
	return s
}

func (s *TxService) onCommit(height int64, txs [][]byte, results []*abci.ExecTxResult) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, tx := range txs {
		h := sha256.Sum256(tx)
		if _, dup := s.recent[h]; !dup {
			s.recentOrder = append(s.recentOrder, h)
		}
		s.recent[h] = recentTx{height: height, index: uint32(i), tx: tx, result: results[i]}
		for _, ch := range s.waiters[h] {
			ch <- committed{height: height, result: results[i]} // buffered, 1
		}
		delete(s.waiters, h)
	}
	if drop := len(s.recentOrder) - maxRecent; drop > 0 {
		for _, h := range s.recentOrder[:drop] {
			delete(s.recent, h)
		}
		s.recentOrder = append([][32]byte(nil), s.recentOrder[drop:]...)
	}
}

func (s *TxService) wait(h [32]byte) (chan committed, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.nWait >= s.maxWaiters {
		return nil, status.Error(codes.ResourceExhausted, "too many COMMIT broadcasts in flight; use SYNC and GetTx")
	}
	ch := make(chan committed, 1)
	s.waiters[h] = append(s.waiters[h], ch)
	s.nWait++
	return ch, nil
}

func (s *TxService) unwait(h [32]byte, ch chan committed) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nWait--
	list := s.waiters[h]
	for i, c := range list {
		if c == ch {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(s.waiters, h)
	} else {
		s.waiters[h] = list
	}
}

// Broadcast answers every refusal of the tx's bytes with the same
// (codespace, code) as Simulate and CometBFT RPC's broadcast_tx_sync: an
// empty or oversize tx is answered here (tx/6, tx/3) without reaching the
// mempool; a tx CometBFT's cache already holds gets the app's verdict
// (tx/13 once committed, tx/21 while in the mempool) instead of the cache's
// error. Only an unknown mode is a gRPC error (InvalidArgument).
func (s *TxService) Broadcast(ctx context.Context, req *txtypes.BroadcastRequest) (*txtypes.BroadcastResponse, error) {
	switch req.GetMode() {
	case txtypes.BroadcastMode_BROADCAST_MODE_UNSPECIFIED, txtypes.BroadcastMode_BROADCAST_MODE_SYNC, txtypes.BroadcastMode_BROADCAST_MODE_COMMIT:
	default:
		return nil, status.Errorf(codes.InvalidArgument, "unknown broadcast mode %d: want BROADCAST_MODE_SYNC (1) or BROADCAST_MODE_COMMIT (2)", req.GetMode())
	}
	h := sha256.Sum256(req.GetTxBytes())
	resp := &txtypes.BroadcastResponse{TxHash: strings.ToUpper(hex.EncodeToString(h[:]))}
	if n := len(req.GetTxBytes()); n == 0 || n > app.MaxTxBytes {
		_, err := app.DecodeTx(req.GetTxBytes()) // tx/6 or tx/3, as CheckTx answers
		resp.Codespace, resp.Code, resp.Log = petro.ABCIInfo(err)
		return resp, nil
	}
	commitMode := req.GetMode() == txtypes.BroadcastMode_BROADCAST_MODE_COMMIT
	var ch chan committed
	if commitMode {
		var err error
		if ch, err = s.wait(h); err != nil {
			return nil, err
		}
		defer s.unwait(h, ch)
	}
	res, err := s.node.BroadcastTxSync(ctx, req.TxBytes)
	if errors.Is(err, mempool.ErrTxInCache) {
		resp.Codespace, resp.Code, resp.Log = s.cachedVerdict(req.TxBytes)
		return resp, nil
	}
	if err != nil {
		return nil, mempoolErr(err)
	}
	resp.Codespace, resp.Code, resp.Log = res.Codespace, res.Code, res.Log
	if !commitMode || res.Code != 0 {
		return resp, nil
	}
	timeout := defaultCommitTimeout
	if t := time.Duration(req.GetTimeoutMs()) * time.Millisecond; t > 0 {
		timeout = min(t, maxCommitTimeout)
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case c := <-ch:
		resp.Committed, resp.Height = true, c.height
		resp.Codespace, resp.Code, resp.Log = c.result.Codespace, c.result.Code, c.result.Log
		resp.Events = toEvents(c.result.Events)
		return resp, nil
	case <-timer.C:
		return resp, status.Errorf(codes.DeadlineExceeded, "tx %s accepted but not committed within %s; follow it with GetTx", resp.TxHash, timeout)
	case <-ctx.Done():
		return nil, status.FromContextError(ctx.Err()).Err()
	}
}

// cachedVerdict is the answer for a tx CometBFT's cache refused: the cache
// holds the txs in the mempool and the txs committed recently, so the
// app's verdict on the committed state tells them apart: tx/13 (its
// sequence is used: committed), else tx/21 (still waiting in the mempool).
func (s *TxService) cachedVerdict(raw []byte) (codespace string, code uint32, log string) {
	_, _, err := s.app.Simulate(raw)
	if errors.Is(err, authtypes.ErrSequenceReplayed) {
		return petro.ABCIInfo(err)
	}
	return petro.ABCIInfo(authtypes.ErrTxInMempool)
}

// mempoolErr maps the other CometBFT mempool refusals (full) to statuses a
// wallet can act on.
func mempoolErr(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "mempool is full"):
		return status.Error(codes.Unavailable, "mempool is full; retry later")
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, msg)
	}
	return status.Error(codes.Unavailable, "broadcast failed: "+msg)
}

// Simulate answers a refusal with the code CheckTx would give the same
// bytes (an empty tx: tx/6; one in the mempool: tx/21).
func (s *TxService) Simulate(_ context.Context, req *txtypes.SimulateRequest) (*txtypes.SimulateResponse, error) {
	h, events, err := s.app.Simulate(req.TxBytes)
	space, code, log := petro.ABCIInfo(err)
	return &txtypes.SimulateResponse{Codespace: space, Code: code, Log: log, Events: toEvents(events), Height: h}, nil
}

func (s *TxService) GetTx(ctx context.Context, req *txtypes.GetTxRequest) (*txtypes.GetTxResponse, error) {
	hash, err := hex.DecodeString(req.GetHash())
	if err != nil || len(hash) != sha256.Size {
		return nil, status.Error(codes.InvalidArgument, "hash must be 64 hex characters")
	}
	s.mu.Lock()
	r, ok := s.recent[[32]byte(hash)]
	s.mu.Unlock()
	var rec *txtypes.TxRecord
	if ok {
		rec = s.txRecord(ctx, r.height, r.index, r.tx, r.result, nil)
	} else {
		res, err := s.node.Tx(ctx, hash, false)
		if err != nil {
			if strings.Contains(err.Error(), "not found") {
				return nil, status.Errorf(codes.NotFound, "tx %X not found", hash)
			}
			return nil, indexerErr(err)
		}
		rec = s.txRecord(ctx, res.Height, res.Index, res.Tx, &res.TxResult, nil)
	}
	return &txtypes.GetTxResponse{
		TxHash: rec.TxHash, Height: rec.Height, Index: rec.Index,
		Codespace: rec.Codespace, Code: rec.Code, Log: rec.Log, Events: rec.Events, TxBytes: rec.TxBytes,
		Body: rec.Body, Signer: rec.Signer, Sequence: rec.Sequence, TimeUnix: rec.TimeUnix,
	}, nil
}

func toEvents(evs []abci.Event) []*txtypes.Event {
	out := make([]*txtypes.Event, len(evs))
	for i, ev := range evs {
		e := &txtypes.Event{Type: ev.Type}
		for _, a := range ev.Attributes {
			e.Attributes = append(e.Attributes, &txtypes.EventAttribute{Key: a.Key, Value: a.Value})
		}
		out[i] = e
	}
	return out
}
