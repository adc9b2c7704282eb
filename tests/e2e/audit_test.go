package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/crypto"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// TestAuditOnNode attests a round on a real node, then runs `petrod audit
// check` against it (trusting the genesis validators, and a header hash),
// `petrod audit report` (a CSV that parses), and `audit check` through a
// proxy that forges the supply or the backing, which must fail naming the
// height and the forged value.
func TestAuditOnNode(t *testing.T) {
	if testing.Short() {
		t.Skip("node test")
	}
	oracles := []*crypto.PrivKey{Key(t, 400), Key(t, 401)}
	n := NewSingleNodeWith(t, e2eChainID, func(gs *app.GenesisState) {
		for _, k := range oracles {
			addr := k.PubKey().Address().String()
			gs.Token.Balances = append(gs.Token.Balances, &tokentypes.Balance{Address: addr, Amount: ptr})
			gs.Authority.Roles = append(gs.Authority.Roles, &authoritytypes.RoleGrant{Address: addr, Role: authoritytypes.Role_ROLE_ORACLE})
		}
		gs.Reserve.Params.Quorum = 2
		gs.Reserve.Params.MaxAgeSeconds = 3600
		cert := sha256.Sum256([]byte("cert"))
		gs.Reserve.Lots = []*reservetypes.Lot{{Id: "ayacucho-1", Field: "ayacucho-1", Category: reservetypes.LotCategory_LOT_CATEGORY_CERTIFIED_IN_GROUND,
			Certifier: "test", CertificateHash: cert[:], ValidUntilUnix: time.Now().Add(24 * time.Hour).Unix()}}
	}, 200*time.Millisecond)
	n.Start()
	n.WaitReady(1, 60*time.Second)
	cc := n.Conn()
	rq := reservetypes.NewQueryClient(cc)
	bg := context.Background()

	open, err := rq.OpenRound(bg, &reservetypes.QueryOpenRoundRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range oracles {
		w := wallet{t: t, key: o, chainID: e2eChainID, cc: cc}
		w.ok("attest", attestMsg(w.addr(), open.RoundId, 1000*barrel, 70*ptr))
	}
	var okHeight int64
	if err := Eventually(10*time.Second, func() error {
		s, err := rq.Status(bg, &reservetypes.QueryStatusRequest{})
		if err != nil {
			return err
		}
		if s.Backing.Status != reservetypes.BackingStatus_BACKING_STATUS_OK {
			return fmt.Errorf("status %s", s.Backing.Status)
		}
		okHeight = s.Height
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// The audit reads the latest height whose app hash is signed: the
	// latest block minus one.
	n.WaitReady(okHeight+1, 30*time.Second)

	genesis := filepath.Join(n.Home, "config", "genesis.json")
	trust := []string{"--genesis", genesis}
	audit := func(node string, args ...string) (stdout, stderr string, err error) {
		t.Helper()
		all := append([]string{"audit"}, args...)
		all = append(all, "--node", node, "--node-rpc", n.RPCAddr())
		cmd := exec.Command(Binary(t), all...)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err = cmd.Run()
		return o.String(), e.String(), err
	}

	// 1. A genuine node passes, trusting the genesis validator set; with no
	// witness (one node) it is UNWITNESSED, exit code 5 (TestAuditTrust
	// covers witnesses).
	unwitnessed := func(err error) bool {
		var ee *exec.ExitError
		return errors.As(err, &ee) && ee.ExitCode() == 5
	}
	out, errOut, err := audit(n.GRPCAddr(), append([]string{"check"}, trust...)...)
	if !unwitnessed(err) {
		t.Fatalf("audit check: %v\n%s%s", err, out, errOut)
	}
	t.Logf("audit check:\n%s", out)
	for _, want := range []string{"UNWITNESSED backing at height", "status", "OK (recomputed", "supply", "2 PTR",
		"lot ayacucho-1", "1000 bbl", "70 USD/bbl", "capacity", "900 PTR", "coverage"} {
		if !strings.Contains(out, want) {
			t.Errorf("audit check output lacks %q", want)
		}
	}

	// ... and trusting a header hash obtained out of band.
	one := int64(1)
	blk, err := n.RPC().Block(bg, &one)
	if err != nil {
		t.Fatal(err)
	}
	hashTrust := []string{"--trust-height", "1", "--trust-hash", blk.Block.Hash().String()}
	if out, errOut, err := audit(n.GRPCAddr(), append([]string{"check", "-o", "json"}, hashTrust...)...); !unwitnessed(err) || !strings.Contains(out, `"verified": false`) || !strings.Contains(out, `"result": "UNWITNESSED"`) {
		t.Fatalf("audit check with a trusted hash: %v\n%s%s", err, out, errOut)
	}
	// A wrong trusted hash is refused.
	bad := []string{"--trust-height", "1", "--trust-hash", strings.Repeat("AB", 32)}
	if _, _, err := audit(n.GRPCAddr(), append([]string{"check"}, bad...)...); err == nil {
		t.Fatal("audit check accepted a wrong trusted header hash")
	}

	// 2. audit report writes a CSV that parses.
	csvPath := filepath.Join(t.TempDir(), "report.csv")
	if out, errOut, err := audit(n.GRPCAddr(), append([]string{"report", "--from", "1", "--format", "csv", "--out", csvPath}, trust...)...); !unwitnessed(err) {
		t.Fatalf("audit report: %v\n%s%s", err, out, errOut)
	} else if !strings.Contains(errOut, "1/1 rounds verified") {
		t.Errorf("no progress on stderr: %q", errOut)
	}
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatalf("report CSV: %v", err)
	}
	if len(recs) != 2 || strings.Join(recs[0], ",") != "round_id,settled_height,observed_at,reserve_barrels,price_usd,supply_ptr,coverage_pct,status,header_height,header_hash,app_hash" {
		t.Fatalf("report: %q", recs)
	}
	row := recs[1]
	if row[0] != strconv.FormatUint(open.RoundId, 10) || row[3] != "1000" || row[4] != "70" || row[5] != "2" || row[6] != "50000.00" || row[7] != "OK" {
		t.Fatalf("report row: %q", row)
	}
	// The row names the header whose app hash proved it: header settled+1.
	settled, _ := strconv.ParseInt(row[1], 10, 64)
	hh := settled + 1
	hdr, err := n.RPC().Header(bg, &hh)
	if err != nil {
		t.Fatal(err)
	}
	if row[8] != strconv.FormatInt(hh, 10) || row[9] != hdr.Header.Hash().String() || row[10] != hdr.Header.AppHash.String() {
		t.Fatalf("report row anchor %q, want header %d %s app hash %s", row[8:], hh, hdr.Header.Hash(), hdr.Header.AppHash)
	}
	if _, err := time.Parse(time.RFC3339, row[2]); err != nil {
		t.Fatalf("observed_at %q: %v", row[2], err)
	}

	// 3. A node that forges a figure is caught: exit code 1, one line naming
	// the height and the forged value.
	heightRe := regexp.MustCompile(`at height \d+`)
	for _, tc := range []struct {
		name, method string
		forge        func([]byte) ([]byte, string)
	}{
		{"supply", "/petro.token.v1.Query/Supply", func(bz []byte) ([]byte, string) {
			r := &tokentypes.QuerySupplyResponse{}
			mustUnmarshal(t, bz, r)
			r.Amount += 5 * ptr
			return mustMarshal(t, r), strconv.FormatUint(r.Amount, 10)
		}},
		{"backing capacity", "/petro.reserve.v1.Query/Status", func(bz []byte) ([]byte, string) {
			r := &reservetypes.QueryStatusResponse{}
			mustUnmarshal(t, bz, r)
			r.Backing.Capacity *= 2
			return mustMarshal(t, r), "capacity " + strconv.FormatUint(r.Backing.Capacity, 10)
		}},
	} {
		t.Run("forged "+tc.name, func(t *testing.T) {
			var forged string
			proxy := startForgingProxy(t, n.GRPCAddr(), tc.method, func(bz []byte) []byte {
				out, v := tc.forge(bz)
				forged = v
				return out
			})
			out, errOut, err := audit(proxy, append([]string{"check"}, trust...)...)
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 {
				t.Fatalf("audit check through a forging proxy: %v\n%s%s", err, out, errOut)
			}
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			if forged == "" || len(lines) != 1 || !heightRe.MatchString(errOut) || !strings.Contains(errOut, forged) {
				t.Fatalf("want one line naming the height and %q, got:\n%s", forged, errOut)
			}
			t.Logf("refused: %s", errOut)
		})
	}
}

func mustUnmarshal(t *testing.T, bz []byte, m proto.Message) {
	t.Helper()
	if err := proto.Unmarshal(bz, m); err != nil {
		t.Fatal(err)
	}
}

func mustMarshal(t *testing.T, m proto.Message) []byte {
	t.Helper()
	bz, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return bz
}

// rawCodec passes gRPC messages through as bytes.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return *(v.(*[]byte)), nil }
func (rawCodec) Unmarshal(data []byte, v any) error {
	*(v.(*[]byte)) = append([]byte(nil), data...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

// startForgingProxy serves gRPC on a loopback port, forwarding every unary
// call to target unchanged except method, whose response forge rewrites.
func startForgingProxy(t *testing.T, target, method string, forge func([]byte) []byte) string {
	t.Helper()
	upstream, err := grpc.NewClient(target, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { upstream.Close() })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gs := grpc.NewServer(grpc.ForceServerCodec(rawCodec{}), grpc.UnknownServiceHandler(func(_ any, stream grpc.ServerStream) error {
		m, _ := grpc.MethodFromServerStream(stream)
		var req, resp []byte
		if err := stream.RecvMsg(&req); err != nil {
			return err
		}
		if err := upstream.Invoke(stream.Context(), m, &req, &resp, grpc.ForceCodec(rawCodec{})); err != nil {
			return err
		}
		if m == method {
			resp = forge(resp)
		}
		return stream.SendMsg(&resp)
	}))
	go gs.Serve(l)
	t.Cleanup(gs.Stop)
	return l.Addr().String()
}
