package client

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/crypto/multisig"
	txtypes "github.com/petro-network/petro/types/tx"
)

// The offline steps (#13): build a tx without signing it (BuildTx,
// BuildThresholdTx), carry it as a TxDoc (JSON a person can read), sign it
// where the key is (TxDoc.Sign, or MemberSign for one member of a threshold
// account), combine members' signatures (TxDoc.AddMemberSignature), and
// encode it for broadcast (TxDoc.TxBytes). None of them talks to a node.

// BuildThresholdTx is BuildTx for a threshold account: the auth info names
// key (its canonical member order) instead of one public key.
func BuildThresholdTx(chainID string, key *multisig.PubKey, seq uint64, msgs []*txtypes.Msg, o TxOptions) (*UnsignedTx, error) {
	if key == nil {
		return nil, errors.New("build tx: nil threshold key")
	}
	body, err := canonical.Marshal(&txtypes.TxBody{Messages: msgs, Memo: o.Memo, TimeoutHeight: o.TimeoutHeight, ChainId: chainID})
	if err != nil {
		return nil, fmt.Errorf("build tx: body: %w", err)
	}
	auth, err := canonical.Marshal(&txtypes.AuthInfo{Sequence: seq, ThresholdPubKey: ThresholdPubKeyProto(key)})
	if err != nil {
		return nil, fmt.Errorf("build tx: auth info: %w", err)
	}
	return &UnsignedTx{ChainID: chainID, BodyBytes: body, AuthInfoBytes: auth}, nil
}

// ThresholdPubKeyProto is key's wire form.
func ThresholdPubKeyProto(key *multisig.PubKey) *txtypes.ThresholdPubKey {
	return &txtypes.ThresholdPubKey{Threshold: uint32(key.Threshold()), PubKeys: key.MemberBytes()}
}

// TxDoc is a tx at any stage of offline signing: the exact body and auth
// info bytes, and the signatures collected so far (none, the single key's,
// or some members' of a threshold account). Its chain id is the body's.
type TxDoc struct {
	BodyBytes        []byte
	AuthInfoBytes    []byte
	Signature        []byte
	MemberSignatures []multisig.Signature // ascending by member

	body *txtypes.TxBody
	auth *txtypes.AuthInfo
	key  *multisig.PubKey // set for a threshold signer
	pub  *crypto.PubKey   // set for a single-key signer
}

// NewTxDoc wraps an unsigned tx.
func NewTxDoc(u *UnsignedTx) (*TxDoc, error) {
	return newTxDoc(u.BodyBytes, u.AuthInfoBytes)
}

func newTxDoc(body, auth []byte) (*TxDoc, error) {
	d := &TxDoc{BodyBytes: body, AuthInfoBytes: auth, body: &txtypes.TxBody{}, auth: &txtypes.AuthInfo{}}
	if err := proto.Unmarshal(body, d.body); err != nil {
		return nil, fmt.Errorf("tx body: %w", err)
	}
	if err := proto.Unmarshal(auth, d.auth); err != nil {
		return nil, fmt.Errorf("tx auth info: %w", err)
	}
	var err error
	if tk := d.auth.GetThresholdPubKey(); tk != nil {
		d.key, err = multisig.Parse(tk.GetThreshold(), tk.GetPubKeys(), nil)
	} else {
		d.pub, err = crypto.PubKeyFromBytes(d.auth.GetPubKey())
	}
	if err != nil {
		return nil, fmt.Errorf("tx signer: %w", err)
	}
	return d, nil
}

// DecodeTxDoc reads TxRaw bytes (e.g. from `petrod tx encode`) as a TxDoc.
func DecodeTxDoc(txBytes []byte) (*TxDoc, error) {
	var raw txtypes.TxRaw
	if err := proto.Unmarshal(txBytes, &raw); err != nil {
		return nil, fmt.Errorf("tx bytes: %w", err)
	}
	d, err := newTxDoc(raw.BodyBytes, raw.AuthInfoBytes)
	if err != nil {
		return nil, err
	}
	d.Signature = raw.Signature
	for _, s := range raw.MemberSignatures {
		d.MemberSignatures = append(d.MemberSignatures, multisig.Signature{Member: s.GetMember(), Sig: s.GetSignature()})
	}
	return d, nil
}

// ChainID is the chain the tx is for (its body's chain_id).
func (d *TxDoc) ChainID() string { return d.body.GetChainId() }

// Body and AuthInfo are the decoded bytes. Do not modify them.
func (d *TxDoc) Body() *txtypes.TxBody       { return d.body }
func (d *TxDoc) AuthInfo() *txtypes.AuthInfo { return d.auth }
func (d *TxDoc) Threshold() *multisig.PubKey { return d.key }
func (d *TxDoc) PubKey() *crypto.PubKey      { return d.pub }
func (d *TxDoc) Unsigned() *UnsignedTx {
	return &UnsignedTx{ChainID: d.ChainID(), BodyBytes: d.BodyBytes, AuthInfoBytes: d.AuthInfoBytes}
}
func (d *TxDoc) Sequence() uint64    { return d.auth.GetSequence() }
func (d *TxDoc) SignBytes() []byte   { return d.Unsigned().SignBytes() }
func (d *TxDoc) hasSignatures() bool { return len(d.Signature) > 0 || len(d.MemberSignatures) > 0 }
func (d *TxDoc) signBytesSHA256() string {
	h := sha256.Sum256(d.SignBytes())
	return hex.EncodeToString(h[:])
}

// Signer is the account that signs: the key's or the threshold key's address.
func (d *TxDoc) Signer() crypto.Address {
	if d.key != nil {
		return d.key.Address()
	}
	return d.pub.Address()
}

// SetSequence re-encodes the auth info with seq. It fails once the doc
// carries a signature (that would void it).
func (d *TxDoc) SetSequence(seq uint64) error {
	if seq == d.Sequence() {
		return nil
	}
	if d.hasSignatures() {
		return fmt.Errorf("the tx is signed for sequence %d; the account's next is %d: generate it again", d.Sequence(), seq)
	}
	auth := proto.Clone(d.auth).(*txtypes.AuthInfo)
	auth.Sequence = seq
	bz, err := canonical.Marshal(auth)
	if err != nil {
		return err
	}
	d.AuthInfoBytes, d.auth = bz, auth
	return nil
}

// Sign signs a single-key tx with s (the key in the auth info).
func (d *TxDoc) Sign(s Signer) error {
	if d.key != nil {
		return fmt.Errorf("the signer is the threshold account %s: sign as one member (MemberSign) and combine", d.Signer())
	}
	raw, err := d.Unsigned().Sign(s)
	if err != nil {
		return err
	}
	var tx txtypes.TxRaw
	if err := proto.Unmarshal(raw, &tx); err != nil {
		return err
	}
	d.Signature = tx.Signature
	return nil
}

// MemberSign is one member's signature of a threshold tx: s must be one of
// the threshold key's members. It does not modify d.
func (d *TxDoc) MemberSign(s Signer) (multisig.Signature, error) {
	if d.key == nil {
		return multisig.Signature{}, fmt.Errorf("the signer is the single key %s, not a threshold account", d.Signer())
	}
	i := d.key.Index(s.PubKey())
	if i < 0 {
		return multisig.Signature{}, fmt.Errorf("%s is not a member of the threshold account %s", s.Address(), d.Signer())
	}
	sb := d.SignBytes()
	sig, err := s.Sign(sb)
	if err != nil {
		return multisig.Signature{}, fmt.Errorf("sign: %w", err)
	}
	if err := s.PubKey().VerifySignatureErr(sb, sig); err != nil {
		return multisig.Signature{}, fmt.Errorf("sign: signer %s returned a bad signature: %w", s.Address(), err)
	}
	return multisig.Signature{Member: uint32(i), Sig: sig}, nil
}

// AddMemberSignature adds member's signature sig after verifying it over
// the doc's sign bytes, keeping the signatures in member order. It refuses
// a non-member, a second signature by the same member, and a signature
// beyond the threshold.
func (d *TxDoc) AddMemberSignature(member *crypto.PubKey, sig []byte) error {
	if d.key == nil {
		return errors.New("not a threshold account's tx")
	}
	i := d.key.Index(member)
	if i < 0 {
		return fmt.Errorf("%s is not a member of the threshold account %s", member.Address(), d.Signer())
	}
	if err := member.VerifySignatureErr(d.SignBytes(), sig); err != nil {
		return fmt.Errorf("member %d (%s): %w (signed another tx, sequence or chain?)", i, member.Address(), err)
	}
	for _, s := range d.MemberSignatures {
		if s.Member == uint32(i) {
			return fmt.Errorf("member %d (%s) already signed", i, member.Address())
		}
	}
	if len(d.MemberSignatures) >= d.key.Threshold() {
		return fmt.Errorf("already %d signatures, the threshold", len(d.MemberSignatures))
	}
	d.MemberSignatures = append(d.MemberSignatures, multisig.Signature{Member: uint32(i), Sig: sig})
	slices.SortFunc(d.MemberSignatures, func(a, b multisig.Signature) int { return int(a.Member) - int(b.Member) })
	return nil
}

// VerifySignatures checks the doc's signatures as the chain does (for
// chain id d.ChainID()): nil when it is fully and validly signed.
func (d *TxDoc) VerifySignatures() error {
	sb := d.SignBytes()
	if d.key != nil {
		return d.key.Verify(sb, d.MemberSignatures)
	}
	return d.pub.VerifySignatureErr(sb, d.Signature)
}

// TxBytes is the TxRaw encoding of the doc, as broadcast.
func (d *TxDoc) TxBytes() ([]byte, error) {
	raw := &txtypes.TxRaw{BodyBytes: d.BodyBytes, AuthInfoBytes: d.AuthInfoBytes, Signature: d.Signature}
	for _, s := range d.MemberSignatures {
		raw.MemberSignatures = append(raw.MemberSignatures, &txtypes.MemberSignature{Member: s.Member, Signature: s.Sig})
	}
	return canonical.Marshal(raw)
}

// txDocJSON is the file form. body and auth_info are the protobuf JSON of
// the bytes, for people; body_bytes and auth_info_bytes are what is signed
// and must decode to exactly body and auth_info.
type txDocJSON struct {
	Body             json.RawMessage       `json:"body"`
	AuthInfo         json.RawMessage       `json:"auth_info"`
	Signer           string                `json:"signer"`
	SignBytesSHA256  string                `json:"sign_bytes_sha256"`
	BodyBytes        []byte                `json:"body_bytes"`
	AuthInfoBytes    []byte                `json:"auth_info_bytes"`
	Signature        []byte                `json:"signature,omitempty"`
	MemberSignatures []memberSignatureJSON `json:"member_signatures,omitempty"`
}

type memberSignatureJSON struct {
	Member    uint32 `json:"member"`
	Signature []byte `json:"signature"`
}

var docJSON = protojson.MarshalOptions{UseProtoNames: true, Indent: "  "}

// MarshalJSON writes the file form (bytes as base64).
func (d *TxDoc) MarshalJSON() ([]byte, error) {
	body, err := docJSON.Marshal(d.body)
	if err != nil {
		return nil, err
	}
	auth, err := docJSON.Marshal(d.auth)
	if err != nil {
		return nil, err
	}
	j := txDocJSON{Body: body, AuthInfo: auth, Signer: d.Signer().String(), SignBytesSHA256: d.signBytesSHA256(),
		BodyBytes: d.BodyBytes, AuthInfoBytes: d.AuthInfoBytes, Signature: d.Signature}
	for _, s := range d.MemberSignatures {
		j.MemberSignatures = append(j.MemberSignatures, memberSignatureJSON{s.Member, s.Sig})
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads the file form and refuses a file whose readable
// body or auth_info differs from the bytes that are signed.
func (d *TxDoc) UnmarshalJSON(b []byte) error {
	var j txDocJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	nd, err := newTxDoc(j.BodyBytes, j.AuthInfoBytes)
	if err != nil {
		return err
	}
	for _, c := range []struct {
		what  string
		shown json.RawMessage
		real  proto.Message
	}{{"body", j.Body, nd.body}, {"auth_info", j.AuthInfo, nd.auth}} {
		shown := c.real.ProtoReflect().New().Interface()
		if err := protojson.Unmarshal(c.shown, shown); err != nil {
			return fmt.Errorf("%s: %w", c.what, err)
		}
		if !proto.Equal(shown, c.real) {
			return fmt.Errorf("%s does not match %s_bytes (what is signed): the file was edited", c.what, c.what)
		}
	}
	if j.Signer != "" && j.Signer != nd.Signer().String() {
		return fmt.Errorf("signer %s is not the auth info's signer %s", j.Signer, nd.Signer())
	}
	nd.Signature = j.Signature
	for _, s := range j.MemberSignatures {
		nd.MemberSignatures = append(nd.MemberSignatures, multisig.Signature{Member: s.Member, Sig: s.Signature})
	}
	*d = *nd
	return nil
}

// MemberSignatureFile is one member's partial signature as `petrod tx sign
// --multisig` writes it: the member's key, the signature, and the hash of
// the sign bytes it covers.
type MemberSignatureFile struct {
	PubKey          []byte `json:"pub_key"`
	Signature       []byte `json:"signature"`
	SignBytesSHA256 string `json:"sign_bytes_sha256"`
}

// NewMemberSignatureFile records s for d.
func NewMemberSignatureFile(d *TxDoc, s multisig.Signature) MemberSignatureFile {
	return MemberSignatureFile{PubKey: d.key.Members()[s.Member].Bytes(), Signature: s.Sig, SignBytesSHA256: d.signBytesSHA256()}
}

// AddMemberSignatureFile is AddMemberSignature from a signature file.
func (d *TxDoc) AddMemberSignatureFile(f MemberSignatureFile) error {
	pk, err := crypto.PubKeyFromBytes(f.PubKey)
	if err != nil {
		return err
	}
	if f.SignBytesSHA256 != "" && f.SignBytesSHA256 != d.signBytesSHA256() {
		return fmt.Errorf("member %s signed other sign bytes (%s), not this tx's (%s): another sequence, chain or body", pk.Address(), f.SignBytesSHA256, d.signBytesSHA256())
	}
	return d.AddMemberSignature(pk, f.Signature)
}
