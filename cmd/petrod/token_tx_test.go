package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/proto"

	txtypes "github.com/petro-network/petro/types/tx"
	tt "github.com/petro-network/petro/x/token/types"
)

const addrB = "petro1dq7cc20rwn677umq68gq5lwff02ng60w4t264e"

func tokenCmd(t *testing.T, name string, flags ...string) *cobra.Command {
	t.Helper()
	for _, c := range tokenTxCmds() {
		if c.Name() == name {
			if err := c.ParseFlags(flags); err != nil {
				t.Fatalf("parse %v: %v", flags, err)
			}
			return c
		}
	}
	t.Fatalf("no token command %q", name)
	return nil
}

func TestBuildTokenMsg(t *testing.T) {
	ev := mustHex(t, evidenceHex)
	signer := addrB
	tests := []struct {
		name  string
		cmd   string
		args  []string
		flags []string
		want  *txtypes.Msg
	}{
		{"issue PTR", "issue", []string{addrA, "10ptr"}, nil,
			&txtypes.Msg{Sum: &txtypes.Msg_Issue{Issue: &tt.MsgIssue{Issuer: signer, Recipient: addrA, Amount: 10 * ptrUnit}}}},
		{"issue base units", "issue", []string{addrA, "150000000ptrbase"}, nil,
			&txtypes.Msg{Sum: &txtypes.Msg_Issue{Issue: &tt.MsgIssue{Issuer: signer, Recipient: addrA, Amount: 150000000}}}},
		{"redeem with instructions text (hashed)", "redeem", []string{"5ptr"}, []string{"--instructions", "abc"},
			&txtypes.Msg{Sum: &txtypes.Msg_RequestRedemption{RequestRedemption: &tt.MsgRequestRedemption{Owner: signer, Amount: 5 * ptrUnit,
				SettlementInstructionHash: mustHex(t, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")}}}},
		{"redeem with hash", "redeem", []string{"1ptrbase"}, []string{"--instructions-hash", evidenceHex},
			&txtypes.Msg{Sum: &txtypes.Msg_RequestRedemption{RequestRedemption: &tt.MsgRequestRedemption{Owner: signer, Amount: 1, SettlementInstructionHash: ev}}}},
		{"accept", "accept-redemption", []string{"7"}, nil,
			&txtypes.Msg{Sum: &txtypes.Msg_AcceptRedemption{AcceptRedemption: &tt.MsgAcceptRedemption{Issuer: signer, RedemptionId: 7}}}},
		{"fulfill with proof hash", "fulfill-redemption", []string{"7"}, []string{"--proof-hash", "0x" + evidenceHex},
			&txtypes.Msg{Sum: &txtypes.Msg_FulfillRedemption{FulfillRedemption: &tt.MsgFulfillRedemption{Issuer: signer, RedemptionId: 7, ProofHash: ev}}}},
		{"fulfill with proof text", "fulfill-redemption", []string{"7"}, []string{"--proof", "abc"},
			&txtypes.Msg{Sum: &txtypes.Msg_FulfillRedemption{FulfillRedemption: &tt.MsgFulfillRedemption{Issuer: signer, RedemptionId: 7,
				ProofHash: mustHex(t, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")}}}},
		{"reject", "reject-redemption", []string{"8"}, []string{"--reason", "KYC incomplete"},
			&txtypes.Msg{Sum: &txtypes.Msg_RejectRedemption{RejectRedemption: &tt.MsgRejectRedemption{Issuer: signer, RedemptionId: 8, Reason: "KYC incomplete"}}}},
		{"freeze", "freeze", []string{addrA}, []string{"--reason-code", "3", "--case-id", "AML-7"},
			&txtypes.Msg{Sum: &txtypes.Msg_Freeze{Freeze: &tt.MsgFreeze{Officer: signer, Address: addrA, ReasonCode: 3, CaseId: "AML-7"}}}},
		{"unfreeze", "unfreeze", []string{addrA}, []string{"--case-id", "AML-7"},
			&txtypes.Msg{Sum: &txtypes.Msg_Unfreeze{Unfreeze: &tt.MsgUnfreeze{Officer: signer, Address: addrA, CaseId: "AML-7"}}}},
		{"pause transfers", "pause", []string{"transfers"}, nil,
			&txtypes.Msg{Sum: &txtypes.Msg_Pause{Pause: &tt.MsgPause{Pauser: signer, Scope: tt.PauseScope_PAUSE_SCOPE_TRANSFERS}}}},
		{"unpause issuance", "unpause", []string{"ISSUANCE"}, nil,
			&txtypes.Msg{Sum: &txtypes.Msg_Unpause{Unpause: &tt.MsgUnpause{Pauser: signer, Scope: tt.PauseScope_PAUSE_SCOPE_ISSUANCE}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := buildTokenMsg(tokenCmd(t, tc.cmd, tc.flags...), tc.args)
			if err != nil {
				t.Fatal(err)
			}
			if err := setTokenSigner(got, signer); err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(got, tc.want) {
				t.Fatalf("got  %v\nwant %v", got, tc.want)
			}
		})
	}
}

func TestBuildTokenMsgRefuses(t *testing.T) {
	tests := []struct {
		name  string
		cmd   string
		args  []string
		flags []string
		want  string
	}{
		{"issue bad recipient", "issue", []string{"cosmos1x", "1"}, nil, "recipient"},
		{"issue zero", "issue", []string{addrA, "0ptr"}, nil, "positive"},
		{"issue decimal without suffix", "issue", []string{addrA, "1.5"}, nil, "needs a denomination: 1.5ptr"},
		{"issue too many decimals", "issue", []string{addrA, "0.123456789ptr"}, nil, "8 decimals"},
		{"redeem no instructions", "redeem", []string{"1ptr"}, nil, "exactly one"},
		{"redeem both instructions", "redeem", []string{"1ptr"}, []string{"--instructions", "a", "--instructions-hash", evidenceHex}, "exactly one"},
		{"redeem empty instructions", "redeem", []string{"1ptr"}, []string{"--instructions", ""}, "must not be empty"},
		{"redeem bad hash", "redeem", []string{"1ptr"}, []string{"--instructions-hash", "zz"}, "64 hex"},
		{"redeem negative", "redeem", []string{"-1"}, []string{"--instructions", "a"}, "amount"},
		{"accept id zero", "accept-redemption", []string{"0"}, nil, "redemption id"},
		{"fulfill no proof", "fulfill-redemption", []string{"1"}, nil, "exactly one"},
		{"fulfill short hash", "fulfill-redemption", []string{"1"}, []string{"--proof-hash", "abcd"}, "64 hex"},
		{"reject no reason", "reject-redemption", []string{"1"}, nil, "--reason"},
		{"reject long reason", "reject-redemption", []string{"1"}, []string{"--reason", strings.Repeat("r", 257)}, "at most 256"},
		{"freeze no reason code", "freeze", []string{addrA}, []string{"--case-id", "c"}, "--reason-code"},
		{"freeze zero reason code", "freeze", []string{addrA}, []string{"--reason-code", "0", "--case-id", "c"}, "positive"},
		{"freeze no case", "freeze", []string{addrA}, []string{"--reason-code", "1"}, "--case-id"},
		{"freeze long case", "freeze", []string{addrA}, []string{"--reason-code", "1", "--case-id", strings.Repeat("c", 65)}, "at most 64"},
		{"freeze bad address", "freeze", []string{"petro1nope"}, []string{"--reason-code", "1", "--case-id", "c"}, "address"},
		{"unfreeze no case", "unfreeze", []string{addrA}, nil, "--case-id"},
		{"pause unknown scope", "pause", []string{"all"}, nil, "transfers or issuance"},
		{"unpause unspecified", "unpause", []string{"unspecified"}, nil, "transfers or issuance"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := buildTokenMsg(tokenCmd(t, tc.cmd, tc.flags...), tc.args)
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

func TestInvariantsOutput(t *testing.T) {
	ok := &tt.QueryInvariantsResponse{AllHold: true, Height: 9, Invariants: []*tt.InvariantResult{
		{Name: "supply = Σ balances + Σ escrow", Holds: true}, {Name: "Σ issued − Σ burned = supply", Holds: true},
	}}
	var buf bytes.Buffer
	printInvariants(&buf, ok)
	if got := buf.String(); got != "✓ supply = Σ balances + Σ escrow\n✓ Σ issued − Σ burned = supply\nheight: 9\n" {
		t.Fatalf("text:\n%s", got)
	}
	if err := invariantsErr(ok); err != nil {
		t.Fatal(err)
	}
	bad := proto.Clone(ok).(*tt.QueryInvariantsResponse)
	bad.AllHold, bad.Invariants[1].Holds, bad.Invariants[1].Detail = false, false, "issued 5, burned 1, supply 3"
	buf.Reset()
	printInvariants(&buf, bad)
	if !strings.Contains(buf.String(), "✗ Σ issued − Σ burned = supply: issued 5, burned 1, supply 3\n") {
		t.Fatalf("text:\n%s", buf.String())
	}
	if err := invariantsErr(bad); err == nil || !strings.Contains(err.Error(), "1 of 2 invariants do not hold at height 9") {
		t.Fatalf("err %v", err)
	}
	ok.AllHold = false
	if err := invariantsErr(ok); err == nil {
		t.Fatal("all_hold false but no error")
	}
}
