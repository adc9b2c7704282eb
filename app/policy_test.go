package app_test

import (
	"context"
	"errors"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/internal/store"
	"github.com/petro-network/petro/internal/testutil"
	txtypes "github.com/petro-network/petro/types/tx"
	authoritykeeper "github.com/petro-network/petro/x/authority/keeper"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// Two more council members for the policy chain: a council of 3,
// threshold 2, so one member can be frozen.
const (
	kCouncil2 = kCouncil + 1 + iota
	kCouncil3
)

func newPolicyChain(t *testing.T) *issuanceChain {
	return newIssuanceChain(t, func(gs *app.GenesisState) {
		gs.Authority.Council = &authoritytypes.Council{Threshold: 2, Members: []string{
			testutil.Addr(kCouncil).String(), testutil.Addr(kCouncil2).String(), testutil.Addr(kCouncil3).String()}}
	})
}

func msgPropose(i int, a *authoritytypes.Action) *txtypes.Msg {
	return &txtypes.Msg{Sum: &txtypes.Msg_Propose{Propose: &authoritytypes.MsgPropose{Proposer: testutil.Addr(i).String(), Action: a}}}
}

func msgApprove(i int, id uint64) *txtypes.Msg {
	return &txtypes.Msg{Sum: &txtypes.Msg_Approve{Approve: &authoritytypes.MsgApprove{Approver: testutil.Addr(i).String(), ProposalId: id}}}
}

func msgUnfreeze(i, who int) *txtypes.Msg {
	return &txtypes.Msg{Sum: &txtypes.Msg_Unfreeze{Unfreeze: &tokentypes.MsgUnfreeze{Officer: testutil.Addr(i).String(), Address: testutil.Addr(who).String(), CaseId: "case-42"}}}
}

func (c *issuanceChain) proposal(id uint64) *authoritytypes.Proposal {
	c.t.Helper()
	kv, _, _ := c.a.StateAt(0)
	p, err := authoritykeeper.Keeper{}.Proposal(kv, id)
	if err != nil {
		c.t.Fatal(err)
	}
	return p
}

// TestFrozenKeyHoldsNoPower: on real blocks (FinalizeBlock + Commit, the
// invariants checked after each by testutil.Block), a frozen issuer's
// issue, a frozen oracle's attestation and a frozen council member's
// approval are each refused with their module's code, the frozen
// member's earlier approval stops counting, and the council cannot be
// frozen below its threshold.
func TestFrozenKeyHoldsNoPower(t *testing.T) {
	c := newPolicyChain(t)
	c.attest(1000 * reservetypes.OneBarrel)
	if b := c.backing(); b.Status != reservetypes.BackingStatus_BACKING_STATUS_OK || b.EligibleOracles != 2 || b.Quorum != 2 {
		t.Fatalf("backing %v", b)
	}

	// ARRANGE: a proposal with two approvals is decided at the end of the
	// block that carries the second; here council 2 approves, then is
	// frozen before a third party needs it.
	grantPauser := &authoritytypes.Action{Sum: &authoritytypes.Action_GrantRole{GrantRole: &authoritytypes.GrantRole{
		Address: testutil.Addr(kOther).String(), Role: authoritytypes.Role_ROLE_PAUSER}}}
	c.expect("propose", kCouncil, msgPropose(kCouncil, grantPauser), "", 0) // proposal 1: 1 of 2

	// ACT / ASSERT: the frozen issuer cannot issue.
	c.expect("freeze the issuer", kCompliance, msgFreeze(kCompliance, kIssuer), "", 0)
	c.expect("issue by a frozen issuer", kIssuer, msgIssue(kIssuer, kHolder, ptr), tokentypes.Codespace, tokentypes.ErrSignerFrozen.Code)

	// The frozen oracle cannot attest; the backing shows one eligible oracle.
	c.expect("freeze oracle 1", kCompliance, msgFreeze(kCompliance, kOracle1), "", 0)
	kv, _, _ := c.a.StateAt(0)
	open, _ := c.a.ReserveKeeper().OpenRound(kv)
	ev := [32]byte{1}
	attest := &txtypes.Msg{Sum: &txtypes.Msg_Attest{Attest: &reservetypes.MsgAttest{
		Oracle: testutil.Addr(kOracle1).String(), RoundId: open, Price: 70 * ptr, ObservedAtUnix: c.now.Unix() + 5, EvidenceHash: ev[:],
		Lots: []*reservetypes.LotReport{{LotId: "ayacucho-1", Barrels: 1000 * reservetypes.OneBarrel}}}}}
	c.expect("attest by a frozen oracle", kOracle1, attest, reservetypes.Codespace, reservetypes.ErrSignerFrozen.Code)
	if b := c.backing(); b.EligibleOracles != 1 {
		t.Fatalf("eligible oracles %d, want 1", b.EligibleOracles)
	}

	// The frozen council member cannot approve.
	c.expect("freeze council member 2", kCompliance, msgFreeze(kCompliance, kCouncil2), "", 0)
	c.expect("approve by a frozen member", kCouncil2, msgApprove(kCouncil2, 1), authoritytypes.Codespace, authoritytypes.ErrSignerFrozen.Code)
	c.expect("freeze council member 3 too", kCompliance, msgFreeze(kCompliance, kCouncil3), authoritytypes.Codespace, authoritytypes.ErrCouncilUnreachable.Code)

	// Unfrozen, member 2's approval passes the proposal in the same block.
	c.expect("unfreeze member 2", kCompliance, msgUnfreeze(kCompliance, kCouncil2), "", 0)
	c.expect("approve", kCouncil2, msgApprove(kCouncil2, 1), "", 0)
	if p := c.proposal(1); p.Status != authoritytypes.ProposalStatus_PROPOSAL_STATUS_EXECUTED {
		t.Fatalf("proposal 1: %s %q", p.Status, p.Result)
	}

	// An approval given before its member was frozen stops counting.
	c.expect("propose 2", kCouncil, msgPropose(kCouncil, &authoritytypes.Action{Sum: &authoritytypes.Action_RevokeRole{RevokeRole: &authoritytypes.RevokeRole{
		Address: testutil.Addr(kOther).String(), Role: authoritytypes.Role_ROLE_PAUSER}}}), "", 0)
	c.expect("freeze the proposer", kCompliance, msgFreeze(kCompliance, kCouncil), "", 0)
	c.expect("approve 2", kCouncil3, msgApprove(kCouncil3, 2), "", 0)
	if p := c.proposal(2); p.Status != authoritytypes.ProposalStatus_PROPOSAL_STATUS_VOTING {
		t.Fatalf("a frozen proposer's approval counted: %s", p.Status)
	}
}

// TestCouncilRejectsAcceptedRedemption: after acceptance only the
// accepting issuer may reject; when that issuer is frozen the council
// refunds the holder through a reject_redemption proposal. Revoking an
// oracle below the reserve quorum is refused when proposed.
func TestCouncilRejectsAcceptedRedemption(t *testing.T) {
	const kIssuer2 = kCouncil3 + 1
	c := newIssuanceChain(t, func(gs *app.GenesisState) {
		gs.Authority.Roles = append(gs.Authority.Roles, &authoritytypes.RoleGrant{Address: testutil.Addr(kIssuer2).String(), Role: authoritytypes.Role_ROLE_ISSUER})
	})
	tok := tokentypes.Codespace
	c.attest(1000 * reservetypes.OneBarrel)
	c.expect("request 20", kHolder, msgRedeem(kHolder, 20*ptr), "", 0)
	c.expect("accept", kIssuer, msgAccept(kIssuer, 1), "", 0)
	reject := func(i int) *txtypes.Msg {
		return &txtypes.Msg{Sum: &txtypes.Msg_RejectRedemption{RejectRedemption: &tokentypes.MsgRejectRedemption{
			Issuer: testutil.Addr(i).String(), RedemptionId: 1, Reason: "no tanker"}}}
	}
	c.expect("reject by another issuer", kIssuer2, reject(kIssuer2), tok, tokentypes.ErrNotAcceptingReject.Code)
	c.expect("freeze the accepting issuer", kCompliance, msgFreeze(kCompliance, kIssuer), "", 0)
	c.expect("reject by the frozen accepting issuer", kIssuer, reject(kIssuer), tok, tokentypes.ErrSignerFrozen.Code)
	c.expect("council rejects", kCouncil, msgPropose(kCouncil, &authoritytypes.Action{Sum: &authoritytypes.Action_RejectRedemption{
		RejectRedemption: &tokentypes.RejectRedemption{RedemptionId: 1, Reason: "issuer key suspended"}}}), "", 0) // threshold 1
	if p := c.proposal(1); p.Status != authoritytypes.ProposalStatus_PROPOSAL_STATUS_EXECUTED {
		t.Fatalf("proposal: %s %q", p.Status, p.Result)
	}
	if c.balance(kHolder) != 100*ptr {
		t.Fatalf("holder not refunded: %d", c.balance(kHolder))
	}

	c.expect("revoke an oracle below the quorum", kCouncil, msgPropose(kCouncil, &authoritytypes.Action{Sum: &authoritytypes.Action_RevokeRole{RevokeRole: &authoritytypes.RevokeRole{
		Address: testutil.Addr(kOracle1).String(), Role: authoritytypes.Role_ROLE_ORACLE}}}), reservetypes.Codespace, reservetypes.ErrQuorumUnreachable.Code)
}

// TestGenesisQuorumWithinOracles: InitChain refuses a genesis whose
// oracles cannot reach the reserve quorum; a genesis without oracles (the
// council appoints them later) is accepted and STALE for too few oracles.
func TestGenesisQuorumWithinOracles(t *testing.T) {
	oracle := func(i int) *authoritytypes.RoleGrant {
		return &authoritytypes.RoleGrant{Address: testutil.Addr(i).String(), Role: authoritytypes.Role_ROLE_ORACLE}
	}
	for _, tc := range []struct {
		name    string
		oracles []*authoritytypes.RoleGrant
		ok      bool
	}{
		{"two oracles, quorum 2", []*authoritytypes.RoleGrant{oracle(1), oracle(2)}, true},
		{"one oracle, quorum 2", []*authoritytypes.RoleGrant{oracle(1)}, false},
		{"no oracle yet", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gs := app.DefaultGenesis()
			gs.Reserve.Params.Quorum = 2
			gs.Authority.Roles = tc.oracles
			a, _ := testutil.OpenApp(t, store.BackendMemDB, "")
			_, err := a.InitChain(context.Background(), &abci.RequestInitChain{
				Time: testutil.GenesisTime, ChainId: testutil.ChainID, InitialHeight: 1, AppStateBytes: testutil.GenesisJSON(t, gs)})
			if tc.ok != (err == nil) || err != nil && !errors.Is(err, reservetypes.ErrQuorumUnreachable) {
				t.Fatalf("InitChain = %v, want ok=%v", err, tc.ok)
			}
			if tc.ok && len(tc.oracles) == 0 {
				testutil.NextBlock(t, a)
				kv, _, _ := a.StateAt(0)
				b, _ := a.ReserveKeeper().Backing(kv)
				if b.StaleReason != reservetypes.StaleReason_STALE_REASON_TOO_FEW_ORACLES {
					t.Fatalf("backing %v", b)
				}
			}
		})
	}
}
