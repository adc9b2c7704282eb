package store

import (
	"fmt"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/iavl"
)

// RollbackTo deletes every version above target from the tree stored in
// db, so that target is the latest version again, and returns the
// resulting latest version and its root hash. A tree already at or below
// target is left alone. No CommitStore may have db open. `petrod
// rollback` uses it to step the app state back with CometBFT's.
func RollbackTo(db dbm.DB, target int64) (int64, []byte, error) {
	tree := iavl.NewMutableTree(iavlDB{db: db}, DefaultCacheSize, true, iavl.NewNopLogger(), iavl.SyncOption(true))
	defer tree.Close()
	latest, err := tree.Load()
	if err != nil {
		return 0, nil, fmt.Errorf("store: load latest version: %w", err)
	}
	if latest <= target {
		return latest, tree.Hash(), nil
	}
	if err := tree.LoadVersionForOverwriting(target); err != nil {
		return 0, nil, fmt.Errorf("store: roll back from version %d to %d: %w", latest, target, err)
	}
	return tree.Version(), tree.Hash(), nil
}
