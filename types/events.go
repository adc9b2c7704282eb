package types

// Event is a typed, indexable record of something that happened in a block.
// Attributes marked Index are indexed by CometBFT so clients can search
// txs by them (e.g. transfer.sender='petro1...').
type Event struct {
	Type       string
	Attributes []Attribute
}

type Attribute struct {
	Key   string
	Value string
	Index bool
}

// NewEvent builds an event whose attributes are all indexed.
func NewEvent(typ string, kv ...string) Event {
	ev := Event{Type: typ}
	for i := 0; i+1 < len(kv); i += 2 {
		ev.Attributes = append(ev.Attributes, Attribute{Key: kv[i], Value: kv[i+1], Index: true})
	}
	return ev
}
