package app_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/internal/store"
	"github.com/petro-network/petro/internal/testutil"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
)

const snapshotPeer = "0123456789abcdef0123456789abcdef01234567" // a full node on the genesis allowlist

func snapshotGenesis() *app.GenesisState {
	gs := testutil.NewGenesis().FundKeys(1_000_000, 0, 1, 2).State()
	gs.Authority.Peers = append(gs.Authority.Peers, &authoritytypes.AllowedPeer{NodeId: snapshotPeer, Note: "full node"})
	return gs
}

// snapshotSource runs blocks 1..height with transfers on an app that snapshots every
// interval heights into 256-byte chunks, and returns it with the app hash of each height.
func snapshotSource(t *testing.T, interval uint64, height int64, extra ...testutil.Option) (*app.App, map[int64][]byte) {
	t.Helper()
	opts := app.Options{CheckInvariants: true, SnapshotDir: t.TempDir(), SnapshotInterval: interval, SnapshotChunkSize: 256}
	all := append([]testutil.Option{testutil.WithOptions(opts)}, extra...)
	a := testutil.NewApp(t, snapshotGenesis(), all...)
	hashes := map[int64][]byte{}
	for h := int64(1); h <= height; h++ {
		var txs [][]byte
		for i := 0; i < 3; i++ {
			txs = append(txs, testutil.SendTx(t, testutil.Key(i), uint64(h-1), testutil.Addr((i+1)%3), uint64(10*h+int64(i))))
		}
		testutil.NextBlock(t, a, txs...)
		_, hashes[h] = a.LastCommit()
		if uint64(h)%interval == 0 {
			// Blocks here take microseconds: let the snapshot finish, or the next one
			// due would be skipped (one snapshot at a time).
			waitSnapshot(t, a, uint64(h))
		}
	}
	return a, hashes
}

// waitSnapshot polls ListSnapshots until a snapshot of height is listed (they are written
// in the background).
func waitSnapshot(t *testing.T, a *app.App, height uint64) *abci.Snapshot {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := a.ListSnapshots(context.Background(), &abci.RequestListSnapshots{})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range resp.Snapshots {
			if s.Height == height {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no snapshot of height %d listed (have %v)", height, resp.Snapshots)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func loadChunks(t *testing.T, a *app.App, s *abci.Snapshot) [][]byte {
	t.Helper()
	var chunks [][]byte
	for i := uint32(0); i < s.Chunks; i++ {
		resp, err := a.LoadSnapshotChunk(context.Background(), &abci.RequestLoadSnapshotChunk{Height: s.Height, Format: s.Format, Chunk: i})
		if err != nil || len(resp.Chunk) == 0 {
			t.Fatalf("LoadSnapshotChunk(%d): %v (%d bytes)", i, err, len(resp.Chunk))
		}
		chunks = append(chunks, resp.Chunk)
	}
	return chunks
}

func offer(t *testing.T, a *app.App, s *abci.Snapshot, appHash []byte) abci.ResponseOfferSnapshot_Result {
	t.Helper()
	resp, err := a.OfferSnapshot(context.Background(), &abci.RequestOfferSnapshot{Snapshot: s, AppHash: appHash})
	if err != nil {
		t.Fatalf("OfferSnapshot: %v", err)
	}
	return resp.Result
}

func apply(t *testing.T, a *app.App, i uint32, chunk []byte, sender string) *abci.ResponseApplySnapshotChunk {
	t.Helper()
	resp, err := a.ApplySnapshotChunk(context.Background(), &abci.RequestApplySnapshotChunk{Index: i, Chunk: chunk, Sender: sender})
	if err != nil {
		t.Fatalf("ApplySnapshotChunk(%d): %v", i, err)
	}
	return resp
}

func info(t *testing.T, a *app.App) *abci.ResponseInfo {
	t.Helper()
	resp, err := a.Info(context.Background(), &abci.RequestInfo{})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestSnapshotStateSync drives state sync through ABCI: snapshots listed and loaded on one
// app, offered and applied to a fresh one (with a corrupted chunk on the way); then both
// execute the same blocks with the same app hashes, and the restored app survives a restart.
func TestSnapshotStateSync(t *testing.T) {
	const interval, height = 5, 10
	src, hashes := snapshotSource(t, interval, height)
	snap := waitSnapshot(t, src, height)
	waitSnapshot(t, src, 5)
	if snap.Format != store.SnapshotFormat || snap.Chunks < 2 || len(snap.Metadata) != int(snap.Chunks)*32 {
		t.Fatalf("snapshot %+v", snap)
	}
	chunks := loadChunks(t, src, snap)
	if r, _ := src.LoadSnapshotChunk(context.Background(), &abci.RequestLoadSnapshotChunk{Height: height, Format: snap.Format, Chunk: snap.Chunks}); len(r.Chunk) != 0 {
		t.Fatal("a chunk past the end was served")
	}

	// A new node: no InitChain (CometBFT skips it when state-syncing), genesis on hand.
	dir := t.TempDir()
	opts := app.Options{CheckInvariants: true, GenesisAppState: testutil.GenesisJSON(t, snapshotGenesis())}
	dst, closeDst := testutil.OpenApp(t, store.BackendPebble, dir, testutil.WithOptions(opts))
	if !dst.PeerAllowed(snapshotPeer) {
		t.Fatal("before any state, the peer filter must answer from genesis")
	}

	// Offers it must refuse.
	other := *snap
	other.Format = 99
	if r := offer(t, dst, &other, hashes[height]); r != abci.ResponseOfferSnapshot_REJECT_FORMAT {
		t.Fatalf("other format: %v", r)
	}
	bad := *snap
	bad.Metadata = snap.Metadata[1:]
	if r := offer(t, dst, &bad, hashes[height]); r != abci.ResponseOfferSnapshot_REJECT {
		t.Fatalf("bad metadata: %v", r)
	}
	if r := offer(t, dst, snap, nil); r != abci.ResponseOfferSnapshot_REJECT {
		t.Fatalf("no trusted app hash: %v", r)
	}

	// The real one, with chunk 1 corrupted in transit by a bad peer.
	if r := offer(t, dst, snap, hashes[height]); r != abci.ResponseOfferSnapshot_ACCEPT {
		t.Fatalf("offer: %v", r)
	}
	if r := apply(t, dst, 0, chunks[0], "good"); r.Result != abci.ResponseApplySnapshotChunk_ACCEPT {
		t.Fatalf("chunk 0: %v", r)
	}
	corrupt := bytes.Clone(chunks[1])
	corrupt[len(corrupt)/2] ^= 1
	r := apply(t, dst, 1, corrupt, "evil")
	if r.Result != abci.ResponseApplySnapshotChunk_RETRY || len(r.RefetchChunks) != 1 || r.RefetchChunks[0] != 1 ||
		len(r.RejectSenders) != 1 || r.RejectSenders[0] != "evil" {
		t.Fatalf("corrupted chunk: %+v", r)
	}
	for i := uint32(1); i < snap.Chunks; i++ {
		if r := apply(t, dst, i, chunks[i], "good"); r.Result != abci.ResponseApplySnapshotChunk_ACCEPT {
			t.Fatalf("chunk %d: %v", i, r)
		}
	}

	// What CometBFT's verifyApp checks: Info reports the snapshot height and trusted hash.
	in := info(t, dst)
	if in.LastBlockHeight != height || !bytes.Equal(in.LastBlockAppHash, hashes[height]) || in.AppVersion != app.AppVersion {
		t.Fatalf("Info after restore: %+v", in)
	}
	if !dst.PeerAllowed(snapshotPeer) {
		t.Fatal("peer allowlist not loaded from the restored state")
	}

	// Check state is the restored state: the next sequence is accepted, a replay is not.
	if resp := checkTx(t, dst, testutil.SendTx(t, testutil.Key(0), height, testutil.Addr(1), 1)); resp.Code != 0 {
		t.Fatalf("CheckTx after restore: %d %s", resp.Code, resp.Log)
	}
	if resp := checkTx(t, dst, testutil.SendTx(t, testutil.Key(1), height-1, testutil.Addr(2), 1)); resp.Code == 0 {
		t.Fatal("CheckTx accepted an old sequence after restore")
	}

	// Both execute the same next blocks and agree.
	for h := int64(height + 1); h <= height+3; h++ {
		tx := testutil.SendTx(t, testutil.Key(2), uint64(h-1), testutil.Addr(0), 7)
		rs := testutil.NextBlock(t, src, tx)
		rd := testutil.NextBlock(t, dst, tx)
		if !bytes.Equal(rs.AppHash, rd.AppHash) || rd.TxResults[0].Code != 0 {
			t.Fatalf("height %d: source %X, restored %X (code %d)", h, rs.AppHash, rd.AppHash, rd.TxResults[0].Code)
		}
	}
	assertSameState(t, testutil.Snapshot(t, src), testutil.Snapshot(t, dst))

	// The restored app reopens like any other.
	closeDst()
	re, _ := testutil.OpenApp(t, store.BackendPebble, dir, testutil.WithOptions(opts))
	if in := info(t, re); in.LastBlockHeight != height+3 {
		t.Fatalf("reopened at %d", in.LastBlockHeight)
	}
	if !re.PeerAllowed(snapshotPeer) {
		t.Fatal("peer allowlist after reopen")
	}
	tx := testutil.SendTx(t, testutil.Key(2), height+3, testutil.Addr(0), 7)
	rs := testutil.NextBlock(t, src, tx)
	if rd := testutil.NextBlock(t, re, tx); !bytes.Equal(rs.AppHash, rd.AppHash) {
		t.Fatal("app hashes differ after reopen")
	}
}

// A snapshot that does not restore to the trusted app hash is rejected and leaves the app
// empty, ready for the next snapshot.
func TestSnapshotWrongAppHashRejected(t *testing.T) {
	src, hashes := snapshotSource(t, 4, 8)
	s8, s4 := waitSnapshot(t, src, 8), waitSnapshot(t, src, 4)

	dst, _ := testutil.OpenApp(t, store.BackendMemDB, "", testutil.WithOptions(app.Options{CheckInvariants: true}))
	// Snapshot 8 offered with the app hash of height 7 (a lying snapshot, from the
	// app's point of view): every chunk matches the metadata, the root does not.
	if r := offer(t, dst, s8, hashes[7]); r != abci.ResponseOfferSnapshot_ACCEPT {
		t.Fatalf("offer: %v", r)
	}
	chunks := loadChunks(t, src, s8)
	for i, c := range chunks {
		r := apply(t, dst, uint32(i), c, "peer")
		want := abci.ResponseApplySnapshotChunk_ACCEPT
		if i == len(chunks)-1 {
			want = abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT
		}
		if r.Result != want {
			t.Fatalf("chunk %d: %v, want %v", i, r.Result, want)
		}
	}
	if in := info(t, dst); in.LastBlockHeight != 0 {
		t.Fatalf("after a rejected snapshot Info reports height %d", in.LastBlockHeight)
	}
	// A chunk with no snapshot in progress is refused.
	if r := apply(t, dst, 0, chunks[0], "peer"); r.Result != abci.ResponseApplySnapshotChunk_ABORT {
		t.Fatalf("chunk without a snapshot: %v", r.Result)
	}

	// Chunks whose hashes match the metadata but whose content is garbage (a snapshot
	// made up by a peer, metadata and all): rejected when the stream fails to decode.
	junk := [][]byte{[]byte("not a snapshot"), []byte("at all")}
	var md []byte
	for _, c := range junk {
		h := sha256.Sum256(c)
		md = append(md, h[:]...)
	}
	stream := sha256.Sum256(bytes.Join(junk, nil))
	fake := &abci.Snapshot{Height: 8, Format: store.SnapshotFormat, Chunks: 2, Hash: stream[:], Metadata: md}
	if r := offer(t, dst, fake, hashes[8]); r != abci.ResponseOfferSnapshot_ACCEPT {
		t.Fatalf("offer fake: %v", r)
	}
	// The import notices at the first chunk or, if that one was consumed before the
	// decoder failed, at the next.
	rejected := false
	for i, c := range junk {
		if r := apply(t, dst, uint32(i), c, "liar"); r.Result == abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT {
			rejected = true
			break
		} else if r.Result != abci.ResponseApplySnapshotChunk_ACCEPT {
			t.Fatalf("junk chunk %d: %v", i, r.Result)
		}
	}
	if !rejected {
		t.Fatal("a snapshot of junk was not rejected")
	}

	// The next (good) snapshot restores.
	if r := offer(t, dst, s4, hashes[4]); r != abci.ResponseOfferSnapshot_ACCEPT {
		t.Fatalf("offer 4: %v", r)
	}
	for i, c := range loadChunks(t, src, s4) {
		if r := apply(t, dst, uint32(i), c, "peer"); r.Result != abci.ResponseApplySnapshotChunk_ACCEPT {
			t.Fatalf("chunk %d of snapshot 4: %v", i, r.Result)
		}
	}
	if in := info(t, dst); in.LastBlockHeight != 4 || !bytes.Equal(in.LastBlockAppHash, hashes[4]) {
		t.Fatalf("Info: %+v", in)
	}
	// A node with state refuses further snapshots.
	if r := offer(t, dst, s8, hashes[8]); r != abci.ResponseOfferSnapshot_ABORT {
		t.Fatalf("offer to a node with state: %v", r)
	}
}

// Snapshots keep the keep-recent newest, and pruning of old state versions does not break
// them (the snapshot height is exported before it can be pruned).
func TestSnapshotKeepRecentAndPruning(t *testing.T) {
	src, _ := snapshotSource(t, 2, 12, func(o *app.Options) { o.PruneKeepRecent = 1; o.SnapshotKeepRecent = 3 })
	waitSnapshot(t, src, 12)
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, _ := src.ListSnapshots(context.Background(), &abci.RequestListSnapshots{})
		var got []uint64
		for _, s := range resp.Snapshots {
			got = append(got, s.Height)
		}
		if len(got) <= 3 && got[0] == 12 {
			for i := 1; i < len(got); i++ {
				if got[i] >= got[i-1] {
					t.Fatalf("not newest first: %v", got)
				}
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("snapshots %v: want at most 3, newest 12", got)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Only the latest state version is kept, yet snapshot 12 is complete and restorable.
	if _, _, err := src.StateAt(11); err == nil {
		t.Fatal("height 11 not pruned")
	}
	s12 := waitSnapshot(t, src, 12)
	_, hash := src.LastCommit()
	dst, _ := testutil.OpenApp(t, store.BackendMemDB, "", testutil.WithOptions(app.Options{}))
	if r := offer(t, dst, s12, hash); r != abci.ResponseOfferSnapshot_ACCEPT {
		t.Fatal(r)
	}
	for i, c := range loadChunks(t, src, s12) {
		if r := apply(t, dst, uint32(i), c, ""); r.Result != abci.ResponseApplySnapshotChunk_ACCEPT {
			t.Fatalf("chunk %d: %v", i, r.Result)
		}
	}
	if h, got := dst.LastCommit(); h != 12 || !bytes.Equal(got, hash) {
		t.Fatalf("restored %d %X", h, got)
	}
}
