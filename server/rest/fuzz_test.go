package rest

import (
	"testing"

	"google.golang.org/protobuf/proto"

	txtypes "github.com/petro-network/petro/types/tx"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// fuzzRequests are request messages of every shape the gateway decodes:
// scalars, bytes, enums, nested pagination, a repeated field.
var fuzzRequests = []proto.Message{
	&tokentypes.QueryRedemptionsRequest{},
	&tokentypes.QueryAllBalancesRequest{},
	&authoritytypes.QueryRolesRequest{},
	&reservetypes.QueryRoundsRequest{},
	&txtypes.BroadcastRequest{},
}

// FuzzGatewayInput: whatever a browser or curl sends — URL parameters and
// a JSON body — decodes into the request or is refused with an error;
// never a panic.
func FuzzGatewayInput(f *testing.F) {
	f.Add(uint8(0), "status=REQUESTED&pagination.limit=2&pagination.key=AAAAAAAAAAE", []byte(`{"owner":"petro1x"}`))
	f.Add(uint8(1), "height=-1&address=%ZZ", []byte(`{"pagination":{"key":"+/=="}}`))
	f.Add(uint8(2), "role=7&role=ROLE_ORACLE&a.b.c=1", []byte(`[]`))
	f.Add(uint8(3), "pagination.limit=99999999999", []byte(`{"height":"1e9"}`))
	f.Add(uint8(4), "tx=AAAA&mode=2", []byte(`{"tx":"////"}`))
	f.Fuzz(func(t *testing.T, which uint8, query string, body []byte) {
		msg := fuzzRequests[int(which)%len(fuzzRequests)].ProtoReflect().Type().New()
		_ = unmarshal.Unmarshal(body, msg.Interface())
		_ = decodeQuery(msg, query)
	})
}
