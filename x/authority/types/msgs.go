package types

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"

	"github.com/petro-network/petro/crypto"
)

// Ed25519PubKeySize is the only consensus key size accepted.
const Ed25519PubKeySize = 32

// ConsAddress is CometBFT's address of an ed25519 consensus key:
// SHA-256(pubkey)[:20].
func ConsAddress(pubKey []byte) []byte {
	h := sha256.Sum256(pubKey)
	return h[:20]
}

// ConsAddressHex is ConsAddress in CometBFT's upper-case hex form.
func ConsAddressHex(pubKey []byte) string {
	return fmt.Sprintf("%X", ConsAddress(pubKey))
}

// ValidateNodeID accepts CometBFT node IDs: 40 lower-case hex characters.
func ValidateNodeID(id string) error {
	if len(id) != 40 {
		return ErrInvalidNodeID.Wrapf("%q: want 40 hex characters", id)
	}
	for _, c := range id {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return ErrInvalidNodeID.Wrapf("%q: want lower-case hex", id)
		}
	}
	if _, err := hex.DecodeString(id); err != nil {
		return ErrInvalidNodeID.Wrapf("%q: %v", id, err)
	}
	return nil
}

// ValidatePubKey accepts a 32-byte ed25519 consensus key.
func ValidatePubKey(pk []byte) error {
	if len(pk) != Ed25519PubKeySize {
		return ErrUnsupportedKeyType.Wrapf("got %d bytes; only 32-byte ed25519 keys are supported", len(pk))
	}
	return nil
}

func validateAddress(what, a string) error {
	if _, err := crypto.AddressFromBech32(a); err != nil {
		return ErrInvalidAddress.Wrapf("%s: %v", what, err)
	}
	return nil
}

// ValidateRole accepts the defined roles.
func ValidateRole(r Role) error {
	if _, ok := Role_name[int32(r)]; !ok || r == Role_ROLE_UNSPECIFIED {
		return ErrInvalidRole.Wrapf("%d", r)
	}
	return nil
}

// Validate checks the council: valid unique members, 1 ≤ threshold ≤ N.
func (c *Council) Validate() error {
	if c == nil || len(c.Members) == 0 {
		return ErrInvalidCouncil.Wrap("at least one member is required")
	}
	seen := map[string]bool{}
	for _, m := range c.Members {
		if err := validateAddress("member", m); err != nil {
			return ErrInvalidCouncil.Wrap(err.Error())
		}
		if seen[m] {
			return ErrInvalidCouncil.Wrapf("duplicate member %s", m)
		}
		seen[m] = true
	}
	if c.Threshold == 0 || int(c.Threshold) > len(c.Members) {
		return ErrInvalidCouncil.Wrapf("threshold %d must be in 1..%d", c.Threshold, len(c.Members))
	}
	return nil
}

// IsMember reports whether addr (bech32) sits on the council.
func (c *Council) IsMember(addr string) bool {
	for _, m := range c.GetMembers() {
		if m == addr {
			return true
		}
	}
	return false
}

// Normalize sorts members so equal councils encode equally.
func (c *Council) Normalize() { sort.Strings(c.Members) }

// ValidateBasic checks a validator record without state.
func (v *Validator) ValidateBasic() error {
	if v == nil {
		return ErrInvalidAction.Wrap("validator is required")
	}
	if err := ValidatePubKey(v.PubKey); err != nil {
		return err
	}
	if v.Power <= 0 {
		return ErrInvalidPower.Wrapf("%d: must be positive", v.Power)
	}
	if v.Power > MaxTotalVotingPower {
		return ErrTotalPowerLimit.Wrapf("power %d > %d", v.Power, MaxTotalVotingPower)
	}
	if err := ValidateNodeID(v.NodeId); err != nil {
		return err
	}
	if v.Operator != "" {
		if err := validateAddress("operator", v.Operator); err != nil {
			return err
		}
	}
	if len(v.Moniker) > 70 {
		return ErrInvalidAction.Wrap("moniker longer than 70 bytes")
	}
	return nil
}

// ValidateBasic checks an action without state.
func (a *Action) ValidateBasic() error {
	switch s := a.GetSum().(type) {
	case *Action_GrantRole:
		if err := validateAddress("address", s.GrantRole.GetAddress()); err != nil {
			return err
		}
		if err := ValidateRole(s.GrantRole.GetRole()); err != nil {
			return err
		}
		if s.GrantRole.GetRole() != Role_ROLE_ISSUER && s.GrantRole.GetAllowance() != 0 {
			return ErrInvalidAllowance.Wrap("only issuers have an allowance")
		}
	case *Action_RevokeRole:
		if err := validateAddress("address", s.RevokeRole.GetAddress()); err != nil {
			return err
		}
		return ValidateRole(s.RevokeRole.GetRole())
	case *Action_SetAllowance:
		return validateAddress("address", s.SetAllowance.GetAddress())
	case *Action_AddValidator:
		return s.AddValidator.GetValidator().ValidateBasic()
	case *Action_RemoveValidator:
		return ValidatePubKey(s.RemoveValidator.GetPubKey())
	case *Action_SetValidatorPower:
		if err := ValidatePubKey(s.SetValidatorPower.GetPubKey()); err != nil {
			return err
		}
		if p := s.SetValidatorPower.GetPower(); p <= 0 {
			return ErrInvalidPower.Wrapf("%d: must be positive (remove the validator instead)", p)
		} else if p > MaxTotalVotingPower {
			return ErrTotalPowerLimit.Wrapf("power %d", p)
		}
	case *Action_AllowPeer:
		if s.AllowPeer.GetPeer() == nil {
			return ErrInvalidAction.Wrap("peer is required")
		}
		if len(s.AllowPeer.GetPeer().GetNote()) > 140 {
			return ErrInvalidAction.Wrap("note longer than 140 bytes")
		}
		return ValidateNodeID(s.AllowPeer.GetPeer().GetNodeId())
	case *Action_DenyPeer:
		return ValidateNodeID(s.DenyPeer.GetNodeId())
	case *Action_SetParams:
		return s.SetParams.GetParams().Validate()
	case *Action_SetCouncil:
		return s.SetCouncil.GetCouncil().Validate()
	case nil:
		return ErrInvalidAction.Wrap("action is required")
	default:
		// Actions of other modules are checked by their owner at proposal time.
	}
	return nil
}

// Name is a short name of the action for events and listings.
func (a *Action) Name() string {
	if s := a.GetSum(); s != nil {
		return string(a.ProtoReflect().WhichOneof(a.ProtoReflect().Descriptor().Oneofs().ByName("sum")).Name())
	}
	return "none"
}

func (m *MsgPropose) ValidateBasic() error {
	if err := validateAddress("proposer", m.GetProposer()); err != nil {
		return err
	}
	if len(m.GetMemo()) > MaxMemoBytes {
		return ErrMemoTooLong.Wrapf("%d bytes > %d", len(m.GetMemo()), MaxMemoBytes)
	}
	if m.GetAction() == nil {
		return ErrInvalidAction.Wrap("action is required")
	}
	return m.GetAction().ValidateBasic()
}

func (m *MsgPropose) Signer() string { return m.GetProposer() }

func (m *MsgApprove) ValidateBasic() error {
	if err := validateAddress("approver", m.GetApprover()); err != nil {
		return err
	}
	if m.GetProposalId() == 0 {
		return ErrProposalNotFound.Wrap("proposal id 0")
	}
	return nil
}

func (m *MsgApprove) Signer() string { return m.GetApprover() }
