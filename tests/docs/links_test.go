// Package docs checks the repository's Markdown: every relative link
// points at a file or directory in the repository (users clone only it).
package docs

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var link = regexp.MustCompile(`\]\(([^)\s]+)\)`)

func TestRelativeLinksResolveInsideTheRepository(t *testing.T) {
	out, err := exec.Command("git", "-C", "../..", "ls-files", "*.md").Output()
	if err != nil {
		t.Skipf("git ls-files: %v (not a git checkout)", err)
	}
	root, _ := filepath.Abs("../..")
	checked := 0
	for _, f := range strings.Fields(string(out)) {
		bz, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range link.FindAllStringSubmatch(string(bz), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "#") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			target, _, _ = strings.Cut(target, "#")
			p := filepath.Clean(filepath.Join(root, filepath.Dir(f), target))
			if !strings.HasPrefix(p, root+string(filepath.Separator)) && p != root {
				t.Errorf("%s links %s, outside the repository", f, m[1])
				continue
			}
			checked++
			if _, err := os.Stat(p); err != nil {
				t.Errorf("%s links %s, which does not exist", f, m[1])
			}
		}
	}
	if checked < 10 {
		t.Fatalf("only %d relative links checked: is the file list empty?", checked)
	}
}
