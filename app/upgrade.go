package app

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	"github.com/petro-network/petro/app/upgrades"
	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
)

// Coordinated upgrades (x/authority ScheduleUpgrade). At the plan's height
// H a binary without a handler of that name never executes block H: the
// commit of H-1 signals UpgradeNeeded (petrod then stops, writes
// data/upgrade-info.json and exits), ProcessProposal rejects proposals for
// H and FinalizeBlock(H) fails (backstops). A binary with the handler runs
// it once at the start of FinalizeBlock(H), before the first tx, records
// the upgrade as applied and, if the handler sets an app version, hands
// CometBFT the new version (it is in the headers from H+1 on).

// UpgradeNeededError: the chain's next block is the height of a scheduled
// upgrade this binary has no handler for.
type UpgradeNeededError struct {
	Plan *authoritytypes.UpgradePlan
}

func (e *UpgradeNeededError) Error() string {
	return fmt.Sprintf("UPGRADE %q NEEDED at height %d: this binary (petrod %s) has no handler for it; run the binary built for %q", e.Plan.Name, e.Plan.Height, SoftwareVersion, e.Plan.Name)
}

// WrongBinaryError: the chain's state was made by software this binary
// does not implement (an upgrade it does not know, another app version).
type WrongBinaryError struct{ msg string }

func (e *WrongBinaryError) Error() string { return e.msg }

// upgradeState is what the app knows about upgrades: the handlers this
// binary has (looked up by name, never iterated into state) and the
// upgrade-needed signal.
type upgradeState struct {
	handlers map[string]upgrades.Upgrade
	once     sync.Once
	needed   chan struct{}
	plan     *authoritytypes.UpgradePlan // set before needed is closed
}

func newUpgradeState(list []upgrades.Upgrade) (*upgradeState, error) {
	u := &upgradeState{handlers: map[string]upgrades.Upgrade{}, needed: make(chan struct{})}
	for _, h := range list {
		if err := authoritytypes.ValidateUpgradeName(h.Name); err != nil {
			return nil, fmt.Errorf("app: upgrade handler: %w", err)
		}
		if _, dup := u.handlers[h.Name]; dup {
			return nil, fmt.Errorf("app: upgrade handler %q registered twice", h.Name)
		}
		u.handlers[h.Name] = h
	}
	return u, nil
}

// KnownUpgrades are the names of the upgrades this binary has handlers
// for, sorted.
func (a *App) KnownUpgrades() []string {
	out := make([]string, 0, len(a.upgrades.handlers))
	for n := range a.upgrades.handlers {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// SupportedAppVersions are the app versions this binary executes: its own
// (AppVersion) and each one its upgrade handlers set, ascending.
func (a *App) SupportedAppVersions() []uint64 {
	seen := map[uint64]bool{AppVersion: true}
	for _, h := range a.upgrades.handlers {
		if h.AppVersion > 0 {
			seen[h.AppVersion] = true
		}
	}
	out := make([]uint64, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// UpgradeNeeded is closed once a commit leaves the chain one block short
// of a scheduled upgrade this binary has no handler for; NeededUpgrade is
// then that plan.
func (a *App) UpgradeNeeded() <-chan struct{} { return a.upgrades.needed }

// NeededUpgrade is the plan UpgradeNeeded signalled, or nil.
func (a *App) NeededUpgrade() *authoritytypes.UpgradePlan {
	select {
	case <-a.upgrades.needed:
		return a.upgrades.plan
	default:
		return nil
	}
}

// AppVersionAt is the chain's app version in the committed state at
// height (0: latest).
func (a *App) AppVersionAt(height int64) (uint64, error) {
	kv, _, err := a.StateAt(height)
	if err != nil {
		return 0, err
	}
	return a.authority.AppVersion(kv)
}

// unhandledPlan is the scheduled plan if it is at height and this binary
// has no handler for it, else nil.
func (a *App) unhandledPlan(kv store.KVStore, height int64) (*authoritytypes.UpgradePlan, error) {
	plan, err := a.authority.UpgradePlan(kv)
	if err != nil || plan == nil || plan.Height != height {
		return nil, err
	}
	if _, ok := a.upgrades.handlers[plan.Name]; ok {
		return nil, nil
	}
	return plan, nil
}

// afterCommitUpgrade is a commit listener: it signals UpgradeNeeded when
// the next block is an unhandled upgrade's height.
func (a *App) afterCommitUpgrade(version int64, _ [][]byte, _ []*abci.ExecTxResult) {
	kv, _, err := a.StateAt(version)
	if err != nil {
		a.logger.Error("upgrade check after commit", "height", version, "err", err)
		return
	}
	plan, err := a.unhandledPlan(kv, version+1)
	if err != nil {
		a.logger.Error("upgrade check after commit", "height", version, "err", err)
		return
	}
	if plan != nil {
		a.signalUpgrade(plan)
	}
}

func (a *App) signalUpgrade(plan *authoritytypes.UpgradePlan) {
	a.upgrades.once.Do(func() {
		if a.opts.OnUpgradeNeeded != nil {
			a.opts.OnUpgradeNeeded(plan)
		}
		a.upgrades.plan = plan
		close(a.upgrades.needed)
	})
}

// CheckUpgrades tells whether this binary may run the chain from its last
// committed state: an *UpgradeNeededError if the next block is a scheduled
// upgrade it has no handler for (UpgradeNeeded is signalled too), a
// *WrongBinaryError if the chain applied an upgrade this binary does not
// know or runs an app version it does not implement, nil otherwise.
// petrod start calls it before the node starts.
func (a *App) CheckUpgrades() error {
	last, _ := a.cs.LastCommit()
	kv, _, err := a.StateAt(0)
	if err != nil {
		return err
	}
	plan, err := a.unhandledPlan(kv, last+1)
	if err != nil {
		return err
	}
	if plan != nil {
		a.signalUpgrade(plan)
		return &UpgradeNeededError{Plan: plan}
	}
	return a.checkBinary(kv, last)
}

// checkBinary is a *WrongBinaryError if the state kv (at height) applied
// an upgrade this binary does not know or runs an app version it does not
// implement.
func (a *App) checkBinary(kv store.KVStore, height int64) error {
	done, err := a.authority.LastAppliedUpgrade(kv)
	if err != nil {
		return err
	}
	if _, known := a.upgrades.handlers[done.GetName()]; done != nil && !known {
		return &WrongBinaryError{fmt.Sprintf("the chain applied upgrade %q at height %d, which this binary (petrod %s, upgrades known: [%s]) does not know: run the binary built for %q or a later one",
			done.Name, done.Height, SoftwareVersion, strings.Join(a.KnownUpgrades(), " "), done.Name)}
	}
	v, err := a.authority.AppVersion(kv)
	if err != nil {
		return err
	}
	for _, s := range a.SupportedAppVersions() {
		if s == v {
			return nil
		}
	}
	return &WrongBinaryError{fmt.Sprintf("the chain runs app version %d at height %d; this binary (petrod %s) runs app versions %v: run the binary for app version %d",
		v, height, SoftwareVersion, a.SupportedAppVersions(), v)}
}

// beginBlockUpgrade runs at the start of FinalizeBlock, before any tx. At
// the height of a plan this binary has a handler for it migrates the
// state once, on a branch written only if the migration and the record
// succeed, and returns the block events (upgrade_applied) and, when the
// app version changes, the consensus-param update. At the height of a
// plan it has no handler for it fails: the block must be executed by the
// new binary. Any error stops the node (every node with this binary fails
// alike): nothing half-migrated is ever committed.
func (a *App) beginBlockUpgrade(ctx petro.Context) (*cmtproto.ConsensusParams, []abci.Event, error) {
	plan, err := a.authority.UpgradePlan(ctx.Store())
	if err != nil || plan == nil || plan.Height != ctx.BlockHeight() {
		return nil, nil, err
	}
	h, ok := a.upgrades.handlers[plan.Name]
	if !ok {
		a.signalUpgrade(plan)
		return nil, nil, &UpgradeNeededError{Plan: plan}
	}
	branch := store.NewBranch(ctx.Store())
	bctx := ctx.WithStore(branch)
	before, err := a.authority.AppVersion(branch)
	if err != nil {
		return nil, nil, err
	}
	if h.Migrate != nil {
		if err := h.Migrate(bctx); err != nil {
			return nil, nil, fmt.Errorf("upgrade %q at height %d: migration failed: %w", plan.Name, plan.Height, err)
		}
	}
	if err := a.authority.ApplyUpgrade(bctx, plan, h.AppVersion); err != nil {
		return nil, nil, fmt.Errorf("upgrade %q at height %d: %w", plan.Name, plan.Height, err)
	}
	if err := branch.Write(); err != nil {
		return nil, nil, fmt.Errorf("upgrade %q at height %d: %w", plan.Name, plan.Height, err)
	}
	events := make([]abci.Event, 0, len(bctx.Events()))
	for _, ev := range bctx.Events() {
		events = append(events, toABCIEvent(ev))
	}
	a.logger.Info("upgrade applied", "name", plan.Name, "height", plan.Height, "app_version", max(h.AppVersion, before))
	if h.AppVersion == 0 || h.AppVersion == before {
		return nil, events, nil
	}
	return &cmtproto.ConsensusParams{Version: &cmtproto.VersionParams{App: h.AppVersion}}, events, nil
}

// rejectUnhandledUpgrade: a proposal for the height of an upgrade this
// binary has no handler for is rejected (kv: the committed state below it).
func (a *App) rejectUnhandledUpgrade(height int64) bool {
	kv, _, err := a.StateAt(0)
	if err != nil {
		return false
	}
	plan, err := a.unhandledPlan(kv, height)
	return err == nil && plan != nil
}
