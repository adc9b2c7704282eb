package types

import "github.com/petro-network/petro/internal/crypto"

// ValidateBasic checks what needs no state: both addresses parse, they
// differ, and the amount is positive.
func (m *MsgSend) ValidateBasic() error {
	from, err := crypto.AddressFromBech32(m.GetFrom())
	if err != nil {
		return ErrInvalidAddress.Wrapf("from: %v", err)
	}
	to, err := crypto.AddressFromBech32(m.GetTo())
	if err != nil {
		return ErrInvalidAddress.Wrapf("to: %v", err)
	}
	// Compare the addresses, not their text: bech32 also accepts the
	// all-upper-case spelling of the same address.
	if from.Equals(to) {
		return ErrSelfTransfer.Wrap(m.GetFrom())
	}
	if m.GetAmount() == 0 {
		return ErrInvalidAmount.Wrap("amount must be positive")
	}
	return nil
}

// Signer is the address that must sign a MsgSend.
func (m *MsgSend) Signer() string { return m.GetFrom() }
