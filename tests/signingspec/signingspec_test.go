package signingspec

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcutil/bech32"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	bip39 "github.com/cosmos/go-bip39"
	"golang.org/x/crypto/ripemd160" //lint:ignore SA1019 RIPEMD-160 is fixed by the address format
	"google.golang.org/protobuf/encoding/protowire"
)

// ---- The schema, copied from docs/signing.md ("Messages") ----

type kind int

const (
	kString kind = iota
	kBytes
	kUint64 // also int64: JSON strings, varint (two's complement for negatives)
	kInt64
	kUint32 // also enums: JSON numbers, varint
	kMsg
)

type fieldSpec struct {
	name     string
	num      protowire.Number
	kind     kind
	msg      string // kMsg: the message type
	repeated bool
}

func f(name string, num protowire.Number, k kind) fieldSpec {
	return fieldSpec{name: name, num: num, kind: k}
}
func m(name string, num protowire.Number, msg string) fieldSpec {
	return fieldSpec{name: name, num: num, kind: kMsg, msg: msg}
}
func rep(name string, num protowire.Number, msg string) fieldSpec {
	return fieldSpec{name: name, num: num, kind: kMsg, msg: msg, repeated: true}
}
func repBytes(name string, num protowire.Number) fieldSpec {
	return fieldSpec{name: name, num: num, kind: kBytes, repeated: true}
}

var schema = map[string][]fieldSpec{
	"TxBody":          {rep("messages", 1, "Msg"), f("memo", 2, kString), f("timeout_height", 3, kUint64), f("chain_id", 4, kString)},
	"AuthInfo":        {f("pub_key", 1, kBytes), f("sequence", 2, kUint64), m("threshold_pub_key", 3, "ThresholdPubKey")},
	"ThresholdPubKey": {f("threshold", 1, kUint32), repBytes("pub_keys", 2)},
	"Msg": {m("send", 1, "MsgSend"), m("issue", 2, "MsgIssue"), m("request_redemption", 3, "MsgRequestRedemption"),
		m("accept_redemption", 4, "MsgAcceptRedemption"), m("fulfill_redemption", 5, "MsgFulfillRedemption"),
		m("reject_redemption", 6, "MsgRejectRedemption"), m("freeze", 7, "MsgFreeze"), m("unfreeze", 8, "MsgUnfreeze"),
		m("pause", 9, "MsgPause"), m("propose", 10, "MsgPropose"), m("approve", 11, "MsgApprove"),
		m("attest", 20, "MsgAttest"), m("unpause", 30, "MsgUnpause")},
	"MsgSend":              {f("from", 1, kString), f("to", 2, kString), f("amount", 3, kUint64)},
	"MsgIssue":             {f("issuer", 1, kString), f("recipient", 2, kString), f("amount", 3, kUint64)},
	"MsgRequestRedemption": {f("owner", 1, kString), f("amount", 2, kUint64), f("settlement_instruction_hash", 3, kBytes)},
	"MsgAcceptRedemption":  {f("issuer", 1, kString), f("redemption_id", 2, kUint64)},
	"MsgFulfillRedemption": {f("issuer", 1, kString), f("redemption_id", 2, kUint64), f("proof_hash", 3, kBytes)},
	"MsgRejectRedemption":  {f("issuer", 1, kString), f("redemption_id", 2, kUint64), f("reason", 3, kString)},
	"MsgFreeze":            {f("officer", 1, kString), f("address", 2, kString), f("reason_code", 3, kUint32), f("case_id", 4, kString)},
	"MsgUnfreeze":          {f("officer", 1, kString), f("address", 2, kString), f("case_id", 3, kString)},
	"MsgPause":             {f("pauser", 1, kString), f("scope", 2, kUint32)},
	"MsgUnpause":           {f("pauser", 1, kString), f("scope", 2, kUint32)},
	"MsgPropose":           {f("proposer", 1, kString), m("action", 2, "Action"), f("memo", 3, kString)},
	"MsgApprove":           {f("approver", 1, kString), f("proposal_id", 2, kUint64)},
	"MsgAttest": {f("oracle", 1, kString), f("round_id", 2, kUint64), rep("lots", 3, "LotReport"), f("price", 4, kUint64),
		f("observed_at_unix", 5, kInt64), f("evidence_hash", 6, kBytes)},
	"LotReport":    {f("lot_id", 1, kString), f("barrels", 2, kUint64)},
	"Action":       {m("grant_role", 1, "GrantRole"), m("revoke_role", 2, "RevokeRole"), m("set_allowance", 3, "SetAllowance")},
	"GrantRole":    {f("address", 1, kString), f("role", 2, kUint32), f("allowance", 3, kUint64)},
	"RevokeRole":   {f("address", 1, kString), f("role", 2, kUint32)},
	"SetAllowance": {f("address", 1, kString), f("allowance", 2, kUint64)},
}

// encode writes obj (the protobuf JSON mapping of a typeName) canonically:
// fields in ascending number order, zero scalars omitted, present
// sub-messages always written (even empty), minimal varints.
func encode(typeName string, obj map[string]any) ([]byte, error) {
	specs, ok := schema[typeName]
	if !ok {
		return nil, fmt.Errorf("no schema for %s", typeName)
	}
	specs = append([]fieldSpec(nil), specs...)
	sort.Slice(specs, func(i, j int) bool { return specs[i].num < specs[j].num })
	known := map[string]bool{}
	var out []byte
	for _, s := range specs {
		known[s.name] = true
		v, ok := obj[s.name]
		if !ok {
			continue
		}
		switch s.kind {
		case kString:
			if str := v.(string); str != "" {
				out = protowire.AppendTag(out, s.num, protowire.BytesType)
				out = protowire.AppendString(out, str)
			}
		case kBytes:
			items := []any{v}
			if s.repeated {
				items = v.([]any)
			}
			for _, it := range items {
				b, err := base64.StdEncoding.DecodeString(it.(string))
				if err != nil {
					return nil, err
				}
				if len(b) > 0 || s.repeated { // a repeated element is always written
					out = protowire.AppendTag(out, s.num, protowire.BytesType)
					out = protowire.AppendBytes(out, b)
				}
			}
		case kUint64, kInt64:
			var u uint64
			var err error
			if s.kind == kInt64 {
				var i int64
				i, err = strconv.ParseInt(v.(string), 10, 64)
				u = uint64(i)
			} else {
				u, err = strconv.ParseUint(v.(string), 10, 64)
			}
			if err != nil {
				return nil, err
			}
			if u != 0 {
				out = protowire.AppendTag(out, s.num, protowire.VarintType)
				out = protowire.AppendVarint(out, u)
			}
		case kUint32:
			if u := uint64(v.(float64)); u != 0 {
				out = protowire.AppendTag(out, s.num, protowire.VarintType)
				out = protowire.AppendVarint(out, u)
			}
		case kMsg:
			items := []any{v}
			if s.repeated {
				items = v.([]any)
			}
			for _, it := range items {
				sub, err := encode(s.msg, it.(map[string]any))
				if err != nil {
					return nil, fmt.Errorf("%s.%s: %w", typeName, s.name, err)
				}
				out = protowire.AppendTag(out, s.num, protowire.BytesType)
				out = protowire.AppendBytes(out, sub)
			}
		}
	}
	for k := range obj {
		if !known[k] {
			return nil, fmt.Errorf("%s has no field %q in the spec's schema", typeName, k)
		}
	}
	return out, nil
}

func bytesField(out []byte, num protowire.Number, b []byte) []byte {
	if len(b) == 0 {
		return out
	}
	return protowire.AppendBytes(protowire.AppendTag(out, num, protowire.BytesType), b)
}

// signDoc is SignDoc{1: chain_id, 2: body_bytes, 3: auth_info_bytes}.
func signDoc(chainID string, body, auth []byte) []byte {
	return bytesField(bytesField(bytesField(nil, 1, []byte(chainID)), 2, body), 3, auth)
}

// txRaw is TxRaw{1: body_bytes, 2: auth_info_bytes, 3: signature}.
func txRaw(body, auth, sig []byte) []byte {
	return bytesField(bytesField(bytesField(nil, 1, body), 2, auth), 3, sig)
}

// memberSig is one TxRaw.member_signatures entry (#13).
type memberSig struct {
	Member    uint32
	Signature string
}

// thresholdTxRaw is TxRaw{1: body_bytes, 2: auth_info_bytes,
// 4: repeated MemberSignature{1: member (omitted when 0), 2: signature}}.
func thresholdTxRaw(t *testing.T, body, auth []byte, sigs []memberSig) []byte {
	out := bytesField(bytesField(nil, 1, body), 2, auth)
	for _, s := range sigs {
		var ms []byte
		if s.Member != 0 {
			ms = protowire.AppendVarint(protowire.AppendTag(ms, 1, protowire.VarintType), uint64(s.Member))
		}
		ms = bytesField(ms, 2, unhex(t, s.Signature))
		out = protowire.AppendBytes(protowire.AppendTag(out, 4, protowire.BytesType), ms)
	}
	return out
}

// thresholdAddress is RIPEMD160(SHA256("petro/threshold-secp256k1" ‖ k ‖ n
// ‖ keys in ascending byte order)), bech32 "petro", and the preimage.
func thresholdAddress(k int, keys [][]byte) (string, []byte) {
	sorted := append([][]byte(nil), keys...)
	sort.Slice(sorted, func(i, j int) bool { return bytes.Compare(sorted[i], sorted[j]) < 0 })
	pre := append([]byte("petro/threshold-secp256k1"), byte(k), byte(len(sorted)))
	for _, key := range sorted {
		pre = append(pre, key...)
	}
	s := sha256.Sum256(pre)
	r := ripemd160.New()
	r.Write(s[:])
	conv, err := bech32.ConvertBits(r.Sum(nil), 8, 5, true)
	if err != nil {
		panic(err)
	}
	a, err := bech32.Encode("petro", conv)
	if err != nil {
		panic(err)
	}
	return a, pre
}

// ---- Keys, addresses, signatures ----

func deriveKey(mnemonic, passphrase, path string) (*btcec.PrivateKey, error) {
	if !bip39.IsMnemonicValid(mnemonic) {
		return nil, fmt.Errorf("invalid mnemonic")
	}
	key, err := hdkeychain.NewMaster(bip39.NewSeed(mnemonic, passphrase), &chaincfg.MainNetParams)
	if err != nil {
		return nil, err
	}
	parts := strings.Split(path, "/")
	if parts[0] != "m" {
		return nil, fmt.Errorf("path %q", path)
	}
	for _, p := range parts[1:] {
		hardened := strings.HasSuffix(p, "'")
		i, err := strconv.ParseUint(strings.TrimSuffix(p, "'"), 10, 31)
		if err != nil {
			return nil, err
		}
		if hardened {
			i += hdkeychain.HardenedKeyStart
		}
		if key, err = key.Derive(uint32(i)); err != nil {
			return nil, err
		}
	}
	return key.ECPrivKey()
}

func address(pub []byte) string {
	s := sha256.Sum256(pub)
	r := ripemd160.New()
	r.Write(s[:])
	conv, err := bech32.ConvertBits(r.Sum(nil), 8, 5, true)
	if err != nil {
		panic(err)
	}
	a, err := bech32.Encode("petro", conv)
	if err != nil {
		panic(err)
	}
	return a
}

// sign is ECDSA over SHA-256(signBytes), RFC 6979 nonce, 64-byte R‖S, low-S.
func sign(k *btcec.PrivateKey, signBytes []byte) []byte {
	h := sha256.Sum256(signBytes)
	sig := ecdsa.Sign(k, h[:])
	r, s := sig.R(), sig.S()
	if s.IsOverHalfOrder() {
		s.Negate()
	}
	rb, sb := r.Bytes(), s.Bytes()
	return append(rb[:], sb[:]...)
}

// ---- The vectors ----

type vectors struct {
	Format  string `json:"format"`
	ChainID string `json:"chain_id"`
	Keys    []struct {
		Name, Mnemonic, Path, Address string
		Passphrase                    string `json:"bip39_passphrase"`
		PrivateKey                    string `json:"private_key"`
		PublicKey                     string `json:"public_key"`
	} `json:"keys"`
	Txs []struct {
		Name             string
		Signer           signerSpec
		MemberSignatures []memberSig    `json:"member_signatures"`
		Body             map[string]any `json:"body"`
		AuthInfo         map[string]any `json:"auth_info"`
		BodyBytes        string         `json:"body_bytes"`
		AuthInfoBytes    string         `json:"auth_info_bytes"`
		SignDocBytes     string         `json:"sign_doc_bytes"`
		SignBytesSHA256  string         `json:"sign_bytes_sha256"`
		Signature        string         `json:"signature"`
		TxBytes          string         `json:"tx_bytes"`
		TxHash           string         `json:"tx_hash"`
	} `json:"txs"`
	Refused []struct {
		Name, Mutated, Codespace string
		Code                     uint32
		Signer                   signerSpec
		MemberSignatures         []memberSig    `json:"member_signatures"`
		SignChainID              string         `json:"sign_chain_id"`
		Body                     map[string]any `json:"body"`
		AuthInfo                 map[string]any `json:"auth_info"`
		BodyBytes                string         `json:"body_bytes"`
		AuthInfoBytes            string         `json:"auth_info_bytes"`
		Signature                string         `json:"signature"`
		TxBytes                  string         `json:"tx_bytes"`
		TxHash                   string         `json:"tx_hash"`
	} `json:"refused"`
}

// signerSpec is a vector's signer: "secp256k1" (Key) or
// "threshold-secp256k1" (Threshold, Members in member order, Signers).
type signerSpec struct {
	Type, Key       string
	Threshold       int
	Members         []string
	Signers         []string
	AddressPreimage string `json:"address_preimage"`
	Address         string
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func eq(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	if hex.EncodeToString(got) != want {
		t.Errorf("%s:\n got  %x\n want %s", what, got, want)
	}
}

func TestReproduceVectors(t *testing.T) {
	raw, err := os.ReadFile("../../docs/signing-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if v.Format != "petro-signing-vectors/1" {
		t.Fatalf("format %q", v.Format)
	}
	keys := map[string]*btcec.PrivateKey{}
	for _, k := range v.Keys {
		priv, err := deriveKey(k.Mnemonic, k.Passphrase, k.Path)
		if err != nil {
			t.Fatalf("key %s: %v", k.Name, err)
		}
		keys[k.Name] = priv
		eq(t, k.Name+" private key", priv.Serialize(), k.PrivateKey)
		eq(t, k.Name+" public key", priv.PubKey().SerializeCompressed(), k.PublicKey)
		if a := address(priv.PubKey().SerializeCompressed()); a != k.Address {
			t.Errorf("%s address %s, want %s", k.Name, a, k.Address)
		}
	}
	signer := func(typ, name string) *btcec.PrivateKey {
		if typ != "secp256k1" && typ != "threshold-secp256k1" {
			t.Skipf("signer type %q is not in this implementation", typ)
		}
		return keys[name]
	}
	// memberSigs signs doc as each of sp.Signers, numbered by position in
	// sp.Members (checked to be the ascending order of the keys for a
	// treasury-style signer with an address).
	memberSigs := func(t *testing.T, sp signerSpec, doc []byte) []memberSig {
		var pubs [][]byte
		for _, n := range sp.Members {
			pubs = append(pubs, keys[n].PubKey().SerializeCompressed())
		}
		if sp.Address != "" {
			addr, pre := thresholdAddress(sp.Threshold, pubs)
			if addr != sp.Address {
				t.Errorf("threshold address %s, want %s", addr, sp.Address)
			}
			eq(t, "address_preimage", pre, sp.AddressPreimage)
			if !sort.SliceIsSorted(pubs, func(i, j int) bool { return bytes.Compare(pubs[i], pubs[j]) < 0 }) {
				t.Error("members are not in ascending key order")
			}
		}
		var out []memberSig
		for _, n := range sp.Signers {
			idx := -1
			for i, m := range sp.Members {
				if m == n {
					idx = i
					break
				}
			}
			if idx < 0 {
				t.Fatalf("signer %s is not a member", n)
			}
			out = append(out, memberSig{Member: uint32(idx), Signature: hex.EncodeToString(sign(keys[n], doc))})
		}
		return out
	}
	for _, tx := range v.Txs {
		t.Run(tx.Name, func(t *testing.T) {
			k := signer(tx.Signer.Type, tx.Signer.Key)
			body, err := encode("TxBody", tx.Body)
			if err != nil {
				t.Fatal(err)
			}
			auth, err := encode("AuthInfo", tx.AuthInfo)
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "body_bytes", body, tx.BodyBytes)
			eq(t, "auth_info_bytes", auth, tx.AuthInfoBytes)
			doc := signDoc(v.ChainID, body, auth)
			eq(t, "sign_doc_bytes", doc, tx.SignDocBytes)
			h := sha256.Sum256(doc)
			eq(t, "sign_bytes_sha256", h[:], tx.SignBytesSHA256)
			var txb []byte
			if tx.Signer.Type == "threshold-secp256k1" {
				sigs := memberSigs(t, tx.Signer, doc)
				if fmt.Sprint(sigs) != fmt.Sprint(tx.MemberSignatures) {
					t.Errorf("member_signatures:\n got  %v\n want %v", sigs, tx.MemberSignatures)
				}
				txb = thresholdTxRaw(t, body, auth, sigs)
			} else {
				sig := sign(k, doc)
				eq(t, "signature", sig, tx.Signature)
				txb = txRaw(body, auth, sig)
			}
			eq(t, "tx_bytes", txb, tx.TxBytes)
			th := sha256.Sum256(txb)
			eq(t, "tx_hash", th[:], tx.TxHash)
		})
	}
	for _, r := range v.Refused {
		t.Run("refused/"+r.Name, func(t *testing.T) {
			k := signer(r.Signer.Type, r.Signer.Key)
			body, auth := unhex(t, r.BodyBytes), unhex(t, r.AuthInfoBytes)
			if r.Mutated == "none" {
				if body, err = encode("TxBody", r.Body); err != nil {
					t.Fatal(err)
				}
				eq(t, "body_bytes", body, r.BodyBytes)
				if auth, err = encode("AuthInfo", r.AuthInfo); err != nil {
					t.Fatal(err)
				}
				eq(t, "auth_info_bytes", auth, r.AuthInfoBytes)
			}
			if r.Signer.Type == "threshold-secp256k1" {
				sigs := r.MemberSignatures
				if r.Mutated != "member_signatures" {
					sigs = memberSigs(t, r.Signer, signDoc(r.SignChainID, body, auth))
					if fmt.Sprint(sigs) != fmt.Sprint(r.MemberSignatures) {
						t.Errorf("member_signatures:\n got  %v\n want %v", sigs, r.MemberSignatures)
					}
				}
				eq(t, "tx_bytes", thresholdTxRaw(t, body, auth, sigs), r.TxBytes)
				th := sha256.Sum256(unhex(t, r.TxBytes))
				eq(t, "tx_hash", th[:], r.TxHash)
				return
			}
			sig := unhex(t, r.Signature)
			if r.Mutated != "signature" {
				eq(t, "signature", sign(k, signDoc(r.SignChainID, body, auth)), r.Signature)
			}
			if r.Mutated != "tx_bytes" {
				eq(t, "tx_bytes", txRaw(body, auth, sig), r.TxBytes)
			}
			th := sha256.Sum256(unhex(t, r.TxBytes))
			eq(t, "tx_hash", th[:], r.TxHash)
			if r.Codespace == "" || r.Code == 0 {
				t.Errorf("refused vector without a code")
			}
		})
	}
	// The high-S vector is a valid ECDSA signature that only the low-S rule refuses.
	for _, r := range v.Refused {
		if r.Name != "high_s" {
			continue
		}
		sig := unhex(t, r.Signature)
		var rr, ss btcec.ModNScalar
		rr.SetByteSlice(sig[:32])
		ss.SetByteSlice(sig[32:])
		h := sha256.Sum256(signDoc(r.SignChainID, unhex(t, r.BodyBytes), unhex(t, r.AuthInfoBytes)))
		if !ss.IsOverHalfOrder() || !ecdsa.NewSignature(&rr, &ss).Verify(h[:], keys[r.Signer.Key].PubKey()) {
			t.Error("high_s: want a valid high-S signature")
		}
	}
}
