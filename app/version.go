package app

import (
	"runtime"
	"runtime/debug"
)

// Build information, set at build time with -ldflags -X (Makefile,
// Dockerfile); BuildInfo falls back to what the Go toolchain recorded.
var (
	Commit    = "" // git rev-parse HEAD
	BuildDate = "" // UTC, RFC 3339
)

// BuildInfo describes this binary.
type BuildInfo struct {
	Version     string   `json:"version"`
	Commit      string   `json:"commit"`
	BuildDate   string   `json:"build_date"`
	GoVersion   string   `json:"go_version"`
	AppVersion  uint64   `json:"app_version"`            // this binary's own state machine
	AppVersions []uint64 `json:"supported_app_versions"` // with its upgrade handlers
	Upgrades    []string `json:"upgrades"`               // handlers it has
}

// ReadBuildInfo is this binary's build information: the -ldflags values,
// or else the module version and VCS revision and time the Go toolchain
// recorded (debug.ReadBuildInfo; absent with -buildvcs=false).
func ReadBuildInfo() BuildInfo {
	bi := BuildInfo{Version: SoftwareVersion, Commit: Commit, BuildDate: BuildDate, GoVersion: runtime.Version(), AppVersion: AppVersion}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return bi
	}
	if bi.Version == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		bi.Version = info.Main.Version
	}
	for _, s := range info.Settings {
		switch {
		case s.Key == "vcs.revision" && bi.Commit == "":
			bi.Commit = s.Value
		case s.Key == "vcs.time" && bi.BuildDate == "":
			bi.BuildDate = s.Value
		case s.Key == "vcs.modified" && s.Value == "true" && bi.Commit != "" && Commit == "":
			bi.Commit += "-dirty"
		}
	}
	return bi
}
