package types

import (
	"fmt"

	"google.golang.org/protobuf/proto"
)

// Deterministic encoding for everything written to state.
var stateMarshal = proto.MarshalOptions{Deterministic: true}

// GetProto reads the protobuf value at key into m. It reports false (and no
// error) when the key is absent; a value that does not decode is an error
// naming the key.
func GetProto(kv KVStore, key []byte, m proto.Message) (bool, error) {
	bz, err := kv.Get(key)
	if err != nil || bz == nil {
		return false, err
	}
	if err := proto.Unmarshal(bz, m); err != nil {
		return false, fmt.Errorf("corrupt value at %q: %w", key, err)
	}
	return true, nil
}

// SetProto writes m at key in its deterministic encoding.
func SetProto(kv KVStore, key []byte, m proto.Message) error {
	bz, err := stateMarshal.Marshal(m)
	if err != nil {
		return err
	}
	return kv.Set(key, bz)
}

// IterateProto decodes every value under prefix, in key order, into a
// fresh newMsg() and calls fn until it returns true.
func IterateProto(kv KVStore, prefix []byte, newMsg func() proto.Message, fn func(proto.Message) bool) error {
	it, err := kv.Iterator(prefix, PrefixEnd(prefix))
	if err != nil {
		return err
	}
	defer it.Close()
	for ; it.Valid(); it.Next() {
		m := newMsg()
		if err := proto.Unmarshal(it.Value(), m); err != nil {
			return fmt.Errorf("corrupt value at %q: %w", it.Key(), err)
		}
		if fn(m) {
			break
		}
	}
	return it.Error()
}

// Page sizes of every paginated query.
const (
	DefaultPageLimit = 100
	MaxPageLimit     = 1000
)

// PageLimit turns a request's limit into the page size: 0 means the
// default, anything above the maximum is capped.
func PageLimit(l uint32) int {
	switch {
	case l == 0:
		return DefaultPageLimit
	case l > MaxPageLimit:
		return MaxPageLimit
	}
	return int(l)
}
