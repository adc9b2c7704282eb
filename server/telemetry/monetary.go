package telemetry

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	tokentypes "github.com/petro-network/petro/x/token/types"
)

// Monetary is the #19 part of a Snapshot (read by the app: Source.MonetaryFigures).
type (
	Monetary      = tokentypes.MonetaryFigures
	TrancheFigure = tokentypes.TrancheFigure
	RateFigure    = tokentypes.RateFigure
)

// monetaryMetrics are the gauges of Monetary.
type monetaryMetrics struct {
	trancheCap, trancheOutstanding, rateUsed, rateMax *prometheus.GaugeVec
}

func newMonetaryMetrics() *monetaryMetrics {
	v := func(name, help string, labels ...string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Name: name, Help: help}, labels)
	}
	return &monetaryMetrics{
		trancheCap:         v("tranche_cap_ptr", "Cap of each issuance tranche (PTR).", "tranche"),
		trancheOutstanding: v("tranche_outstanding_ptr", "Issued − burned of each issuance tranche (PTR); they sum to the supply.", "tranche"),
		rateUsed:           v("rate_limit_used_ptr", "PTR an issuer issued within each of its rate windows, at the last block's time.", "issuer", "window_seconds"),
		rateMax:            v("rate_limit_max_ptr", "The most an issuer may issue within each of its rate windows (PTR).", "issuer", "window_seconds"),
	}
}

func (m *monetaryMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.trancheCap, m.trancheOutstanding, m.rateUsed, m.rateMax}
}

// set replaces every series, so removed tranches and limits disappear.
func (m *monetaryMetrics) set(s Monetary) {
	m.trancheCap.Reset()
	m.trancheOutstanding.Reset()
	m.rateUsed.Reset()
	m.rateMax.Reset()
	for _, t := range s.Tranches {
		m.trancheCap.WithLabelValues(t.Name).Set(float64(t.Cap) / unit)
		m.trancheOutstanding.WithLabelValues(t.Name).Set(float64(t.Outstanding) / unit)
	}
	for _, w := range s.Windows {
		sec := strconv.FormatUint(w.Seconds, 10)
		m.rateUsed.WithLabelValues(w.Issuer, sec).Set(float64(w.Used) / unit)
		m.rateMax.WithLabelValues(w.Issuer, sec).Set(float64(w.Max) / unit)
	}
}
