package rest

import (
	"net/http"
	"strings"
	"testing"
)

func TestCORSOffByDefault(t *testing.T) {
	hs, _ := newTestServer(t)
	req, _ := http.NewRequest(http.MethodGet, hs.URL+"/petro/token/v1/supply", nil)
	req.Header.Set("Origin", "https://wallet.example.com")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("status %d, Access-Control-Allow-Origin %q: want 200 and no CORS header", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	// A preflight is not answered as CORS either: the gateway refuses OPTIONS.
	pre, _ := http.NewRequest(http.MethodOptions, hs.URL+"/petro/tx/v1/broadcast", nil)
	pre.Header.Set("Origin", "https://wallet.example.com")
	pre.Header.Set("Access-Control-Request-Method", "POST")
	presp, err := http.DefaultClient.Do(pre)
	if err != nil {
		t.Fatal(err)
	}
	presp.Body.Close()
	if presp.Header.Get("Access-Control-Allow-Origin") != "" || presp.StatusCode < 400 {
		t.Fatalf("preflight without CORS: status %d, headers %v", presp.StatusCode, presp.Header)
	}
}

func TestCORSAllowedOrigins(t *testing.T) {
	const wallet = "https://wallet.example.com"
	cfg := DefaultConfig()
	cfg.CORSAllowedOrigins = []string{wallet, "http://localhost:3000"}
	hs, _ := newTestServerWith(t, cfg)

	for _, c := range []struct {
		name, method, path, origin string
		preflight                  bool
		wantStatus                 int
		wantAllow                  string
	}{
		{"allowed GET", http.MethodGet, "/petro/token/v1/supply", wallet, false, 200, wallet},
		{"allowed POST", http.MethodPost, "/petro/tx/v1/broadcast", "http://localhost:3000", false, 200, "http://localhost:3000"},
		{"other origin GET: served, no CORS header", http.MethodGet, "/petro/token/v1/supply", "https://evil.example.com", false, 200, ""},
		{"no Origin: not CORS", http.MethodGet, "/petro/token/v1/supply", "", false, 200, ""},
		{"preflight allowed", http.MethodOptions, "/petro/tx/v1/broadcast", wallet, true, 204, wallet},
		{"preflight other origin", http.MethodOptions, "/petro/tx/v1/broadcast", "https://evil.example.com", true, 204, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := ""
			if c.method == http.MethodPost {
				body = `{"tx_bytes":"AQ=="}`
			}
			req, _ := http.NewRequest(c.method, hs.URL+c.path, strings.NewReader(body))
			if c.origin != "" {
				req.Header.Set("Origin", c.origin)
			}
			if c.preflight {
				req.Header.Set("Access-Control-Request-Method", "POST")
				req.Header.Set("Access-Control-Request-Headers", "content-type")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, c.wantStatus)
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != c.wantAllow {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, c.wantAllow)
			}
			if c.preflight && c.wantAllow != "" {
				if m := resp.Header.Get("Access-Control-Allow-Methods"); !strings.Contains(m, "POST") {
					t.Errorf("Access-Control-Allow-Methods %q", m)
				}
				if h := strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers")); !strings.Contains(h, "content-type") {
					t.Errorf("Access-Control-Allow-Headers %q", h)
				}
			}
		})
	}
}

func TestValidateCORSOrigins(t *testing.T) {
	for _, ok := range [][]string{nil, {"*"}, {"https://a.example.com", "http://localhost:3000", "https://b.example.com/"}} {
		if err := ValidateCORSOrigins(ok); err != nil {
			t.Errorf("%v: %v", ok, err)
		}
	}
	for _, bad := range []string{"wallet.example.com", "https://a.example.com/path", "ftp://a.example.com", "https://*.example.com", ""} {
		if err := ValidateCORSOrigins([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
