package keeper_test

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	"github.com/petro-network/petro/x/reserve/keeper"
	"github.com/petro-network/petro/x/reserve/types"
)

var t0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func addr(i int) string {
	seed := sha256.Sum256([]byte(fmt.Sprint("reserve-test-", i)))
	k, _ := crypto.PrivKeyFromBytes(seed[:])
	return k.PubKey().Address().String()
}

// fakes: the oracle set and the token supply.
type fakeAuthority struct{ oracles []string }

func (f *fakeAuthority) Oracles(store.KVStore) ([]string, error) {
	out := append([]string(nil), f.oracles...)
	sort.Strings(out)
	return out, nil
}

type fakeToken struct {
	supply, cap uint64
	frozen      map[string]bool // bech32
}

func (f *fakeToken) Supply(store.KVStore) (uint64, error)  { return f.supply, nil }
func (f *fakeToken) HardCap(store.KVStore) (uint64, error) { return f.cap, nil }
func (f *fakeToken) IsFrozen(_ store.KVStore, a crypto.Address) (bool, error) {
	return f.frozen[a.String()], nil
}

type env struct {
	t    *testing.T
	k    keeper.Keeper
	kv   store.KVStore
	auth *fakeAuthority
	tok  *fakeToken
	now  time.Time
	h    int64
}

const barrel = types.OneBarrel

func newEnv(t *testing.T, mutate func(*types.GenesisState)) *env {
	t.Helper()
	db, _ := store.OpenDB("memdb", "", "")
	cs, err := store.NewCommitStore(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, kv: cs.Working(), auth: &fakeAuthority{oracles: []string{addr(1), addr(2), addr(3)}},
		tok: &fakeToken{cap: 100_000_000 * barrel}, now: t0, h: 1}
	e.k = keeper.NewKeeper(e.auth, e.tok)
	gs := types.DefaultGenesis()
	gs.Params.Quorum = 2
	gs.Params.MaxAgeSeconds = 3600
	gs.Lots = []*types.Lot{
		lot("lot-a", t0.Add(30*24*time.Hour)),
		lot("lot-b", t0.Add(30*24*time.Hour)),
	}
	if mutate != nil {
		mutate(gs)
	}
	if err := e.k.InitGenesis(e.kv, gs); err != nil {
		t.Fatal(err)
	}
	return e
}

func lot(id string, until time.Time) *types.Lot {
	h := sha256.Sum256([]byte(id))
	return &types.Lot{Id: id, Field: "ayacucho-1", Category: types.LotCategory_LOT_CATEGORY_STORED,
		Certifier: "Test Certifier", CertificateHash: h[:], ValidUntilUnix: until.Unix()}
}

func (e *env) ctx() petro.Context { return petro.NewContext(e.kv, "test", e.h, e.now) }

func (e *env) attest(oracle int, round uint64, a, b, price uint64) error {
	ev := sha256.Sum256([]byte("evidence"))
	return e.k.HandleAttest(e.ctx(), &types.MsgAttest{
		Oracle: addr(oracle), RoundId: round, Price: price, ObservedAtUnix: e.now.Unix(), EvidenceHash: ev[:],
		Lots: []*types.LotReport{{LotId: "lot-a", Barrels: a}, {LotId: "lot-b", Barrels: b}},
	})
}

func (e *env) endBlock() *types.Backing {
	e.t.Helper()
	if err := e.k.EndBlock(e.ctx()); err != nil {
		e.t.Fatal(err)
	}
	e.h++
	b, err := e.k.Backing(e.kv)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

func TestQuorumAndMedians(t *testing.T) {
	for _, tc := range []struct {
		name          string
		reports       [][3]uint64 // lot-a, lot-b, price per oracle
		settled       bool
		wantA, wantPx uint64
		outliers      int
		missed        int
	}{
		{"below quorum", [][3]uint64{{100, 50, 70}}, false, 0, 0, 0, 0},
		{"even count: mean of middles", [][3]uint64{{100, 50, 70}, {102, 50, 72}}, true, 101, 71, 0, 1},
		{"odd count: middle", [][3]uint64{{100, 50, 70}, {104, 50, 72}, {101, 50, 71}}, true, 101, 71, 0, 0},
		{"outlier beyond 5%", [][3]uint64{{100, 50, 70}, {100, 50, 70}, {200, 50, 70}}, true, 100, 70, 1, 0},
		{"price outlier", [][3]uint64{{100, 50, 70}, {100, 50, 70}, {100, 50, 90}}, true, 100, 70, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			for i, r := range tc.reports {
				if err := e.attest(i+1, 1, r[0]*barrel, r[1]*barrel, r[2]*barrel); err != nil {
					t.Fatal(err)
				}
			}
			e.endBlock()
			round, err := e.k.LatestRound(e.kv)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.settled {
				if round != nil {
					t.Fatalf("settled below quorum: %v", round)
				}
				return
			}
			if round == nil {
				t.Fatal("not settled")
			}
			if round.Lots[0].Barrels != tc.wantA*barrel || round.Price != tc.wantPx*barrel {
				t.Errorf("medians: lot-a %d price %d, want %d %d", round.Lots[0].Barrels, round.Price, tc.wantA*barrel, tc.wantPx*barrel)
			}
			if len(round.Outliers) != tc.outliers || len(round.Missed) != tc.missed {
				t.Errorf("outliers %v missed %v", round.Outliers, round.Missed)
			}
			if open, _ := e.k.OpenRound(e.kv); open != 2 {
				t.Errorf("open round %d after settling 1", open)
			}
		})
	}
}

func TestEvenMedianRounding(t *testing.T) {
	e := newEnv(t, nil)
	_ = e.attest(1, 1, 3, 1, 5)
	_ = e.attest(2, 1, 4, 2, 8)
	e.endBlock()
	r, _ := e.k.LatestRound(e.kv)
	if r.Lots[0].Barrels != 3 || r.Lots[1].Barrels != 1 || r.Price != 6 {
		t.Fatalf("floor((3+4)/2)=3, floor((1+2)/2)=1, floor((5+8)/2)=6; got %v %d", r.Lots, r.Price)
	}
}

func TestAttestRejections(t *testing.T) {
	ev := sha256.Sum256([]byte("e"))
	good := func(e *env) *types.MsgAttest {
		return &types.MsgAttest{Oracle: addr(1), RoundId: 1, Price: 70 * barrel, ObservedAtUnix: e.now.Unix(), EvidenceHash: ev[:],
			Lots: []*types.LotReport{{LotId: "lot-a", Barrels: 1}, {LotId: "lot-b", Barrels: 1}}}
	}
	for _, tc := range []struct {
		name     string
		malleate func(*env, *types.MsgAttest)
		want     *petro.Error
	}{
		{"not an oracle", func(_ *env, m *types.MsgAttest) { m.Oracle = addr(9) }, types.ErrNotOracle},
		{"frozen oracle", func(e *env, _ *types.MsgAttest) { e.tok.frozen = map[string]bool{addr(1): true} }, types.ErrSignerFrozen},
		{"frozen non-oracle: the role check comes first", func(e *env, m *types.MsgAttest) {
			m.Oracle = addr(9)
			e.tok.frozen = map[string]bool{addr(9): true}
		}, types.ErrNotOracle},
		{"frozen oracle, wrong round: frozen comes first", func(e *env, m *types.MsgAttest) {
			m.RoundId = 2
			e.tok.frozen = map[string]bool{addr(1): true}
		}, types.ErrSignerFrozen},
		{"second report", func(e *env, m *types.MsgAttest) { _ = e.k.HandleAttest(e.ctx(), good(e)) }, types.ErrAlreadyReported},
		{"observation older than max age", func(e *env, m *types.MsgAttest) { m.ObservedAtUnix = e.now.Unix() - 3601 }, types.ErrObservationTooOld},
		{"observation in the future", func(e *env, m *types.MsgAttest) { m.ObservedAtUnix = e.now.Unix() + 61 }, types.ErrObservationInFuture},
		{"unknown lot", func(_ *env, m *types.MsgAttest) { m.Lots[1].LotId = "lot-z" }, types.ErrUnknownLot},
		{"zero price", func(_ *env, m *types.MsgAttest) { m.Price = 0 }, types.ErrZeroPrice},
		{"wrong round", func(_ *env, m *types.MsgAttest) { m.RoundId = 2 }, types.ErrWrongRound},
		{"missing lot", func(_ *env, m *types.MsgAttest) { m.Lots = m.Lots[:1] }, types.ErrIncompleteReport},
		{"duplicate lot", func(_ *env, m *types.MsgAttest) { m.Lots[1].LotId = "lot-a" }, types.ErrDuplicateLot},
		{"bad evidence", func(_ *env, m *types.MsgAttest) { m.EvidenceHash = []byte{1} }, types.ErrInvalidEvidence},
		{"expired lot", func(e *env, m *types.MsgAttest) { e.now = t0.Add(31 * 24 * time.Hour); m.ObservedAtUnix = e.now.Unix() }, types.ErrLotExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			m := good(e)
			tc.malleate(e, m)
			if err := e.k.HandleAttest(e.ctx(), m); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestStalenessBoundary(t *testing.T) {
	for _, tc := range []struct {
		name string
		age  time.Duration
		want types.BackingStatus
	}{
		{"max age - 1s", 3599 * time.Second, types.BackingStatus_BACKING_STATUS_OK},
		{"max age", 3600 * time.Second, types.BackingStatus_BACKING_STATUS_OK},
		{"max age + 1s", 3601 * time.Second, types.BackingStatus_BACKING_STATUS_STALE},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			if b := e.endBlock(); b.Status != types.BackingStatus_BACKING_STATUS_STALE {
				t.Fatalf("no round yet: %s", b.Status)
			}
			_ = e.attest(1, 1, 100*barrel, 50*barrel, 70*barrel)
			_ = e.attest(2, 1, 100*barrel, 50*barrel, 70*barrel)
			if b := e.endBlock(); b.Status != types.BackingStatus_BACKING_STATUS_OK {
				t.Fatalf("after settling: %s", b.Status)
			}
			e.now = t0.Add(tc.age)
			if b := e.endBlock(); b.Status != tc.want {
				t.Fatalf("age %s: %s, want %s", tc.age, b.Status, tc.want)
			}
		})
	}
}

func TestCapacityAndUnderbacking(t *testing.T) {
	e := newEnv(t, nil) // margin 10 %, 1 barrel per PTR
	_ = e.attest(1, 1, 100*barrel, 50*barrel, 70*barrel)
	_ = e.attest(2, 1, 100*barrel, 50*barrel, 70*barrel)
	b := e.endBlock()
	if b.AvailableBarrels != 150*barrel || b.Capacity != 135*barrel {
		t.Fatalf("available %d capacity %d", b.AvailableBarrels, b.Capacity)
	}
	e.tok.supply = 135 * barrel
	if b = e.endBlock(); b.Status != types.BackingStatus_BACKING_STATUS_OK || b.CoverageBps != 11111 {
		t.Fatalf("at capacity: %s coverage %d", b.Status, b.CoverageBps)
	}
	if b.Nav != "94500000000000000000" { // 135 PTR × 70 USD, exact (> 2^64)
		t.Fatalf("nav %s", b.Nav)
	}
	// A delivery lowers available barrels until a later round settles.
	if err := e.k.RecordDelivery(e.ctx(), 1, 10*barrel); err != nil {
		t.Fatal(err)
	}
	if b = e.endBlock(); b.Status != types.BackingStatus_BACKING_STATUS_UNDERBACKED || b.AvailableBarrels != 140*barrel {
		t.Fatalf("after delivery: %s available %d", b.Status, b.AvailableBarrels)
	}
	e.now = e.now.Add(time.Minute)
	_ = e.attest(1, 2, 90*barrel, 50*barrel, 70*barrel)
	_ = e.attest(2, 2, 90*barrel, 50*barrel, 70*barrel)
	if b = e.endBlock(); b.DeliveredBarrels != 0 || b.AvailableBarrels != 140*barrel {
		t.Fatalf("after a round observed later: delivered %d available %d", b.DeliveredBarrels, b.AvailableBarrels)
	}
}

func TestLotExpiryReducesReserve(t *testing.T) {
	e := newEnv(t, func(gs *types.GenesisState) {
		gs.Lots[1].ValidUntilUnix = t0.Add(10 * time.Minute).Unix()
	})
	_ = e.attest(1, 1, 100*barrel, 50*barrel, 70*barrel)
	_ = e.attest(2, 1, 100*barrel, 50*barrel, 70*barrel)
	if b := e.endBlock(); b.AvailableBarrels != 150*barrel {
		t.Fatalf("%d", b.AvailableBarrels)
	}
	e.now = t0.Add(10 * time.Minute)
	if b := e.endBlock(); b.AvailableBarrels != 100*barrel {
		t.Fatalf("expired lot still counted: %d", b.AvailableBarrels)
	}
}

func TestHaltAndLotActions(t *testing.T) {
	e := newEnv(t, nil)
	halt := &authoritytypes.Action{Sum: &authoritytypes.Action_SetHalt{SetHalt: &types.SetHalt{Halted: true, Reason: "audit"}}}
	if err := e.k.ExecuteAction(e.ctx(), halt); err != nil {
		t.Fatal(err)
	}
	if b := e.endBlock(); b.Status != types.BackingStatus_BACKING_STATUS_HALTED {
		t.Fatalf("%s", b.Status)
	}
	dup := &authoritytypes.Action{Sum: &authoritytypes.Action_CreateLot{CreateLot: &types.CreateLot{Lot: lot("lot-a", t0.Add(time.Hour))}}}
	if err := e.k.ValidateAction(e.ctx(), dup); !errors.Is(err, types.ErrLotExists) {
		t.Fatalf("duplicate lot: %v", err)
	}
	retire := &authoritytypes.Action{Sum: &authoritytypes.Action_RetireLot{RetireLot: &types.RetireLot{LotId: "lot-b"}}}
	if err := e.k.ExecuteAction(e.ctx(), retire); err != nil {
		t.Fatal(err)
	}
	if err := e.attest(1, 1, 1, 1, 1); !errors.Is(err, types.ErrLotRetired) {
		t.Fatalf("attest retired lot: %v", err)
	}
}

func TestMissesAndOutliersCounted(t *testing.T) {
	e := newEnv(t, nil)
	_ = e.attest(1, 1, 100*barrel, 50*barrel, 70*barrel)
	_ = e.attest(2, 1, 100*barrel, 50*barrel, 70*barrel)
	e.endBlock()
	_ = e.attest(1, 2, 100*barrel, 50*barrel, 70*barrel)
	_ = e.attest(2, 2, 100*barrel, 50*barrel, 70*barrel)
	_ = e.attest(3, 2, 300*barrel, 50*barrel, 70*barrel)
	e.endBlock()
	a3, _ := crypto.AddressFromBech32(addr(3))
	rec, _ := e.k.OracleRecord(e.kv, a3, addr(3))
	if rec.Misses != 1 || rec.Outliers != 1 || rec.Reports != 1 {
		t.Fatalf("oracle 3: %+v", rec)
	}
}

func TestLotQuorum(t *testing.T) {
	e := newEnv(t, nil)
	_ = e.attest(1, 1, 100*barrel, 50*barrel, 70*barrel)
	// lot-c appears mid-round: only the second report covers it.
	if err := e.k.ExecuteAction(e.ctx(), &authoritytypes.Action{Sum: &authoritytypes.Action_CreateLot{CreateLot: &types.CreateLot{Lot: lot("lot-c", t0.Add(time.Hour))}}}); err != nil {
		t.Fatal(err)
	}
	ev := sha256.Sum256([]byte("evidence"))
	if err := e.k.HandleAttest(e.ctx(), &types.MsgAttest{Oracle: addr(2), RoundId: 1, Price: 70 * barrel, ObservedAtUnix: e.now.Unix(), EvidenceHash: ev[:],
		Lots: []*types.LotReport{{LotId: "lot-a", Barrels: 100 * barrel}, {LotId: "lot-b", Barrels: 50 * barrel}, {LotId: "lot-c", Barrels: 999 * barrel}}}); err != nil {
		t.Fatal(err)
	}
	if b := e.endBlock(); b.AvailableBarrels != 150*barrel {
		t.Fatalf("a lot reported by one oracle counted: %d", b.AvailableBarrels)
	}
}

func TestNAVUsesBarrelsPerToken(t *testing.T) {
	// 2 PTR at 2 barrels per PTR and 70 USD per barrel: 280 USD = 280 × 10^16.
	if got := types.NAV(2*barrel, 2*barrel, 70*barrel); got != "2800000000000000000" {
		t.Fatalf("NAV %s", got)
	}
}

func TestRoundRecordsCoverageAtSettlement(t *testing.T) {
	e := newEnv(t, nil)
	e.tok.supply = 100 * barrel
	_ = e.attest(1, 1, 100*barrel, 50*barrel, 70*barrel)
	_ = e.attest(2, 1, 100*barrel, 50*barrel, 70*barrel)
	e.endBlock()
	p := types.DefaultParams()
	p.BarrelsPerToken = 2 * barrel
	if err := e.k.ExecuteAction(e.ctx(), &authoritytypes.Action{Sum: &authoritytypes.Action_SetReserveParams{SetReserveParams: &types.SetReserveParams{Params: p}}}); err != nil {
		t.Fatal(err)
	}
	r, _ := e.k.Round(e.kv, 1)
	if r.CoverageBps != 15000 { // 150 bbl for 100 PTR at 1 bbl per PTR, whatever params say later
		t.Fatalf("coverage %d", r.CoverageBps)
	}
}
