package main

import (
	"bytes"
	"strings"
	"testing"

	rt "github.com/petro-network/petro/x/reserve/types"
)

func TestPrintReserveStatus(t *testing.T) {
	b := &rt.Backing{
		Status: rt.BackingStatus_BACKING_STATUS_OK, SinceHeight: 12, ComputedHeight: 40, ComputedTimeUnix: 1_750_000_000,
		LatestRound: 7, AvailableBarrels: 5_000_000_012_345_678, Capacity: 4_500_000_000_000_000, Supply: 400_000_000_000_000,
		Price: 7_025_000_000, CoverageBps: 125_000, Nav: "2810000000000000000000000", AttestationAgeSeconds: 4,
	}
	var buf bytes.Buffer
	printReserveStatus(&buf, reserveStatusView{status: &rt.QueryStatusResponse{Backing: b, Height: 40}, params: &rt.Params{MaxAgeSeconds: 30}})
	out := buf.String()
	for _, want := range []string{
		"status:             OK (since height 12)",
		"latest round:       7",
		"available barrels:  50000000.12345678 bbl",
		"capacity:           45000000 PTR",
		"supply:             4000000 PTR",
		"coverage:           1250.00 %",
		"price:              70.25 USD/bbl",
		"NAV:                281000000.00 USD",
		"attestation age:    4s (max 30s)",
		"height:             40",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("no line %q in\n%s", want, out)
		}
	}
	// Before any round: no price, no age; halted shows its reason.
	buf.Reset()
	printReserveStatus(&buf, reserveStatusView{status: &rt.QueryStatusResponse{Backing: &rt.Backing{
		Status: rt.BackingStatus_BACKING_STATUS_HALTED, Halted: true, HaltReason: "audit", Nav: "0"}}})
	for _, want := range []string{"HALTED", "halt reason:", "audit", "none settled yet", "coverage:           - (nothing issued)", "attestation age:    -"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("no %q in\n%s", want, buf.String())
		}
	}
}

func TestPrintReserveStatusStaleReason(t *testing.T) {
	var buf bytes.Buffer
	printReserveStatus(&buf, reserveStatusView{status: &rt.QueryStatusResponse{Backing: &rt.Backing{
		Status: rt.BackingStatus_BACKING_STATUS_STALE, StaleReason: rt.StaleReason_STALE_REASON_TOO_FEW_ORACLES,
		EligibleOracles: 1, Quorum: 2, Nav: "0"}}})
	if want := "stale reason:       too few oracles: 1 can report, the quorum is 2\n"; !strings.Contains(buf.String(), want) {
		t.Errorf("no line %q in\n%s", want, buf.String())
	}
}

func TestParseCategory(t *testing.T) {
	for in, want := range map[string]rt.LotCategory{
		"in-ground": rt.LotCategory_LOT_CATEGORY_CERTIFIED_IN_GROUND, "Produced": rt.LotCategory_LOT_CATEGORY_PRODUCED,
		"STORED": rt.LotCategory_LOT_CATEGORY_STORED, "LOT_CATEGORY_STORED": rt.LotCategory_LOT_CATEGORY_STORED,
	} {
		if got, err := parseCategory(in); err != nil || got != want {
			t.Errorf("%q: %v %v", in, got, err)
		}
		if got, _ := parseCategory(categoryName(want)); got != want {
			t.Errorf("%v does not round-trip", want)
		}
	}
	for _, in := range []string{"", "unspecified", "LOT_CATEGORY_UNSPECIFIED", "offshore"} {
		if _, err := parseCategory(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}
