package e2e

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDiskFullFailsLoudly fills a real (tmpfs) disk under one part of a
// running node's data at a time — the consensus WAL, the validator's
// last-sign state (priv_validator_state.json) and the application store —
// and checks the node does not linger as a zombie: it exits with code 1
// within seconds, its log names the cause in one line, and once space is
// freed it starts again and goes on making blocks. Mounting needs root (CI
// runs as root); elsewhere the test skips.
func TestDiskFullFailsLoudly(t *testing.T) {
	if testing.Short() {
		t.Skip("node test")
	}
	for _, tc := range []struct {
		name string
		// dir (relative to the home) put on its own small tmpfs.
		dir, size string
		// prepare runs after init, before the mount (e.g. moving a file).
		prepare func(t *testing.T, n *Node) (restore func())
		// failLine is the one log line that names the cause.
		failLine *regexp.Regexp
	}{
		{name: "consensus WAL", dir: "data/cs.wal", size: "4m", failLine: nodeFailedLine},
		{name: "privval state", dir: "pvstate", size: "1m", prepare: movePrivvalState, failLine: nodeFailedLine},
		// pebble stops the process itself (exit code 1) on a failed write,
		// with its own line.
		{name: "application store", dir: "data/application.db", size: "32m",
			failLine: regexp.MustCompile(`(?m)^.*pebble: fatal commit error: .*$`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := NewSingleNode(t, e2eChainID, nil, 0, 200*time.Millisecond)
			var restore func()
			if tc.prepare != nil {
				restore = tc.prepare(t, n)
			}
			mnt := filepath.Join(n.Home, tc.dir)
			mountTmpfs(t, mnt, tc.size)
			if restore != nil {
				restore()
			}
			n.Start()
			h := n.WaitReady(3, 90*time.Second)

			// ACT: fill the disk under that part.
			filled := fillDisk(t, mnt)
			code := ExitCode(t, n, 2*time.Minute)
			exited := time.Now()

			// ASSERT: exit code 1, one line naming the cause.
			logs := string(n.Logs())
			if code != 1 {
				t.Fatalf("exit code %d after the %s disk filled, want 1", code, tc.name)
			}
			line := tc.failLine.FindString(logs)
			if line == "" || !strings.Contains(line, "no space left on device") {
				t.Fatalf("no failure line naming the cause (got %q); log tail:\n%s", line, logs[max(0, len(logs)-3000):])
			}
			// The failing write is the first one after the fill, except
			// where the writer preallocated space (pebble's log): there
			// the fatal line's own time is when it failed.
			t.Logf("MEASURED disk full under %s at height ≥ %d: exit code %d %.1f s after the disk filled (exited %s); %s",
				tc.dir, h, code, exited.Sub(filled).Seconds(), exited.Format("15:04:05.000"), line)

			// Space freed: the node starts again and makes blocks.
			if err := os.Remove(filepath.Join(mnt, "filler")); err != nil {
				t.Fatal(err)
			}
			n.Start()
			n.WaitReady(h, 2*time.Minute)
		})
	}
}

// nodeFailedLine is petrod's line when consensus cannot continue.
var nodeFailedLine = regexp.MustCompile(`(?m)^E\[.*node failed: consensus cannot continue; exiting.*$`)

// movePrivvalState points config.toml's priv_validator_state_file at
// pvstate/ (a directory of its own) and returns the step that moves the
// file there once the directory is mounted.
func movePrivvalState(t *testing.T, n *Node) func() {
	t.Helper()
	cfg := filepath.Join(n.Home, "config", "config.toml")
	bz, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^priv_validator_state_file = .*$`)
	if !re.Match(bz) {
		t.Fatal("no priv_validator_state_file in config.toml")
	}
	bz = re.ReplaceAll(bz, []byte(`priv_validator_state_file = "pvstate/priv_validator_state.json"`))
	if err := os.WriteFile(cfg, bz, 0o600); err != nil {
		t.Fatal(err)
	}
	return func() {
		old := filepath.Join(n.Home, "data", "priv_validator_state.json")
		bz, err := os.ReadFile(old)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(n.Home, "pvstate", "priv_validator_state.json"), bz, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(old); err != nil {
			t.Fatal(err)
		}
	}
}

// mountTmpfs mounts a tmpfs of size at dir (unmounted at cleanup), or skips
// the test when mounting is not possible here.
func mountTmpfs(t *testing.T, dir, size string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipping: mounting a tmpfs needs root")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("skipping: cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Logf("umount %s: %v %s", dir, err, out)
			_ = exec.Command("umount", "-l", dir).Run()
		}
	})
}

// fillDisk writes dir/filler until the file system is full and returns
// when it was.
func fillDisk(t *testing.T, dir string) time.Time {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill %s: %v", dir, err)
			}
			break
		}
	}
	// Fill the last partial chunk too.
	for _, n := range []int{4096, 512, 1} {
		for {
			if _, err := f.Write(buf[:n]); err != nil {
				break
			}
		}
	}
	return time.Now()
}
