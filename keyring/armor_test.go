package keyring

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/petro-network/petro/crypto"
)

func TestArmorRoundTrip(t *testing.T) {
	priv, err := crypto.DerivePrivKeyFromMnemonic(abandonMnemonic, "", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	armored, err := EncryptArmor(priv, testPass)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(armored, "-----BEGIN "+ArmorBlockType+"-----") || !strings.Contains(armored, "address: "+priv.PubKey().Address().String()) {
		t.Fatalf("armor:\n%s", armored)
	}
	got, err := DecryptArmor(armored, testPass)
	if err != nil || !got.PubKey().Equals(priv.PubKey()) {
		t.Fatalf("decrypt: %v", err)
	}
	again, _ := EncryptArmor(priv, testPass)
	if again == armored {
		t.Fatal("two exports are identical: salt and nonce must be random")
	}
	if _, err := EncryptArmor(priv, ""); !errors.Is(err, ErrEmptyPassphrase) {
		t.Fatalf("empty passphrase: %v", err)
	}
}

func TestArmorRefuses(t *testing.T) {
	priv, err := crypto.DerivePrivKeyFromMnemonic(abandonMnemonic, "", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	armored, err := EncryptArmor(priv, testPass)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := crypto.DerivePrivKeyFromMnemonic(abandonMnemonic, "", 0, 1)
	header := func(name, value string) string {
		return regexp.MustCompile(`(?m)^`+name+`: .*$`).ReplaceAllString(armored, name+": "+value)
	}
	tests := []struct {
		name  string
		text  string
		pass  string
		want  error
		wants string
	}{
		{"wrong passphrase", armored, "wrong", ErrWrongPassphrase, ""},
		{"empty passphrase", armored, "", ErrEmptyPassphrase, ""},
		{"not armor", "0000000000000000000000000000000000000000000000000000000000000001", testPass, ErrInvalidArmor, ""},
		{"other block type", strings.ReplaceAll(armored, ArmorBlockType, "TENDERMINT PRIVATE KEY"), testPass, ErrInvalidArmor, "block type"},
		{"address changed", header("address", other.PubKey().Address().String()), testPass, ErrWrongPassphrase, ""},
		{"salt changed", header("salt", strings.Repeat("00", 16)), testPass, ErrWrongPassphrase, ""},
		{"huge scrypt n", header("scrypt-n", "1073741824"), testPass, ErrInvalidArmor, "out of bounds"},
		{"bad nonce", header("nonce", "zz"), testPass, ErrInvalidArmor, "headers"},
		{"other key type", header("type", "ed25519"), testPass, ErrInvalidArmor, "key type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecryptArmor(tc.text, tc.pass)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.wants) {
				t.Fatalf("got %v, want %v containing %q", err, tc.want, tc.wants)
			}
		})
	}
}
