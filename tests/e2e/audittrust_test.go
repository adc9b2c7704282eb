package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
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

	"github.com/petro-network/petro/client/light"
	txtypes "github.com/petro-network/petro/types/tx"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// TestAuditTrust runs a validator and an independent full node and audits
// through lying proxies: a single-source audit must print UNWITNESSED
// (exit 5), never VERIFIED; a primary that hides its newest blocks is
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

	// One settled round (the testnet's quorum is 2), for the bundle's report.
	cc := val.Conn()
	rq := reservetypes.NewQueryClient(cc)
	open, err := rq.OpenRound(context.Background(), &reservetypes.QueryOpenRoundRequest{})
	if err != nil {
		t.Fatal(err)
	}
	lots, err := rq.Lots(context.Background(), &reservetypes.QueryLotsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"oracle0", "oracle1"} {
		w := wallet{t: t, key: tn.Key(t, name), chainID: tn.Manifest.ChainID, cc: cc}
		m := attestMsg(w.addr(), open.RoundId, 1000*barrel, 70*ptr)
		m.GetAttest().Lots = nil
		for _, l := range lots.Lots {
			m.GetAttest().Lots = append(m.GetAttest().Lots, &reservetypes.LotReport{LotId: l.Id, Barrels: 3_000_000 * barrel})
		}
		w.ok("attest", m)
	}
	if err := Eventually(30*time.Second, func() error {
		r, err := rq.OpenRound(context.Background(), &reservetypes.QueryOpenRoundRequest{})
		if err != nil || r.RoundId == open.RoundId {
			return fmt.Errorf("round %d not settled (%v)", open.RoundId, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// An issue and a redemption request, for the ledger and balance audits.
	holder := Key(t, 610)
	holderAddr := holder.PubKey().Address().String()
	issuer := wallet{t: t, key: tn.Key(t, "issuer"), chainID: tn.Manifest.ChainID, cc: cc}
	issued := issuer.ok("issue", &txtypes.Msg{Sum: &txtypes.Msg_Issue{Issue: &tokentypes.MsgIssue{Issuer: issuer.addr(), Recipient: holderAddr, Amount: 1000 * ptr}}})
	instr := sha256.Sum256([]byte("tank 7"))
	(wallet{t: t, key: holder, chainID: tn.Manifest.ChainID, cc: cc}).ok("redeem", &txtypes.Msg{Sum: &txtypes.Msg_RequestRedemption{
		RequestRedemption: &tokentypes.MsgRequestRedemption{Owner: holderAddr, Amount: 10 * ptr, SettlementInstructionHash: instr[:]}}})
	issueHeight := issued.Height

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
		out, errOut, code = audit([]string{"PETRO_WITNESS=" + full.RPCAddr()}, "check", "--node-rpc", val.RPCAddr(), "-o", "json")
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
			wantCode(t, name, 5, out, errOut, code)
			if strings.Contains(out, "VERIFIED") || !strings.HasPrefix(out, "UNWITNESSED backing") {
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
			// The witness (the full node) must be past it too, not only the validator.
			h := full.WaitReady(frozen+5, 60*time.Second)
			if h <= frozen+5 || time.Now().Before(blk.Block.Time.Add(5*time.Second)) { // a precondition, not a speed check
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

	t.Run("altered oracle counter", func(t *testing.T) {
		out, errOut, code := audit(nil, "check", "--node-rpc", val.RPCAddr(), "--witness", full.RPCAddr())
		wantCode(t, "audit check", 0, out, errOut, code)
		if want := "oracle " + tn.Key(t, "oracle0").PubKey().Address().String(); !strings.Contains(out, want) || !strings.Contains(out, "1 reports, 0 misses") {
			t.Fatalf("check output lacks %q with its counters:\n%s", want, out)
		}
		proxy := startForgingProxy(t, val.GRPCAddr(), "/petro.reserve.v1.Query/Oracles", func(bz []byte) []byte {
			r := &reservetypes.QueryOraclesResponse{}
			mustUnmarshal(t, bz, r)
			r.Oracles[0].Misses = 99
			return mustMarshal(t, r)
		})
		out, errOut, code = audit(nil, "check", "--node-rpc", val.RPCAddr(), "--witness", full.RPCAddr(), "--node", proxy)
		wantCode(t, "altered oracle", 1, out, errOut, code)
		oneLine(t, errOut, "verification failed at height", "misses 99")
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

	t.Run("balance", func(t *testing.T) {
		out, errOut, code := audit(nil, "balance", holderAddr, "--node-rpc", val.RPCAddr(), "--witness", full.RPCAddr())
		wantCode(t, "audit balance", 0, out, errOut, code)
		if !strings.HasPrefix(out, "VERIFIED balance of "+holderAddr) || !strings.Contains(out, ": 990 PTR") {
			t.Fatalf("audit balance:\n%s", out)
		}
		proxy := startForgingProxy(t, val.GRPCAddr(), "/petro.token.v1.Query/Balance", func(bz []byte) []byte {
			r := &tokentypes.QueryBalanceResponse{}
			mustUnmarshal(t, bz, r)
			r.Balance.Amount += 1000 * ptr
			return mustMarshal(t, r)
		})
		out, errOut, code = audit(nil, "balance", holderAddr, "--node-rpc", val.RPCAddr(), "--witness", full.RPCAddr(), "--node", proxy)
		wantCode(t, "forged balance", 1, out, errOut, code)
		oneLine(t, errOut, "verification failed at height", "balance of "+holderAddr)
	})

	t.Run("ledger", func(t *testing.T) {
		out, errOut, code := audit(nil, "ledger", "--from", "2", "--format", "csv", "--node-rpc", val.RPCAddr(), "--witness", full.RPCAddr())
		wantCode(t, "audit ledger", 0, out, errOut, code)
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil || len(recs) != 2 {
			t.Fatalf("ledger csv (%v):\n%s", err, out)
		}
		if r := recs[1]; r[0] != strconv.FormatInt(issueHeight, 10) || r[1] != "issue" || r[2] != "1000" || r[3] != "0" {
			t.Fatalf("ledger row %q, want the issue at height %d", r, issueHeight)
		}
		out, errOut, code = audit(nil, "ledger", "--from", "2", "--node-rpc", val.RPCAddr(), "--witness", full.RPCAddr())
		wantCode(t, "audit ledger (text)", 0, out, errOut, code)
		if !strings.Contains(out, "VERIFIED issuance and burn ledger") || !strings.Contains(out, "REDEMPTION_STATUS_REQUESTED") {
			t.Fatalf("ledger:\n%s", out)
		}
		// A node hiding the issue (totals at the issue height as before) is caught.
		proxy := startForgingProxy(t, val.GRPCAddr(), "/petro.token.v1.Query/Totals", func(bz []byte) []byte {
			r := &tokentypes.QueryTotalsResponse{}
			mustUnmarshal(t, bz, r)
			if r.Height >= issueHeight {
				r.Totals.Issued -= 1000 * ptr
			}
			return mustMarshal(t, r)
		})
		out, errOut, code = audit(nil, "ledger", "--from", "2", "--node-rpc", val.RPCAddr(), "--witness", full.RPCAddr(), "--node", proxy)
		wantCode(t, "ledger with hidden issue", 1, out, errOut, code)
		oneLine(t, errOut, "verification failed at height", "totals")
	})

	t.Run("bundle re-verified offline", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "audit.bundle")
		out, errOut, code := audit(nil, "bundle", "--out", path, "--node-rpc", val.RPCAddr(), "--witness", full.RPCAddr())
		wantCode(t, "audit bundle", 0, out, errOut, code)
		t.Logf("bundle:\n%s", out)
		// The nodes are gone: verify-bundle needs none.
		val.Kill()
		full.Kill()
		cmd := exec.Command(Binary(t), "audit", "verify-bundle", path)
		vout, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("verify-bundle: %v\n%s", err, vout)
		}
		for _, want := range []string{"OFFLINE RE-VERIFIED bundle", "VERIFIED backing at height", "lot ayacucho-1", "3000000 bbl", "round_id,settled_height"} {
			if !strings.Contains(string(vout), want) {
				t.Errorf("verify-bundle output lacks %q:\n%s", want, vout)
			}
		}
		bz, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if _, figs, err := light.VerifyBundle(ctx, bz); err != nil || len(figs.Rounds) != 1 {
			t.Fatalf("VerifyBundle: %v", err)
		}
		// A flipped byte anywhere is detected: ~400 offsets spread over the
		// file, and its first and last bytes.
		step := len(bz)/400 + 1
		flipped := 0
		for off := 0; off < len(bz); off += step {
			for _, o := range []int{off, len(bz) - 1} {
				mod := append([]byte(nil), bz...)
				mod[o] ^= 0x01
				if _, _, err := light.VerifyBundle(ctx, mod); err == nil {
					t.Fatalf("a flipped bit at offset %d of %d went unnoticed", o, len(bz))
				}
				flipped++
			}
		}
		// A forger who also rewrites the digest is caught by the proofs and
		// signatures: a changed figure, node answer or header.
		b, err := light.DecodeBundle(bz)
		if err != nil {
			t.Fatal(err)
		}
		for name, forge := range map[string]func(b *light.Bundle){
			"figure": func(b *light.Bundle) {
				b.Figures = bytes.Replace(b.Figures, []byte(`"Supply":`), []byte(`"Supply":1`), 1)
			},
			"node answer": func(b *light.Bundle) {
				for i, e := range b.Exchanges {
					if e.Method == "/petro.token.v1.Query/Supply" {
						r := &tokentypes.QuerySupplyResponse{}
						mustUnmarshal(t, e.Response, r)
						r.Amount += 5_000_000 * ptr
						b.Exchanges[i].Response = mustMarshal(t, r)
					}
				}
			},
			"header": func(b *light.Bundle) {
				last := b.LightBlocks[len(b.LightBlocks)-1]
				last[len(last)/2] ^= 0x01
			},
		} {
			fb, err := light.DecodeBundle(bz)
			if err != nil {
				t.Fatal(err)
			}
			forge(fb)
			enc, err := fb.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := light.VerifyBundle(ctx, enc); err == nil {
				t.Fatalf("a forged %s with a recomputed digest verified", name)
			} else {
				t.Logf("forged %s: %v", name, err)
			}
		}
		t.Logf("%d flipped bytes detected in a %d-byte bundle of %d headers and %d node answers", flipped, len(bz), len(b.LightBlocks), len(b.Exchanges))
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
