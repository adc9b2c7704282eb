package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/crypto"
	txtypes "github.com/petro-network/petro/types/tx"
	authtypes "github.com/petro-network/petro/x/auth/types"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// TestAuditPage runs a node with a reserve history, then checks the REST/
// JSON gateway against gRPC (same height, same answers) and loads the
// audit page in headless Chromium: the status badge, one chart point per
// settled round and the rounds, oracles and redemptions tables must show
// the chain's figures.
//
// Without /usr/bin/chromium the browser part is skipped, unless CI is set:
// there it fails (.ci/run installs Debian's chromium package).
func TestAuditPage(t *testing.T) {
	if testing.Short() {
		t.Skip("node test")
	}
	oracles := []*crypto.PrivKey{Key(t, 500), Key(t, 501), Key(t, 502), Key(t, 503)}
	issuerKey, holderKey := Key(t, 504), Key(t, 505)
	n := NewSingleNodeWith(t, e2eChainID, func(gs *app.GenesisState) {
		gs.Token.Balances = append(gs.Token.Balances, &tokentypes.Balance{Address: holderKey.PubKey().Address().String(), Amount: 250 * ptr})
		for _, k := range append(oracles, issuerKey) {
			gs.Token.Balances = append(gs.Token.Balances, &tokentypes.Balance{Address: k.PubKey().Address().String(), Amount: ptr})
		}
		for _, k := range oracles {
			gs.Authority.Roles = append(gs.Authority.Roles, &authoritytypes.RoleGrant{Address: k.PubKey().Address().String(), Role: authoritytypes.Role_ROLE_ORACLE})
		}
		gs.Authority.Roles = append(gs.Authority.Roles, &authoritytypes.RoleGrant{Address: issuerKey.PubKey().Address().String(), Role: authoritytypes.Role_ROLE_ISSUER, Allowance: 1_000_000 * ptr})
		gs.Reserve.Params.Quorum = 3
		gs.Reserve.Params.MaxAgeSeconds = 3600
		cert := sha256.Sum256([]byte("cert"))
		gs.Reserve.Lots = []*reservetypes.Lot{{Id: "ayacucho-1", Field: "ayacucho-1", Category: reservetypes.LotCategory_LOT_CATEGORY_CERTIFIED_IN_GROUND,
			Certifier: "Ryder Scott", CertificateHash: cert[:], ValidUntilUnix: time.Now().Add(365 * 24 * time.Hour).Unix()}}
	}, 200*time.Millisecond)
	n.Start()
	n.WaitReady(1, 60*time.Second)
	cc := n.Conn()
	rq, tq, aq := reservetypes.NewQueryClient(cc), tokentypes.NewQueryClient(cc), authoritytypes.NewQueryClient(cc)
	bg := context.Background()
	w := func(k *crypto.PrivKey) wallet { return wallet{t: t, key: k, chainID: e2eChainID, cc: cc} }
	addr := func(k *crypto.PrivKey) string { return k.PubKey().Address().String() }

	openRound := func() uint64 {
		r, err := rq.OpenRound(bg, &reservetypes.QueryOpenRoundRequest{})
		if err != nil {
			t.Fatal(err)
		}
		return r.RoundId
	}
	// Round 1: oracles 0-2 report 1000 bbl at $70 (oracle 3 misses).
	// Round 2: oracles 0, 1, 3 report 1200 bbl; oracle 3's $80 is an outlier
	// against the $72.50 median (oracle 2 misses).
	type report struct {
		who   int
		price uint64
	}
	round := func(barrels uint64, reports []report) {
		t.Helper()
		id := openRound()
		for _, r := range reports {
			w(oracles[r.who]).ok("attest", attestMsg(addr(oracles[r.who]), id, barrels, r.price))
		}
		if err := Eventually(10*time.Second, func() error {
			if got := openRound(); got == id {
				return fmt.Errorf("round %d not settled", id)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	round(1000*barrel, []report{{0, 70 * ptr}, {1, 70 * ptr}, {2, 70 * ptr}})
	issue := &txtypes.Msg{Sum: &txtypes.Msg_Issue{Issue: &tokentypes.MsgIssue{Issuer: addr(issuerKey), Recipient: addr(holderKey), Amount: 350 * ptr}}}
	w(issuerKey).ok("issue", issue)
	round(1200*barrel, []report{{0, 7250 * ptr / 100}, {1, 7250 * ptr / 100}, {3, 80 * ptr}})

	// Two pending redemptions: one requested, one accepted.
	redeem := func(amount uint64) uint64 {
		instr := sha256.Sum256([]byte(fmt.Sprint("tank ", amount)))
		r := w(holderKey).ok("redeem", &txtypes.Msg{Sum: &txtypes.Msg_RequestRedemption{RequestRedemption: &tokentypes.MsgRequestRedemption{Owner: addr(holderKey), Amount: amount, SettlementInstructionHash: instr[:]}}})
		for _, ev := range r.Events {
			for _, a := range ev.Attributes {
				if ev.Type == tokentypes.EventTypeRedemption && a.Key == "redemption_id" {
					id, _ := strconv.ParseUint(a.Value, 10, 64)
					return id
				}
			}
		}
		t.Fatal("no redemption id in events")
		return 0
	}
	requested := redeem(20 * ptr)
	accepted := redeem(5 * ptr)
	w(issuerKey).ok("accept", &txtypes.Msg{Sum: &txtypes.Msg_AcceptRedemption{AcceptRedemption: &tokentypes.MsgAcceptRedemption{Issuer: addr(issuerKey), RedemptionId: accepted}}})

	st, err := rq.Status(bg, &reservetypes.QueryStatusRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Backing.Status != reservetypes.BackingStatus_BACKING_STATUS_OK {
		t.Fatalf("status %s, want OK", st.Backing.Status)
	}
	h := st.Height
	api := n.APIURL()

	t.Run("rest", func(t *testing.T) {
		hq := url.Values{"height": {fmt.Sprint(h)}}
		with := func(kv ...string) url.Values {
			v := url.Values{"height": {fmt.Sprint(h)}}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Add(kv[i], kv[i+1])
			}
			return v
		}
		must := func(m proto.Message, err error) proto.Message {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		cases := []struct {
			path string
			q    url.Values
			want proto.Message
		}{
			{"/petro/reserve/v1/status", hq, must(rq.Status(bg, &reservetypes.QueryStatusRequest{Height: h}))},
			{"/petro/reserve/v1/rounds", with("pagination.reverse", "true"), must(rq.Rounds(bg, &reservetypes.QueryRoundsRequest{Height: h, Pagination: &reservetypes.PageRequest{Reverse: true}}))},
			{"/petro/reserve/v1/round", with("id", "1"), must(rq.Round(bg, &reservetypes.QueryRoundRequest{Id: 1, Height: h}))},
			{"/petro/reserve/v1/latest_round", hq, must(rq.LatestRound(bg, &reservetypes.QueryLatestRoundRequest{Height: h}))},
			{"/petro/reserve/v1/history", hq, must(rq.History(bg, &reservetypes.QueryHistoryRequest{Height: h}))},
			{"/petro/reserve/v1/history", with("pagination.limit", "1", "pagination.reverse", "1"), must(rq.History(bg, &reservetypes.QueryHistoryRequest{Height: h, Pagination: &reservetypes.PageRequest{Limit: 1, Reverse: true}}))},
			{"/petro/reserve/v1/oracles", hq, must(rq.Oracles(bg, &reservetypes.QueryOraclesRequest{Height: h}))},
			{"/petro/reserve/v1/lots", hq, must(rq.Lots(bg, &reservetypes.QueryLotsRequest{Height: h}))},
			{"/petro/reserve/v1/params", hq, must(rq.Params(bg, &reservetypes.QueryParamsRequest{Height: h}))},
			{"/petro/token/v1/supply", hq, must(tq.Supply(bg, &tokentypes.QuerySupplyRequest{Height: h}))},
			{"/petro/token/v1/balance", with("address", addr(holderKey)), must(tq.Balance(bg, &tokentypes.QueryBalanceRequest{Address: addr(holderKey), Height: h}))},
			{"/petro/token/v1/totals", hq, must(tq.Totals(bg, &tokentypes.QueryTotalsRequest{Height: h}))},
			{"/petro/token/v1/invariants", hq, must(tq.Invariants(bg, &tokentypes.QueryInvariantsRequest{Height: h}))},
			{"/petro/token/v1/redemptions", hq, must(tq.Redemptions(bg, &tokentypes.QueryRedemptionsRequest{Height: h}))},
			{"/petro/token/v1/redemptions", with("status", "REQUESTED"), must(tq.Redemptions(bg, &tokentypes.QueryRedemptionsRequest{Height: h, Status: tokentypes.RedemptionStatus_REDEMPTION_STATUS_REQUESTED}))},
			{"/petro/token/v1/redemptions", with("status", "REDEMPTION_STATUS_ACCEPTED", "owner", addr(holderKey)), must(tq.Redemptions(bg, &tokentypes.QueryRedemptionsRequest{Height: h, Owner: addr(holderKey), Status: tokentypes.RedemptionStatus_REDEMPTION_STATUS_ACCEPTED}))},
			{"/petro/authority/v1/validators", hq, must(aq.Validators(bg, &authoritytypes.QueryValidatorsRequest{Height: h}))},
			{"/petro/auth/v1/account", with("address", addr(holderKey)), must(authtypes.NewQueryClient(cc).Account(bg, &authtypes.QueryAccountRequest{Address: addr(holderKey), Height: h}))},
		}
		for _, c := range cases {
			code, body := restGet(t, api+c.path+"?"+c.q.Encode())
			if code != http.StatusOK {
				t.Fatalf("GET %s?%s: %d %s", c.path, c.q.Encode(), code, body)
			}
			got := c.want.ProtoReflect().New().Interface()
			if err := protojson.Unmarshal(body, got); err != nil {
				t.Fatalf("GET %s: %v\n%s", c.path, err, body)
			}
			if !proto.Equal(got, c.want) {
				t.Errorf("GET %s?%s:\n got %v\nwant %v", c.path, c.q.Encode(), got, c.want)
			}
		}

		// The filters did filter.
		for status, id := range map[string]uint64{"REQUESTED": requested, "ACCEPTED": accepted} {
			_, body := restGet(t, api+"/petro/token/v1/redemptions?status="+status)
			var r struct {
				Redemptions []struct{ ID, Status string } `json:"redemptions"`
			}
			if err := json.Unmarshal(body, &r); err != nil {
				t.Fatal(err)
			}
			if len(r.Redemptions) != 1 || r.Redemptions[0].ID != fmt.Sprint(id) || r.Redemptions[0].Status != "REDEMPTION_STATUS_"+status {
				t.Errorf("redemptions?status=%s: %s", status, body)
			}
		}

		// JSON shape: proto field names, uint64 as decimal strings, enums by
		// name, zero values present.
		_, body := restGet(t, api+"/petro/reserve/v1/status?height="+fmt.Sprint(h))
		var raw struct {
			Backing map[string]any `json:"backing"`
			Height  string         `json:"height"`
		}
		if err := json.Unmarshal(body, &raw); err != nil {
			t.Fatal(err)
		}
		b := st.Backing
		for k, v := range map[string]any{
			"status": "BACKING_STATUS_OK", "available_barrels": fmt.Sprint(b.AvailableBarrels), "supply": fmt.Sprint(b.Supply),
			"coverage_bps": fmt.Sprint(b.CoverageBps), "price": fmt.Sprint(b.Price), "nav": b.Nav, "halted": false, "halt_reason": "",
		} {
			if raw.Backing[k] != v {
				t.Errorf("status JSON %s = %#v, want %#v\n%s", k, raw.Backing[k], v, body)
			}
		}
		if raw.Height != fmt.Sprint(h) {
			t.Errorf("height %q, want %d", raw.Height, h)
		}

		// POST takes the request as a protojson body.
		resp, err := http.Post(api+"/petro/token/v1/supply", "application/json", strings.NewReader(fmt.Sprintf(`{"height": "%d"}`, h)))
		if err != nil {
			t.Fatal(err)
		}
		pb, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var sup tokentypes.QuerySupplyResponse
		if resp.StatusCode != 200 || protojson.Unmarshal(pb, &sup) != nil || sup.Height != h || sup.Amount != b.Supply {
			t.Errorf("POST supply: %d %s", resp.StatusCode, pb)
		}

		// Errors: {code, message} with the HTTP status of the gRPC code.
		for _, c := range []struct {
			method, path string
			http         int
			code         float64
		}{
			{"GET", "/petro/reserve/v1/status?height=99999999", 404, 5},
			{"GET", "/petro/reserve/v1/status?bogus=1", 400, 3},
			{"GET", "/petro/reserve/v1/status?height=tall", 400, 3},
			{"GET", "/petro/reserve/v1/status?height=1&height=2", 400, 3},
			{"GET", "/petro/token/v1/redemptions?status=LOST", 400, 3},
			{"GET", "/petro/token/v1/balance?address=petro1nope", 400, 3},
			{"GET", "/petro/reserve/v1/round?id=999", 400, 3},
			{"GET", "/petro/nope/v1/thing", 404, 5},
			{"GET", "/petro/tx/v1/broadcast", 405, 12},
			{"DELETE", "/petro/token/v1/supply", 405, 12},
			{"GET", "/no-such-page", 404, 5},
		} {
			req, _ := http.NewRequest(c.method, api+c.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var e map[string]any
			if err := json.Unmarshal(body, &e); err != nil || resp.StatusCode != c.http || e["code"] != c.code || e["message"] == "" || len(e) != 2 {
				t.Errorf("%s %s: %d %s, want HTTP %d code %v", c.method, c.path, resp.StatusCode, body, c.http, c.code)
			}
		}

		// The index lists every route the issue asks for.
		_, body = restGet(t, api+"/petro")
		for _, p := range []string{"/petro/token/v1/supply", "/petro/token/v1/balance", "/petro/token/v1/totals", "/petro/token/v1/redemptions",
			"/petro/token/v1/invariants", "/petro/reserve/v1/status", "/petro/reserve/v1/rounds", "/petro/reserve/v1/history",
			"/petro/reserve/v1/oracles", "/petro/reserve/v1/lots", "/petro/authority/v1/validators", "/petro/tx/v1/broadcast"} {
			if !bytes.Contains(body, []byte(`"`+p+`"`)) {
				t.Errorf("GET /petro does not list %s", p)
			}
		}

		// The page and its assets.
		for _, p := range []string{"/", "/audit", "/audit/audit.js", "/audit/audit.css"} {
			if code, body := restGet(t, api+p); code != 200 || len(body) < 100 {
				t.Errorf("GET %s: %d", p, code)
			}
		}
	})

	t.Run("chromium", func(t *testing.T) {
		chrome := chromiumPath(t)
		history, err := rq.History(bg, &reservetypes.QueryHistoryRequest{})
		if err != nil {
			t.Fatal(err)
		}
		rounds, err := rq.Rounds(bg, &reservetypes.QueryRoundsRequest{Pagination: &reservetypes.PageRequest{Reverse: true, Limit: 10}})
		if err != nil {
			t.Fatal(err)
		}
		orc, err := rq.Oracles(bg, &reservetypes.QueryOraclesRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if len(history.Entries) < 2 || len(rounds.Rounds) < 2 {
			t.Fatalf("want ≥ 2 settled rounds, have %d", len(history.Entries))
		}
		var dom string
		for attempt := 0; ; attempt++ {
			dom = runChromium(t, chrome, "--dump-dom", api+"/")
			if strings.Contains(dom, `data-loaded="1"`) {
				break
			}
			if attempt == 2 {
				t.Fatalf("page never loaded its data:\n%s", dom)
			}
		}
		if strings.Contains(dom, `id="error" class="error" role="alert">`) {
			t.Errorf("page shows an error:\n%s", domSection(dom, `id="error"`, "</div>"))
		}

		// status badge
		m := regexp.MustCompile(`<span ([^>]*\bid="status"[^>]*)>([^<]*)</span>`).FindStringSubmatch(dom)
		if m == nil || domAttrs(m[1])["data-status"] != "OK" || m[2] != "OK" {
			t.Errorf("status badge: %q", m)
		}
		// headline figures
		b := st.Backing
		for id, want := range map[string]string{
			"supply":   auditFixed(b.Supply, 8, 8, 0) + " PTR",
			"reserve":  auditFixed(b.AvailableBarrels, 8, 8, 0) + " bbl",
			"coverage": auditFixed(b.CoverageBps, 2, 2, 2) + " %",
		} {
			m := regexp.MustCompile(`<div class="value" id="` + id + `"[^>]*>([^<]*)</div>`).FindStringSubmatch(dom)
			if m == nil || html.UnescapeString(m[1]) != want {
				t.Errorf("#%s: %q, want %q", id, m, want)
			}
		}

		// chart: one point per settled round
		chart := domSection(dom, `id="coverage-chart"`, "</svg>")
		var pts []string
		for _, c := range regexp.MustCompile(`<circle ([^>]*)>`).FindAllStringSubmatch(chart, -1) {
			a := domAttrs(c[1])
			pts = append(pts, a["data-round"])
			for _, e := range history.Entries {
				if fmt.Sprint(e.RoundId) == a["data-round"] && a["data-coverage-bps"] != fmt.Sprint(e.CoverageBps) {
					t.Errorf("chart point %s: coverage %s, want %d", a["data-round"], a["data-coverage-bps"], e.CoverageBps)
				}
			}
		}
		var wantPts []string
		for _, e := range history.Entries {
			wantPts = append(wantPts, fmt.Sprint(e.RoundId))
		}
		if strings.Join(pts, ",") != strings.Join(wantPts, ",") {
			t.Errorf("chart points for rounds %v, want %v", pts, wantPts)
		}
		if !strings.Contains(chart, `class="line"`) {
			t.Error("chart has no line")
		}

		// rounds table: newest first, with the median price and reserve
		rows := domTableRows(dom, "rounds")
		if len(rows) != len(rounds.Rounds) {
			t.Fatalf("rounds table has %d rows, want %d", len(rows), len(rounds.Rounds))
		}
		for i, r := range rounds.Rounds {
			row := rows[i]
			if len(row.cells) != 8 || row.attrs["data-round"] != fmt.Sprint(r.Id) || row.cells[0] != "#"+fmt.Sprint(r.Id) ||
				row.cells[3] != auditFixed(r.TotalBarrels, 8, 8, 0)+" bbl" || row.cells[4] != "$"+auditFixed(r.Price, 8, 2, 2) ||
				row.cells[5] != auditFixed(r.Supply, 8, 8, 0)+" PTR" ||
				!strings.HasPrefix(row.cells[6], fmt.Sprint(len(r.Reporters))) || (len(r.Outliers) == 0) != (row.cells[7] == "none") {
				t.Errorf("rounds row %d: %v %q, want round %d price %d barrels %d reporters %d outliers %d", i, row.attrs, row.cells, r.Id, r.Price, r.TotalBarrels, len(r.Reporters), len(r.Outliers))
			}
		}
		if rows[0].cells[4] != "$72.50" || rows[1].cells[4] != "$70.00" {
			t.Errorf("prices %q, %q; want $72.50, $70.00", rows[0].cells[4], rows[1].cells[4])
		}

		// oracles table: reports, misses, outliers
		orows := domTableRows(dom, "oracles")
		if len(orows) != len(orc.Oracles) || len(orows) != 4 {
			t.Fatalf("oracles table has %d rows, want %d", len(orows), len(orc.Oracles))
		}
		for i, o := range orc.Oracles {
			r := orows[i]
			if r.attrs["data-address"] != o.Address || r.cells[1] != fmt.Sprint(o.Reports) || r.cells[2] != fmt.Sprint(o.Misses) || r.cells[3] != fmt.Sprint(o.Outliers) {
				t.Errorf("oracle row %d: %q, want %v", i, r.cells, o)
			}
		}

		// pending redemptions
		rrows := domTableRows(dom, "redemptions")
		if len(rrows) != 2 || rrows[0].attrs["data-id"] != fmt.Sprint(requested) || rrows[0].attrs["data-status"] != "REQUESTED" ||
			rrows[1].attrs["data-id"] != fmt.Sprint(accepted) || rrows[1].attrs["data-status"] != "ACCEPTED" ||
			rrows[0].cells[2] != "20 PTR" || rrows[1].cells[2] != "5 PTR" {
			t.Errorf("redemptions rows: %+v", rrows)
		}

		if out := os.Getenv("AUDIT_SCREENSHOT"); out != "" {
			runChromium(t, chrome, "--screenshot="+out, "--window-size=1280,1700", "--hide-scrollbars", api+"/")
			if _, err := os.Stat(out); err != nil {
				t.Fatalf("screenshot: %v", err)
			}
			t.Logf("screenshot in %s", out)
		}
	})
}

func restGet(t *testing.T, u string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// chromiumPath is Debian's chromium; missing, it skips the test, or fails
// it under CI (where .ci/run installs it).
func chromiumPath(t *testing.T) string {
	const p = "/usr/bin/chromium"
	if _, err := os.Stat(p); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s not found under CI: .ci/run installs Debian's chromium package", p)
	}
	t.Skipf("%s not found (apt-get install chromium); CI runs this", p)
	return ""
}

// runChromium runs headless Chromium with a fresh profile and returns its
// standard output.
func runChromium(t *testing.T, chrome string, args ...string) string {
	t.Helper()
	profile := t.TempDir()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
		"--disable-dev-shm-usage", "--user-data-dir=" + profile, "--virtual-time-budget=10000", "--window-size=1280,900"}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chrome, append(base, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Dir = profile
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, tailLines(stderr.String(), 30))
	}
	return stdout.String()
}

func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// auditFixed formats v (in 10^-scale units) as the page does: thousands
// separators, at most maxFrac and at least minFrac decimals, half up.
func auditFixed(v uint64, scale, maxFrac, minFrac int) string {
	s := scale
	if maxFrac < scale {
		d := auditPow10(scale - maxFrac)
		v = (v + d/2) / d
		s = maxFrac
	}
	b := auditPow10(s)
	ip := strconv.FormatUint(v/b, 10)
	for i := len(ip) - 3; i > 0; i -= 3 {
		ip = ip[:i] + "," + ip[i:]
	}
	frac := ""
	if s > 0 {
		frac = fmt.Sprintf("%0*d", s, v%b)
	}
	for len(frac) > minFrac && strings.HasSuffix(frac, "0") {
		frac = frac[:len(frac)-1]
	}
	if frac != "" {
		return ip + "." + frac
	}
	return ip
}

func auditPow10(n int) uint64 {
	p := uint64(1)
	for range n {
		p *= 10
	}
	return p
}

var domAttrRe = regexp.MustCompile(`([\w:-]+)="([^"]*)"`)

func domAttrs(s string) map[string]string {
	m := map[string]string{}
	for _, a := range domAttrRe.FindAllStringSubmatch(s, -1) {
		m[a[1]] = html.UnescapeString(a[2])
	}
	return m
}

// domSection is dom from the first occurrence of start to the next end.
func domSection(dom, start, end string) string {
	i := strings.Index(dom, start)
	if i < 0 {
		return ""
	}
	j := strings.Index(dom[i:], end)
	if j < 0 {
		return dom[i:]
	}
	return dom[i : i+j]
}

type domRow struct {
	attrs map[string]string
	cells []string
}

var (
	domTrRe  = regexp.MustCompile(`(?s)<tr ?([^>]*)>(.*?)</tr>`)
	domTdRe  = regexp.MustCompile(`(?s)<td ?[^>]*>(.*?)</td>`)
	domTagRe = regexp.MustCompile(`<[^>]*>`)
)

// domTableRows returns the data rows (not the empty-table row) of the tbody
// of the table with the given id, each cell as its text.
func domTableRows(dom, id string) []domRow {
	body := domSection(domSection(dom, `<table id="`+id+`"`, "</table>"), "<tbody>", "</tbody>")
	var rows []domRow
	for _, tr := range domTrRe.FindAllStringSubmatch(body, -1) {
		a := domAttrs(tr[1])
		if a["class"] == "empty-row" {
			continue
		}
		r := domRow{attrs: a}
		for _, td := range domTdRe.FindAllStringSubmatch(tr[2], -1) {
			r.cells = append(r.cells, strings.TrimSpace(html.UnescapeString(domTagRe.ReplaceAllString(td[1], ""))))
		}
		rows = append(rows, r)
	}
	return rows
}
