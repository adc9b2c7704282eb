//go:build petro_testupgrade

package upgrades

import (
	petro "github.com/petro-network/petro/types"
	authoritykeeper "github.com/petro-network/petro/x/authority/keeper"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
)

// TestUpgradeName is the upgrade a binary built with -tags petro_testupgrade
// knows (the e2e upgrade test builds such a second binary).
const TestUpgradeName = "petro-test-upgrade"

// TestUpgradeAppVersion is the app version from the test upgrade on.
const TestUpgradeAppVersion = 2

func init() {
	registered = append(registered, Upgrade{
		Name:       TestUpgradeName,
		AppVersion: TestUpgradeAppVersion,
		Migrate:    raiseMaxValidators,
	})
}

// raiseMaxValidators is an observable migration: x/authority max_validators
// goes up by one, so a second run would show as +2.
func raiseMaxValidators(ctx petro.Context) error {
	kv := ctx.Store()
	p, err := authoritykeeper.Keeper{}.Params(kv)
	if err != nil {
		return err
	}
	p.MaxValidators++
	if err := p.Validate(); err != nil {
		return err
	}
	return petro.SetProto(kv, authoritytypes.ParamsKey, p)
}
