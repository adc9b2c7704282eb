package app_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/internal/store"
	"github.com/petro-network/petro/internal/testutil"
	txtypes "github.com/petro-network/petro/types/tx"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// goldenChainFile pins the app hash and the result codes of every block of
// the golden chain. It is a consensus constant: if TestGoldenChain fails,
// the state machine or its encoding changed (keys, values, IAVL layout, a
// tx rule, an end-block step), a consensus-breaking change that needs a
// coordinated upgrade. Rewrite it (go test ./app -run TestGoldenChain
// -update) only for a change meant to break consensus, and say so in the
// commit message.
const goldenChainFile = "testdata/golden_chain.txt"

// Keys of the golden chain (testutil.Key(i)).
const (
	gCouncil1 = iota + 40
	gCouncil2
	gIssuer
	gOracle1
	gOracle2
	gOracle3
	gCompliance
	gPauser
	gHolder
	gOther
)

// goldenTx is one tx of the golden chain with the result it must get.
type goldenTx struct {
	raw   []byte
	space string
	code  uint32
}

type goldenBlock struct {
	time time.Time
	txs  []goldenTx
}

// goldenBuilder signs the chain's txs with fixed keys and sequences.
type goldenBuilder struct {
	t      testing.TB
	seq    map[int]uint64
	blocks []goldenBlock
	now    time.Time
}

func (b *goldenBuilder) block(advance time.Duration, txs ...goldenTx) {
	b.now = b.now.Add(advance)
	b.blocks = append(b.blocks, goldenBlock{time: b.now, txs: txs})
}

// ok is a tx by key i that must succeed; fail one that must fail with
// (space, code) (its sequence is consumed all the same).
func (b *goldenBuilder) ok(i int, msgs ...*txtypes.Msg) goldenTx { return b.fail(i, "", 0, msgs...) }

func (b *goldenBuilder) fail(i int, space string, code uint32, msgs ...*txtypes.Msg) goldenTx {
	raw, err := client.SignTx(testutil.ChainID, testutil.Key(i), b.seq[i], msgs, client.TxOptions{})
	if err != nil {
		b.t.Fatal(err)
	}
	b.seq[i]++
	return goldenTx{raw: raw, space: space, code: code}
}

func addr(i int) string { return testutil.Addr(i).String() }

func propose(a *authoritytypes.Action) *txtypes.Msg {
	return &txtypes.Msg{Sum: &txtypes.Msg_Propose{Propose: &authoritytypes.MsgPropose{Proposer: addr(gCouncil1), Action: a}}}
}

func approve(id uint64) *txtypes.Msg {
	return &txtypes.Msg{Sum: &txtypes.Msg_Approve{Approve: &authoritytypes.MsgApprove{Approver: addr(gCouncil2), ProposalId: id}}}
}

func consKey(i int) []byte {
	seed := sha256.Sum256([]byte(fmt.Sprint("golden-cons-", i)))
	return ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey)
}

func nodeID(i int) string {
	h := sha256.Sum256([]byte(fmt.Sprint("golden-node-", i)))
	return hex.EncodeToString(h[:20])
}

func attest(oracle int, round uint64, at time.Time, barrels ...uint64) *txtypes.Msg {
	ev := sha256.Sum256([]byte(fmt.Sprint("evidence-", oracle, "-", round)))
	var lots []*reservetypes.LotReport
	for i, b := range barrels {
		lots = append(lots, &reservetypes.LotReport{LotId: fmt.Sprint("lot-", i+1), Barrels: b})
	}
	return &txtypes.Msg{Sum: &txtypes.Msg_Attest{Attest: &reservetypes.MsgAttest{
		Oracle: addr(oracle), RoundId: round, Price: 70 * ptr, ObservedAtUnix: at.Unix(), EvidenceHash: ev[:], Lots: lots}}}
}

func lot(id string, until time.Time) *reservetypes.Lot {
	cert := sha256.Sum256([]byte("certificate " + id))
	return &reservetypes.Lot{Id: id, Field: "ayacucho-1", Category: reservetypes.LotCategory_LOT_CATEGORY_STORED,
		Certifier: "cert", CertificateHash: cert[:], ValidUntilUnix: until.Unix()}
}

// goldenChain is a fixed genesis and a fixed sequence of blocks that runs
// every message type and every end-block path: council proposals passed
// by approval (grant, lot, allowance, peer, validator change, wipe), two
// attestations settling a round (with a missing oracle), issuance,
// redemption accept → fulfil, a rejected and an expired redemption,
// freeze and unfreeze, pause and unpause, a wipe, a validator change,
// the backing going STALE, and refusals with their codes.
func goldenChain(t testing.TB) (*app.GenesisState, []goldenBlock) {
	gs := testutil.NewGenesis().FundKeys(100*ptr, gHolder).State()
	gs.Token.Params.HardCap = 1000 * ptr
	gs.Token.Params.RedemptionTtlSeconds = 3600
	gs.Authority.Council = &authoritytypes.Council{Members: []string{addr(gCouncil1), addr(gCouncil2)}, Threshold: 2}
	gs.Authority.Roles = []*authoritytypes.RoleGrant{
		{Address: addr(gIssuer), Role: authoritytypes.Role_ROLE_ISSUER, Allowance: 300 * ptr},
		{Address: addr(gOracle1), Role: authoritytypes.Role_ROLE_ORACLE},
		{Address: addr(gOracle2), Role: authoritytypes.Role_ROLE_ORACLE},
		{Address: addr(gCompliance), Role: authoritytypes.Role_ROLE_COMPLIANCE},
		{Address: addr(gPauser), Role: authoritytypes.Role_ROLE_PAUSER},
	}
	for i := 0; i < 4; i++ {
		gs.Authority.Validators = append(gs.Authority.Validators, &authoritytypes.Validator{PubKey: consKey(i), Power: 10, NodeId: nodeID(i)})
	}
	gs.Reserve.Params.Quorum = 2
	gs.Reserve.Params.MaxAgeSeconds = 600
	year := testutil.GenesisTime.Add(365 * 24 * time.Hour)
	gs.Reserve.Lots = []*reservetypes.Lot{lot("lot-1", year)}

	b := &goldenBuilder{t: t, seq: map[int]uint64{}, now: testutil.GenesisTime}
	tok, auth := tokentypes.Codespace, authoritytypes.Codespace
	act := func(a any) *authoritytypes.Action {
		switch a := a.(type) {
		case *authoritytypes.GrantRole:
			return &authoritytypes.Action{Sum: &authoritytypes.Action_GrantRole{GrantRole: a}}
		case *authoritytypes.SetAllowance:
			return &authoritytypes.Action{Sum: &authoritytypes.Action_SetAllowance{SetAllowance: a}}
		case *authoritytypes.AllowPeer:
			return &authoritytypes.Action{Sum: &authoritytypes.Action_AllowPeer{AllowPeer: a}}
		case *authoritytypes.AddValidator:
			return &authoritytypes.Action{Sum: &authoritytypes.Action_AddValidator{AddValidator: a}}
		case *reservetypes.CreateLot:
			return &authoritytypes.Action{Sum: &authoritytypes.Action_CreateLot{CreateLot: a}}
		case *tokentypes.WipeFrozen:
			return &authoritytypes.Action{Sum: &authoritytypes.Action_WipeFrozen{WipeFrozen: a}}
		}
		t.Fatalf("no action for %T", a)
		return nil
	}
	step := 5 * time.Second

	// 1: council grant (third oracle) and a peer, each proposed and approved.
	b.block(step,
		b.ok(gCouncil1, propose(act(&authoritytypes.GrantRole{Address: addr(gOracle3), Role: authoritytypes.Role_ROLE_ORACLE}))),
		b.ok(gCouncil2, approve(1)),
		b.ok(gCouncil1, propose(act(&authoritytypes.AllowPeer{Peer: &authoritytypes.AllowedPeer{NodeId: nodeID(9), Note: "auditor"}}))),
		b.ok(gCouncil2, approve(2)),
		b.fail(gCouncil2, auth, authoritytypes.ErrAlreadyApproved.Code, approve(2)))
	// 2: a second lot; issuing before any round is refused (STALE).
	b.block(step,
		b.ok(gCouncil1, propose(act(&reservetypes.CreateLot{Lot: lot("lot-2", year)}))),
		b.ok(gCouncil2, approve(3)),
		b.fail(gIssuer, tok, tokentypes.ErrBackingNotOK.Code, msgIssue(gIssuer, gHolder, ptr)))
	// 3: two attestations settle round 1 (oracle 3 misses it).
	b.block(step, b.ok(gOracle1, attest(gOracle1, 1, b.now.Add(step), 500*reservetypes.OneBarrel, 400*reservetypes.OneBarrel)),
		b.ok(gOracle2, attest(gOracle2, 1, b.now.Add(step), 520*reservetypes.OneBarrel, 400*reservetypes.OneBarrel)))
	// 4: issue, over the allowance refused, raise the allowance.
	b.block(step,
		b.ok(gIssuer, msgIssue(gIssuer, gHolder, 200*ptr)),
		b.fail(gIssuer, tok, tokentypes.ErrOverAllowance.Code, msgIssue(gIssuer, gHolder, 101*ptr)),
		b.ok(gCouncil1, propose(act(&authoritytypes.SetAllowance{Address: addr(gIssuer), Allowance: 500 * ptr}))),
		b.ok(gCouncil2, approve(4)))
	// 5: a transfer and three redemption requests (ids 1, 2, 3).
	b.block(step,
		b.ok(gHolder, msgSend(gHolder, gOther, 20*ptr)),
		b.ok(gHolder, msgRedeem(gHolder, 10*ptr)),
		b.ok(gHolder, msgRedeem(gHolder, 5*ptr)),
		b.ok(gHolder, msgRedeem(gHolder, 3*ptr)))
	// 6: accept 1, reject 2.
	b.block(step,
		b.ok(gIssuer, msgAccept(gIssuer, 1)),
		b.ok(gIssuer, &txtypes.Msg{Sum: &txtypes.Msg_RejectRedemption{RejectRedemption: &tokentypes.MsgRejectRedemption{
			Issuer: addr(gIssuer), RedemptionId: 2, Reason: "no delivery slot"}}}))
	// 7: fulfil 1 (escrow burned, a delivery recorded).
	b.block(step, b.ok(gIssuer, msgFulfil(gIssuer, 1)))
	// 8: freeze the other holder (its send refused), pause and unpause transfers.
	b.block(step,
		b.ok(gCompliance, msgFreeze(gCompliance, gOther)),
		b.fail(gOther, tok, tokentypes.ErrFrozen.Code, msgSend(gOther, gHolder, ptr)),
		b.ok(gPauser, msgPause(gPauser, tokentypes.PauseScope_PAUSE_SCOPE_TRANSFERS, true)),
		b.fail(gHolder, tok, tokentypes.ErrTransfersPaused.Code, msgSend(gHolder, gOther, ptr)),
		b.ok(gPauser, msgPause(gPauser, tokentypes.PauseScope_PAUSE_SCOPE_TRANSFERS, false)))
	// 9: the council wipes the frozen balance; a second holder is frozen and unfrozen.
	b.block(step,
		b.ok(gCouncil1, propose(act(&tokentypes.WipeFrozen{Address: addr(gOther), CaseId: "case-9"}))),
		b.ok(gCouncil2, approve(5)),
		b.ok(gCompliance, msgFreeze(gCompliance, gHolder)),
		b.ok(gCompliance, &txtypes.Msg{Sum: &txtypes.Msg_Unfreeze{Unfreeze: &tokentypes.MsgUnfreeze{
			Officer: addr(gCompliance), Address: addr(gHolder), CaseId: "case-42"}}}))
	// 10: a validator joins (a CometBFT validator update).
	b.block(step,
		b.ok(gCouncil1, propose(act(&authoritytypes.AddValidator{Validator: &authoritytypes.Validator{PubKey: consKey(7), Power: 10, NodeId: nodeID(7)}}))),
		b.ok(gCouncil2, approve(6)))
	// 11: an hour later: redemption 3 expires (refund), the backing is STALE.
	b.block(time.Hour + step)
	// 12: second round: attestations by all three oracles, one an outlier.
	b.block(step, b.ok(gOracle1, attest(gOracle1, 2, b.now.Add(step), 500*reservetypes.OneBarrel, 400*reservetypes.OneBarrel)),
		b.ok(gOracle2, attest(gOracle2, 2, b.now.Add(step), 500*reservetypes.OneBarrel, 400*reservetypes.OneBarrel)),
		b.ok(gOracle3, attest(gOracle3, 2, b.now.Add(step), 900*reservetypes.OneBarrel, 400*reservetypes.OneBarrel)))
	return gs, b.blocks
}

// goldenRecord is one line of the golden file: height, app hash, codes.
func goldenRecord(h int64, hash []byte, res []*abci.ExecTxResult, updates int) string {
	codes := make([]string, len(res))
	for i, r := range res {
		codes[i] = fmt.Sprintf("%s/%d", r.Codespace, r.Code)
	}
	return fmt.Sprintf("%d %x updates=%d codes=%s", h, hash, updates, strings.Join(codes, ","))
}

func runGoldenChain(t *testing.T, a *app.App, gs *app.GenesisState, blocks []goldenBlock) []string {
	t.Helper()
	lines := []string{goldenRecord(0, testutil.InitChain(t, a, gs).AppHash, nil, 0)}
	for i, blk := range blocks {
		h := int64(i + 1)
		raws := make([][]byte, len(blk.txs))
		for j, tx := range blk.txs {
			raws[j] = tx.raw
		}
		resp := testutil.Block(t, a, h, blk.time, raws...)
		for j, r := range resp.TxResults {
			if want := blk.txs[j]; r.Codespace != want.space || r.Code != want.code {
				t.Fatalf("height %d tx %d: %s/%d (%s), want %s/%d", h, j, r.Codespace, r.Code, r.Log, want.space, want.code)
			}
		}
		lines = append(lines, goldenRecord(h, resp.AppHash, resp.TxResults, len(resp.ValidatorUpdates)))
	}
	return lines
}

// TestGoldenChain runs the golden chain on memdb and on pebble: both must
// give the pinned app hash at every height.
func TestGoldenChain(t *testing.T) {
	gs, blocks := goldenChain(t)
	memApp, _ := testutil.OpenApp(t, store.BackendMemDB, "")
	diskApp, _ := testutil.OpenApp(t, "pebble", t.TempDir())
	mem := runGoldenChain(t, memApp, gs, blocks)
	disk := runGoldenChain(t, diskApp, gs, blocks)
	for h := range mem {
		if mem[h] != disk[h] {
			t.Fatalf("memdb and pebble differ:\n%s\n%s", mem[h], disk[h])
		}
	}
	checkGoldenOutcome(t, memApp)

	got := strings.Join(mem, "\n") + "\n"
	if updateGolden() {
		if err := os.WriteFile(filepath.FromSlash(goldenChainFile), []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(filepath.FromSlash(goldenChainFile))
	if err != nil {
		t.Fatalf("%v (create it with -update)", err)
	}
	wl, gl := strings.Split(string(want), "\n"), strings.Split(got, "\n")
	for h := range gl {
		if h >= len(wl) || wl[h] != gl[h] {
			t.Fatalf("golden chain changed at line %d — a consensus-breaking change (see goldenChainFile):\n got %s\nwant %s", h, gl[h], at(wl, h))
		}
	}
	if len(wl) != len(gl) {
		t.Fatalf("golden chain has %d lines, file %d", len(gl), len(wl))
	}
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "(none)"
}

// checkGoldenOutcome: the end-block paths the chain is meant to run did
// run, so the pinned hashes pin a known state.
func checkGoldenOutcome(t *testing.T, a *app.App) {
	t.Helper()
	kv, _, err := a.StateAt(0)
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[uint64]tokentypes.RedemptionStatus{
		1: tokentypes.RedemptionStatus_REDEMPTION_STATUS_FULFILLED,
		2: tokentypes.RedemptionStatus_REDEMPTION_STATUS_REJECTED,
		3: tokentypes.RedemptionStatus_REDEMPTION_STATUS_EXPIRED,
	} {
		r, err := a.TokenKeeper().Redemption(kv, id)
		if err != nil || r.Status != want {
			t.Errorf("redemption %d: %v %v, want %s", id, r.GetStatus(), err, want)
		}
	}
	if open, _ := a.ReserveKeeper().OpenRound(kv); open != 3 {
		t.Errorf("open round %d, want 3 (two settled)", open)
	}
	if bal, _ := a.TokenKeeper().Balance(kv, testutil.Addr(gOther)); bal != 0 {
		t.Errorf("wiped balance %d", bal)
	}
	if b, _ := a.ReserveKeeper().Backing(kv); b.Status != reservetypes.BackingStatus_BACKING_STATUS_OK {
		t.Errorf("backing %s after the second round", b.Status)
	}
}
