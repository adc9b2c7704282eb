package app

import (
	"fmt"
	"strconv"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// Invariants evaluates every module's invariants on kv, in module order
// (token, reserve, authority). With full false only the checks whose cost
// does not grow with the chain (holders, redemptions, history) run: the
// set every node checks at every end-block. full adds the rest.
func (a *App) Invariants(kv store.KVStore, full bool) ([]petro.InvariantResult, error) {
	tok, err := a.token.ModuleInvariants(kv, full)
	if err != nil {
		return nil, fmt.Errorf("token invariants: %w", err)
	}
	res, err := a.reserve.Invariants(kv, full)
	if err != nil {
		return nil, fmt.Errorf("reserve invariants: %w", err)
	}
	auth, err := a.authority.Invariants(kv, full)
	if err != nil {
		return nil, fmt.Errorf("authority invariants: %w", err)
	}
	return append(append(tok, res...), auth...), nil
}

// CheckInvariants verifies every module invariant (the full set) on kv.
func (a *App) CheckInvariants(kv store.KVStore) error {
	res, err := a.Invariants(kv, true)
	if err != nil {
		return err
	}
	return petro.Broken(res)
}

// blockInvariants is the last end-block step, run by every node at every
// block (so what it writes is consensus): the bounded invariants. The
// first time one breaks, issuance stops (x/token refuses MsgIssue with
// token/40 from the next tx on) and an invariant_broken event per broken
// invariant goes into the block; nothing panics and no tx fails for it.
func (a *App) blockInvariants(ctx petro.Context) error {
	kv := ctx.Store()
	if stop, err := a.token.IssuanceStop(kv); err != nil || stop != "" {
		return err // already stopped: the event went out when it broke
	}
	res, err := a.Invariants(kv, false)
	if err != nil {
		return err
	}
	if petro.Broken(res) == nil {
		return nil
	}
	first := ""
	for _, r := range res {
		if r.Holds {
			continue
		}
		if first == "" {
			first = fmt.Sprintf("%s: %s (%s) at height %d", r.Module, r.Name, r.Detail, ctx.BlockHeight())
		}
		ctx.EmitEvent(petro.NewEvent(tokentypes.EventTypeInvariantBroken,
			"module", r.Module, "name", r.Name, "detail", r.Detail, "height", strconv.FormatInt(ctx.BlockHeight(), 10)))
	}
	a.logger.Error("ledger invariant broken; issuance stopped", "height", ctx.BlockHeight(), "first", first)
	return a.token.StopIssuance(kv, first)
}

// IssuanceStop returns why issuance is stopped at kv ("" while it is not):
// for metrics and the invariants query.
func (a *App) IssuanceStop(kv store.KVStore) (string, error) { return a.token.IssuanceStop(kv) }

// LocalInvariantBreaches counts the blocks after which this node's
// optional full check (Options.CheckInvariants) found a broken invariant.
func (a *App) LocalInvariantBreaches() uint64 { return a.localBreaches.Load() }

// Backing is the reserve backing computed at the end of the block kv was
// committed at (for metrics).
func (a *App) Backing(kv store.KVStore) (*reservetypes.Backing, error) { return a.reserve.Backing(kv) }

// ReserveParams are x/reserve's parameters at kv (for metrics).
func (a *App) ReserveParams(kv store.KVStore) (*reservetypes.Params, error) {
	return a.reserve.Params(kv)
}

// Supply is the PTR supply at kv, in base units (for metrics).
func (a *App) Supply(kv store.KVStore) (uint64, error) { return a.token.Supply(kv) }

// MonetaryFigures reads the tranches and rate windows at kv, at block time
// now (for metrics).
func (a *App) MonetaryFigures(kv store.KVStore, now int64) (tokentypes.MonetaryFigures, error) {
	t := a.token
	var s tokentypes.MonetaryFigures
	hardCap, err := t.HardCap(kv)
	if err != nil {
		return s, err
	}
	ts, err := t.Tranches(kv)
	if err != nil {
		return s, fmt.Errorf("tranches: %w", err)
	}
	for _, tr := range ts {
		s.Tranches = append(s.Tranches, tokentypes.TrancheFigure{Name: tr.Name, Cap: tr.Cap(hardCap), Outstanding: tr.Outstanding()})
	}
	err = t.IterateRateLimits(kv, func(addr crypto.Address, rl *tokentypes.RateLimit) error {
		for _, w := range rl.Windows {
			used, _, err := t.WindowUsed(kv, addr, now, w.Seconds)
			if err != nil {
				return err
			}
			s.Windows = append(s.Windows, tokentypes.RateFigure{Issuer: addr.String(), Seconds: w.Seconds, Used: used, Max: w.Max})
		}
		return nil
	})
	if err != nil {
		return s, fmt.Errorf("rate limits: %w", err)
	}
	return s, nil
}
