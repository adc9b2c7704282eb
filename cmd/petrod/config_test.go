package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestAppConfigGCPercent: app.toml's gc_percent defaults to 200, 0 means
// Go's default, and a negative value (which would turn the GC off) is
// refused with the file and key named.
func TestAppConfigGCPercent(t *testing.T) {
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	c := DefaultAppConfig()
	if err := WriteAppConfig(home, c); err != nil {
		t.Fatal(err)
	}
	got, err := LoadAppConfig(home)
	if err != nil || got.GCPercent != 200 {
		t.Fatalf("default: gc_percent %d, err %v", got.GCPercent, err)
	}
	for _, v := range []int{0, 400} {
		c.GCPercent = v
		if err := WriteAppConfig(home, c); err != nil {
			t.Fatal(err)
		}
		if got, err := LoadAppConfig(home); err != nil || got.GCPercent != v {
			t.Fatalf("gc_percent %d: read %d, err %v", v, got.GCPercent, err)
		}
	}
	c.GCPercent = -1
	if err := WriteAppConfig(home, c); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadAppConfig(home); err == nil || !strings.Contains(err.Error(), "gc_percent -1") || !strings.Contains(err.Error(), "app.toml") {
		t.Fatalf("negative gc_percent: %v", err)
	}
}

// TestAppConfigCommented: app.toml as written explains every key (a
// comment line right above it and above every table), and reads back as
// the config that was written.
func TestAppConfigCommented(t *testing.T) {
	home := t.TempDir()
	c := DefaultAppConfig()
	c.HaltHeight, c.StateSync.SnapshotInterval = 7, 50
	if err := WriteAppConfig(home, c); err != nil {
		t.Fatal(err)
	}
	bz, err := os.ReadFile(appConfigPath(home))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(bz), "\n")
	keys := 0
	for i, l := range lines {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		keys++
		if i == 0 || !strings.HasPrefix(lines[i-1], "# ") {
			t.Errorf("line %d %q has no comment above it", i+1, l)
		}
	}
	if keys < 15 {
		t.Fatalf("only %d keys and tables written:\n%s", keys, bz)
	}
	got, err := LoadAppConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Fatalf("read back %+v, wrote %+v", got, c)
	}
}
