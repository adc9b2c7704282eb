package types_test

import (
	"errors"
	"testing"

	"github.com/petro-network/petro/x/authority/types"
)

// TestGenesisUpgradeState: a consistent upgrade state validates; each
// broken rule is ErrInvalidGenesis (authority/24).
func TestGenesisUpgradeState(t *testing.T) {
	good := func() *types.GenesisState {
		return &types.GenesisState{
			Params:          types.DefaultParams(),
			NextProposalId:  3,
			AppliedUpgrades: []*types.AppliedUpgrade{{Name: "v2", Height: 10, AppVersion: 2}, {Name: "v2.1", Height: 20, AppVersion: 2}},
			AppVersion:      2,
			UpgradePlan:     &types.UpgradePlan{Name: "v3", Height: 40, ProposalId: 2},
		}
	}
	if err := good().Validate(); err != nil {
		t.Fatalf("good state: %v", err)
	}
	if err := good().ValidateUpgradesAt(21); err != nil {
		t.Fatalf("good state at 21: %v", err)
	}
	if err := (&types.GenesisState{Params: types.DefaultParams(), AppVersion: 0}).Validate(); err != nil {
		t.Fatalf("no upgrades, app version 0: %v", err)
	}
	for name, breakIt := range map[string]func(g *types.GenesisState){
		"app version not the last record's": func(g *types.GenesisState) { g.AppVersion = 3 },
		"app version 0 after version 2":     func(g *types.GenesisState) { g.AppVersion = 0 },
		"same height twice":                 func(g *types.GenesisState) { g.AppliedUpgrades[1].Height = 10 },
		"same name twice":                   func(g *types.GenesisState) { g.AppliedUpgrades[1].Name = "v2" },
		"record app version 0":              func(g *types.GenesisState) { g.AppliedUpgrades[1].AppVersion = 0 },
		"bad plan name":                     func(g *types.GenesisState) { g.UpgradePlan.Name = "V3!" },
		"plan name applied":                 func(g *types.GenesisState) { g.UpgradePlan.Name = "v2" },
		"plan below a record":               func(g *types.GenesisState) { g.UpgradePlan.Height = 20 },
		"plan of a proposal never made":     func(g *types.GenesisState) { g.UpgradePlan.ProposalId = 3 },
	} {
		g := good()
		breakIt(g)
		if err := g.Validate(); !errors.Is(err, types.ErrInvalidGenesis) {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, initial := range []int64{20, 40, 41} {
		if err := good().ValidateUpgradesAt(initial); !errors.Is(err, types.ErrInvalidGenesis) {
			t.Errorf("initial height %d: %v", initial, err)
		}
	}
}
