package keeper

import (
	"strconv"

	"github.com/petro-network/petro/crypto"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/reserve/types"
)

// HandleAttest records an oracle's report for the open round:
// authorise (oracle role, then not frozen) → validate (round, no second report, observation
// time window, every active lot exactly once, known and unexpired lots)
// → store → emit. The round settles in the end-block once the quorum has
// reported.
func (k Keeper) HandleAttest(ctx petro.Context, m *types.MsgAttest) error {
	if err := m.ValidateBasic(); err != nil {
		return err
	}
	kv := ctx.Store()
	oracles, err := k.authority.Oracles(kv)
	if err != nil {
		return err
	}
	if !contains(oracles, m.Oracle) {
		return types.ErrNotOracle.Wrap(m.Oracle)
	}
	addr, _ := crypto.AddressFromBech32(m.Oracle) // validated
	if frozen, err := k.token.IsFrozen(kv, addr); err != nil {
		return err
	} else if frozen {
		return types.ErrSignerFrozen.Wrap(m.Oracle)
	}
	open, err := k.OpenRound(kv)
	if err != nil {
		return err
	}
	if m.RoundId != open {
		return types.ErrWrongRound.Wrapf("round %d; the open round is %d", m.RoundId, open)
	}
	if bz, err := kv.Get(types.ReportKey(open, addr)); err != nil {
		return err
	} else if bz != nil {
		return types.ErrAlreadyReported.Wrapf("%s in round %d", m.Oracle, open)
	}
	params, err := k.Params(kv)
	if err != nil {
		return err
	}
	now := ctx.BlockTime().Unix()
	if m.ObservedAtUnix < now-int64(params.MaxAgeSeconds) {
		return types.ErrObservationTooOld.Wrapf("observed at %d, block time %d, max age %ds", m.ObservedAtUnix, now, params.MaxAgeSeconds)
	}
	if m.ObservedAtUnix > now+int64(params.MaxFutureSkewSeconds) {
		return types.ErrObservationInFuture.Wrapf("observed at %d, block time %d, skew %ds", m.ObservedAtUnix, now, params.MaxFutureSkewSeconds)
	}
	active, err := k.activeLots(kv, now)
	if err != nil {
		return err
	}
	for _, r := range m.Lots {
		l, err := k.Lot(kv, r.LotId)
		if err != nil {
			return err
		}
		switch {
		case l == nil:
			return types.ErrUnknownLot.Wrap(r.LotId)
		case l.Retired:
			return types.ErrLotRetired.Wrap(r.LotId)
		case l.ValidUntilUnix <= now:
			return types.ErrLotExpired.Wrapf("%s expired at %d", r.LotId, l.ValidUntilUnix)
		}
	}
	if len(active) == 0 {
		return types.ErrNoActiveLots
	}
	if len(m.Lots) != len(active) { // every reported lot is active, sorted, unique
		return types.ErrIncompleteReport.Wrapf("%d of %d active lots", len(m.Lots), len(active))
	}
	a := &types.Attestation{
		Oracle: m.Oracle, RoundId: open, Lots: m.Lots, Price: m.Price,
		ObservedAtUnix: m.ObservedAtUnix, EvidenceHash: m.EvidenceHash, Height: ctx.BlockHeight(),
	}
	if err := set(kv, types.ReportKey(open, addr), a); err != nil {
		return err
	}
	ctx.EmitEvent(petro.NewEvent(types.EventTypeAttestation,
		"oracle", m.Oracle, "round_id", strconv.FormatUint(open, 10),
		"price", strconv.FormatUint(m.Price, 10), "observed_at", strconv.FormatInt(m.ObservedAtUnix, 10)))
	return nil
}

func contains(sorted []string, s string) bool {
	for _, x := range sorted {
		if x == s {
			return true
		}
	}
	return false
}
