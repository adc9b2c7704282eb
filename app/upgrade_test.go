package app_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/app/upgrades"
	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/internal/store"
	"github.com/petro-network/petro/internal/testutil"
	petro "github.com/petro-network/petro/types"
	txtypes "github.com/petro-network/petro/types/tx"
	authoritykeeper "github.com/petro-network/petro/x/authority/keeper"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
)

// upgradeChain runs the same blocks on an "old" app (no handlers) and a
// "new" one (handlers v2 and never-scheduled), on pebble, in lockstep.
type upgradeChain struct {
	t        *testing.T
	old, new *app.App
	closeNew func()
	newDir   string
	h        int64
	seq      uint64
	migrated *int
}

const kUpgradeCouncil = 7

func newUpgradeChain(t *testing.T) *upgradeChain {
	gs := testutil.NewGenesis().State()
	gs.Authority.Council = &authoritytypes.Council{Members: []string{testutil.Addr(kUpgradeCouncil).String()}, Threshold: 1}
	migrated := 0
	handlers := []upgrades.Upgrade{
		{Name: "v2", AppVersion: 2, Migrate: func(ctx petro.Context) error {
			migrated++
			p, err := authoritykeeper.Keeper{}.Params(ctx.Store())
			if err != nil {
				return err
			}
			p.MaxValidators++
			return petro.SetProto(ctx.Store(), authoritytypes.ParamsKey, p)
		}},
		{Name: "never-scheduled", AppVersion: 3, Migrate: func(petro.Context) error {
			t.Error("the handler of an upgrade that was never scheduled ran")
			return nil
		}},
	}
	c := &upgradeChain{t: t, newDir: t.TempDir(), migrated: &migrated}
	c.old = testutil.NewApp(t, gs)
	c.new, c.closeNew = testutil.NewPebbleApp(t, c.newDir, gs, func(o *app.Options) { o.Upgrades = handlers })
	return c
}

// block runs one block on both apps and checks they agree.
func (c *upgradeChain) block(txs ...[]byte) {
	c.t.Helper()
	c.h++
	tm := testutil.BlockTime(c.h)
	testutil.Block(c.t, c.old, c.h, tm, txs...)
	testutil.Block(c.t, c.new, c.h, tm, txs...)
	_, a := c.old.LastCommit()
	_, b := c.new.LastCommit()
	if !bytes.Equal(a, b) {
		c.t.Fatalf("height %d: app hashes differ before the upgrade", c.h)
	}
}

func (c *upgradeChain) propose(a *authoritytypes.Action) []byte {
	c.t.Helper()
	msg := &txtypes.Msg{Sum: &txtypes.Msg_Propose{Propose: &authoritytypes.MsgPropose{Proposer: testutil.Addr(kUpgradeCouncil).String(), Action: a}}}
	raw, err := client.SignTx(testutil.ChainID, testutil.Key(kUpgradeCouncil), c.seq, []*txtypes.Msg{msg}, client.TxOptions{})
	if err != nil {
		c.t.Fatal(err)
	}
	c.seq++
	return raw
}

func maxValidators(t *testing.T, a *app.App) uint32 {
	t.Helper()
	kv, _, err := a.StateAt(0)
	if err != nil {
		t.Fatal(err)
	}
	p, err := authoritykeeper.Keeper{}.Params(kv)
	if err != nil {
		t.Fatal(err)
	}
	return p.MaxValidators
}

// TestUpgradeAtHeight: the council schedules v2 at H. The old app signals
// UpgradeNeeded at the commit of H-1, refuses to start, rejects proposals
// for H and fails FinalizeBlock(H) without changing state. The new app runs
// the migration once at H, before the block's txs, reports app version 2
// (Info and a consensus param update) and goes on; the never-scheduled
// handler never runs. Reopened with no handlers, the new app's state is
// refused (unknown upgrade).
func TestUpgradeAtHeight(t *testing.T) {
	c := newUpgradeChain(t)
	ctx := context.Background()
	c.block()
	before := maxValidators(t, c.new)
	height := c.h + 1 + authoritytypes.MinUpgradeDelayBlocks
	c.block(c.propose(&authoritytypes.Action{Sum: &authoritytypes.Action_ScheduleUpgrade{ScheduleUpgrade: &authoritytypes.ScheduleUpgrade{Name: "v2", Height: height}}}))
	for c.h < height-1 {
		select {
		case <-c.old.UpgradeNeeded():
			t.Fatalf("upgrade signalled at height %d, before %d", c.h, height-1)
		default:
		}
		if err := c.old.CheckUpgrades(); err != nil {
			t.Fatalf("height %d: %v", c.h, err)
		}
		c.block()
	}

	// ASSERT (old): signalled, refuses to start and to execute H.
	select {
	case <-c.old.UpgradeNeeded():
	default:
		t.Fatal("no upgrade signal after the commit of H-1")
	}
	if p := c.old.NeededUpgrade(); p.GetName() != "v2" || p.GetHeight() != height {
		t.Fatalf("needed upgrade %v", p)
	}
	var need *app.UpgradeNeededError
	if err := c.old.CheckUpgrades(); !errors.As(err, &need) || need.Plan.Name != "v2" {
		t.Fatalf("CheckUpgrades at H-1: %v", err)
	}
	if st := processProposal(t, c.old, height); st != abci.ResponseProcessProposal_REJECT {
		t.Fatalf("old app: proposal for the upgrade height %v", st)
	}
	_, hashBefore := c.old.LastCommit()
	if _, err := c.old.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Height: height, Time: testutil.BlockTime(height)}); !errors.As(err, &need) {
		t.Fatalf("old app: FinalizeBlock at the upgrade height: %v", err)
	}
	if _, h := c.old.LastCommit(); !bytes.Equal(h, hashBefore) {
		t.Fatal("old app: state changed")
	}
	select {
	case <-c.new.UpgradeNeeded():
		t.Fatal("the new app signalled an upgrade it has a handler for")
	default:
	}
	if err := c.new.CheckUpgrades(); err != nil {
		t.Fatalf("new app at H-1: %v", err)
	}

	// ASSERT (new): the migration runs once at H, then the chain goes on.
	c.h++
	resp := testutil.Block(t, c.new, c.h, testutil.BlockTime(c.h))
	if v := resp.ConsensusParamUpdates.GetVersion().GetApp(); v != 2 {
		t.Fatalf("consensus param update at H: app version %d, want 2", v)
	}
	if len(resp.Events) == 0 || resp.Events[0].Type != authoritytypes.EventTypeUpgradeApplied {
		t.Fatalf("block events at H: %v, want %s first", resp.Events, authoritytypes.EventTypeUpgradeApplied)
	}
	for range 3 {
		c.h++
		if r := testutil.Block(t, c.new, c.h, testutil.BlockTime(c.h)); r.ConsensusParamUpdates != nil {
			t.Fatalf("height %d: consensus params updated again", c.h)
		}
	}
	if *c.migrated != 1 || maxValidators(t, c.new) != before+1 {
		t.Fatalf("migration ran %d times; max_validators %d, want %d", *c.migrated, maxValidators(t, c.new), before+1)
	}
	info, err := c.new.Info(ctx, &abci.RequestInfo{})
	if err != nil || info.AppVersion != 2 {
		t.Fatalf("Info app version %d (%v)", info.GetAppVersion(), err)
	}
	if err := c.new.CheckUpgrades(); err != nil {
		t.Fatalf("new app after the upgrade: %v", err)
	}

	// ASSERT: a binary without the handler refuses the upgraded state; so
	// does one that knows the name but not the app version it set.
	c.closeNew()
	for name, opts := range map[string][]testutil.Option{
		"unknown upgrade":     nil,
		"unknown app version": {func(o *app.Options) { o.Upgrades = []upgrades.Upgrade{{Name: "v2"}} }},
	} {
		reopened, closeFn := testutil.OpenApp(t, store.BackendPebble, c.newDir, opts...)
		var wrong *app.WrongBinaryError
		if err := reopened.CheckUpgrades(); !errors.As(err, &wrong) {
			t.Fatalf("%s: CheckUpgrades on the upgraded state: %v", name, err)
		}
		closeFn()
	}
}

// TestUpgradeHandlerValidation: bad or duplicate handler names are refused
// when the app opens.
func TestUpgradeHandlerValidation(t *testing.T) {
	for name, list := range map[string][]upgrades.Upgrade{
		"bad name":  {{Name: "V2"}},
		"duplicate": {{Name: "v2"}, {Name: "v2"}},
	} {
		t.Run(name, func(t *testing.T) {
			db, err := store.OpenDB(store.BackendMemDB, "", "application")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := app.New(testutil.ChainID, db, app.Options{Upgrades: list}); err == nil {
				t.Fatal("app opened")
			}
		})
	}
}
