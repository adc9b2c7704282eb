package main

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	cs "github.com/cometbft/cometbft/consensus"
	"github.com/cometbft/cometbft/node"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/prometheus/client_golang/prometheus"
)

// HealthConfig is app.toml [health]: when the node reports itself
// unhealthy.
type HealthConfig struct {
	StallSeconds int `toml:"stall_seconds" comment:"Liveness watchdog: the node reports unhealthy (gRPC health \"\" and REST /health NOT_SERVING, petro_node_healthy 0)\nwhen its height has not moved for this many seconds while a peer is ahead of it; 0 = off."`
}

// DefaultHealthConfig: a minute without progress while peers are ahead.
func DefaultHealthConfig() HealthConfig { return HealthConfig{StallSeconds: 60} }

// healthInputs is what the node's health is decided from.
type healthInputs struct {
	now        time.Time
	height     int64 // last block in the block store
	peerHeight int64 // the highest height a peer is at (0: no peers)
	catchingUp bool  // block sync or state sync still running
}

// healthMonitor decides liveness and readiness once a second (see assess)
// and publishes them to the gRPC health service and petro_node_healthy /
// petro_node_ready.
type healthMonitor struct {
	stall      time.Duration
	lastHeight int64
	lastMove   time.Time
}

// assess: alive unless the height has not moved for the stall timeout
// while a peer is more than one block ahead; ready when alive, caught up
// and past the first block.
func (m *healthMonitor) assess(in healthInputs) (alive, ready bool) {
	if in.height != m.lastHeight || m.lastMove.IsZero() {
		m.lastHeight, m.lastMove = in.height, in.now
	}
	stalled := m.stall > 0 && in.now.Sub(m.lastMove) >= m.stall && in.peerHeight > in.height+1
	alive = !stalled
	ready = alive && !in.catchingUp && in.height > 0
	return alive, ready
}

// nodeHealthInputs reads the inputs from a running node.
func nodeHealthInputs(n *node.Node) healthInputs {
	in := healthInputs{now: time.Now(), height: n.BlockStore().Height(), catchingUp: n.ConsensusReactor().WaitSync()}
	for _, p := range n.Switch().Peers().List() {
		if ps, ok := p.Get(cmttypes.PeerStateKey).(*cs.PeerState); ok {
			// A peer at height H (in consensus) has committed H-1.
			in.peerHeight = max(in.peerHeight, ps.GetHeight()-1)
		}
	}
	return in
}

// runHealthMonitor updates set (and the gauges, when given) every second
// until ctx is done.
func runHealthMonitor(ctx context.Context, n *node.Node, c HealthConfig, set func(alive, ready bool), g *healthGauges) {
	m := &healthMonitor{stall: time.Duration(c.StallSeconds) * time.Second}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		alive, ready := m.assess(nodeHealthInputs(n))
		set(alive, ready)
		g.set(alive, ready)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// healthGauges are petro_node_healthy and petro_node_ready (1 or 0).
type healthGauges struct {
	healthy, ready prometheus.Gauge
	failed         atomic.Bool
}

// newHealthGauges registers the gauges on reg (reusing them if a node ran
// before in this process).
func newHealthGauges(reg prometheus.Registerer) (*healthGauges, error) {
	mk := func(name, help string) (prometheus.Gauge, error) {
		g := prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "petro", Name: name, Help: help})
		if err := reg.Register(g); err != nil {
			var are prometheus.AlreadyRegisteredError
			if errors.As(err, &are) {
				if old, ok := are.ExistingCollector.(prometheus.Gauge); ok {
					return old, nil
				}
			}
			return nil, err
		}
		return g, nil
	}
	h, err := mk("node_healthy", "1 while the node is alive (not failed, not stalled behind its peers: app.toml [health]), else 0.")
	if err != nil {
		return nil, err
	}
	r, err := mk("node_ready", "1 while the node is ready for clients (alive, caught up, past its first block), else 0.")
	if err != nil {
		return nil, err
	}
	return &healthGauges{healthy: h, ready: r}, nil
}

func (g *healthGauges) set(alive, ready bool) {
	if g == nil || g.failed.Load() {
		return
	}
	b := func(v bool) float64 {
		if v {
			return 1
		}
		return 0
	}
	g.healthy.Set(b(alive))
	g.ready.Set(b(ready))
}

// fail sets both gauges to 0 for good (the node failed).
func (g *healthGauges) fail() {
	if g == nil {
		return
	}
	g.healthy.Set(0)
	g.ready.Set(0)
	g.failed.Store(true)
}
