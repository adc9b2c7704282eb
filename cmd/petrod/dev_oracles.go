package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/cometbft/cometbft/libs/log"

	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/crypto"
	txtypes "github.com/petro-network/petro/types/tx"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
)

// The simulated reserve of `petrod dev` (and the lots of `petrod testnet`):
// three lots of ~50 million barrels in all, so the 4 million PTR the dev
// keys hold at genesis are well within the capacity (~45 million PTR with
// the 10 % margin).
const (
	devCertifier = "PDVSA-CVP test certifier"
	// devLotValidity: lot certificates expire a year after genesis.
	devLotValidity = 365 * 24 * time.Hour

	// simBasePrice is the simulated oil price around which the feeders'
	// price drifts, in USD per barrel.
	simBasePrice = 70.0
	// simReserveBand and simPriceBand bound the simulated drift: the
	// reserve stays within ±0.1 % of the lots' base barrels, the price
	// within ±1 % of simBasePrice.
	simReserveBand = 0.001
	simPriceBand   = 0.01
	// Per-round step of the random walk, as a fraction.
	simReserveStep = 0.0002
	simPriceStep   = 0.002
	// Per-oracle observation noise, as a fraction: far inside the chain's
	// 5 % outlier threshold, so no simulated oracle is an outlier.
	simReserveNoise = 0.0001
	simPriceNoise   = 0.0005
	// simSeed seeds the market every simulated oracle observes.
	simSeed uint64 = 0x5045_5452_4f // "PETRO"

	flagFeedInterval    = "feed-interval"
	flagNoFeeders       = "no-feeders"
	defaultFeedInterval = 5 * time.Second
)

// simLot is a lot of the dev reserve with its simulated size.
type simLot struct {
	id       string
	category reservetypes.LotCategory
	barrels  uint64 // whole barrels
}

var devSimLots = []simLot{
	{"ayacucho-1", reservetypes.LotCategory_LOT_CATEGORY_CERTIFIED_IN_GROUND, 24_000_000},
	{"carabobo-2", reservetypes.LotCategory_LOT_CATEGORY_STORED, 10_000_000},
	{"junin-4", reservetypes.LotCategory_LOT_CATEGORY_PRODUCED, 16_000_000},
}

// devReserveLots are the genesis lots of dev and testnet chains: field =
// id, certificate hash = SHA-256 of the id, valid for a year from genesis.
func devReserveLots(genesis time.Time) []*reservetypes.Lot {
	out := make([]*reservetypes.Lot, len(devSimLots))
	for i, s := range devSimLots {
		h := sha256.Sum256([]byte(s.id))
		out[i] = &reservetypes.Lot{
			Id: s.id, Field: s.id, Category: s.category, Certifier: devCertifier,
			CertificateHash: h[:], ValidUntilUnix: genesis.Add(devLotValidity).Unix(),
		}
	}
	return out
}

// simLotBarrels is the simulated size of lot id in whole barrels: the dev
// lots' own, or for a lot the council added, 1–10 million barrels derived
// from its id.
func simLotBarrels(id string) uint64 {
	for _, s := range devSimLots {
		if s.id == id {
			return s.barrels
		}
	}
	h := sha256.Sum256([]byte(id))
	return 1_000_000 + binary.BigEndian.Uint64(h[:8])%9_000_001
}

// simReserveBarrels is Σ of the dev lots' simulated barrels (10^-8 units).
func simReserveBarrels() uint64 {
	var total uint64
	for _, s := range devSimLots {
		total += s.barrels * fixedUnit
	}
	return total
}

// reportGen generates one simulated oracle's reports. Every oracle sees the
// same market (a random walk with one step per round, seeded by seed) and
// adds its own observation noise (seeded by seed, its index and the
// round), so a report is a pure function of (seed, oracle, round, lots):
// the same in every run, and close to the other oracles' for the round.
type reportGen struct {
	seed   uint64
	oracle int

	// The walk, cached at round `at`.
	at      uint64
	reserve float64 // factor on the lots' base barrels
	price   float64 // USD per barrel
}

func newReportGen(seed uint64, oracle int) *reportGen {
	return &reportGen{seed: seed, oracle: oracle, reserve: 1, price: simBasePrice}
}

// market returns the simulated reserve factor and price at round.
func (g *reportGen) market(round uint64) (reserve, price float64) {
	if round < g.at {
		g.at, g.reserve, g.price = 0, 1, simBasePrice
	}
	for g.at < round {
		g.at++
		r := rand.New(rand.NewPCG(g.seed, g.at))
		g.reserve = clamp(g.reserve*(1+simReserveStep*(2*r.Float64()-1)), 1-simReserveBand, 1+simReserveBand)
		g.price = clamp(g.price*(1+simPriceStep*(2*r.Float64()-1)), simBasePrice*(1-simPriceBand), simBasePrice*(1+simPriceBand))
	}
	return g.reserve, g.price
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// report is what oracle g reports for round: barrels (10^-8 units, to the
// hundredth of a barrel) of each lot in lotIDs, in the order given, and
// the price (10^-8 USD, to the ten-thousandth of a dollar).
func (g *reportGen) report(round uint64, lotIDs []string) ([]*reservetypes.LotReport, uint64) {
	reserve, price := g.market(round)
	noise := rand.New(rand.NewPCG(g.seed^0x9e3779b97f4a7c15, uint64(g.oracle)<<48^round))
	jitter := func(frac float64) float64 { return 1 + frac*(2*noise.Float64()-1) }
	lots := make([]*reservetypes.LotReport, len(lotIDs))
	for i, id := range lotIDs {
		bbl := float64(simLotBarrels(id)) * reserve * jitter(simReserveNoise)
		lots[i] = &reservetypes.LotReport{LotId: id, Barrels: uint64(math.Round(bbl*100)) * (fixedUnit / 100)}
	}
	p := uint64(math.Round(price*jitter(simPriceNoise)*10_000)) * (fixedUnit / 10_000)
	return lots, p
}

// evidenceHash is the SHA-256 of the report as JSON: the "audit document"
// a simulated oracle attests.
func evidenceHash(m *reservetypes.MsgAttest) []byte {
	type lot struct {
		LotID   string `json:"lot_id"`
		Barrels uint64 `json:"barrels"`
	}
	doc := struct {
		Oracle     string `json:"oracle"`
		Round      uint64 `json:"round"`
		Lots       []lot  `json:"lots"`
		Price      uint64 `json:"price"`
		ObservedAt int64  `json:"observed_at"`
		Source     string `json:"source"`
	}{Oracle: m.Oracle, Round: m.RoundId, Price: m.Price, ObservedAt: m.ObservedAtUnix, Source: "petrod dev simulated feeder"}
	for _, l := range m.Lots {
		doc.Lots = append(doc.Lots, lot{l.LotId, l.Barrels})
	}
	bz, _ := json.Marshal(doc) // plain structs: cannot fail
	h := sha256.Sum256(bz)
	return h[:]
}

// feeder is one simulated oracle of `petrod dev`.
type feeder struct {
	name    string
	key     *crypto.PrivKey
	addr    string
	gen     *reportGen
	chainID string
	c       *client.Client
	logger  log.Logger

	reporting bool // logged "reporting" once
}

// runFeeders runs one feeder per key until ctx is done; it returns when
// every feeder has stopped.
func runFeeders(ctx context.Context, grpcAddr, chainID string, names []string, keys []*crypto.PrivKey, interval time.Duration, logger log.Logger) {
	logger = logger.With("module", "feeder")
	c, err := client.Dial(grpcAddr)
	if err != nil {
		logger.Info("oracle feeders not started", "err", err)
		return
	}
	defer c.Close()
	var wg sync.WaitGroup
	for i, k := range keys {
		f := &feeder{
			name: names[i], key: k, addr: k.PubKey().Address().String(), gen: newReportGen(simSeed, i),
			chainID: chainID, c: c, logger: logger.With("oracle", names[i]),
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.run(ctx, interval)
		}()
	}
	wg.Wait()
}

// run waits until the node's gRPC answers with committed state (the
// genesis lots are readable once block 1 is committed), then reports every
// interval.
func (f *feeder) run(ctx context.Context, interval time.Duration) {
	for {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		res, err := f.c.Reserve.OpenRound(cctx, &reservetypes.QueryOpenRoundRequest{})
		cancel()
		if err == nil && res.GetHeight() > 0 {
			break
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(500 * time.Millisecond):
		}
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if stop := f.safeTick(ctx, interval); stop {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// safeTick is tick that never panics; it reports whether the feeder should
// stop for good.
func (f *feeder) safeTick(ctx context.Context, interval time.Duration) (stop bool) {
	defer func() {
		if r := recover(); r != nil {
			f.logger.Error("feeder panicked; retrying next tick", "panic", r)
			stop = false
		}
	}()
	tctx, cancel := context.WithTimeout(ctx, max(3*interval, 15*time.Second))
	defer cancel()
	return f.tick(tctx)
}

// tick reports to the open round unless this oracle already has.
func (f *feeder) tick(ctx context.Context) (stop bool) {
	open, err := f.c.Reserve.OpenRound(ctx, &reservetypes.QueryOpenRoundRequest{})
	if err != nil {
		f.infoUnlessStopping(ctx, "read open round", err)
		return false
	}
	for _, a := range open.GetAttestations() {
		if a.GetOracle() == f.addr {
			return false
		}
	}
	lots, err := f.c.Reserve.Lots(ctx, &reservetypes.QueryLotsRequest{Height: open.GetHeight()})
	if err != nil {
		f.infoUnlessStopping(ctx, "read lots", err)
		return false
	}
	now := time.Now()
	var ids []string // the query lists lots in id order
	for _, l := range lots.GetLots() {
		if !l.GetRetired() && l.GetValidUntilUnix() > now.Unix() {
			ids = append(ids, l.GetId())
		}
	}
	if len(ids) == 0 {
		f.logger.Info("no active lots to attest; retrying next tick")
		return false
	}
	msg := f.attestation(open.GetRoundId(), ids, now)
	res, err := f.c.SignAndBroadcast(ctx, f.chainID, f.key, []*txtypes.Msg{client.AttestMsg(msg)},
		client.BroadcastOptions{Mode: txtypes.BroadcastMode_BROADCAST_MODE_COMMIT})
	if err != nil {
		f.infoUnlessStopping(ctx, "broadcast attestation", err)
		return false
	}
	switch {
	case res.GetCode() == 0:
		if !f.reporting {
			f.reporting = true
			f.logger.Info("oracle feeder reporting", "round", msg.RoundId, "price", formatDecimal8(msg.Price), "height", res.GetHeight())
		} else {
			f.logger.Debug("attested", "round", msg.RoundId, "price", formatDecimal8(msg.Price), "height", res.GetHeight())
		}
	case res.GetCodespace() == reservetypes.Codespace && res.GetCode() == reservetypes.ErrNotOracle.Code:
		f.logger.Info("this key is not an oracle on this chain (a dev home made by an older petrod? use --reset); feeder stopped", "address", f.addr)
		return true
	case res.GetCodespace() == reservetypes.Codespace &&
		(res.GetCode() == reservetypes.ErrWrongRound.Code || res.GetCode() == reservetypes.ErrAlreadyReported.Code):
		// The round settled (or we reported) between the query and the block.
		f.logger.Debug("report not needed", "round", msg.RoundId, "log", res.GetLog())
	default:
		f.logger.Info("attestation refused; retrying next tick", "round", msg.RoundId, "code", res.GetCode(), "codespace", res.GetCodespace(), "log", res.GetLog())
	}
	return false
}

// attestation is the feeder's report for round over the active lots ids
// (sorted), observed at now.
func (f *feeder) attestation(round uint64, ids []string, now time.Time) *reservetypes.MsgAttest {
	lots, price := f.gen.report(round, ids)
	m := &reservetypes.MsgAttest{Oracle: f.addr, RoundId: round, Lots: lots, Price: price, ObservedAtUnix: now.Unix()}
	m.EvidenceHash = evidenceHash(m)
	return m
}

func (f *feeder) infoUnlessStopping(ctx context.Context, what string, err error) {
	if errors.Is(ctx.Err(), context.Canceled) {
		return
	}
	f.logger.Info(fmt.Sprintf("%s failed; retrying next tick", what), "err", err)
}
