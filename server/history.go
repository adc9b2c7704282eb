package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/crypto"
	txtypes "github.com/petro-network/petro/types/tx"
)

// History page sizes: the default, and the hard maximum (also CometBFT's
// largest tx_search page).
const (
	defaultHistoryLimit = 20
	MaxHistoryLimit     = 100
)

type token struct{}

// msgTypeRE is what a msg_type filter may look like: a protobuf type URL.
var msgTypeRE = regexp.MustCompile(`^/[A-Za-z0-9_.]{1,127}$`)

// GetTxsByAddress lists the committed txs whose index event (app.EventTypeTx)
// names the address, through CometBFT's tx indexer. The list is pinned to
// the heights up to the first page's latest committed height (or
// to_height), so paging is stable while blocks are added; next_page_key
// carries that anchor and the offset.
//
// Work: CometBFT's kv indexer reads every tx of the address that matches
// the query (all of its heights in range) before the page is cut, so a
// narrower height range is cheaper; a page takes at most two searches.
// At most cfg.MaxHistorySearches run at once (others wait, within their
// deadline); a running search cannot be interrupted (CometBFT's in-process
// client does not pass the request's context to the indexer).
func (s *TxService) GetTxsByAddress(ctx context.Context, req *txtypes.GetTxsByAddressRequest) (*txtypes.GetTxsByAddressResponse, error) {
	if _, err := crypto.AddressFromBech32(req.GetAddress()); err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "address: %v", err)
	}
	if t := req.GetMsgType(); t != "" && !msgTypeRE.MatchString(t) {
		return nil, status.Errorf(codes.InvalidArgument, "msg_type %q: want a type URL such as /petro.token.v1.MsgSend", t)
	}
	from, to := req.GetFromHeight(), req.GetToHeight()
	if from < 0 || to < 0 || (to > 0 && from > to) {
		return nil, status.Errorf(codes.InvalidArgument, "height range [%d, %d]: want 0 (unbounded) or 1 ≤ from_height ≤ to_height", from, to)
	}
	limit := int(req.GetLimit())
	if limit == 0 {
		limit = defaultHistoryLimit
	} else if limit > MaxHistoryLimit {
		return nil, status.Errorf(codes.InvalidArgument, "limit %d: at most %d", limit, MaxHistoryLimit)
	}
	order := "desc"
	switch req.GetOrder() {
	case txtypes.TxOrder_TX_ORDER_UNSPECIFIED, txtypes.TxOrder_TX_ORDER_NEWEST_FIRST:
	case txtypes.TxOrder_TX_ORDER_OLDEST_FIRST:
		order = "asc"
	default:
		return nil, status.Errorf(codes.InvalidArgument, "unknown order %d", req.GetOrder())
	}
	key := &txtypes.HistoryPageKey{}
	if len(req.GetPageKey()) > 0 {
		if err := proto.Unmarshal(req.GetPageKey(), key); err != nil || key.AnchorHeight <= 0 {
			return nil, status.Error(codes.InvalidArgument, "page_key: not a next_page_key of this query")
		}
	} else {
		last, _ := s.app.LastCommit()
		key.AnchorHeight = last
		if to > 0 && to < last {
			key.AnchorHeight = to
		}
	}

	st, err := s.node.Status(ctx)
	if err != nil {
		return nil, status.Error(codes.Unavailable, "node status: "+err.Error())
	}
	earliest := st.SyncInfo.EarliestBlockHeight
	if to > 0 && to < earliest {
		return nil, status.Errorf(codes.FailedPrecondition, "this node has blocks from height %d only (it joined by state sync): ask a node that has height %d", earliest, to)
	}

	select {
	case s.history <- token{}:
		defer func() { <-s.history }()
	case <-ctx.Done(): // waited for one of the MaxHistorySearches slots
		return nil, status.FromContextError(ctx.Err()).Err()
	}
	query := func(anchor int64) string {
		q := fmt.Sprintf("%s.%s='%s' AND tx.height<=%d", app.EventTypeTx, app.AttributeKeyAddress, req.GetAddress(), anchor)
		if from > 0 {
			q += fmt.Sprintf(" AND tx.height>=%d", from)
		}
		if t := req.GetMsgType(); t != "" {
			q += fmt.Sprintf(" AND %s.%s='%s'", app.EventTypeTx, app.AttributeKeyMsgType, t)
		}
		return q
	}

	resp := &txtypes.GetTxsByAddressResponse{EarliestHeight: earliest}
	if key.AnchorHeight < max(from, 1) {
		return resp, nil
	}
	times := map[int64]int64{}
	offset := key.Offset
	firstPage := len(req.GetPageKey()) == 0
	for len(resp.Txs) < limit {
		page, perPage := int(offset/MaxHistoryLimit)+1, MaxHistoryLimit
		res, err := s.node.TxSearch(ctx, query(key.AnchorHeight), false, &page, &perPage, order)
		if err != nil {
			if strings.Contains(err.Error(), "page should be within") { // past the last page
				break
			}
			return nil, indexerErr(err)
		}
		if firstPage && order == "desc" && len(res.Txs) > 0 {
			// CometBFT indexes a block after the app committed it, one block
			// at a time and each atomically: the newest tx found is the
			// highest height surely complete. Pinning the list there keeps
			// a block indexed later from shifting the next pages.
			key.AnchorHeight, firstPage = res.Txs[0].Height, false
		}
		resp.Total = uint64(res.TotalCount)
		skip := int(offset % MaxHistoryLimit)
		if skip >= len(res.Txs) {
			break
		}
		for _, r := range res.Txs[skip:] {
			if len(resp.Txs) == limit {
				break
			}
			resp.Txs = append(resp.Txs, s.txRecord(ctx, r.Height, r.Index, r.Tx, &r.TxResult, times))
			offset++
		}
		if len(res.Txs) < perPage {
			break
		}
	}
	if offset < resp.Total {
		resp.NextPageKey, _ = proto.Marshal(&txtypes.HistoryPageKey{AnchorHeight: key.AnchorHeight, Offset: offset})
	}
	return resp, nil
}

// indexerErr maps a failure of CometBFT's tx indexer.
func indexerErr(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "indexing is disabled"):
		return status.Error(codes.FailedPrecondition, "this node does not index txs (config.toml [tx_index] indexer = \"null\"): ask a node with indexer = \"kv\"")
	case strings.Contains(msg, "context deadline exceeded"):
		return status.Error(codes.DeadlineExceeded, "history search did not finish in time: narrow the height range")
	}
	return status.Error(codes.Unavailable, "tx indexer: "+msg)
}

// txRecord builds the record of a committed tx: its result and the decoded
// tx (unset if the bytes do not decode), with the block time (times caches
// it per height; nil: no cache). A block time that cannot be read is 0.
func (s *TxService) txRecord(ctx context.Context, height int64, index uint32, raw []byte, res *abci.ExecTxResult, times map[int64]int64) *txtypes.TxRecord {
	h := sha256.Sum256(raw)
	rec := &txtypes.TxRecord{
		TxHash: strings.ToUpper(hex.EncodeToString(h[:])), Height: height, Index: index,
		Codespace: res.Codespace, Code: res.Code, Log: res.Log, Events: toEvents(res.Events), TxBytes: raw,
	}
	if tx, err := app.DecodeTx(raw); err == nil {
		rec.Body, rec.Signer, rec.Sequence = tx.Body, tx.SignerBech32, tx.AuthInfo.Sequence
	}
	if t, ok := times[height]; ok {
		rec.TimeUnix = t
	} else if hdr, err := s.node.Header(ctx, &height); err == nil && hdr.Header != nil {
		rec.TimeUnix = hdr.Header.Time.Unix()
		if times != nil {
			times[height] = rec.TimeUnix
		}
	}
	return rec
}
