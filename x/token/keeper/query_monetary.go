package keeper

import (
	"context"

	"github.com/petro-network/petro/crypto"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/token/types"
)

// RateLimits reports every rate-limited issuer's (or one issuer's) used
// and remaining amount per window at the block time of the height (the
// time x/reserve computed the backing at, i.e. that block's time).
func (q *QueryServer) RateLimits(_ context.Context, req *types.QueryRateLimitsRequest) (*types.QueryRateLimitsResponse, error) {
	var only crypto.Address
	if req.GetIssuer() != "" {
		a, err := crypto.AddressFromBech32(req.GetIssuer())
		if err != nil {
			return nil, types.ErrInvalidAddress.Wrap(err.Error())
		}
		only = a
	}
	kv, h, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	resp := &types.QueryRateLimitsResponse{Height: h}
	if q.k.reserve != nil {
		b, err := q.k.reserve.Backing(kv)
		if err != nil {
			return nil, err
		}
		resp.TimeUnix = b.ComputedTimeUnix
	}
	err = q.k.IterateRateLimits(kv, func(addr crypto.Address, rl *types.RateLimit) error {
		if only != nil && !only.Equals(addr) {
			return nil
		}
		il := &types.IssuerRateLimit{Issuer: addr.String()}
		for _, w := range rl.Windows {
			used, freesIn, err := q.k.WindowUsed(kv, addr, resp.TimeUnix, w.Seconds)
			if err != nil {
				return err
			}
			wu := &types.WindowUsage{Seconds: w.Seconds, Max: w.Max, Used: used, FreesInSeconds: freesIn}
			if used < w.Max {
				wu.Remaining = w.Max - used
			}
			il.Windows = append(il.Windows, wu)
		}
		resp.Limits = append(resp.Limits, il)
		return nil
	})
	return resp, err
}

// Tranches lists every tranche with its cap in base units and its
// outstanding amount, and with prove a proof of each tranche key and of
// the supply against the app hash of the height.
func (q *QueryServer) Tranches(_ context.Context, req *types.QueryTranchesRequest) (*types.QueryTranchesResponse, error) {
	kv, h, err := q.state.StateAt(req.GetHeight())
	if err != nil {
		return nil, err
	}
	ts, err := q.k.Tranches(kv)
	if err != nil {
		return nil, err
	}
	hardCap, err := q.k.HardCap(kv)
	if err != nil {
		return nil, err
	}
	resp := &types.QueryTranchesResponse{Height: h}
	if resp.DefaultTranche, err = q.k.DefaultTranche(kv); err != nil {
		return nil, err
	}
	if resp.Supply, err = q.k.Supply(kv); err != nil {
		return nil, err
	}
	for _, t := range ts {
		resp.Tranches = append(resp.Tranches, &types.TrancheTotals{Tranche: t, Cap: t.Cap(hardCap), Outstanding: t.Outstanding()})
		if req.GetProve() {
			p, err := petro.ProveKey(q.state, h, types.TrancheKey(t.Name))
			if err != nil {
				return nil, err
			}
			resp.Proofs = append(resp.Proofs, p)
		}
	}
	if req.GetProve() {
		resp.SupplyProof, err = petro.ProveKey(q.state, h, types.SupplyKey)
	}
	return resp, err
}
