package types_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/x/token/types"
)

func addr(b byte) string {
	a := make([]byte, crypto.AddressSize)
	for i := range a {
		a[i] = b
	}
	return crypto.Address(a).String()
}

func TestMsgSendValidateBasic(t *testing.T) {
	alice, bob := addr(1), addr(2)
	for _, c := range []struct {
		name     string
		malleate func(m *types.MsgSend)
		want     error
	}{
		{"valid", func(*types.MsgSend) {}, nil},
		{"upper-case recipient", func(m *types.MsgSend) { m.To = strings.ToUpper(bob) }, types.ErrInvalidAddress},
		{"zero amount", func(m *types.MsgSend) { m.Amount = 0 }, types.ErrInvalidAmount},
		{"empty from", func(m *types.MsgSend) { m.From = "" }, types.ErrInvalidAddress},
		{"empty to", func(m *types.MsgSend) { m.To = "" }, types.ErrInvalidAddress},
		{"wrong prefix", func(m *types.MsgSend) { m.To = "cosmos1qyqszqgpqyqszqgpqyqszqgpqyqszqgp6ljt6k" }, types.ErrInvalidAddress},
		{"mixed case", func(m *types.MsgSend) { m.To = "P" + bob[1:] }, types.ErrInvalidAddress},
		{"self-transfer", func(m *types.MsgSend) { m.To = m.From }, types.ErrSelfTransfer},
		{"self-transfer, upper-case spelling", func(m *types.MsgSend) { m.To = strings.ToUpper(m.From) }, types.ErrInvalidAddress},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := &types.MsgSend{From: alice, To: bob, Amount: 1}
			c.malleate(m)
			err := m.ValidateBasic()
			if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("ValidateBasic = %v, want %v", err, c.want)
			}
		})
	}
}

// FuzzMsgSendValidateBasic: ValidateBasic never panics and accepts exactly
// the messages an independent reading of the rules accepts.
func FuzzMsgSendValidateBasic(f *testing.F) {
	alice, bob := addr(1), addr(2)
	f.Add(alice, bob, uint64(1))
	f.Add(alice, alice, uint64(1))
	f.Add(alice, strings.ToUpper(alice), uint64(5))
	f.Add(alice, bob, uint64(0))
	f.Add("", "", uint64(0))
	f.Add("petro1", bob, ^uint64(0))
	f.Add(alice[:len(alice)-1], bob, uint64(1))
	f.Add(strings.Repeat("q", 100), bob, uint64(1))
	f.Fuzz(func(t *testing.T, from, to string, amount uint64) {
		m := &types.MsgSend{From: from, To: to, Amount: amount}
		err := m.ValidateBasic()
		fa, errF := crypto.AddressFromBech32(from)
		ta, errT := crypto.AddressFromBech32(to)
		var want error
		switch {
		case errF != nil || errT != nil:
			want = types.ErrInvalidAddress
		case fa.Equals(ta):
			want = types.ErrSelfTransfer
		case amount == 0:
			want = types.ErrInvalidAmount
		}
		if want == nil && err != nil || want != nil && !errors.Is(err, want) {
			t.Fatalf("ValidateBasic(%q, %q, %d) = %v, want %v", from, to, amount, err, want)
		}
		if m.Signer() != from {
			t.Fatal("Signer is not From")
		}
	})
}
