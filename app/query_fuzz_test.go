package app_test

import (
	"context"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/internal/testutil"
)

// registrar collects the query services the app registers.
type registrar struct {
	descs []*grpc.ServiceDesc
	impls []any
}

func (r *registrar) RegisterService(d *grpc.ServiceDesc, impl any) {
	r.descs, r.impls = append(r.descs, d), append(r.impls, impl)
}

// FuzzQueries sends any request bytes to every unary query of every module
// (as a gRPC or REST client could), on the golden chain's state: each
// answers or refuses, never panics (the server's recovery is a last
// resort, not the contract).
func FuzzQueries(f *testing.F) {
	gs, blocks := goldenChain(f)
	a := testutil.NewApp(f, gs)
	for i, b := range blocks {
		raws := make([][]byte, len(b.txs))
		for j, tx := range b.txs {
			raws[j] = tx.raw
		}
		testutil.Block(f, a, int64(i+1), b.time, raws...)
	}
	r := &registrar{}
	a.RegisterQueryServices(r)
	var methods int
	for _, d := range r.descs {
		methods += len(d.Methods)
	}
	for m := 0; m < methods; m++ {
		f.Add(uint16(m), []byte{})
		f.Add(uint16(m), []byte{0x08, 0x05})                   // field 1 = 5 (height, mostly)
		f.Add(uint16(m), []byte{0x12, 0x04, 0x0a, 0x02, 0, 1}) // field 2 = {key: 0x0001}
	}
	f.Fuzz(func(t *testing.T, which uint16, req []byte) {
		m := int(which) % methods
		for i, d := range r.descs {
			if m >= len(d.Methods) {
				m -= len(d.Methods)
				continue
			}
			dec := func(v any) error { return proto.Unmarshal(req, v.(proto.Message)) }
			_, _ = d.Methods[m].Handler(r.impls[i], context.Background(), dec, nil)
			return
		}
	})
}
