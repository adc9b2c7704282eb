package rest

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// readinessService is server.ReadinessService (not imported: rest needs
// only the node's gRPC endpoint).
const readinessService = "petro.readiness"

// registerHealth serves GET /health (the node is alive: not failed, not
// stalled behind its peers) and GET /ready (alive and caught up: send
// clients here), each 200 {"status":"SERVING"} or 503 with the status,
// from the node's grpc.health.v1 service.
func (g *Gateway) registerHealth(mux *http.ServeMux) {
	mux.HandleFunc("/health", g.healthHandler(""))
	mux.HandleFunc("/ready", g.healthHandler(readinessService))
}

func (g *Gateway) healthHandler(service string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		status := "UNKNOWN"
		res, err := healthpb.NewHealthClient(g.conn).Check(ctx, &healthpb.HealthCheckRequest{Service: service})
		if err == nil {
			status = res.Status.String()
		}
		code := http.StatusOK
		if err != nil || res.Status != healthpb.HealthCheckResponse_SERVING {
			code = http.StatusServiceUnavailable
		}
		bz, _ := json.Marshal(struct {
			Status string `json:"status"`
		}{status})
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(code)
		_, _ = w.Write(bz)
	}
}
