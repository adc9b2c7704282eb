package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOfflineSigningCommands: generate-only → sign --offline → validate →
// encode → decode, with --node pointing nowhere throughout; multisig
// records refuse the single-key paths with a hint.
func TestOfflineSigningCommands(t *testing.T) {
	home := t.TempDir()
	mustRun(t, "", "init", "--home", home, "--chain-id", "petro-off-1")
	kb := []string{"--home", home, "--keyring-backend", "test"}
	for _, n := range []string{"alice", "m1", "m2"} {
		mustRun(t, "", append([]string{"keys", "add", n}, kb...)...)
	}
	var alice struct{ Address string }
	if err := json.Unmarshal([]byte(mustRun(t, "", append([]string{"keys", "show", "alice", "-o", "json"}, kb...)...)), &alice); err != nil {
		t.Fatal(err)
	}
	off := []string{"--node", "127.0.0.1:1", "--chain-id", "petro-off-1"}
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}

	unsigned := write("u.json", mustRun(t, "", append(append([]string{"tx", "token", "send", "alice", alice.Address, "1ptr", "--generate-only", "--sequence", "3"}, kb...), off...)...))
	if _, _, err := runCLI(t, "", "tx", "validate-signatures", unsigned); err == nil {
		t.Fatal("an unsigned file validated")
	}
	signed := write("s.json", mustRun(t, "", append(append([]string{"tx", "sign", unsigned, "--from", "alice", "--offline", "--sequence", "3"}, kb...), off...)...))
	if out := mustRun(t, "", "tx", "validate-signatures", signed); !strings.Contains(out, "result: valid") || !strings.Contains(out, "sequence: 3") {
		t.Fatalf("validate-signatures:\n%s", out)
	}
	b64 := strings.TrimSpace(mustRun(t, "", "tx", "encode", signed))
	back := write("d.json", mustRun(t, "", "tx", "decode", b64))
	if again := strings.TrimSpace(mustRun(t, "", "tx", "encode", back)); again != b64 {
		t.Fatal("decode/encode changed the bytes")
	}
	// --offline needs its flags; a signed file cannot take another sequence.
	var ue *usageError
	if _, _, err := runCLI(t, "", append([]string{"tx", "sign", unsigned, "--from", "alice", "--offline", "--chain-id", "petro-off-1"}, kb...)...); !errors.As(err, &ue) {
		t.Fatalf("--offline without --sequence: %v", err)
	}
	if _, _, err := runCLI(t, "", append(append([]string{"tx", "sign", signed, "--from", "alice", "--offline", "--sequence", "4"}, kb...), off...)...); err == nil {
		t.Fatal("re-sequenced a signed file")
	}

	// A 2-of-2 multisig record: generate-only works, signing directly does not.
	mustRun(t, "", append([]string{"keys", "add", "ms", "--multisig", "m1,m2", "--multisig-threshold", "2"}, kb...)...)
	if _, _, err := runCLI(t, "", append(append([]string{"tx", "token", "send", "ms", alice.Address, "1ptr", "--sequence", "0"}, kb...), off...)...); !errors.As(err, &ue) || !strings.Contains(err.Error(), "--generate-only") {
		t.Fatalf("signing as a multisig key: %v", err)
	}
	mu := write("mu.json", mustRun(t, "", append(append([]string{"tx", "token", "send", "ms", alice.Address, "1ptr", "--generate-only", "--sequence", "0"}, kb...), off...)...))
	if _, _, err := runCLI(t, "", append(append([]string{"tx", "sign", mu, "--from", "m1", "--offline", "--sequence", "0"}, kb...), off...)...); !errors.As(err, &ue) {
		t.Fatalf("sign a multisig tx without --multisig: %v", err)
	}
	s1 := write("s1.json", mustRun(t, "", append(append([]string{"tx", "sign", mu, "--multisig", "ms", "--from", "m1", "--offline", "--sequence", "0"}, kb...), off...)...))
	s2 := write("s2.json", mustRun(t, "", append(append([]string{"tx", "sign", mu, "--multisig", "ms", "--from", "m2", "--offline", "--sequence", "0"}, kb...), off...)...))
	if _, _, err := runCLI(t, "", append([]string{"tx", "sign", mu, "--multisig", "ms", "--from", "alice", "--offline", "--sequence", "0", "--chain-id", "petro-off-1"}, kb...)...); err == nil {
		t.Fatal("a non-member signed")
	}
	if _, _, err := runCLI(t, "", append([]string{"tx", "multisign", mu, "ms", s1, s1}, kb...)...); err == nil {
		t.Fatal("multisign took one member twice")
	}
	combined := write("c.json", mustRun(t, "", append([]string{"tx", "multisign", mu, "ms", s2, s1}, kb...)...))
	if out := mustRun(t, "", "tx", "validate-signatures", combined); !strings.Contains(out, "threshold: 2 of 2") || !strings.Contains(out, "result: valid") {
		t.Fatalf("validate-signatures:\n%s", out)
	}
	if _, _, err := runCLI(t, "", append([]string{"keys", "add", "bad", "--multisig", "m1,m1", "--multisig-threshold", "2"}, kb...)...); !errors.As(err, &ue) {
		t.Fatalf("duplicate member: %v", err)
	}
	if _, _, err := runCLI(t, "", append([]string{"keys", "add", "bad", "--multisig", "m1,m2", "--multisig-threshold", "3"}, kb...)...); !errors.As(err, &ue) {
		t.Fatalf("k > n: %v", err)
	}
}
