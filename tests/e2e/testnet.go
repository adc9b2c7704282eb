package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/keyring"
)

// Manifest is testnet.json as written by `petrod testnet`.
type Manifest struct {
	ChainID string `json:"chain_id"`
	Nodes   []struct {
		Name             string `json:"name"`
		Home             string `json:"home"`
		Validator        bool   `json:"validator"`
		NodeID           string `json:"node_id"`
		ConsensusPubKey  []byte `json:"consensus_pubkey"`
		ConsensusAddress string `json:"consensus_address"`
		Operator         string `json:"operator"`
		P2P              string `json:"p2p"`
		RPC              string `json:"rpc"`
		GRPC             string `json:"grpc"`
	} `json:"nodes"`
	Keys []struct {
		Name    string `json:"name"`
		Address string `json:"address"`
	} `json:"keys"`
	CouncilThreshold int `json:"council_threshold"`
}

// Testnet is a network laid out by `petrod testnet`.
type Testnet struct {
	Dir      string
	Manifest Manifest
	Nodes    []*Node
	keys     keyring.Keyring
}

// FreePortBase finds a base port b such that b … b+span-1 were all free
// on loopback a moment ago, from the same sequence as FreePort (below the
// ephemeral range, never handed out twice).
func FreePortBase(t testing.TB, span int) int {
	t.Helper()
	portMu.Lock()
	defer portMu.Unlock()
	lo, hi := portRange()
	for range (hi - lo) / span {
		if nextPort+span > hi {
			nextPort = lo
		}
		base := nextPort
		nextPort += span
		if portsFree(base, span) {
			return base
		}
	}
	t.Fatalf("no %d free loopback ports in [%d, %d)", span, lo, hi)
	return 0
}

// NewTestnet runs `petrod testnet` into a temp dir (nothing started).
func NewTestnet(t testing.TB, validators, fullNodes int, timeoutCommit time.Duration) *Testnet {
	t.Helper()
	dir := t.TempDir()
	base := FreePortBase(t, 10*(validators+fullNodes))
	out, err := exec.Command(Binary(t), "testnet", "--validators", strconv.Itoa(validators),
		"--full-nodes", strconv.Itoa(fullNodes), "--output", dir, "--base-port", strconv.Itoa(base),
		"--timeout-commit", timeoutCommit.String(), "--force").CombinedOutput()
	if err != nil {
		t.Fatalf("petrod testnet: %v\n%s", err, out)
	}
	tn := &Testnet{Dir: dir}
	bz, err := os.ReadFile(filepath.Join(dir, "testnet.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(bz, &tn.Manifest); err != nil {
		t.Fatal(err)
	}
	for _, m := range tn.Manifest.Nodes {
		tn.Nodes = append(tn.Nodes, &Node{t: t, Home: m.Home, ChainID: tn.Manifest.ChainID, fromConfig: true,
			GRPCPort: port(t, m.GRPC), RPCPort: port(t, m.RPC), P2PPort: port(t, m.P2P)})
	}
	if tn.keys, err = keyring.New(keyring.BackendTest, dir, nil); err != nil {
		t.Fatal(err)
	}
	return tn
}

func port(t testing.TB, addr string) int {
	t.Helper()
	i := strings.LastIndex(addr, ":")
	p, err := strconv.Atoi(addr[i+1:])
	if err != nil {
		t.Fatalf("port of %q: %v", addr, err)
	}
	return p
}

// Key returns the private key named name in the testnet's keyring.
func (tn *Testnet) Key(t testing.TB, name string) *crypto.PrivKey {
	t.Helper()
	k, err := tn.keys.PrivKey(name)
	if err != nil {
		t.Fatalf("key %s: %v", name, err)
	}
	return k
}

// NodeAddr is "id@host:port" of node i.
func (tn *Testnet) NodeAddr(i int) string {
	m := tn.Manifest.Nodes[i]
	return fmt.Sprintf("%s@%s", m.NodeID, m.P2P)
}
