package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/crypto"
	txtypes "github.com/petro-network/petro/types/tx"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// wasmHarness loads the Go verifier compiled to WebAssembly into V8 (Node)
// and runs petroAudit(CFG): it prints "RESULT <json>" or "ERROR <reason>".
const wasmHarness = `
globalThis.fs = require("fs");
require(process.env.WASM_EXEC);
const go = new Go();
WebAssembly.instantiate(fs.readFileSync(process.env.WASM), go.importObject).then(r => {
  go.run(r.instance);
  return petroAudit(process.env.CFG);
}).then(res => { console.log("RESULT " + res); process.exit(0); },
        err => { console.log("ERROR " + (err && err.message)); process.exit(1); });
`

// TestAuditWasm builds the in-browser verifier (client/browser/wasm) for
// js/wasm and runs it in V8 against a real node's REST gateway and
// CometBFT RPC: honest, it returns the proven figures; through a proxy
// that alters the supply in the REST answer, or serves a header with a
// forged app hash, it fails naming the lie. (Headless Chromium is not on
// every machine; Node runs the same wasm on the same V8.)
func TestAuditWasm(t *testing.T) {
	if testing.Short() {
		t.Skip("node test")
	}
	nodeJS, err := exec.LookPath("node")
	if err != nil {
		t.Skip("no node (V8) to run the wasm verifier")
	}
	dir := t.TempDir()
	wasm := filepath.Join(dir, "petro-audit.wasm")
	build := exec.Command("go", "build", "-tags", "force32bit", "-o", wasm, "./client/browser/wasm")
	build.Dir = filepath.Join("..", "..")
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build wasm: %v\n%s", err, out)
	}
	harness := filepath.Join(dir, "harness.js")
	if err := os.WriteFile(harness, []byte(wasmHarness), 0o644); err != nil {
		t.Fatal(err)
	}

	// A settled round (status OK) and a redemption request, for the page.
	holder := Key(t, 620)
	oracles := []*crypto.PrivKey{Key(t, 621), Key(t, 622)}
	n := NewSingleNodeWith(t, e2eChainID, func(gs *app.GenesisState) {
		gs.Token.Balances = append(gs.Token.Balances, &tokentypes.Balance{Address: holder.PubKey().Address().String(), Amount: 5 * ptr})
		for _, k := range oracles {
			addr := k.PubKey().Address().String()
			gs.Token.Balances = append(gs.Token.Balances, &tokentypes.Balance{Address: addr, Amount: ptr})
			gs.Authority.Roles = append(gs.Authority.Roles, &authoritytypes.RoleGrant{Address: addr, Role: authoritytypes.Role_ROLE_ORACLE})
		}
		gs.Reserve.Params.Quorum = 2
		gs.Reserve.Params.MaxAgeSeconds = 3600
		cert := sha256.Sum256([]byte("cert"))
		gs.Reserve.Lots = []*reservetypes.Lot{{Id: "ayacucho-1", Field: "ayacucho-1", Category: reservetypes.LotCategory_LOT_CATEGORY_CERTIFIED_IN_GROUND,
			Certifier: "test", CertificateHash: cert[:], ValidUntilUnix: time.Now().Add(24 * time.Hour).Unix()}}
	}, 200*time.Millisecond)
	n.Start()
	n.WaitReady(1, 60*time.Second)
	cc := n.Conn()
	rq := reservetypes.NewQueryClient(cc)
	open, err := rq.OpenRound(context.Background(), &reservetypes.QueryOpenRoundRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range oracles {
		w := wallet{t: t, key: o, chainID: e2eChainID, cc: cc}
		w.ok("attest", attestMsg(w.addr(), open.RoundId, 1000*barrel, 70*ptr))
	}
	instr := sha256.Sum256([]byte("tank 9"))
	r := (wallet{t: t, key: holder, chainID: e2eChainID, cc: cc}).ok("redeem", &txtypes.Msg{Sum: &txtypes.Msg_RequestRedemption{
		RequestRedemption: &tokentypes.MsgRequestRedemption{Owner: holder.PubKey().Address().String(), Amount: 2 * ptr, SettlementInstructionHash: instr[:]}}})
	n.WaitReady(r.Height+1, 30*time.Second)
	one := int64(1)
	blk, err := n.RPC().Block(context.Background(), &one)
	if err != nil {
		t.Fatal(err)
	}
	rpcURL := fmt.Sprintf("http://127.0.0.1:%d", n.RPCPort)

	run := func(rest, rpc string, witnesses ...string) (string, error) {
		t.Helper()
		cfg, _ := json.Marshal(map[string]any{"rest": rest, "rpc": rpc, "chain_id": e2eChainID,
			"trust_height": 1, "trust_hash": blk.Block.Hash().String(), "max_lag_seconds": 600, "witnesses": witnesses})
		cmd := exec.Command(nodeJS, harness)
		// Go's js/wasm net/http uses fetch unless argv0 says "node".
		cmd.Args[0] = "v8-petro-audit"
		cmd.Env = append(os.Environ(), "WASM="+wasm, "CFG="+string(cfg),
			"WASM_EXEC="+filepath.Join(goRoot(t), "lib", "wasm", "wasm_exec.js"))
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}

	// Honest: the figures are the chain's.
	out, err := run(n.APIURL(), rpcURL)
	if err != nil || !strings.HasPrefix(out, "RESULT ") {
		t.Fatalf("honest node: %v\n%s", err, out)
	}
	var res struct {
		Height     int64  `json:"height"`
		Supply     uint64 `json:"supply"`
		Status     string `json:"status"`
		HeaderHash string `json:"header_hash"`
	}
	if err := json.Unmarshal([]byte(strings.TrimPrefix(out, "RESULT ")), &res); err != nil {
		t.Fatal(err)
	}
	sup, err := tokentypes.NewQueryClient(n.Conn()).Supply(context.Background(), &tokentypes.QuerySupplyRequest{Height: res.Height})
	if err != nil || res.Supply != sup.Amount || res.HeaderHash == "" || res.Status != "OK" {
		t.Fatalf("wasm result %+v, chain supply %v (%v)", res, sup, err)
	}
	t.Logf("wasm verified: %s", out)

	// The same node as witness confirms nothing; a witness serving another
	// header is evidence.
	out, err = run(n.APIURL(), rpcURL, strings.Replace(rpcURL, "127.0.0.1", "localhost", 1))
	if err != nil || !strings.Contains(out, `"witnessed":false`) || !strings.Contains(out, "UNWITNESSED") {
		t.Fatalf("same node as witness: %v\n%s", err, out)
	}
	out, err = run(n.APIURL(), rpcURL, startRPCProxyGET(t, rpcURL))
	if err == nil || !strings.Contains(out, "ERROR EVIDENCE: witness") || !strings.Contains(out, "disagrees at height") {
		t.Fatalf("lying witness: %v\n%s", err, out)
	}
	t.Logf("lying witness: %s", out)

	// A REST gateway that inflates the supply is caught.
	liar := startRESTProxy(t, n.APIURL(), "/petro/token/v1/supply", func(m map[string]any) {
		a, _ := strconv.ParseUint(fmt.Sprint(m["amount"]), 10, 64)
		m["amount"] = strconv.FormatUint(a+1000*ptr, 10)
	})
	out, err = run(liar, rpcURL)
	if err == nil || !strings.Contains(out, "ERROR verification failed at height") || !strings.Contains(out, "token supply") {
		t.Fatalf("lying REST: %v\n%s", err, out)
	}
	t.Logf("lying REST: %s", out)

	// An RPC serving a forged header is caught.
	forged := startRPCProxyGET(t, rpcURL)
	out, err = run(n.APIURL(), forged)
	if err == nil || !strings.HasPrefix(out, "ERROR ") {
		t.Fatalf("forged header: %v\n%s", err, out)
	}
	t.Logf("forged header: %s", out)

	// The standalone page in headless Chromium, served from the test's own
	// origin (the auditor's copy, not the node's), which also forwards
	// /rest/ and /rpc/ to the node, honestly or lying.
	t.Run("page in chromium", func(t *testing.T) {
		chrome := chromiumPath(t)
		pageDir := filepath.Join("..", "..", "client", "browser", "page")
		wasmExec := filepath.Join(goRoot(t), "lib", "wasm", "wasm_exec.js")
		origin := func(lie bool) string {
			mux := http.NewServeMux()
			mux.HandleFunc("/petro-audit.wasm", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/wasm")
				http.ServeFile(w, r, wasm)
			})
			mux.HandleFunc("/wasm_exec.js", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, wasmExec) })
			mux.Handle("/", http.FileServer(http.Dir(pageDir)))
			restURL, _ := url.Parse(n.APIURL())
			rest := httputil.NewSingleHostReverseProxy(restURL)
			if lie {
				rest.ModifyResponse = func(r *http.Response) error {
					if r.Request.URL.Path != "/petro/token/v1/supply" {
						return nil
					}
					bz, _ := io.ReadAll(r.Body)
					r.Body.Close()
					var m map[string]any
					if json.Unmarshal(bz, &m) == nil {
						a, _ := strconv.ParseUint(fmt.Sprint(m["amount"]), 10, 64)
						m["amount"] = strconv.FormatUint(a+1000*ptr, 10)
						bz, _ = json.Marshal(m)
					}
					r.Body = io.NopCloser(bytes.NewReader(bz))
					r.ContentLength = int64(len(bz))
					r.Header.Set("Content-Length", strconv.Itoa(len(bz)))
					return nil
				}
			}
			mux.Handle("/rest/", http.StripPrefix("/rest", rest))
			rpcU, _ := url.Parse(rpcURL)
			mux.Handle("/rpc/", http.StripPrefix("/rpc", httputil.NewSingleHostReverseProxy(rpcU)))
			return serveLoopback(t, mux)
		}
		page := func(base string) string {
			q := url.Values{"rest": {base + "/rest"}, "rpc": {base + "/rpc"}, "chain_id": {e2eChainID}, "trust_height": {"1"},
				"trust_hash": {blk.Block.Hash().String()}, "max_lag_seconds": {"600"}, "auto": {"1"}}
			for attempt := 0; ; attempt++ {
				dom := runChromium(t, chrome, "--virtual-time-budget=60000", "--dump-dom", base+"/index.html?"+q.Encode())
				if strings.Contains(dom, `data-result=`) || attempt == 2 {
					return dom
				}
			}
		}
		dom := page(origin(false))
		if !strings.Contains(dom, `data-result="verified"`) {
			t.Fatalf("honest node: the page did not verify:\n%s", dom)
		}
		wantSupply := ">" + strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%d.%08d", res.Supply/ptr, res.Supply%ptr), "0"), ".") + "<"
		for _, want := range []string{wantSupply, "reported by node, not verified", `class="badge verified">VERIFIED`,
			`<td id="status">OK</td>`, "<td>REQUESTED</td>", `class="point"`, "<td>1000</td><td>70</td>", `class="badge failed">UNWITNESSED`} {
			if !strings.Contains(dom, want) {
				t.Errorf("verified page lacks %q", want)
			}
		}
		dom = page(origin(true))
		if !strings.Contains(dom, `data-result="failed"`) || !strings.Contains(dom, "verification failed at height") {
			t.Fatalf("lying node: the page did not show the failure:\n%s", dom)
		}
		if strings.Contains(dom, `<div id="figures">`) {
			t.Fatalf("lying node: the page shows figures:\n%s", dom)
		}
	})
}

// startRESTProxy forwards to target, rewriting the JSON answers of path.
func startRESTProxy(t *testing.T, target, path string, alter func(map[string]any)) string {
	t.Helper()
	u, _ := url.Parse(target)
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(r *http.Response) error {
		if r.Request.URL.Path != path {
			return nil
		}
		bz, _ := io.ReadAll(r.Body)
		r.Body.Close()
		var m map[string]any
		if json.Unmarshal(bz, &m) == nil {
			alter(m)
			bz, _ = json.Marshal(m)
		}
		r.Body = io.NopCloser(bytes.NewReader(bz))
		r.ContentLength = int64(len(bz))
		r.Header.Set("Content-Length", strconv.Itoa(len(bz)))
		return nil
	}
	return serveLoopback(t, rp)
}

// startRPCProxyGET forwards CometBFT URI-form RPC, replacing the app hash
// of every header in a /commit answer.
func startRPCProxyGET(t *testing.T, target string) string {
	t.Helper()
	u, _ := url.Parse(target)
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(r *http.Response) error {
		if r.Request.URL.Path != "/commit" {
			return nil
		}
		bz, _ := io.ReadAll(r.Body)
		r.Body.Close()
		var m map[string]any
		if json.Unmarshal(bz, &m) == nil {
			if res, ok := m["result"].(map[string]any); ok {
				alterAppHash("commit", res)
			}
			bz, _ = json.Marshal(m)
		}
		r.Body = io.NopCloser(bytes.NewReader(bz))
		r.ContentLength = int64(len(bz))
		r.Header.Set("Content-Length", strconv.Itoa(len(bz)))
		return nil
	}
	return serveLoopback(t, rp)
}

func serveLoopback(t *testing.T, h http.Handler) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return "http://" + l.Addr().String()
}

// goRoot is the GOROOT of the go command running the tests.
func goRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command(goTool(), "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	return strings.TrimSpace(string(out))
}
