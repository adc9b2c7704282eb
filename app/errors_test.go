package app_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	petro "github.com/petro-network/petro/types"
	// Every package that registers error codes, so the table is complete
	// even if app stops importing one of them.
	_ "github.com/petro-network/petro/x/auth/types"
	_ "github.com/petro-network/petro/x/authority/types"
	_ "github.com/petro-network/petro/x/reserve/types"
	_ "github.com/petro-network/petro/x/token/types"
)

// -update (or PETRO_UPDATE_GOLDEN=1) rewrites golden files instead of
// comparing against them.
var update = flag.Bool("update", false, "rewrite golden files (docs/errors.md)")

func updateGolden() bool { return *update || os.Getenv("PETRO_UPDATE_GOLDEN") == "1" }

const errorsDocPath = "../docs/errors.md"

const errorsDocHeader = `# petro result codes

Every way a transaction or query can fail has a stable **(codespace, code)**
pair, listed below. This file is generated from the error registry
(` + "`types.RegisteredErrors()`" + `) by ` + "`go test ./app -run TestErrorsDoc -update`" + `
(or ` + "`PETRO_UPDATE_GOLDEN=1 go test ./app -run TestErrorsDoc`" + `); a test fails
if it and the code disagree.

**Codes are frozen once released.** A tx's result code is hashed into the
next block header (` + "`LastResultsHash`" + `), so changing, renumbering or reusing a
code is a consensus-breaking change; the codespace is not hashed by
CometBFT, but wallets depend on the pair, so it is frozen just the same.
New failures get new codes; a code that is no longer produced stays
reserved, and its description is never reused.

## How a wallet reads a result

- ` + "`code == 0`" + ` is success; the codespace is then empty.
- Otherwise look up **both** ` + "`codespace`" + ` and ` + "`code`" + `: the same number means
  different things in different codespaces (` + "`tx/3`" + ` is "tx too large",
  ` + "`token/3`" + ` is "insufficient funds"). Never branch on the code alone.
- ` + "`log`" + ` is a human-readable detail (which message, which sequence was
  expected, …). It is not stable: show it, never parse it.
- The same (codespace, code) is returned by CheckTx (broadcast, SYNC), by
  FinalizeBlock (the committed result) and by Simulate.
- Codespace ` + "`tx`" + ` is the transaction envelope and ante checks (decoding,
  signature, chain id, sequence, limits); a tx refused with a ` + "`tx`" + ` code in a
  block changed nothing. A module codespace (e.g. ` + "`token`" + `) means a message
  failed after the ante checks: in a committed block the tx's **sequence is
  consumed** (re-sign with the next sequence), but none of its messages
  took effect — a tx is all or nothing. ` + "`petro/1`" + ` (internal error) never
  carries detail.
- Sequence errors: ` + "`tx/13`" + ` (already used) means the tx or an earlier one
  with that sequence was already applied; ` + "`tx/14`" + ` (skips ahead) means an
  earlier sequence is still missing — wait for it or re-query the account.
  ` + "`tx/21`" + ` (already in the mempool) means these exact bytes are waiting for
  a block: follow the tx by its hash instead of sending it again. Every
  path (gRPC, REST, CometBFT RPC) gives one code for the same bytes; the
  exceptions are listed in server/README.md.

`

// errorsTable renders the registry as the markdown table of docs/errors.md.
func errorsTable() string {
	var b strings.Builder
	b.WriteString(errorsDocHeader)
	b.WriteString("| codespace | code | description |\n|---|---:|---|\n")
	for _, e := range petro.RegisteredErrors() {
		fmt.Fprintf(&b, "| `%s` | %d | %s |\n", e.Codespace, e.Code, e.Desc)
	}
	return b.String()
}

func registered(space string, code uint32) bool {
	for _, e := range petro.RegisteredErrors() {
		if e.Codespace == space && e.Code == code {
			return true
		}
	}
	return false
}

// TestErrorsDoc freezes the code table: docs/errors.md must be exactly the
// table the registry renders. A diff here is either a new code (update the
// doc) or a changed/removed code (a consensus-breaking change: don't).
func TestErrorsDoc(t *testing.T) {
	want := errorsTable()
	if updateGolden() {
		if err := os.WriteFile(errorsDocPath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", filepath.Clean(errorsDocPath))
		return
	}
	got, err := os.ReadFile(errorsDocPath)
	if err != nil {
		t.Fatalf("%v (run with -update or PETRO_UPDATE_GOLDEN=1 to create it)", err)
	}
	if string(got) != want {
		t.Fatalf("docs/errors.md is out of date with the error registry; if the change is intended "+
			"(a new code, never a changed one) rerun with -update.\n--- want\n%s", want)
	}
}

func TestErrorsDescribed(t *testing.T) {
	for _, e := range petro.RegisteredErrors() {
		if e.Desc == "" || strings.ContainsAny(e.Desc, "|\n") {
			t.Errorf("%s/%d: description %q must be non-empty, one line, without '|'", e.Codespace, e.Code, e.Desc)
		}
	}
}
