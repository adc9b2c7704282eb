package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	cmtstore "github.com/cometbft/cometbft/store"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/store"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// Operations tests: halt height, graceful shutdown, and the one-line
// errors of `petrod start` for bad ports, configs and genesis.

// setHaltHeight rewrites app.toml's halt_height.
func setHaltHeight(t *testing.T, home string, h int64) {
	t.Helper()
	path := filepath.Join(home, "config", "app.toml")
	bz, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^halt_height = .*$`)
	if !re.Match(bz) {
		t.Fatalf("%s has no halt_height", path)
	}
	if err := os.WriteFile(path, re.ReplaceAll(bz, []byte(fmt.Sprintf("halt_height = %d", h))), 0o644); err != nil {
		t.Fatal(err)
	}
}

// storedHeights opens a stopped node's block store and app state and
// returns their heights.
func storedHeights(t *testing.T, n *Node) (blocks, appHeight int64) {
	t.Helper()
	data := filepath.Join(n.Home, "data")
	bdb, err := store.OpenDB("pebble", data, "blockstore")
	if err != nil {
		t.Fatal(err)
	}
	blocks = cmtstore.NewBlockStore(store.NewCometDB(bdb)).Height()
	bdb.Close()
	adb, err := store.OpenDB("pebble", data, "application")
	if err != nil {
		t.Fatal(err)
	}
	defer adb.Close()
	a, err := app.New(n.ChainID, adb, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	appHeight, _ = a.LastCommit()
	a.Close()
	return blocks, appHeight
}

// TestHaltHeight: with app.toml halt_height = 5 the node commits height 5,
// logs "halt height reached" and exits 0 with no block above 5 stored or
// executed; restarted with the same setting it refuses in one line; with
// halt_height = 0 the chain continues.
func TestHaltHeight(t *testing.T) {
	if testing.Short() {
		t.Skip("node test")
	}
	const halt = 5
	n := NewSingleNode(t, e2eChainID, nil, 0, 200*time.Millisecond)
	setHaltHeight(t, n.Home, halt)
	n.Start()
	if code := ExitCode(t, n, 90*time.Second); code != 0 {
		t.Fatalf("exit code %d at the halt height, want 0", code)
	}
	logs := string(n.Logs())
	if !regexp.MustCompile(`halt height reached\s+height=5 halt_height=5`).MatchString(logs) {
		t.Errorf("no \"halt height reached height=5\" line in the log")
	}
	if strings.Contains(logs, "CONSENSUS FAILURE") {
		t.Errorf("consensus failure logged while halting")
	}
	blocks, appH := storedHeights(t, n)
	if blocks != halt || appH != halt {
		t.Fatalf("after halting at %d: block store at %d, app state at %d", halt, blocks, appH)
	}

	// Same setting: refuses, one line, non-zero.
	code, out := runStart(t, n, 30*time.Second)
	if code == 0 || !strings.Contains(out, "halt_height = 5") || !strings.Contains(out, "already committed height 5") {
		t.Errorf("restart with halt_height still 5: exit %d, %q", code, out)
	}

	// halt_height = 0: continues from 5.
	setHaltHeight(t, n.Home, 0)
	n.Start()
	if h := n.WaitReady(halt, 60*time.Second); h <= halt {
		t.Fatalf("height %d after restart", h)
	}
}

// TestShutdownGraceful: SIGTERM and SIGINT each stop the node with exit
// code 0 and a "shutting down" line, and a restart continues the chain.
func TestShutdownGraceful(t *testing.T) {
	if testing.Short() {
		t.Skip("node test")
	}
	alice := Key(t, 200)
	n := NewSingleNode(t, e2eChainID, []crypto.Address{alice.PubKey().Address()}, fund, 200*time.Millisecond)
	n.Start()
	h := n.WaitReady(2, 60*time.Second)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		n.mu.Lock()
		cmd := n.cmd
		n.mu.Unlock()
		start := time.Now()
		n.signal(sig)
		if code := exitCode(cmd); code != 0 {
			t.Errorf("%v: exit code %d, want 0", sig, code)
		}
		t.Logf("%v: exited in %v", sig, time.Since(start).Round(time.Millisecond))
		if !strings.Contains(string(n.Logs()), "shutting down") {
			t.Errorf("%v: no \"shutting down\" log line", sig)
		}
		if errs := errorLine.FindAllString(string(n.Logs()), -1); len(errs) > 0 {
			t.Errorf("%v: a clean run and shutdown logged at error level:\n%s", sig, strings.Join(errs, "\n"))
		}
		n.Start()
		h = n.WaitReady(h, 60*time.Second)
	}
	// State survived: the funded account is intact.
	cc := n.Conn()
	b, err := tokentypes.NewQueryClient(cc).Balance(context.Background(), &tokentypes.QueryBalanceRequest{Address: alice.PubKey().Address().String()})
	if err != nil || b.Balance.Amount != fund {
		t.Fatalf("balance after restarts: %v %v", b, err)
	}
}

// runStart runs `petrod start` for n's home (with n's ports) and expects
// it to fail within timeout; it returns the exit code and the last line
// of its output (the error).
func runStart(t *testing.T, n *Node, timeout time.Duration) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, Binary(t), "start", "--home", n.Home,
		"--grpc.address", n.GRPCAddr(), "--rpc.laddr", n.RPCAddr(), "--p2p.laddr", n.P2PAddr())
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("petrod start did not fail within %v; output:\n%s", timeout, out)
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "Error: ") {
		t.Errorf("last output line is not the error: %q", last)
	}
	return cmd.ProcessState.ExitCode(), last
}

// TestConfigErrors: every way `petrod start` cannot run ends in one line
// naming the file (and line) or address at fault, and exit code 1.
func TestConfigErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("node test")
	}
	home := func(t *testing.T) *Node { return NewSingleNode(t, e2eChainID, nil, 0, 200*time.Millisecond) }
	expect := func(t *testing.T, n *Node, want ...string) {
		t.Helper()
		code, line := runStart(t, n, 30*time.Second)
		if code != 1 {
			t.Errorf("exit code %d, want 1 (%s)", code, line)
		}
		for _, w := range want {
			if !strings.Contains(line, w) {
				t.Errorf("error %q does not contain %q", line, w)
			}
		}
		t.Log(line)
	}

	t.Run("port in use", func(t *testing.T) {
		n := home(t)
		l, err := net.Listen("tcp", n.GRPCAddr())
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		expect(t, n, "gRPC", fmt.Sprintf("address %s is in use", n.GRPCAddr()))
	})
	t.Run("missing config.toml", func(t *testing.T) {
		n := home(t)
		path := filepath.Join(n.Home, "config", "config.toml")
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		expect(t, n, path, "not found")
	})
	t.Run("garbage config.toml", func(t *testing.T) {
		n := home(t)
		path := filepath.Join(n.Home, "config", "config.toml")
		bz, _ := os.ReadFile(path)
		lines := strings.Split(string(bz), "\n")
		lines[6] = "this line = = is not toml"
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		expect(t, n, path, "line 7")
	})
	t.Run("garbage app.toml", func(t *testing.T) {
		n := home(t)
		path := filepath.Join(n.Home, "config", "app.toml")
		if err := os.WriteFile(path, []byte("db_backend = \"pebble\"\n\nnot toml at all\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		expect(t, n, path, "line 3")
	})
	t.Run("unknown app.toml key", func(t *testing.T) {
		n := home(t)
		path := filepath.Join(n.Home, "config", "app.toml")
		bz, _ := os.ReadFile(path)
		if err := os.WriteFile(path, append([]byte("halt_hieght = 10\n"), bz...), 0o644); err != nil {
			t.Fatal(err)
		}
		expect(t, n, path, "unknown keys halt_hieght")
	})
	t.Run("genesis of another chain over old data", func(t *testing.T) {
		n := home(t)
		n.Start()
		n.WaitReady(2, 60*time.Second)
		n.Stop()
		genPath := filepath.Join(n.Home, "config", "genesis.json")
		orig, err := os.ReadFile(genPath)
		if err != nil {
			t.Fatal(err)
		}
		other := t.TempDir()
		if out, err := exec.Command(Binary(t), "init", "other", "--home", other, "--chain-id", "other-chain-1").CombinedOutput(); err != nil {
			t.Fatalf("init: %v\n%s", err, out)
		}
		bz, err := os.ReadFile(filepath.Join(other, "config", "genesis.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(genPath, bz, 0o644); err != nil {
			t.Fatal(err)
		}
		expect(t, n, genPath, "does not match the chain in", `chain id "other-chain-1" in the file, "petro-e2e-1" in data`)

		// Same chain id, edited app_state (an extra funded account).
		edited := strings.Replace(string(orig), `"balances":[`, `"balances":[{"address":"`+Key(t, 300).PubKey().Address().String()+`","amount":"1"},`, 1)
		if edited == string(orig) {
			edited = strings.Replace(string(orig), `"app_state": {`, `"app_state": {"x": 1,`, 1)
		}
		if err := os.WriteFile(genPath, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		code, line := runStart(t, n, 30*time.Second)
		if code != 1 || !strings.Contains(line, "does not match the chain in") {
			t.Errorf("edited genesis: exit %d, %q", code, line)
		}
		t.Log(line)

		// The original genesis: the node runs again.
		if err := os.WriteFile(genPath, orig, 0o644); err != nil {
			t.Fatal(err)
		}
		n.Start()
		n.WaitReady(2, 60*time.Second)
	})
}
