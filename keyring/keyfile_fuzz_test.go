package keyring

import (
	"crypto/sha256"
	"encoding/json"
	"testing"

	"github.com/petro-network/petro/crypto"
)

func fuzzKey(f *testing.F) *crypto.PrivKey {
	seed := sha256.Sum256([]byte("keyring fuzz seed"))
	k, err := crypto.PrivKeyFromBytes(seed[:])
	if err != nil {
		f.Fatal(err)
	}
	return k
}

// FuzzKeyFile: a key file read from disk (possibly corrupted or crafted)
// decodes to a record or fails cleanly; an unencrypted one opens to the
// private key of its public key or fails cleanly; an encrypted one's
// sealing parameters are checked before any key derivation (the bounds
// that keep a crafted file from costing unbounded memory or time).
func FuzzKeyFile(f *testing.F) {
	for _, enc := range []bool{false, true} {
		k := &keyring{encrypted: enc}
		priv := fuzzKey(f)
		rec := Record{Name: "seed", PubKey: priv.PubKey(), Address: priv.PubKey().Address()}
		if bz, err := k.seal(rec, priv, "passphrase"); err == nil {
			f.Add(bz, enc)
		}
	}
	f.Add([]byte(`{"version":1}`), false)
	f.Add([]byte(`{}`), true)
	f.Fuzz(func(t *testing.T, data []byte, encrypted bool) {
		sk, err := decodeKeyFile(data, encrypted)
		if err != nil {
			return
		}
		if !encrypted {
			priv, err := (&keyring{}).open(sk, "")
			if err == nil && !priv.PubKey().Equals(sk.rec.PubKey) {
				t.Fatal("opened a private key that does not match the stored public key")
			}
			return
		}
		_ = checkSealed(sk.file.Crypto)
	})
}

// FuzzRecordJSON: a record in JSON (keys list/show output a client may
// read back) decodes consistently: address and public key agree.
func FuzzRecordJSON(f *testing.F) {
	priv := fuzzKey(f)
	rec := Record{Name: "seed", PubKey: priv.PubKey(), Address: priv.PubKey().Address()}
	if bz, err := json.Marshal(rec); err == nil {
		f.Add(bz)
	}
	f.Add([]byte(`{"name":"x"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r Record
		if err := json.Unmarshal(data, &r); err != nil {
			return
		}
		if r.PubKey == nil || !r.PubKey.Address().Equals(r.Address) {
			t.Fatalf("decoded record with address %v not of its key", r.Address)
		}
	})
}
