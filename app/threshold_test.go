package app_test

import (
	"bytes"
	"slices"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/crypto/multisig"
	"github.com/petro-network/petro/internal/testutil"
	txtypes "github.com/petro-network/petro/types/tx"
	authtypes "github.com/petro-network/petro/x/auth/types"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// A 2-of-3 threshold account funded at genesis (#13).
var (
	members  = []*crypto.PrivKey{testutil.Key(10), testutil.Key(11), testutil.Key(12)}
	outsider = testutil.Key(13)
)

func thresholdKey(t testing.TB, k int, keys ...*crypto.PrivKey) *multisig.PubKey {
	t.Helper()
	pubs := make([]*crypto.PubKey, len(keys))
	for i, key := range keys {
		pubs[i] = key.PubKey()
	}
	mk, err := multisig.New(k, pubs)
	if err != nil {
		t.Fatal(err)
	}
	return mk
}

// sortedMembers returns keys in the threshold key's member order.
func sortedMembers(mk *multisig.PubKey, keys []*crypto.PrivKey) []*crypto.PrivKey {
	out := slices.Clone(keys)
	slices.SortFunc(out, func(a, b *crypto.PrivKey) int { return mk.Index(a.PubKey()) - mk.Index(b.PubKey()) })
	return out
}

// thresholdTx is a threshold tx under construction: the auth info, then who
// signs as which member, then edits of the member signatures.
type thresholdTx struct {
	auth    *txtypes.AuthInfo
	msgs    []*txtypes.Msg
	signers []*crypto.PrivKey // signer j signs as member index[j]
	index   []uint32
	editSig func(j int, sig []byte) []byte
	single  []byte // TxRaw.signature
}

func newThresholdSend(mk *multisig.PubKey, seq uint64, to crypto.Address, amount uint64) *thresholdTx {
	sorted := sortedMembers(mk, members)
	return &thresholdTx{
		auth:    &txtypes.AuthInfo{Sequence: seq, ThresholdPubKey: client.ThresholdPubKeyProto(mk)},
		msgs:    []*txtypes.Msg{client.SendMsg(mk.Address(), to, amount)},
		signers: sorted[:2], index: []uint32{0, 1},
	}
}

func (p *thresholdTx) build(t testing.TB) []byte {
	t.Helper()
	body, err := canonical.Marshal(&txtypes.TxBody{Messages: p.msgs, ChainId: testutil.ChainID})
	if err != nil {
		t.Fatal(err)
	}
	auth, err := canonical.Marshal(p.auth)
	if err != nil {
		t.Fatal(err)
	}
	sb := txtypes.SignBytes(testutil.ChainID, body, auth)
	raw := &txtypes.TxRaw{BodyBytes: body, AuthInfoBytes: auth, Signature: p.single}
	for j, key := range p.signers {
		sig, err := key.Sign(sb)
		if err != nil {
			t.Fatal(err)
		}
		if p.editSig != nil {
			sig = p.editSig(j, sig)
		}
		raw.MemberSignatures = append(raw.MemberSignatures, &txtypes.MemberSignature{Member: p.index[j], Signature: sig})
	}
	bz, err := canonical.Marshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	return bz
}

var canonical = proto.MarshalOptions{Deterministic: true}

func TestThresholdAccount(t *testing.T) {
	mk := thresholdKey(t, 2, members...)
	addr := mk.Address()
	gs := testutil.NewGenesis().Fund(addr, 1_000).Fund(recipient, 1).State()
	a := testutil.NewApp(t, gs)
	testutil.NextBlock(t, a)

	// ARRANGE/ACT: members 0 and 2 sign a transfer at sequence 0.
	p := newThresholdSend(mk, 0, recipient, 100)
	sorted := sortedMembers(mk, members)
	p.signers, p.index = []*crypto.PrivKey{sorted[0], sorted[2]}, []uint32{0, 2}
	raw := p.build(t)
	assertOK(t, "CheckTx", checkTx(t, a, raw))
	res := testutil.NextBlock(t, a, raw)
	assertOK(t, "FinalizeBlock", res.TxResults[0])

	// ASSERT: the transfer happened, the sequence was consumed and the
	// account records its threshold key.
	st := testutil.Snapshot(t, a)
	if st.Balance(addr) != 900 || st.Balance(recipient) != 101 {
		t.Fatalf("balances: %d, %d", st.Balance(addr), st.Balance(recipient))
	}
	acc := st.Accounts[addr.String()]
	if acc.Sequence != 1 || acc.Threshold != 2 || len(acc.MemberPubKeys) != 3 || len(acc.PubKey) != 0 {
		t.Fatalf("account = %v", acc)
	}
	for i, m := range mk.MemberBytes() {
		if !bytes.Equal(acc.MemberPubKeys[i], m) {
			t.Fatalf("member %d stored as %X", i, acc.MemberPubKeys[i])
		}
	}
	// Replay of the same bytes: the sequence is used.
	assertCode(t, "replay", checkTx(t, a, raw), authtypes.Codespace, 13)
}

func TestThresholdRefusals(t *testing.T) {
	mk := thresholdKey(t, 2, members...)
	addr := mk.Address()
	gs := testutil.NewGenesis().Fund(addr, 1_000).Fund(recipient, 1).State()
	a := testutil.NewApp(t, gs)
	testutil.NextBlock(t, a)
	sorted := sortedMembers(mk, members)
	key := func(k uint32, keys ...[]byte) *txtypes.ThresholdPubKey {
		return &txtypes.ThresholdPubKey{Threshold: k, PubKeys: keys}
	}
	pk := func(k *crypto.PrivKey) []byte { return k.PubKey().Bytes() }
	mb := mk.MemberBytes()
	many := make([][]byte, 17)
	for i := range many {
		many[i] = testutil.Key(20 + i).PubKey().Bytes()
	}
	slices.SortFunc(many, bytes.Compare)
	tx := authtypes.Codespace
	for _, c := range []struct {
		name     string
		malleate func(p *thresholdTx)
		code     uint32
	}{
		{"one signature", func(p *thresholdTx) { p.signers, p.index = sorted[:1], []uint32{0} }, 37},
		{"three signatures", func(p *thresholdTx) { p.signers, p.index = sorted, []uint32{0, 1, 2} }, 38},
		{"no signatures", func(p *thresholdTx) { p.signers, p.index = nil, nil }, 37},
		{"repeated member", func(p *thresholdTx) { p.signers, p.index = []*crypto.PrivKey{sorted[0], sorted[0]}, []uint32{0, 0} }, 35},
		{"wrong order", func(p *thresholdTx) { p.signers, p.index = []*crypto.PrivKey{sorted[1], sorted[0]}, []uint32{1, 0} }, 36},
		{"member index out of range", func(p *thresholdTx) { p.index = []uint32{0, 3} }, 34},
		{"non-member signs as a member", func(p *thresholdTx) { p.signers = []*crypto.PrivKey{sorted[0], outsider} }, 10},
		{"member signs under another's index", func(p *thresholdTx) { p.signers = []*crypto.PrivKey{sorted[0], sorted[2]} }, 10},
		{"high-S member signature", func(p *thresholdTx) {
			p.editSig = func(j int, s []byte) []byte {
				if j == 1 {
					return highS(s)
				}
				return s
			}
		}, 11},
		{"short member signature", func(p *thresholdTx) { p.editSig = func(_ int, s []byte) []byte { return s[:63] } }, 10},
		{"sequence gap", func(p *thresholdTx) { p.auth.Sequence = 1 }, 14},
		{"17 members", func(p *thresholdTx) { p.auth.ThresholdPubKey = key(2, many...) }, 30},
		{"no members", func(p *thresholdTx) { p.auth.ThresholdPubKey = key(0) }, 30},
		{"empty threshold key", func(p *thresholdTx) { p.auth.ThresholdPubKey = &txtypes.ThresholdPubKey{} }, 30},
		{"threshold 0", func(p *thresholdTx) { p.auth.ThresholdPubKey = key(0, mb...) }, 31},
		{"threshold above n", func(p *thresholdTx) { p.auth.ThresholdPubKey = key(4, mb...) }, 31},
		{"duplicate member key", func(p *thresholdTx) { p.auth.ThresholdPubKey = key(2, mb[0], mb[0], mb[1]) }, 32},
		{"members unsorted", func(p *thresholdTx) { p.auth.ThresholdPubKey = key(2, mb[1], mb[0], mb[2]) }, 33},
		{"invalid member key", func(p *thresholdTx) { p.auth.ThresholdPubKey = key(2, []byte{0x02, 1}, mb[1], mb[2]) }, 9},
		{"pub_key and threshold key", func(p *thresholdTx) { p.auth.PubKey = pk(sorted[0]) }, 39},
		{"threshold tx with a single signature", func(p *thresholdTx) { p.single = make([]byte, 64) }, 39},
		{"single-key tx with member signatures", func(p *thresholdTx) {
			p.auth = &txtypes.AuthInfo{PubKey: pk(sorted[0])}
			p.msgs = []*txtypes.Msg{client.SendMsg(sorted[0].PubKey().Address(), recipient, 1)}
		}, 39},
		{"message signed by a member, not the account", func(p *thresholdTx) {
			p.msgs = []*txtypes.Msg{client.SendMsg(sorted[0].PubKey().Address(), recipient, 1)}
		}, 16},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := newThresholdSend(mk, 0, recipient, 100)
			c.malleate(p)
			raw := p.build(t)
			before := testutil.Snapshot(t, a)
			assertCode(t, "CheckTx", checkTx(t, a, raw), tx, c.code)
			h, _ := a.LastCommit()
			res := testutil.FinalizeCommit(t, a, h+1, testutil.BlockTime(h+1), raw)
			assertCode(t, "FinalizeBlock", res.TxResults[0], tx, c.code)
			assertSameState(t, before, testutil.Snapshot(t, a))
		})
	}
}

// thresholdMsgTx signs msgs from mk's account at seq by its first k members.
func thresholdMsgTx(t testing.TB, mk *multisig.PubKey, keys []*crypto.PrivKey, seq uint64, msgs ...*txtypes.Msg) []byte {
	t.Helper()
	p := &thresholdTx{
		auth: &txtypes.AuthInfo{Sequence: seq, ThresholdPubKey: client.ThresholdPubKeyProto(mk)},
		msgs: msgs, signers: sortedMembers(mk, keys)[:mk.Threshold()],
	}
	for i := range p.signers {
		p.index = append(p.index, uint32(i))
	}
	return p.build(t)
}

// TestThresholdRoles: a threshold account sits on the council and proposes;
// the council grants a role (pauser) to another threshold account, which
// then exercises it — checked like any address.
func TestThresholdRoles(t *testing.T) {
	councilKeys := []*crypto.PrivKey{testutil.Key(30), testutil.Key(31), testutil.Key(32)}
	pauserKeys := []*crypto.PrivKey{testutil.Key(33), testutil.Key(34), testutil.Key(35), testutil.Key(36), testutil.Key(37), testutil.Key(38), testutil.Key(39)}
	councilMS, pauserMS := thresholdKey(t, 2, councilKeys...), thresholdKey(t, 5, pauserKeys...)
	single := testutil.Key(40)
	gs := testutil.NewGenesis().Fund(sender.PubKey().Address(), 1_000).State()
	gs.Authority.Council = &authoritytypes.Council{Members: []string{councilMS.Address().String(), single.PubKey().Address().String()}, Threshold: 2}
	a := testutil.NewApp(t, gs)
	testutil.NextBlock(t, a)

	propose := thresholdMsgTx(t, councilMS, councilKeys, 0, &txtypes.Msg{Sum: &txtypes.Msg_Propose{Propose: &authoritytypes.MsgPropose{
		Proposer: councilMS.Address().String(),
		Action:   &authoritytypes.Action{Sum: &authoritytypes.Action_GrantRole{GrantRole: &authoritytypes.GrantRole{Address: pauserMS.Address().String(), Role: authoritytypes.Role_ROLE_PAUSER}}},
	}}})
	assertOK(t, "propose by a 2-of-3 council member", testutil.NextBlock(t, a, propose).TxResults[0])
	approve := testutil.NewTx(single, 0, &txtypes.Msg{Sum: &txtypes.Msg_Approve{Approve: &authoritytypes.MsgApprove{Approver: single.PubKey().Address().String(), ProposalId: 1}}}).Build(t)
	assertOK(t, "approve", testutil.NextBlock(t, a, approve).TxResults[0])

	pause := func(seq uint64) []byte {
		return thresholdMsgTx(t, pauserMS, pauserKeys, seq, &txtypes.Msg{Sum: &txtypes.Msg_Pause{Pause: &tokentypes.MsgPause{Pauser: pauserMS.Address().String(), Scope: tokentypes.PauseScope_PAUSE_SCOPE_TRANSFERS}}})
	}
	assertOK(t, "pause by the 5-of-7 pauser", testutil.NextBlock(t, a, pause(0)).TxResults[0])
	res := testutil.NextBlock(t, a, testutil.SendTx(t, sender, 0, recipient, 1)).TxResults[0]
	assertCode(t, "send while paused", res, tokentypes.Codespace, tokentypes.ErrTransfersPaused.Code)
}
