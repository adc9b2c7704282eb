package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/crypto"

	at "github.com/petro-network/petro/x/authority/types"
	tt "github.com/petro-network/petro/x/token/types"
)

func TestBuildBatchSend(t *testing.T) {
	file := filepath.Join(t.TempDir(), "outs.txt")
	if err := os.WriteFile(file, []byte("# payroll\n"+addrB+" 2.5ptr\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := buildTokenMsg(tokenCmd(t, "batch-send", "--outputs-file", file), []string{addrA + "=10ptr"})
	if err != nil {
		t.Fatal(err)
	}
	if err := setTokenSigner(got, crypto.Address(make([]byte, crypto.AddressSize)).String()); err != nil {
		t.Fatal(err)
	}
	want := []*tt.Output{{To: addrA, Amount: 10 * ptrUnit}, {To: addrB, Amount: 250_000_000}}
	if outs := got.GetBatchSend().GetOutputs(); len(outs) != 2 || !proto.Equal(outs[0], want[0]) || !proto.Equal(outs[1], want[1]) {
		t.Fatalf("outputs %v", outs)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{addrA}, "ADDRESS=AMOUNT"},
		{[]string{addrA + "=10"}, "denomination"},
		{[]string{"petro1nope=1ptr"}, "recipient"},
	} {
		if _, err := buildTokenMsg(tokenCmd(t, "batch-send"), c.args); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
	// Duplicates are refused by ValidateBasic once the signer is known.
	dup, err := buildTokenMsg(tokenCmd(t, "batch-send"), []string{addrA + "=1ptr", addrA + "=2ptr"})
	if err != nil {
		t.Fatal(err)
	}
	if err := setTokenSigner(dup, addrB); err == nil || !strings.Contains(err.Error(), "same recipient twice") {
		t.Fatalf("duplicate: %v", err)
	}
}

func TestBuildMonetaryActions(t *testing.T) {
	a, err := buildAction(proposeCmd(t, "set-rate-limit", "--window", "1h=100ptr", "--window", "24h=1000ptr"), []string{addrA}, chainLookup{})
	if err != nil {
		t.Fatal(err)
	}
	want := &at.Action{Sum: &at.Action_SetRateLimit{SetRateLimit: &tt.SetRateLimit{Limit: &tt.RateLimit{Issuer: addrA,
		Windows: []*tt.RateWindow{{Seconds: 3600, Max: 100 * ptrUnit}, {Seconds: 86400, Max: 1000 * ptrUnit}}}}}}
	if !proto.Equal(a, want) {
		t.Fatalf("got %v", a)
	}
	a, err = buildAction(proposeCmd(t, "set-tranche", "--cap-bps", "4400", "--open", "2026-01-01T00:00:00Z", "--close", "1767225601"), []string{"public"}, chainLookup{})
	if err != nil {
		t.Fatal(err)
	}
	if tr := a.GetSetTranche().GetTranche(); tr.GetCapBps() != 4400 || tr.GetOpenUnix() != 1767225600 || tr.GetCloseUnix() != 1767225601 {
		t.Fatalf("got %v", tr)
	}
	for _, c := range []struct {
		cmd   string
		flags []string
		arg   string
		want  string
	}{
		{"set-rate-limit", []string{"--window", "0s=1ptr"}, addrA, "whole number of seconds"},
		{"set-rate-limit", []string{"--window", "1.5s=1ptr"}, addrA, "whole number of seconds"},
		{"set-rate-limit", []string{"--window", "1h=100ptr", "--window", "2h=50ptr"}, addrA, "below the shorter"},
		{"set-tranche", nil, "public", "exactly one of cap_bps and cap_amount"},
		{"set-tranche", []string{"--cap-bps", "1", "--cap", "1ptr"}, "public", "exactly one"},
		{"set-tranche", []string{"--cap-bps", "1"}, "Public", "name"},
		{"set-tranche", []string{"--cap-bps", "1", "--open", "yesterday"}, "x", "RFC 3339"},
	} {
		if _, err := buildAction(proposeCmd(t, c.cmd, c.flags...), []string{c.arg}, chainLookup{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %v: %v, want %q", c.cmd, c.flags, err, c.want)
		}
	}
}
