package types

import petro "github.com/petro-network/petro/types"

const ModuleName = "reserve"

var (
	ParamsKey      = []byte("reserve/params")
	OpenRoundKey   = []byte("reserve/open_round") // uint64: the round oracles report to
	BackingKey     = []byte("reserve/backing")    // Backing, rewritten every block
	DeliverySeqKey = []byte("reserve/delivery_seq")
	LotPrefix      = []byte("reserve/lot/")      // | lot id
	RoundPrefix    = []byte("reserve/round/")    // | round id (8): SettledRound
	ReportPrefix   = []byte("reserve/report/")   // | round id (8) | oracle address (20): Attestation
	OraclePrefix   = []byte("reserve/oracle/")   // | oracle address (20): OracleRecord
	DeliveryPrefix = []byte("reserve/delivery/") // | seq (8): Delivery
)

func cat(a []byte, parts ...[]byte) []byte {
	out := append([]byte(nil), a...)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func LotKey(id string) []byte               { return cat(LotPrefix, []byte(id)) }
func RoundKey(id uint64) []byte             { return cat(RoundPrefix, petro.Uint64Bytes(id)) }
func ReportRoundPrefix(round uint64) []byte { return cat(ReportPrefix, petro.Uint64Bytes(round)) }
func ReportKey(round uint64, oracle []byte) []byte {
	return cat(ReportPrefix, petro.Uint64Bytes(round), oracle)
}
func OracleKey(addr []byte) []byte  { return cat(OraclePrefix, addr) }
func DeliveryKey(seq uint64) []byte { return cat(DeliveryPrefix, petro.Uint64Bytes(seq)) }

const (
	EventTypeAttestation   = "attestation"
	EventTypeRoundSettled  = "round_settled"
	EventTypeBackingStatus = "backing_status"
	EventTypeLot           = "lot"
)
