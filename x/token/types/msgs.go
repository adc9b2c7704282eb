package types

import "github.com/petro-network/petro/crypto"

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

func validAddr(what, a string) error {
	if _, err := crypto.AddressFromBech32(a); err != nil {
		return ErrInvalidAddress.Wrapf("%s: %v", what, err)
	}
	return nil
}

func (m *MsgIssue) ValidateBasic() error {
	if err := validAddr("issuer", m.GetIssuer()); err != nil {
		return err
	}
	if err := validAddr("recipient", m.GetRecipient()); err != nil {
		return err
	}
	if m.GetAmount() == 0 {
		return ErrInvalidAmount.Wrap("amount must be positive")
	}
	if t := m.GetTranche(); t != "" && !ValidTrancheName(t) {
		return ErrUnknownTranche.Wrapf("%q", t)
	}
	return nil
}
func (m *MsgIssue) Signer() string { return m.GetIssuer() }

func (m *MsgRequestRedemption) ValidateBasic() error {
	if err := validAddr("owner", m.GetOwner()); err != nil {
		return err
	}
	if m.GetAmount() == 0 {
		return ErrInvalidAmount.Wrap("amount must be positive")
	}
	if len(m.GetSettlementInstructionHash()) != 32 {
		return ErrInvalidHash.Wrap("settlement_instruction_hash")
	}
	return nil
}
func (m *MsgRequestRedemption) Signer() string { return m.GetOwner() }

func (m *MsgAcceptRedemption) ValidateBasic() error {
	if m.GetRedemptionId() == 0 {
		return ErrRedemptionNotFound.Wrap("id 0")
	}
	return validAddr("issuer", m.GetIssuer())
}
func (m *MsgAcceptRedemption) Signer() string { return m.GetIssuer() }

func (m *MsgFulfillRedemption) ValidateBasic() error {
	if m.GetRedemptionId() == 0 {
		return ErrRedemptionNotFound.Wrap("id 0")
	}
	if len(m.GetProofHash()) != 32 {
		return ErrInvalidHash.Wrap("proof_hash")
	}
	return validAddr("issuer", m.GetIssuer())
}
func (m *MsgFulfillRedemption) Signer() string { return m.GetIssuer() }

func (m *MsgRejectRedemption) ValidateBasic() error {
	if m.GetRedemptionId() == 0 {
		return ErrRedemptionNotFound.Wrap("id 0")
	}
	if n := len(m.GetReason()); n == 0 || n > 256 {
		return ErrInvalidReason.Wrap("reason: 1..256 bytes")
	}
	return validAddr("issuer", m.GetIssuer())
}
func (m *MsgRejectRedemption) Signer() string { return m.GetIssuer() }

func validCase(caseID string) error {
	if n := len(caseID); n == 0 || n > 64 {
		return ErrInvalidReason.Wrap("case_id: 1..64 bytes")
	}
	return nil
}

func (m *MsgFreeze) ValidateBasic() error {
	if err := validAddr("officer", m.GetOfficer()); err != nil {
		return err
	}
	if err := validAddr("address", m.GetAddress()); err != nil {
		return err
	}
	if m.GetReasonCode() == 0 {
		return ErrInvalidReason.Wrap("reason_code must be set")
	}
	return validCase(m.GetCaseId())
}
func (m *MsgFreeze) Signer() string { return m.GetOfficer() }

func (m *MsgUnfreeze) ValidateBasic() error {
	if err := validAddr("officer", m.GetOfficer()); err != nil {
		return err
	}
	if err := validAddr("address", m.GetAddress()); err != nil {
		return err
	}
	return validCase(m.GetCaseId())
}
func (m *MsgUnfreeze) Signer() string { return m.GetOfficer() }

func validScope(s PauseScope) error {
	if s != PauseScope_PAUSE_SCOPE_TRANSFERS && s != PauseScope_PAUSE_SCOPE_ISSUANCE {
		return ErrInvalidScope.Wrapf("%d", s)
	}
	return nil
}

func (m *MsgPause) ValidateBasic() error {
	if err := validAddr("pauser", m.GetPauser()); err != nil {
		return err
	}
	return validScope(m.GetScope())
}
func (m *MsgPause) Signer() string { return m.GetPauser() }

func (m *MsgUnpause) ValidateBasic() error {
	if err := validAddr("pauser", m.GetPauser()); err != nil {
		return err
	}
	return validScope(m.GetScope())
}
func (m *MsgUnpause) Signer() string { return m.GetPauser() }

// ValidateBasic checks the wipe action.
func (w *WipeFrozen) ValidateBasic() error {
	if err := validAddr("address", w.GetAddress()); err != nil {
		return err
	}
	return validCase(w.GetCaseId())
}

// ValidateBasic checks the council's reject action.
func (r *RejectRedemption) ValidateBasic() error {
	if r.GetRedemptionId() == 0 {
		return ErrRedemptionNotFound.Wrap("redemption id 0")
	}
	if n := len(r.GetReason()); n == 0 || n > 256 {
		return ErrInvalidReason.Wrap("reason: 1..256 bytes")
	}
	return nil
}
