package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/cometbft/cometbft/abci/example/kvstore"
	cmtcfg "github.com/cometbft/cometbft/config"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	"github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/proxy"
	cmttypes "github.com/cometbft/cometbft/types"
	cmttime "github.com/cometbft/cometbft/types/time"
)

// benchReport is the part of `petrod bench -o json` the tests read.
type benchReport struct {
	Submitted      int             `json:"submitted"`
	Accepted       int             `json:"accepted"`
	Committed      int             `json:"committed"`
	NotCommitted   int             `json:"not_committed"`
	CommittedTPS   float64         `json:"committed_tps"`
	CheckTxRejects json.RawMessage `json:"checktx_rejects"`
	BlockRejects   json.RawMessage `json:"block_rejects"`
	Latency        struct {
		N   int     `json:"n"`
		P99 float64 `json:"p99"`
	} `json:"latency_ms"`
}

func runBench(t *testing.T, args ...string) benchReport {
	t.Helper()
	out, err := exec.Command(Binary(t), append([]string{"bench", "--progress=false", "-o", "json"}, args...)...).Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("petrod bench: %v\n%s", err, stderr)
	}
	var r benchReport
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("bench output: %v\n%s", err, out)
	}
	t.Logf("bench: submitted %d, committed %d (%.0f tx/s), p99 %.0f ms", r.Submitted, r.Committed, r.CommittedTPS, r.Latency.P99)
	return r
}

// checkAllCommitted: every tx bench sent was admitted and committed exactly
// once, counted from the blocks.
func checkAllCommitted(t *testing.T, r benchReport) {
	t.Helper()
	if r.Submitted == 0 || r.Accepted != r.Submitted || r.Committed != r.Submitted || r.NotCommitted != 0 || r.Latency.N != r.Committed {
		t.Fatalf("submitted %d, accepted %d, committed %d, not committed %d, latencies %d", r.Submitted, r.Accepted, r.Committed, r.NotCommitted, r.Latency.N)
	}
	if string(r.CheckTxRejects) != "[]" || string(r.BlockRejects) != "[]" {
		t.Fatalf("rejects: checktx %s, block %s", r.CheckTxRejects, r.BlockRejects)
	}
}

// TestBenchOnNode: petrod bench funds its accounts, sends signed transfers
// to a real node and counts every one of them in the blocks.
func TestBenchOnNode(t *testing.T) {
	if testing.Short() {
		t.Skip("node test")
	}
	tn := NewTestnet(t, 1, 0, 200*time.Millisecond)
	n := tn.Nodes[0]
	n.Start()
	n.WaitReady(2, 60*time.Second)
	r := runBench(t, "--node", n.GRPCAddr(), "--node-rpc", fmt.Sprintf("http://127.0.0.1:%d", n.RPCPort),
		"--home", tn.Dir, "--keyring-backend", "test", "--fund-from", "val0",
		"--accounts", "20", "--concurrency", "4", "--rate", "100", "--duration", "2s")
	checkAllCommitted(t, r)
}

// TestBenchKVStore: the --kvstore baseline mode loads CometBFT's own kvstore
// app (in-process here, on loopback ports) and measures it the same way.
func TestBenchKVStore(t *testing.T) {
	if testing.Short() {
		t.Skip("node test")
	}
	// Not t.TempDir: CometBFT may still write a config file (the address
	// book) while its services stop, which failed TempDir's strict cleanup.
	home, err := os.MkdirTemp("", "petro-kvstore-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(home) })
	cfg := cmtcfg.TestConfig().SetRoot(home)
	cfg.P2P.PexReactor = false // one node: no peer exchange, no address book
	cmtcfg.EnsureRoot(home)
	cfg.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", FreePort(t))
	rpcPort := FreePort(t)
	cfg.RPC.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", rpcPort)
	cfg.Consensus.TimeoutCommit = 200 * time.Millisecond
	pv := privval.GenFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile())
	pv.Save()
	pub, err := pv.GetPubKey()
	if err != nil {
		t.Fatal(err)
	}
	gen := &cmttypes.GenesisDoc{ChainID: "kv-bench", GenesisTime: cmttime.Now(), ConsensusParams: cmttypes.DefaultConsensusParams(),
		Validators: []cmttypes.GenesisValidator{{Address: pub.Address(), PubKey: pub, Power: 10}}}
	if err := gen.SaveAs(cfg.GenesisFile()); err != nil {
		t.Fatal(err)
	}
	nodeKey, err := p2p.LoadOrGenNodeKey(filepath.Join(home, "config", "node_key.json"))
	if err != nil {
		t.Fatal(err)
	}
	kv, err := node.NewNode(cfg, pv, nodeKey, proxy.NewLocalClientCreator(kvstore.NewInMemoryApplication()),
		node.DefaultGenesisDocProviderFunc(cfg), cmtcfg.DefaultDBProvider, node.DefaultMetricsProvider(cfg.Instrumentation), cmtlog.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	if err := kv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = kv.Stop(); kv.Wait() })
	url := fmt.Sprintf("http://127.0.0.1:%d", rpcPort)
	r := runBench(t, "--kvstore", "--node", url, "--node-rpc", url, "--tx-size", "222",
		"--concurrency", "4", "--rate", "100", "--duration", "2s")
	checkAllCommitted(t, r)
}
