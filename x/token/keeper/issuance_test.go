package keeper_test

import (
	"errors"
	"testing"
	"time"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/testutil"
	petro "github.com/petro-network/petro/types"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	"github.com/petro-network/petro/x/token/keeper"
	"github.com/petro-network/petro/x/token/types"
)

// issuerRoles is an authority where everyone is an issuer whose allowance
// spend fails with err.
type issuerRoles struct{ err error }

func (issuerRoles) IsIssuer(petro.KVStore, crypto.Address) (bool, error) { return true, nil }
func (issuerRoles) IsComplianceOfficer(petro.KVStore, crypto.Address) (bool, error) {
	return false, nil
}
func (issuerRoles) IsPauser(petro.KVStore, crypto.Address) (bool, error)       { return false, nil }
func (r issuerRoles) UseAllowance(petro.KVStore, crypto.Address, uint64) error { return r.err }
func (issuerRoles) Allowances(petro.KVStore) ([]*types.Allowance, error)       { return nil, nil }
func (issuerRoles) CheckFreeze(petro.KVStore, crypto.Address) error            { return nil }

// backedReserve reports OK backing with room for anything.
type backedReserve struct{}

func (backedReserve) Backing(petro.KVStore) (*reservetypes.Backing, error) {
	return &reservetypes.Backing{Status: reservetypes.BackingStatus_BACKING_STATUS_OK, Capacity: 1 << 60}, nil
}
func (backedReserve) LatestRound(petro.KVStore) (*reservetypes.SettledRound, error) { return nil, nil }
func (backedReserve) Params(petro.KVStore) (*reservetypes.Params, error)            { return nil, nil }
func (backedReserve) RecordDelivery(petro.Context, uint64, uint64) error            { return nil }

// Only an exhausted allowance is token/9; a store error behind the
// allowance stays an internal error (petro/1) (#17).
func TestIssueAllowanceErrors(t *testing.T) {
	for _, c := range []struct {
		name  string
		err   error
		space string
		code  uint32
	}{
		{"allowance exhausted", authoritytypes.ErrInsufficientAllowance.Wrap("allowance 0"), types.Codespace, types.ErrOverAllowance.Code},
		{"store error", errors.New("disk on fire"), petro.CodespaceRoot, petro.ErrInternal.Code},
	} {
		t.Run(c.name, func(t *testing.T) {
			kv := testutil.NewKVStore(t)
			tk := keeper.NewKeeper(issuerRoles{c.err}, backedReserve{})
			if err := tk.InitGenesis(kv, genesis()); err != nil {
				t.Fatal(err)
			}
			ctx := petro.NewContext(kv, "test", 1, time.Unix(1_700_000_000, 0))
			err := tk.HandleIssue(ctx, &types.MsgIssue{Issuer: testutil.Addr(0).String(), Recipient: testutil.Addr(1).String(), Amount: 5})
			if space, code, _ := petro.ABCIInfo(err); space != c.space || code != c.code {
				t.Fatalf("got %s/%d (%v), want %s/%d", space, code, err, c.space, c.code)
			}
		})
	}
}
