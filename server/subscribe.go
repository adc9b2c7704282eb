package server

import (
	"context"
	"sync"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/crypto"
	txtypes "github.com/petro-network/petro/types/tx"
)

// subHub fans committed txs out to SubscribeTxs streams. The app's commit
// listener only queues the block (never blocks Commit); one goroutine
// matches its txs to subscribers by the index event's addresses and hands
// each a record without waiting: a subscriber whose buffer is full is
// dropped, so a slow client costs the node one bounded buffer and never
// delays other subscribers or the chain.
type subHub struct {
	buf, maxTotal, maxPerConn int
	record                    func(height int64, index uint32, raw []byte, res *abci.ExecTxResult, times map[int64]int64) *txtypes.TxRecord

	mu      sync.Mutex
	byAddr  map[string]map[*subscriber]struct{}
	perConn map[string]int
	n       int
	blocks  chan committedBlock // started with the first subscriber
}

type committedBlock struct {
	height  int64
	txs     [][]byte
	results []*abci.ExecTxResult
}

// subscriber is one stream. txs (one batch per block) is written only by
// the hub goroutine; dropped is closed (once, under hub.mu) when the hub
// gives up on it or the stream ends.
type subscriber struct {
	addr, conn string
	txs        chan []*txtypes.TxRecord
	dropped    chan struct{}
	gone       bool
}

// hubQueue bounds the blocks waiting to be fanned out; if the hub falls
// that far behind, every subscriber is dropped.
const hubQueue = 64

func newSubHub(cfg Config, record func(int64, uint32, []byte, *abci.ExecTxResult, map[int64]int64) *txtypes.TxRecord) *subHub {
	return &subHub{
		buf: max(cfg.SubscriptionBufferBlocks, 1), maxTotal: cfg.MaxSubscriptions, maxPerConn: cfg.MaxSubscriptionsPerConn,
		record: record, byAddr: map[string]map[*subscriber]struct{}{}, perConn: map[string]int{},
	}
}

// subscriptionRecord is txRecord without a request context.
func (s *TxService) subscriptionRecord(height int64, index uint32, raw []byte, res *abci.ExecTxResult, times map[int64]int64) *txtypes.TxRecord {
	return s.txRecord(context.Background(), height, index, raw, res, times)
}

func (h *subHub) add(addr, conn string) (*subscriber, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.n >= h.maxTotal {
		return nil, status.Errorf(codes.ResourceExhausted, "node serves at most %d tx subscriptions (app.toml grpc.max_subscriptions)", h.maxTotal)
	}
	if h.perConn[conn] >= h.maxPerConn {
		return nil, status.Errorf(codes.ResourceExhausted, "at most %d tx subscriptions per connection (app.toml grpc.max_subscriptions_per_conn)", h.maxPerConn)
	}
	if h.blocks == nil {
		h.blocks = make(chan committedBlock, hubQueue)
		go h.run(h.blocks)
	}
	sub := &subscriber{addr: addr, conn: conn, txs: make(chan []*txtypes.TxRecord, h.buf), dropped: make(chan struct{})}
	if h.byAddr[addr] == nil {
		h.byAddr[addr] = map[*subscriber]struct{}{}
	}
	h.byAddr[addr][sub] = struct{}{}
	h.perConn[conn]++
	h.n++
	return sub, nil
}

// remove forgets sub (idempotent). h.mu held by the caller if locked.
func (h *subHub) removeLocked(sub *subscriber) {
	if sub.gone {
		return
	}
	sub.gone = true
	close(sub.dropped)
	delete(h.byAddr[sub.addr], sub)
	if len(h.byAddr[sub.addr]) == 0 {
		delete(h.byAddr, sub.addr)
	}
	if h.perConn[sub.conn]--; h.perConn[sub.conn] == 0 {
		delete(h.perConn, sub.conn)
	}
	h.n--
}

func (h *subHub) remove(sub *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.removeLocked(sub)
}

// onCommit is the app's commit listener: it queues the block if anyone
// listens, and never blocks.
func (h *subHub) onCommit(height int64, txs [][]byte, results []*abci.ExecTxResult) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.n == 0 || len(txs) == 0 {
		return
	}
	select {
	case h.blocks <- committedBlock{height: height, txs: txs, results: results}:
	default:
		for _, subs := range h.byAddr {
			for sub := range subs {
				h.removeLocked(sub)
			}
		}
	}
}

// run fans queued blocks out, for the life of the process (one goroutine):
// each subscriber gets one batch per block, its matching txs in block
// order, or is dropped if its buffer of batches is full.
func (h *subHub) run(blocks <-chan committedBlock) {
	for b := range blocks {
		times := map[int64]int64{}
		batches := map[*subscriber][]*txtypes.TxRecord{}
		var order []*subscriber
		for i, res := range b.results {
			var rec *txtypes.TxRecord // built once, only if someone listens
			for _, addr := range indexedAddresses(res) {
				for _, sub := range h.listeners(addr) {
					if rec == nil {
						rec = h.record(b.height, uint32(i), b.txs[i], res, times)
					}
					if batches[sub] == nil {
						order = append(order, sub)
					}
					batches[sub] = append(batches[sub], rec)
				}
			}
		}
		h.mu.Lock()
		for _, sub := range order {
			if sub.gone {
				continue
			}
			select {
			case sub.txs <- batches[sub]:
			default:
				h.removeLocked(sub)
			}
		}
		h.mu.Unlock()
	}
}

// listeners are addr's subscribers now.
func (h *subHub) listeners(addr string) []*subscriber {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*subscriber, 0, len(h.byAddr[addr]))
	for sub := range h.byAddr[addr] {
		out = append(out, sub)
	}
	return out
}

// indexedAddresses are the addresses of a result's index event.
func indexedAddresses(res *abci.ExecTxResult) []string {
	var out []string
	for _, ev := range res.Events {
		if ev.Type != app.EventTypeTx {
			continue
		}
		for _, a := range ev.Attributes {
			if a.Key == app.AttributeKeyAddress {
				out = append(out, a.Value)
			}
		}
	}
	return out
}

// SubscribeTxs streams the txs committed after the call that touch the
// address (see app.TxParties), in commit order. Limits: app.toml
// grpc.max_subscriptions, max_subscriptions_per_conn (ResourceExhausted at
// the start) and subscription_buffer_blocks: a client more than that many
// blocks (with txs for it) behind is dropped with ResourceExhausted.
func (s *TxService) SubscribeTxs(req *txtypes.SubscribeTxsRequest, stream grpc.ServerStreamingServer[txtypes.SubscribeTxsResponse]) error {
	if _, err := crypto.AddressFromBech32(req.GetAddress()); err != nil {
		return status.Errorf(codes.InvalidArgument, "address: %v", err)
	}
	ctx := stream.Context()
	conn := "unknown"
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		conn = p.Addr.String() // one client connection (its TCP source address)
	}
	sub, err := s.subs.add(req.GetAddress(), conn)
	if err != nil {
		return err
	}
	defer s.subs.remove(sub)
	// Send blocks while the client does not read (HTTP/2 flow control), so
	// it runs beside the handler: a drop ends the handler at once, which
	// cancels the stream and unblocks Send.
	sendErr := make(chan error, 1)
	go func() {
		for {
			select {
			case batch := <-sub.txs:
				for _, rec := range batch {
					if err := stream.Send(&txtypes.SubscribeTxsResponse{Tx: rec}); err != nil {
						sendErr <- err
						return
					}
				}
			case <-sub.dropped:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	select {
	case err := <-sendErr:
		return err
	case <-sub.dropped:
		return status.Errorf(codes.ResourceExhausted, "subscriber dropped: the txs of more than %d blocks were waiting to be read; resubscribe and fill the gap with GetTxsByAddress", s.subs.buf)
	case <-ctx.Done():
		return status.FromContextError(ctx.Err()).Err()
	}
}
