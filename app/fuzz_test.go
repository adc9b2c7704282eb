package app_test

import (
	"bytes"
	"context"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/internal/testutil"
	petro "github.com/petro-network/petro/types"
	txtypes "github.com/petro-network/petro/types/tx"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// fuzzSeeds is the seed corpus shared by the tx fuzzers: a valid tx, its
// truncations, and every invalid variant of the rejection table. Plain
// `go test` runs exactly these.
func fuzzSeeds(f *testing.F) [][]byte {
	valid := testutil.SendTx(f, sender, senderSeq, recipient, 100)
	seeds := [][]byte{nil, {}, {0x0a}, {0x0a, 0x80}, []byte("garbage"), valid}
	for _, n := range []int{1, 2, len(valid) / 2, len(valid) - 1} {
		seeds = append(seeds, valid[:n])
	}
	// #19: a batch and one with a duplicate output.
	for _, outs := range [][]*tokentypes.Output{
		{{To: recipient.String(), Amount: 1}, {To: testutil.Addr(77).String(), Amount: 2}},
		{{To: recipient.String(), Amount: 1}, {To: recipient.String(), Amount: 2}},
	} {
		msg := &txtypes.Msg{Sum: &txtypes.Msg_BatchSend{BatchSend: &tokentypes.MsgBatchSend{From: sender.PubKey().Address().String(), Outputs: outs}}}
		if raw, err := client.SignTx(testutil.ChainID, sender, senderSeq, []*txtypes.Msg{msg}, client.TxOptions{}); err == nil {
			seeds = append(seeds, raw)
		}
	}
	mk := thresholdKey(f, 2, members...)
	p := newThresholdSend(mk, 0, recipient, 100)
	seeds = append(seeds, p.build(f))
	p.index = []uint32{1, 1}
	seeds = append(seeds, p.build(f))
	for _, c := range rejectCases(f) {
		if raw := c.build(f); len(raw) <= app.MaxTxBytes {
			seeds = append(seeds, raw)
		}
	}
	return seeds
}

// FuzzDecodeTx: DecodeTx never panics, and whatever it accepts is the one
// canonical encoding of what it decoded (so the signed bytes are the
// executed bytes).
func FuzzDecodeTx(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	canonical := proto.MarshalOptions{Deterministic: true}
	f.Fuzz(func(t *testing.T, raw []byte) {
		tx, err := app.DecodeTx(raw)
		if err != nil {
			if space, code, _ := petro.ABCIInfo(err); !registered(space, code) || (space == petro.CodespaceRoot && code == 1) {
				t.Fatalf("DecodeTx error without a registered code: %v", err)
			}
			return
		}
		if len(raw) > app.MaxTxBytes {
			t.Fatalf("accepted %d bytes", len(raw))
		}
		re, err := canonical.Marshal(tx.TxRaw)
		if err != nil || !bytes.Equal(re, raw) {
			t.Fatalf("accepted tx does not re-encode to its bytes:\n%X\n%X", raw, re)
		}
		body, err := canonical.Marshal(tx.Body)
		if err != nil || !bytes.Equal(body, tx.TxRaw.BodyBytes) {
			t.Fatal("accepted body does not re-encode to its bytes")
		}
		auth, err := canonical.Marshal(tx.AuthInfo)
		if err != nil || !bytes.Equal(auth, tx.TxRaw.AuthInfoBytes) {
			t.Fatal("accepted auth info does not re-encode to its bytes")
		}
		switch {
		case tx.Threshold != nil:
			if !tx.Signer.Equals(tx.Threshold.Address()) || tx.PubKey != nil || len(tx.TxRaw.Signature) > 0 {
				t.Fatal("threshold signer decoded inconsistently")
			}
		case !tx.Signer.Equals(tx.PubKey.Address()) || len(tx.TxRaw.MemberSignatures) > 0:
			t.Fatal("signer is not the public key's address")
		}
		if n := len(tx.Body.Messages); n == 0 || n > app.MaxMsgsPerTx {
			t.Fatalf("accepted %d messages", n)
		}
	})
}

// FuzzCheckTx: any bytes into CheckTx never panic, always get an answer
// with a registered code (never an ABCI error, never "internal"), and
// never change committed state.
func FuzzCheckTx(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	a := fixture(f)
	h0, hash0 := a.LastCommit()
	f.Fuzz(func(t *testing.T, raw []byte) {
		resp, err := a.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: raw})
		if err != nil {
			t.Fatalf("CheckTx returned an error: %v", err)
		}
		if resp.Code != 0 && (!registered(resp.Codespace, resp.Code) || resp.Codespace == petro.CodespaceRoot) {
			t.Fatalf("CheckTx answered %s/%d (%s)", resp.Codespace, resp.Code, resp.Log)
		}
		if h, hash := a.LastCommit(); h != h0 || !bytes.Equal(hash, hash0) {
			t.Fatalf("CheckTx changed committed state: (%d, %X) → (%d, %X)", h0, hash0, h, hash)
		}
	})
}
