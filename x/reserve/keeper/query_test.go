package keeper_test

import (
	"context"
	"fmt"
	"testing"

	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/reserve/keeper"
	"github.com/petro-network/petro/x/reserve/types"
)

type kvState struct{ kv petro.KVStore }

func (s kvState) StateAt(int64) (petro.KVStore, int64, error) { return s.kv, 1, nil }

// Lots and Oracles page in key order (#17).
func TestLotsAndOraclesQueriesPaginate(t *testing.T) {
	e := newEnv(t, nil)
	q := keeper.NewQueryServer(e.k, kvState{e.kv})
	var lots []string
	var key []byte
	for pages := 0; pages == 0 || len(key) > 0; pages++ {
		resp, err := q.Lots(context.Background(), &types.QueryLotsRequest{Pagination: &types.PageRequest{Key: key, Limit: 1}})
		must(t, err)
		if len(resp.Lots) != 1 || pages > 3 {
			t.Fatalf("page %d: %d lots", pages, len(resp.Lots))
		}
		lots = append(lots, resp.Lots[0].Id)
		key = resp.Pagination.NextKey
	}
	if fmt.Sprint(lots) != "[lot-a lot-b]" {
		t.Fatalf("lots %v", lots)
	}
	var oracles int
	key = nil
	for pages := 0; pages == 0 || len(key) > 0; pages++ {
		resp, err := q.Oracles(context.Background(), &types.QueryOraclesRequest{Pagination: &types.PageRequest{Key: key, Limit: 2}})
		must(t, err)
		oracles += len(resp.Oracles)
		key = resp.Pagination.NextKey
	}
	if oracles != 3 {
		t.Fatalf("%d oracles paged, want 3", oracles)
	}
}
