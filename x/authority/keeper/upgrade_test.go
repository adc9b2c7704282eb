package keeper_test

import (
	"errors"
	"strings"
	"testing"

	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/authority/types"
)

func schedule(name string, height int64) *types.Action {
	return &types.Action{Sum: &types.Action_ScheduleUpgrade{ScheduleUpgrade: &types.ScheduleUpgrade{Name: name, Height: height, Info: "v2"}}}
}

func cancelUpgrade(name string) *types.Action {
	return &types.Action{Sum: &types.Action_CancelUpgrade{CancelUpgrade: &types.CancelUpgrade{Name: name}}}
}

// pass proposes a by member 1, approves by member 2 and runs the end-block.
func (e *env) pass(a *types.Action) types.ProposalStatus {
	e.t.Helper()
	id, err := e.propose(1, a)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.approve(2, id); err != nil {
		e.t.Fatal(err)
	}
	e.endBlock()
	return e.status(id)
}

// TestScheduleUpgradeRules: every bad plan is refused at proposal time
// with its code and changes nothing.
func TestScheduleUpgradeRules(t *testing.T) {
	min := int64(1 + types.MinUpgradeDelayBlocks) // the env's block is 1
	for _, tc := range []struct {
		name  string
		setup func(e *env)
		act   *types.Action
		want  *petro.Error
	}{
		{"empty name", nil, schedule("", min), types.ErrInvalidUpgrade},
		{"upper-case name", nil, schedule("V2", min), types.ErrInvalidUpgrade},
		{"slash in name", nil, schedule("a/b", min), types.ErrInvalidUpgrade},
		{"name too long", nil, schedule(strings.Repeat("a", 65), min), types.ErrInvalidUpgrade},
		{"zero height", nil, schedule("v2", 0), types.ErrInvalidUpgrade},
		{"info too long", nil, &types.Action{Sum: &types.Action_ScheduleUpgrade{ScheduleUpgrade: &types.ScheduleUpgrade{Name: "v2", Height: min, Info: strings.Repeat("x", types.MaxUpgradeInfoBytes+1)}}}, types.ErrInvalidUpgrade},
		{"height in the past", nil, schedule("v2", 1), types.ErrUpgradeTooSoon},
		{"height below the minimum delay", nil, schedule("v2", min-1), types.ErrUpgradeTooSoon},
		{"second plan", func(e *env) { e.pass(schedule("v2", 100)) }, schedule("v3", 200), types.ErrUpgradeScheduled},
		{"name already applied", func(e *env) {
			e.pass(schedule("v2", 30))
			e.h = 30
			plan, _ := e.k.UpgradePlan(e.kv)
			if err := e.k.ApplyUpgrade(e.ctx(), plan, 2); err != nil {
				e.t.Fatal(err)
			}
		}, schedule("v2", 100), types.ErrUpgradeNameUsed},
		{"cancel with none scheduled", nil, cancelUpgrade("v2"), types.ErrNoUpgradeScheduled},
		{"cancel another name", func(e *env) { e.pass(schedule("v2", 100)) }, cancelUpgrade("v3"), types.ErrNoUpgradeScheduled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			if tc.setup != nil {
				tc.setup(e)
			}
			before, _ := e.k.UpgradePlan(e.kv)
			if _, err := e.propose(1, tc.act); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if after, _ := e.k.UpgradePlan(e.kv); before.GetName() != after.GetName() || before.GetHeight() != after.GetHeight() {
				t.Fatalf("plan changed from %v to %v", before, after)
			}
		})
	}
}

// TestUpgradeLifecycle: schedule → query → cancel → schedule again →
// apply records it, clears the plan and sets the app version.
func TestUpgradeLifecycle(t *testing.T) {
	e := newEnv(t, nil)
	if v, _ := e.k.AppVersion(e.kv); v != types.GenesisAppVersion {
		t.Fatalf("genesis app version %d", v)
	}
	if st := e.pass(schedule("v2", 50)); st != types.ProposalStatus_PROPOSAL_STATUS_EXECUTED {
		t.Fatalf("schedule: %s", st)
	}
	plan, err := e.k.UpgradePlan(e.kv)
	if err != nil || plan.GetName() != "v2" || plan.GetHeight() != 50 || plan.GetInfo() != "v2" || plan.GetProposalId() == 0 {
		t.Fatalf("plan %v (%v)", plan, err)
	}
	if st := e.pass(cancelUpgrade("v2")); st != types.ProposalStatus_PROPOSAL_STATUS_EXECUTED {
		t.Fatalf("cancel: %s", st)
	}
	if plan, _ := e.k.UpgradePlan(e.kv); plan != nil {
		t.Fatalf("plan after cancel: %v", plan)
	}
	e.pass(schedule("v2", 60)) // a cancelled name may be scheduled again
	plan, _ = e.k.UpgradePlan(e.kv)
	e.h = 60
	if err := e.k.ApplyUpgrade(e.ctx(), plan, 2); err != nil {
		t.Fatal(err)
	}
	if plan, _ := e.k.UpgradePlan(e.kv); plan != nil {
		t.Fatalf("plan after apply: %v", plan)
	}
	if v, _ := e.k.AppVersion(e.kv); v != 2 {
		t.Fatalf("app version %d after apply", v)
	}
	done, err := e.k.LastAppliedUpgrade(e.kv)
	if err != nil || done.GetName() != "v2" || done.GetHeight() != 60 || done.GetAppVersion() != 2 {
		t.Fatalf("applied %v (%v)", done, err)
	}
	list, next, err := e.k.AppliedUpgrades(e.kv, 0, 10)
	if err != nil || len(list) != 1 || next != 0 {
		t.Fatalf("applied list %v next %d (%v)", list, next, err)
	}
}

// TestScheduledUpgradeTooSoonAtExecution: a plan valid when proposed but
// too close by the time it executes (timelock) fails and schedules nothing.
func TestScheduledUpgradeTooSoonAtExecution(t *testing.T) {
	e := newEnv(t, nil)
	id, err := e.propose(1, schedule("v2", 1+types.MinUpgradeDelayBlocks))
	if err != nil {
		t.Fatal(err)
	}
	e.h = 10
	if err := e.approve(2, id); err != nil {
		t.Fatal(err)
	}
	e.endBlock()
	if st := e.status(id); st != types.ProposalStatus_PROPOSAL_STATUS_FAILED {
		t.Fatalf("status %s, want FAILED", st)
	}
	if plan, _ := e.k.UpgradePlan(e.kv); plan != nil {
		t.Fatalf("plan %v", plan)
	}
}
