// Package layering pins petro's import rules (docs/architecture.md,
// "Layering"): a package breaking one fails this test, naming the import.
package layering

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

const mod = "github.com/petro-network/petro"

// pkg is what `go list -json` says of one package (non-test imports).
type pkg struct {
	ImportPath string
	Imports    []string
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports", mod+"/...")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("go list: %v\n%s", err, errb.String())
	}
	var pkgs []pkg
	dec := json.NewDecoder(&out)
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 20 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

var (
	moduleTypes  = regexp.MustCompile(`^` + mod + `/x/([a-z]+)/types$`)
	moduleKeeper = regexp.MustCompile(`^` + mod + `/x/([a-z]+)/keeper$`)
)

// storageEngines are the store implementations: petro's and the engines
// under it.
var storageEngines = []string{
	mod + "/internal/store", "github.com/cosmos/iavl", "github.com/cosmos/cosmos-db",
	"github.com/cockroachdb/pebble", "github.com/syndtr/goleveldb",
}

func has(imp string, prefixes ...string) bool {
	for _, p := range prefixes {
		if imp == p || strings.HasPrefix(imp, p+"/") {
			return true
		}
	}
	return false
}

// rule is one import rule: it returns why imp may not be imported by p,
// or "".
type rule struct {
	name  string
	check func(p, imp string) string
}

var rules = []rule{
	{"module types import no keeper and no store implementation", func(p, imp string) string {
		if !moduleTypes.MatchString(p) {
			return ""
		}
		if moduleKeeper.MatchString(imp) || has(imp, storageEngines...) {
			return "types must stay light (wire types, rules, errors)"
		}
		return ""
	}},
	{"a keeper sees another module only through its expected_keepers interfaces", func(p, imp string) string {
		m, ok := moduleKeeper.FindStringSubmatch(p), moduleKeeper.FindStringSubmatch(imp)
		if m != nil && ok != nil && m[1] != ok[1] {
			return "declare the methods you need in types/expected_keepers.go; the app passes the keeper in"
		}
		return ""
	}},
	{"only app wires keepers", func(p, imp string) string {
		if moduleKeeper.MatchString(imp) && p != mod+"/app" && !strings.HasPrefix(p, mod+"/x/") {
			return "ask the app (it registers query services on the server's registrar and exposes what metrics read)"
		}
		return ""
	}},
	{"nothing under internal/ imports app, server, client or cmd", func(p, imp string) string {
		if !strings.HasPrefix(p, mod+"/internal/") || p == mod+"/internal/testutil" {
			return "" // testutil builds apps for tests: it sits above app by design
		}
		if has(imp, mod+"/app", mod+"/server", mod+"/client", mod+"/cmd") {
			return "internal packages are libraries below the app"
		}
		return ""
	}},
	{"only cmd starts a node", func(p, imp string) string {
		if has(imp, "github.com/cometbft/cometbft/node") && !strings.HasPrefix(p, mod+"/cmd/") {
			return "the node runtime lives in cmd/petrod"
		}
		return ""
	}},
	{"client, keyring and crypto link no storage engine", func(p, imp string) string {
		if (has(p, mod+"/client") || has(p, mod+"/keyring") || has(p, mod+"/crypto")) && has(imp, storageEngines...) {
			return "the client surface is public and light"
		}
		return ""
	}},
}

func TestImportRules(t *testing.T) {
	pkgs := listPackages(t)
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			for _, p := range pkgs {
				for _, imp := range p.Imports {
					if why := r.check(p.ImportPath, imp); why != "" {
						t.Errorf("%s imports %s: %s", strings.TrimPrefix(p.ImportPath, mod+"/"), imp, why)
					}
				}
			}
		})
	}
}

// The rules must catch what they are meant to: each sample breaks its
// rule, and only that one.
func TestRulesCatchViolations(t *testing.T) {
	for _, c := range []struct{ rule, p, imp string }{
		{rules[0].name, mod + "/x/token/types", mod + "/internal/store"},
		{rules[0].name, mod + "/x/token/types", mod + "/x/reserve/keeper"},
		{rules[1].name, mod + "/x/token/keeper", mod + "/x/reserve/keeper"},
		{rules[2].name, mod + "/server", mod + "/x/token/keeper"},
		{rules[3].name, mod + "/internal/store", mod + "/app"},
		{rules[4].name, mod + "/app", "github.com/cometbft/cometbft/node"},
		{rules[5].name, mod + "/client", "github.com/cosmos/iavl"},
	} {
		var broke []string
		for _, r := range rules {
			if r.check(c.p, c.imp) != "" {
				broke = append(broke, r.name)
			}
		}
		if fmt.Sprint(broke) != fmt.Sprint([]string{c.rule}) {
			t.Errorf("%s → %s broke %q, want only %q", c.p, c.imp, broke, c.rule)
		}
	}
}
