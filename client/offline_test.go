package client_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/petro-network/petro/client"
	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/crypto/multisig"
	txtypes "github.com/petro-network/petro/types/tx"
)

func privKey(t *testing.T, b byte) *crypto.PrivKey {
	t.Helper()
	raw := bytes.Repeat([]byte{b}, 32)
	k, err := crypto.PrivKeyFromBytes(raw)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestOfflineThresholdSteps(t *testing.T) {
	ks := []*crypto.PrivKey{privKey(t, 1), privKey(t, 2), privKey(t, 3)}
	mk, err := multisig.New(2, []*crypto.PubKey{ks[0].PubKey(), ks[1].PubKey(), ks[2].PubKey()})
	if err != nil {
		t.Fatal(err)
	}
	to := privKey(t, 9).Address()
	u, err := client.BuildThresholdTx("petro-test-1", mk, 0, []*txtypes.Msg{client.SendMsg(mk.Address(), to, 5)}, client.TxOptions{Memo: "m"})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := client.NewTxDoc(u)
	if err != nil {
		t.Fatal(err)
	}
	// The unsigned file travels as JSON; the sequence is set before signing.
	if err := doc.SetSequence(3); err != nil {
		t.Fatal(err)
	}
	bz, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var files []client.MemberSignatureFile
	for _, k := range []*crypto.PrivKey{ks[2], ks[0]} { // each member on its own machine
		var d client.TxDoc
		if err := json.Unmarshal(bz, &d); err != nil {
			t.Fatal(err)
		}
		s, err := d.MemberSign(k)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, client.NewMemberSignatureFile(&d, s))
	}
	if _, err := doc.MemberSign(privKey(t, 7)); err == nil {
		t.Fatal("a non-member signed")
	}
	if err := doc.VerifySignatures(); err == nil {
		t.Fatal("unsigned doc verified")
	}
	for _, f := range files {
		if err := doc.AddMemberSignatureFile(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := doc.AddMemberSignatureFile(files[0]); err == nil {
		t.Fatal("a member added twice")
	}
	if err := doc.VerifySignatures(); err != nil {
		t.Fatal(err)
	}
	if doc.MemberSignatures[0].Member > doc.MemberSignatures[1].Member {
		t.Fatal("signatures not in member order")
	}
	if err := doc.SetSequence(4); err == nil {
		t.Fatal("changed the sequence of a signed doc")
	}
	txBytes, err := doc.TxBytes()
	if err != nil {
		t.Fatal(err)
	}
	back, err := client.DecodeTxDoc(txBytes)
	if err != nil || back.VerifySignatures() != nil || back.Sequence() != 3 {
		t.Fatalf("DecodeTxDoc: %v", err)
	}

	// A file whose readable part was edited is refused.
	edited := strings.Replace(string(bz), `"memo": "m"`, `"memo": "x"`, 1)
	if edited == string(bz) {
		edited = strings.Replace(string(bz), `"memo":"m"`, `"memo":"x"`, 1)
	}
	var d client.TxDoc
	if err := json.Unmarshal([]byte(edited), &d); err == nil || !strings.Contains(err.Error(), "edited") {
		t.Fatalf("edited file: %v", err)
	}
}
