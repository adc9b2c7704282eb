package app_test

import (
	"context"
	"slices"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/crypto/multisig"
	txtypes "github.com/petro-network/petro/types/tx"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// The threshold vectors (#13): "treasury" is 2-of-3 of bob, carol, dave.
const treasury = "treasury"

var treasuryMembers = []string{"bob", "carol", "dave"}

// treasuryKey is the threshold key and its members' names in member order.
func (b *vecBuilder) treasuryKey() (*multisig.PubKey, []string) {
	pubs := make([]*crypto.PubKey, len(treasuryMembers))
	for i, n := range treasuryMembers {
		pubs[i] = b.keys[n].PubKey()
	}
	mk, err := multisig.New(2, pubs)
	if err != nil {
		b.t.Fatal(err)
	}
	names := slices.Clone(treasuryMembers)
	slices.SortFunc(names, func(x, y string) int { return mk.Index(b.keys[x].PubKey()) - mk.Index(b.keys[y].PubKey()) })
	return mk, names
}

func (b *vecBuilder) addThresholdGenesis(gs *app.GenesisState) {
	mk, _ := b.treasuryKey()
	gs.Token.Balances = append(gs.Token.Balances, &tokentypes.Balance{Address: mk.Address().String(), Amount: 100 * ptr})
	gs.Authority.Roles = append(gs.Authority.Roles, &authoritytypes.RoleGrant{Address: mk.Address().String(), Role: authoritytypes.Role_ROLE_ISSUER, Allowance: 100 * ptr})
}

func (b *vecBuilder) treasurySigner(signers []string) signerVector {
	mk, names := b.treasuryKey()
	pre := []byte(multisig.AddressDomain)
	pre = append(pre, byte(mk.Threshold()), byte(len(names)))
	for _, m := range mk.MemberBytes() {
		pre = append(pre, m...)
	}
	return signerVector{Type: "threshold-secp256k1", Threshold: mk.Threshold(), Members: names, Signers: signers,
		AddressPreimage: hexs(pre), Address: mk.Address().String()}
}

// memberSigs signs sb as each of signers, with its member index.
func (b *vecBuilder) memberSigs(sb []byte, signers []string) []*txtypes.MemberSignature {
	mk, _ := b.treasuryKey()
	var out []*txtypes.MemberSignature
	for _, n := range signers {
		sig, err := b.keys[n].Sign(sb)
		if err != nil {
			b.t.Fatal(err)
		}
		out = append(out, &txtypes.MemberSignature{Member: uint32(mk.Index(b.keys[n].PubKey())), Signature: sig})
	}
	return out
}

func memberSigVectors(in []*txtypes.MemberSignature) []memberSigVector {
	out := make([]memberSigVector, len(in))
	for i, s := range in {
		out[i] = memberSigVector{Member: s.Member, Signature: hexs(s.Signature)}
	}
	return out
}

// validThreshold is valid for the treasury, signed by signers (ascending
// member order).
func (b *vecBuilder) validThreshold(name, desc string, signers []string, msgs ...*txtypes.Msg) {
	t := b.t
	mk, _ := b.treasuryKey()
	u, err := client.BuildThresholdTx(vecChainID, mk, b.seq[treasury], msgs, client.TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sb := u.SignBytes()
	sigs := b.memberSigs(sb, signers)
	raw, err := proto.MarshalOptions{Deterministic: true}.Marshal(&txtypes.TxRaw{BodyBytes: u.BodyBytes, AuthInfoBytes: u.AuthInfoBytes, MemberSignatures: sigs})
	if err != nil {
		t.Fatal(err)
	}
	b.seq[treasury]++
	b.commit(name, desc, u, raw, txVector{Signer: b.treasurySigner(signers), MemberSignatures: memberSigVectors(sigs)})
}

func (b *vecBuilder) thresholdVectors() {
	mk, names := b.treasuryKey()
	alice := b.keys["alice"].Address()
	b.validThreshold("threshold_send", "the 2-of-3 treasury's first tx (sequence 0): members 0 and 2 sign a transfer of 1 PTR to alice",
		[]string{names[0], names[2]}, client.SendMsg(mk.Address(), alice, ptr))
	b.validThreshold("threshold_issue", "the treasury, an issuer, mints 2 PTR to alice: members 1 and 2 sign",
		[]string{names[1], names[2]}, client.IssueMsg(mk.Address(), alice, 2*ptr))
}

// thresholdRefusal edits a valid treasury transfer at its next sequence.
type thresholdRefusal struct {
	signers []string
	key     *txtypes.ThresholdPubKey // replaces the auth info's key
	sigs    func([]*txtypes.MemberSignature) []*txtypes.MemberSignature
	mutated string // "none" or "member_signatures"
}

func (b *vecBuilder) refusedThreshold(name, desc string, r thresholdRefusal) {
	t := b.t
	mk, _ := b.treasuryKey()
	body := &txtypes.TxBody{Messages: []*txtypes.Msg{client.SendMsg(mk.Address(), b.keys["bob"].Address(), 1)}, ChainId: vecChainID}
	auth := &txtypes.AuthInfo{Sequence: b.seq[treasury], ThresholdPubKey: client.ThresholdPubKeyProto(mk)}
	if r.key != nil {
		auth.ThresholdPubKey = r.key
	}
	if r.mutated == "" {
		r.mutated = "none"
	}
	det := proto.MarshalOptions{Deterministic: true}
	bodyBytes, err := det.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	authBytes, err := det.Marshal(auth)
	if err != nil {
		t.Fatal(err)
	}
	sigs := b.memberSigs(txtypes.SignBytes(vecChainID, bodyBytes, authBytes), r.signers)
	if r.sigs != nil {
		sigs = r.sigs(sigs)
	}
	raw, err := det.Marshal(&txtypes.TxRaw{BodyBytes: bodyBytes, AuthInfoBytes: authBytes, MemberSignatures: sigs})
	if err != nil {
		t.Fatal(err)
	}
	res, err := b.a.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: raw})
	if err != nil {
		t.Fatal(err)
	}
	if res.Code == 0 {
		t.Fatalf("refused vector %s was accepted", name)
	}
	signer := b.treasurySigner(r.signers)
	if r.key != nil { // not the treasury: members listed by key
		signer = signerVector{Type: "threshold-secp256k1", Threshold: int(r.key.Threshold), Signers: r.signers}
		for _, pk := range r.key.PubKeys {
			for n, k := range b.keys {
				if slices.Equal(k.PubKey().Bytes(), pk) && n != "alice-trezor" {
					signer.Members = append(signer.Members, n)
				}
			}
		}
	}
	b.out.Refused = append(b.out.Refused, refusedVector{
		Name: name, Description: desc, Signer: signer, Mutated: r.mutated, SignChainID: vecChainID,
		Body: protoJSON(t, body), AuthInfo: protoJSON(t, auth),
		BodyBytes: hexs(bodyBytes), AuthInfoBytes: hexs(authBytes), MemberSignatures: memberSigVectors(sigs),
		TxBytes: hexs(raw), TxHash: hexs(client.TxHash(raw)), Codespace: res.Codespace, Code: res.Code,
	})
}

func (b *vecBuilder) thresholdRefusals() {
	mk, names := b.treasuryKey()
	mb := mk.MemberBytes()
	two := []string{names[0], names[1]}
	b.refusedThreshold("threshold_one_signature", "one member's signature; the threshold is 2", thresholdRefusal{signers: names[:1]})
	b.refusedThreshold("threshold_three_signatures", "all three members sign; exactly 2 are carried", thresholdRefusal{signers: names})
	b.refusedThreshold("threshold_repeated_member", "member 0's signature twice", thresholdRefusal{signers: []string{names[0], names[0]}})
	b.refusedThreshold("threshold_wrong_order", "members 1 then 0", thresholdRefusal{signers: []string{names[1], names[0]}})
	b.refusedThreshold("threshold_member_out_of_range", "a signature that names member 3 of 3", thresholdRefusal{signers: two, mutated: "member_signatures",
		sigs: func(s []*txtypes.MemberSignature) []*txtypes.MemberSignature { s[1].Member = 3; return s }})
	b.refusedThreshold("threshold_non_member", "alice (not a member) signs as member 1", thresholdRefusal{signers: []string{names[0], "alice"}, mutated: "member_signatures",
		sigs: func(s []*txtypes.MemberSignature) []*txtypes.MemberSignature { s[1].Member = 1; return s }})
	b.refusedThreshold("threshold_high_s", "member 1's signature with s replaced by N − s", thresholdRefusal{signers: two, mutated: "member_signatures",
		sigs: func(s []*txtypes.MemberSignature) []*txtypes.MemberSignature {
			s[1].Signature = highS(s[1].Signature)
			return s
		}})
	b.refusedThreshold("threshold_zero", "a threshold key with k = 0", thresholdRefusal{signers: nil, key: &txtypes.ThresholdPubKey{Threshold: 0, PubKeys: mb}})
	b.refusedThreshold("threshold_above_n", "a threshold key with k = 4 of 3", thresholdRefusal{signers: nil, key: &txtypes.ThresholdPubKey{Threshold: 4, PubKeys: mb}})
	b.refusedThreshold("threshold_duplicate_member", "a threshold key listing member 0 twice", thresholdRefusal{signers: nil, key: &txtypes.ThresholdPubKey{Threshold: 2, PubKeys: [][]byte{mb[0], mb[0], mb[1]}}})
	b.refusedThreshold("threshold_members_unsorted", "the treasury's members not in ascending order", thresholdRefusal{signers: nil, key: &txtypes.ThresholdPubKey{Threshold: 2, PubKeys: [][]byte{mb[1], mb[0], mb[2]}}})
}
