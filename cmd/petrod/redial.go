package main

import (
	"context"
	"strings"
	"time"

	"github.com/cometbft/cometbft/libs/log"
	"github.com/cometbft/cometbft/p2p"
)

// Persistent peers are redialled by petro, not only by CometBFT: a node
// that the peer filter refuses is accepted at the TCP and handshake level
// and dropped right after, and CometBFT's reconnect routine, still
// finishing its "successful" dial, skips the reconnect the drop asks for
// (one routine per peer id) — after that nobody redials, so a node the
// council allows later never connects until restarted. The redialer
// closes that gap: every persistent peer not connected and not being
// dialled is dialled again, with a per-peer backoff from redialMin to
// redialMax, for as long as the node runs.
const (
	redialMin = 2 * time.Second
	redialMax = 20 * time.Second
)

// redialer tracks when each persistent peer may be dialled next.
type redialer struct {
	sw     *p2p.Switch
	addrs  []*p2p.NetAddress
	logger log.Logger
	next   map[p2p.ID]time.Time
	wait   map[p2p.ID]time.Duration
}

// newRedialer parses config.toml persistent_peers (addresses that do not
// parse are CometBFT's business: it refused to start on them already).
func newRedialer(sw *p2p.Switch, persistentPeers string, logger log.Logger) *redialer {
	r := &redialer{sw: sw, logger: logger, next: map[p2p.ID]time.Time{}, wait: map[p2p.ID]time.Duration{}}
	for _, s := range strings.Split(persistentPeers, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if a, err := p2p.NewNetAddressString(s); err == nil {
			r.addrs = append(r.addrs, a)
		}
	}
	return r
}

// due returns the peers to dial at now and schedules their next try.
func (r *redialer) due(now time.Time, connected func(*p2p.NetAddress) bool) []*p2p.NetAddress {
	var out []*p2p.NetAddress
	for _, a := range r.addrs {
		if connected(a) {
			r.wait[a.ID] = 0
			r.next[a.ID] = now.Add(redialMin)
			continue
		}
		if now.Before(r.next[a.ID]) {
			continue
		}
		w := r.wait[a.ID]
		w = min(max(2*w, redialMin), redialMax)
		r.wait[a.ID], r.next[a.ID] = w, now.Add(w)
		out = append(out, a)
	}
	return out
}

// run dials due peers once a second until ctx is done.
func (r *redialer) run(ctx context.Context) {
	if len(r.addrs) == 0 {
		return
	}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	connected := func(a *p2p.NetAddress) bool {
		return r.sw.Peers().Has(a.ID) || r.sw.IsDialingOrExistingAddress(a)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, a := range r.due(time.Now(), connected) {
			go func(a *p2p.NetAddress) {
				if err := r.sw.DialPeerWithAddress(a); err != nil {
					r.logger.Debug("redial persistent peer", "addr", a, "err", err)
				}
			}(a)
		}
	}
}
