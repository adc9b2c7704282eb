package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	txtypes "github.com/petro-network/petro/types/tx"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
)

// The upgrade test's second build of petrod knows this upgrade
// (app/upgrades/testupgrade.go, -tags petro_testupgrade).
const (
	testUpgradeName       = "petro-test-upgrade"
	testUpgradeAppVersion = 2
	exitUpgradeNeeded     = 3
	exitWrongBinary       = 4
)

var builds sync.Map // key → *buildResult

type buildResult struct {
	once sync.Once
	path string
	err  error
}

// buildBinary runs `go build -o <tmp>/name args…` in dir once per test binary.
func buildBinary(t testing.TB, key, dir, name string, args ...string) string {
	t.Helper()
	v, _ := builds.LoadOrStore(key, &buildResult{})
	b := v.(*buildResult)
	b.once.Do(func() {
		tmp, err := os.MkdirTemp("", "petro-e2e-"+key+"-")
		if err != nil {
			b.err = err
			return
		}
		b.path = filepath.Join(tmp, name)
		cmd := exec.Command("go", append([]string{"build", "-o", b.path}, args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go build %s: %v\n%s", key, err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

// upgradeBinary is petrod built with the test upgrade's handler.
func upgradeBinary(t testing.TB) string {
	return buildBinary(t, "petrod-testupgrade", repoRoot(), "petrod", "-tags", "petro_testupgrade", "./cmd/petrod")
}

// cosmovisorBinary builds the cosmovisor pinned in tools/go.mod.
func cosmovisorBinary(t testing.TB) string {
	return buildBinary(t, "cosmovisor", filepath.Join(repoRoot(), "tools"), "cosmovisor", "cosmossdk.io/tools/cosmovisor/cmd/cosmovisor")
}

func copyExecutable(t testing.TB, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// useCosmovisor lays out n's home for cosmovisor (genesis/bin: the old
// binary, upgrades/<name>/bin: the new one) and makes Start run
// `cosmovisor run start …`.
func useCosmovisor(t testing.TB, n *Node, oldBin, newBin string) {
	t.Helper()
	root := filepath.Join(n.Home, "cosmovisor")
	copyExecutable(t, oldBin, filepath.Join(root, "genesis", "bin", "petrod"))
	copyExecutable(t, newBin, filepath.Join(root, "upgrades", testUpgradeName, "bin", "petrod"))
	n.Launcher = []string{cosmovisorBinary(t), "run"}
	n.Env = []string{
		"DAEMON_NAME=petrod", "DAEMON_HOME=" + n.Home,
		"DAEMON_RESTART_AFTER_UPGRADE=true", "DAEMON_ALLOW_DOWNLOAD_BINARIES=false",
		"UNSAFE_SKIP_BACKUP=true", "DAEMON_POLL_INTERVAL=200ms", "COSMOVISOR_DISABLE_LOGS=false",
	}
}

// TestUpgradeCosmovisor: four validators run the old petrod (node 0 under
// the real cosmovisor). The council schedules the test upgrade; all four
// stop before its height, write data/upgrade-info.json and exit 3 (node 0's
// cosmovisor swaps to the new binary itself; the test restarts the others
// with it). The migration runs once at the height (max_validators + 1), the
// app version becomes 2 in state, ABCI Info and block headers, blocks go
// on with the same block and app hash on every node at every height, and
// the old binary restarted afterwards refuses with exit 4. Restarted from
// an export, the chain keeps app version 2 and its applied upgrade.
func TestUpgradeCosmovisor(t *testing.T) {
	if testing.Short() {
		t.Skip("node test")
	}
	oldBin, newBin := Binary(t), upgradeBinary(t)
	tn := NewTestnet(t, 4, 0, 300*time.Millisecond)
	useCosmovisor(t, tn.Nodes[0], oldBin, newBin)
	for _, n := range tn.Nodes {
		n.Start()
	}
	n1 := tn.Nodes[1]
	n1.WaitReady(2, 120*time.Second)
	c := council{t: t, tn: tn, n: n1}
	q := authoritytypes.NewQueryClient(n1.Conn())
	bg := context.Background()
	before, err := q.Params(bg, &authoritytypes.QueryParamsRequest{})
	if err != nil {
		t.Fatal(err)
	}

	// ARRANGE: a plan too soon is refused; then the council schedules one.
	st, err := n1.RPC().Status(bg)
	if err != nil {
		t.Fatal(err)
	}
	now := st.SyncInfo.LatestBlockHeight
	tooSoon := c.send("val0", proposeMsg(t, tn, &authoritytypes.Action{Sum: &authoritytypes.Action_ScheduleUpgrade{
		ScheduleUpgrade: &authoritytypes.ScheduleUpgrade{Name: testUpgradeName, Height: now + 2}}}))
	if tooSoon.Codespace != authoritytypes.Codespace || tooSoon.Code != authoritytypes.ErrUpgradeTooSoon.Code {
		t.Fatalf("too-soon plan: got %s/%d %s", tooSoon.Codespace, tooSoon.Code, tooSoon.Log)
	}
	height := now + authoritytypes.MinUpgradeDelayBlocks + 15
	c.pass(&authoritytypes.Action{Sum: &authoritytypes.Action_ScheduleUpgrade{
		ScheduleUpgrade: &authoritytypes.ScheduleUpgrade{Name: testUpgradeName, Height: height, Info: "e2e"}}})
	plan, err := q.UpgradePlan(bg, &authoritytypes.QueryUpgradePlanRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Plan.GetName() != testUpgradeName || plan.Plan.GetHeight() != height || plan.AppVersion != 1 {
		t.Fatalf("upgrade plan: %v", plan)
	}

	// ACT 1: every node stops before the height.
	for i, n := range tn.Nodes[1:] {
		if code := ExitCode(t, n, 5*time.Minute); code != exitUpgradeNeeded {
			t.Fatalf("node %d exited %d, want %d", i+1, code, exitUpgradeNeeded)
		}
	}
	for i, n := range tn.Nodes[1:] {
		checkUpgradeInfo(t, n, height)
		if !bytes.Contains(n.Logs(), []byte("UPGRADE NEEDED")) {
			t.Fatalf("node %d did not log the upgrade line", i+1)
		}
		if blocks, appHeight := storedHeights(t, n); appHeight != height-1 || blocks != height-1 {
			t.Fatalf("node %d stopped with blocks %d, app %d; want %d", i+1, blocks, appHeight, height-1)
		}
	}

	// The old binary restarted at H-1 stops again at once.
	again := tn.Nodes[3]
	again.Start()
	if code := ExitCode(t, again, 2*time.Minute); code != exitUpgradeNeeded {
		t.Fatalf("old binary restarted at H-1: exit %d", code)
	}
	checkUpgradeInfo(t, again, height)

	// ACT 2: the test swaps nodes 1–3 to the new binary. Node 0 may not have
	// received block H-1 before its peers stopped (they exit right after
	// committing it); it then gets H-1 from the upgraded peers, stops for the
	// upgrade like the others, and cosmovisor swaps its binary.
	for _, n := range tn.Nodes[1:] {
		n.Bin = newBin
		n.Start()
	}
	if err := Eventually(3*time.Minute, func() error {
		if !bytes.Contains(tn.Nodes[0].Logs(), []byte("UPGRADE NEEDED")) {
			return fmt.Errorf("node 0 has not stopped for the upgrade")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	checkUpgradeInfo(t, tn.Nodes[0], height)
	for _, n := range tn.Nodes {
		n.WaitReady(height+3, 3*time.Minute)
	}

	// ASSERT: cosmovisor runs the upgrade's binary.
	cur, err := os.Readlink(filepath.Join(tn.Nodes[0].Home, "cosmovisor", "current"))
	if err != nil || !strings.HasSuffix(cur, filepath.Join("upgrades", testUpgradeName)) {
		t.Fatalf("cosmovisor current -> %q (%v), want upgrades/%s", cur, err, testUpgradeName)
	}
	// The migration ran once: +1 at the height and still +1 later.
	for _, h := range []int64{height - 1, height, height + 2} {
		p, err := q.Params(bg, &authoritytypes.QueryParamsRequest{Height: h})
		if err != nil {
			t.Fatal(err)
		}
		want := before.Params.MaxValidators
		if h >= height {
			want++
		}
		if p.Params.MaxValidators != want {
			t.Fatalf("max_validators at %d = %d, want %d", h, p.Params.MaxValidators, want)
		}
	}
	applied, err := q.AppliedUpgrades(bg, &authoritytypes.QueryAppliedUpgradesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(applied.Upgrades) != 1 || applied.Upgrades[0].Name != testUpgradeName || applied.Upgrades[0].Height != height || applied.Upgrades[0].AppVersion != testUpgradeAppVersion {
		t.Fatalf("applied upgrades: %v", applied.Upgrades)
	}
	plan, err = q.UpgradePlan(bg, &authoritytypes.QueryUpgradePlanRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Plan != nil || plan.AppVersion != testUpgradeAppVersion {
		t.Fatalf("after the upgrade: plan %v, app version %d", plan.Plan, plan.AppVersion)
	}
	// The app version in ABCI Info and in the headers from height+1 on.
	info, err := n1.RPC().ABCIInfo(bg)
	if err != nil {
		t.Fatal(err)
	}
	if info.Response.AppVersion != testUpgradeAppVersion {
		t.Fatalf("ABCI Info app version %d", info.Response.AppVersion)
	}
	// Every node has the same block (so the same app hash) at every height.
	last := height + 3
	for h := int64(1); h <= last; h++ {
		var ref []byte
		for i, n := range tn.Nodes {
			hh := h
			b, err := n.RPC().Block(bg, &hh)
			if err != nil {
				t.Fatalf("node %d block %d: %v", i, h, err)
			}
			wantApp := uint64(1)
			if h > height {
				wantApp = testUpgradeAppVersion
			}
			if b.Block.Version.App != wantApp {
				t.Fatalf("node %d block %d: header app version %d, want %d", i, h, b.Block.Version.App, wantApp)
			}
			if i == 0 {
				ref = b.BlockID.Hash
			} else if !bytes.Equal(ref, b.BlockID.Hash) {
				t.Fatalf("block %d differs between node 0 and node %d", h, i)
			}
		}
	}

	// ACT 3 / ASSERT: the old binary restarted after the height refuses.
	old := tn.Nodes[3]
	old.Stop()
	old.Bin = oldBin
	logBefore := len(old.Logs())
	old.Start()
	if code := ExitCode(t, old, 2*time.Minute); code != exitWrongBinary || !bytes.Contains(old.Logs()[logBefore:], []byte(testUpgradeName)) {
		t.Fatalf("old binary after the upgrade: exit %d, log:\n%s", code, old.Logs()[logBefore:])
	}

	// ACT 4 / ASSERT: the upgraded chain restarted from an export keeps
	// its app version (headers and Info) and its applied upgrade; the old
	// binary's genesis validate refuses the export.
	for _, n := range tn.Nodes {
		n.Stop()
	}
	exported := filepath.Join(t.TempDir(), "exported-genesis.json")
	if out, err := runBin(newBin, "export", "--home", n1.Home, "--output-document", exported); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	if out, err := runBin(newBin, "genesis", "validate", exported, "--home", n1.Home); err != nil {
		t.Fatalf("validate of the export (new binary): %v\n%s", err, out)
	}
	if out, err := runBin(oldBin, "genesis", "validate", exported, "--home", n1.Home); err == nil || !strings.Contains(out, "InitChain refuses it") {
		t.Fatalf("validate of the export (old binary): %v\n%s", err, out)
	}
	var doc struct {
		InitialHeight   int64 `json:"initial_height,string"`
		ConsensusParams struct {
			Version struct {
				App uint64 `json:"app,string"`
			} `json:"version"`
		} `json:"consensus_params"`
	}
	if bz, err := os.ReadFile(exported); err != nil || json.Unmarshal(bz, &doc) != nil || doc.ConsensusParams.Version.App != testUpgradeAppVersion {
		t.Fatalf("exported genesis: %+v %v", doc, err)
	}
	// The nodes stopped one after another, so some validators may have
	// signed above the exported height on the old chain; their signing
	// state would keep them from voting there on the new one (this test is
	// about the app version, not that): reset everything in data/.
	restarted := tn.Nodes[1:] // 3 of 4 equal powers: more than 2/3
	for _, n := range restarted {
		if out, err := runBin(newBin, "unsafe-reset-all", "--home", n.Home); err != nil {
			t.Fatalf("unsafe-reset-all: %v\n%s", err, out)
		}
		copyExecutable(t, exported, filepath.Join(n.Home, "config", "genesis.json"))
		n.Bin = newBin
		n.Start()
	}
	for _, n := range restarted {
		n.WaitReady(doc.InitialHeight+1, 3*time.Minute)
	}
	for h := doc.InitialHeight; h <= doc.InitialHeight+1; h++ {
		b, err := n1.RPC().Block(bg, &h)
		if err != nil {
			t.Fatal(err)
		}
		if b.Block.Version.App != testUpgradeAppVersion {
			t.Fatalf("restarted chain, block %d: header app version %d, want %d", h, b.Block.Version.App, testUpgradeAppVersion)
		}
	}
	if info, err := n1.RPC().ABCIInfo(bg); err != nil || info.Response.AppVersion != testUpgradeAppVersion {
		t.Fatalf("restarted chain: ABCI Info %v (%v)", info, err)
	}
	q = authoritytypes.NewQueryClient(n1.Conn())
	if applied, err := q.AppliedUpgrades(bg, &authoritytypes.QueryAppliedUpgradesRequest{}); err != nil || len(applied.Upgrades) != 1 || applied.Upgrades[0].Height != height {
		t.Fatalf("restarted chain: applied upgrades %v (%v)", applied, err)
	}
}

// runBin runs a petrod binary and returns its stdout and stderr.
func runBin(bin string, args ...string) (string, error) {
	out, err := exec.Command(bin, args...).CombinedOutput()
	return string(out), err
}

// proposeMsg is a council proposal of action by val0.
func proposeMsg(t *testing.T, tn *Testnet, action *authoritytypes.Action) *txtypes.Msg {
	return &txtypes.Msg{Sum: &txtypes.Msg_Propose{Propose: &authoritytypes.MsgPropose{Proposer: addr(tn.Key(t, "val0")), Action: action}}}
}

// checkUpgradeInfo: n's data/upgrade-info.json is the plan, in the JSON
// cosmovisor reads.
func checkUpgradeInfo(t *testing.T, n *Node, height int64) {
	t.Helper()
	bz, err := os.ReadFile(filepath.Join(n.Home, "data", "upgrade-info.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Name   string `json:"name"`
		Height int64  `json:"height"`
		Info   string `json:"info"`
	}
	if err := json.Unmarshal(bz, &got); err != nil {
		t.Fatalf("upgrade-info.json %s: %v", bz, err)
	}
	if got.Name != testUpgradeName || got.Height != height || got.Info != "e2e" {
		t.Fatalf("upgrade-info.json: %s", bz)
	}
}
