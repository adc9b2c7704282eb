package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/petro-network/petro/crypto"
	txtypes "github.com/petro-network/petro/types/tx"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// TestExampleWallet builds examples/wallet as the separate module it is
// (its own go.mod and go.sum, no workspace, no -mod override) and runs it
// against a real node: it must recover the key from a mnemonic, sign and
// broadcast a transfer and see it committed.
func TestExampleWallet(t *testing.T) {
	if testing.Short() {
		t.Skip("node test")
	}
	// ARRANGE: the example's binary, and a node funding the mnemonic's key.
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "examples", "wallet")
	bin := filepath.Join(t.TempDir(), "wallet")
	build := exec.Command(goTool(), "build", "-o", bin, ".")
	build.Dir = dir
	build.Env = outsideModuleEnv()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build in examples/wallet: %v\n%s", err, out)
	}

	const mnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
	sender, err := crypto.DerivePrivKeyFromMnemonic(mnemonic, "", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	recipient := Key(t, 300).Address()
	n := NewSingleNode(t, e2eChainID, []crypto.Address{sender.Address()}, fund, 200*time.Millisecond)
	n.Start()
	n.WaitReady(1, 60*time.Second)

	// ACT
	run := exec.Command(bin, "-node", n.GRPCAddr(), "-chain-id", e2eChainID,
		"-to", recipient.String(), "-amount", "12345", "-memo", "example wallet", "-timeout", "2m")
	run.Env = append(os.Environ(), "PETRO_MNEMONIC="+mnemonic)
	out, err := run.CombinedOutput()
	t.Logf("examples/wallet:\n%s", out)
	if err != nil {
		t.Fatalf("examples/wallet: %v", err)
	}

	// ASSERT: the hash it printed is committed with code 0, in the sender's
	// history, and moved the funds.
	m := regexp.MustCompile(`(?m)^tx +([0-9A-F]{64})$`).FindSubmatch(out)
	if m == nil || !strings.Contains(string(out), "from      "+sender.Address().String()+" (sequence 0)") {
		t.Fatalf("output lacks the sender at sequence 0 or the tx hash")
	}
	if !regexp.MustCompile(`(?m)^history +` + string(m[1]) + ` at height [1-9][0-9]*$`).Match(out) {
		t.Fatalf("the wallet did not find its tx in the address's history")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cc := n.Conn()
	got, err := txtypes.NewTxServiceClient(cc).GetTx(ctx, &txtypes.GetTxRequest{Hash: string(m[1])})
	if err != nil || got.Code != 0 || got.Height == 0 {
		t.Fatalf("GetTx %s: %v %+v", m[1], err, got)
	}
	bal, err := tokentypes.NewQueryClient(cc).Balance(ctx, &tokentypes.QueryBalanceRequest{Address: recipient.String()})
	if err != nil || bal.GetBalance().GetAmount() != 12345 {
		t.Fatalf("recipient balance: %v %+v", err, bal)
	}
}

// goTool is the go command of the toolchain running the tests.
func goTool() string {
	//lint:ignore SA1019 the toolchain running this test is what is wanted
	if root := runtime.GOROOT(); root != "" {
		if p := filepath.Join(root, "bin", "go"); fileExists(p) {
			return p
		}
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// outsideModuleEnv is the environment of a user building a module of their
// own: no go.work, and GOFLAGS without any -mod override (so the module's
// committed go.sum must be complete).
func outsideModuleEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		switch {
		case strings.HasPrefix(kv, "GOWORK="):
		case strings.HasPrefix(kv, "GOFLAGS="):
			var keep []string
			for _, f := range strings.Fields(strings.TrimPrefix(kv, "GOFLAGS=")) {
				if !strings.HasPrefix(f, "-mod=") {
					keep = append(keep, f)
				}
			}
			env = append(env, "GOFLAGS="+strings.Join(keep, " "))
		default:
			env = append(env, kv)
		}
	}
	return append(env, "GOWORK=off")
}
