// Package upgrades is the registry of the coordinated upgrades this binary
// knows. An upgrade scheduled by the council (x/authority ScheduleUpgrade)
// stops every node at its height unless the node's binary has an Upgrade of
// that name here; a binary that has it runs Migrate once at that height,
// before the block's first tx, and goes on.
//
// A release adds its upgrade in a file of its own that appends to the
// registry from init. Later releases keep the names of past upgrades (their
// Migrate may be dropped): a node refuses to start if the chain's last
// applied upgrade is not in its binary's registry.
package upgrades

import (
	"slices"

	petro "github.com/petro-network/petro/types"
)

// Upgrade is one named state migration.
type Upgrade struct {
	// Name is the plan name the council schedules (x/authority
	// ValidateUpgradeName) and cosmovisor's upgrades/<name> directory.
	Name string
	// AppVersion is the chain's app (protocol) version from the upgrade
	// height on; 0 keeps the current one.
	AppVersion uint64
	// Migrate changes the state at the upgrade height. It must be
	// deterministic; an error stops the node (every node with this binary
	// fails alike). Nil: nothing to migrate.
	Migrate func(ctx petro.Context) error
}

// registered is filled by init functions of this package's files only
// (some behind build tags, e.g. petro_testupgrade), never at run time.
var registered []Upgrade

// All returns the upgrades this binary was built with, by name.
func All() []Upgrade {
	out := slices.Clone(registered)
	slices.SortFunc(out, func(a, b Upgrade) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return out
}
