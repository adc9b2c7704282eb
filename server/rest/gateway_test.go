package rest

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cometbft/cometbft/libs/log"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	txtypes "github.com/petro-network/petro/types/tx"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// fakeToken echoes requests back so the tests see what the gateway decoded.
type fakeToken struct {
	tokentypes.UnimplementedQueryServer
}

func (fakeToken) Redemptions(_ context.Context, r *tokentypes.QueryRedemptionsRequest) (*tokentypes.QueryRedemptionsResponse, error) {
	return &tokentypes.QueryRedemptionsResponse{
		Redemptions: []*tokentypes.Redemption{{Id: uint64(r.GetPagination().GetLimit()), Owner: r.Owner, Status: r.Status}},
		Pagination:  &tokentypes.PageResponse{NextKey: r.GetPagination().GetKey()},
		Height:      r.Height,
	}, nil
}

func (fakeToken) Supply(_ context.Context, r *tokentypes.QuerySupplyRequest) (*tokentypes.QuerySupplyResponse, error) {
	if r.Height > 100 {
		return nil, status.Errorf(codes.NotFound, "height %d: not found", r.Height)
	}
	if r.Height < 0 {
		panic("boom")
	}
	return &tokentypes.QuerySupplyResponse{Amount: 18446744073709551615, Height: r.Height}, nil
}

type fakeTx struct {
	txtypes.UnimplementedTxServiceServer
}

func (fakeTx) Broadcast(_ context.Context, r *txtypes.BroadcastRequest) (*txtypes.BroadcastResponse, error) {
	return &txtypes.BroadcastResponse{TxHash: string(r.TxBytes), Code: uint32(r.Mode)}, nil
}

func newTestServer(t *testing.T) (*httptest.Server, *Server) {
	t.Helper()
	return newTestServerWith(t, DefaultConfig())
}

func newTestServerWith(t *testing.T, cfg Config) (*httptest.Server, *Server) {
	t.Helper()
	gs := grpc.NewServer(grpc.ChainUnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (resp any, err error) {
		defer func() {
			if recover() != nil {
				resp, err = nil, status.Error(codes.Internal, "internal error")
			}
		}()
		return h(ctx, req)
	}))
	tokentypes.RegisterQueryServer(gs, fakeToken{})
	txtypes.RegisterTxServiceServer(gs, fakeTx{})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = gs.Serve(lis) }()
	t.Cleanup(gs.Stop)
	var names []string
	for n := range gs.GetServiceInfo() {
		names = append(names, n)
	}
	names = append(names, "grpc.health.v1.Health") // skipped: not petro.*
	s, err := Dial(cfg, lis.Addr().String(), names, log.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(func() { hs.Close(); s.Stop(0) })
	return hs, s
}

func get(t *testing.T, method, u, body string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	bz, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, bz
}

func TestSnake(t *testing.T) {
	for in, want := range map[string]string{
		"Supply": "supply", "AllBalances": "all_balances", "GetTx": "get_tx", "LatestRound": "latest_round",
		"OpenRound": "open_round", "TxService": "tx_service", "RedemptionStatus": "redemption_status",
	} {
		if got := snake(in); got != want {
			t.Errorf("snake(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestRoutes(t *testing.T) {
	_, s := newTestServer(t)
	paths := map[string]*Route{}
	for _, r := range s.Routes() {
		paths[r.Path] = r
	}
	for _, p := range []string{"/petro/token/v1/supply", "/petro/token/v1/all_balances", "/petro/token/v1/redemptions", "/petro/tx/v1/broadcast", "/petro/tx/v1/get_tx"} {
		if paths[p] == nil {
			t.Errorf("no route %s", p)
		}
	}
	if want := rpcCount(t); len(paths) != want {
		t.Errorf("%d routes, want %d", len(paths), want)
	}
	if m := paths["/petro/tx/v1/broadcast"].Methods; len(m) != 1 || m[0] != "POST" {
		t.Errorf("broadcast methods %v", m)
	}
	if m := paths["/petro/tx/v1/get_tx"].Methods; len(m) != 2 {
		t.Errorf("get_tx methods %v", m)
	}
	want := "owner status pagination.key pagination.limit height"
	if got := strings.Join(paths["/petro/token/v1/redemptions"].Params, " "); !strings.HasPrefix(got, want) {
		t.Errorf("params %q, want %q…", got, want)
	}
}

func TestGatewayDecodesParameters(t *testing.T) {
	hs, _ := newTestServer(t)
	for _, q := range []string{
		"owner=petro1abc&status=ACCEPTED&pagination.limit=7&pagination.key=+/8=&height=42",
		"owner=petro1abc&status=redemption_status_accepted&pagination.limit=7&pagination.key=-_8&height=42",
		"owner=petro1abc&status=2&pagination.limit=7&pagination.key=%2B%2F8%3D&height=42",
	} {
		code, hd, body := get(t, "GET", hs.URL+"/petro/token/v1/redemptions?"+q, "")
		if code != 200 || hd.Get("Content-Type") != "application/json" {
			t.Fatalf("%s: %d %s", q, code, body)
		}
		var r tokentypes.QueryRedemptionsResponse
		if err := protojson.Unmarshal(body, &r); err != nil {
			t.Fatal(err)
		}
		x := r.Redemptions[0]
		if x.Owner != "petro1abc" || x.Status != tokentypes.RedemptionStatus_REDEMPTION_STATUS_ACCEPTED || x.Id != 7 || r.Height != 42 ||
			string(r.Pagination.NextKey) != "\xfb\xff" {
			t.Errorf("%s decoded as %v", q, &r)
		}
		// proto names, enum names, 64-bit integers as strings, zero values present
		for _, frag := range []string{`"next_key":"+/8="`, `"status":"REDEMPTION_STATUS_ACCEPTED"`, `"height":"42"`, `"proof_hash":""`, `"closed_height":"0"`} {
			if !strings.Contains(strings.ReplaceAll(string(body), " ", ""), frag) {
				t.Errorf("answer lacks %s: %s", frag, body)
			}
		}
	}
	// uint64 max survives as a string
	_, _, body := get(t, "GET", hs.URL+"/petro/token/v1/supply", "")
	if !strings.Contains(string(body), `"18446744073709551615"`) {
		t.Errorf("supply: %s", body)
	}
}

func TestGatewayPOST(t *testing.T) {
	hs, _ := newTestServer(t)
	code, _, body := get(t, "POST", hs.URL+"/petro/tx/v1/broadcast", `{"tx_bytes": "aGVsbG8=", "mode": "BROADCAST_MODE_COMMIT"}`)
	if code != 200 || !strings.Contains(string(body), `"tx_hash":"hello"`) || !strings.Contains(string(body), `"code":2`) {
		t.Errorf("broadcast: %d %s", code, body)
	}
	code, _, body = get(t, "POST", hs.URL+"/petro/token/v1/supply?height=5", ``)
	if code != 200 || !strings.Contains(string(body), `"height":"5"`) {
		t.Errorf("POST with URL parameters: %d %s", code, body)
	}
}

func TestGatewayErrors(t *testing.T) {
	hs, _ := newTestServer(t)
	for _, c := range []struct {
		method, path, body string
		http               int
		code               codes.Code
	}{
		{"GET", "/petro/token/v1/supply?height=101", "", 404, codes.NotFound},
		{"GET", "/petro/token/v1/supply?height=-1", "", 500, codes.Internal},
		{"GET", "/petro/token/v1/supply?height=x", "", 400, codes.InvalidArgument},
		{"GET", "/petro/token/v1/supply?nope=1", "", 400, codes.InvalidArgument},
		{"GET", "/petro/token/v1/supply?height=1&height=2", "", 400, codes.InvalidArgument},
		{"GET", "/petro/token/v1/supply?height=%zz", "", 400, codes.InvalidArgument},
		{"GET", "/petro/token/v1/redemptions?status=LOST", "", 400, codes.InvalidArgument},
		{"GET", "/petro/token/v1/redemptions?status=9", "", 400, codes.InvalidArgument},
		{"GET", "/petro/token/v1/redemptions?pagination=1", "", 400, codes.InvalidArgument},
		{"GET", "/petro/token/v1/redemptions?pagination.key=***", "", 400, codes.InvalidArgument},
		{"GET", "/petro/token/v1/balance", "", 501, codes.Unimplemented},
		{"GET", "/petro/token/v1/nothing", "", 404, codes.NotFound},
		{"GET", "/petro/tx/v1/broadcast", "", 405, codes.Unimplemented},
		{"PUT", "/petro/token/v1/supply", "", 405, codes.Unimplemented},
		{"POST", "/petro/token/v1/supply", "{bad json", 400, codes.InvalidArgument},
		{"POST", "/petro/token/v1/supply", `{"unknown": 1}`, 400, codes.InvalidArgument},
		{"GET", "/favicon.ico", "", 404, codes.NotFound},
	} {
		code, hd, body := get(t, c.method, hs.URL+c.path, c.body)
		var e map[string]any
		if err := json.Unmarshal(body, &e); err != nil || code != c.http || e["code"] != float64(c.code) || e["message"] == "" || len(e) != 2 ||
			hd.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s: %d %s; want HTTP %d code %d", c.method, c.path, code, body, c.http, c.code)
		}
		if c.http == 405 && hd.Get("Allow") == "" {
			t.Errorf("%s %s: no Allow header", c.method, c.path)
		}
	}
}

func TestPageAndIndex(t *testing.T) {
	hs, _ := newTestServer(t)
	for path, ctype := range map[string]string{
		"/": "text/html; charset=utf-8", "/audit": "text/html; charset=utf-8", "/audit/": "text/html; charset=utf-8",
		"/audit/audit.js": "text/javascript; charset=utf-8", "/audit/audit.css": "text/css; charset=utf-8",
	} {
		code, hd, body := get(t, "GET", hs.URL+path, "")
		if code != 200 || hd.Get("Content-Type") != ctype || len(body) < 100 {
			t.Errorf("GET %s: %d %s", path, code, hd.Get("Content-Type"))
		}
		if !strings.Contains(hd.Get("Content-Security-Policy"), "default-src 'self'") || hd.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: security headers %v", path, hd)
		}
	}
	_, _, page := get(t, "GET", hs.URL+"/", "")
	for _, id := range []string{`id="status"`, `id="coverage-chart"`, `<table id="rounds"`, `<table id="oracles"`, `<table id="redemptions"`} {
		if !strings.Contains(string(page), id) {
			t.Errorf("page lacks %s", id)
		}
	}
	// Nothing from elsewhere: no CDN, no inline script.
	if strings.Contains(string(page), "http://") || strings.Contains(string(page), "https://") || strings.Contains(string(page), "<script>") {
		t.Error("page loads or inlines something it should not")
	}
	code, _, body := get(t, "GET", hs.URL+"/petro", "")
	var idx struct {
		Routes []Route `json:"routes"`
	}
	if err := json.Unmarshal(body, &idx); err != nil || code != 200 || len(idx.Routes) != rpcCount(t) {
		t.Errorf("GET /petro: %d %s", code, body)
	}
}

// rpcCount is the number of unary RPCs of the two services the tests register.
func rpcCount(t *testing.T) int {
	n := 0
	for _, name := range []string{"petro.token.v1.Query", "petro.tx.v1.TxService"} {
		d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(name))
		if err != nil {
			t.Fatal(err)
		}
		ms := d.(protoreflect.ServiceDescriptor).Methods()
		for i := 0; i < ms.Len(); i++ {
			if !ms.Get(i).IsStreamingServer() && !ms.Get(i).IsStreamingClient() { // streams have no URL
				n++
			}
		}
	}
	return n
}

func TestLoopback(t *testing.T) {
	for in, want := range map[string]string{
		"0.0.0.0:9090": "127.0.0.1:9090", "[::]:9090": "[::1]:9090", ":9090": "127.0.0.1:9090",
		"10.0.0.5:9090": "10.0.0.5:9090", "localhost:9090": "localhost:9090",
	} {
		if got := loopback(in); got != want {
			t.Errorf("loopback(%s) = %s, want %s", in, got, want)
		}
	}
}
