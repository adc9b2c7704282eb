package keeper

import (
	"encoding/binary"
	"strconv"

	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/authority/types"
)

// Coordinated upgrades: the council schedules one plan {name, height, info}
// at a time; the app stops before executing block height unless its binary
// has a handler of that name, which then runs once (ApplyUpgrade).

// UpgradePlan returns the scheduled upgrade, or nil.
func (Keeper) UpgradePlan(kv store.KVStore) (*types.UpgradePlan, error) {
	p := &types.UpgradePlan{}
	ok, err := get(kv, types.UpgradePlanKey, p)
	if !ok {
		return nil, err
	}
	return p, nil
}

// AppVersion is the chain's app (protocol) version: the one set by the
// last applied upgrade that set one, else types.GenesisAppVersion.
func (Keeper) AppVersion(kv store.KVStore) (uint64, error) {
	bz, err := kv.Get(types.AppVersionKey)
	if err != nil || len(bz) != 8 {
		return types.GenesisAppVersion, err
	}
	return binary.BigEndian.Uint64(bz), nil
}

// AppliedUpgrades returns up to limit applied upgrades from height from on,
// in height order, and the height to continue from (0 at the end).
func (Keeper) AppliedUpgrades(kv store.KVStore, from int64, limit int) ([]*types.AppliedUpgrade, int64, error) {
	it, err := kv.Iterator(types.UpgradeDoneKey(from), petro.PrefixEnd(types.UpgradeDonePrefix))
	if err != nil {
		return nil, 0, err
	}
	defer it.Close()
	var out []*types.AppliedUpgrade
	for ; it.Valid(); it.Next() {
		u := &types.AppliedUpgrade{}
		if err := proto.Unmarshal(it.Value(), u); err != nil {
			return nil, 0, err
		}
		if len(out) == limit {
			return out, u.Height, nil
		}
		out = append(out, u)
	}
	return out, 0, it.Error()
}

// LastAppliedUpgrade is the applied upgrade of the greatest height, or nil.
func (Keeper) LastAppliedUpgrade(kv store.KVStore) (*types.AppliedUpgrade, error) {
	it, err := kv.ReverseIterator(types.UpgradeDonePrefix, petro.PrefixEnd(types.UpgradeDonePrefix))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	if !it.Valid() {
		return nil, it.Error()
	}
	u := &types.AppliedUpgrade{}
	return u, proto.Unmarshal(it.Value(), u)
}

func (k Keeper) upgradeNameUsed(kv store.KVStore, name string) (bool, error) {
	used := false
	err := iterate(kv, types.UpgradeDonePrefix, func() proto.Message { return &types.AppliedUpgrade{} }, func(m proto.Message) bool {
		used = m.(*types.AppliedUpgrade).Name == name
		return used
	})
	return used, err
}

// validateUpgradeAction checks ScheduleUpgrade and CancelUpgrade against
// state at ctx's block: a new plan needs a fresh name, a height at least
// MinUpgradeDelayBlocks ahead and no plan already scheduled; a cancel
// names the scheduled plan.
func (k Keeper) validateUpgradeAction(ctx petro.Context, a *types.Action) error {
	kv := ctx.Store()
	plan, err := k.UpgradePlan(kv)
	if err != nil {
		return err
	}
	switch s := a.GetSum().(type) {
	case *types.Action_ScheduleUpgrade:
		m := s.ScheduleUpgrade
		if err := m.ValidateBasic(); err != nil {
			return err
		}
		if min := ctx.BlockHeight() + types.MinUpgradeDelayBlocks; m.Height < min {
			return types.ErrUpgradeTooSoon.Wrapf("height %d: at block %d the earliest is %d", m.Height, ctx.BlockHeight(), min)
		}
		if plan != nil {
			return types.ErrUpgradeScheduled.Wrapf("%q at height %d: cancel it first", plan.Name, plan.Height)
		}
		if used, err := k.upgradeNameUsed(kv, m.Name); err != nil {
			return err
		} else if used {
			return types.ErrUpgradeNameUsed.Wrap(m.Name)
		}
	case *types.Action_CancelUpgrade:
		if plan == nil {
			return types.ErrNoUpgradeScheduled.Wrapf("%q: no upgrade is scheduled", s.CancelUpgrade.GetName())
		}
		if plan.Name != s.CancelUpgrade.GetName() {
			return types.ErrNoUpgradeScheduled.Wrapf("%q: the scheduled upgrade is %q", s.CancelUpgrade.GetName(), plan.Name)
		}
	}
	return nil
}

// executeUpgradeAction applies a validated ScheduleUpgrade or CancelUpgrade.
func (k Keeper) executeUpgradeAction(ctx petro.Context, p *types.Proposal) error {
	kv := ctx.Store()
	switch s := p.Action.GetSum().(type) {
	case *types.Action_ScheduleUpgrade:
		m := s.ScheduleUpgrade
		plan := &types.UpgradePlan{Name: m.Name, Height: m.Height, Info: m.Info, ProposalId: p.Id}
		if err := set(kv, types.UpgradePlanKey, plan); err != nil {
			return err
		}
		ctx.EmitEvent(petro.NewEvent(types.EventTypeUpgradeScheduled,
			"name", m.Name, "height", strconv.FormatInt(m.Height, 10), "proposal_id", strconv.FormatUint(p.Id, 10)))
	case *types.Action_CancelUpgrade:
		if err := kv.Delete(types.UpgradePlanKey); err != nil {
			return err
		}
		ctx.EmitEvent(petro.NewEvent(types.EventTypeUpgradeCancelled,
			"name", s.CancelUpgrade.Name, "proposal_id", strconv.FormatUint(p.Id, 10)))
	}
	return nil
}

// ApplyUpgrade records that plan's handler ran at ctx's block (which must
// be plan.Height) and clears the plan; appVersion > 0 becomes the chain's
// app version. The app calls it once, before the block's first tx.
func (k Keeper) ApplyUpgrade(ctx petro.Context, plan *types.UpgradePlan, appVersion uint64) error {
	kv := ctx.Store()
	if appVersion == 0 {
		v, err := k.AppVersion(kv)
		if err != nil {
			return err
		}
		appVersion = v
	} else if err := kv.Set(types.AppVersionKey, binary.BigEndian.AppendUint64(nil, appVersion)); err != nil {
		return err
	}
	rec := &types.AppliedUpgrade{Name: plan.Name, Height: ctx.BlockHeight(), AppVersion: appVersion}
	if err := set(kv, types.UpgradeDoneKey(rec.Height), rec); err != nil {
		return err
	}
	if err := kv.Delete(types.UpgradePlanKey); err != nil {
		return err
	}
	ctx.EmitEvent(petro.NewEvent(types.EventTypeUpgradeApplied,
		"name", plan.Name, "height", strconv.FormatInt(rec.Height, 10), "app_version", strconv.FormatUint(appVersion, 10)))
	return nil
}
