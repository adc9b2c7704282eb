package app

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/petro-network/petro/internal/store"
)

// lastBlockKey holds the height and header time (unix ns) of the last
// finalized block, so CheckTx has a block time after a restart too.
var lastBlockKey = []byte("app/last_block")

func setLastBlock(kv store.KVStore, height int64, t time.Time) error {
	v := binary.BigEndian.AppendUint64(nil, uint64(height))
	return kv.Set(lastBlockKey, binary.BigEndian.AppendUint64(v, uint64(t.UnixNano())))
}

// lastBlockTime reads the committed last block time (zero before block 1).
func lastBlockTime(kv store.KVStore) (time.Time, error) {
	bz, err := kv.Get(lastBlockKey)
	if err != nil || bz == nil {
		return time.Time{}, err
	}
	if len(bz) != 16 {
		return time.Time{}, fmt.Errorf("app: corrupt %s: %d bytes", lastBlockKey, len(bz))
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(bz[8:]))).UTC(), nil
}

// LastBlockTimeAt is the header time of block height as recorded in that
// committed version's state (zero for a version before block 1).
func (a *App) LastBlockTimeAt(height int64) (time.Time, error) {
	kv, _, err := a.StateAt(height)
	if err != nil {
		return time.Time{}, err
	}
	return lastBlockTime(kv)
}
