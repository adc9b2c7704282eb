package app

import (
	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
)

// runTx applies tx to ctx's store: ante on one branch, then every message
// on a branch of that. If ante fails nothing is written. If a message fails
// only the ante branch is written (the sequence is consumed, so a failed
// tx can never be replayed later); the messages' writes and events are
// dropped. In CheckTx the caller discards everything on error instead.
func (a *App) runTx(ctx petro.Context, tx *Tx, sigChecked bool) ([]abci.Event, error) {
	anteKV := store.NewBranch(ctx.Store())
	if err := a.ante(ctx.WithStore(anteKV), tx, sigChecked); err != nil {
		return nil, err
	}
	msgKV := store.NewBranch(anteKV)
	msgCtx := ctx.WithStore(msgKV)
	var events []abci.Event
	signer := tx.SignerBech32
	for i, m := range tx.Body.Messages {
		msg, err := unpackMsg(m) // DecodeTx proved this succeeds
		if err == nil {
			err = a.route(msgCtx, msg)
		}
		if err != nil {
			if wErr := anteKV.Write(); wErr != nil {
				return nil, wErr
			}
			return nil, wrapMsgErr(i, err)
		}
		events = append(events, abci.Event{Type: "message", Attributes: []abci.EventAttribute{
			{Key: "action", Value: msgTypeURL(msg), Index: true},
			{Key: "sender", Value: signer, Index: true},
			{Key: "msg_index", Value: itoa(i), Index: true},
		}})
	}
	for _, ev := range msgCtx.Events() {
		events = append(events, toABCIEvent(ev))
	}
	if err := msgKV.Write(); err != nil {
		return nil, err
	}
	if err := anteKV.Write(); err != nil {
		return nil, err
	}
	return events, nil
}

func toABCIEvent(ev petro.Event) abci.Event {
	out := abci.Event{Type: ev.Type, Attributes: make([]abci.EventAttribute, len(ev.Attributes))}
	for i, at := range ev.Attributes {
		out.Attributes[i] = abci.EventAttribute{Key: at.Key, Value: at.Value, Index: at.Index}
	}
	return out
}
