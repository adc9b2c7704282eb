package telemetry

import (
	"context"
	"fmt"
	"sync"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/libs/log"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/petro-network/petro/app"
	petro "github.com/petro-network/petro/types"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// Source is what the metrics read (*app.App): committed state and the
// figures the app derives from it. The keepers stay behind the app.
type Source interface {
	StateAt(height int64) (petro.KVStore, int64, error)
	Backing(kv petro.KVStore) (*reservetypes.Backing, error)
	Supply(kv petro.KVStore) (uint64, error)
	// IssuanceStop is why issuance is stopped by a broken invariant ("" if not).
	IssuanceStop(kv petro.KVStore) (string, error)
	// ReserveParams are x/reserve's parameters at kv.
	ReserveParams(kv petro.KVStore) (*reservetypes.Params, error)
	// MonetaryFigures are the tranches and rate windows at block time now.
	MonetaryFigures(kv petro.KVStore, now int64) (tokentypes.MonetaryFigures, error)
	// LocalInvariantBreaches counts this node's failed full invariant checks.
	LocalInvariantBreaches() uint64
	// Decode is app.DecodeTx through the node's decoded-tx cache (the
	// block's txs were decoded moments ago).
	Decode(raw []byte) (*app.Tx, error)
}

var _ Source = (*app.App)(nil)

// ReadState reads the gauges' snapshot from committed state kv at height.
func ReadState(kv petro.KVStore, height int64, src Source) (Snapshot, error) {
	s := Snapshot{Height: height, LocalInvariantBreaches: src.LocalInvariantBreaches()}
	b, err := src.Backing(kv)
	if err != nil {
		return s, fmt.Errorf("backing: %w", err)
	}
	s.AvailableBarrels, s.Capacity, s.Price = b.AvailableBarrels, b.Capacity, b.Price
	s.CoverageBps, s.Status, s.AttestationAgeSeconds = b.CoverageBps, b.Status, b.AttestationAgeSeconds
	if s.Supply, err = src.Supply(kv); err != nil {
		return s, fmt.Errorf("supply: %w", err)
	}
	stop, err := src.IssuanceStop(kv)
	if err != nil {
		return s, fmt.Errorf("issuance stop: %w", err)
	}
	s.IssuanceStopped = stop != ""
	if s.RedemptionsPending, err = countPrefix(kv, tokentypes.RedemptionOpenPrefix); err != nil {
		return s, fmt.Errorf("open redemptions: %w", err)
	}
	if s.ProposalsActive, err = countPrefix(kv, authoritytypes.ActivePrefix); err != nil {
		return s, fmt.Errorf("active proposals: %w", err)
	}
	if s.Monetary, err = src.MonetaryFigures(kv, b.ComputedTimeUnix); err != nil {
		return s, err
	}
	params, err := src.ReserveParams(kv)
	if err != nil {
		return s, fmt.Errorf("reserve params: %w", err)
	}
	s.MaxAgeSeconds = params.MaxAgeSeconds
	if s.Oracles, err = oracleRecords(kv); err != nil {
		return s, fmt.Errorf("oracle records: %w", err)
	}
	return s, nil
}

// oracleRecords reads every oracle's reliability record, in address order.
func oracleRecords(kv petro.KVStore) ([]*reservetypes.OracleRecord, error) {
	it, err := kv.Iterator(reservetypes.OraclePrefix, petro.PrefixEnd(reservetypes.OraclePrefix))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []*reservetypes.OracleRecord
	for ; it.Valid(); it.Next() {
		r := &reservetypes.OracleRecord{}
		if err := proto.Unmarshal(it.Value(), r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, it.Error()
}

// countPrefix counts the keys of an index (open redemptions, active
// proposals: both small).
func countPrefix(kv petro.KVStore, prefix []byte) (int, error) {
	it, err := kv.Iterator(prefix, petro.PrefixEnd(prefix))
	if err != nil {
		return 0, err
	}
	defer it.Close()
	n := 0
	for ; it.Valid(); it.Next() {
		n++
	}
	return n, it.Error()
}

// TxType is the label of a tx, given what decoding it returned: the oneof
// name of its messages ("send", "issue", "attest", "propose", …), "multi"
// when they differ, and "undecodable" when it does not decode (it failed
// in the block).
func TxType(tx *app.Tx, err error) string {
	if err != nil {
		return "undecodable"
	}
	typ := ""
	for _, m := range tx.Body.Messages {
		pm := m.ProtoReflect()
		od := pm.Descriptor().Oneofs().ByName("sum")
		var name protoreflect.Name = "unknown"
		if od != nil {
			if fd := pm.WhichOneof(od); fd != nil {
				name = fd.Name()
			}
		}
		switch {
		case typ == "":
			typ = string(name)
		case typ != string(name):
			return "multi"
		}
	}
	return typ
}

type block struct {
	height  int64
	txs     [][]byte
	results []*abci.ExecTxResult
}

// Updater feeds Metrics from committed blocks. Its Listen method is an
// app.CommitListener that never blocks: it queues the block and wakes a
// worker, which counts the txs of every queued block (none is dropped) and
// then reads the latest committed state once.
type Updater struct {
	m      *Metrics
	src    Source
	logger log.Logger

	mu      sync.Mutex
	pending []block
	wake    chan struct{}
}

// NewUpdater returns an Updater; call Run in a goroutine and register
// Listen with app.AddCommitListener.
func NewUpdater(m *Metrics, src Source, logger log.Logger) *Updater {
	if logger == nil {
		logger = log.NewNopLogger()
	}
	return &Updater{m: m, src: src, logger: logger, wake: make(chan struct{}, 1)}
}

// Listen is the commit listener.
func (u *Updater) Listen(height int64, txs [][]byte, results []*abci.ExecTxResult) {
	u.mu.Lock()
	u.pending = append(u.pending, block{height, txs, results})
	u.mu.Unlock()
	select {
	case u.wake <- struct{}{}:
	default:
	}
}

// Run processes queued blocks until ctx is done. It reads the state once
// at start, so the gauges are set before the first new block.
func (u *Updater) Run(ctx context.Context) {
	u.Refresh()
	for {
		select {
		case <-ctx.Done():
			return
		case <-u.wake:
			u.Flush()
		}
	}
}

// Flush counts every queued block and refreshes the gauges.
func (u *Updater) Flush() {
	u.mu.Lock()
	blocks := u.pending
	u.pending = nil
	u.mu.Unlock()
	if len(blocks) == 0 {
		return
	}
	for _, b := range blocks {
		types := make([]string, len(b.txs))
		for i, raw := range b.txs {
			types[i] = TxType(u.src.Decode(raw))
		}
		u.m.ObserveBlock(types, b.results)
	}
	u.Refresh()
}

// Refresh reads the latest committed state into the gauges.
func (u *Updater) Refresh() {
	kv, h, err := u.src.StateAt(0)
	if err == nil && h == 0 {
		return // nothing committed yet
	}
	var s Snapshot
	if err == nil {
		s, err = ReadState(kv, h, u.src)
	}
	if err != nil {
		u.m.StateError()
		u.logger.Error("telemetry: read committed state", "err", err)
		return
	}
	u.m.SetState(s)
}
