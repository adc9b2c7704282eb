package main

import (
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/proto"

	at "github.com/petro-network/petro/x/authority/types"
	rt "github.com/petro-network/petro/x/reserve/types"
	tt "github.com/petro-network/petro/x/token/types"
)

var evidenceHex = strings.Repeat("ab", 32)

func attestCmd(t *testing.T, flags ...string) *cobra.Command {
	t.Helper()
	c := newTxAttestCmd()
	if err := c.ParseFlags(flags); err != nil {
		t.Fatalf("parse %v: %v", flags, err)
	}
	return c
}

func TestBuildAttest(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	dir := t.TempDir()
	doc := filepath.Join(dir, "report.pdf")
	if err := os.WriteFile(doc, []byte("audit"), 0o600); err != nil {
		t.Fatal(err)
	}
	docHash := sha256.Sum256([]byte("audit"))
	ev := mustHex(t, evidenceHex)

	tests := []struct {
		name  string
		flags []string
		auto  bool
		want  *rt.MsgAttest
	}{
		{"auto round, lots sorted, now", []string{"--lot", "junin-4=16000000.5", "--lot", "ayacucho-1=24000000", "--price", "70.25", "--evidence", evidenceHex},
			true, &rt.MsgAttest{Lots: []*rt.LotReport{{LotId: "ayacucho-1", Barrels: 24_000_000 * 1e8}, {LotId: "junin-4", Barrels: 1_600_000_050_000_000}},
				Price: 7_025_000_000, ObservedAtUnix: now.Unix(), EvidenceHash: ev}},
		{"explicit round and time, evidence file", []string{"--round", "12", "--lot", "a=0", "--price", "0.00000001",
			"--observed-at", "2025-06-01T12:00:00Z", "--evidence-file", doc},
			false, &rt.MsgAttest{RoundId: 12, Lots: []*rt.LotReport{{LotId: "a", Barrels: 0}}, Price: 1,
				ObservedAtUnix: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC).Unix(), EvidenceHash: docHash[:]}},
		{"AUTO, 0x evidence", []string{"--round", "AUTO", "--lot", "b=1", "--price", "1", "--evidence", "0x" + evidenceHex},
			true, &rt.MsgAttest{Lots: []*rt.LotReport{{LotId: "b", Barrels: 1e8}}, Price: 1e8, ObservedAtUnix: now.Unix(), EvidenceHash: ev}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, auto, err := buildAttest(attestCmd(t, tc.flags...), now)
			if err != nil {
				t.Fatal(err)
			}
			if auto != tc.auto || !proto.Equal(got, tc.want) {
				t.Fatalf("got %v auto=%v\nwant %v auto=%v", got, auto, tc.want, tc.auto)
			}
			// With its signer and a round, it is what the chain accepts.
			got.Oracle = addrA
			if got.RoundId == 0 {
				got.RoundId = 1
			}
			if err := got.ValidateBasic(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestBuildAttestRefuses(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	lot := []string{"--lot", "ayacucho-1=1"}
	base := func(extra ...string) []string {
		return append(append(append([]string{}, lot...), "--price", "70", "--evidence", evidenceHex), extra...)
	}
	tests := []struct {
		name  string
		flags []string
		want  string
	}{
		{"no lots", []string{"--price", "70", "--evidence", evidenceHex}, "--lot"},
		{"lot without =", []string{"--lot", "ayacucho-1", "--price", "70", "--evidence", evidenceHex}, "LOT=BARRELS"},
		{"bad lot id", []string{"--lot", "Ayacucho=1", "--price", "70", "--evidence", evidenceHex}, "a-z"},
		{"duplicate lot", []string{"--lot", "a=1", "--lot", "b=2", "--lot", "a=3", "--price", "70", "--evidence", evidenceHex}, "given twice"},
		{"bad barrels", []string{"--lot", "a=1,5", "--price", "70", "--evidence", evidenceHex}, "barrels"},
		{"negative barrels", []string{"--lot", "a=-1", "--price", "70", "--evidence", evidenceHex}, "barrels"},
		{"too many decimals", []string{"--lot", "a=1.123456789", "--price", "70", "--evidence", evidenceHex}, "8 decimals"},
		{"no price", append(append([]string{}, lot...), "--evidence", evidenceHex), "--price"},
		{"bad price", base("--price", "70,5"), "--price"},
		{"zero price", base("--price", "0"), "positive"},
		{"bad round", base("--round", "next"), "--round"},
		{"round zero", base("--round", "0"), "--round"},
		{"bad time", base("--observed-at", "yesterday"), "RFC 3339"},
		{"no evidence", append(append([]string{}, lot...), "--price", "70"), "exactly one"},
		{"both evidences", base("--evidence-file", "x"), "exactly one"},
		{"bad evidence hex", append(append([]string{}, lot...), "--price", "70", "--evidence", "abcd"), "64 hex"},
		{"evidence file missing", append(append([]string{}, lot...), "--price", "70", "--evidence-file", filepath.Join(t.TempDir(), "none")), "--evidence-file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := buildAttest(attestCmd(t, tc.flags...), now)
			var ue *usageError
			if !asUsage(err, &ue) {
				t.Fatalf("want a usage error, got %v", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

func TestBuildReserveAction(t *testing.T) {
	dir := t.TempDir()
	cert := filepath.Join(dir, "cert.pdf")
	_ = os.WriteFile(cert, []byte("certificate"), 0o600)
	certHash := sha256.Sum256([]byte("certificate"))
	until := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	ev := mustHex(t, evidenceHex)
	current := &rt.Lot{Id: "junin-4", Field: "junin", Category: rt.LotCategory_LOT_CATEGORY_PRODUCED, Certifier: "c", CertificateHash: ev, ValidUntilUnix: until}
	curParams := &rt.Params{Quorum: 3, MaxAgeSeconds: 600, MaxFutureSkewSeconds: 30, MaxDeviationBps: 200, BarrelsPerToken: rt.OneBarrel, MarginBps: 500}
	look := chainLookup{
		reserveParams: func() (*rt.Params, error) { return proto.Clone(curParams).(*rt.Params), nil },
		lot: func(id string) (*rt.Lot, error) {
			if id == current.Id {
				return proto.Clone(current).(*rt.Lot), nil
			}
			return nil, nil
		},
	}
	lotFlags := []string{"--id", "ayacucho-1", "--field", "ayacucho-1", "--category", "in-ground", "--certifier", "PDVSA-CVP",
		"--certificate-file", cert, "--valid-until", "2027-01-01T00:00:00Z"}
	tests := []struct {
		name  string
		cmd   string
		args  []string
		flags []string
		want  *at.Action
	}{
		{"create lot", "create-lot", nil, lotFlags,
			&at.Action{Sum: &at.Action_CreateLot{CreateLot: &rt.CreateLot{Lot: &rt.Lot{Id: "ayacucho-1", Field: "ayacucho-1",
				Category: rt.LotCategory_LOT_CATEGORY_CERTIFIED_IN_GROUND, Certifier: "PDVSA-CVP", CertificateHash: certHash[:], ValidUntilUnix: until}}}}},
		{"update lot: one field over the chain's", "update-lot", nil, []string{"--id", "junin-4", "--category", "STORED"},
			&at.Action{Sum: &at.Action_UpdateLot{UpdateLot: &rt.UpdateLot{Lot: &rt.Lot{Id: "junin-4", Field: "junin",
				Category: rt.LotCategory_LOT_CATEGORY_STORED, Certifier: "c", CertificateHash: ev, ValidUntilUnix: until}}}}},
		{"retire lot", "retire-lot", nil, []string{"--id", "junin-4"},
			&at.Action{Sum: &at.Action_RetireLot{RetireLot: &rt.RetireLot{LotId: "junin-4"}}}},
		{"halt", "halt", nil, []string{"--reason", "audit"},
			&at.Action{Sum: &at.Action_SetHalt{SetHalt: &rt.SetHalt{Halted: true, Reason: "audit"}}}},
		{"unhalt", "unhalt", nil, nil,
			&at.Action{Sum: &at.Action_SetHalt{SetHalt: &rt.SetHalt{}}}},
		{"reserve params over the chain's", "set-reserve-params", nil, []string{"--quorum", "2", "--max-age", "1h", "--barrels-per-token", "0.5"},
			&at.Action{Sum: &at.Action_SetReserveParams{SetReserveParams: &rt.SetReserveParams{Params: &rt.Params{Quorum: 2, MaxAgeSeconds: 3600,
				MaxFutureSkewSeconds: 30, MaxDeviationBps: 200, BarrelsPerToken: rt.OneBarrel / 2, MarginBps: 500}}}}},
		{"reserve params margin zero", "set-reserve-params", nil, []string{"--margin-bps", "0"},
			&at.Action{Sum: &at.Action_SetReserveParams{SetReserveParams: &rt.SetReserveParams{Params: &rt.Params{Quorum: 3, MaxAgeSeconds: 600,
				MaxFutureSkewSeconds: 30, MaxDeviationBps: 200, BarrelsPerToken: rt.OneBarrel}}}}},
		{"wipe frozen", "wipe-frozen", []string{addrA}, []string{"--case-id", "AML-7"},
			&at.Action{Sum: &at.Action_WipeFrozen{WipeFrozen: &tt.WipeFrozen{Address: addrA, CaseId: "AML-7"}}}},
		{"council rejects a redemption", "reject-redemption", []string{"7"}, []string{"--reason", "issuer suspended"},
			&at.Action{Sum: &at.Action_RejectRedemption{RejectRedemption: &tt.RejectRedemption{RedemptionId: 7, Reason: "issuer suspended"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := buildAction(proposeCmd(t, tc.cmd, tc.flags...), tc.args, look)
			if err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(got, tc.want) {
				t.Fatalf("got  %v\nwant %v", got, tc.want)
			}
			if d := describeAction(got); strings.HasPrefix(d, "(") || !strings.Contains(d, strings.Split(tc.cmd, " ")[0][:4]) {
				t.Fatalf("describe: %q", d)
			}
		})
	}
}

func TestBuildReserveActionRefuses(t *testing.T) {
	never := chainLookup{
		reserveParams: func() (*rt.Params, error) { return nil, errors.New("must not be called") },
		lot:           func(string) (*rt.Lot, error) { return nil, errors.New("must not be called") },
	}
	full := func(drop string, extra ...string) []string {
		fl := map[string]string{"--id": "a", "--field": "f", "--category": "stored", "--certifier": "c",
			"--certificate-hash": evidenceHex, "--valid-until": "2027-01-01T00:00:00Z"}
		var out []string
		for _, k := range []string{"--id", "--field", "--category", "--certifier", "--certificate-hash", "--valid-until"} {
			if k != drop {
				out = append(out, k, fl[k])
			}
		}
		return append(out, extra...)
	}
	tests := []struct {
		name  string
		cmd   string
		args  []string
		flags []string
		want  string
	}{
		{"create no id", "create-lot", nil, full("--id"), "--id"},
		{"create bad id", "create-lot", nil, full("--id", "--id", "A B"), "a-z"},
		{"create no field", "create-lot", nil, full("--field"), "--field"},
		{"create no category", "create-lot", nil, full("--category"), "--category"},
		{"create unknown category", "create-lot", nil, full("--category", "--category", "offshore"), "in-ground, produced or stored"},
		{"create no certifier", "create-lot", nil, full("--certifier"), "--certifier"},
		{"create no certificate", "create-lot", nil, full("--certificate-hash"), "--certificate-file"},
		{"create both certificates", "create-lot", nil, full("", "--certificate-file", "x"), "exactly one"},
		{"create bad certificate hash", "create-lot", nil, full("--certificate-hash", "--certificate-hash", "00"), "64 hex"},
		{"create no expiry", "create-lot", nil, full("--valid-until"), "--valid-until"},
		{"create bad expiry", "create-lot", nil, full("--valid-until", "--valid-until", "2027-01-01"), "RFC 3339"},
		{"create long field", "create-lot", nil, full("--field", "--field", strings.Repeat("f", 65)), "--field"},
		{"update nothing", "update-lot", nil, []string{"--id", "a"}, "at least one"},
		{"update bad category", "update-lot", nil, []string{"--id", "a", "--category", "x"}, "--category"},
		{"retire no id", "retire-lot", nil, nil, "--id"},
		{"halt no reason", "halt", nil, nil, "--reason"},
		{"halt long reason", "halt", nil, []string{"--reason", strings.Repeat("r", 257)}, "--reason"},
		{"params nothing", "set-reserve-params", nil, nil, "at least one"},
		{"params quorum zero", "set-reserve-params", nil, []string{"--quorum", "0"}, "quorum"},
		{"params fractional age", "set-reserve-params", nil, []string{"--max-age", "1.5s"}, "whole number"},
		{"params deviation", "set-reserve-params", nil, []string{"--max-deviation-bps", "10001"}, "max_deviation"},
		{"params margin", "set-reserve-params", nil, []string{"--margin-bps", "10000"}, "margin"},
		{"params barrels", "set-reserve-params", nil, []string{"--barrels-per-token", "0"}, "barrels_per_token"},
		{"params barrels not decimal", "set-reserve-params", nil, []string{"--barrels-per-token", "1bbl"}, "--barrels-per-token"},
		{"wipe no case", "wipe-frozen", []string{addrA}, nil, "--case-id"},
		{"wipe bad address", "wipe-frozen", []string{"petro1nope"}, []string{"--case-id", "c"}, "address"},
		{"council reject no reason", "reject-redemption", []string{"7"}, nil, "--reason"},
		{"council reject id 0", "reject-redemption", []string{"0"}, []string{"--reason", "r"}, "redemption id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := buildAction(proposeCmd(t, tc.cmd, tc.flags...), tc.args, never)
			var ue *usageError
			if !asUsage(err, &ue) {
				t.Fatalf("want a usage error, got %v", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not mention %q", err, tc.want)
			}
		})
	}

	// update-lot of a lot the chain does not have.
	none := chainLookup{lot: func(string) (*rt.Lot, error) { return nil, nil }}
	if _, err := buildAction(proposeCmd(t, "update-lot", "--id", "zz", "--field", "f"), nil, none); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("got %v", err)
	}
}

// The reserve and token CLIs refuse bad command lines before they open the
// keyring or dial the node (nothing listens on 127.0.0.1:1).
func TestReserveAndTokenCLIBadFlags(t *testing.T) {
	home := t.TempDir()
	common := []string{"--home", home, "--chain-id", "x", "--keyring-backend", "test", "--node", "127.0.0.1:1"}
	attest := []string{"tx", "reserve", "attest", "--lot", "a=1", "--price", "70", "--evidence", evidenceHex}
	tests := []struct {
		name string
		args []string
	}{
		{"attest missing --from", attest},
		{"attest positional arg", append(append([]string{}, attest...), "extra", "--from", "o")},
		{"attest bad price", []string{"tx", "reserve", "attest", "--lot", "a=1", "--price", "x", "--evidence", evidenceHex, "--from", "o"}},
		{"issue missing --from", []string{"tx", "token", "issue", addrA, "10ptr"}},
		{"issue bad amount", []string{"tx", "token", "issue", addrA, "1.5", "--from", "alice"}},
		{"issue one arg", []string{"tx", "token", "issue", addrA, "--from", "alice"}},
		{"redeem missing --from", []string{"tx", "token", "redeem", "5ptr", "--instructions", "x"}},
		{"redeem no instructions", []string{"tx", "token", "redeem", "5ptr", "--from", "bob"}},
		{"accept bad id", []string{"tx", "token", "accept-redemption", "first", "--from", "alice"}},
		{"freeze no case", []string{"tx", "token", "freeze", addrA, "--reason-code", "1", "--from", "bob"}},
		{"pause bad scope", []string{"tx", "token", "pause", "everything", "--from", "bob"}},
		{"propose create-lot no category", []string{"tx", "authority", "propose", "create-lot", "--id", "a", "--field", "f", "--certifier", "c",
			"--certificate-hash", evidenceHex, "--valid-until", "2027-01-01T00:00:00Z", "--from", "val0"}},
		{"query round zero", []string{"query", "reserve", "round", "0"}},
		{"query rounds bad page key", []string{"query", "reserve", "rounds", "--page-key", "AAAA"}},
		{"query history negative height", []string{"query", "reserve", "history", "--height", "-1"}},
		{"query redemptions bad status", []string{"query", "token", "redemptions", "--status", "open"}},
		{"query redemptions bad owner", []string{"query", "token", "redemptions", "--owner", "petro1nope"}},
		{"query redemption no id", []string{"query", "token", "redemption"}},
		{"query status bad output", []string{"query", "reserve", "status", "-o", "yaml"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if args[0] == "tx" {
				args = append(append([]string{}, args...), common...)
			} else {
				args = append(append([]string{}, args...), "--node", "127.0.0.1:1")
			}
			_, _, err := runCLI(t, "", args...)
			var ue *usageError
			if !asUsage(err, &ue) {
				t.Fatalf("want a usage error, got %v", err)
			}
		})
	}
}
