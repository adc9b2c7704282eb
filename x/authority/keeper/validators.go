package keeper

import (
	"math/big"

	"github.com/petro-network/petro/internal/store"
	"github.com/petro-network/petro/x/authority/types"
)

// ValidatorUpdate is one change for CometBFT: power 0 removes the key.
type ValidatorUpdate struct {
	PubKey []byte
	Power  int64
}

// powerChange checks a validator action against the current set and
// returns the update it makes. blockDelta is the |Δ power| already applied
// in this block (0 at proposal time). It is the single rule book used both
// when a change is proposed and again right before it is emitted, so a
// change CometBFT would refuse (and halt on) never reaches it.
func (k Keeper) powerChange(kv store.KVStore, a *types.Action, blockDelta, blockStartTotal int64) (*ValidatorUpdate, *types.Validator, error) {
	params, err := k.Params(kv)
	if err != nil {
		return nil, nil, err
	}
	vals, err := k.Validators(kv)
	if err != nil {
		return nil, nil, err
	}
	var total int64
	for _, v := range vals {
		total += v.Power
	}
	if blockStartTotal == 0 {
		blockStartTotal = total
	}
	var (
		upd   *ValidatorUpdate
		rec   *types.Validator
		delta int64
	)
	switch s := a.GetSum().(type) {
	case *types.Action_AddValidator:
		v := s.AddValidator.GetValidator()
		if err := v.ValidateBasic(); err != nil {
			return nil, nil, err
		}
		for _, cur := range vals {
			if string(cur.PubKey) == string(v.PubKey) {
				return nil, nil, types.ErrDuplicateValidator.Wrap(cur.Address)
			}
			if cur.NodeId == v.NodeId {
				return nil, nil, types.ErrDuplicateNodeID.Wrapf("%s is validator %s's", v.NodeId, cur.Address)
			}
		}
		if len(vals)+1 > int(params.MaxValidators) {
			return nil, nil, types.ErrTooManyValidators.Wrapf("max_validators is %d", params.MaxValidators)
		}
		if v.Power > types.MaxTotalVotingPower-total {
			return nil, nil, types.ErrTotalPowerLimit.Wrapf("total %d + %d > %d", total, v.Power, types.MaxTotalVotingPower)
		}
		rec = cloneValidator(v)
		upd, delta = &ValidatorUpdate{PubKey: v.PubKey, Power: v.Power}, v.Power
	case *types.Action_RemoveValidator:
		cur := find(vals, s.RemoveValidator.GetPubKey())
		if cur == nil {
			return nil, nil, types.ErrUnknownValidator.Wrap(types.ConsAddressHex(s.RemoveValidator.GetPubKey()))
		}
		if len(vals) == 1 {
			return nil, nil, types.ErrLastValidator
		}
		rec = cloneValidator(cur)
		rec.Power = 0
		upd, delta = &ValidatorUpdate{PubKey: cur.PubKey, Power: 0}, cur.Power
	case *types.Action_SetValidatorPower:
		cur := find(vals, s.SetValidatorPower.GetPubKey())
		if cur == nil {
			return nil, nil, types.ErrUnknownValidator.Wrap(types.ConsAddressHex(s.SetValidatorPower.GetPubKey()))
		}
		p := s.SetValidatorPower.GetPower()
		if p <= 0 {
			return nil, nil, types.ErrInvalidPower.Wrapf("%d: must be positive", p)
		}
		if p-cur.Power > types.MaxTotalVotingPower-total {
			return nil, nil, types.ErrTotalPowerLimit.Wrapf("total would exceed %d", types.MaxTotalVotingPower)
		}
		rec = cloneValidator(cur)
		rec.Power = p
		upd, delta = &ValidatorUpdate{PubKey: cur.PubKey, Power: p}, abs(p-cur.Power)
	default:
		return nil, nil, nil
	}
	// |Δ| cap, relative to the power at the start of the block, in 128-bit
	// arithmetic (powers go up to MaxTotalVotingPower; ×100 would wrap).
	lhs := new(big.Int).Mul(big.NewInt(blockDelta), big.NewInt(100))
	lhs.Add(lhs, new(big.Int).Mul(big.NewInt(delta), big.NewInt(100)))
	rhs := new(big.Int).Mul(big.NewInt(int64(params.MaxPowerChangePercent)), big.NewInt(blockStartTotal))
	if lhs.Cmp(rhs) > 0 {
		return nil, nil, types.ErrPowerChangeTooLarge.Wrapf("|Δ| %d (%d already this block) > %d%% of %d",
			delta, blockDelta, params.MaxPowerChangePercent, blockStartTotal)
	}
	return upd, rec, nil
}

func find(vals []*types.Validator, pk []byte) *types.Validator {
	for _, v := range vals {
		if string(v.PubKey) == string(pk) {
			return v
		}
	}
	return nil
}

func cloneValidator(v *types.Validator) *types.Validator {
	return &types.Validator{PubKey: append([]byte(nil), v.PubKey...), Power: v.Power, Operator: v.Operator, NodeId: v.NodeId, Moniker: v.Moniker, Address: types.ConsAddressHex(v.PubKey)}
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// ValidateUpdates is the last gate before updates leave the app: keys are
// ed25519, no key appears twice, powers are within range, and the set
// stays non-empty. It checks the whole batch against the set as it was at
// the start of the block.
func ValidateUpdates(before []*types.Validator, updates []ValidatorUpdate) error {
	if len(updates) == 0 {
		return nil
	}
	seen := map[string]bool{}
	power := map[string]int64{}
	for _, v := range before {
		power[string(v.PubKey)] = v.Power
	}
	for _, u := range updates {
		if err := types.ValidatePubKey(u.PubKey); err != nil {
			return err
		}
		if seen[string(u.PubKey)] {
			return types.ErrDuplicateValidator.Wrapf("%s updated twice in one block", types.ConsAddressHex(u.PubKey))
		}
		seen[string(u.PubKey)] = true
		if u.Power < 0 || u.Power > types.MaxTotalVotingPower {
			return types.ErrInvalidPower.Wrapf("%d", u.Power)
		}
		if _, ok := power[string(u.PubKey)]; !ok && u.Power == 0 {
			return types.ErrUnknownValidator.Wrapf("removing %s, which is not a validator", types.ConsAddressHex(u.PubKey))
		}
		if u.Power == 0 {
			delete(power, string(u.PubKey))
		} else {
			power[string(u.PubKey)] = u.Power
		}
	}
	var total int64
	for _, p := range power {
		total += p
		if total > types.MaxTotalVotingPower {
			return types.ErrTotalPowerLimit
		}
	}
	if total == 0 {
		return types.ErrLastValidator.Wrap("the set would be empty")
	}
	return nil
}
