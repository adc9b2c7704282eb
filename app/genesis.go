package app

import (
	"encoding/json"
	"fmt"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	authtypes "github.com/petro-network/petro/x/auth/types"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// GenesisState is the app_state of genesis.json: one protojson object per
// module, keyed by module name.
type GenesisState struct {
	Auth      *authtypes.GenesisState
	Authority *authoritytypes.GenesisState
	Reserve   *reservetypes.GenesisState
	Token     *tokentypes.GenesisState
}

// DefaultGenesis is an empty chain: no accounts, no balances.
func DefaultGenesis() *GenesisState {
	return &GenesisState{Auth: &authtypes.GenesisState{}, Authority: authoritytypes.DefaultGenesis(), Reserve: reservetypes.DefaultGenesis(), Token: tokentypes.DefaultGenesis()}
}

var genesisJSON = protojson.MarshalOptions{Indent: "  ", UseProtoNames: true, EmitUnpopulated: true}

// MarshalJSON writes {"auth": …, "token": …}.
func (g *GenesisState) MarshalJSON() ([]byte, error) {
	out := map[string]json.RawMessage{}
	for name, m := range g.modules() {
		bz, err := genesisJSON.Marshal(m)
		if err != nil {
			return nil, err
		}
		out[name] = bz
	}
	return json.MarshalIndent(out, "", "  ")
}

// UnmarshalJSON reads app_state strictly: unknown modules and unknown
// fields are errors, missing modules take their defaults.
func (g *GenesisState) UnmarshalJSON(bz []byte) error {
	*g = *DefaultGenesis()
	raw := map[string]json.RawMessage{}
	if err := json.Unmarshal(bz, &raw); err != nil {
		return fmt.Errorf("app_state: %w", err)
	}
	mods := g.modules()
	for name, msg := range raw {
		m, ok := mods[name]
		if !ok {
			return fmt.Errorf("app_state: unknown module %q", name)
		}
		if err := protojson.Unmarshal(msg, m); err != nil {
			return fmt.Errorf("app_state.%s: %w", name, err)
		}
	}
	return nil
}

func (g *GenesisState) modules() map[string]proto.Message {
	return map[string]proto.Message{
		authtypes.ModuleName:      g.Auth,
		authoritytypes.ModuleName: g.Authority,
		reservetypes.ModuleName:   g.Reserve,
		tokentypes.ModuleName:     g.Token,
	}
}
