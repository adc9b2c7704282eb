package telemetry

import (
	"fmt"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/store"
	tokenkeeper "github.com/petro-network/petro/x/token/keeper"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// Monetary is the #19 part of a Snapshot: every tranche and every
// rate-limited issuer's windows, at the last block's time.
type Monetary struct {
	Tranches []TrancheFigure
	Windows  []RateFigure
}

// TrancheFigure is one tranche's cap and outstanding (base units).
type TrancheFigure struct {
	Name             string
	Cap, Outstanding uint64
}

// RateFigure is one issuer's use of one rate window (base units).
type RateFigure struct {
	Issuer    string
	Seconds   uint64
	Used, Max uint64
}

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

// readMonetary reads the tranches and rate windows at block time now.
func readMonetary(kv store.KVStore, t tokenkeeper.Keeper, now int64) (Monetary, error) {
	var s Monetary
	hardCap, err := t.HardCap(kv)
	if err != nil {
		return s, err
	}
	ts, err := t.Tranches(kv)
	if err != nil {
		return s, fmt.Errorf("tranches: %w", err)
	}
	for _, tr := range ts {
		s.Tranches = append(s.Tranches, TrancheFigure{Name: tr.Name, Cap: tr.Cap(hardCap), Outstanding: tr.Outstanding()})
	}
	err = t.IterateRateLimits(kv, func(addr crypto.Address, rl *tokentypes.RateLimit) error {
		for _, w := range rl.Windows {
			used, _, err := t.WindowUsed(kv, addr, now, w.Seconds)
			if err != nil {
				return err
			}
			s.Windows = append(s.Windows, RateFigure{Issuer: addr.String(), Seconds: w.Seconds, Used: used, Max: w.Max})
		}
		return nil
	})
	if err != nil {
		return s, fmt.Errorf("rate limits: %w", err)
	}
	return s, nil
}
