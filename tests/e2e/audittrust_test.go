package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tokentypes "github.com/petro-network/petro/x/token/types"
)

// TestAuditTrust runs a validator and an independent full node and audits
// through lying proxies: a single-source audit must print UNWITNESSED
// (exit 3), never VERIFIED; a primary that hides its newest blocks is
// refused with and without a witness; a witness that serves another
// header is reported as evidence; altered values and forged proofs fail;
// a bundle is re-verified offline after the nodes are gone.
func TestAuditTrust(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-node network")
	}
	// 1 s blocks: a full node on a loaded machine keeps up with them.
	tn := NewTestnet(t, 1, 1, time.Second)
	val, full := tn.Nodes[0], tn.Nodes[1]
	val.Start()
	full.Start()
	val.WaitReady(3, 60*time.Second)
	full.WaitReady(3, 60*time.Second)
	genesis := filepath.Join(val.Home, "config", "genesis.json")

	audit := func(env []string, args ...string) (stdout, stderr string, code int) {
		t.Helper()
		all := append(append([]string{"audit"}, args...), "--genesis", genesis)
		if !strings.Contains(strings.Join(args, " "), "--node ") {
			all = append(all, "--node", val.GRPCAddr())
		}
		cmd := exec.Command(Binary(t), all...)
		cmd.Env = append(os.Environ(), env...)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		var ee *exec.ExitError
		switch {
		case err == nil:
		case errors.As(err, &ee):
			code = ee.ExitCode()
		default:
			t.Fatal(err)
		}
		return o.String(), e.String(), code
	}
	wantCode := func(t *testing.T, what string, want int, out, errOut string, code int) {
		t.Helper()
		if code != want {
			t.Fatalf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", what, code, want, out, errOut)
		}
	}
	oneLine := func(t *testing.T, errOut string, want ...string) {
		t.Helper()
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		if len(lines) != 1 {
			t.Fatalf("want one line on stderr, got:\n%s", errOut)
		}
		for _, w := range want {
			if !strings.Contains(errOut, w) {
				t.Fatalf("stderr lacks %q:\n%s", w, errOut)
			}
		}
		t.Logf("refused: %s", errOut)
	}

	t.Run("witnessed honest audit is VERIFIED", func(t *testing.T) {
		out, errOut, code := audit(nil, "check", "--node-rpc", val.RPCAddr(), "--witness", full.RPCAddr())
		wantCode(t, "audit check", 0, out, errOut, code)
		for _, want := range []string{"VERIFIED backing at height", "trust root", "genesis.json sha256", "independent (node", "more than 1/3 of the validator power is honest"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		// The witness list can come from the environment.
		out, errOut, code = audit([]string{"PETRO_AUDIT_WITNESSES=" + full.RPCAddr()}, "check", "--node-rpc", val.RPCAddr(), "-o", "json")
		wantCode(t, "audit check (witness from env)", 0, out, errOut, code)
		var res struct {
			Verified bool `json:"verified"`
			Trust    struct {
				Result    string
				Witnesses []struct{ Independent bool }
			}
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil || !res.Verified || res.Trust.Result != "VERIFIED" || len(res.Trust.Witnesses) != 1 {
			t.Fatalf("json: %v %+v\n%s", err, res, out)
		}
	})

	t.Run("single source is UNWITNESSED", func(t *testing.T) {
		for name, extra := range map[string][]string{
			"no witness":             nil,
			"the primary as witness": {"--witness", val.RPCAddr()},
			"same node, other URL":   {"--witness", strings.Replace(val.RPCAddr(), "127.0.0.1", "localhost", 1)},
		} {
			out, errOut, code := audit(nil, append([]string{"check", "--node-rpc", val.RPCAddr()}, extra...)...)
			wantCode(t, name, 3, out, errOut, code)
			if strings.Contains(out, "VERIFIED") && !strings.Contains(out, "UNWITNESSED") || !strings.HasPrefix(out, "UNWITNESSED backing") {
				t.Fatalf("%s: printed\n%s", name, out)
			}
			if !strings.Contains(errOut, "UNWITNESSED") {
				t.Fatalf("%s: stderr %q", name, errOut)
			}
		}
	})

	t.Run("hidden blocks", func(t *testing.T) {
		frozen := val.WaitReady(3, 30*time.Second)
		proxy := startRPCProxy(t, val.RPCAddr(), freezeAt(frozen), nil)
		// Wait until the chain is well past the frozen height: more blocks
		// than --max-ahead, and the frozen header older than --max-lag.
		blk, err := val.RPC().Block(context.Background(), &frozen)
		if err != nil {
			t.Fatal(err)
		}
		if err := Eventually(60*time.Second, func() error {
			h := val.WaitReady(frozen+5, 60*time.Second)
			if h <= frozen+5 || time.Since(blk.Block.Time) < 5*time.Second {
				return fmt.Errorf("height %d", h)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		// Without a witness: the newest header is stale by the clock.
		out, errOut, code := audit(nil, "check", "--node-rpc", proxy, "--max-lag", "3s")
		wantCode(t, "stale, no witness", 1, out, errOut, code)
		oneLine(t, errOut, "stale:", fmt.Sprintf("height %d", frozen), "max lag 3s")
		// With a witness: the witness is ahead (even with a lax clock bound).
		out, errOut, code = audit(nil, "check", "--node-rpc", proxy, "--witness", full.RPCAddr(), "--max-lag", "1h", "--max-ahead", "2")
		wantCode(t, "stale, witness ahead", 1, out, errOut, code)
		oneLine(t, errOut, "stale:", "witness "+full.RPCAddr(), "ahead of the primary")
		// A report "to latest" is refused the same way.
		out, errOut, code = audit(nil, "report", "--node-rpc", proxy, "--witness", full.RPCAddr(), "--max-lag", "1h", "--max-ahead", "2")
		wantCode(t, "report to latest, witness ahead", 1, out, errOut, code)
		if !strings.Contains(errOut, "ahead of the primary") {
			t.Fatalf("report: %s", errOut)
		}
	})

	t.Run("witness serving another header is evidence", func(t *testing.T) {
		liar := startRPCProxy(t, full.RPCAddr(), nil, alterAppHash)
		out, errOut, code := audit(nil, "check", "--node-rpc", val.RPCAddr(), "--witness", liar)
		wantCode(t, "lying witness", 1, out, errOut, code)
		oneLine(t, errOut, "EVIDENCE: witness "+liar, "disagrees at height", "verified header {hash", "witness header {hash")
	})

	t.Run("altered value", func(t *testing.T) {
		proxy := startForgingProxy(t, val.GRPCAddr(), "/petro.token.v1.Query/Supply", func(bz []byte) []byte {
			r := &tokentypes.QuerySupplyResponse{}
			mustUnmarshal(t, bz, r)
			r.Amount += 5_000_000 * ptr
			return mustMarshal(t, r)
		})
		out, errOut, code := audit(nil, "check", "--node-rpc", val.RPCAddr(), "--witness", full.RPCAddr(), "--node", proxy)
		wantCode(t, "altered supply", 1, out, errOut, code)
		oneLine(t, errOut, "verification failed at height", "token supply")
	})

	t.Run("forged proof", func(t *testing.T) {
		proxy := startForgingProxy(t, val.GRPCAddr(), "/petro.token.v1.Query/Supply", func(bz []byte) []byte {
			r := &tokentypes.QuerySupplyResponse{}
			mustUnmarshal(t, bz, r)
			if p := r.Proof; p != nil && len(p.Ics23Proofs) == 1 {
				p.Ics23Proofs[0][len(p.Ics23Proofs[0])-1] ^= 0x01
			}
			return mustMarshal(t, r)
		})
		out, errOut, code := audit(nil, "check", "--node-rpc", val.RPCAddr(), "--witness", full.RPCAddr(), "--node", proxy)
		wantCode(t, "forged proof", 1, out, errOut, code)
		oneLine(t, errOut, "verification failed at height", "invalid proof")
	})
}

// rpcRewrite edits a JSON-RPC call's params in place, or answers it with
// an error message instead of forwarding it.
type rpcRewrite func(method string, params map[string]any) (errMsg string)

// freezeAt makes a node look stuck at height h: "latest" is h, and any
// later height is answered as CometBFT answers a height it does not have.
func freezeAt(h int64) rpcRewrite {
	return func(method string, params map[string]any) string {
		switch method {
		case "commit", "validators", "block", "header":
		default:
			return ""
		}
		v, ok := params["height"]
		if !ok || v == nil {
			params["height"] = strconv.FormatInt(h, 10)
			return ""
		}
		asked, _ := strconv.ParseInt(fmt.Sprint(v), 10, 64)
		if asked > h {
			return fmt.Sprintf("height %d must be less than or equal to the current blockchain height %d", asked, h)
		}
		return ""
	}
}

// alterAppHash rewrites the app hash of every header a commit response
// carries (a node serving a forged header).
func alterAppHash(method string, result map[string]any) {
	if method != "commit" {
		return
	}
	sh, _ := result["signed_header"].(map[string]any)
	hdr, _ := sh["header"].(map[string]any)
	if hdr != nil {
		hdr["app_hash"] = strings.Repeat("AB", 32)
	}
}

// startRPCProxy serves CometBFT JSON-RPC (POST) on loopback, forwarding to
// target; rewrite edits requests, alter edits results. It returns the
// proxy's address (tcp://…).
func startRPCProxy(t *testing.T, target string, rewrite rpcRewrite, alter func(method string, result map[string]any)) string {
	t.Helper()
	upstream := "http://" + strings.TrimPrefix(target, "tcp://")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int64
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		var req struct {
			JSONRPC string          `json:"jsonrpc"`
			ID      json.RawMessage `json:"id"`
			Method  string          `json:"method"`
			Params  map[string]any  `json:"params"`
		}
		if r.Method != http.MethodPost || json.Unmarshal(body, &req) != nil {
			http.Error(w, "the test proxy serves JSON-RPC POSTs only", http.StatusBadRequest)
			return
		}
		if req.Params == nil {
			req.Params = map[string]any{}
		}
		if rewrite != nil {
			if msg := rewrite(req.Method, req.Params); msg != "" {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%s,"error":{"code":-32603,"message":"Internal error","data":%q}}`, req.ID, msg)
				return
			}
		}
		fwd, _ := json.Marshal(req)
		resp, err := http.Post(upstream, "application/json", bytes.NewReader(fwd))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		if alter != nil {
			var m map[string]any
			if json.Unmarshal(out, &m) == nil {
				if res, ok := m["result"].(map[string]any); ok {
					alter(req.Method, res)
					out, _ = json.Marshal(m)
				}
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(out)
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return "tcp://" + l.Addr().String()
}
