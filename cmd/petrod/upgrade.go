package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/petro-network/petro/app"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
)

// Exit codes of petrod (networks/README.md, "Exit codes").
const (
	exitError         = 1 // any other failure
	exitUsage         = 2 // the command line is wrong
	exitUpgradeNeeded = 3 // stopped for a scheduled upgrade; data/upgrade-info.json written
	exitWrongBinary   = 4 // this binary cannot run the chain's state (unknown upgrade, app version)
)

// exitCoder is an error that carries petrod's exit code.
type exitCoder interface {
	error
	ExitCode() int
}

// exitCodeOf maps an error returned by a command to petrod's exit code.
func exitCodeOf(err error) int {
	var ec exitCoder
	var ue *usageError
	switch {
	case errors.As(err, &ec):
		return ec.ExitCode()
	case errors.As(err, &ue):
		return exitUsage
	}
	return exitError
}

// upgradeStop is returned by RunNode when the node stopped for an upgrade.
type upgradeStop struct {
	*app.UpgradeNeededError
	infoFile string
}

func (e *upgradeStop) Error() string {
	return fmt.Sprintf("%s (wrote %s)", e.UpgradeNeededError.Error(), e.infoFile)
}
func (e *upgradeStop) ExitCode() int { return exitUpgradeNeeded }
func (e *upgradeStop) Unwrap() error { return e.UpgradeNeededError }

// wrongBinary is a start refused because of the chain's state.
type wrongBinary struct{ *app.WrongBinaryError }

func (e *wrongBinary) ExitCode() int { return exitWrongBinary }
func (e *wrongBinary) Unwrap() error { return e.WrongBinaryError }

// UpgradeInfoFilename is the file under data/ that cosmovisor watches.
const UpgradeInfoFilename = "upgrade-info.json"

// upgradeInfo is data/upgrade-info.json, the format cosmovisor reads (the
// Cosmos SDK x/upgrade Plan as encoding/json writes it: name, height as a
// JSON number, info), e.g. {"name":"v2","height":1200,"info":""}.
type upgradeInfo struct {
	Name   string `json:"name"`
	Height int64  `json:"height"`
	Info   string `json:"info"`
}

// writeUpgradeInfo writes plan to dataDir/upgrade-info.json atomically
// (temp file, fsync, rename) and returns the path.
func writeUpgradeInfo(dataDir string, plan *authoritytypes.UpgradePlan) (string, error) {
	bz, err := json.Marshal(upgradeInfo{Name: plan.Name, Height: plan.Height, Info: plan.Info})
	if err != nil {
		return "", err
	}
	path := filepath.Join(dataDir, UpgradeInfoFilename)
	tmp, err := os.CreateTemp(dataDir, UpgradeInfoFilename+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(bz); err != nil {
		tmp.Close()
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return path, nil
}

// stopForUpgrade writes upgrade-info.json for the needed upgrade and
// returns the error RunNode ends with (exit code 3).
func stopForUpgrade(dataDir string, e *app.UpgradeNeededError) error {
	path, err := writeUpgradeInfo(dataDir, e.Plan)
	if err != nil {
		return fmt.Errorf("%v; and could not record it: %w", e, err)
	}
	return &upgradeStop{UpgradeNeededError: e, infoFile: path}
}

// upgradeLogLine is logged once when the node stops for an upgrade
// (operators and tests grep for it).
const upgradeLogLine = "UPGRADE NEEDED: stopping before the upgrade height; install the new binary (cosmovisor: cosmovisor/upgrades/<name>/bin/petrod)"

// checkUpgrades refuses to start a binary that cannot run the chain from
// its committed state: one block short of an upgrade it has no handler
// for, exit code 3 (upgrade-info.json written); on a chain made by
// software it does not implement, exit code 4.
func checkUpgrades(a *app.App, dataDir string) error {
	err := a.CheckUpgrades()
	var need *app.UpgradeNeededError
	var wrong *app.WrongBinaryError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &need): // logged by Options.OnUpgradeNeeded
		return stopForUpgrade(dataDir, need)
	case errors.As(err, &wrong):
		return &wrongBinary{wrong}
	}
	return err
}
