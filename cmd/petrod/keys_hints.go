package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/keyring"
)

// keyringDir is where backend keeps its keys under home.
func keyringDir(home, backend string) string { return filepath.Join(home, "keyring-"+backend) }

// otherBackends names the other backends' keyrings under home and, when
// nameOrAddress is not empty, which of them holds that key.
func otherBackends(home, backend, nameOrAddress string) string {
	var others, have, holds []string
	for _, b := range []string{keyring.BackendFile, keyring.BackendTest} {
		if b == backend {
			continue
		}
		others = append(others, b)
		if _, err := os.Stat(keyringDir(home, b)); err != nil {
			continue
		}
		have = append(have, b)
		if nameOrAddress == "" {
			continue
		}
		// Get reads only the public part: no passphrase is asked.
		kr, err := keyring.New(b, home, func() (string, error) { return "", errors.New("no passphrase here") })
		if err == nil {
			if _, err := kr.Get(nameOrAddress); err == nil {
				holds = append(holds, b)
			}
		}
	}
	switch {
	case len(holds) > 0:
		return fmt.Sprintf("; the %s keyring in %s has it: add --%s %s", holds[0], home, flagKeyringBackend, holds[0])
	case len(have) > 0 && nameOrAddress != "":
		return fmt.Sprintf("; the other keyrings there (%s) do not have it either", strings.Join(have, ", "))
	case len(have) > 0:
		return fmt.Sprintf("; other keyrings there: %s (choose with --%s, or once with `petrod config set %s …`)", strings.Join(have, ", "), flagKeyringBackend, flagKeyringBackend)
	default:
		return fmt.Sprintf("; the other backends (%s) have no keyring there either: is --%s right?", strings.Join(others, ", "), flagHome)
	}
}

// hintingKeyring adds to "key not found" which keyring was searched and
// where else to look. On a backend whose directory does not exist it wraps
// an empty memory keyring (so nothing is created) and List fails too.
type hintingKeyring struct {
	keyring.Keyring
	backend, home string
	missing       bool
}

func (k hintingKeyring) Backend() string { return k.backend }

func (k hintingKeyring) List() ([]keyring.Record, error) {
	if k.missing {
		return nil, fmt.Errorf("no %s keyring in %s (no %s)%s", k.backend, k.home, keyringDir(k.home, k.backend), otherBackends(k.home, k.backend, ""))
	}
	return k.Keyring.List()
}

func (k hintingKeyring) hint(nameOrAddress string, err error) error {
	if !errors.Is(err, keyring.ErrKeyNotFound) {
		return err
	}
	where := fmt.Sprintf("in the %s keyring %s (--%s %s)", k.backend, keyringDir(k.home, k.backend), flagKeyringBackend, k.backend)
	if k.missing {
		where = fmt.Sprintf("(there is no %s keyring in %s: no %s)", k.backend, k.home, keyringDir(k.home, k.backend))
	}
	return fmt.Errorf("%w %s%s", err, where, otherBackends(k.home, k.backend, nameOrAddress))
}

func (k hintingKeyring) Get(nameOrAddress string) (keyring.Record, error) {
	r, err := k.Keyring.Get(nameOrAddress)
	return r, k.hint(nameOrAddress, err)
}

func (k hintingKeyring) PrivKey(nameOrAddress string) (*crypto.PrivKey, error) {
	p, err := k.Keyring.PrivKey(nameOrAddress)
	return p, k.hint(nameOrAddress, err)
}

func (k hintingKeyring) Delete(nameOrAddress string) error {
	return k.hint(nameOrAddress, k.Keyring.Delete(nameOrAddress))
}

func (k hintingKeyring) Sign(nameOrAddress string, msg []byte) ([]byte, *crypto.PubKey, error) {
	sig, pub, err := k.Keyring.Sign(nameOrAddress, msg)
	return sig, pub, k.hint(nameOrAddress, err)
}

func (k hintingKeyring) ExportPrivKeyHex(nameOrAddress string) (string, error) {
	h, err := k.Keyring.ExportPrivKeyHex(nameOrAddress)
	return h, k.hint(nameOrAddress, err)
}
