package types

import "encoding/binary"

const ModuleName = "authority"

var (
	CouncilKey      = []byte("authority/council")
	ParamsKey       = []byte("authority/params")
	NextIDKey       = []byte("authority/next_id")
	RolePrefix      = []byte("authority/role/")   // | role (1 byte) | address (20)
	ValidatorPrefix = []byte("authority/val/")    // | consensus address (20)
	PeerPrefix      = []byte("authority/peer/")   // | node id (40 ascii hex)
	ProposalPrefix  = []byte("authority/prop/")   // | id (8, big-endian)
	ActivePrefix    = []byte("authority/active/") // | id (8): proposals still VOTING or PASSED
)

func join(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]byte, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func RoleKey(role Role, addr []byte) []byte { return join(RolePrefix, []byte{byte(role)}, addr) }
func RolePrefixOf(role Role) []byte         { return join(RolePrefix, []byte{byte(role)}) }
func ValidatorKey(consAddr []byte) []byte   { return join(ValidatorPrefix, consAddr) }
func PeerKey(nodeID string) []byte          { return join(PeerPrefix, []byte(nodeID)) }
func ProposalKey(id uint64) []byte {
	return join(ProposalPrefix, binary.BigEndian.AppendUint64(nil, id))
}
func ActiveKey(id uint64) []byte { return join(ActivePrefix, binary.BigEndian.AppendUint64(nil, id)) }

// Event types.
const (
	EventTypeProposalSubmitted = "proposal_submitted"
	EventTypeProposalApproved  = "proposal_approved"
	EventTypeProposalPassed    = "proposal_passed"
	EventTypeProposalFinalized = "proposal_finalized"
	EventTypeValidatorUpdate   = "validator_update"
)

const (
	MsgProposeTypeURL = "/petro.authority.v1.MsgPropose"
	MsgApproveTypeURL = "/petro.authority.v1.MsgApprove"
)
