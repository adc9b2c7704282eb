package types

import (
	"github.com/petro-network/petro/crypto"
)

// MaxLotsPerReport bounds an attestation.
const MaxLotsPerReport = 256

// ValidateLotID accepts [a-z0-9._-]{1,64}.
func ValidateLotID(id string) error {
	if len(id) == 0 || len(id) > 64 {
		return ErrInvalidLot.Wrapf("id %q: 1..64 characters", id)
	}
	for _, c := range id {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return ErrInvalidLot.Wrapf("id %q: only a-z 0-9 . _ -", id)
		}
	}
	return nil
}

// ValidateBasic checks a lot record without state.
func (l *Lot) ValidateBasic() error {
	if l == nil {
		return ErrInvalidLot.Wrap("lot is required")
	}
	if err := ValidateLotID(l.Id); err != nil {
		return err
	}
	if l.Field == "" || len(l.Field) > 64 {
		return ErrInvalidLot.Wrap("field: 1..64 characters")
	}
	if _, ok := LotCategory_name[int32(l.Category)]; !ok || l.Category == LotCategory_LOT_CATEGORY_UNSPECIFIED {
		return ErrInvalidLot.Wrapf("category %d", l.Category)
	}
	if l.Certifier == "" || len(l.Certifier) > 128 {
		return ErrInvalidLot.Wrap("certifier: 1..128 characters")
	}
	if len(l.CertificateHash) != 32 {
		return ErrInvalidLot.Wrap("certificate_hash must be 32 bytes (SHA-256)")
	}
	if l.ValidUntilUnix <= 0 {
		return ErrInvalidLot.Wrap("valid_until must be set")
	}
	return nil
}

// ValidateBasic checks what needs no state: the oracle address, a positive
// price, a 32-byte evidence hash, lots strictly sorted by id.
func (m *MsgAttest) ValidateBasic() error {
	if _, err := crypto.AddressFromBech32(m.GetOracle()); err != nil {
		return ErrInvalidAddress.Wrapf("oracle: %v", err)
	}
	if m.GetPrice() == 0 {
		return ErrZeroPrice
	}
	if len(m.GetEvidenceHash()) != 32 {
		return ErrInvalidEvidence.Wrapf("got %d bytes", len(m.GetEvidenceHash()))
	}
	if m.GetRoundId() == 0 {
		return ErrWrongRound.Wrap("round 0")
	}
	if len(m.GetLots()) == 0 {
		return ErrIncompleteReport.Wrap("no lots")
	}
	if len(m.GetLots()) > MaxLotsPerReport {
		return ErrInvalidLot.Wrapf("%d lots > %d", len(m.GetLots()), MaxLotsPerReport)
	}
	for i, l := range m.GetLots() {
		if err := ValidateLotID(l.GetLotId()); err != nil {
			return err
		}
		if i > 0 && m.Lots[i-1].LotId >= l.LotId {
			return ErrDuplicateLot.Wrapf("%q after %q", l.LotId, m.Lots[i-1].LotId)
		}
	}
	return nil
}

func (m *MsgAttest) Signer() string { return m.GetOracle() }

// DefaultGenesis has default params and no lots.
func DefaultGenesis() *GenesisState { return &GenesisState{Params: DefaultParams()} }

func (gs *GenesisState) Validate() error {
	if err := gs.GetParams().Validate(); err != nil {
		return ErrInvalidGenesis.Wrap(err.Error())
	}
	seen := map[string]bool{}
	for _, l := range gs.GetLots() {
		if err := l.ValidateBasic(); err != nil {
			return ErrInvalidGenesis.Wrap(err.Error())
		}
		if seen[l.Id] {
			return ErrInvalidGenesis.Wrapf("duplicate lot %s", l.Id)
		}
		seen[l.Id] = true
	}
	return gs.validateExported()
}

// validateExported checks the parts petrod export adds (#14): rounds below
// the open round, attestations to the open round, oracle records and
// deliveries with valid addresses and unique numbers.
func (gs *GenesisState) validateExported() error {
	open := gs.GetOpenRound()
	if open == 0 {
		open = 1
	}
	var last uint64
	for _, r := range gs.GetRounds() {
		if r.GetId() <= last || r.GetId() >= open {
			return ErrInvalidGenesis.Wrapf("settled round %d: ids must be unique, ascending and below the open round %d", r.GetId(), open)
		}
		last = r.GetId()
	}
	seenReport := map[string]bool{}
	for _, a := range gs.GetReports() {
		if _, err := crypto.AddressFromBech32(a.GetOracle()); err != nil {
			return ErrInvalidGenesis.Wrapf("attestation: oracle: %v", err)
		}
		if a.GetRoundId() != open {
			return ErrInvalidGenesis.Wrapf("attestation by %s: round %d is not the open round %d", a.GetOracle(), a.GetRoundId(), open)
		}
		if seenReport[a.GetOracle()] {
			return ErrInvalidGenesis.Wrapf("attestation by %s: twice in round %d", a.GetOracle(), open)
		}
		seenReport[a.GetOracle()] = true
	}
	seenOracle := map[string]bool{}
	for _, o := range gs.GetOracles() {
		if _, err := crypto.AddressFromBech32(o.GetAddress()); err != nil {
			return ErrInvalidGenesis.Wrapf("oracle record: %v", err)
		}
		if seenOracle[o.GetAddress()] {
			return ErrInvalidGenesis.Wrapf("oracle record %s: twice", o.GetAddress())
		}
		seenOracle[o.GetAddress()] = true
	}
	var next uint64
	for _, d := range gs.GetDeliveries() {
		if d.GetDelivery() == nil || d.GetSeq() < next || d.GetSeq() >= gs.GetNextDeliverySeq() {
			return ErrInvalidGenesis.Wrapf("delivery %d: missing, repeated or not below next_delivery_seq %d", d.GetSeq(), gs.GetNextDeliverySeq())
		}
		next = d.GetSeq() + 1
	}
	return nil
}
