package app

import (
	"slices"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/petro-network/petro/crypto"
)

// The index event: FinalizeBlock adds one to the result of every tx whose
// signature verified (applied or refused), so that CometBFT's tx indexer
// can list an address's txs (`tx.address='petro1…'`) and filter them by
// message type (`tx.msg_type='/petro.token.v1.MsgSend'`). Events are not
// part of any consensus hash (CometBFT hashes a result's code, data and gas
// only); the attributes are sorted and unique, so every node emits the same.
const (
	EventTypeTx         = "tx"
	AttributeKeyAddress = "address"  // one per party: the signer and every address field of every message
	AttributeKeyMsgType = "msg_type" // one per message type in the tx, e.g. /petro.token.v1.MsgSend
)

// txIndexEvent is tx's index event.
func txIndexEvent(tx *Tx) abci.Event {
	addrs, types := TxParties(tx)
	ev := abci.Event{Type: EventTypeTx, Attributes: make([]abci.EventAttribute, 0, len(addrs)+len(types))}
	for _, a := range addrs {
		ev.Attributes = append(ev.Attributes, abci.EventAttribute{Key: AttributeKeyAddress, Value: a, Index: true})
	}
	for _, t := range types {
		ev.Attributes = append(ev.Attributes, abci.EventAttribute{Key: AttributeKeyMsgType, Value: t, Index: true})
	}
	return ev
}

// TxParties returns, sorted and unique, the addresses a decoded tx touches
// (its signer and every string field, at any depth, of any message that
// holds a valid petro address) and its message type URLs.
func TxParties(tx *Tx) (addrs, msgTypes []string) {
	addrs = append(addrs, tx.SignerBech32)
	for _, m := range tx.Body.Messages {
		msg, err := unpackMsg(m)
		if err != nil { // DecodeTx proved it unpacks
			continue
		}
		msgTypes = append(msgTypes, msgTypeURL(msg))
		addrs = appendAddresses(addrs, msg.ProtoReflect(), tx.SignerBech32)
	}
	slices.Sort(addrs)
	slices.Sort(msgTypes)
	return slices.Compact(addrs), slices.Compact(msgTypes)
}

// appendAddresses appends the addresses in m's string fields; signer (known
// valid, already in out) is skipped without parsing.
func appendAddresses(out []string, m protoreflect.Message, signer string) []string {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsMap():
		case fd.IsList():
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				out = appendValue(out, fd, l.Get(i), signer)
			}
		default:
			out = appendValue(out, fd, v, signer)
		}
		return true
	})
	return out
}

func appendValue(out []string, fd protoreflect.FieldDescriptor, v protoreflect.Value, signer string) []string {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return appendAddresses(out, v.Message(), signer)
	case protoreflect.StringKind:
		if s := v.String(); s != signer && strings.HasPrefix(s, crypto.Bech32HRP+"1") {
			if _, err := crypto.AddressFromBech32(s); err == nil {
				out = append(out, s)
			}
		}
	}
	return out
}
