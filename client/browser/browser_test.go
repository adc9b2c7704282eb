package browser

import "testing"

func TestRESTPath(t *testing.T) {
	for _, tc := range []struct{ method, want string }{
		{"/petro.token.v1.Query/Supply", "/petro/token/v1/supply"},
		{"/petro.reserve.v1.Query/OpenRound", "/petro/reserve/v1/open_round"},
		{"/petro.tx.v1.TxService/GetTx", "/petro/tx/v1/get_tx"},
	} {
		got, err := restPath(tc.method)
		if err != nil || got != tc.want {
			t.Errorf("restPath(%s) = %q, %v; want %q", tc.method, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "/grpc.health.v1.Health/Check", "/petro.token.Query/Supply", "petro.token.v1.Query"} {
		if _, err := restPath(bad); err == nil {
			t.Errorf("restPath(%q) accepted", bad)
		}
	}
}
