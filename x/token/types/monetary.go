package types

import (
	"math/bits"

	"github.com/petro-network/petro/crypto"
)

// Bounds of #19's messages and state.
const (
	// MaxBatchOutputs is the most outputs one MsgBatchSend may carry.
	MaxBatchOutputs = 256
	// MaxRateWindows is the most windows one issuer's rate limit may have.
	MaxRateWindows = 8
	// MaxWindowSeconds is the longest rate window (366 days).
	MaxWindowSeconds = 366 * 24 * 3600
	// MaxTrancheName is the longest tranche name, in bytes.
	MaxTrancheName = 32
	// MaxTrancheIssuers is the most issuers a tranche may name.
	MaxTrancheIssuers = 64
	// DefaultTrancheName is the tranche a genesis without tranches gets.
	DefaultTrancheName = "default"
	// BpsDenominator: 10000 bps = the whole hard cap.
	BpsDenominator = 10_000
)

// ValidateBasic checks the batch without state: a valid sender, 1–256
// outputs, each to a valid address other than the sender with a positive
// amount, no recipient twice, and a sum that fits in uint64.
func (m *MsgBatchSend) ValidateBasic() error {
	from, err := crypto.AddressFromBech32(m.GetFrom())
	if err != nil {
		return ErrInvalidAddress.Wrapf("from: %v", err)
	}
	n := len(m.GetOutputs())
	if n == 0 {
		return ErrNoOutputs
	}
	if n > MaxBatchOutputs {
		return ErrTooManyOutputs.Wrapf("%d > %d", n, MaxBatchOutputs)
	}
	seen := make(map[string]struct{}, n)
	var sum uint64
	for i, o := range m.GetOutputs() {
		to, err := crypto.AddressFromBech32(o.GetTo())
		if err != nil {
			return ErrInvalidAddress.Wrapf("output %d: %v", i, err)
		}
		if from.Equals(to) {
			return ErrSelfTransfer.Wrapf("output %d", i)
		}
		if o.GetAmount() == 0 {
			return ErrInvalidAmount.Wrapf("output %d: amount must be positive", i)
		}
		// Keyed by address bytes: the upper-case spelling is the same account.
		if _, dup := seen[string(to)]; dup {
			return ErrDuplicateOutput.Wrapf("output %d: %s", i, o.GetTo())
		}
		seen[string(to)] = struct{}{}
		var carry uint64
		if sum, carry = bits.Add64(sum, o.GetAmount(), 0); carry != 0 {
			return ErrBatchOverflow.Wrapf("at output %d", i)
		}
	}
	return nil
}

// Signer is the address that must sign a MsgBatchSend.
func (m *MsgBatchSend) Signer() string { return m.GetFrom() }

// Total is the sum of the outputs; call it only after ValidateBasic.
func (m *MsgBatchSend) Total() uint64 {
	var sum uint64
	for _, o := range m.GetOutputs() {
		sum += o.GetAmount()
	}
	return sum
}

// Validate checks a rate limit without state: a valid issuer and 0–8
// windows (0 removes the limit), each of 1 s … 366 d with max > 0 and
// max ≤ hardCap, in strictly increasing length. A longer window with a
// smaller max than a shorter one would make the shorter meaningless, so
// max must not decrease. ErrInvalidAddress or ErrInvalidRateLimit.
func (r *RateLimit) Validate(hardCap uint64) error {
	if err := validAddr("issuer", r.GetIssuer()); err != nil {
		return err
	}
	ws := r.GetWindows()
	if len(ws) > MaxRateWindows {
		return ErrInvalidRateLimit.Wrapf("%d windows > %d", len(ws), MaxRateWindows)
	}
	for i, w := range ws {
		if w.GetSeconds() == 0 || w.GetSeconds() > MaxWindowSeconds {
			return ErrInvalidRateLimit.Wrapf("window %d: seconds %d not in 1..%d", i, w.GetSeconds(), MaxWindowSeconds)
		}
		if w.GetMax() == 0 {
			return ErrInvalidRateLimit.Wrapf("window %d: max must be positive", i)
		}
		if hardCap != 0 && w.GetMax() > hardCap {
			return ErrInvalidRateLimit.Wrapf("window %d: max %d above the hard cap %d", i, w.GetMax(), hardCap)
		}
		if i > 0 {
			prev := ws[i-1]
			if w.GetSeconds() <= prev.GetSeconds() {
				return ErrInvalidRateLimit.Wrapf("window %d: seconds must increase (%d after %d)", i, w.GetSeconds(), prev.GetSeconds())
			}
			if w.GetMax() < prev.GetMax() {
				return ErrInvalidRateLimit.Wrapf("window %d: max %d below the shorter window's %d", i, w.GetMax(), prev.GetMax())
			}
		}
	}
	return nil
}

// ValidTrancheName reports whether name is 1–32 bytes of [a-z0-9_-].
func ValidTrancheName(name string) bool {
	if len(name) == 0 || len(name) > MaxTrancheName {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// Validate checks a tranche without state: its name, exactly one of
// cap_bps (1…10000) and cap_amount, valid unique issuers, times ≥ 0 and
// close after open, and issued ≥ burned. ErrInvalidTranche or
// ErrInvalidAddress.
func (t *Tranche) Validate() error {
	if !ValidTrancheName(t.GetName()) {
		return ErrInvalidTranche.Wrapf("name %q: 1..%d bytes of a-z 0-9 _ -", t.GetName(), MaxTrancheName)
	}
	if (t.GetCapBps() == 0) == (t.GetCapAmount() == 0) {
		return ErrInvalidTranche.Wrapf("%s: set exactly one of cap_bps and cap_amount", t.GetName())
	}
	if t.GetCapBps() > BpsDenominator {
		return ErrInvalidTranche.Wrapf("%s: cap_bps %d > %d", t.GetName(), t.GetCapBps(), BpsDenominator)
	}
	if len(t.GetIssuers()) > MaxTrancheIssuers {
		return ErrInvalidTranche.Wrapf("%s: %d issuers > %d", t.GetName(), len(t.GetIssuers()), MaxTrancheIssuers)
	}
	seen := map[string]bool{}
	for i, a := range t.GetIssuers() {
		addr, err := crypto.AddressFromBech32(a)
		if err != nil {
			return ErrInvalidAddress.Wrapf("tranche %s issuer %d: %v", t.GetName(), i, err)
		}
		if seen[string(addr)] {
			return ErrInvalidTranche.Wrapf("%s: issuer %s twice", t.GetName(), a)
		}
		seen[string(addr)] = true
	}
	if t.GetOpenUnix() < 0 || t.GetCloseUnix() < 0 {
		return ErrInvalidTranche.Wrapf("%s: negative open or close time", t.GetName())
	}
	if t.GetCloseUnix() != 0 && t.GetCloseUnix() <= t.GetOpenUnix() {
		return ErrInvalidTranche.Wrapf("%s: close_unix %d not after open_unix %d", t.GetName(), t.GetCloseUnix(), t.GetOpenUnix())
	}
	if t.GetBurned() > t.GetIssued() {
		return ErrInvalidTranche.Wrapf("%s: burned %d > issued %d", t.GetName(), t.GetBurned(), t.GetIssued())
	}
	return nil
}

// Cap is the tranche's cap in base units against hardCap.
func (t *Tranche) Cap(hardCap uint64) uint64 {
	if t.GetCapAmount() != 0 {
		return t.GetCapAmount()
	}
	hi, lo := bits.Mul64(hardCap, uint64(t.GetCapBps()))
	q, _ := bits.Div64(hi, lo, BpsDenominator) // bps ≤ 10000: q ≤ hardCap
	return q
}

// Outstanding is issued − burned.
func (t *Tranche) Outstanding() uint64 { return t.GetIssued() - t.GetBurned() }

// Open reports whether issues into the tranche are allowed at block time
// now: open_unix ≤ now, and now < close_unix when close_unix is set.
func (t *Tranche) Open(now int64) bool {
	return now >= t.GetOpenUnix() && (t.GetCloseUnix() == 0 || now < t.GetCloseUnix())
}

// ValidateBasic checks the council's rate-limit action (hard cap not
// known here: the keeper repeats Validate with it).
func (s *SetRateLimit) ValidateBasic() error {
	if s.GetLimit() == nil {
		return ErrInvalidRateLimit.Wrap("limit is required")
	}
	return s.GetLimit().Validate(0)
}

// ValidateBasic checks the council's tranche action: a valid tranche
// whose issued and burned are 0 (the chain keeps those).
func (s *SetTranche) ValidateBasic() error {
	if s.GetTranche() == nil {
		return ErrInvalidTranche.Wrap("tranche is required")
	}
	if err := s.GetTranche().Validate(); err != nil {
		return err
	}
	if s.GetTranche().GetIssued() != 0 || s.GetTranche().GetBurned() != 0 {
		return ErrInvalidTranche.Wrap("issued and burned are kept by the chain: leave them 0")
	}
	return nil
}
