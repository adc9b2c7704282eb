package e2e

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/crypto"
	txtypes "github.com/petro-network/petro/types/tx"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// TestMonetaryControlsOnNode (#19) on a real node: the issuer's 10 s rate
// limit is reached → the next issue is refused → the window rolls by block
// time → the issue is allowed; a full tranche refuses; a 256-output batch
// commits, every recipient holds its amount and finds the payment in its
// history (CometBFT's tx index: transfer.recipient).
func TestMonetaryControlsOnNode(t *testing.T) {
	if testing.Short() {
		t.Skip("node test")
	}
	oracle, issuerKey, holderKey := Key(t, 320), Key(t, 321), Key(t, 322)
	const window = 10 // seconds
	n := NewSingleNodeWith(t, e2eChainID, func(gs *app.GenesisState) {
		gs.Token.Balances = append(gs.Token.Balances, &tokentypes.Balance{Address: holderKey.PubKey().Address().String(), Amount: 1000 * ptr})
		var held uint64
		for _, b := range gs.Token.Balances {
			held += b.Amount
		}
		gs.Token.Tranches = []*tokentypes.Tranche{
			{Name: "main", CapBps: 9000, Issued: held},
			{Name: "small", CapAmount: 5 * ptr},
		}
		gs.Token.DefaultTranche = "main"
		gs.Token.RateLimits = []*tokentypes.RateLimit{{Issuer: issuerKey.PubKey().Address().String(),
			Windows: []*tokentypes.RateWindow{{Seconds: window, Max: 10 * ptr}}}}
		gs.Authority.Roles = append(gs.Authority.Roles,
			&authoritytypes.RoleGrant{Address: oracle.PubKey().Address().String(), Role: authoritytypes.Role_ROLE_ORACLE},
			&authoritytypes.RoleGrant{Address: issuerKey.PubKey().Address().String(), Role: authoritytypes.Role_ROLE_ISSUER, Allowance: 1_000_000 * ptr})
		gs.Reserve.Params.Quorum = 1
		gs.Reserve.Params.MaxAgeSeconds = 3600
		cert := sha256.Sum256([]byte("cert"))
		gs.Reserve.Lots = []*reservetypes.Lot{{Id: "ayacucho-1", Field: "ayacucho-1", Category: reservetypes.LotCategory_LOT_CATEGORY_CERTIFIED_IN_GROUND,
			Certifier: "test", CertificateHash: cert[:], ValidUntilUnix: time.Now().Add(24 * time.Hour).Unix()}}
	}, 200*time.Millisecond)
	n.Start()
	n.WaitReady(1, 60*time.Second)
	cc := n.Conn()
	tq := tokentypes.NewQueryClient(cc)
	rq := reservetypes.NewQueryClient(cc)
	bg := context.Background()
	w := func(k *crypto.PrivKey) wallet { return wallet{t: t, key: k, chainID: e2eChainID, cc: cc} }
	issuer, holder := w(issuerKey), w(holderKey)
	issue := func(amount uint64, tranche string) *txtypes.Msg {
		return &txtypes.Msg{Sum: &txtypes.Msg_Issue{Issue: &tokentypes.MsgIssue{Issuer: issuer.addr(), Recipient: holder.addr(), Amount: amount, Tranche: tranche}}}
	}
	tok := tokentypes.Codespace

	// ARRANGE: one attestation settles and the backing is OK.
	w(oracle).ok("attest", attestMsg(oracle.PubKey().Address().String(), 1, 1_000_000*barrel, 70*ptr))
	if err := Eventually(60*time.Second, func() error {
		s, err := rq.Status(bg, &reservetypes.QueryStatusRequest{})
		if err != nil || s.Backing.Status != reservetypes.BackingStatus_BACKING_STATUS_OK {
			return fmt.Errorf("backing %v %v", s.GetBacking(), err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	// ACT / ASSERT: the limit is reached, the next issue refused with the
	// time until capacity frees.
	issuer.ok("issue the window's 10 PTR", issue(10*ptr, ""))
	r := issuer.do(issue(ptr, ""))
	if r.Codespace != tok || r.Code != tokentypes.ErrRateLimited.Code || !strings.Contains(r.Log, "frees in") {
		t.Fatalf("over the limit: %s/%d %s", r.Codespace, r.Code, r.Log)
	}
	// The window rolls by block time: wait until the query shows room.
	if err := Eventually(90*time.Second, func() error {
		rl, err := tq.RateLimits(bg, &tokentypes.QueryRateLimitsRequest{Issuer: issuer.addr()})
		if err != nil {
			return err
		}
		if u := rl.GetLimits()[0].GetWindows()[0]; u.GetRemaining() < 6*ptr {
			return fmt.Errorf("remaining %d, used %d, frees in %ds", u.GetRemaining(), u.GetUsed(), u.GetFreesInSeconds())
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	issuer.ok("issue after the window rolled", issue(ptr, ""))

	// A full tranche refuses.
	issuer.ok("fill the small tranche", issue(5*ptr, "small"))
	issuer.refused("small tranche full", issue(1, "small"), tok, tokentypes.ErrTrancheFull.Code)
	issuer.refused("unknown tranche", issue(1, "nope"), tok, tokentypes.ErrUnknownTranche.Code)
	tr, err := tq.Tranches(bg, &tokentypes.QueryTranchesRequest{Prove: true})
	if err != nil {
		t.Fatal(err)
	}
	var out uint64
	for _, x := range tr.GetTranches() {
		out += x.GetOutstanding()
	}
	if out != tr.GetSupply() || len(tr.GetProofs()) != len(tr.GetTranches()) || tr.GetSupplyProof() == nil {
		t.Fatalf("tranches: Σ outstanding %d, supply %d, %d proofs", out, tr.GetSupply(), len(tr.GetProofs()))
	}

	// A 256-output batch, one signature, committed.
	outs := make([]*tokentypes.Output, tokentypes.MaxBatchOutputs)
	for i := range outs {
		outs[i] = &tokentypes.Output{To: Key(t, 1000+i).PubKey().Address().String(), Amount: uint64(i+1) * 1000}
	}
	res := holder.ok("batch of 256", &txtypes.Msg{Sum: &txtypes.Msg_BatchSend{BatchSend: &tokentypes.MsgBatchSend{From: holder.addr(), Outputs: outs}}})
	rpc := n.RPC()
	for i, o := range outs {
		b, err := tq.Balance(bg, &tokentypes.QueryBalanceRequest{Address: o.To})
		if err != nil || b.GetBalance().GetAmount() != o.Amount {
			t.Fatalf("output %d: balance %v %v, want %d", i, b.GetBalance(), err, o.Amount)
		}
		err = Eventually(30*time.Second, func() error {
			sr, err := rpc.TxSearch(bg, fmt.Sprintf("transfer.recipient='%s'", o.To), false, nil, nil, "")
			if err != nil {
				return err
			}
			if sr.TotalCount != 1 || fmt.Sprintf("%X", sr.Txs[0].Hash) != strings.ToUpper(res.GetTxHash()) {
				return errors.New("batch not in the recipient's history yet")
			}
			return nil
		})
		if err != nil {
			t.Fatalf("output %d history: %v", i, err)
		}
	}
	inv, err := tq.Invariants(bg, &tokentypes.QueryInvariantsRequest{})
	if err != nil || !inv.GetAllHold() {
		t.Fatalf("invariants %v %v", inv, err)
	}
}
