package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/app"
	at "github.com/petro-network/petro/x/authority/types"
)

// TestUpgradeInfoFile: upgrade-info.json is the x/upgrade Plan JSON that
// cosmovisor decodes (height a JSON number) and replaces an older file.
func TestUpgradeInfoFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, UpgradeInfoFilename), []byte(`{"name":"old","height":1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	path, err := writeUpgradeInfo(dir, &at.UpgradePlan{Name: "v2", Height: 120000, Info: "petrod v2.0.0", ProposalId: 7})
	if err != nil {
		t.Fatal(err)
	}
	bz, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"name":"v2","height":120000,"info":"petrod v2.0.0"}`; string(bz) != want {
		t.Fatalf("upgrade-info.json = %s, want %s", bz, want)
	}
	var plan struct { // the fields of cosmovisor's upgradetypes.Plan
		Name   string `json:"name"`
		Height int64  `json:"height"`
		Info   string `json:"info"`
	}
	if err := json.Unmarshal(bz, &plan); err != nil || plan.Height != 120000 {
		t.Fatalf("decode: %+v %v", plan, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
}

func TestExitCodes(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{errors.New("boom"), exitError},
		{&usageError{"bad flag"}, exitUsage},
		{fmt.Errorf("start: %w", &upgradeStop{UpgradeNeededError: &app.UpgradeNeededError{Plan: &at.UpgradePlan{Name: "v2", Height: 9}}}), exitUpgradeNeeded},
		{&wrongBinary{&app.WrongBinaryError{}}, exitWrongBinary},
	} {
		if got := exitCodeOf(tc.err); got != tc.want {
			t.Errorf("%v: exit %d, want %d", tc.err, got, tc.want)
		}
	}
}

func TestBuildUpgradeActions(t *testing.T) {
	a, err := buildAction(proposeCmd(t, "schedule-upgrade", "--upgrade-height", "500", "--info", "x"), []string{"v2"}, chainLookup{authorityParams: noParams})
	want := &at.Action{Sum: &at.Action_ScheduleUpgrade{ScheduleUpgrade: &at.ScheduleUpgrade{Name: "v2", Height: 500, Info: "x"}}}
	if err != nil || !proto.Equal(a, want) {
		t.Fatalf("schedule-upgrade: %v (%v)", a, err)
	}
	a, err = buildAction(proposeCmd(t, "cancel-upgrade"), []string{"v2"}, chainLookup{authorityParams: noParams})
	if err != nil || a.GetCancelUpgrade().GetName() != "v2" {
		t.Fatalf("cancel-upgrade: %v (%v)", a, err)
	}
	for name, tc := range map[string]struct {
		cmd   string
		flags []string
		args  []string
	}{
		"no height":  {"schedule-upgrade", nil, []string{"v2"}},
		"upper case": {"schedule-upgrade", []string{"--upgrade-height", "5"}, []string{"V2"}},
		"cancel bad": {"cancel-upgrade", nil, []string{"a/b"}},
		"negative":   {"schedule-upgrade", []string{"--upgrade-height", "-5"}, []string{"v2"}},
	} {
		var ue *usageError
		if _, err := buildAction(proposeCmd(t, tc.cmd, tc.flags...), tc.args, chainLookup{authorityParams: noParams}); !errors.As(err, &ue) {
			t.Errorf("%s: got %v, want a usage error", name, err)
		}
	}
}

func TestVersionLong(t *testing.T) {
	var out bytes.Buffer
	root := NewRootCmd()
	root.SetOut(&out)
	root.SetArgs([]string{"version", "--long", "-o", "json"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(out.Bytes(), &v); err != nil {
		t.Fatalf("%s: %v", out.Bytes(), err)
	}
	for _, k := range []string{"version", "commit", "build_date", "go_version", "cometbft_version", "app_version", "supported_app_versions", "upgrades"} {
		if _, ok := v[k]; !ok {
			t.Errorf("no %q in %s", k, out.Bytes())
		}
	}
	if v["app_version"] != float64(app.AppVersion) {
		t.Errorf("app_version %v", v["app_version"])
	}
}
