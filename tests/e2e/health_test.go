package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// TestHealthEndpoints: a running, caught-up node answers SERVING on gRPC
// health for "" (alive) and "petro.readiness" (ready), and 200 on REST
// /health and /ready.
func TestHealthEndpoints(t *testing.T) {
	if testing.Short() {
		t.Skip("node test")
	}
	n := NewSingleNode(t, e2eChainID, nil, 0, 200*time.Millisecond)
	n.Start()
	n.WaitReady(2, 90*time.Second)
	hc := healthpb.NewHealthClient(n.Conn())
	check := func(service string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		r, err := hc.Check(ctx, &healthpb.HealthCheckRequest{Service: service})
		if err != nil {
			return err
		}
		if r.Status != healthpb.HealthCheckResponse_SERVING {
			return fmt.Errorf("%q: %v", service, r.Status)
		}
		return nil
	}
	rest := func(path string) error {
		resp, err := http.Get(n.APIURL() + path)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var body struct{ Status string }
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK || body.Status != "SERVING" {
			return fmt.Errorf("GET %s: %s %q", path, resp.Status, body.Status)
		}
		return nil
	}
	// Readiness follows the health monitor (once a second): poll.
	if err := Eventually(30*time.Second, func() error {
		for _, s := range []string{"", "petro.readiness"} {
			if err := check(s); err != nil {
				return err
			}
		}
		for _, p := range []string{"/health", "/ready"} {
			if err := rest(p); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
