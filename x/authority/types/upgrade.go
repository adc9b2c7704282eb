package types

import (
	"encoding/binary"
	"regexp"
)

// MinUpgradeDelayBlocks is how far above the executing block an upgrade
// must be scheduled, so that every operator sees the plan committed before
// the height and has time to install the new binary.
const MinUpgradeDelayBlocks = 20

// GenesisAppVersion is the app (protocol) version of a chain that has
// applied no upgrade that sets one.
const GenesisAppVersion = 1

// State keys of coordinated upgrades.
var (
	UpgradePlanKey    = []byte("authority/upgrade/plan")
	AppVersionKey     = []byte("authority/upgrade/app_version")
	UpgradeDonePrefix = []byte("authority/upgrade/done/") // | height (8, big-endian)
)

// UpgradeDoneKey is the record of the upgrade applied at height.
func UpgradeDoneKey(height int64) []byte {
	return join(UpgradeDonePrefix, binary.BigEndian.AppendUint64(nil, uint64(height)))
}

// Event types of coordinated upgrades.
const (
	EventTypeUpgradeScheduled = "upgrade_scheduled"
	EventTypeUpgradeCancelled = "upgrade_cancelled"
	EventTypeUpgradeApplied   = "upgrade_applied"
)

// upgradeName is what cosmovisor uses as a directory name unchanged: it
// lower-cases names and path-escapes them, so only these characters round-trip.
var upgradeName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// ValidateUpgradeName checks a plan name.
func ValidateUpgradeName(name string) error {
	if !upgradeName.MatchString(name) {
		return ErrInvalidUpgrade.Wrapf("name %q: want 1–64 of a-z 0-9 . _ - starting with a letter or digit", name)
	}
	return nil
}

// MaxUpgradeInfoBytes bounds ScheduleUpgrade.info.
const MaxUpgradeInfoBytes = 2048

// ValidateBasic checks a ScheduleUpgrade without state.
func (m *ScheduleUpgrade) ValidateBasic() error {
	if err := ValidateUpgradeName(m.GetName()); err != nil {
		return err
	}
	if m.GetHeight() <= 0 {
		return ErrInvalidUpgrade.Wrapf("height %d must be positive", m.GetHeight())
	}
	if len(m.GetInfo()) > MaxUpgradeInfoBytes {
		return ErrInvalidUpgrade.Wrapf("info is %d bytes, at most %d", len(m.GetInfo()), MaxUpgradeInfoBytes)
	}
	return nil
}
