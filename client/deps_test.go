package client_test

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// The light surface: what a wallet or auditor in another module imports.
// Every x/<module>/types package is added by listing ./x/... so a new
// module is covered without editing this test.
var lightSurface = []string{
	"github.com/petro-network/petro/client",
	"github.com/petro-network/petro/crypto",
	"github.com/petro-network/petro/keyring",
	"github.com/petro-network/petro/types/...",
}

// notInLightSurface matches storage engines and CometBFT's node-side
// packages (node, consensus, state, mempool, p2p, block store, its own DB).
var notInLightSurface = regexp.MustCompile(`pebble|iavl|cosmos-db|goleveldb|cometbft-db|` +
	`^github\.com/cometbft/cometbft/(node|consensus|state|mempool|p2p|store|blocksync|statesync|evidence|proxy|privval)(/|$)`)

// storageEngines may not appear even in client/... (whose client/light
// brings CometBFT's light client and its in-memory header store).
var storageEngines = regexp.MustCompile(`pebble|iavl|cosmos-db`)

func goTool(t *testing.T) string {
	t.Helper()
	// The go tool of the toolchain running this test, else the one on PATH.
	//lint:ignore SA1019 the toolchain running this test is exactly what is wanted
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); runtime.GOROOT() != "" {
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	p, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool:", err)
	}
	return p
}

func goList(t *testing.T, args ...string) []string {
	t.Helper()
	cmd := exec.Command(goTool(t), append([]string{"list"}, args...)...)
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("go list %v: %v\n%s", args, err, msg)
	}
	return strings.Fields(string(out))
}

// TestLightSurfaceDeps pins that a wallet linking client, crypto, keyring,
// the wire types and every module's types links no storage engine and no
// CometBFT node. If it fails, the offending package says which import to
// move behind an interface or into the node's side.
func TestLightSurfaceDeps(t *testing.T) {
	pkgs := append([]string{}, lightSurface...)
	for _, p := range goList(t, "github.com/petro-network/petro/x/...") {
		if strings.HasSuffix(p, "/types") {
			pkgs = append(pkgs, p)
		}
	}
	if len(pkgs) < len(lightSurface)+4 {
		t.Fatalf("found only %v; expected every x/*/types", pkgs)
	}
	for _, p := range pkgs {
		for _, dep := range goList(t, "-deps", p) {
			if notInLightSurface.MatchString(dep) {
				t.Errorf("%s depends on %s (a storage engine or a CometBFT node package)", p, dep)
			}
		}
	}
	// client itself links no CometBFT at all (client/light does).
	for _, dep := range goList(t, "-deps", "github.com/petro-network/petro/client") {
		if strings.HasPrefix(dep, "github.com/cometbft/") {
			t.Errorf("client depends on %s; CometBFT belongs in client/light", dep)
		}
	}
	for _, dep := range goList(t, "-deps", "github.com/petro-network/petro/client/...") {
		if storageEngines.MatchString(dep) {
			t.Errorf("client/... depends on storage engine %s", dep)
		}
	}
}
