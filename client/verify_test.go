package client_test

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"strings"
	"testing"

	ics23 "github.com/cosmos/ics23/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/store"
	"github.com/petro-network/petro/internal/testutil"
	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/types/proof"
	reservekeeper "github.com/petro-network/petro/x/reserve/keeper"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokenkeeper "github.com/petro-network/petro/x/token/keeper"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// chain is a commit store with two versions of token and reserve state,
// served over gRPC by the real query servers, and an app-hash source that
// answers from the store (standing in for the light client).
type chain struct {
	cs             *store.CommitStore
	root1, root2   []byte
	holder, nobody crypto.Address
	c              *client.Client
	tq             *tokenkeeper.QueryServer
}

const (
	supply1 = 100 * tokentypes.BaseUnitsPerPTR
	supply2 = 150 * tokentypes.BaseUnitsPerPTR
)

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func put(t *testing.T, kv store.KVStore, key []byte, v any) {
	t.Helper()
	var bz []byte
	switch v := v.(type) {
	case uint64:
		bz = u64(v)
	case proto.Message:
		var err error
		if bz, err = (proto.MarshalOptions{Deterministic: true}).Marshal(v); err != nil {
			t.Fatal(err)
		}
	}
	if err := kv.Set(key, bz); err != nil {
		t.Fatal(err)
	}
}

// backingFor is a backing record consistent with one lot of barrels.
func backingFor(height int64, supply, barrels uint64, round uint64) *reservetypes.Backing {
	p := reservetypes.DefaultParams()
	capacity := reservetypes.Capacity(barrels, p, tokentypes.DefaultHardCap)
	return &reservetypes.Backing{
		Status: reservetypes.BackingStatus_BACKING_STATUS_OK, SinceHeight: 1,
		ComputedHeight: height, ComputedTimeUnix: 1_700_000_100, LatestRound: round,
		AvailableBarrels: barrels, Capacity: capacity, Supply: supply, Price: 70 * reservetypes.OneBarrel,
		CoverageBps: reservetypes.CoverageBps(barrels, supply, p.BarrelsPerToken), Nav: "x",
		AttestationAgeSeconds: 100,
	}
}

func newChain(t *testing.T) *chain {
	t.Helper()
	ch := &chain{cs: testutil.NewCommitStore(t), holder: testutil.Addr(1), nobody: testutil.Addr(2)}
	w := ch.cs.Working()
	put(t, w, tokentypes.SupplyKey, uint64(supply1))
	put(t, w, tokentypes.BalanceKey(ch.holder), uint64(supply1))
	for i := 10; i < 20; i++ { // a few neighbours so proofs have depth
		put(t, w, tokentypes.BalanceKey(testutil.Addr(i)), uint64(i))
	}
	lot := &reservetypes.Lot{Id: "ayacucho-1", Field: "ayacucho-1", Category: reservetypes.LotCategory_LOT_CATEGORY_STORED, ValidUntilUnix: 1_800_000_000}
	put(t, w, reservetypes.LotKey(lot.Id), lot)
	round := &reservetypes.SettledRound{Id: 1, Lots: []*reservetypes.LotReport{{LotId: lot.Id, Barrels: 1000 * reservetypes.OneBarrel}},
		Price: 70 * reservetypes.OneBarrel, ObservedAtUnix: 1_700_000_000, SettledHeight: 1, TotalBarrels: 1000 * reservetypes.OneBarrel, Supply: supply1}
	put(t, w, reservetypes.RoundKey(1), round)
	put(t, w, reservetypes.BackingKey, backingFor(1, supply1, 1000*reservetypes.OneBarrel, 1))
	red := &tokentypes.Redemption{Id: 1, Owner: ch.holder.String(), Amount: tokentypes.BaseUnitsPerPTR, Status: tokentypes.RedemptionStatus_REDEMPTION_STATUS_REQUESTED}
	put(t, w, tokentypes.RedemptionKey(1), red)
	put(t, w, tokentypes.RedemptionOwnerKey(ch.holder, 1), red)
	var err error
	if _, ch.root1, err = ch.cs.Commit(); err != nil {
		t.Fatal(err)
	}
	put(t, w, tokentypes.SupplyKey, uint64(supply2))
	put(t, w, tokentypes.BalanceKey(ch.holder), uint64(supply2))
	put(t, w, reservetypes.BackingKey, backingFor(2, supply2, 1000*reservetypes.OneBarrel, 1))
	if _, ch.root2, err = ch.cs.Commit(); err != nil {
		t.Fatal(err)
	}
	// A third version so height 2 has a "next header".
	if _, _, err = ch.cs.Commit(); err != nil {
		t.Fatal(err)
	}

	state := testutil.CommittedState{CS: ch.cs}
	ch.tq = tokenkeeper.NewQueryServer(tokenkeeper.Keeper{}, state)
	ch.c = serve(t, ch.tq, reservekeeper.NewQueryServer(reservekeeper.NewKeeper(noOracles{}, nil), state))
	return ch
}

func serve(t *testing.T, tq tokentypes.QueryServer, rq reservetypes.QueryServer) *client.Client {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gs := grpc.NewServer()
	tokentypes.RegisterQueryServer(gs, tq)
	reservetypes.RegisterQueryServer(gs, rq)
	go gs.Serve(l)
	t.Cleanup(gs.Stop)
	conn, err := grpc.NewClient(l.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	c := client.New(conn)
	t.Cleanup(func() { c.Close() })
	return c
}

// storeHashes is an AppHashSource over the commit store: the "header" of
// height h+1 carries the root of version h.
type storeHashes struct{ cs *store.CommitStore }

func (s storeHashes) AppHash(_ context.Context, h int64) ([]byte, error) {
	rs, err := s.cs.ReadAt(h)
	if err != nil {
		return nil, err
	}
	return rs.Hash(), nil
}

func (s storeHashes) LatestProvableHeight(context.Context) (int64, error) {
	h, _ := s.cs.LastCommit()
	return h - 1, nil
}

func (ch *chain) supplyProof(t *testing.T, height int64) *proof.Proof {
	t.Helper()
	res, err := ch.tq.Supply(context.Background(), &tokentypes.QuerySupplyRequest{Height: height, Prove: true})
	if err != nil {
		t.Fatal(err)
	}
	return res.Proof
}

func (ch *chain) balanceProof(t *testing.T, addr crypto.Address, height int64) *proof.Proof {
	t.Helper()
	res, err := ch.tq.Balance(context.Background(), &tokentypes.QueryBalanceRequest{Address: addr.String(), Height: height, Prove: true})
	if err != nil {
		t.Fatal(err)
	}
	return res.Proof
}

func clone(p *proof.Proof) *proof.Proof { return proto.Clone(p).(*proof.Proof) }

func commitment(t *testing.T, p *proof.Proof) *ics23.CommitmentProof {
	t.Helper()
	cp := &ics23.CommitmentProof{}
	if err := cp.Unmarshal(p.Ics23Proofs[0]); err != nil {
		t.Fatal(err)
	}
	return cp
}

func withCommitment(t *testing.T, p *proof.Proof, cp *ics23.CommitmentProof) *proof.Proof {
	t.Helper()
	bz, err := cp.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	q := clone(p)
	q.Ics23Proofs = [][]byte{bz}
	return q
}

func TestVerifyProofAcceptsRealProofs(t *testing.T) {
	ch := newChain(t)
	sp := ch.supplyProof(t, 1)
	if err := client.VerifyProof(ch.root1, sp); err != nil {
		t.Fatalf("supply: %v", err)
	}
	if err := client.VerifyUint64(ch.root1, 1, tokentypes.SupplyKey, supply1, sp); err != nil {
		t.Fatalf("supply value: %v", err)
	}
	if err := client.VerifyUint64(ch.root2, 2, tokentypes.SupplyKey, supply2, ch.supplyProof(t, 2)); err != nil {
		t.Fatalf("supply at 2: %v", err)
	}
	// No balance: an absence proof, which proves 0.
	np := ch.balanceProof(t, ch.nobody, 1)
	if cp := commitment(t, np); cp.GetNonexist() == nil {
		t.Fatalf("want a non-existence proof, got %T", cp.GetProof())
	}
	if err := client.VerifyUint64(ch.root1, 1, tokentypes.BalanceKey(ch.nobody), 0, np); err != nil {
		t.Fatalf("absent balance: %v", err)
	}
}

func TestVerifyProofRejectsForgeries(t *testing.T) {
	ch := newChain(t)
	sp := ch.supplyProof(t, 1)
	hp := ch.balanceProof(t, ch.holder, 1)
	np := ch.balanceProof(t, ch.nobody, 1)
	holderKey, nobodyKey := tokentypes.BalanceKey(ch.holder), tokentypes.BalanceKey(ch.nobody)

	// The proof of an inner node whose path turns left has the right
	// sibling in its suffix and no child in its prefix; give it a left
	// child as well, so the node seems to have two children besides the
	// proven one.
	bothChildren := func(p *proof.Proof) (*proof.Proof, []byte) {
		c := commitment(t, p)
		ex := c.GetExist()
		done := false
		for _, op := range ex.Path {
			if len(op.Suffix) == 33 && !done {
				// prefix is varints|0x20 (the child's length); make it
				// varints|0x20|left hash|0x20, as if the left child were set
				op.Prefix = append(append(op.Prefix, make([]byte, 32)...), 0x20)
				done = true
			}
		}
		if !done {
			for _, op := range ex.Path {
				if len(op.Suffix) == 0 && !done {
					op.Suffix = append([]byte{0x20}, make([]byte, 32)...)
					done = true
				}
			}
		}
		if !done {
			t.Fatal("no inner op to tamper")
		}
		forgedRoot, err := ex.Calculate()
		if err != nil {
			t.Fatal(err)
		}
		return withCommitment(t, p, c), forgedRoot
	}
	forged, forgedRoot := bothChildren(sp)

	wrongValue := clone(sp)
	wrongValue.Value = u64(supply1 + 1)

	// Alter the value inside the existence proof too, so the claimed and
	// embedded values agree: only the hashes can tell.
	deepValue := func() *proof.Proof {
		c := commitment(t, sp)
		c.GetExist().Value = u64(supply1 * 10)
		q := withCommitment(t, sp, c)
		q.Value = u64(supply1 * 10)
		return q
	}()

	wrongKey := clone(hp)
	wrongKey.Key = nobodyKey // the holder's proof offered for another account

	deepKey := func() *proof.Proof {
		c := commitment(t, hp)
		c.GetExist().Key = nobodyKey
		q := withCommitment(t, hp, c)
		q.Key = nobodyKey
		return q
	}()

	absentAsPresent := clone(np)
	absentAsPresent.Value = u64(5)

	presentAsAbsent := clone(hp)
	presentAsAbsent.Value = nil

	twoProofs := clone(sp)
	twoProofs.Ics23Proofs = append(twoProofs.Ics23Proofs, sp.Ics23Proofs[0])
	noProofs := clone(sp)
	noProofs.Ics23Proofs = nil
	garbage := clone(sp)
	garbage.Ics23Proofs = [][]byte{[]byte("not a proof")}

	for _, tc := range []struct {
		name string
		root []byte
		p    *proof.Proof
	}{
		{"wrong value", ch.root1, wrongValue},
		{"wrong value inside the proof", ch.root1, deepValue},
		{"wrong key", ch.root1, wrongKey},
		{"wrong key inside the proof", ch.root1, deepKey},
		{"inner node with both children", ch.root1, forged},
		{"inner node with both children, against its own root", forgedRoot, forged},
		{"another height's app hash", ch.root2, sp},
		{"absence proof for a present value", ch.root1, absentAsPresent},
		{"existence proof without its value", ch.root1, presentAsAbsent},
		{"two proofs", ch.root1, twoProofs},
		{"no proofs", ch.root1, noProofs},
		{"undecodable proof", ch.root1, garbage},
		{"nil", ch.root1, nil},
		{"empty app hash", nil, sp},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := client.VerifyProof(tc.root, tc.p)
			if !errors.Is(err, client.ErrInvalidProof) {
				t.Fatalf("accepted or wrong error: %v", err)
			}
			if strings.Contains(tc.name, "both children") && !strings.Contains(err.Error(), "both sibling hashes") {
				t.Fatalf("refused for another reason than its shape: %v", err)
			}
		})
	}

	// Typed checks: the proof must be about the key asked, at the height
	// asked, and its value must be what the response says.
	if err := client.VerifyUint64(ch.root1, 1, tokentypes.SupplyKey, supply1+1, sp); err == nil {
		t.Error("a genuine supply proof accepted for a different amount")
	}
	if err := client.VerifyUint64(ch.root1, 1, holderKey, supply1, ch.balanceProof(t, testutil.Addr(10), 1)); err == nil {
		t.Error("another account's balance proof accepted")
	}
	if err := client.VerifyUint64(ch.root1, 1, nobodyKey, 7, np); err == nil {
		t.Error("an absence proof accepted for a non-zero balance")
	}
	if err := client.VerifyUint64(ch.root1, 2, tokentypes.SupplyKey, supply1, sp); err == nil {
		t.Error("a height-1 proof accepted as height 2")
	}
	p2 := ch.supplyProof(t, 2)
	p2.Height = 1
	if err := client.VerifyUint64(ch.root1, 1, tokentypes.SupplyKey, supply2, p2); err == nil {
		t.Error("a height-2 proof relabelled as height 1 accepted")
	}
}

func TestVerifyMessage(t *testing.T) {
	ch := newChain(t)
	res, err := reservekeeper.NewQueryServer(reservekeeper.NewKeeper(noOracles{}, nil), testutil.CommittedState{CS: ch.cs}).
		Status(context.Background(), &reservetypes.QueryStatusRequest{Height: 1, Prove: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.VerifyMessage(ch.root1, 1, reservetypes.BackingKey, res.Backing, &reservetypes.Backing{}, res.Proof); err != nil {
		t.Fatalf("genuine backing: %v", err)
	}
	lie := proto.Clone(res.Backing).(*reservetypes.Backing)
	lie.Capacity++
	if err := client.VerifyMessage(ch.root1, 1, reservetypes.BackingKey, lie, &reservetypes.Backing{}, res.Proof); !errors.Is(err, client.ErrInvalidProof) {
		t.Fatalf("altered backing accepted: %v", err)
	}
	if err := client.VerifyMessage(ch.root1, 1, reservetypes.RoundKey(1), res.Backing, nil, res.Proof); !errors.Is(err, client.ErrInvalidProof) {
		t.Fatalf("backing proof accepted for a round key: %v", err)
	}
}

// forgingToken rewrites the supply a genuine server returns.
type forgingToken struct {
	tokentypes.QueryServer
	delta uint64
}

func (f forgingToken) Supply(ctx context.Context, req *tokentypes.QuerySupplyRequest) (*tokentypes.QuerySupplyResponse, error) {
	res, err := f.QueryServer.Supply(ctx, req)
	if err == nil {
		res.Amount += f.delta
	}
	return res, err
}

func TestAuditorVerifiedGetters(t *testing.T) {
	ch := newChain(t)
	ctx := context.Background()
	a := client.NewAuditor(ch.c, storeHashes{ch.cs})
	if s, err := a.VerifiedSupply(ctx, 1); err != nil || s != supply1 {
		t.Fatalf("supply at 1: %d %v", s, err)
	}
	if s, err := a.VerifiedSupply(ctx, 0); err != nil || s != supply2 {
		t.Fatalf("latest supply: %d %v", s, err)
	}
	if b, err := a.VerifiedBalance(ctx, ch.nobody, 1); err != nil || b != 0 {
		t.Fatalf("absent balance: %d %v", b, err)
	}
	if b, err := a.VerifiedBalance(ctx, ch.holder, 2); err != nil || b != supply2 {
		t.Fatalf("balance: %d %v", b, err)
	}
	if r, err := a.VerifiedRound(ctx, 1, 2); err != nil || r.TotalBarrels != 1000*reservetypes.OneBarrel {
		t.Fatalf("round: %v %v", r, err)
	}
	if lots, err := a.VerifiedLots(ctx, 2); err != nil || len(lots) != 1 {
		t.Fatalf("lots: %v %v", lots, err)
	}
	audit, err := a.AuditBacking(ctx, 2)
	if err != nil {
		t.Fatalf("audit backing: %v", err)
	}
	if audit.Status != reservetypes.BackingStatus_BACKING_STATUS_OK || audit.Supply != supply2 || audit.Capacity != 900*tokentypes.BaseUnitsPerPTR {
		t.Fatalf("audit: %+v", audit)
	}
	rows, err := a.AuditRounds(ctx, 1, 2, nil)
	if err != nil || len(rows) != 1 || rows[0].Supply != supply1 {
		t.Fatalf("rounds: %+v %v", rows, err)
	}

	if r, err := a.VerifiedRedemption(ctx, 1, 2); err != nil || r.Amount != tokentypes.BaseUnitsPerPTR {
		t.Fatalf("redemption: %v %v", r, err)
	}
	// The listing queries carry one proof per item.
	rounds, err := ch.c.Reserve.Rounds(ctx, &reservetypes.QueryRoundsRequest{Height: 2, Prove: true})
	if err != nil || len(rounds.Proofs) != len(rounds.Rounds) || len(rounds.Rounds) != 1 {
		t.Fatalf("rounds: %v %v", rounds, err)
	}
	if err := client.VerifyMessage(ch.root2, 2, reservetypes.RoundKey(1), rounds.Rounds[0], nil, rounds.Proofs[0]); err != nil {
		t.Fatalf("rounds proof: %v", err)
	}
	reds, err := ch.c.Token.Redemptions(ctx, &tokentypes.QueryRedemptionsRequest{Owner: ch.holder.String(), Height: 1, Prove: true})
	if err != nil || len(reds.Proofs) != 1 {
		t.Fatalf("redemptions: %v %v", reds, err)
	}
	if err := client.VerifyMessage(ch.root1, 1, tokentypes.RedemptionKey(1), reds.Redemptions[0], nil, reds.Proofs[0]); err != nil {
		t.Fatalf("redemptions proof: %v", err)
	}
	tot, err := ch.c.Token.Totals(ctx, &tokentypes.QueryTotalsRequest{Height: 2, Prove: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.VerifyUint64(ch.root2, 2, tokentypes.SupplyKey, tot.Supply, tot.SupplyProof); err != nil {
		t.Fatalf("totals supply proof: %v", err)
	}
	if err := client.VerifyMessage(ch.root2, 2, tokentypes.TotalsKey, tot.Totals, &tokentypes.Totals{}, tot.Proof); err != nil {
		t.Fatalf("totals proof (absent key): %v", err)
	}
	// Without prove, no proof.
	if res, err := ch.c.Token.Supply(ctx, &tokentypes.QuerySupplyRequest{Height: 1}); err != nil || res.Proof != nil {
		t.Fatalf("supply without prove: %v %v", res, err)
	}

	// A node that inflates the supply is caught, with height and value.
	state := testutil.CommittedState{CS: ch.cs}
	liar := client.NewAuditor(serve(t, forgingToken{ch.tq, 1}, reservekeeper.NewQueryServer(reservekeeper.NewKeeper(noOracles{}, nil), state)), storeHashes{ch.cs})
	_, err = liar.VerifiedSupply(ctx, 1)
	var ve *client.VerificationError
	if !errors.As(err, &ve) || ve.Height != 1 || !strings.Contains(err.Error(), "10000000001") {
		t.Fatalf("forged supply: %v", err)
	}
	if _, err := liar.AuditBacking(ctx, 2); !errors.As(err, &ve) || ve.Height != 2 {
		t.Fatalf("audit through a liar: %v", err)
	}
	// A proof checked against the wrong height's app hash fails.
	shifted := client.NewAuditor(ch.c, shiftedHashes{storeHashes{ch.cs}})
	if _, err := shifted.VerifiedSupply(ctx, 1); !errors.As(err, &ve) {
		t.Fatalf("proof against another height's app hash: %v", err)
	}
}

type shiftedHashes struct{ storeHashes }

func (s shiftedHashes) AppHash(ctx context.Context, h int64) ([]byte, error) {
	return s.storeHashes.AppHash(ctx, h+1)
}

// noOracles is an authority keeper with no oracles (the test chain has none).
type noOracles struct{ reservetypes.AuthorityKeeper }

func (noOracles) Oracles(petro.KVStore) ([]string, error) { return nil, nil }
