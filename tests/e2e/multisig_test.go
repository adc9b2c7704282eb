package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/client"
	authtypes "github.com/petro-network/petro/x/auth/types"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// nowhere is a --node no signing command may dial: nothing listens there.
const nowhere = "127.0.0.1:1"

// petrod runs the binary and returns its stdout, failing the test unless
// it exits with status want.
func runPetrod(t *testing.T, want int, stdin []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(Binary(t), args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if code != want {
		t.Fatalf("petrod %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes()
}

func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestMultisigIssuerOffline (#13 acceptance): a 2-of-3 issuer account whose
// members each hold their key on their own home issues PTR. The members
// sign offline (--offline, --node pointing nowhere); a coordinator home
// holding only the multisig record generates, combines and broadcasts.
// 1 signature, a repeated member, a non-member's signature, a high-S
// member signature and k signatures over a used sequence are each refused
// with their own code, and change nothing.
func TestMultisigIssuerOffline(t *testing.T) {
	if testing.Short() {
		t.Skip("node test")
	}
	work := t.TempDir()
	kb := []string{"--keyring-backend", "test"}

	// ARRANGE: three member homes, each with one key, and the multisig
	// record built from the members' public keys on every home.
	memberHomes := make([]string, 3)
	var pubs []string
	for i := range memberHomes {
		memberHomes[i] = t.TempDir()
		out := runPetrod(t, 0, nil, append([]string{"keys", "add", "member", "--home", memberHomes[i], "-o", "json"}, kb...)...)
		var k struct{ PubKey string }
		if err := json.Unmarshal(out, &k); err != nil {
			t.Fatalf("keys add: %v\n%s", err, out)
		}
		pubs = append(pubs, k.PubKey)
	}
	coordinator := t.TempDir()
	var issuerAddr string
	for _, home := range append([]string{coordinator}, memberHomes...) {
		out := runPetrod(t, 0, nil, append([]string{"keys", "add", "issuer", "--multisig", strings.Join(pubs, ","), "--multisig-threshold", "2", "--home", home, "-o", "json"}, kb...)...)
		var k struct{ Address string }
		if err := json.Unmarshal(out, &k); err != nil {
			t.Fatal(err)
		}
		if issuerAddr != "" && k.Address != issuerAddr {
			t.Fatalf("homes derive different addresses: %s, %s", issuerAddr, k.Address)
		}
		issuerAddr = k.Address
	}

	// A single key on the coordinator's home, for the online sign path.
	var payer struct{ Address string }
	if err := json.Unmarshal(runPetrod(t, 0, nil, append([]string{"keys", "add", "payer", "--home", coordinator, "-o", "json"}, kb...)...), &payer); err != nil {
		t.Fatal(err)
	}

	oracle, holder := Key(t, 700), Key(t, 701)
	n := NewSingleNodeWith(t, e2eChainID, func(gs *app.GenesisState) {
		gs.Token.Balances = append(gs.Token.Balances, &tokentypes.Balance{Address: addr(oracle), Amount: ptr},
			&tokentypes.Balance{Address: payer.Address, Amount: 5 * ptr})
		gs.Authority.Roles = append(gs.Authority.Roles,
			&authoritytypes.RoleGrant{Address: addr(oracle), Role: authoritytypes.Role_ROLE_ORACLE},
			&authoritytypes.RoleGrant{Address: issuerAddr, Role: authoritytypes.Role_ROLE_ISSUER, Allowance: 1_000_000 * ptr})
		gs.Reserve.Params.Quorum = 1
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
	round, err := rq.OpenRound(bg, &reservetypes.QueryOpenRoundRequest{})
	if err != nil {
		t.Fatal(err)
	}
	wallet{t: t, key: oracle, chainID: e2eChainID, cc: cc}.ok("attest", attestMsg(addr(oracle), round.RoundId, 1000*barrel, 70*ptr))
	if err := Eventually(30*time.Second, func() error {
		s, err := rq.Status(bg, &reservetypes.QueryStatusRequest{})
		if err != nil || s.Backing.Status != reservetypes.BackingStatus_BACKING_STATUS_OK {
			return errors.New("backing not OK yet")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	balance := func() uint64 {
		r, err := tokentypes.NewQueryClient(cc).Balance(bg, &tokentypes.QueryBalanceRequest{Address: addr(holder)})
		if err != nil {
			t.Fatal(err)
		}
		return r.GetBalance().GetAmount()
	}
	sequence := func() uint64 {
		r, err := authtypes.NewQueryClient(cc).Account(bg, &authtypes.QueryAccountRequest{Address: issuerAddr})
		if err != nil {
			t.Fatal(err)
		}
		return r.Account.Sequence
	}

	// generate: the coordinator's only online step before broadcast.
	generate := func(name string, seqFlag ...string) string {
		args := append([]string{"tx", "token", "issue", addr(holder), "10ptr", "--from", "issuer", "--generate-only",
			"--home", coordinator, "--chain-id", e2eChainID, "--node", n.GRPCAddr()}, kb...)
		return writeFile(t, work, name, runPetrod(t, 0, nil, append(args, seqFlag...)...))
	}
	// memberSign: member i signs on its own home, offline.
	memberSign := func(i int, file string, seq string) string {
		out := runPetrod(t, 0, nil, append([]string{"tx", "sign", file, "--multisig", "issuer", "--from", "member",
			"--offline", "--chain-id", e2eChainID, "--sequence", seq, "--home", memberHomes[i], "--node", nowhere}, kb...)...)
		return writeFile(t, work, filepath.Base(file)+".sig"+string(rune('0'+i)), out)
	}
	multisign := func(name, file string, sigs ...string) string {
		args := append([]string{"tx", "multisign", file, "issuer"}, sigs...)
		return writeFile(t, work, name, runPetrod(t, 0, nil, append(append(args, "--home", coordinator), kb...)...))
	}
	type result struct {
		Codespace string `json:"codespace"`
		Code      uint32 `json:"code"`
		Log       string `json:"log"`
	}
	broadcast := func(file string, wantExit int) result {
		out := runPetrod(t, wantExit, nil, "tx", "broadcast", file, "--node", n.GRPCAddr(), "-o", "json")
		var r result
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatalf("broadcast output: %v\n%s", err, out)
		}
		return r
	}

	// ACT: sequence 0, members 0 and 2 sign, the coordinator combines.
	unsigned := generate("issue-0.json")
	signed := multisign("issue-0.signed.json", unsigned, memberSign(2, unsigned, "0"), memberSign(0, unsigned, "0"))
	out := runPetrod(t, 0, nil, "tx", "validate-signatures", signed)
	if !bytes.Contains(out, []byte("result: valid")) {
		t.Fatalf("validate-signatures:\n%s", out)
	}
	if r := broadcast(signed, 0); r.Code != 0 {
		t.Fatalf("issue: %+v", r)
	}
	if got := balance(); got != 10*ptr {
		t.Fatalf("holder balance %d, want %d", got, 10*ptr)
	}

	// ASSERT: each bad signature set is refused with its own code.
	unsigned1 := generate("issue-1.json") // sequence 1, read from the node
	sig0, sig1 := memberSign(0, unsigned1, "1"), memberSign(1, unsigned1, "1")
	good := multisign("issue-1.signed.json", unsigned1, sig0, sig1)
	var doc client.TxDoc
	bz, _ := os.ReadFile(good)
	if err := json.Unmarshal(bz, &doc); err != nil {
		t.Fatal(err)
	}
	edit := func(name string, f func(d *client.TxDoc)) string {
		var d client.TxDoc
		if err := json.Unmarshal(bz, &d); err != nil {
			t.Fatal(err)
		}
		f(&d)
		out, err := json.Marshal(&d)
		if err != nil {
			t.Fatal(err)
		}
		return writeFile(t, work, name, out)
	}
	outsider := Key(t, 702)
	outsiderSig, err := outsider.Sign(doc.SignBytes())
	if err != nil {
		t.Fatal(err)
	}
	// A non-member cannot even produce a partial signature with the CLI.
	outsiderHome := t.TempDir()
	runPetrod(t, 0, nil, append([]string{"keys", "add", "member", "--home", outsiderHome}, kb...)...)
	runPetrod(t, 0, nil, append([]string{"keys", "add", "issuer", "--multisig", strings.Join(pubs, ","), "--multisig-threshold", "2", "--home", outsiderHome}, kb...)...)
	runPetrod(t, 1, nil, append([]string{"tx", "sign", unsigned1, "--multisig", "issuer", "--from", "member", "--offline", "--chain-id", e2eChainID, "--sequence", "1", "--home", outsiderHome, "--node", nowhere}, kb...)...)

	stale := multisign("issue-stale.signed.json", unsigned, memberSign(0, unsigned, "0"), memberSign(1, unsigned, "0"))
	for _, c := range []struct {
		name string
		file string
		code uint32
	}{
		{"one signature", multisign("one.json", unsigned1, sig0), authtypes.ErrTooFewSignatures.Code},
		{"repeated member", edit("repeated.json", func(d *client.TxDoc) { d.MemberSignatures[1] = d.MemberSignatures[0] }), authtypes.ErrRepeatedMember.Code},
		{"non-member's signature", edit("outsider.json", func(d *client.TxDoc) { d.MemberSignatures[1].Sig = outsiderSig }), authtypes.ErrInvalidSignature.Code},
		{"high-S member signature", edit("high-s.json", func(d *client.TxDoc) { d.MemberSignatures[1].Sig = highSSig(d.MemberSignatures[1].Sig) }), authtypes.ErrMalleableSig.Code},
		{"k signatures over a used sequence", stale, authtypes.ErrSequenceReplayed.Code},
	} {
		if r := broadcast(c.file, 1); r.Codespace != authtypes.Codespace || r.Code != c.code {
			t.Fatalf("%s: got %s/%d (%s), want %s/%d", c.name, r.Codespace, r.Code, r.Log, authtypes.Codespace, c.code)
		}
	}
	if balance() != 10*ptr || sequence() != 1 {
		t.Fatalf("a refused tx changed state: balance %d, sequence %d", balance(), sequence())
	}
	// The valid sequence-1 file still goes through.
	if r := broadcast(good, 0); r.Code != 0 {
		t.Fatalf("second issue: %+v", r)
	}
	if balance() != 20*ptr || sequence() != 2 {
		t.Fatalf("after the second issue: balance %d, sequence %d", balance(), sequence())
	}

	// A single key, signed online: tx sign reads the sequence from the node
	// (the file was generated with a stale --sequence 7 and is re-encoded).
	stalePay := writeFile(t, work, "pay.json", runPetrod(t, 0, nil, append([]string{"tx", "token", "send", "payer", addr(holder), "1ptr", "--generate-only", "--sequence", "7",
		"--home", coordinator, "--chain-id", e2eChainID, "--node", nowhere}, kb...)...))
	paid := writeFile(t, work, "pay.signed.json", runPetrod(t, 0, nil, append([]string{"tx", "sign", stalePay, "--from", "payer", "--home", coordinator, "--node", n.GRPCAddr()}, kb...)...))
	if out := runPetrod(t, 0, nil, "tx", "validate-signatures", paid); !bytes.Contains(out, []byte("sequence: 0")) {
		t.Fatalf("online sign did not take the account's sequence:\n%s", out)
	}
	if r := broadcast(paid, 0); r.Code != 0 {
		t.Fatalf("send: %+v", r)
	}
	if got := balance(); got != 21*ptr {
		t.Fatalf("holder balance %d after the send", got)
	}
}

// highSSig replaces s by N−s: the malleated twin of a valid signature.
func highSSig(sig []byte) []byte {
	out := bytes.Clone(sig)
	s := new(big.Int).SetBytes(sig[32:])
	s.Sub(btcec.S256().N, s)
	s.FillBytes(out[32:])
	return out
}
