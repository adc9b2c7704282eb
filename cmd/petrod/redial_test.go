package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/cometbft/cometbft/p2p"
)

// TestRedialerBackoff: a persistent peer that is not connected is dialled
// at once, then after a doubling wait capped at redialMax; once connected,
// the wait starts over.
func TestRedialerBackoff(t *testing.T) {
	r := newRedialer(nil, "0123456789012345678901234567890123456789@127.0.0.1:26656, ", nil)
	if len(r.addrs) != 1 {
		t.Fatalf("addrs %v", r.addrs)
	}
	t0 := time.Unix(0, 0)
	up := false
	conn := func(*p2p.NetAddress) bool { return up }
	var dials []time.Duration
	for s := 0; s <= 120; s++ {
		if len(r.due(t0.Add(time.Duration(s)*time.Second), conn)) == 1 {
			dials = append(dials, time.Duration(s)*time.Second)
		}
	}
	want := []time.Duration{0, 2 * time.Second, 6 * time.Second, 14 * time.Second, 30 * time.Second, 50 * time.Second, 70 * time.Second, 90 * time.Second, 110 * time.Second}
	if fmt.Sprint(dials) != fmt.Sprint(want) {
		t.Fatalf("dials at %v, want %v", dials, want)
	}
	up = true
	r.due(t0.Add(121*time.Second), conn)
	up = false
	if got := r.due(t0.Add(123*time.Second), conn); len(got) != 1 {
		t.Fatalf("after a connection, the first redial waits redialMin: %v", got)
	}
}
