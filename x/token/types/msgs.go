package types

import "github.com/petro-network/petro/internal/crypto"

// ValidateBasic checks what needs no state: both addresses parse, they
// differ, and the amount is positive.
func (m *MsgSend) ValidateBasic() error {
	if _, err := crypto.AddressFromBech32(m.GetFrom()); err != nil {
		return ErrInvalidAddress.Wrapf("from: %v", err)
	}
	if _, err := crypto.AddressFromBech32(m.GetTo()); err != nil {
		return ErrInvalidAddress.Wrapf("to: %v", err)
	}
	if m.GetFrom() == m.GetTo() {
		return ErrSelfTransfer.Wrap(m.GetFrom())
	}
	if m.GetAmount() == 0 {
		return ErrInvalidAmount.Wrap("amount must be positive")
	}
	return nil
}

// Signer is the address that must sign a MsgSend.
func (m *MsgSend) Signer() string { return m.GetFrom() }
