package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/petro-network/petro/crypto"
)

// runCLI runs one petrod command line in-process with stdin in and returns
// its stdout and stderr.
func runCLI(t *testing.T, in string, args ...string) (string, string, error) {
	t.Helper()
	root := NewRootCmd()
	var out, errOut bytes.Buffer
	root.SetArgs(args)
	root.SetIn(strings.NewReader(in))
	root.SetOut(&out)
	root.SetErr(&errOut)
	err := root.Execute()
	return out.String(), errOut.String(), err
}

func mustRun(t *testing.T, in string, args ...string) string {
	t.Helper()
	out, errOut, err := runCLI(t, in, args...)
	if err != nil {
		t.Fatalf("petrod %s: %v\nstderr: %s", strings.Join(args, " "), err, errOut)
	}
	return out
}

func TestKeysLifecycleTestBackend(t *testing.T) {
	// ARRANGE: a node home, as `petrod init` makes it.
	home := t.TempDir()
	mustRun(t, "", "init", "--home", home)
	kb := []string{"--home", home, "--keyring-backend", "test"}
	args := func(a ...string) []string { return append(a, kb...) }

	// ACT + ASSERT: add prints the address and a mnemonic that recovers it.
	var added keyOut
	if err := json.Unmarshal([]byte(mustRun(t, "", args("keys", "add", "alice", "-o", "json")...)), &added); err != nil {
		t.Fatal(err)
	}
	if added.Name != "alice" || !strings.HasPrefix(added.Address, "petro1") || len(strings.Fields(added.Mnemonic)) != 24 {
		t.Fatalf("add output %+v", added)
	}
	priv, err := crypto.DerivePrivKeyFromMnemonic(added.Mnemonic, "", 0, 0)
	if err != nil || priv.PubKey().Address().String() != added.Address {
		t.Fatalf("mnemonic does not give the printed address: %v", err)
	}
	text := mustRun(t, "", args("keys", "add", "bob")...)
	if !strings.Contains(text, "address: petro1") || !strings.Contains(text, "**Important**") {
		t.Fatalf("text add output:\n%s", text)
	}
	if _, _, err := runCLI(t, "", args("keys", "add", "alice")...); err == nil {
		t.Fatal("adding a duplicate name succeeded")
	}

	// list -o json: both keys, sorted by name, no mnemonic.
	var list []keyOut
	if err := json.Unmarshal([]byte(mustRun(t, "", args("keys", "list", "-o", "json")...)), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != "alice" || list[1].Name != "bob" || list[0].Mnemonic != "" {
		t.Fatalf("list %+v", list)
	}

	// show, by name and by address; --address prints the address alone.
	if got := strings.TrimSpace(mustRun(t, "", args("keys", "show", "alice", "--address")...)); got != added.Address {
		t.Fatalf("show --address = %q, want %q", got, added.Address)
	}
	var shown keyOut
	if err := json.Unmarshal([]byte(mustRun(t, "", args("keys", "show", added.Address, "-o", "json")...)), &shown); err != nil {
		t.Fatal(err)
	}
	if shown.Name != "alice" || shown.PubKey != added.PubKey {
		t.Fatalf("show %+v, add %+v", shown, added)
	}

	// export → delete → import gives back the same key; the raw hex export
	// needs --unarmored-hex --unsafe.
	if _, _, err := runCLI(t, "", args("keys", "export", "alice", "--unarmored-hex")...); err == nil {
		t.Fatal("--unarmored-hex without --unsafe succeeded")
	}
	out, errOut, err := runCLI(t, "", args("keys", "export", "alice", "--unarmored-hex", "--unsafe")...)
	if err != nil {
		t.Fatal(err)
	}
	hexKey := strings.TrimSpace(out)
	if len(hexKey) != 64 || !strings.Contains(errOut, "WARNING") {
		t.Fatalf("export: stdout %q stderr %q", out, errOut)
	}
	if _, _, err := runCLI(t, "n\n", args("keys", "delete", "alice")...); err == nil {
		t.Fatal("delete answered n succeeded")
	}
	mustRun(t, "", args("keys", "delete", "alice", "-y")...)
	if _, _, err := runCLI(t, "", args("keys", "show", "alice")...); err == nil {
		t.Fatal("deleted key still shown")
	}
	var imported keyOut
	if err := json.Unmarshal([]byte(mustRun(t, "", args("keys", "import", "alice2", hexKey, "--unarmored-hex", "-o", "json")...)), &imported); err != nil {
		t.Fatal(err)
	}
	if imported.Address != added.Address {
		t.Fatalf("imported %s, exported %s", imported.Address, added.Address)
	}
	// import from stdin; a key already stored under another name is refused.
	if _, _, err := runCLI(t, hexKey+"\n", args("keys", "import", "alice3", "--unarmored-hex")...); err == nil {
		t.Fatal("importing the same key twice succeeded")
	}

	// delete with a "y" answer on stdin.
	mustRun(t, "y\n", args("keys", "delete", "bob")...)
	if err := json.Unmarshal([]byte(mustRun(t, "", args("keys", "list", "-o", "json")...)), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Name != "alice2" {
		t.Fatalf("list after deletes %+v", list)
	}
}

func TestKeysRecover(t *testing.T) {
	home := t.TempDir()
	out := mustRun(t, devMnemonicAlice+"\n", "keys", "add", "a", "--recover", "--home", home, "--keyring-backend", "test", "-o", "json")
	var k keyOut
	if err := json.Unmarshal([]byte(out), &k); err != nil {
		t.Fatal(err)
	}
	keys, err := devKeyList()
	if err != nil {
		t.Fatal(err)
	}
	if k.Address != keys[1].Address || k.Mnemonic != "" {
		t.Fatalf("recovered %+v, want address %s and no mnemonic", k, keys[1].Address)
	}
	if _, _, err := runCLI(t, "not a mnemonic\n", "keys", "add", "b", "--recover", "--home", home, "--keyring-backend", "test"); err == nil {
		t.Fatal("bad mnemonic accepted")
	}
}

func TestKeysFileBackendPassphrase(t *testing.T) {
	home := t.TempDir()
	// From the environment.
	t.Setenv(envKeyringPassphrase, "correct horse")
	mustRun(t, "", "keys", "add", "a", "--home", home)
	mustRun(t, "export pass\n", "keys", "export", "a", "--home", home)

	// From stdin when it is not a terminal; a wrong one is refused.
	t.Setenv(envKeyringPassphrase, "")
	if _, _, err := runCLI(t, "wrong\nexport pass\n", "keys", "export", "a", "--home", home); err == nil {
		t.Fatal("wrong passphrase accepted")
	}
	// --recover reads the mnemonic first, then the passphrase.
	mustRun(t, devMnemonicBob+"\ncorrect horse\n", "keys", "add", "b", "--recover", "--home", home)
	// List asks for no passphrase.
	var list []keyOut
	if err := json.Unmarshal([]byte(mustRun(t, "", "keys", "list", "--home", home, "-o", "json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("list %+v", list)
	}
}

func TestBadFlags(t *testing.T) {
	home := t.TempDir()
	tests := []struct {
		name string
		args []string
	}{
		{"bad output", []string{"keys", "list", "--home", home, "--keyring-backend", "test", "-o", "yaml"}},
		{"bad backend", []string{"keys", "list", "--home", home, "--keyring-backend", "os"}},
		{"bad key name", []string{"keys", "add", "a/b", "--home", home, "--keyring-backend", "test"}},
		{"bad amount", []string{"tx", "token", "send", "a", "petro1utvr3h95wjcxtflna69y4alaxljvcqf7q44a7z", "1.5", "--home", home, "--chain-id", "x"}},
		{"zero amount", []string{"tx", "token", "send", "a", "petro1utvr3h95wjcxtflna69y4alaxljvcqf7q44a7z", "0ptr", "--home", home, "--chain-id", "x"}},
		{"bad recipient", []string{"tx", "token", "send", "a", "cosmos1xyz", "1ptr", "--home", home, "--chain-id", "x"}},
		{"no chain id", []string{"tx", "token", "send", "a", "petro1utvr3h95wjcxtflna69y4alaxljvcqf7q44a7z", "1ptr", "--home", home}},
		{"bad mode", []string{"tx", "token", "send", "a", "petro1utvr3h95wjcxtflna69y4alaxljvcqf7q44a7z", "1ptr", "--home", home, "--chain-id", "x", "--broadcast-mode", "async"}},
		{"bad query address", []string{"query", "token", "balance", "petro1nope"}},
		{"bad tx hash", []string{"query", "tx", "abc"}},
		{"bad page key", []string{"query", "token", "balances", "--page-key", "%%%"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runCLI(t, "", tc.args...)
			var ue *usageError
			if err == nil || !asUsage(err, &ue) {
				t.Fatalf("want a usage error, got %v", err)
			}
		})
	}
}

func asUsage(err error, ue **usageError) bool {
	u, ok := err.(*usageError)
	if ok {
		*ue = u
	}
	return ok
}

func TestQueryNodeDown(t *testing.T) {
	// Nothing listens on port 1 of loopback: one clear line, no usage error.
	_, _, err := runCLI(t, "", "query", "token", "supply", "--node", "127.0.0.1:1")
	if err == nil || !strings.Contains(err.Error(), "unavailable") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("got %v", err)
	}
}
