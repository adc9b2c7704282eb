package keeper_test

import (
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	authoritytypes "github.com/petro-network/petro/x/authority/types"
	"github.com/petro-network/petro/x/reserve/types"
)

// TestFrozenOracleReportDoesNotCount: a report made before its oracle was
// frozen does not settle the round, and a frozen oracle is not counted
// as missing it.
func TestFrozenOracleReportDoesNotCount(t *testing.T) {
	e := newEnv(t, nil) // oracles 1, 2, 3; quorum 2
	if err := e.attest(1, 1, 100*barrel, 50*barrel, 70*barrel); err != nil {
		t.Fatal(err)
	}
	if err := e.attest(2, 1, 100*barrel, 50*barrel, 70*barrel); err != nil {
		t.Fatal(err)
	}
	e.tok.frozen = map[string]bool{addr(2): true}
	if b := e.endBlock(); b.LatestRound != 0 || b.StaleReason != types.StaleReason_STALE_REASON_NO_ROUND || b.EligibleOracles != 2 {
		t.Fatalf("round settled on a frozen oracle's report: %v", b)
	}
	if err := e.attest(3, 1, 100*barrel, 50*barrel, 70*barrel); err != nil {
		t.Fatal(err)
	}
	b := e.endBlock()
	if b.Status != types.BackingStatus_BACKING_STATUS_OK || b.StaleReason != types.StaleReason_STALE_REASON_UNSPECIFIED {
		t.Fatalf("after oracle 3: %v", b)
	}
	r, err := e.k.Round(e.kv, 1)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(r.Reporters, ",") != strings.Join(sorted(addr(1), addr(3)), ",") || len(r.Missed) != 0 {
		t.Fatalf("reporters %v missed %v", r.Reporters, r.Missed)
	}
}

func sorted(s ...string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// TestStaleReason: STALE says why — too few oracles able to report (this
// comes first), no round yet, or a round too old — and every change of
// the reason is an event.
func TestStaleReason(t *testing.T) {
	e := newEnv(t, nil) // oracles 1, 2, 3; quorum 2; max age 1h
	steps := []struct {
		name   string
		before func()
		status types.BackingStatus
		reason types.StaleReason
	}{
		{"genesis: no round", func() {}, types.BackingStatus_BACKING_STATUS_STALE, types.StaleReason_STALE_REASON_NO_ROUND},
		{"two of three frozen", func() { e.tok.frozen = map[string]bool{addr(1): true, addr(2): true} },
			types.BackingStatus_BACKING_STATUS_STALE, types.StaleReason_STALE_REASON_TOO_FEW_ORACLES},
		{"one of them unfrozen; a round settles", func() {
			e.tok.frozen = map[string]bool{addr(2): true}
			_ = e.attest(1, 1, 100*barrel, 50*barrel, 70*barrel)
			_ = e.attest(3, 1, 100*barrel, 50*barrel, 70*barrel)
		}, types.BackingStatus_BACKING_STATUS_OK, types.StaleReason_STALE_REASON_UNSPECIFIED},
		{"the round ages past max age", func() { e.now = e.now.Add(3601 * time.Second) },
			types.BackingStatus_BACKING_STATUS_STALE, types.StaleReason_STALE_REASON_ROUND_TOO_OLD},
		{"an oracle revoked below the quorum", func() { e.auth.oracles = []string{addr(1), addr(2)} },
			types.BackingStatus_BACKING_STATUS_STALE, types.StaleReason_STALE_REASON_TOO_FEW_ORACLES},
	}
	prev := types.StaleReason(-1)
	for _, s := range steps {
		s.before()
		ctx := e.ctx()
		if err := e.k.EndBlock(ctx); err != nil {
			t.Fatal(err)
		}
		e.h++
		b, _ := e.k.Backing(e.kv)
		if b.Status != s.status || b.StaleReason != s.reason || b.Quorum != 2 {
			t.Fatalf("%s: %s / %s (quorum %d, eligible %d), want %s / %s", s.name, b.Status, b.StaleReason, b.Quorum, b.EligibleOracles, s.status, s.reason)
		}
		var got string
		for _, ev := range ctx.Events() {
			if ev.Type != types.EventTypeBackingStatus {
				continue
			}
			for _, a := range ev.Attributes {
				if a.Key == "stale_reason" {
					got = a.Value
				}
			}
		}
		if s.reason != prev && got != s.reason.String() {
			t.Fatalf("%s: backing_status event stale_reason %q, want %s", s.name, got, s.reason)
		}
		prev = s.reason
	}
}

// TestQuorumWithinOracles: set_reserve_params may not set a quorum above
// the oracles (frozen ones count: a freeze is not a change of the set),
// at proposal time and again at execution; the refusal names both numbers.
func TestQuorumWithinOracles(t *testing.T) {
	params := func(q uint32) *authoritytypes.Action {
		p := types.DefaultParams()
		p.Quorum = q
		return &authoritytypes.Action{Sum: &authoritytypes.Action_SetReserveParams{SetReserveParams: &types.SetReserveParams{Params: p}}}
	}
	for _, tc := range []struct {
		name     string
		malleate func(*env)
		quorum   uint32
		refused  bool
	}{
		{"quorum = oracles", func(*env) {}, 3, false},
		{"quorum = oracles, one frozen", func(e *env) { e.tok.frozen = map[string]bool{addr(1): true} }, 3, false},
		{"quorum above the oracles", func(*env) {}, 4, true},
		{"no oracles at all", func(e *env) { e.auth.oracles = nil }, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			tc.malleate(e)
			for what, run := range map[string]func() error{
				"ValidateAction": func() error { return e.k.ValidateAction(e.ctx(), params(tc.quorum)) },
				"ExecuteAction":  func() error { return e.k.ExecuteAction(e.ctx(), params(tc.quorum)) },
			} {
				err := run()
				if !tc.refused && err != nil || tc.refused && !errors.Is(err, types.ErrQuorumUnreachable) {
					t.Fatalf("%s = %v", what, err)
				}
			}
		})
	}
	t.Run("the refusal names both numbers", func(t *testing.T) {
		e := newEnv(t, nil)
		err := e.k.ValidateAction(e.ctx(), params(5))
		if err == nil || !strings.Contains(err.Error(), "quorum 5 > 3 oracles") {
			t.Fatalf("%v", err)
		}
	})
	t.Run("re-checked at execution", func(t *testing.T) {
		e := newEnv(t, nil)
		if err := e.k.ValidateAction(e.ctx(), params(3)); err != nil {
			t.Fatal(err)
		}
		e.auth.oracles = e.auth.oracles[:2] // an oracle revoked before the proposal executes
		if err := e.k.ExecuteAction(e.ctx(), params(3)); !errors.Is(err, types.ErrQuorumUnreachable) {
			t.Fatalf("execution after a revocation: %v", err)
		}
		if p, _ := e.k.Params(e.kv); p.Quorum != 2 {
			t.Fatalf("params changed: quorum %d", p.Quorum)
		}
	})
}

// TestCheckQuorum serves x/authority's revocation check and the genesis.
func TestCheckQuorum(t *testing.T) {
	e := newEnv(t, nil) // quorum 2
	for _, tc := range []struct {
		oracles int
		ok      bool
	}{{3, true}, {2, true}, {1, false}, {0, false}, {-1, false}} {
		if err := e.k.CheckQuorum(e.kv, tc.oracles); (err == nil) != tc.ok || err != nil && !errors.Is(err, types.ErrQuorumUnreachable) {
			t.Fatalf("CheckQuorum(%d) = %v", tc.oracles, err)
		}
	}
	for _, tc := range []struct {
		name    string
		oracles []string
		ok      bool
	}{
		{"enough", []string{addr(1), addr(2)}, true},
		{"one of two", []string{addr(1)}, false},
		{"none yet: the council appoints them", nil, true},
	} {
		e.auth.oracles = tc.oracles
		if err := e.k.CheckGenesisQuorum(e.kv); (err == nil) != tc.ok {
			t.Fatalf("%s: CheckGenesisQuorum = %v", tc.name, err)
		}
	}
}
