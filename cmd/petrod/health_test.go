package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cometbft/cometbft/libs/log"
)

// TestHealthAssess: the liveness watchdog and readiness decisions.
func TestHealthAssess(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	type step struct {
		in           healthInputs
		alive, ready bool
	}
	for _, tc := range []struct {
		name  string
		stall time.Duration
		steps []step
	}{
		{"starting: alive, not ready until caught up and past block 0", time.Minute, []step{
			{healthInputs{now: at(0), height: 0, catchingUp: true}, true, false},
			{healthInputs{now: at(1), height: 5, catchingUp: true, peerHeight: 90}, true, false},
			{healthInputs{now: at(2), height: 90, peerHeight: 90}, true, true},
		}},
		{"stuck while a peer moves on: unhealthy after the stall timeout, healthy once it moves", time.Minute, []step{
			{healthInputs{now: at(0), height: 10, peerHeight: 10}, true, true},
			{healthInputs{now: at(59), height: 10, peerHeight: 60}, true, true},
			{healthInputs{now: at(60), height: 10, peerHeight: 60}, false, false},
			{healthInputs{now: at(61), height: 11, peerHeight: 61}, true, true},
		}},
		{"the whole chain halted: no peer ahead, still healthy", time.Minute, []step{
			{healthInputs{now: at(0), height: 10, peerHeight: 10}, true, true},
			{healthInputs{now: at(600), height: 10, peerHeight: 11}, true, true},
		}},
		{"no peers (one validator) and watchdog off", 0, []step{
			{healthInputs{now: at(0), height: 10}, true, true},
			{healthInputs{now: at(6000), height: 10, peerHeight: 500}, true, true},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &healthMonitor{stall: tc.stall}
			for i, s := range tc.steps {
				if alive, ready := m.assess(s.in); alive != s.alive || ready != s.ready {
					t.Errorf("step %d: alive %v ready %v, want %v %v", i, alive, ready, s.alive, s.ready)
				}
			}
		})
	}
}

// TestNodeLoggerFatal: a fatal CometBFT message reaches onFatal once, with
// its error as the cause; other errors do not; the stop noise is logged at
// info level only once the node is stopping.
func TestNodeLoggerFatal(t *testing.T) {
	var buf bytes.Buffer
	l, st := newNodeLogger(log.NewTMLogger(&buf))
	var causes []string
	st.setOnFatal(func(c string) { causes = append(causes, c) })
	cl := l.With("module", "consensus")
	cl.Error("failed signing vote", "err", errors.New("signer timeout"))
	if len(causes) != 0 {
		t.Fatalf("non-fatal error reported: %v", causes)
	}
	cl.Error("CONSENSUS FAILURE!!!", "err", "write data/priv_validator_state.json: no space left on device", "stack", "…")
	cl.Error("failed writing to WAL", "err", errors.New("again"))
	if len(causes) != 1 || causes[0] != "consensus failure: write data/priv_validator_state.json: no space left on device" {
		t.Fatalf("causes %q", causes)
	}
	noise := func() {
		l.Error("Error serving server", "err", errors.New("accept tcp [::]:26657: use of closed network connection"))
	}
	noise()
	if !strings.Contains(buf.String(), "E[") || !strings.Contains(buf.String(), "Error serving server") {
		t.Fatalf("before stopping, the message stays an error:\n%s", buf.String())
	}
	buf.Reset()
	st.stopping.Store(true)
	noise()
	l.Error("Stopped accept routine, as transport is closed", "numPeers", 0)
	if strings.Contains(buf.String(), "E[") || strings.Count(buf.String(), "I[") != 2 {
		t.Fatalf("while stopping, the noise is info:\n%s", buf.String())
	}
}

// TestFatalMessagesInCometBFT: every message the node treats as fatal (or
// as stop noise) is still logged by the CometBFT version in go.mod, so an
// upgrade that rewords one fails here instead of leaving a zombie node.
func TestFatalMessagesInCometBFT(t *testing.T) {
	dir := cometbftDir(t)
	var src strings.Builder
	for _, sub := range []string{"consensus", "libs/autofile", "node", "p2p"} {
		files, _ := filepath.Glob(filepath.Join(dir, sub, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			bz, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			src.Write(bz)
		}
	}
	msgs := []string{"Stopped accept routine, as transport is closed", "Error serving server"}
	for m := range fatalMessages {
		msgs = append(msgs, m)
	}
	for _, m := range msgs {
		if !strings.Contains(src.String(), `"`+m+`"`) {
			t.Errorf("CometBFT (%s) no longer logs %q", dir, m)
		}
	}
}

// cometbftDir is the module directory of the CometBFT in go.mod.
func cometbftDir(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/cometbft/cometbft").Output()
	if err != nil || len(bytes.TrimSpace(out)) == 0 {
		t.Skipf("skipping: no CometBFT module source (go list -m: %v)", err)
	}
	return string(bytes.TrimSpace(out))
}
