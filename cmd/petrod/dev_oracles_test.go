package main

import (
	"bytes"
	"context"
	"net"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/cometbft/cometbft/libs/log"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/crypto"
	txtypes "github.com/petro-network/petro/types/tx"
	authtypes "github.com/petro-network/petro/x/auth/types"
	rt "github.com/petro-network/petro/x/reserve/types"
)

var simLotIDs = []string{"ayacucho-1", "carabobo-2", "junin-4"}

func TestReportGenDeterministic(t *testing.T) {
	a, b := newReportGen(simSeed, 1), newReportGen(simSeed, 1)
	for r := uint64(1); r <= 300; r++ {
		la, pa := a.report(r, simLotIDs)
		lb, pb := b.report(r, simLotIDs)
		if pa != pb || len(la) != len(lb) {
			t.Fatalf("round %d: %d vs %d", r, pa, pb)
		}
		for i := range la {
			if !proto.Equal(la[i], lb[i]) {
				t.Fatalf("round %d lot %d: %v vs %v", r, i, la[i], lb[i])
			}
		}
	}
	// A report is a function of the round, whatever was asked before.
	fresh := newReportGen(simSeed, 1)
	l1, p1 := fresh.report(137, simLotIDs)
	_, _ = fresh.report(300, simLotIDs)
	l2, p2 := fresh.report(137, simLotIDs)
	l3, p3 := a.report(137, simLotIDs)
	if p1 != p2 || p1 != p3 || !proto.Equal(l1[0], l2[0]) || !proto.Equal(l1[2], l3[2]) {
		t.Fatal("report depends on call order")
	}
	// Another seed, another market.
	if _, p := newReportGen(simSeed+1, 1).report(137, simLotIDs); p == p1 {
		t.Fatal("seed has no effect")
	}
	// Lots come back in the order given, named as given.
	lots, _ := a.report(5, []string{"new-lot", "ayacucho-1"})
	if lots[0].LotId != "new-lot" || lots[1].LotId != "ayacucho-1" {
		t.Fatalf("lots %v", lots)
	}
	if b := lots[0].Barrels / fixedUnit; b < 900_000 || b > 10_100_000 {
		t.Fatalf("unknown lot simulated at %d barrels", b)
	}
}

// withinBps reports |v − m| ≤ bps/10000 × m.
func withinBps(v, m uint64, bps float64) bool {
	d := float64(v) - float64(m)
	if d < 0 {
		d = -d
	}
	return d <= float64(m)*bps/10_000
}

func TestReportGenOraclesAgree(t *testing.T) {
	gens := []*reportGen{newReportGen(simSeed, 0), newReportGen(simSeed, 1), newReportGen(simSeed, 2)}
	base := map[string]uint64{}
	for _, l := range devSimLots {
		base[l.id] = l.barrels * fixedUnit
	}
	distinct := map[uint64]bool{}
	for r := uint64(1); r <= 2000; r++ {
		prices := make([]uint64, len(gens))
		barrels := make([][]uint64, len(simLotIDs))
		for i, g := range gens {
			lots, p := g.report(r, simLotIDs)
			prices[i] = p
			distinct[p] = true
			for j, l := range lots {
				barrels[j] = append(barrels[j], l.Barrels)
				// The reserve stays within ±0.1 % of the lots' size (+ noise).
				if !withinBps(l.Barrels, base[l.LotId], 11.5) {
					t.Fatalf("round %d oracle %d: %s at %d, base %d", r, i, l.LotId, l.Barrels, base[l.LotId])
				}
			}
			// The price stays around 70 USD ±1 % (+ noise).
			if !withinBps(p, 70*fixedUnit, 106) {
				t.Fatalf("round %d oracle %d: price %s", r, i, formatDecimal8(p))
			}
		}
		// Each oracle is far inside the chain's 5 % (500 bps) deviation of
		// the round's median.
		check := func(what string, vals []uint64) {
			s := append([]uint64(nil), vals...)
			sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
			med := s[len(s)/2]
			for i, v := range vals {
				if !withinBps(v, med, 20) {
					t.Fatalf("round %d oracle %d: %s %d vs median %d", r, i, what, v, med)
				}
			}
		}
		check("price", prices)
		for j, vals := range barrels {
			check(simLotIDs[j], vals)
		}
	}
	if len(distinct) < 100 {
		t.Fatalf("the price hardly moves: %d distinct values", len(distinct))
	}
}

func TestFeederAttestation(t *testing.T) {
	key, _ := crypto.GenPrivKey()
	f := &feeder{key: key, addr: key.PubKey().Address().String(), gen: newReportGen(simSeed, 0)}
	now := time.Unix(1_750_000_000, 0)
	m := f.attestation(9, simLotIDs, now)
	if err := m.ValidateBasic(); err != nil {
		t.Fatal(err)
	}
	if m.RoundId != 9 || m.ObservedAtUnix != now.Unix() || m.Oracle != f.addr {
		t.Fatalf("msg %v", m)
	}
	again := f.attestation(9, simLotIDs, now)
	if !bytes.Equal(m.EvidenceHash, again.EvidenceHash) {
		t.Fatal("evidence hash not deterministic")
	}
	if other := f.attestation(9, simLotIDs, now.Add(time.Second)); bytes.Equal(m.EvidenceHash, other.EvidenceHash) {
		t.Fatal("evidence hash ignores the observation time")
	}
}

// fakeChain answers the queries a feeder makes and settles a round once
// quorum oracles have reported to it.
type fakeChain struct {
	mu      sync.Mutex
	round   uint64
	reports []*rt.Attestation
	settled int
	seq     map[string]uint64
	bad     []string
}

type (
	fakeReserve struct {
		rt.UnimplementedQueryServer
		*fakeChain
	}
	fakeAuth struct {
		authtypes.UnimplementedQueryServer
		*fakeChain
	}
	fakeTx struct {
		txtypes.UnimplementedTxServiceServer
		*fakeChain
	}
)

func (c fakeReserve) OpenRound(context.Context, *rt.QueryOpenRoundRequest) (*rt.QueryOpenRoundResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return &rt.QueryOpenRoundResponse{RoundId: c.round, Attestations: append([]*rt.Attestation(nil), c.reports...), Quorum: 2, Height: 5}, nil
}

func (fakeReserve) Lots(context.Context, *rt.QueryLotsRequest) (*rt.QueryLotsResponse, error) {
	lots := devReserveLots(time.Now())
	lots = append(lots, &rt.Lot{Id: "zz-retired", Retired: true, ValidUntilUnix: time.Now().Add(time.Hour).Unix()},
		&rt.Lot{Id: "zz-expired", ValidUntilUnix: 1})
	return &rt.QueryLotsResponse{Lots: lots, Height: 5}, nil
}

func (c fakeAuth) Account(_ context.Context, req *authtypes.QueryAccountRequest) (*authtypes.QueryAccountResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return &authtypes.QueryAccountResponse{Account: &authtypes.Account{Address: req.Address, Sequence: c.seq[req.Address]}}, nil
}

func (c fakeTx) Broadcast(_ context.Context, req *txtypes.BroadcastRequest) (*txtypes.BroadcastResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var raw txtypes.TxRaw
	var body txtypes.TxBody
	if err := proto.Unmarshal(req.TxBytes, &raw); err != nil {
		return nil, err
	}
	if err := proto.Unmarshal(raw.BodyBytes, &body); err != nil {
		return nil, err
	}
	m := body.Messages[0].GetAttest()
	if err := m.ValidateBasic(); err != nil || len(m.Lots) != 3 || req.Mode != txtypes.BroadcastMode_BROADCAST_MODE_COMMIT {
		c.bad = append(c.bad, m.String())
	}
	if m.RoundId != c.round {
		return &txtypes.BroadcastResponse{Codespace: rt.Codespace, Code: rt.ErrWrongRound.Code, Log: "wrong round"}, nil
	}
	c.seq[m.Oracle]++
	c.reports = append(c.reports, &rt.Attestation{Oracle: m.Oracle, RoundId: m.RoundId, Lots: m.Lots, Price: m.Price})
	if len(c.reports) >= 2 {
		c.round++
		c.reports = nil
		c.settled++
	}
	return &txtypes.BroadcastResponse{Committed: true, Height: 6}, nil
}

func TestRunFeeders(t *testing.T) {
	// A port to serve on later: the feeders must wait for it.
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close()

	var keys []*crypto.PrivKey
	for range devOracleNames {
		k, _ := crypto.GenPrivKey()
		keys = append(keys, k)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		runFeeders(ctx, addr, "petro-dev-1", devOracleNames, keys, 50*time.Millisecond, log.NewNopLogger())
		close(done)
	}()

	time.Sleep(300 * time.Millisecond) // the node is not up yet
	chain := &fakeChain{round: 1, seq: map[string]uint64{}}
	lis, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("port %s taken meanwhile: %v", addr, err)
	}
	s := grpc.NewServer()
	rt.RegisterQueryServer(s, fakeReserve{fakeChain: chain})
	txtypes.RegisterTxServiceServer(s, fakeTx{fakeChain: chain})
	authtypes.RegisterQueryServer(s, fakeAuth{fakeChain: chain})
	go func() { _ = s.Serve(lis) }()
	defer s.Stop()

	deadline := time.Now().Add(10 * time.Second)
	for {
		chain.mu.Lock()
		n := chain.settled
		chain.mu.Unlock()
		if n >= 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d rounds settled", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("feeders did not stop")
	}
	chain.mu.Lock()
	defer chain.mu.Unlock()
	if len(chain.bad) > 0 {
		t.Fatalf("bad reports: %v", chain.bad)
	}
}
