package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/petro-network/petro/keyring"
)

// The CLI habits of the Cosmos ecosystem (issue #12, item 8), each rule
// through the real cobra root in-process.

// TestUnknownSubcommand: a typo at any level fails (usage error, exit 2)
// with cobra's message and suggestions instead of printing help and
// exiting 0; a group without arguments still prints its help.
func TestUnknownSubcommand(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    string
		suggest string // "" = no suggestion expected
	}{
		{"leaf typo", []string{"tx", "token", "sendd"}, `unknown command "sendd" for "petrod tx token"`, "send"},
		{"leaf typo with flags", []string{"tx", "token", "sendd", "alice", "petro1x", "1ptr", "--from", "x", "--keyring-backend", "test"}, `unknown command "sendd" for "petrod tx token"`, "send"},
		{"group typo", []string{"tx", "signn", "foo"}, `unknown command "signn" for "petrod tx"`, "sign"},
		{"root", []string{"foo"}, `unknown command "foo" for "petrod"`, ""},
		{"root typo", []string{"qeury", "token"}, `unknown command "qeury" for "petrod"`, "query"},
		{"keys typo", []string{"keys", "lst"}, `unknown command "lst" for "petrod keys"`, "list"},
		{"nested group", []string{"tx", "authority", "propose", "grant"}, `unknown command "grant" for "petrod tx authority propose"`, "grant-role"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runCLI(t, "", tc.args...)
			var ue *usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want a usage error containing %q", err, tc.want)
			}
			if tc.suggest != "" && !strings.Contains(err.Error(), "Did you mean this?\n\t"+tc.suggest+"\n") {
				t.Fatalf("no suggestion %q in %q", tc.suggest, err)
			}
		})
	}

	// Every group of the tree refuses an unknown subcommand.
	var groups []*cobra.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.HasSubCommands() {
			groups = append(groups, c)
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(NewRootCmd())
	for _, g := range groups {
		path := strings.Fields(g.CommandPath())[1:]
		_, _, err := runCLI(t, "", append(path, "zzzz")...)
		if err == nil || !strings.Contains(err.Error(), `unknown command "zzzz"`) {
			t.Errorf("%s zzzz: %v", g.CommandPath(), err)
		}
	}

	out, _, err := runCLI(t, "", "tx")
	if err != nil || !strings.Contains(out, "Available Commands") {
		t.Fatalf("petrod tx: err %v, output %q", err, out)
	}
	// A group, and any command, still refuses a flag it does not know.
	for _, args := range [][]string{{"tx", "--versoin"}, {"keys", "list", "--versoin"}} {
		var ue *usageError
		if _, _, err := runCLI(t, "", args...); !errors.As(err, &ue) || !strings.Contains(err.Error(), "unknown flag: --versoin") {
			t.Fatalf("petrod %v: %v", args, err)
		}
	}
}

// TestHomeTilde: a quoted "~/…" (which the shell does not expand) is
// expanded by petrod, in --home and $PETRO_HOME; any other leading "~" is
// refused; nothing named "~" is ever created in the working directory.
func TestHomeTilde(t *testing.T) {
	userHome, cwd := t.TempDir(), t.TempDir()
	t.Setenv("HOME", userHome)
	t.Chdir(cwd)

	mustRun(t, "", "keys", "add", "a", "--home", "~/.petro-dev", "--keyring-backend", "test")
	if _, err := os.Stat(filepath.Join(userHome, ".petro-dev", "keyring-test", "a.json")); err != nil {
		t.Fatalf("key not under $HOME/.petro-dev: %v", err)
	}
	if out := mustRun(t, "", "keys", "list", "--home=~/.petro-dev", "--keyring-backend", "test"); !strings.Contains(out, "petro1") {
		t.Fatalf("list: %q", out)
	}
	t.Setenv(envHome, "~/.petro-dev")
	if out := mustRun(t, "", "keys", "show", "a", "-a", "--keyring-backend", "test"); !strings.HasPrefix(out, "petro1") {
		t.Fatalf("show with PETRO_HOME=~/…: %q", out)
	}
	t.Setenv(envHome, "")

	_, _, err := runCLI(t, "", "keys", "list", "--home", "~bob/.petro", "--keyring-backend", "test")
	var ue *usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "~/") {
		t.Fatalf("~bob: %v", err)
	}
	if entries, _ := os.ReadDir(cwd); len(entries) != 0 {
		t.Fatalf("working directory got %v", entries)
	}
}

// TestKeysMissingKeyring: keys commands on a home or backend that does not
// exist fail clearly (never "no keys" with exit 0) and create nothing; key
// not found names the backend and directory searched and the other
// backends.
func TestKeysMissingKeyring(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	out, errOut, err := runCLI(t, "", "keys", "list", "--home", missing, "--keyring-backend", "test")
	if err == nil || !strings.Contains(err.Error(), missing+" does not exist") || strings.Contains(out+errOut, "no keys") {
		t.Fatalf("missing home: err %v, out %q %q", err, out, errOut)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Fatalf("keys list created the home: %v", err)
	}

	home := t.TempDir()
	mustRun(t, "", "keys", "add", "a", "--home", home, "--keyring-backend", "test")
	fileDir := filepath.Join(home, "keyring-file")
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"list on a missing backend", []string{"keys", "list"}, []string{"no file keyring", fileDir, "other keyrings there: test", "--keyring-backend"}},
		{"show on a missing backend", []string{"keys", "show", "a"}, []string{"key not found", "no file keyring", "the test keyring in " + home + " has it: add --keyring-backend test"}},
		{"sign with a missing backend", []string{"tx", "token", "send", "a", addrA, "1ptr", "--chain-id", "x"}, []string{`sender "a": key not found`, "add --keyring-backend test"}},
		{"unknown key", []string{"keys", "show", "zed", "--keyring-backend", "test"}, []string{`key not found: "zed"`, "test keyring " + filepath.Join(home, "keyring-test"), "--keyring-backend test", "other backends (file)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runCLI(t, "", append(tc.args, "--home", home)...)
			if err == nil {
				t.Fatal("succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	if _, err := os.Stat(fileDir); !os.IsNotExist(err) {
		t.Fatalf("a read created %s: %v", fileDir, err)
	}
}

// TestAmountsNeedDenomination: every command that takes a PTR amount
// refuses a bare number with the hint, before the keyring or the network.
func TestAmountsNeedDenomination(t *testing.T) {
	home := t.TempDir()
	common := []string{"--home", home, "--chain-id", "x", "--keyring-backend", "test", "--node", "127.0.0.1:1", "--from", "a"}
	tests := []struct {
		name string
		args []string
	}{
		{"send", []string{"tx", "token", "send", "a", addrA, "10"}},
		{"issue", []string{"tx", "token", "issue", addrA, "10"}},
		{"redeem", []string{"tx", "token", "redeem", "10", "--instructions", "x"}},
		{"set-allowance", []string{"tx", "authority", "propose", "set-allowance", addrA, "10"}},
		{"grant-role --allowance", []string{"tx", "authority", "propose", "grant-role", addrA, "issuer", "--allowance", "10"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append([]string{}, tc.args...), common...)
			if tc.name == "send" {
				args = args[:len(args)-2] // send has no --from
			}
			_, _, err := runCLI(t, "", args...)
			var ue *usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), `amount "10" needs a denomination: 10ptr (PTR) or 10ptrbase (base units`) {
				t.Fatalf("got %v", err)
			}
		})
	}
	_, _, err := runCLI(t, "", "bench", "--fund-amount", "10", "--home", home)
	if err == nil || !strings.Contains(err.Error(), "needs a denomination") {
		t.Fatalf("bench --fund-amount 10: %v", err)
	}
}

// captureFlags runs args through a fresh root whose leaf command only
// records the given flags' final values.
func captureFlags(t *testing.T, args []string, names ...string) map[string]string {
	t.Helper()
	root := NewRootCmd()
	leaf, _, err := root.Find(args)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	leaf.RunE = func(cmd *cobra.Command, _ []string) error {
		for _, n := range names {
			got[n] = cmd.Flags().Lookup(n).Value.String()
		}
		return nil
	}
	leaf.Args = cobra.ArbitraryArgs
	root.SetArgs(args)
	root.SetOut(new(strings.Builder))
	root.SetErr(new(strings.Builder))
	if err := root.Execute(); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return got
}

// TestClientConfig: petrod config get/set/list over <home>/config/client.toml;
// every command reads it; a flag beats $PETRO_<KEY>, which beats the file,
// which beats the built-in default.
func TestClientConfig(t *testing.T) {
	home := t.TempDir()
	h := []string{"--home", home}
	send := []string{"tx", "token", "send", "a", addrA, "1ptr", "--home", home}
	keys := []string{flagChainID, flagNode, flagKeyringBackend, flagOutput, flagBroadcastMode}

	// Nothing set: the built-in defaults.
	got := captureFlags(t, send, keys...)
	if got[flagNode] != defaultGRPCNode || got[flagKeyringBackend] != keyring.BackendFile || got[flagOutput] != outputText || got[flagChainID] != "" {
		t.Fatalf("defaults: %v", got)
	}

	for k, v := range map[string]string{flagChainID: "petro-cfg-1", flagNode: "10.0.0.1:9090", flagNodeRPC: "http://10.0.0.1:26657",
		flagKeyringBackend: "test", flagOutput: "json", flagBroadcastMode: "sync", flagWitness: "http://10.0.0.2:26657,http://10.0.0.3:26657"} {
		mustRun(t, "", append([]string{"config", "set", k, v}, h...)...)
	}
	if v := strings.TrimSpace(mustRun(t, "", append([]string{"config", "get", flagNode}, h...)...)); v != "10.0.0.1:9090" {
		t.Fatalf("config get node = %q", v)
	}
	var listed map[string]string
	if err := json.Unmarshal([]byte(mustRun(t, "", append([]string{"config", "list", "-o", "json"}, h...)...)), &listed); err != nil || listed[flagBroadcastMode] != "sync" || listed[flagWitness] != "http://10.0.0.2:26657,http://10.0.0.3:26657" || len(listed) != 7 {
		t.Fatalf("config list: %v %v", listed, err)
	}

	// The file applies to every command with the flag…
	got = captureFlags(t, send, keys...)
	want := map[string]string{flagChainID: "petro-cfg-1", flagNode: "10.0.0.1:9090", flagKeyringBackend: "test", flagOutput: "json", flagBroadcastMode: "sync"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("from client.toml: %s = %q, want %q", k, got[k], v)
		}
	}
	if got := captureFlags(t, []string{"status", "--home", home}, flagNodeRPC); got[flagNodeRPC] != "http://10.0.0.1:26657" {
		t.Errorf("status --node-rpc = %q", got[flagNodeRPC])
	}
	// …but not to flags of the same name that mean something else: the
	// chain id of a command that creates a chain, testnet's output directory.
	if got := captureFlags(t, []string{"init", "--home", home}, flagChainID); got[flagChainID] != "petro-local-1" {
		t.Errorf("init --chain-id = %q", got[flagChainID])
	}
	if got := captureFlags(t, []string{"testnet", "--home", home}, flagChainID, "output"); got[flagChainID] != "petro-testnet-1" || got["output"] != "" {
		t.Errorf("testnet flags from client.toml: %v", got)
	}
	// The environment beats the file, a flag beats both.
	t.Setenv("PETRO_OUTPUT", "text")
	t.Setenv("PETRO_CHAIN_ID", "petro-env-1")
	got = captureFlags(t, append(send, "--chain-id", "petro-flag-1"), flagOutput, flagChainID, flagKeyringBackend)
	if got[flagOutput] != "text" || got[flagChainID] != "petro-flag-1" || got[flagKeyringBackend] != "test" {
		t.Fatalf("precedence: %v", got)
	}

	// A real command reads it: keys list prints JSON (output) from the test
	// keyring (keyring-backend) without either flag.
	t.Setenv("PETRO_OUTPUT", "")
	mustRun(t, "", append([]string{"keys", "add", "a"}, h...)...)
	var list []keyOut
	if err := json.Unmarshal([]byte(mustRun(t, "", append([]string{"keys", "list"}, h...)...)), &list); err != nil || len(list) != 1 {
		t.Fatalf("keys list from client.toml: %v %v", list, err)
	}

	// Bad keys and values are refused; "" unsets.
	for _, bad := range [][]string{{"nope", "x"}, {flagOutput, "yaml"}, {flagKeyringBackend, "os"}, {flagNode, "http://127.0.0.1:26657"}, {flagNodeRPC, "127.0.0.1:26657"}, {flagBroadcastMode, "async"}} {
		if _, _, err := runCLI(t, "", append([]string{"config", "set", bad[0], bad[1]}, h...)...); err == nil {
			t.Errorf("config set %v accepted", bad)
		}
	}
	mustRun(t, "", append([]string{"config", "set", flagOutput, ""}, h...)...)
	if got := captureFlags(t, send, flagOutput); got[flagOutput] != outputText {
		t.Fatalf("unset output = %q", got[flagOutput])
	}
	t.Setenv("PETRO_BROADCAST_MODE", "async")
	if _, _, err := runCLI(t, "", send...); err == nil || !strings.Contains(err.Error(), "$PETRO_BROADCAST_MODE") {
		t.Fatalf("bad env value: %v", err)
	}
	t.Setenv("PETRO_BROADCAST_MODE", "")

	// A client.toml with an unknown key fails every command that reads it,
	// naming the file and the key.
	if err := os.WriteFile(clientConfigPath(home), []byte("colour = \"red\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, "", append([]string{"keys", "list"}, h...)...); err == nil || !strings.Contains(err.Error(), "client.toml") || !strings.Contains(err.Error(), "colour") {
		t.Fatalf("unknown key in client.toml: %v", err)
	}
}

// TestKeysShowFlags: -a/--address and -p/--pubkey print one field.
func TestKeysShowFlags(t *testing.T) {
	home := t.TempDir()
	kb := []string{"--home", home, "--keyring-backend", "test"}
	var k keyOut
	if err := json.Unmarshal([]byte(mustRun(t, "", append([]string{"keys", "add", "a", "-o", "json"}, kb...)...)), &k); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"-a", "--address"} {
		if got := mustRun(t, "", append([]string{"keys", "show", "a", f}, kb...)...); got != k.Address+"\n" {
			t.Errorf("show %s = %q", f, got)
		}
	}
	for _, f := range []string{"-p", "--pubkey"} {
		if got := mustRun(t, "", append([]string{"keys", "show", "a", f}, kb...)...); got != k.PubKey+"\n" {
			t.Errorf("show %s = %q", f, got)
		}
	}
	if _, _, err := runCLI(t, "", append([]string{"keys", "show", "a", "-a", "-p"}, kb...)...); err == nil {
		t.Error("-a -p accepted")
	}
}

// TestKeysExportArmored: export is encrypted by default and round-trips
// through import, in another keyring and backend; a wrong passphrase, an
// empty one and a lone --unsafe are refused.
func TestKeysExportArmored(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	kb := func(home string, a ...string) []string { return append(a, "--home", home, "--keyring-backend", "test") }
	var k keyOut
	if err := json.Unmarshal([]byte(mustRun(t, "", kb(src, "keys", "add", "a", "-o", "json")...)), &k); err != nil {
		t.Fatal(err)
	}
	hexKey := strings.TrimSpace(mustRun(t, "", kb(src, "keys", "export", "a", "--unarmored-hex", "--unsafe")...))

	armored := mustRun(t, "s3cret pass\n", kb(src, "keys", "export", "a")...)
	if !strings.HasPrefix(armored, "-----BEGIN PETRO PRIVATE KEY-----\n") || !strings.HasSuffix(armored, "-----END PETRO PRIVATE KEY-----\n") || strings.Contains(armored, hexKey) {
		t.Fatalf("export:\n%s", armored)
	}
	file := filepath.Join(t.TempDir(), "a.key")
	if err := os.WriteFile(file, []byte(armored), 0o600); err != nil {
		t.Fatal(err)
	}

	_, _, err := runCLI(t, "wrong\n", kb(dst, "keys", "import", "b", file)...)
	if !errors.Is(err, keyring.ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	var imported keyOut
	if err := json.Unmarshal([]byte(mustRun(t, "s3cret pass\n", kb(dst, "keys", "import", "b", file, "-o", "json")...)), &imported); err != nil {
		t.Fatal(err)
	}
	if imported.Address != k.Address {
		t.Fatalf("imported %s, exported %s", imported.Address, k.Address)
	}
	// Into a file keyring, from stdin: the armor, its passphrase, then the
	// keyring's passphrase.
	fileHome := t.TempDir()
	mustRun(t, armored+"s3cret pass\nkeyring pass\n", "keys", "import", "c", "-", "--home", fileHome)
	if got := mustRun(t, "", "keys", "show", "c", "-a", "--home", fileHome); got != k.Address+"\n" {
		t.Fatalf("file keyring import: %q", got)
	}

	for _, tc := range []struct {
		name, in string
		args     []string
	}{
		{"empty export passphrase", "\n", kb(src, "keys", "export", "a")},
		{"--unsafe alone", "", kb(src, "keys", "export", "a", "--unsafe")},
		{"--unarmored-hex alone", "", kb(src, "keys", "export", "a", "--unarmored-hex")},
		{"import without a file", "", kb(dst, "keys", "import", "d")},
		{"import a hex file", "x\n", kb(dst, "keys", "import", "d", writeTemp(t, hexKey))},
	} {
		if out, _, err := runCLI(t, tc.in, tc.args...); err == nil || strings.Contains(out, hexKey) {
			t.Errorf("%s: err %v, out %q", tc.name, err, out)
		}
	}
}

func writeTemp(t *testing.T, s string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestNodeFlagErrors: --node wants gRPC host:port and --node-rpc a
// CometBFT RPC URL; each says so when given the other or when the
// connection fails.
func TestNodeFlagErrors(t *testing.T) {
	http1 := httptest.NewServer(http.NotFoundHandler())
	defer http1.Close()
	http1Addr := strings.TrimPrefix(http1.URL, "http://")
	tests := []struct {
		name  string
		args  []string
		usage bool
		want  []string
	}{
		{"RPC URL to --node", []string{"query", "token", "supply", "--node", "http://127.0.0.1:26657"}, true, []string{"gRPC address", "host:port", "9090", "--node-rpc"}},
		{"no port", []string{"query", "token", "supply", "--node", "localhost"}, true, []string{"gRPC address", "host:port"}},
		{"RPC port refused", []string{"query", "token", "supply", "--node", "127.0.0.1:26657"}, false, []string{"unavailable", "26657 is CometBFT RPC", "gRPC port (9090"}},
		{"HTTP server", []string{"query", "token", "supply", "--node", http1Addr}, false, []string{"answers HTTP/1, not gRPC", "gRPC port (9090"}},
		{"gRPC address to --node-rpc", []string{"status", "--node-rpc", "127.0.0.1:9090"}, true, []string{"CometBFT RPC URL", "26657", "--node"}},
		{"RPC down", []string{"status", "--node-rpc", "http://127.0.0.1:1"}, false, []string{"CometBFT RPC URL", "not gRPC"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runCLI(t, "", append(tc.args, "--home", t.TempDir())...)
			if err == nil {
				t.Fatal("succeeded")
			}
			var ue *usageError
			if errors.As(err, &ue) != tc.usage {
				t.Errorf("usage error = %v, want %v: %v", !tc.usage, tc.usage, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
