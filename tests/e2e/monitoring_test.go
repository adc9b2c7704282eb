package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/keyring"
	txtypes "github.com/petro-network/petro/types/tx"
)

// The monitoring files shipped for operators: a Grafana dashboard and
// Prometheus alert rules with their unit tests.
var monitoringDir = filepath.Join(repoRoot(), "networks", "monitoring")

// TestMonitoringRules runs `promtool check rules`, `promtool test rules`
// and `promtool check config` on networks/monitoring (CI installs
// Debian's prometheus package for promtool; without it the test skips).
func TestMonitoringRules(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("skipping: promtool not installed (Debian: apt-get install prometheus; .ci/run installs it)")
	}
	for _, args := range [][]string{
		{"check", "rules", "alerts.yml"},
		{"test", "rules", "alerts_test.yml"},
		{"check", "config", "prometheus.yml"},
	} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = monitoringDir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		t.Logf("promtool %s:\n%s", strings.Join(args, " "), out)
	}
}

var (
	metricName = regexp.MustCompile(`\b(?:petro|cometbft)_[a-z0-9_]+\b`)
	// ruleExpr is an alert rule's one-line expr in alerts.yml.
	ruleExpr = regexp.MustCompile(`(?m)^\s+expr:\s*(.+)$`)
)

// monitoredMetrics are the metric names the dashboard's and the alert
// rules' expressions use, sorted.
func monitoredMetrics(t *testing.T) []string {
	t.Helper()
	var exprs []string
	bz, err := os.ReadFile(filepath.Join(monitoringDir, "grafana-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Type    string `json:"type"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(bz, &dash); err != nil {
		t.Fatalf("grafana-dashboard.json: %v", err)
	}
	for _, p := range dash.Panels {
		if p.Type != "row" && len(p.Targets) == 0 {
			t.Errorf("dashboard panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	bz, err = os.ReadFile(filepath.Join(monitoringDir, "alerts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ruleExpr.FindAllStringSubmatch(string(bz), -1) {
		exprs = append(exprs, m[1])
	}
	if len(exprs) == len(dash.Panels) {
		t.Fatal("alerts.yml: no expr found")
	}
	set := map[string]bool{}
	for _, e := range exprs {
		for _, m := range metricName.FindAllString(e, -1) {
			set[m] = true
		}
	}
	var out []string
	for m := range set {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// TestMonitoringMetricsExported: every metric the dashboard and the alert
// rules use is exported by a running node — one validator and a full
// node from `petrod testnet` (Prometheus on; the peer gauge needs a peer),
// after a transfer and a settled reserve round
// (the two attest commands its summary prints), so that the labelled
// series (txs by type, per-oracle records) exist.
func TestMonitoringMetricsExported(t *testing.T) {
	if testing.Short() {
		t.Skip("node test")
	}
	want := monitoredMetrics(t)
	if len(want) < 20 {
		t.Fatalf("only %d metrics found in the dashboard and rules: %v", len(want), want)
	}
	dir := t.TempDir()
	base := FreePortBase(t, 20)
	out, err := exec.Command(Binary(t), "testnet", "--validators", "1", "--full-nodes", "1", "--output", dir,
		"--base-port", fmt.Sprint(base), "--timeout-commit", "300ms", "--force").CombinedOutput()
	if err != nil {
		t.Fatalf("petrod testnet: %v\n%s", err, out)
	}
	n := &Node{t: t, Home: filepath.Join(dir, "node0"), ChainID: "petro-testnet-1", fromConfig: true,
		P2PPort: base, RPCPort: base + 1, GRPCPort: base + 2}
	n.Start()
	full := &Node{t: t, Home: filepath.Join(dir, "node1"), ChainID: "petro-testnet-1", fromConfig: true,
		P2PPort: base + 10, RPCPort: base + 11, GRPCPort: base + 12}
	full.Start()
	n.WaitReady(1, 90*time.Second)

	// ACT: the summary's attest commands (a round settles), and a transfer.
	var attests int
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "petrod tx reserve attest ") {
			continue
		}
		args := strings.Fields(line)[1:]
		if o, err := exec.Command(Binary(t), args...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", line, err, o)
		}
		attests++
	}
	if attests != 2 {
		t.Fatalf("%d attest commands in the testnet summary, want 2:\n%s", attests, out)
	}
	tn := &Testnet{Dir: dir}
	if tn.keys, err = keyring.New(keyring.BackendTest, dir, nil); err != nil {
		t.Fatal(err)
	}
	from, to := tn.Key(t, "val0"), tn.Key(t, "pauser")
	raw, err := client.SignTx(n.ChainID, from, 0, []*txtypes.Msg{client.SendMsg(from.PubKey().Address(), to.PubKey().Address(), 1)}, client.TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := txtypes.NewTxServiceClient(n.Conn()).Broadcast(context.Background(),
		&txtypes.BroadcastRequest{TxBytes: raw, Mode: txtypes.BroadcastMode_BROADCAST_MODE_COMMIT})
	if err != nil || resp.Code != 0 {
		t.Fatalf("transfer: %v %v", resp, err)
	}

	// ASSERT: every name is on /metrics (the gauges follow the block
	// asynchronously: poll).
	url := fmt.Sprintf("http://127.0.0.1:%d/metrics", base+3)
	var missing []string
	err = Eventually(60*time.Second, func() error {
		r, err := http.Get(url)
		if err != nil {
			return err
		}
		defer r.Body.Close()
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return err
		}
		exported := map[string]bool{}
		for _, l := range strings.Split(string(body), "\n") {
			if l == "" || strings.HasPrefix(l, "#") {
				continue
			}
			exported[metricName.FindString(l)] = true
		}
		missing = missing[:0]
		for _, m := range want {
			if !exported[m] {
				missing = append(missing, m)
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("not exported: %v", missing)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("dashboard/alert metrics the node does not export: %v", err)
	}
	t.Logf("%d metrics used by the dashboard and alerts, all exported: %v", len(want), want)
}
