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
	coretypes "github.com/cometbft/cometbft/rpc/core/types"
	cmttypes "github.com/cometbft/cometbft/types"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/petro-network/petro/app"
	petro "github.com/petro-network/petro/types"
	txtypes "github.com/petro-network/petro/types/tx"
)

// Node is the part of CometBFT the TxService needs; rpc/client/local.Local
// implements it.
type Node interface {
	BroadcastTxSync(ctx context.Context, tx cmttypes.Tx) (*coretypes.ResultBroadcastTx, error)
	Tx(ctx context.Context, hash []byte, prove bool) (*coretypes.ResultTx, error)
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

// NewTxService wires the service to the app's commit notifications.
// maxWaiters bounds concurrent COMMIT-mode broadcasts.
func NewTxService(a *app.App, node Node, maxWaiters int) *TxService {
	s := &TxService{app: a, node: node, maxWaiters: maxWaiters, waiters: map[[32]byte][]chan committed{}, recent: map[[32]byte]recentTx{}}
	a.AddCommitListener(s.onCommit)
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

func (s *TxService) Broadcast(ctx context.Context, req *txtypes.BroadcastRequest) (*txtypes.BroadcastResponse, error) {
	if len(req.GetTxBytes()) == 0 {
		return nil, status.Error(codes.InvalidArgument, "tx_bytes is empty")
	}
	if len(req.GetTxBytes()) > app.MaxTxBytes {
		return nil, status.Errorf(codes.InvalidArgument, "tx is %d bytes, limit %d", len(req.GetTxBytes()), app.MaxTxBytes)
	}
	h := sha256.Sum256(req.TxBytes)
	resp := &txtypes.BroadcastResponse{TxHash: strings.ToUpper(hex.EncodeToString(h[:]))}
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

// mempoolErr maps CometBFT mempool refusals (full, tx already in cache)
// to statuses a wallet can act on.
func mempoolErr(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "tx already exists in cache"):
		return status.Error(codes.AlreadyExists, "tx already in mempool cache")
	case strings.Contains(msg, "mempool is full"):
		return status.Error(codes.Unavailable, "mempool is full; retry later")
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, msg)
	}
	return status.Error(codes.Unavailable, "broadcast failed: "+msg)
}

func (s *TxService) Simulate(_ context.Context, req *txtypes.SimulateRequest) (*txtypes.SimulateResponse, error) {
	if len(req.GetTxBytes()) == 0 {
		return nil, status.Error(codes.InvalidArgument, "tx_bytes is empty")
	}
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
	if ok {
		return &txtypes.GetTxResponse{
			TxHash: strings.ToUpper(hex.EncodeToString(hash)), Height: r.height, Index: r.index,
			Codespace: r.result.Codespace, Code: r.result.Code, Log: r.result.Log,
			Events: toEvents(r.result.Events), TxBytes: r.tx,
		}, nil
	}
	res, err := s.node.Tx(ctx, hash, false)
	if err != nil {
		if strings.Contains(err.Error(), "not found") {
			return nil, status.Errorf(codes.NotFound, "tx %X not found", hash)
		}
		return nil, status.Error(codes.Unavailable, err.Error())
	}
	return &txtypes.GetTxResponse{
		TxHash: strings.ToUpper(hex.EncodeToString(hash)), Height: res.Height, Index: res.Index,
		Codespace: res.TxResult.Codespace, Code: res.TxResult.Code, Log: res.TxResult.Log,
		Events: toEvents(res.TxResult.Events), TxBytes: res.Tx,
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
