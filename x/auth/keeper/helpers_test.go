package keeper_test

import (
	"testing"

	"github.com/petro-network/petro/crypto"
)

func mustAddr(t *testing.T, s string) crypto.Address {
	t.Helper()
	a, err := crypto.AddressFromBech32(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
