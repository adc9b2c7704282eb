package keeper

import (
	"encoding/binary"
	"math/big"
	"strconv"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/token/types"
)

// The redemption lifecycle: REQUESTED (tokens in escrow, price round
// pinned) → ACCEPTED by an issuer → FULFILLED with a proof (escrow burned,
// barrels recorded as delivered) or REJECTED with a reason (refund);
// REQUESTED or ACCEPTED past the deadline → EXPIRED (refund, end-block).

// HandleRequestRedemption: transfers not paused → owner not frozen →
// enough balance → a settled round to pin → move to escrow → record.
func (k Keeper) HandleRequestRedemption(ctx petro.Context, m *types.MsgRequestRedemption) (uint64, error) {
	if err := m.ValidateBasic(); err != nil {
		return 0, err
	}
	kv := ctx.Store()
	owner, _ := crypto.AddressFromBech32(m.Owner)
	pause, err := k.Pause(kv)
	if err != nil {
		return 0, err
	}
	if pause.TransfersPaused {
		return 0, types.ErrTransfersPaused
	}
	if err := k.checkNotFrozen(kv, owner, "owner"); err != nil {
		return 0, err
	}
	bal, err := k.Balance(kv, owner)
	if err != nil {
		return 0, err
	}
	if bal < m.Amount {
		return 0, types.ErrInsufficientFunds.Wrapf("%s has %d, redeeming %d", m.Owner, bal, m.Amount)
	}
	round, err := k.reserve.LatestRound(kv)
	if err != nil {
		return 0, err
	}
	if round == nil {
		return 0, types.ErrNoSettledRound
	}
	rp, err := k.reserve.Params(kv)
	if err != nil {
		return 0, err
	}
	params, err := k.Params(kv)
	if err != nil {
		return 0, err
	}
	t, err := k.Totals(kv)
	if err != nil {
		return 0, err
	}
	if t.Escrow, err = petro.SafeAdd(t.Escrow, m.Amount); err != nil {
		return 0, err
	}
	id, err := petro.GetUint64(kv, types.RedemptionSeqKey, 0)
	if err != nil {
		return 0, err
	}
	id++
	now := ctx.BlockTime().Unix()
	r := &types.Redemption{
		Id: id, Owner: m.Owner, Amount: m.Amount, SettlementInstructionHash: m.SettlementInstructionHash,
		PriceRound: round.Id, Price: round.Price, Barrels: barrelsFor(m.Amount, rp.BarrelsPerToken),
		Status:          types.RedemptionStatus_REDEMPTION_STATUS_REQUESTED,
		RequestedHeight: ctx.BlockHeight(), RequestedTimeUnix: now,
		DeadlineUnix: now + int64(params.RedemptionTtlSeconds),
	}
	for _, w := range []func() error{
		func() error { return k.setBalance(kv, owner, bal-m.Amount) },
		func() error { return k.setTotals(kv, t) },
		func() error { return petro.SetUint64(kv, types.RedemptionSeqKey, id) },
		func() error { return k.setRedemption(kv, r) },
		func() error { return kv.Set(types.RedemptionOpenKey(r.DeadlineUnix, id), []byte{1}) },
		func() error { return kv.Set(types.RedemptionOwnerKey(owner, id), []byte{1}) },
	} {
		if err := w(); err != nil {
			return 0, err
		}
	}
	k.emitRedemption(ctx, r, "requested")
	return id, nil
}

// barrelsFor is the barrels (10^-8 units) that amount base units stand
// for: amount × barrels_per_token ÷ 10^8, exact, rounded down.
func barrelsFor(amount, barrelsPerToken uint64) uint64 {
	b := new(big.Int).Mul(new(big.Int).SetUint64(amount), new(big.Int).SetUint64(barrelsPerToken))
	b.Quo(b, big.NewInt(types.BaseUnitsPerPTR))
	if !b.IsUint64() {
		return ^uint64(0)
	}
	return b.Uint64()
}

// openRedemption loads id for an issuer action: the sender is an issuer
// and not frozen, the request exists, is in one of the states allowed and
// not past its deadline, and the sender is not its owner (an issuer never
// acts on its own redemption).
func (k Keeper) openRedemption(ctx petro.Context, issuer string, id uint64, allowed ...types.RedemptionStatus) (*types.Redemption, error) {
	kv := ctx.Store()
	if err := k.requireRole(kv, issuer, k.authority.IsIssuer, types.ErrNotIssuer); err != nil {
		return nil, err
	}
	r, err := k.redemptionIn(ctx, id, allowed...)
	if err != nil {
		return nil, err
	}
	if r.Owner == issuer {
		return nil, types.ErrOwnRedemption.Wrapf("redemption %d is owned by %s", id, issuer)
	}
	return r, nil
}

// redemptionIn loads id, which must be in one of the states allowed and
// not past its deadline (EXPIRED or past the deadline: ErrRedemptionExpired).
func (k Keeper) redemptionIn(ctx petro.Context, id uint64, allowed ...types.RedemptionStatus) (*types.Redemption, error) {
	r, err := k.Redemption(ctx.Store(), id)
	if err != nil {
		return nil, err
	}
	if r.Status == types.RedemptionStatus_REDEMPTION_STATUS_EXPIRED {
		return nil, types.ErrRedemptionExpired.Wrapf("redemption %d", id)
	}
	ok := false
	for _, s := range allowed {
		ok = ok || r.Status == s
	}
	if !ok {
		return nil, types.ErrRedemptionState.Wrapf("redemption %d is %s", id, r.Status)
	}
	if ctx.BlockTime().Unix() > r.DeadlineUnix {
		return nil, types.ErrRedemptionExpired.Wrapf("redemption %d passed its deadline %d", id, r.DeadlineUnix)
	}
	return r, nil
}

func (k Keeper) HandleAcceptRedemption(ctx petro.Context, m *types.MsgAcceptRedemption) error {
	if err := m.ValidateBasic(); err != nil {
		return err
	}
	r, err := k.openRedemption(ctx, m.Issuer, m.RedemptionId, types.RedemptionStatus_REDEMPTION_STATUS_REQUESTED)
	if err != nil {
		return err
	}
	r.Status, r.Issuer = types.RedemptionStatus_REDEMPTION_STATUS_ACCEPTED, m.Issuer
	if err := k.setRedemption(ctx.Store(), r); err != nil {
		return err
	}
	k.emitRedemption(ctx, r, "accepted")
	return nil
}

// HandleFulfillRedemption burns the escrow and records the delivered
// barrels with the reserve. Only the issuer who accepted may fulfil.
func (k Keeper) HandleFulfillRedemption(ctx petro.Context, m *types.MsgFulfillRedemption) error {
	if err := m.ValidateBasic(); err != nil {
		return err
	}
	r, err := k.openRedemption(ctx, m.Issuer, m.RedemptionId, types.RedemptionStatus_REDEMPTION_STATUS_ACCEPTED)
	if err != nil {
		return err
	}
	if r.Issuer != m.Issuer {
		return types.ErrNotAcceptingIssuer.Wrapf("accepted by %s", r.Issuer)
	}
	kv := ctx.Store()
	if err := k.burnEscrow(kv, r.Amount); err != nil {
		return err
	}
	if err := k.reserve.RecordDelivery(ctx, r.Id, r.Barrels); err != nil {
		return err
	}
	return k.close(ctx, r, types.RedemptionStatus_REDEMPTION_STATUS_FULFILLED, func(r *types.Redemption) { r.ProofHash = m.ProofHash })
}

// HandleRejectRedemption refunds the escrow to the owner. Any issuer (but
// the owner) may reject a REQUESTED redemption; an ACCEPTED one belongs to
// the issuer who accepted it.
func (k Keeper) HandleRejectRedemption(ctx petro.Context, m *types.MsgRejectRedemption) error {
	if err := m.ValidateBasic(); err != nil {
		return err
	}
	r, err := k.openRedemption(ctx, m.Issuer, m.RedemptionId,
		types.RedemptionStatus_REDEMPTION_STATUS_REQUESTED, types.RedemptionStatus_REDEMPTION_STATUS_ACCEPTED)
	if err != nil {
		return err
	}
	if r.Status == types.RedemptionStatus_REDEMPTION_STATUS_ACCEPTED && r.Issuer != m.Issuer {
		return types.ErrNotAcceptingReject.Wrapf("redemption %d was accepted by %s", r.Id, r.Issuer)
	}
	return k.reject(ctx, r, m.Reason, m.Issuer)
}

// reject refunds r and closes it as REJECTED with reason; by becomes its
// issuer if nobody had accepted it.
func (k Keeper) reject(ctx petro.Context, r *types.Redemption, reason, by string) error {
	if err := k.refund(ctx.Store(), r); err != nil {
		return err
	}
	return k.close(ctx, r, types.RedemptionStatus_REDEMPTION_STATUS_REJECTED, func(r *types.Redemption) {
		r.Reason = reason
		if r.Issuer == "" {
			r.Issuer = by
		}
	})
}

// refund returns r's escrow to its owner (frozen or not: it is theirs).
func (k Keeper) refund(kv store.KVStore, r *types.Redemption) error {
	owner, _ := crypto.AddressFromBech32(r.Owner)
	bal, err := k.Balance(kv, owner)
	if err != nil {
		return err
	}
	if bal, err = petro.SafeAdd(bal, r.Amount); err != nil {
		return err
	}
	t, err := k.Totals(kv)
	if err != nil {
		return err
	}
	if t.Escrow < r.Amount {
		return types.ErrSupplyOverflow.Wrapf("escrow %d < refund %d", t.Escrow, r.Amount)
	}
	t.Escrow -= r.Amount
	if err := k.setBalance(kv, owner, bal); err != nil {
		return err
	}
	return k.setTotals(kv, t)
}

func (k Keeper) close(ctx petro.Context, r *types.Redemption, st types.RedemptionStatus, edit func(*types.Redemption)) error {
	kv := ctx.Store()
	if err := kv.Delete(types.RedemptionOpenKey(r.DeadlineUnix, r.Id)); err != nil {
		return err
	}
	r.Status, r.ClosedHeight = st, ctx.BlockHeight()
	if edit != nil {
		edit(r)
	}
	if err := k.setRedemption(kv, r); err != nil {
		return err
	}
	k.emitRedemption(ctx, r, map[types.RedemptionStatus]string{
		types.RedemptionStatus_REDEMPTION_STATUS_FULFILLED: "fulfilled",
		types.RedemptionStatus_REDEMPTION_STATUS_REJECTED:  "rejected",
		types.RedemptionStatus_REDEMPTION_STATUS_EXPIRED:   "expired",
	}[st])
	return nil
}

func (Keeper) emitRedemption(ctx petro.Context, r *types.Redemption, what string) {
	ctx.EmitEvent(petro.NewEvent(types.EventTypeRedemption,
		"redemption_id", strconv.FormatUint(r.Id, 10), "status", what, "owner", r.Owner,
		types.AttrAmount, strconv.FormatUint(r.Amount, 10), "issuer", r.Issuer))
}

// EndBlock expires every open redemption whose deadline is before block
// time, refunding its escrow. The open index is ordered by deadline, so
// it stops at the first one still running.
func (k Keeper) EndBlock(ctx petro.Context) error {
	kv := ctx.Store()
	now := ctx.BlockTime().Unix()
	end := types.RedemptionOpenKey(now, 0) // deadlines < now
	it, err := kv.Iterator(types.RedemptionOpenPrefix, end)
	if err != nil {
		return err
	}
	var ids []uint64
	for ; it.Valid(); it.Next() {
		key := it.Key()
		ids = append(ids, binary.BigEndian.Uint64(key[len(key)-8:]))
	}
	if err := it.Error(); err != nil {
		it.Close()
		return err
	}
	it.Close()
	for _, id := range ids {
		r, err := k.Redemption(kv, id)
		if err != nil {
			return err
		}
		if err := k.refund(kv, r); err != nil {
			return err
		}
		if err := k.close(ctx, r, types.RedemptionStatus_REDEMPTION_STATUS_EXPIRED, nil); err != nil {
			return err
		}
	}
	return nil
}
