package app

import (
	"bytes"
	"crypto/sha256"
	"errors"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/crypto/multisig"
	petro "github.com/petro-network/petro/types"
	txtypes "github.com/petro-network/petro/types/tx"
	authtypes "github.com/petro-network/petro/x/auth/types"
)

// Limits every node applies identically; changing one is a consensus change.
const (
	MaxTxBytes   = 32 * 1024
	MaxMsgsPerTx = 64
	MaxMemoBytes = 256
)

// Tx is a decoded, statelessly valid transaction.
type Tx struct {
	Raw      []byte
	Hash     [32]byte
	TxRaw    *txtypes.TxRaw
	Body     *txtypes.TxBody
	AuthInfo *txtypes.AuthInfo
	PubKey   *crypto.PubKey // nil when Threshold is set
	// Threshold is the signer's k-of-n key when auth_info names one (#13).
	Threshold *multisig.PubKey
	Signer    crypto.Address
	// SignerBech32 is Signer's bech32 form.
	SignerBech32 string
}

// DecodeTx parses raw and runs every check that needs no state and no
// signature verification. It never panics on any input.
func DecodeTx(raw []byte) (*Tx, error) {
	if len(raw) > MaxTxBytes {
		return nil, authtypes.ErrTxTooLarge.Wrapf("%d bytes > %d", len(raw), MaxTxBytes)
	}
	tx := &Tx{Raw: raw, Hash: sha256.Sum256(raw), TxRaw: &txtypes.TxRaw{}, Body: &txtypes.TxBody{}, AuthInfo: &txtypes.AuthInfo{}}
	if err := decodeCanonical(raw, tx.TxRaw, "tx"); err != nil {
		return nil, err
	}
	if err := decodeCanonical(tx.TxRaw.BodyBytes, tx.Body, "body"); err != nil {
		return nil, err
	}
	if err := decodeCanonical(tx.TxRaw.AuthInfoBytes, tx.AuthInfo, "auth_info"); err != nil {
		return nil, err
	}
	if n := len(tx.Body.Messages); n == 0 {
		return nil, authtypes.ErrNoMessages
	} else if n > MaxMsgsPerTx {
		return nil, authtypes.ErrTooManyMessages.Wrapf("%d > %d", n, MaxMsgsPerTx)
	}
	if len(tx.Body.Memo) > MaxMemoBytes {
		return nil, authtypes.ErrMemoTooLarge.Wrapf("%d bytes > %d", len(tx.Body.Memo), MaxMemoBytes)
	}
	signer, err := decodeSigner(tx)
	if err != nil {
		return nil, err
	}
	for i, m := range tx.Body.Messages {
		msg, err := unpackMsg(m)
		if err != nil {
			return nil, err
		}
		if err := msg.ValidateBasic(); err != nil {
			return nil, wrapMsgErr(i, err)
		}
		if msg.Signer() != signer {
			return nil, authtypes.ErrSignerMismatch.Wrapf("message %d: signer %s, tx signed by %s", i, msg.Signer(), signer)
		}
	}
	return tx, nil
}

// decodeSigner sets tx's signer from its auth info: one key, or a
// threshold key (#13), and checks that the TxRaw's signature fields are
// those of that kind. It returns the signer's bech32 address.
func decodeSigner(tx *Tx) (string, error) {
	ai, raw := tx.AuthInfo, tx.TxRaw
	if tk := ai.ThresholdPubKey; tk != nil {
		if len(ai.PubKey) > 0 {
			return "", authtypes.ErrSignatureKindMixed.Wrap("auth_info has both pub_key and threshold_pub_key")
		}
		mk, err := multisig.Parse(tk.Threshold, tk.PubKeys, parseMember)
		if err != nil {
			return "", thresholdErr(err)
		}
		if len(raw.Signature) > 0 {
			return "", authtypes.ErrSignatureKindMixed.Wrap("a threshold signer's tx carries member_signatures, not signature")
		}
		tx.Threshold, tx.Signer = mk, mk.Address()
		tx.SignerBech32 = tx.Signer.String()
		return tx.SignerBech32, nil
	}
	pk, err := pubKeys.parse(ai.PubKey) // = crypto.PubKeyFromBytes, memoised
	if err != nil {
		return "", authtypes.ErrInvalidPubKey.Wrap(err.Error())
	}
	if len(raw.MemberSignatures) > 0 {
		return "", authtypes.ErrSignatureKindMixed.Wrap("a single-key tx carries member_signatures")
	}
	tx.PubKey, tx.Signer, tx.SignerBech32 = pk.pub, pk.addr, pk.bech32
	return pk.bech32, nil
}

// parseMember is crypto.PubKeyFromBytes through the public-key cache.
func parseMember(b []byte) (*crypto.PubKey, error) {
	pk, err := pubKeys.parse(b)
	if err != nil {
		return nil, err
	}
	return pk.pub, nil
}

// thresholdErr maps a crypto/multisig or crypto error to its result code.
func thresholdErr(err error) error {
	for _, m := range []struct {
		sentinel error
		code     *petro.Error
	}{
		{multisig.ErrMemberCount, authtypes.ErrThresholdMembers},
		{multisig.ErrThreshold, authtypes.ErrThresholdValue},
		{multisig.ErrDuplicateMember, authtypes.ErrDuplicateMember},
		{multisig.ErrMembersUnsorted, authtypes.ErrMembersUnsorted},
		{multisig.ErrMemberIndex, authtypes.ErrMemberIndex},
		{multisig.ErrRepeatedMember, authtypes.ErrRepeatedMember},
		{multisig.ErrMemberOrder, authtypes.ErrMemberOrder},
		{multisig.ErrTooFewSignatures, authtypes.ErrTooFewSignatures},
		{multisig.ErrTooManySignatures, authtypes.ErrTooManySignatures},
		{crypto.ErrInvalidPubKey, authtypes.ErrInvalidPubKey},
		{crypto.ErrSigHighS, authtypes.ErrMalleableSig},
	} {
		if errors.Is(err, m.sentinel) {
			return m.code.Wrap(err.Error())
		}
	}
	return authtypes.ErrInvalidSignature.Wrap(err.Error())
}

// decodeCanonical unmarshals bz into m and accepts it only if it has no
// unknown fields and re-encodes to exactly bz (so one tx has one encoding,
// and what was signed is what is executed).
func decodeCanonical(bz []byte, m proto.Message, what string) error {
	if err := (proto.UnmarshalOptions{DiscardUnknown: false}).Unmarshal(bz, m); err != nil {
		return authtypes.ErrTxDecode.Wrapf("%s: %v", what, err)
	}
	if hasUnknown(m.ProtoReflect()) {
		return authtypes.ErrUnknownField.Wrap(what)
	}
	re, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil || !bytes.Equal(re, bz) {
		return authtypes.ErrNonCanonical.Wrap(what)
	}
	return nil
}

// hasUnknown reports unknown fields anywhere in m.
func hasUnknown(m protoreflect.Message) bool {
	if len(m.GetUnknown()) > 0 {
		return true
	}
	found := false
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.Message() == nil:
		case fd.IsList():
			l := v.List()
			for i := 0; i < l.Len() && !found; i++ {
				found = hasUnknown(l.Get(i).Message())
			}
		case fd.IsMap():
			v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
				if fd.MapValue().Message() != nil {
					found = hasUnknown(mv.Message())
				}
				return !found
			})
		default:
			found = hasUnknown(v.Message())
		}
		return !found
	})
	return found
}
