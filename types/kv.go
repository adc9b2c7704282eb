package types

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"

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

// Uint64Bytes is v in 8 big-endian bytes: the encoding of every counter
// and amount in state, and of ids inside keys (so keys sort by id).
func Uint64Bytes(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// DecodeUint64 reads Uint64Bytes' encoding; any other length is an error.
func DecodeUint64(bz []byte) (uint64, error) {
	if len(bz) != 8 {
		return 0, fmt.Errorf("corrupt uint64: %d bytes", len(bz))
	}
	return binary.BigEndian.Uint64(bz), nil
}

// GetUint64 reads the uint64 at key, or absent when the key is not set. A
// value of the wrong length is an error naming the key.
func GetUint64(kv KVStore, key []byte, absent uint64) (uint64, error) {
	bz, err := kv.Get(key)
	if err != nil || bz == nil {
		return absent, err
	}
	v, err := DecodeUint64(bz)
	if err != nil {
		return 0, fmt.Errorf("at %q: %w", key, err)
	}
	return v, nil
}

// SetUint64 writes v at key as Uint64Bytes.
func SetUint64(kv KVStore, key []byte, v uint64) error { return kv.Set(key, Uint64Bytes(v)) }

// PageOf pages a list already sorted by key: the items from the first
// whose key is ≥ start (all when start is empty), at most PageLimit(limit)
// of them, and the key of the next item (nil when there is none). For
// lists a query loads whole anyway, bounded by governance (validators,
// oracles, issuers); lists that grow page from the store (PageProto).
func PageOf[T any](items []T, key func(T) []byte, start []byte, limit uint32) (page []T, next []byte) {
	i := sort.Search(len(items), func(i int) bool { return bytes.Compare(key(items[i]), start) >= 0 })
	j := min(len(items), i+PageLimit(limit))
	if j < len(items) {
		next = key(items[j])
	}
	return items[i:j], next
}

// PageProto visits, in key order, at most PageLimit(limit) values under
// prefix, starting at prefix‖start (start is a previous page's next key;
// empty for the first page), decoding each into a fresh newMsg() for fn.
// next is the key after the page without the prefix, nil at the end: the
// page reads only what it returns.
func PageProto(kv KVStore, prefix, start []byte, limit uint32, newMsg func() proto.Message, fn func(proto.Message)) (next []byte, err error) {
	it, err := kv.Iterator(append(append([]byte(nil), prefix...), start...), PrefixEnd(prefix))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	for n := PageLimit(limit); it.Valid(); it.Next() {
		if n == 0 {
			return bytes.Clone(it.Key()[len(prefix):]), it.Error()
		}
		m := newMsg()
		if err := proto.Unmarshal(it.Value(), m); err != nil {
			return nil, fmt.Errorf("corrupt value at %q: %w", it.Key(), err)
		}
		fn(m)
		n--
	}
	return nil, it.Error()
}
