package client_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var goBlock = regexp.MustCompile("(?s)```go\n(.*?)```")

// TestREADMEExamples builds every Go block of client/README.md as the main
// package of a module of its own that requires petro (replaced by this
// checkout), so the examples compile from outside the repository exactly
// as printed. Modules come from the local cache only (GOPROXY=off) and
// their checksums from petro's go.sum.
func TestREADMEExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs")
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := goBlock.FindAllSubmatch(readme, -1)
	if len(blocks) < 3 {
		t.Fatalf("found %d Go blocks in README.md", len(blocks))
	}
	for i, b := range blocks {
		t.Run("block"+strconv.Itoa(i+1), func(t *testing.T) {
			if !strings.HasPrefix(string(b[1]), "package main\n") {
				t.Fatal("every Go block in README.md must be a complete program (package main)")
			}
			dir := t.TempDir()
			gomod := "module example.com/readme\n\ngo 1.26.0\n\nrequire github.com/petro-network/petro v0.0.0-00010101000000-000000000000\n\nreplace github.com/petro-network/petro => " + root + "\n"
			for name, data := range map[string][]byte{"go.mod": []byte(gomod), "go.sum": sum, "main.go": b[1]} {
				if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.Command(goTool(t), "build", "-o", os.DevNull, ".")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOPROXY=off")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("go build: %v\n%s\n%s", err, out, b[1])
			}
		})
	}
}
