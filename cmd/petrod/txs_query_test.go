package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/petro-network/petro/crypto"
	txtypes "github.com/petro-network/petro/types/tx"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// TestQueryTxsUsage: bad flags are usage errors (exit 2) before any dial.
func TestQueryTxsUsage(t *testing.T) {
	addr := crypto.Address(make([]byte, 20)).String()
	for name, args := range map[string][]string{
		"no address":      {"query", "txs"},
		"bad address":     {"query", "txs", "--address", "cosmos1xyz"},
		"bad order":       {"query", "txs", "--address", addr, "--order", "sideways"},
		"negative height": {"query", "txs", "--address", addr, "--from-height", "-1"},
		"bad page key":    {"query", "txs", "--address", addr, "--page-key", "%%%"},
	} {
		_, _, err := runCLI(t, "", append(args, "--node", "127.0.0.1:1")...)
		var ue *usageError
		if !errors.As(err, &ue) {
			t.Errorf("%s: %v, want a usage error", name, err)
		}
	}
}

func TestPrintDecodedTx(t *testing.T) {
	var buf bytes.Buffer
	body := &txtypes.TxBody{Memo: "rent", Messages: []*txtypes.Msg{{Sum: &txtypes.Msg_Send{Send: &tokentypes.MsgSend{From: "petro1a", To: "petro1b", Amount: 5}}}}}
	printDecodedTx(&buf, "petro1a", 7, 1_750_000_000, body)
	for _, want := range []string{"time: 2025-06-15T15:06:40Z", "signer: petro1a", "sequence: 7", "memo: rent", `message 0: {"send":{"from":"petro1a","to":"petro1b","amount":"5"}}`} {
		if !strings.Contains(buf.String(), want+"\n") {
			t.Errorf("no line %q in\n%s", want, buf.String())
		}
	}
	buf.Reset()
	printDecodedTx(&buf, "", 0, 0, nil)
	if buf.String() != "body: (does not decode)\n" {
		t.Errorf("undecodable: %q", buf.String())
	}
}
