package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	cmttypes "github.com/cometbft/cometbft/types"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/crypto"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Binary builds ./cmd/petrod once per test binary and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "petrod-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "petrod")
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/petrod")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// Key is a deterministic test key: the same address on every run.
func Key(t testing.TB, i int) *crypto.PrivKey {
	t.Helper()
	seed := sha256.Sum256([]byte("petro-e2e-key-" + strconv.Itoa(i)))
	k, err := crypto.PrivKeyFromBytes(seed[:])
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// FreePort returns a loopback port that was free a moment ago, below the
// kernel's ephemeral range. A port from the ephemeral range (what
// listening on port 0 returns) can be taken, before the node binds it, as
// the source port of any outgoing connection, the node's own p2p dials
// included; that made TestStateSyncJoin fail once with "address already
// in use". Ports are handed out in sequence, never twice in one process.
func FreePort(t testing.TB) int {
	t.Helper()
	return FreePortBase(t, 1)
}

var (
	portMu   sync.Mutex
	nextPort int // next port to try; 0 before the first call
)

// portRange is where test ports come from: [20000, the ephemeral range).
// It also starts the sequence, at a point that depends on the process so
// that concurrent test processes start apart.
func portRange() (lo, hi int) {
	lo, hi = 20000, ephemeralLow()
	if nextPort == 0 {
		nextPort = lo + os.Getpid()%(hi-lo)
	}
	return lo, hi
}

// portsFree reports whether base … base+n-1 can all be listened on.
func portsFree(base, n int) bool {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for p := base; p < base+n; p++ {
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			return false
		}
		ls = append(ls, l)
	}
	return true
}

// ephemeralLow is the first port of Linux's ephemeral range (32768 by
// default, and where /proc is not there).
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 32768
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 32768
	}
	if n, err := strconv.Atoi(f[0]); err == nil && n > 21000 {
		return n
	}
	return 32768
}

// Node is one petrod process with its home and loopback ports.
type Node struct {
	t                          testing.TB
	Home, ChainID              string
	GRPCPort, RPCPort, P2PPort int
	// APIPort serves the REST/JSON gateway and the audit page.
	APIPort int
	// fromConfig: the home's own config files hold the ports (testnet).
	fromConfig bool
	// Bin is the petrod binary Start runs ("" = Binary). Launcher, if set,
	// runs instead with the petrod arguments appended (e.g. cosmovisor
	// run), with Env added to the environment.
	Bin      string
	Launcher []string
	Env      []string
	// Host is the address the ports are on ("" = 127.0.0.1).
	Host string
	// container, when set, is the docker container that runs the node
	// (started and stopped by docker, not by Start/Stop).
	container string

	mu   sync.Mutex
	cmd  *exec.Cmd
	log  *os.File
	done chan struct{}
}

// NewSingleNode initialises a one-validator home whose genesis funds each
// of funded with amount base units, with fast blocks (timeoutCommit).
func NewSingleNode(t testing.TB, chainID string, funded []crypto.Address, amount uint64, timeoutCommit time.Duration) *Node {
	t.Helper()
	return NewSingleNodeWith(t, chainID, func(gs *app.GenesisState) {
		for _, a := range funded {
			gs.Token.Balances = append(gs.Token.Balances, &tokentypes.Balance{Address: a.String(), Amount: amount})
		}
	}, timeoutCommit)
}

// NewSingleNodeWith initialises a one-validator home whose app genesis is
// app.DefaultGenesis edited by mutate.
func NewSingleNodeWith(t testing.TB, chainID string, mutate func(*app.GenesisState), timeoutCommit time.Duration) *Node {
	t.Helper()
	n := &Node{t: t, Home: t.TempDir(), ChainID: chainID,
		GRPCPort: FreePort(t), RPCPort: FreePort(t), P2PPort: FreePort(t), APIPort: FreePort(t)}
	out, err := exec.Command(Binary(t), "init", "e2e", "--home", n.Home, "--chain-id", chainID).CombinedOutput()
	if err != nil {
		t.Fatalf("petrod init: %v\n%s", err, out)
	}
	// genesis: fund the test accounts
	genPath := filepath.Join(n.Home, "config", "genesis.json")
	doc, err := cmttypes.GenesisDocFromFile(genPath)
	if err != nil {
		t.Fatal(err)
	}
	gs := &app.GenesisState{}
	if err := json.Unmarshal(doc.AppState, gs); err != nil {
		t.Fatal(err)
	}
	mutate(gs)
	if doc.AppState, err = json.Marshal(gs); err != nil {
		t.Fatal(err)
	}
	if err := doc.SaveAs(genPath); err != nil {
		t.Fatal(err)
	}
	// config: fast blocks, no empty-block gaps
	cfgPath := filepath.Join(n.Home, "config", "config.toml")
	c := cmtcfg.DefaultConfig()
	c.SetRoot(n.Home)
	c.Moniker = "e2e"
	c.DBBackend = "pebbledb"
	c.Consensus.TimeoutCommit = timeoutCommit
	c.Consensus.TimeoutPropose = time.Second
	c.P2P.AllowDuplicateIP = true
	c.P2P.AddrBookStrict = false
	c.LogLevel = "info"
	cmtcfg.WriteConfigFile(cfgPath, c)
	return n
}

func (n *Node) host() string {
	if n.Host == "" {
		return "127.0.0.1"
	}
	return n.Host
}

func (n *Node) GRPCAddr() string { return net.JoinHostPort(n.host(), strconv.Itoa(n.GRPCPort)) }
func (n *Node) RPCAddr() string {
	return "tcp://" + net.JoinHostPort(n.host(), strconv.Itoa(n.RPCPort))
}
func (n *Node) P2PAddr() string {
	return "tcp://" + net.JoinHostPort(n.host(), strconv.Itoa(n.P2PPort))
}

// APIURL is the base URL of the REST/JSON gateway and audit page.
func (n *Node) APIURL() string { return fmt.Sprintf("http://127.0.0.1:%d", n.APIPort) }

// Start runs `petrod start` for this home; its log goes to home/node.log
// (appended across restarts, printed if the test fails).
func (n *Node) Start() {
	n.t.Helper()
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.log == nil {
		f, err := os.OpenFile(filepath.Join(n.Home, "node.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			n.t.Fatal(err)
		}
		n.log = f
		n.t.Cleanup(func() {
			n.Kill()
			if n.t.Failed() {
				bz, _ := os.ReadFile(filepath.Join(n.Home, "node.log"))
				if len(bz) > 20000 {
					bz = bz[len(bz)-20000:]
				}
				n.t.Logf("--- tail of %s/node.log ---\n%s", n.Home, bz)
			}
			n.log.Close()
		})
	}
	args := []string{"start", "--home", n.Home}
	if !n.fromConfig {
		args = append(args, "--grpc.address", n.GRPCAddr(), "--rpc.laddr", n.RPCAddr(), "--p2p.laddr", n.P2PAddr(),
			"--api.address", fmt.Sprintf("127.0.0.1:%d", n.APIPort))
	}
	bin := n.Bin
	if bin == "" {
		bin = Binary(n.t)
	}
	if len(n.Launcher) > 0 {
		bin, args = n.Launcher[0], append(append([]string(nil), n.Launcher[1:]...), args...)
	}
	cmd := exec.Command(bin, args...)
	if len(n.Env) > 0 {
		cmd.Env = append(os.Environ(), n.Env...)
	}
	cmd.Stdout, cmd.Stderr = n.log, n.log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		n.t.Fatal(err)
	}
	n.cmd, n.done = cmd, make(chan struct{})
	go func(done chan struct{}) { _ = cmd.Wait(); close(done) }(n.done)
}

// Kill sends SIGKILL and waits for the process to be gone.
func (n *Node) Kill() { n.signal(syscall.SIGKILL) }

// Stop sends SIGTERM and waits for a clean exit.
func (n *Node) Stop() { n.signal(syscall.SIGTERM) }

func (n *Node) signal(sig syscall.Signal) {
	n.mu.Lock()
	cmd, done := n.cmd, n.done
	n.cmd = nil
	n.mu.Unlock()
	if cmd == nil {
		return
	}
	// The whole process group (Setpgid): a launcher's child too.
	if syscall.Kill(-cmd.Process.Pid, sig) != nil {
		_ = cmd.Process.Signal(sig)
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Process.Kill()
		<-done
	}
}

// ExitCode of the last process (after Stop/Kill).
func (n *Node) Running() bool {
	if n.container != "" {
		return containerRunning(n.container)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd == nil {
		return false
	}
	select {
	case <-n.done:
		return false
	default:
		return true
	}
}

// Conn dials the node's gRPC endpoint.
func (n *Node) Conn() *grpc.ClientConn {
	n.t.Helper()
	cc, err := grpc.NewClient(n.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		n.t.Fatal(err)
	}
	n.t.Cleanup(func() { cc.Close() })
	return cc
}

// RPC returns a CometBFT RPC client for the node.
func (n *Node) RPC() *rpchttp.HTTP {
	n.t.Helper()
	c, err := rpcClient(n)
	if err != nil {
		n.t.Fatal(err)
	}
	return c
}

// WaitReady waits until gRPC reports SERVING and a block above minHeight
// is committed, or fails after timeout.
func (n *Node) WaitReady(minHeight int64, timeout time.Duration) int64 {
	n.t.Helper()
	cc := n.Conn()
	rpc := n.RPC()
	var h int64
	err := Eventually(timeout, func() error {
		if !n.Running() {
			return errStop{fmt.Errorf("petrod exited")}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		hr, err := healthpb.NewHealthClient(cc).Check(ctx, &healthpb.HealthCheckRequest{})
		if err != nil || hr.Status != healthpb.HealthCheckResponse_SERVING {
			return fmt.Errorf("grpc not serving: %v", err)
		}
		st, err := rpc.Status(ctx)
		if err != nil {
			return err
		}
		h = st.SyncInfo.LatestBlockHeight
		if h <= minHeight {
			return fmt.Errorf("height %d ≤ %d", h, minHeight)
		}
		return nil
	})
	if err != nil {
		n.t.Fatalf("node %s not ready: %v", n.Home, err)
	}
	return h
}

type errStop struct{ error }

// Eventually polls cond with backoff until it returns nil, it returns an
// errStop, or timeout passes. It returns the last error.
func Eventually(timeout time.Duration, cond func() error) error {
	deadline := time.Now().Add(timeout)
	wait := 20 * time.Millisecond
	for {
		err := cond()
		if err == nil {
			return nil
		}
		if s, ok := err.(errStop); ok {
			return s.error
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(wait)
		wait = min(wait*2, 500*time.Millisecond)
	}
}

// Logs returns the node's log so far.
func (n *Node) Logs() []byte {
	bz, _ := os.ReadFile(filepath.Join(n.Home, "node.log"))
	return bz
}

func loadNodeKey(path string) (string, error) {
	nk, err := p2p.LoadNodeKey(path)
	if err != nil {
		return "", err
	}
	return string(nk.ID()), nil
}
