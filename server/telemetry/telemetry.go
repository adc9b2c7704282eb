// Package telemetry exports petro's own Prometheus metrics (namespace
// "petro") next to CometBFT's on the node's Prometheus endpoint
// (config.toml instrumentation.prometheus = true).
//
// Gauges describe the committed state after the last block; counters count
// committed blocks and their txs. Everything is updated off the consensus
// path: the commit listener only queues the block, a worker goroutine
// decodes its txs and reads the committed state (see Listener).
package telemetry

import (
	"strconv"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/prometheus/client_golang/prometheus"

	reservetypes "github.com/petro-network/petro/x/reserve/types"
)

// Namespace prefixes every metric of this package.
const Namespace = "petro"

// Units: amounts in state are integers in 10^-8; the gauges show whole
// units (PTR, barrels, USD per barrel) as floats.
const unit = 1e8

// BackingStatuses are the values of the status label of petro_backing_status
// and, in this order from 1, the codes of petro_backing_status_code.
var BackingStatuses = []reservetypes.BackingStatus{
	reservetypes.BackingStatus_BACKING_STATUS_OK,
	reservetypes.BackingStatus_BACKING_STATUS_STALE,
	reservetypes.BackingStatus_BACKING_STATUS_UNDERBACKED,
	reservetypes.BackingStatus_BACKING_STATUS_HALTED,
}

// StatusLabel is the label value of a backing status: "ok", "stale", …
func StatusLabel(s reservetypes.BackingStatus) string {
	switch s {
	case reservetypes.BackingStatus_BACKING_STATUS_OK:
		return "ok"
	case reservetypes.BackingStatus_BACKING_STATUS_STALE:
		return "stale"
	case reservetypes.BackingStatus_BACKING_STATUS_UNDERBACKED:
		return "underbacked"
	case reservetypes.BackingStatus_BACKING_STATUS_HALTED:
		return "halted"
	default:
		return "unspecified"
	}
}

// Snapshot is the committed state the gauges show.
type Snapshot struct {
	Height int64
	// Base units (10^-8).
	Supply, AvailableBarrels, Capacity, Price uint64
	// Coverage in basis points (10000 = every PTR backed by its barrels).
	CoverageBps uint64
	Status      reservetypes.BackingStatus
	// Age of the latest settled round at the last block's time (0 when none).
	AttestationAgeSeconds int64
	// Redemptions requested or accepted, not yet closed.
	RedemptionsPending int
	// Council proposals voting or passed (awaiting execution).
	ProposalsActive int
	// A ledger invariant broke at an end-block: issuance is stopped.
	IssuanceStopped bool
	// This node's failed full invariant checks (app.toml check_invariants).
	LocalInvariantBreaches uint64
	// Tranches and rate windows (#19).
	Monetary Monetary
	// The reserve's max age of a settled round (x/reserve params).
	MaxAgeSeconds uint64
	// Every oracle's reliability record (reports, misses, outliers).
	Oracles []*reservetypes.OracleRecord
}

// Metrics are petro's collectors.
type Metrics struct {
	height             prometheus.Gauge
	supply             prometheus.Gauge
	reserveBarrels     prometheus.Gauge
	capacity           prometheus.Gauge
	price              prometheus.Gauge
	coverage           prometheus.Gauge
	backingStatus      *prometheus.GaugeVec
	backingStatusCode  prometheus.Gauge
	attestationAge     prometheus.Gauge
	redemptionsPending prometheus.Gauge
	proposalsActive    prometheus.Gauge
	issuanceStopped    prometheus.Gauge
	localBreaches      prometheus.Gauge
	maxAge             prometheus.Gauge
	oracleReports      *prometheus.GaugeVec
	oracleMisses       *prometheus.GaugeVec
	oracleOutliers     *prometheus.GaugeVec
	blocks             prometheus.Counter
	txs                *prometheus.CounterVec
	stateErrors        prometheus.Counter
	monetary           *monetaryMetrics // #19
}

// New creates the collectors and registers them on reg (the node uses
// prometheus.DefaultRegisterer, which CometBFT's endpoint serves).
func New(reg prometheus.Registerer) (*Metrics, error) {
	g := func(name, help string) prometheus.Gauge {
		return prometheus.NewGauge(prometheus.GaugeOpts{Namespace: Namespace, Name: name, Help: help})
	}
	m := &Metrics{
		height:         g("height", "Last committed height the petro gauges describe."),
		supply:         g("supply_ptr", "PTR in existence (including redemption escrow)."),
		reserveBarrels: g("reserve_available_barrels", "Attested reserve barrels available to back PTR."),
		capacity:       g("capacity_ptr", "PTR that may exist under the attested reserve (issuance limit)."),
		price:          g("oil_price_usd_per_barrel", "Median oil price of the latest settled round (USD per barrel)."),
		coverage:       g("coverage_ratio", "Available barrels / (supply × barrels per token); 1 = fully backed, 0 when no PTR exists."),
		backingStatus: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Name: "backing_status",
			Help: "1 for the current backing status, 0 for the others (label status: ok|stale|underbacked|halted)."}, []string{"status"}),
		backingStatusCode:  g("backing_status_code", "Backing status as a number: 0 unspecified, 1 ok, 2 stale, 3 underbacked, 4 halted."),
		attestationAge:     g("attestation_age_seconds", "Age of the latest settled reserve round at the last block time (0 before any round)."),
		redemptionsPending: g("redemptions_pending", "Redemptions requested or accepted and not yet closed."),
		proposalsActive:    g("council_proposals_active", "Council proposals voting or passed and awaiting execution."),
		issuanceStopped:    g("issuance_stopped", "1 once a ledger invariant broke at an end-block (issuance stopped chain-wide), else 0."),
		localBreaches:      g("invariant_local_breaches", "Blocks after which this node's full invariant check (check_invariants) failed, since it started."),
		maxAge:             g("attestation_max_age_seconds", "Max age of a settled reserve round before the backing turns STALE (x/reserve params)."),
		oracleReports:      oracleGauge("oracle_reports", "Rounds this oracle reported in (from its reliability record)."),
		oracleMisses:       oracleGauge("oracle_misses", "Settled rounds this oracle did not report in (from its reliability record)."),
		oracleOutliers:     oracleGauge("oracle_outliers", "Rounds in which this oracle's report was beyond the max deviation from the median."),
		blocks: prometheus.NewCounter(prometheus.CounterOpts{Namespace: Namespace, Name: "blocks_total",
			Help: "Blocks committed by this node since it started."}),
		txs: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "txs_total",
			Help: "Committed txs by message type (oneof name, 'multi' for mixed, 'undecodable') and result (codespace, code; code 0 = success)."},
			[]string{"type", "codespace", "code"}),
		stateErrors: prometheus.NewCounter(prometheus.CounterOpts{Namespace: Namespace, Name: "telemetry_state_errors_total",
			Help: "Failures reading committed state for the petro gauges (the gauges keep their last values)."}),
		monetary: newMonetaryMetrics(),
	}
	for _, c := range append([]prometheus.Collector{m.height, m.supply, m.reserveBarrels, m.capacity, m.price, m.coverage,
		m.backingStatus, m.backingStatusCode, m.attestationAge, m.redemptionsPending, m.proposalsActive,
		m.issuanceStopped, m.localBreaches, m.maxAge, m.oracleReports, m.oracleMisses, m.oracleOutliers, m.blocks, m.txs, m.stateErrors}, m.monetary.collectors()...) {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	for _, s := range BackingStatuses {
		m.backingStatus.WithLabelValues(StatusLabel(s)).Set(0)
	}
	return m, nil
}

// SetState sets every gauge from s.
func (m *Metrics) SetState(s Snapshot) {
	m.height.Set(float64(s.Height))
	m.supply.Set(float64(s.Supply) / unit)
	m.reserveBarrels.Set(float64(s.AvailableBarrels) / unit)
	m.capacity.Set(float64(s.Capacity) / unit)
	m.price.Set(float64(s.Price) / unit)
	m.coverage.Set(float64(s.CoverageBps) / 10_000)
	for _, st := range BackingStatuses {
		v := 0.0
		if st == s.Status {
			v = 1
		}
		m.backingStatus.WithLabelValues(StatusLabel(st)).Set(v)
	}
	m.backingStatusCode.Set(float64(s.Status))
	m.attestationAge.Set(float64(s.AttestationAgeSeconds))
	m.redemptionsPending.Set(float64(s.RedemptionsPending))
	m.proposalsActive.Set(float64(s.ProposalsActive))
	stopped := 0.0
	if s.IssuanceStopped {
		stopped = 1
	}
	m.issuanceStopped.Set(stopped)
	m.localBreaches.Set(float64(s.LocalInvariantBreaches))
	m.monetary.set(s.Monetary)
	m.maxAge.Set(float64(s.MaxAgeSeconds))
	for _, o := range s.Oracles {
		m.oracleReports.WithLabelValues(o.Address).Set(float64(o.Reports))
		m.oracleMisses.WithLabelValues(o.Address).Set(float64(o.Misses))
		m.oracleOutliers.WithLabelValues(o.Address).Set(float64(o.Outliers))
	}
}

// oracleGauge is a gauge per oracle (label oracle: its petro1… address).
func oracleGauge(name, help string) *prometheus.GaugeVec {
	return prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Name: name, Help: help}, []string{"oracle"})
}

// ObserveBlock counts one committed block whose txs have the given types
// (as TxType returns them) and results.
func (m *Metrics) ObserveBlock(types []string, results []*abci.ExecTxResult) {
	m.blocks.Inc()
	for i, t := range types {
		space, code := "", uint32(0)
		if i < len(results) && results[i] != nil {
			space, code = results[i].Codespace, results[i].Code
		}
		m.txs.WithLabelValues(t, space, strconv.FormatUint(uint64(code), 10)).Inc()
	}
}

// StateError counts a failed state read.
func (m *Metrics) StateError() { m.stateErrors.Inc() }
