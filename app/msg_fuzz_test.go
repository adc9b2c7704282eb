package app_test

import (
	"bytes"
	"errors"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/internal/testutil"
	petro "github.com/petro-network/petro/types"
	txtypes "github.com/petro-network/petro/types/tx"
	authtypes "github.com/petro-network/petro/x/auth/types"
)

// msgSeeds: every message of the golden chain (one of each type at
// least), and the empty message of every oneof field.
func msgSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	_, blocks := goldenChain(f)
	for _, b := range blocks {
		for _, gtx := range b.txs {
			tx, err := app.DecodeTx(gtx.raw)
			if err != nil {
				f.Fatal(err)
			}
			for _, m := range tx.Body.Messages {
				bz, _ := proto.MarshalOptions{Deterministic: true}.Marshal(m)
				seeds = append(seeds, bz)
			}
		}
	}
	fields := (&txtypes.Msg{}).ProtoReflect().Descriptor().Oneofs().ByName("sum").Fields()
	for i := 0; i < fields.Len(); i++ {
		m := (&txtypes.Msg{}).ProtoReflect()
		fd := fields.Get(i)
		m.Set(fd, protoreflect.ValueOfMessage(m.NewField(fd).Message()))
		bz, _ := proto.MarshalOptions{Deterministic: true}.Marshal(m.Interface())
		seeds = append(seeds, bz)
	}
	return seeds
}

// msgTx wraps one encoded Msg in an (unsigned) tx of key 0: what DecodeTx
// sees when a client sends that message.
func msgTx(msg []byte) []byte {
	body := protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), msg)
	auth, _ := proto.MarshalOptions{Deterministic: true}.Marshal(&txtypes.AuthInfo{PubKey: testutil.Key(0).PubKey().Bytes()})
	raw, _ := proto.MarshalOptions{Deterministic: true}.Marshal(&txtypes.TxRaw{BodyBytes: body, AuthInfoBytes: auth, Signature: make([]byte, 64)})
	return raw
}

// FuzzMsg covers the whole Msg oneof: any bytes as a tx's message go
// through decoding and the message's ValidateBasic without a panic, get a
// registered code when refused, and when accepted (a signer mismatch
// means everything before it passed) are the one canonical encoding of
// the decoded message, which validates again.
func FuzzMsg(f *testing.F) {
	for _, s := range msgSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		_, err := app.DecodeTx(msgTx(msg))
		if err != nil && !errors.Is(err, authtypes.ErrSignerMismatch) {
			if space, code, _ := petro.ABCIInfo(err); !registered(space, code) || space == petro.CodespaceRoot {
				t.Fatalf("refused without a registered code: %v", err)
			}
			return
		}
		m := &txtypes.Msg{}
		if err := proto.Unmarshal(msg, m); err != nil {
			t.Fatalf("accepted bytes do not decode: %v", err)
		}
		re, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
		if err != nil || !bytes.Equal(re, msg) {
			t.Fatalf("accepted message is not canonical:\n%X\n%X", msg, re)
		}
		if _, err := app.DecodeTx(msgTx(re)); err != nil && !errors.Is(err, authtypes.ErrSignerMismatch) {
			t.Fatalf("re-encoded message refused: %v", err)
		}
	})
}
