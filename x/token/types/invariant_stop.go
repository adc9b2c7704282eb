package types

// IssuanceStopKey holds, once a ledger invariant has broken, the
// description of the first broken invariant (UTF-8 text). While it is set
// MsgIssue fails with ErrIssuanceStopped (#17).
var IssuanceStopKey = []byte("token/issuance_stop")

// EventTypeInvariantBroken is emitted by the end-block for each invariant
// that breaks, with attributes module, name, detail.
const EventTypeInvariantBroken = "invariant_broken"
