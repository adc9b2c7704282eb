package client

import (
	"context"
	"errors"
	"io"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	txtypes "github.com/petro-network/petro/types/tx"
)

// WaitForTx polls GetTx until the tx with hash (hex, either case) is in a
// committed block and returns it, whatever its result code (check Code).
// It returns ctx's error when ctx ends first, and at once on any answer
// but NotFound (e.g. a malformed hash). Polling starts at 100 ms and backs
// off to 1 s.
func (c *Client) WaitForTx(ctx context.Context, hash string) (*txtypes.GetTxResponse, error) {
	wait := 100 * time.Millisecond
	for {
		res, err := c.Tx.GetTx(ctx, &txtypes.GetTxRequest{Hash: hash})
		if err == nil {
			return res, nil
		}
		if status.Code(err) != codes.NotFound {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, time.Second)
	}
}

// TxHistory calls fn for each tx of req's address, page after page
// (req.PageKey is advanced), until the list ends, fn returns an error
// (returned) or ctx ends.
func (c *Client) TxHistory(ctx context.Context, req *txtypes.GetTxsByAddressRequest, fn func(*txtypes.TxRecord) error) error {
	for {
		res, err := c.Tx.GetTxsByAddress(ctx, req)
		if err != nil {
			return err
		}
		for _, tx := range res.Txs {
			if err := fn(tx); err != nil {
				return err
			}
		}
		if len(res.NextPageKey) == 0 {
			return nil
		}
		req.PageKey = res.NextPageKey
	}
}

// ErrSubscriptionDropped is what WatchTxs returns when the node dropped the
// stream because fn did not keep up (ResourceExhausted): resubscribe and
// fill the gap with TxHistory from the last height seen.
var ErrSubscriptionDropped = errors.New("client: node dropped the tx subscription (too slow, or the node's subscription limits)")

// WatchTxs calls fn, in commit order, for every tx committed after the call
// that touches address, until ctx ends (returns nil), fn returns an error
// (returned) or the node ends the stream (ErrSubscriptionDropped wrapping
// the status when it dropped a slow subscriber or refused a new one).
// fn runs on the receiving goroutine: a slow fn makes the node drop the
// subscription once its buffer (app.toml grpc.subscription_buffer_blocks) fills.
func (c *Client) WatchTxs(ctx context.Context, address string, fn func(*txtypes.TxRecord) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.Tx.SubscribeTxs(ctx, &txtypes.SubscribeTxsRequest{Address: address})
	if err != nil {
		return err
	}
	for {
		msg, err := stream.Recv()
		switch {
		case err == nil:
			if err := fn(msg.GetTx()); err != nil {
				return err
			}
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, io.EOF):
			return io.ErrUnexpectedEOF
		case status.Code(err) == codes.ResourceExhausted:
			return errors.Join(ErrSubscriptionDropped, err)
		default:
			return err
		}
	}
}
