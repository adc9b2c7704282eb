package e2e

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/crypto"
	txtypes "github.com/petro-network/petro/types/tx"
	authtypes "github.com/petro-network/petro/x/auth/types"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

const (
	ptr    = tokentypes.BaseUnitsPerPTR
	barrel = reservetypes.OneBarrel
)

// wallet signs and commits txs for one key over gRPC.
type wallet struct {
	t       *testing.T
	key     *crypto.PrivKey
	chainID string
	cc      *grpc.ClientConn
}

func (w wallet) addr() string { return w.key.PubKey().Address().String() }

func (w wallet) do(msg *txtypes.Msg) *txtypes.BroadcastResponse {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	acc, err := authtypes.NewQueryClient(w.cc).Account(ctx, &authtypes.QueryAccountRequest{Address: w.addr()})
	if err != nil {
		w.t.Fatal(err)
	}
	raw, err := client.SignTx(w.chainID, w.key, acc.Account.Sequence, []*txtypes.Msg{msg}, client.TxOptions{})
	if err != nil {
		w.t.Fatal(err)
	}
	resp, err := txtypes.NewTxServiceClient(w.cc).Broadcast(ctx, &txtypes.BroadcastRequest{TxBytes: raw, Mode: txtypes.BroadcastMode_BROADCAST_MODE_COMMIT})
	if err != nil {
		w.t.Fatal(err)
	}
	return resp
}

func (w wallet) ok(what string, msg *txtypes.Msg) *txtypes.BroadcastResponse {
	w.t.Helper()
	r := w.do(msg)
	if r.Code != 0 {
		w.t.Fatalf("%s: %s/%d %s", what, r.Codespace, r.Code, r.Log)
	}
	return r
}

func (w wallet) refused(what string, msg *txtypes.Msg, space string, code uint32) {
	w.t.Helper()
	r := w.do(msg)
	if r.Codespace != space || r.Code != code {
		w.t.Fatalf("%s: got %s/%d %s, want %s/%d", what, r.Codespace, r.Code, r.Log, space, code)
	}
}

func attestMsg(oracle string, round uint64, barrels uint64, price uint64) *txtypes.Msg {
	ev := sha256.Sum256([]byte(fmt.Sprint("evidence-", round)))
	return &txtypes.Msg{Sum: &txtypes.Msg_Attest{Attest: &reservetypes.MsgAttest{
		Oracle: oracle, RoundId: round, Price: price, ObservedAtUnix: time.Now().Unix(), EvidenceHash: ev[:],
		Lots: []*reservetypes.LotReport{{LotId: "ayacucho-1", Barrels: barrels}},
	}}}
}

// TestReserveAndIssuanceOnNode runs the reserve ledger and the token
// lifecycle on a real node: three oracles attest over gRPC and the status
// goes OK → STALE → OK; then attest → issue → transfer → redeem → fulfil →
// attest a lower reserve → issue refused over capacity; invariants hold.
func TestReserveAndIssuanceOnNode(t *testing.T) {
	if testing.Short() {
		t.Skip("node test")
	}
	oracles := []*crypto.PrivKey{Key(t, 300), Key(t, 301), Key(t, 302)}
	issuerKey, holderKey, otherKey := Key(t, 303), Key(t, 304), Key(t, 305)
	// seconds: a wide window for the txs that need OK, short enough to watch
	// it go STALE
	const maxAge = 10
	n := NewSingleNodeWith(t, e2eChainID, func(gs *app.GenesisState) {
		for _, k := range append(oracles, issuerKey, holderKey) {
			gs.Token.Balances = append(gs.Token.Balances, &tokentypes.Balance{Address: k.PubKey().Address().String(), Amount: ptr})
		}
		for _, k := range oracles {
			gs.Authority.Roles = append(gs.Authority.Roles, &authoritytypes.RoleGrant{Address: k.PubKey().Address().String(), Role: authoritytypes.Role_ROLE_ORACLE})
		}
		gs.Authority.Roles = append(gs.Authority.Roles, &authoritytypes.RoleGrant{Address: issuerKey.PubKey().Address().String(), Role: authoritytypes.Role_ROLE_ISSUER, Allowance: 1_000_000 * ptr})
		gs.Reserve.Params.Quorum = 2
		gs.Reserve.Params.MaxAgeSeconds = maxAge
		cert := sha256.Sum256([]byte("cert"))
		gs.Reserve.Lots = []*reservetypes.Lot{{Id: "ayacucho-1", Field: "ayacucho-1", Category: reservetypes.LotCategory_LOT_CATEGORY_CERTIFIED_IN_GROUND,
			Certifier: "test", CertificateHash: cert[:], ValidUntilUnix: time.Now().Add(24 * time.Hour).Unix()}}
	}, 200*time.Millisecond)
	n.Start()
	n.WaitReady(1, 60*time.Second)
	cc := n.Conn()
	rq := reservetypes.NewQueryClient(cc)
	tq := tokentypes.NewQueryClient(cc)
	bg := context.Background()
	w := func(k *crypto.PrivKey) wallet { return wallet{t: t, key: k, chainID: e2eChainID, cc: cc} }
	status := func() *reservetypes.Backing {
		s, err := rq.Status(bg, &reservetypes.QueryStatusRequest{})
		if err != nil {
			t.Fatal(err)
		}
		return s.Backing
	}
	waitStatus := func(want reservetypes.BackingStatus, within time.Duration) {
		t.Helper()
		if err := Eventually(within, func() error {
			if got := status().Status; got != want {
				return fmt.Errorf("status %s, want %s", got, want)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	openRound := func() uint64 {
		r, err := rq.OpenRound(bg, &reservetypes.QueryOpenRoundRequest{})
		if err != nil {
			t.Fatal(err)
		}
		return r.RoundId
	}
	// attestAll has every oracle report the open round; the round settles
	// in the block of the second report.
	attestAll := func(barrels uint64) {
		t.Helper()
		round := openRound()
		for _, o := range oracles {
			r := w(o).do(attestMsg(o.PubKey().Address().String(), round, barrels, 70*ptr))
			if r.Code != 0 && !(r.Codespace == reservetypes.Codespace && r.Code == reservetypes.ErrWrongRound.Code) {
				t.Fatalf("attest: %s/%d %s", r.Codespace, r.Code, r.Log)
			}
		}
	}

	// Nothing attested yet: STALE, and issuance is refused.
	if s := status(); s.Status != reservetypes.BackingStatus_BACKING_STATUS_STALE {
		t.Fatalf("before any round: %s", s.Status)
	}
	issue := func(amount uint64) *txtypes.Msg {
		return &txtypes.Msg{Sum: &txtypes.Msg_Issue{Issue: &tokentypes.MsgIssue{Issuer: w(issuerKey).addr(), Recipient: w(holderKey).addr(), Amount: amount}}}
	}
	w(issuerKey).refused("issue while STALE", issue(ptr), tokentypes.Codespace, tokentypes.ErrBackingNotOK.Code)

	// Bad attestations get their own codes.
	w(holderKey).refused("attest by a non-oracle", attestMsg(w(holderKey).addr(), openRound(), barrel, ptr), reservetypes.Codespace, reservetypes.ErrNotOracle.Code)
	w(oracles[0]).refused("attest a zero price", attestMsg(w(oracles[0]).addr(), openRound(), barrel, 0), reservetypes.Codespace, reservetypes.ErrZeroPrice.Code)

	// OK → STALE → OK.
	attestAll(1000 * barrel)
	waitStatus(reservetypes.BackingStatus_BACKING_STATUS_OK, 10*time.Second)
	waitStatus(reservetypes.BackingStatus_BACKING_STATUS_STALE, 40*time.Second)
	attestAll(1000 * barrel)
	waitStatus(reservetypes.BackingStatus_BACKING_STATUS_OK, 10*time.Second)

	// attest → issue → transfer → redeem → fulfil
	w(issuerKey).ok("issue 100", issue(100*ptr))
	w(holderKey).ok("transfer", &txtypes.Msg{Sum: &txtypes.Msg_Send{Send: &tokentypes.MsgSend{From: w(holderKey).addr(), To: w(otherKey).addr(), Amount: 10 * ptr}}})
	instr := sha256.Sum256([]byte("deliver to tank 7"))
	r := w(holderKey).ok("redeem", &txtypes.Msg{Sum: &txtypes.Msg_RequestRedemption{RequestRedemption: &tokentypes.MsgRequestRedemption{Owner: w(holderKey).addr(), Amount: 20 * ptr, SettlementInstructionHash: instr[:]}}})
	var id uint64
	for _, ev := range r.Events {
		for _, a := range ev.Attributes {
			if ev.Type == tokentypes.EventTypeRedemption && a.Key == "redemption_id" {
				fmt.Sscan(a.Value, &id)
			}
		}
	}
	w(issuerKey).ok("accept", &txtypes.Msg{Sum: &txtypes.Msg_AcceptRedemption{AcceptRedemption: &tokentypes.MsgAcceptRedemption{Issuer: w(issuerKey).addr(), RedemptionId: id}}})
	proof := sha256.Sum256([]byte("bill of lading"))
	w(issuerKey).ok("fulfil", &txtypes.Msg{Sum: &txtypes.Msg_FulfillRedemption{FulfillRedemption: &tokentypes.MsgFulfillRedemption{Issuer: w(issuerKey).addr(), RedemptionId: id, ProofHash: proof[:]}}})
	red, err := tq.Redemption(bg, &tokentypes.QueryRedemptionRequest{Id: id})
	if err != nil || red.Redemption.Status != tokentypes.RedemptionStatus_REDEMPTION_STATUS_FULFILLED {
		t.Fatalf("redemption: %v %v", err, red)
	}

	// A lower reserve: 100 barrels back 90 PTR (10 % margin); supply is
	// 5 + 100 − 20 = 85 PTR, so issuing 10 more is over capacity.
	attestAll(100 * barrel)
	waitStatus(reservetypes.BackingStatus_BACKING_STATUS_OK, 10*time.Second)
	w(issuerKey).refused("issue over capacity", issue(10*ptr), tokentypes.Codespace, tokentypes.ErrOverCapacity.Code)

	inv, err := tq.Invariants(bg, &tokentypes.QueryInvariantsRequest{})
	if err != nil || !inv.AllHold {
		t.Fatalf("invariants: %v %v", err, inv)
	}
}
