package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestRemoteSigner runs a validator whose consensus key is not on its
// disk: config.toml priv_validator_laddr is set and a separate signer
// process (CometBFT's privval SignerServer, tests/e2e/testsigner) holds
// the key and its last-sign state and dials in. Blocks are made; the
// signer is killed and started again, and blocks go on; the signer's
// last-sign state follows the chain.
func TestRemoteSigner(t *testing.T) {
	if testing.Short() {
		t.Skip("node test")
	}
	signerBin := buildTestSigner(t)
	n := NewSingleNode(t, e2eChainID, nil, 0, 200*time.Millisecond)
	// ARRANGE: the key and its state move to the signer's directory.
	sdir := t.TempDir()
	key, state := filepath.Join(sdir, "priv_validator_key.json"), filepath.Join(sdir, "priv_validator_state.json")
	for from, to := range map[string]string{
		filepath.Join(n.Home, "config", "priv_validator_key.json"): key,
		filepath.Join(n.Home, "data", "priv_validator_state.json"): state,
	} {
		if err := os.Rename(from, to); err != nil {
			t.Fatal(err)
		}
	}
	laddr := fmt.Sprintf("tcp://127.0.0.1:%d", FreePort(t))
	cfg := filepath.Join(n.Home, "config", "config.toml")
	bz, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^priv_validator_laddr = .*$`)
	bz = re.ReplaceAll(bz, []byte(fmt.Sprintf("priv_validator_laddr = %q", laddr)))
	if err := os.WriteFile(cfg, bz, 0o600); err != nil {
		t.Fatal(err)
	}
	logf, err := os.OpenFile(filepath.Join(sdir, "signer.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	startSigner := func() *exec.Cmd {
		cmd := exec.Command(signerBin, "-addr", laddr, "-key", key, "-state", state, "-chain-id", e2eChainID)
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	signer := startSigner()
	t.Cleanup(func() {
		_ = signer.Process.Kill()
		_, _ = signer.Process.Wait()
		if t.Failed() {
			bz, _ := os.ReadFile(filepath.Join(sdir, "signer.log"))
			t.Logf("--- signer log ---\n%s", bz[max(0, len(bz)-5000):])
		}
	})

	// ACT + ASSERT: blocks signed remotely.
	n.Start()
	h := n.WaitReady(3, 90*time.Second)
	if _, err := os.Stat(filepath.Join(n.Home, "config", "priv_validator_key.json")); !os.IsNotExist(err) {
		t.Fatalf("the validator's home has a key file: %v", err)
	}

	// The signer restarts (killed, as a crash would).
	_ = signer.Process.Signal(syscall.SIGKILL)
	_, _ = signer.Process.Wait()
	down, err := Height(n)
	if err != nil {
		t.Fatal(err)
	}
	signer = startSigner()
	restarted := time.Now()
	if _, err := WaitHeight(n, down+3, 2*time.Minute); err != nil {
		t.Fatalf("after the signer restarted: %v", err)
	}
	t.Logf("MEASURED remote signer: blocks to %d, signer killed at height %d, restarted; height %d reached %.1f s later",
		h, down, down+3, time.Since(restarted).Seconds())
	var st struct {
		Height string `json:"height"`
	}
	bz, err = os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(bz, &st); err != nil || atoi64(st.Height) < down {
		t.Fatalf("signer's last-sign state %s (err %v), want ≥ %d", bz, err, down)
	}
}

func atoi64(s string) int64 {
	var n int64
	_, _ = fmt.Sscan(s, &n)
	return n
}

var (
	signerOnce sync.Once
	signerPath string
	signerErr  error
)

// buildTestSigner builds tests/e2e/testsigner once per test binary.
func buildTestSigner(t testing.TB) string {
	t.Helper()
	signerOnce.Do(func() {
		signerPath = filepath.Join(filepath.Dir(Binary(t)), "testsigner")
		cmd := exec.Command("go", "build", "-o", signerPath, "./tests/e2e/testsigner")
		cmd.Dir = repoRoot()
		if out, err := cmd.CombinedOutput(); err != nil {
			signerErr = fmt.Errorf("go build testsigner: %v\n%s", err, out)
		}
	})
	if signerErr != nil {
		t.Fatal(signerErr)
	}
	return signerPath
}
