package telemetry_test

import (
	"fmt"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/petro-network/petro/app"
	tu "github.com/petro-network/petro/internal/testutil"
	"github.com/petro-network/petro/server/telemetry"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
)

func TestSetStateAndObserveBlock(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := telemetry.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	m.SetState(telemetry.Snapshot{
		Height: 7, Supply: 250 * 1e8, AvailableBarrels: 1000_50000000, Capacity: 900 * 1e8, Price: 72_12500000,
		CoverageBps: 15_000, Status: reservetypes.BackingStatus_BACKING_STATUS_STALE,
		AttestationAgeSeconds: 42, RedemptionsPending: 3, ProposalsActive: 2, MaxAgeSeconds: 3600,
		IssuanceStopped: true, LocalInvariantBreaches: 4,
		Oracles: []*reservetypes.OracleRecord{{Address: "petro1o", Reports: 9, Misses: 2, Outliers: 1}},
	})
	m.ObserveBlock([]string{"send", "send", "issue"}, []*abci.ExecTxResult{
		{}, {Codespace: "token", Code: 5}, {},
	})
	m.ObserveBlock(nil, nil)

	wantSeries := map[string]float64{
		`petro_backing_status{status="halted"}`:                   0,
		`petro_backing_status{status="ok"}`:                       0,
		`petro_backing_status{status="stale"}`:                    1,
		`petro_backing_status{status="underbacked"}`:              0,
		`petro_blocks_total`:                                      2,
		`petro_txs_total{code="0",codespace="",type="issue"}`:     1,
		`petro_txs_total{code="0",codespace="",type="send"}`:      1,
		`petro_txs_total{code="5",codespace="token",type="send"}`: 1,
		`petro_oracle_reports{oracle="petro1o"}`:                  9,
		`petro_oracle_misses{oracle="petro1o"}`:                   2,
		`petro_oracle_outliers{oracle="petro1o"}`:                 1,
	}
	got := series(t, reg)
	for k, v := range wantSeries {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
	checks := map[string]float64{
		"petro_height": 7, "petro_supply_ptr": 250, "petro_reserve_available_barrels": 1000.5,
		"petro_capacity_ptr": 900, "petro_oil_price_usd_per_barrel": 72.125, "petro_coverage_ratio": 1.5,
		"petro_backing_status_code": 2, "petro_attestation_age_seconds": 42,
		"petro_redemptions_pending": 3, "petro_council_proposals_active": 2,
		"petro_issuance_stopped": 1, "petro_invariant_local_breaches": 4, "petro_attestation_max_age_seconds": 3600,
	}
	for name, v := range checks {
		if got[name] != v {
			t.Errorf("%s = %v, want %v", name, got[name], v)
		}
	}
}

func TestRegisterTwiceFails(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := telemetry.New(reg); err != nil {
		t.Fatal(err)
	}
	if _, err := telemetry.New(reg); err == nil {
		t.Fatal("registering the collectors twice on one registry must fail")
	}
}

func TestTxType(t *testing.T) {
	k := tu.Key(0)
	if got := telemetry.TxType(app.DecodeTx(tu.SendTx(t, k, 0, tu.Addr(1), 1))); got != "send" {
		t.Errorf("send tx: %q", got)
	}
	if got := telemetry.TxType(app.DecodeTx([]byte("garbage"))); got != "undecodable" {
		t.Errorf("garbage: %q", got)
	}
}

// TestUpdaterFromApp drives a real app through committed blocks and checks
// that the updater counts every block and tx (by type and result) and
// reads supply from committed state.
func TestUpdaterFromApp(t *testing.T) {
	const fund = 1000 * 1e8
	a := tu.NewApp(t, tu.FundedGenesis(fund, tu.Addr(0), tu.Addr(1)))
	reg := prometheus.NewRegistry()
	m, err := telemetry.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	u := telemetry.NewUpdater(m, a, nil)
	a.AddCommitListener(u.Listen)

	tu.NextBlock(t, a) // genesis block, no txs
	tu.NextBlock(t, a, tu.SendTx(t, tu.Key(0), 0, tu.Addr(1), 5))
	// A tx that fails in the block: sequence 0 again (already used).
	tu.FinalizeCommit(t, a, 3, tu.BlockTime(3), tu.SendTx(t, tu.Key(0), 0, tu.Addr(1), 5), []byte("garbage"))
	u.Flush()

	if got := series(t, reg)["petro_blocks_total"]; got != 3 {
		t.Errorf("blocks = %v, want 3", got)
	}
	if got := gauge(t, reg, "petro_height"); got != 3 {
		t.Errorf("height = %v, want 3", got)
	}
	if got := gauge(t, reg, "petro_supply_ptr"); got != 2000 {
		t.Errorf("supply = %v, want 2000", got)
	}
	if got := gauge(t, reg, "petro_backing_status_code"); got != float64(reservetypes.BackingStatus_BACKING_STATUS_STALE) {
		t.Errorf("status code = %v, want stale (no round settled)", got)
	}
	txs := map[string]float64{}
	for k, v := range series(t, reg) {
		if strings.HasPrefix(k, "petro_txs_total{") {
			txs[k] = v
		}
	}
	if len(txs) != 3 || txs[`petro_txs_total{code="0",codespace="",type="send"}`] != 1 {
		t.Errorf("txs_total = %v", txs)
	}
	for k, v := range txs {
		if k != `petro_txs_total{code="0",codespace="",type="send"}` && (v != 1 || !strings.Contains(k, `codespace="tx"`)) {
			t.Errorf("unexpected failing-tx series %s = %v (want codespace tx)", k, v)
		}
	}
}

// series flattens everything gathered from reg into name{labels} → value
// (labels sorted by name, as Gather returns them).
func series(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, mt := range mf.GetMetric() {
			key := mf.GetName()
			if len(mt.GetLabel()) > 0 {
				var parts []string
				for _, l := range mt.GetLabel() {
					parts = append(parts, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
				}
				key += "{" + strings.Join(parts, ",") + "}"
			}
			out[key] = mt.GetCounter().GetValue() + mt.GetGauge().GetValue()
		}
	}
	return out
}

func gauge(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) == 1 {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

func TestMonetaryGauges(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := telemetry.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	m.SetState(telemetry.Snapshot{Monetary: telemetry.Monetary{
		Tranches: []telemetry.TrancheFigure{{Name: "public", Cap: 44 * 1e8, Outstanding: 3 * 1e8}},
		Windows:  []telemetry.RateFigure{{Issuer: "petro1x", Seconds: 3600, Used: 5 * 1e8, Max: 10 * 1e8}},
	}})
	got := series(t, reg)
	for k, v := range map[string]float64{
		`petro_tranche_cap_ptr{tranche="public"}`:                           44,
		`petro_tranche_outstanding_ptr{tranche="public"}`:                   3,
		`petro_rate_limit_used_ptr{issuer="petro1x",window_seconds="3600"}`: 5,
		`petro_rate_limit_max_ptr{issuer="petro1x",window_seconds="3600"}`:  10,
	} {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
	m.SetState(telemetry.Snapshot{})
	if _, ok := series(t, reg)[`petro_tranche_cap_ptr{tranche="public"}`]; ok {
		t.Error("a removed tranche keeps its series")
	}
}
