package client

import (
	"context"
	"net"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/crypto"
	txtypes "github.com/petro-network/petro/types/tx"
	authtypes "github.com/petro-network/petro/x/auth/types"
)

// fakeNode answers Account with a fixed sequence and records broadcasts.
type fakeNode struct {
	txtypes.UnimplementedTxServiceServer
	authtypes.UnimplementedQueryServer
	seq  uint64
	got  *txtypes.BroadcastRequest
	resp *txtypes.BroadcastResponse
}

func (f *fakeNode) Account(_ context.Context, req *authtypes.QueryAccountRequest) (*authtypes.QueryAccountResponse, error) {
	return &authtypes.QueryAccountResponse{Account: &authtypes.Account{Address: req.Address, Sequence: f.seq}, Height: 3}, nil
}

func (f *fakeNode) Broadcast(_ context.Context, req *txtypes.BroadcastRequest) (*txtypes.BroadcastResponse, error) {
	f.got = req
	return f.resp, nil
}

func startFake(t *testing.T, f *fakeNode) *Client {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer()
	txtypes.RegisterTxServiceServer(s, f)
	authtypes.RegisterQueryServer(s, f)
	go func() { _ = s.Serve(lis) }()
	t.Cleanup(s.Stop)
	c, err := Dial("tcp://" + lis.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestSendSignsAtCommittedSequence(t *testing.T) {
	// ARRANGE
	f := &fakeNode{seq: 7, resp: &txtypes.BroadcastResponse{TxHash: "AB", Height: 9, Committed: true}}
	c := startFake(t, f)
	key, err := crypto.GenPrivKey()
	if err != nil {
		t.Fatal(err)
	}
	other, _ := crypto.GenPrivKey()
	to := other.PubKey().Address()

	// ACT
	res, err := c.Send(context.Background(), "chain-x", key, to, 42, txtypes.BroadcastMode_BROADCAST_MODE_COMMIT)

	// ASSERT
	if err != nil {
		t.Fatal(err)
	}
	if res.GetHeight() != 9 {
		t.Fatalf("height %d", res.GetHeight())
	}
	if f.got.GetMode() != txtypes.BroadcastMode_BROADCAST_MODE_COMMIT {
		t.Fatalf("mode %v", f.got.GetMode())
	}
	var raw txtypes.TxRaw
	if err := proto.Unmarshal(f.got.GetTxBytes(), &raw); err != nil {
		t.Fatal(err)
	}
	var ai txtypes.AuthInfo
	if err := proto.Unmarshal(raw.AuthInfoBytes, &ai); err != nil {
		t.Fatal(err)
	}
	if ai.Sequence != 7 {
		t.Fatalf("signed sequence %d, want 7", ai.Sequence)
	}
	if !key.PubKey().VerifySignature(txtypes.SignBytes("chain-x", raw.BodyBytes, raw.AuthInfoBytes), raw.Signature) {
		t.Fatal("signature does not verify")
	}
	var body txtypes.TxBody
	if err := proto.Unmarshal(raw.BodyBytes, &body); err != nil {
		t.Fatal(err)
	}
	send := body.Messages[0].GetSend()
	if send.GetAmount() != 42 || send.GetTo() != to.String() || send.GetFrom() != key.PubKey().Address().String() {
		t.Fatalf("msg %v", send)
	}
}

func TestSignAndBroadcastSequenceOverride(t *testing.T) {
	f := &fakeNode{seq: 7, resp: &txtypes.BroadcastResponse{}}
	c := startFake(t, f)
	key, _ := crypto.GenPrivKey()
	seq := uint64(12)
	msg := SendMsg(key.PubKey().Address(), key.PubKey().Address(), 1)
	if _, err := c.SignAndBroadcast(context.Background(), "c", key, []*txtypes.Msg{msg}, BroadcastOptions{Sequence: &seq, TxOptions: TxOptions{Memo: "m"}}); err != nil {
		t.Fatal(err)
	}
	var raw txtypes.TxRaw
	var ai txtypes.AuthInfo
	if err := proto.Unmarshal(f.got.GetTxBytes(), &raw); err != nil {
		t.Fatal(err)
	}
	if err := proto.Unmarshal(raw.AuthInfoBytes, &ai); err != nil {
		t.Fatal(err)
	}
	if ai.Sequence != 12 {
		t.Fatalf("signed sequence %d, want 12", ai.Sequence)
	}
}

func TestDialEmpty(t *testing.T) {
	if _, err := Dial(""); err == nil {
		t.Fatal("want error")
	}
}
