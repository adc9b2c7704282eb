package testutil

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/crypto"
	authtypes "github.com/petro-network/petro/x/auth/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// ChainID is the chain every test app is opened for.
const ChainID = "petro-test-1"

// GenesisTime is the fixed genesis time of every test chain.
var GenesisTime = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// BlockTime is the fixed time of block height h: genesis + 5 s per block.
func BlockTime(h int64) time.Time { return GenesisTime.Add(time.Duration(h) * 5 * time.Second) }

// GenesisBuilder assembles an app.GenesisState. Methods chain; the builder
// does not validate (InitChain does), so tests can build bad genesis files.
type GenesisBuilder struct{ gs *app.GenesisState }

// NewGenesis starts from app.DefaultGenesis: no accounts, no balances.
func NewGenesis() *GenesisBuilder { return &GenesisBuilder{gs: app.DefaultGenesis()} }

// Fund gives addr a balance of amount base units.
func (b *GenesisBuilder) Fund(addr crypto.Address, amount uint64) *GenesisBuilder {
	b.gs.Token.Balances = append(b.gs.Token.Balances, &tokentypes.Balance{Address: addr.String(), Amount: amount})
	return b
}

// FundKeys gives Key(i) amount for every i in idx.
func (b *GenesisBuilder) FundKeys(amount uint64, idx ...int) *GenesisBuilder {
	for _, i := range idx {
		b.Fund(Addr(i), amount)
	}
	return b
}

// Account registers key's account with its public key and a starting
// sequence (as a chain exported at a later height would have).
func (b *GenesisBuilder) Account(key *crypto.PrivKey, sequence uint64) *GenesisBuilder {
	pk := key.PubKey()
	b.gs.Auth.Accounts = append(b.gs.Auth.Accounts, &authtypes.Account{
		Address: pk.Address().String(), PubKey: pk.Bytes(), Sequence: sequence,
	})
	return b
}

// State returns the built genesis state (not a copy).
func (b *GenesisBuilder) State() *app.GenesisState { return b.gs }

// FundedGenesis funds every address with amount.
func FundedGenesis(amount uint64, addrs ...crypto.Address) *app.GenesisState {
	b := NewGenesis()
	for _, a := range addrs {
		b.Fund(a, amount)
	}
	return b.State()
}

// GenesisJSON is gs as genesis.json's app_state.
func GenesisJSON(t testing.TB, gs *app.GenesisState) []byte {
	t.Helper()
	bz, err := json.Marshal(gs)
	if err != nil {
		t.Fatalf("marshal genesis: %v", err)
	}
	return bz
}
