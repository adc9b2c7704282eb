package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/crypto"
	petro "github.com/petro-network/petro/types"
	txtypes "github.com/petro-network/petro/types/tx"
	authtypes "github.com/petro-network/petro/x/auth/types"
)

// editConfig replaces old by new in the node's config file (config.toml or
// app.toml), failing if old is not there.
func editConfig(t *testing.T, n *Node, file, old, new string) {
	t.Helper()
	path := filepath.Join(n.Home, "config", file)
	bz, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(bz, []byte(old)) {
		t.Fatalf("%s has no %q", file, old)
	}
	if err := os.WriteFile(path, bytes.Replace(bz, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}

// verdict is what one path answered for one tx: its (codespace, code), or
// the error it returned instead.
type verdict struct {
	space string
	code  uint32
	err   string
}

func (v verdict) String() string {
	if v.err != "" {
		return "error " + v.err
	}
	return fmt.Sprintf("%s/%d", v.space, v.code)
}

// TestRefusalCodes is the refusal-consistency table: for each kind of
// refused bytes, every path a wallet can submit through answers the same
// (codespace, code). CometBFT RPC's broadcast_tx_sync answers a tx its
// cache holds (committed or in the mempool) with its own error, before the
// app sees it; that is the one documented exception (server/README.md).
func TestRefusalCodes(t *testing.T) {
	if testing.Short() {
		t.Skip("node test")
	}
	alice, bob := Key(t, 700), Key(t, 701)
	aAddr := alice.PubKey().Address()
	// timeout_commit 2s: a tx broadcast right after a commit waits ~2s in
	// the mempool, long enough to ask every path about it (checked below,
	// not assumed).
	n := NewSingleNode(t, e2eChainID, []crypto.Address{aAddr}, fund, 2*time.Second)
	editConfig(t, n, "config.toml", `indexer = "kv"`, `indexer = "null"`)
	n.Start()
	n.WaitReady(1, 90*time.Second)
	cc := n.Conn()
	txc := txtypes.NewTxServiceClient(cc)
	rpc := n.RPC()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	seq := uint64(0)
	sign := func(memo string) []byte {
		raw, err := client.SignTx(e2eChainID, alice, seq, []*txtypes.Msg{client.SendMsg(aAddr, bob.PubKey().Address(), 1)}, client.TxOptions{Memo: memo})
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}

	paths := []struct {
		name string
		run  func(raw []byte) verdict
	}{
		{"grpc SYNC", func(raw []byte) verdict {
			r, err := txc.Broadcast(ctx, &txtypes.BroadcastRequest{TxBytes: raw, Mode: txtypes.BroadcastMode_BROADCAST_MODE_SYNC})
			if err != nil {
				return verdict{err: status.Code(err).String()}
			}
			return verdict{space: r.Codespace, code: r.Code}
		}},
		{"grpc COMMIT", func(raw []byte) verdict {
			r, err := txc.Broadcast(ctx, &txtypes.BroadcastRequest{TxBytes: raw, Mode: txtypes.BroadcastMode_BROADCAST_MODE_COMMIT, TimeoutMs: 100})
			if err != nil {
				return verdict{err: status.Code(err).String()}
			}
			return verdict{space: r.Codespace, code: r.Code}
		}},
		{"grpc Simulate", func(raw []byte) verdict {
			r, err := txc.Simulate(ctx, &txtypes.SimulateRequest{TxBytes: raw})
			if err != nil {
				return verdict{err: status.Code(err).String()}
			}
			return verdict{space: r.Codespace, code: r.Code}
		}},
		{"REST broadcast", func(raw []byte) verdict { return restVerdict(t, n.APIURL()+"/petro/tx/v1/broadcast", raw) }},
		{"REST simulate", func(raw []byte) verdict { return restVerdict(t, n.APIURL()+"/petro/tx/v1/simulate", raw) }},
		{"CometBFT RPC broadcast_tx_sync", func(raw []byte) verdict {
			r, err := rpc.BroadcastTxSync(ctx, raw)
			if err != nil {
				return verdict{err: rpcErrText(err)}
			}
			return verdict{space: r.Codespace, code: r.Code}
		}},
	}
	tx := func(e *petro.Error) verdict { return verdict{space: authtypes.Codespace, code: e.Code} }
	inCache := verdict{err: "tx already exists in cache"} // CometBFT RPC only

	// committed: a tx applied in a block.
	committed := sign("committed")
	if r, err := txc.Broadcast(ctx, &txtypes.BroadcastRequest{TxBytes: committed, Mode: txtypes.BroadcastMode_BROADCAST_MODE_COMMIT}); err != nil || r.Code != 0 || !r.Committed {
		t.Fatalf("commit: %v %+v", err, r)
	}
	seq++

	rows := []struct {
		name   string
		raw    []byte
		want   verdict
		rpcAns *verdict // CometBFT RPC's answer where it differs
	}{
		{"oversize (33 KiB)", bytes.Repeat([]byte{0x0a}, 33*1024), tx(authtypes.ErrTxTooLarge), nil},
		{"empty", []byte{}, tx(authtypes.ErrNoMessages), nil},
		{"undecodable", []byte{0xff, 0x01}, tx(authtypes.ErrTxDecode), nil},
		{"already committed", committed, tx(authtypes.ErrSequenceReplayed), &inCache},
	}
	for _, row := range rows {
		for _, p := range paths {
			want := row.want
			if row.rpcAns != nil && strings.HasPrefix(p.name, "CometBFT") {
				want = *row.rpcAns
			}
			if got := p.run(row.raw); got != want {
				t.Errorf("%s via %s: %v, want %v", row.name, p.name, got, want)
			}
		}
	}

	// in the mempool: broadcast right after a commit, ask every path, and
	// keep the answers only if the tx was still uncommitted afterwards
	// (else try again with the next sequence).
	err := Eventually(2*time.Minute, func() error {
		if _, err := WaitHeight(n, mustHeight(t, n)+1, 30*time.Second); err != nil {
			return err
		}
		pending := sign("pending")
		if r, err := txc.Broadcast(ctx, &txtypes.BroadcastRequest{TxBytes: pending}); err != nil || r.Code != 0 {
			t.Fatalf("broadcast: %v %+v", err, r)
		}
		seq++
		got := make([]verdict, len(paths))
		for i, p := range paths {
			got[i] = p.run(pending)
		}
		h := sha256Hex(pending)
		// Not committed: GetTx finds it neither among the recent commits nor
		// (NotFound) in an index, which this node does not keep
		// (FailedPrecondition).
		if _, err := txc.GetTx(ctx, &txtypes.GetTxRequest{Hash: h}); status.Code(err) != codes.NotFound && status.Code(err) != codes.FailedPrecondition {
			return fmt.Errorf("tx committed while the paths were asked (%v); again", err)
		}
		for i, p := range paths {
			want := tx(authtypes.ErrTxInMempool)
			if strings.HasPrefix(p.name, "CometBFT") {
				want = inCache
			}
			if got[i] != want {
				t.Errorf("in the mempool via %s: %v, want %v", p.name, got[i], want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("unknown broadcast mode", func(t *testing.T) {
		_, err := txc.Broadcast(ctx, &txtypes.BroadcastRequest{TxBytes: sign("mode"), Mode: 77})
		if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "unknown broadcast mode 77") {
			t.Errorf("mode 77: %v", err)
		}
	})
	t.Run("history without an indexer", func(t *testing.T) {
		_, err := txc.GetTxsByAddress(ctx, &txtypes.GetTxsByAddressRequest{Address: aAddr.String()})
		if status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), `indexer = "null"`) {
			t.Errorf("history on a node with indexer null: %v", err)
		}
	})
}

// sha256Hex is a tx's hash as GetTx takes it.
func sha256Hex(raw []byte) string {
	h := sha256.Sum256(raw)
	return hex.EncodeToString(h[:])
}

// restVerdict posts raw to a REST tx URL and reads (codespace, code), or
// the gateway's error.
func restVerdict(t *testing.T, url string, raw []byte) verdict {
	body, _ := json.Marshal(map[string]string{"tx_bytes": base64.StdEncoding.EncodeToString(raw)})
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	bz, _ := io.ReadAll(resp.Body)
	var out struct {
		Codespace string `json:"codespace"`
		Code      uint32 `json:"code"`
		Message   string `json:"message"`
	}
	if err := json.Unmarshal(bz, &out); err != nil {
		t.Fatalf("%s: %d %s", url, resp.StatusCode, bz)
	}
	if resp.StatusCode != http.StatusOK {
		return verdict{err: fmt.Sprintf("http %d: %s", resp.StatusCode, out.Message)}
	}
	return verdict{space: out.Codespace, code: out.Code}
}

// rpcErrText is the part of a CometBFT RPC error that names the refusal.
func rpcErrText(err error) string {
	if strings.Contains(err.Error(), "tx already exists in cache") {
		return "tx already exists in cache"
	}
	return err.Error()
}
