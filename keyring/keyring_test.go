package keyring

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/crypto/multisig"
)

const (
	testPass = "correct horse battery staple"
	// The public BIP-39 test mnemonic; at m/44'/118'/0'/0/0 it is the Cosmos
	// Hub address cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4.
	abandonMnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
	keyOneHex       = "0000000000000000000000000000000000000000000000000000000000000001"
)

func fixedPass(p string) func() (string, error) {
	return func() (string, error) { return p, nil }
}

var backends = []string{BackendMemory, BackendTest, BackendFile}

func newKeyring(t *testing.T, backend, home string) Keyring {
	t.Helper()
	kr, err := New(backend, home, fixedPass(testPass))
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// forEachBackend runs fn against a fresh keyring of every backend.
func forEachBackend(t *testing.T, fn func(t *testing.T, kr Keyring)) {
	for _, b := range backends {
		t.Run(b, func(t *testing.T) {
			t.Parallel()
			fn(t, newKeyring(t, b, t.TempDir()))
		})
	}
}

func TestAddGetListDelete(t *testing.T) {
	forEachBackend(t, func(t *testing.T, kr Keyring) {
		bob, mnemonic, err := kr.Add("bob")
		if err != nil {
			t.Fatal(err)
		}
		if n := len(strings.Fields(mnemonic)); n != 24 {
			t.Fatalf("mnemonic has %d words", n)
		}
		if !bob.Address.Equals(bob.PubKey.Address()) || !strings.HasPrefix(bob.Address.String(), "petro1") {
			t.Fatalf("bad record %+v", bob)
		}
		alice, err := kr.ImportPrivKeyHex("alice", keyOneHex)
		if err != nil {
			t.Fatal(err)
		}

		list, err := kr.List()
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].Name != "alice" || list[1].Name != "bob" {
			t.Fatalf("List = %+v, want alice, bob", list)
		}

		for _, key := range []string{"bob", bob.Address.String(), strings.ToUpper(bob.Address.String())} {
			got, err := kr.Get(key)
			if err != nil {
				t.Fatalf("Get(%q): %v", key, err)
			}
			if got.Name != "bob" || !got.PubKey.Equals(bob.PubKey) {
				t.Fatalf("Get(%q) = %+v", key, got)
			}
		}

		if err := kr.Delete(alice.Address.String()); err != nil {
			t.Fatal(err)
		}
		if _, err := kr.Get("alice"); !errors.Is(err, ErrKeyNotFound) {
			t.Fatalf("Get after Delete: %v", err)
		}
		if err := kr.Delete("bob"); err != nil {
			t.Fatal(err)
		}
		if list, err := kr.List(); err != nil || len(list) != 0 {
			t.Fatalf("List = %v, %v", list, err)
		}
	})
}

func TestRecoverMatchesAdd(t *testing.T) {
	forEachBackend(t, func(t *testing.T, kr Keyring) {
		added, mnemonic, err := kr.Add("orig")
		if err != nil {
			t.Fatal(err)
		}
		addedPriv, err := kr.ExportPrivKeyHex("orig")
		if err != nil {
			t.Fatal(err)
		}
		if err := kr.Delete("orig"); err != nil {
			t.Fatal(err)
		}
		// Extra white space in a typed mnemonic does not change the key.
		rec, err := kr.Recover("copy", "  "+strings.ReplaceAll(mnemonic, " ", "  ")+"\n")
		if err != nil {
			t.Fatal(err)
		}
		if !rec.Address.Equals(added.Address) {
			t.Fatalf("recovered %s, added %s", rec.Address, added.Address)
		}
		if got, err := kr.ExportPrivKeyHex("copy"); err != nil || got != addedPriv {
			t.Fatalf("recovered private key differs: %v", err)
		}
	})
}

func TestRecoverKnownVector(t *testing.T) {
	kr := newKeyring(t, BackendMemory, "")
	rec, err := kr.Recover("abandon", abandonMnemonic)
	if err != nil {
		t.Fatal(err)
	}
	// Same 20 bytes as cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4.
	if got := hex.EncodeToString(rec.Address); got != "28ff5c6d57d8cfd492b6fb42614536ed648e01fd" {
		t.Fatalf("address bytes %s", got)
	}
	if got := rec.Address.String(); got != "petro19rl4cm2hmr8afy4kldpxz3fka4jguq0aj6qcwd" {
		t.Fatalf("address %s", got)
	}
}

func TestImportExport(t *testing.T) {
	forEachBackend(t, func(t *testing.T, kr Keyring) {
		rec, err := kr.ImportPrivKeyHex("one", " "+strings.ToUpper(keyOneHex)+"\n")
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(rec.Address); got != "751e76e8199196d454941c45d1b3a323f1433bd6" {
			t.Fatalf("address of key 1 = %s", got)
		}
		got, err := kr.ExportPrivKeyHex("one")
		if err != nil || got != keyOneHex {
			t.Fatalf("Export = %q, %v", got, err)
		}
		for name, bad := range map[string]string{
			"not hex":  "zz",
			"31 bytes": keyOneHex[2:],
			"zero":     strings.Repeat("0", 64),
			"N":        "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
		} {
			if _, err := kr.ImportPrivKeyHex("bad", bad); !errors.Is(err, crypto.ErrInvalidPrivKey) {
				t.Errorf("%s: err = %v", name, err)
			}
		}
	})
}

func TestSign(t *testing.T) {
	forEachBackend(t, func(t *testing.T, kr Keyring) {
		rec, _, err := kr.Add("signer")
		if err != nil {
			t.Fatal(err)
		}
		msg := []byte("sign doc bytes")
		for _, key := range []string{"signer", rec.Address.String()} {
			sig, pub, err := kr.Sign(key, msg)
			if err != nil {
				t.Fatal(err)
			}
			if !pub.Equals(rec.PubKey) {
				t.Fatal("Sign returned another key")
			}
			if err := pub.VerifySignatureErr(msg, sig); err != nil {
				t.Fatal(err)
			}
		}
		priv, err := kr.PrivKey("signer")
		if err != nil || !priv.PubKey().Equals(rec.PubKey) {
			t.Fatalf("PrivKey: %v", err)
		}
	})
}

func TestDuplicates(t *testing.T) {
	forEachBackend(t, func(t *testing.T, kr Keyring) {
		if _, err := kr.ImportPrivKeyHex("one", keyOneHex); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name string
			add  func() error
		}{
			{"Add same name", func() error { _, _, err := kr.Add("one"); return err }},
			{"Recover same name", func() error { _, err := kr.Recover("one", abandonMnemonic); return err }},
			{"Import same name", func() error { _, err := kr.ImportPrivKeyHex("one", keyOneHex); return err }},
			{"Import same key, new name", func() error { _, err := kr.ImportPrivKeyHex("uno", keyOneHex); return err }},
		}
		for _, tc := range cases {
			if err := tc.add(); !errors.Is(err, ErrKeyExists) {
				t.Errorf("%s: err = %v, want ErrKeyExists", tc.name, err)
			}
		}
		if list, _ := kr.List(); len(list) != 1 {
			t.Fatalf("List has %d keys, want 1", len(list))
		}
	})
}

func TestNotFound(t *testing.T) {
	forEachBackend(t, func(t *testing.T, kr Keyring) {
		unknownAddr := crypto.Address(make([]byte, 20)).String()
		for _, key := range []string{"ghost", unknownAddr} {
			ops := map[string]error{}
			_, ops["Get"] = kr.Get(key)
			ops["Delete"] = kr.Delete(key)
			_, _, ops["Sign"] = kr.Sign(key, []byte("x"))
			_, ops["PrivKey"] = kr.PrivKey(key)
			_, ops["Export"] = kr.ExportPrivKeyHex(key)
			for op, err := range ops {
				if !errors.Is(err, ErrKeyNotFound) {
					t.Errorf("%s(%q): err = %v, want ErrKeyNotFound", op, key, err)
				}
			}
		}
	})
}

func TestBadNames(t *testing.T) {
	kr := newKeyring(t, BackendMemory, "")
	addr := crypto.Address(make([]byte, 20)).String()
	bad := []string{"", strings.Repeat("a", 65), "a b", "a/b", "../x", "é", "name\n", "a:b", addr, strings.ToUpper(addr)}
	for _, name := range bad {
		t.Run(name, func(t *testing.T) {
			if err := ValidateName(name); !errors.Is(err, ErrInvalidName) {
				t.Fatalf("ValidateName: %v", err)
			}
			if _, _, err := kr.Add(name); !errors.Is(err, ErrInvalidName) {
				t.Fatalf("Add: %v", err)
			}
			if _, err := kr.Recover(name, abandonMnemonic); !errors.Is(err, ErrInvalidName) {
				t.Fatalf("Recover: %v", err)
			}
			if _, err := kr.ImportPrivKeyHex(name, keyOneHex); !errors.Is(err, ErrInvalidName) {
				t.Fatalf("Import: %v", err)
			}
		})
	}
	for _, good := range []string{"a", "A.b_c-9", strings.Repeat("z", 64), "..", "petro1notanaddress"} {
		if err := ValidateName(good); err != nil {
			t.Errorf("ValidateName(%q) = %v", good, err)
		}
	}
}

func TestRecoverBadMnemonic(t *testing.T) {
	kr := newKeyring(t, BackendMemory, "")
	if _, err := kr.Recover("x", strings.Replace(abandonMnemonic, "about", "abandon", 1)); !errors.Is(err, crypto.ErrInvalidMnemonic) {
		t.Fatalf("err = %v", err)
	}
}

func TestNew(t *testing.T) {
	home := t.TempDir()
	if _, err := New("os", home, nil); !errors.Is(err, ErrUnknownBackend) {
		t.Errorf("unknown backend: %v", err)
	}
	if _, err := New(BackendFile, home, nil); err == nil {
		t.Error("file backend without passphrase function accepted")
	}
	if _, err := New(BackendTest, "", nil); err == nil {
		t.Error("empty home accepted")
	}
	if kr, err := New(BackendTest, home, nil); err != nil || kr.Backend() != BackendTest {
		t.Errorf("test backend with nil passphrase: %v", err)
	}
}

func TestPersistenceAndLayout(t *testing.T) {
	for _, backend := range []string{BackendTest, BackendFile} {
		t.Run(backend, func(t *testing.T) {
			home := t.TempDir()
			rec, err := newKeyring(t, backend, home).ImportPrivKeyHex("one", keyOneHex)
			if err != nil {
				t.Fatal(err)
			}

			dir := filepath.Join(home, "keyring-"+backend)
			if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
				t.Fatalf("dir mode %v, %v", st.Mode(), err)
			}
			path := filepath.Join(dir, "one.json")
			st, err := os.Stat(path)
			if err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("file mode %v, %v", st.Mode(), err)
			}
			ents, _ := os.ReadDir(dir)
			if len(ents) != 1 {
				t.Fatalf("stray files: %v", ents)
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if leaked := strings.Contains(string(raw), keyOneHex); leaked != (backend == BackendTest) {
				t.Fatalf("private key in clear = %v on %s backend", leaked, backend)
			}
			var f map[string]any
			if err := json.Unmarshal(raw, &f); err != nil {
				t.Fatal(err)
			}
			if f["name"] != "one" || f["address"] != rec.Address.String() || f["version"] != float64(1) {
				t.Fatalf("file = %s", raw)
			}

			// Stray files in the directory are ignored.
			for _, stray := range []string{"notes.txt", "one.json~", ".tmp-x-123", "bad name.json"} {
				if err := os.WriteFile(filepath.Join(dir, stray), []byte("junk"), 0o600); err != nil {
					t.Fatal(err)
				}
			}

			// A new Keyring on the same home sees the key.
			kr := newKeyring(t, backend, home)
			if list, err := kr.List(); err != nil || len(list) != 1 || !list[0].Address.Equals(rec.Address) {
				t.Fatalf("List after reopen = %v, %v", list, err)
			}
			if got, err := kr.ExportPrivKeyHex("one"); err != nil || got != keyOneHex {
				t.Fatalf("Export after reopen = %q, %v", got, err)
			}
		})
	}
}

func TestFileBackendPassphrase(t *testing.T) {
	home := t.TempDir()
	good := newKeyring(t, BackendFile, home)
	rec, err := good.ImportPrivKeyHex("one", keyOneHex)
	if err != nil {
		t.Fatal(err)
	}
	wrong, err := New(BackendFile, home, fixedPass("not it"))
	if err != nil {
		t.Fatal(err)
	}

	t.Run("public reads need no passphrase", func(t *testing.T) {
		calls := 0
		kr, err := New(BackendFile, home, func() (string, error) { calls++; return "", errors.New("no tty") })
		if err != nil {
			t.Fatal(err)
		}
		if _, err := kr.List(); err != nil {
			t.Fatal(err)
		}
		if _, err := kr.Get(rec.Address.String()); err != nil {
			t.Fatal(err)
		}
		if calls != 0 {
			t.Fatalf("passphrase asked %d times", calls)
		}
	})
	t.Run("wrong passphrase", func(t *testing.T) {
		_, _, errSign := wrong.Sign("one", []byte("x"))
		_, errExport := wrong.ExportPrivKeyHex("one")
		_, errPriv := wrong.PrivKey("one")
		// Adding with another passphrase would split the keyring.
		_, _, errAdd := wrong.Add("two")
		for _, err := range []error{errSign, errExport, errPriv, errAdd} {
			if !errors.Is(err, ErrWrongPassphrase) {
				t.Errorf("err = %v, want ErrWrongPassphrase", err)
			}
		}
		if _, err := good.Get("two"); !errors.Is(err, ErrKeyNotFound) {
			t.Errorf("key added despite wrong passphrase: %v", err)
		}
	})
	t.Run("passphrase function error", func(t *testing.T) {
		boom := errors.New("prompt cancelled")
		kr, _ := New(BackendFile, home, func() (string, error) { return "", boom })
		if _, err := kr.PrivKey("one"); !errors.Is(err, boom) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("empty passphrase", func(t *testing.T) {
		kr, _ := New(BackendFile, t.TempDir(), fixedPass(""))
		if _, _, err := kr.Add("x"); !errors.Is(err, ErrEmptyPassphrase) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("tampered ciphertext", func(t *testing.T) {
		path := filepath.Join(home, "keyring-file", "one.json")
		raw, _ := os.ReadFile(path)
		var f keyFile
		if err := json.Unmarshal(raw, &f); err != nil {
			t.Fatal(err)
		}
		f.Crypto.Ciphertext[0] ^= 1
		tampered, _ := json.Marshal(f)
		if err := os.WriteFile(path, tampered, 0o600); err != nil {
			t.Fatal(err)
		}
		defer os.WriteFile(path, raw, 0o600)
		if _, err := good.PrivKey("one"); !errors.Is(err, ErrWrongPassphrase) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("swapped public key", func(t *testing.T) {
		// Replace the clear public part by another key's: decryption must fail
		// rather than sign for the wrong address.
		other, _ := newKeyring(t, BackendMemory, "").ImportPrivKeyHex("x", strings.Repeat("0", 63)+"2")
		path := filepath.Join(home, "keyring-file", "one.json")
		raw, _ := os.ReadFile(path)
		var f keyFile
		if err := json.Unmarshal(raw, &f); err != nil {
			t.Fatal(err)
		}
		otherJSON, _ := json.Marshal(other)
		var rj recordJSON
		_ = json.Unmarshal(otherJSON, &rj)
		f.Address, f.PubKey = rj.Address, rj.PubKey
		swapped, _ := json.Marshal(f)
		if err := os.WriteFile(path, swapped, 0o600); err != nil {
			t.Fatal(err)
		}
		defer os.WriteFile(path, raw, 0o600)
		if _, err := good.PrivKey("one"); err == nil {
			t.Error("signed with a key file whose public key was swapped")
		}
	})
	t.Run("corrupt file", func(t *testing.T) {
		path := filepath.Join(home, "keyring-file", "one.json")
		raw, _ := os.ReadFile(path)
		if err := os.WriteFile(path, []byte("{"), 0o600); err != nil {
			t.Fatal(err)
		}
		defer os.WriteFile(path, raw, 0o600)
		if _, err := good.Get("one"); !errors.Is(err, ErrCorruptKeyFile) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestRecordJSON(t *testing.T) {
	kr := newKeyring(t, BackendMemory, "")
	rec, err := kr.ImportPrivKeyHex("one", keyOneHex)
	if err != nil {
		t.Fatal(err)
	}
	bz, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"name":"one","address":"` + rec.Address.String() + `","pubkey":"Anm+Zn753LusVaBilc6HCwcCm/zbLc4o2VnygVsW+BeY"}`
	if string(bz) != want {
		t.Fatalf("json = %s\nwant   %s", bz, want)
	}
	var back Record
	if err := json.Unmarshal(bz, &back); err != nil || back.Name != "one" || !back.PubKey.Equals(rec.PubKey) || !back.Address.Equals(rec.Address) {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	mismatch := strings.Replace(string(bz), rec.Address.String(), crypto.Address(make([]byte, 20)).String(), 1)
	if err := json.Unmarshal([]byte(mismatch), &back); err == nil {
		t.Fatal("accepted an address that does not match the pubkey")
	}
}

func TestMultisigRecord(t *testing.T) {
	for _, backend := range []string{BackendFile, BackendTest} {
		t.Run(backend, func(t *testing.T) {
			kr, err := New(backend, t.TempDir(), func() (string, error) { return "correct horse", nil })
			if err != nil {
				t.Fatal(err)
			}
			var pubs []*crypto.PubKey
			for _, n := range []string{"a", "b", "c"} {
				rec, _, err := kr.Add(n)
				if err != nil {
					t.Fatal(err)
				}
				pubs = append(pubs, rec.PubKey)
			}
			mk, err := multisig.New(2, pubs)
			if err != nil {
				t.Fatal(err)
			}
			rec, err := kr.AddMultisig("issuer", mk)
			if err != nil {
				t.Fatal(err)
			}
			got, err := kr.Get(rec.Address.String())
			if err != nil || got.Name != "issuer" || got.Threshold == nil || !got.Threshold.Equals(mk) || got.PubKey != nil {
				t.Fatalf("Get = %+v, %v", got, err)
			}
			if _, err := kr.PrivKey("issuer"); !errors.Is(err, ErrNoPrivateKey) {
				t.Fatalf("PrivKey(multisig) = %v", err)
			}
			if _, err := kr.AddMultisig("again", mk); !errors.Is(err, ErrKeyExists) {
				t.Fatalf("duplicate address: %v", err)
			}
			if _, _, err := kr.Add("d"); err != nil { // the passphrase check skips the multisig record
				t.Fatal(err)
			}
			bz, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			var back Record
			if err := json.Unmarshal(bz, &back); err != nil || !back.Threshold.Equals(mk) {
				t.Fatalf("JSON round trip %s: %v", bz, err)
			}
		})
	}
}
