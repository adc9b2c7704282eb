package main

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/spf13/cobra"
	"google.golang.org/protobuf/proto"

	txtypes "github.com/petro-network/petro/types/tx"
	at "github.com/petro-network/petro/x/authority/types"
)

const (
	addrA = "petro1utvr3h95wjcxtflna69y4alaxljvcqf7q44a7z"
	// A 32-byte key, base64.
	pubB64 = "AuMr3IQOjKzvJXXYfi6UgVSaSYmODVDTGvXL88HmBlk="
	nodeID = "b459cf8b320a4af836985433d92f0cc77eaec727"
)

// proposeCmd returns the `propose` subcommand name with flags parsed, as
// cobra would hand it to RunE.
func proposeCmd(t *testing.T, name string, flags ...string) *cobra.Command {
	t.Helper()
	for _, c := range proposeActionCmds() {
		if c.Name() == name {
			if err := c.ParseFlags(flags); err != nil {
				t.Fatalf("parse %v: %v", flags, err)
			}
			return c
		}
	}
	t.Fatalf("no propose subcommand %q", name)
	return nil
}

var chainParams = &at.Params{ProposalLifetimeSeconds: 3600, TimelockSeconds: 60, MaxPowerChangePercent: 20, MaxValidators: 7}

func noParams() (*at.Params, error) { return nil, errors.New("must not be called") }

func TestBuildAction(t *testing.T) {
	pub, _ := base64.StdEncoding.DecodeString(pubB64)

	// A node home made by init: its key file and node key.
	home := t.TempDir()
	if _, err := InitHome(home, "sentry-7", "c-1", false); err != nil {
		t.Fatal(err)
	}
	pv := privval.LoadFilePV(filepath.Join(home, "config", "priv_validator_key.json"), filepath.Join(home, "data", "priv_validator_state.json"))
	homePub := pv.Key.PubKey.Bytes()
	nk, err := p2p.LoadNodeKey(filepath.Join(home, "config", "node_key.json"))
	if err != nil {
		t.Fatal(err)
	}
	homeID := string(nk.ID())
	keyFile := filepath.Join(home, "config", "priv_validator_key.json")

	tests := []struct {
		name  string
		cmd   string
		args  []string
		flags []string
		want  *at.Action
	}{
		{"grant oracle", "grant-role", []string{addrA, "oracle"}, nil,
			&at.Action{Sum: &at.Action_GrantRole{GrantRole: &at.GrantRole{Address: addrA, Role: at.Role_ROLE_ORACLE}}}},
		{"grant issuer with allowance", "grant-role", []string{addrA, "ISSUER"}, []string{"--allowance", "1000ptr"},
			&at.Action{Sum: &at.Action_GrantRole{GrantRole: &at.GrantRole{Address: addrA, Role: at.Role_ROLE_ISSUER, Allowance: 1000 * ptrUnit}}}},
		{"grant by enum name", "grant-role", []string{addrA, "ROLE_PAUSER"}, nil,
			&at.Action{Sum: &at.Action_GrantRole{GrantRole: &at.GrantRole{Address: addrA, Role: at.Role_ROLE_PAUSER}}}},
		{"revoke", "revoke-role", []string{addrA, "compliance"}, nil,
			&at.Action{Sum: &at.Action_RevokeRole{RevokeRole: &at.RevokeRole{Address: addrA, Role: at.Role_ROLE_COMPLIANCE}}}},
		{"set allowance", "set-allowance", []string{addrA, "150000000ptrbase"}, nil,
			&at.Action{Sum: &at.Action_SetAllowance{SetAllowance: &at.SetAllowance{Address: addrA, Allowance: 150000000}}}},
		{"set allowance zero", "set-allowance", []string{addrA, "0ptr"}, nil,
			&at.Action{Sum: &at.Action_SetAllowance{SetAllowance: &at.SetAllowance{Address: addrA}}}},
		{"add validator pubkey", "add-validator", nil, []string{"--pubkey", pubB64, "--power", "5", "--node-id", nodeID, "--operator", addrA, "--moniker", "v9"},
			&at.Action{Sum: &at.Action_AddValidator{AddValidator: &at.AddValidator{Validator: &at.Validator{PubKey: pub, Power: 5, NodeId: nodeID, Operator: addrA, Moniker: "v9"}}}}},
		{"add validator key file", "add-validator", nil, []string{"--pubkey-file", keyFile, "--power", "1", "--node-id", nodeID},
			&at.Action{Sum: &at.Action_AddValidator{AddValidator: &at.AddValidator{Validator: &at.Validator{PubKey: homePub, Power: 1, NodeId: nodeID}}}}},
		{"add validator node home", "add-validator", nil, []string{"--node-home", home, "--power", "10"},
			&at.Action{Sum: &at.Action_AddValidator{AddValidator: &at.AddValidator{Validator: &at.Validator{PubKey: homePub, Power: 10, NodeId: homeID, Moniker: "sentry-7"}}}}},
		{"add validator node home, same node id, own moniker", "add-validator", nil, []string{"--node-home", home, "--power", "10", "--node-id", homeID, "--moniker", "m"},
			&at.Action{Sum: &at.Action_AddValidator{AddValidator: &at.AddValidator{Validator: &at.Validator{PubKey: homePub, Power: 10, NodeId: homeID, Moniker: "m"}}}}},
		{"remove validator", "remove-validator", nil, []string{"--pubkey", pubB64},
			&at.Action{Sum: &at.Action_RemoveValidator{RemoveValidator: &at.RemoveValidator{PubKey: pub}}}},
		{"remove validator node home", "remove-validator", nil, []string{"--node-home", home},
			&at.Action{Sum: &at.Action_RemoveValidator{RemoveValidator: &at.RemoveValidator{PubKey: homePub}}}},
		{"set power", "set-power", nil, []string{"--pubkey-file", keyFile, "--power", "30"},
			&at.Action{Sum: &at.Action_SetValidatorPower{SetValidatorPower: &at.SetValidatorPower{PubKey: homePub, Power: 30}}}},
		{"allow peer", "allow-peer", []string{nodeID}, []string{"--note", "auditor"},
			&at.Action{Sum: &at.Action_AllowPeer{AllowPeer: &at.AllowPeer{Peer: &at.AllowedPeer{NodeId: nodeID, Note: "auditor"}}}}},
		{"deny peer", "deny-peer", []string{nodeID}, nil,
			&at.Action{Sum: &at.Action_DenyPeer{DenyPeer: &at.DenyPeer{NodeId: nodeID}}}},
		{"set params: two flags over the chain's", "set-params", nil, []string{"--timelock", "0s", "--max-validators", "50"},
			&at.Action{Sum: &at.Action_SetParams{SetParams: &at.SetParams{Params: &at.Params{ProposalLifetimeSeconds: 3600, TimelockSeconds: 0, MaxPowerChangePercent: 20, MaxValidators: 50}}}}},
		{"set params: all", "set-params", nil, []string{"--proposal-lifetime", "168h", "--timelock", "24h", "--max-power-change", "33", "--max-validators", "100"},
			&at.Action{Sum: &at.Action_SetParams{SetParams: &at.SetParams{Params: &at.Params{ProposalLifetimeSeconds: 604800, TimelockSeconds: 86400, MaxPowerChangePercent: 33, MaxValidators: 100}}}}},
		{"set council (sorted)", "set-council", nil, []string{"--members", addrA + ",petro1dq7cc20rwn677umq68gq5lwff02ng60w4t264e", "--threshold", "2"},
			&at.Action{Sum: &at.Action_SetCouncil{SetCouncil: &at.SetCouncil{Council: &at.Council{Members: []string{"petro1dq7cc20rwn677umq68gq5lwff02ng60w4t264e", addrA}, Threshold: 2}}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := buildAction(proposeCmd(t, tc.cmd, tc.flags...), tc.args, chainLookup{authorityParams: func() (*at.Params, error) { return proto.Clone(chainParams).(*at.Params), nil }})
			if err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(got, tc.want) {
				t.Fatalf("got  %v\nwant %v", got, tc.want)
			}
		})
	}
}

func TestBuildActionRefuses(t *testing.T) {
	dir := t.TempDir()
	notKey := filepath.Join(dir, "k.json")
	_ = os.WriteFile(notKey, []byte(`{"pub_key":{"type":"tendermint/PubKeySecp256k1","value":"`+pubB64+`"}}`), 0o600)
	short := base64.StdEncoding.EncodeToString(make([]byte, 31))
	tests := []struct {
		name  string
		cmd   string
		args  []string
		flags []string
		want  string
	}{
		{"bad role", "grant-role", []string{addrA, "admin"}, nil, "role"},
		{"unspecified role", "grant-role", []string{addrA, "unspecified"}, nil, "role"},
		{"bad address", "grant-role", []string{"cosmos1xyz", "oracle"}, nil, "address"},
		{"allowance for non-issuer", "grant-role", []string{addrA, "oracle"}, []string{"--allowance", "5"}, "issuers only"},
		{"bad allowance", "grant-role", []string{addrA, "issuer"}, []string{"--allowance", "1.5"}, "allowance"},
		{"revoke bad role", "revoke-role", []string{addrA, "x"}, nil, "role"},
		{"set allowance bad amount", "set-allowance", []string{addrA, "-1"}, nil, "amount"},
		{"no key source", "add-validator", nil, []string{"--power", "1", "--node-id", nodeID}, "exactly one"},
		{"two key sources", "add-validator", nil, []string{"--pubkey", pubB64, "--node-home", dir, "--power", "1"}, "exactly one"},
		{"pubkey not base64", "add-validator", nil, []string{"--pubkey", "%%%", "--power", "1", "--node-id", nodeID}, "base64"},
		{"pubkey too short", "add-validator", nil, []string{"--pubkey", short, "--power", "1", "--node-id", nodeID}, "31 bytes"},
		{"pubkey file missing", "add-validator", nil, []string{"--pubkey-file", filepath.Join(dir, "none.json"), "--power", "1", "--node-id", nodeID}, "pubkey-file"},
		{"pubkey file wrong type", "add-validator", nil, []string{"--pubkey-file", notKey, "--power", "1", "--node-id", nodeID}, "Ed25519"},
		{"node home without keys", "add-validator", nil, []string{"--node-home", dir, "--power", "1"}, "node-home"},
		{"no power", "add-validator", nil, []string{"--pubkey", pubB64, "--node-id", nodeID}, "--power"},
		{"zero power", "add-validator", nil, []string{"--pubkey", pubB64, "--power", "0", "--node-id", nodeID}, "positive"},
		{"negative power", "set-power", nil, []string{"--pubkey", pubB64, "--power", "-3"}, "positive"},
		{"no node id", "add-validator", nil, []string{"--pubkey", pubB64, "--power", "1"}, "--node-id"},
		{"bad node id", "add-validator", nil, []string{"--pubkey", pubB64, "--power", "1", "--node-id", "ABC"}, "node id"},
		{"bad operator", "add-validator", nil, []string{"--pubkey", pubB64, "--power", "1", "--node-id", nodeID, "--operator", "x"}, "operator"},
		{"long moniker", "add-validator", nil, []string{"--pubkey", pubB64, "--power", "1", "--node-id", nodeID, "--moniker", strings.Repeat("m", 71)}, "moniker"},
		{"remove no key", "remove-validator", nil, nil, "exactly one"},
		{"set power no power", "set-power", nil, []string{"--pubkey", pubB64}, "--power"},
		{"allow bad node id", "allow-peer", []string{"xyz"}, nil, "node id"},
		{"allow long note", "allow-peer", []string{nodeID}, []string{"--note", strings.Repeat("n", 141)}, "note"},
		{"deny upper-case id", "deny-peer", []string{strings.ToUpper(nodeID)}, nil, "node id"},
		{"set params nothing", "set-params", nil, nil, "at least one"},
		{"set params zero lifetime", "set-params", nil, []string{"--proposal-lifetime", "0s"}, "proposal_lifetime"},
		{"set params fractional", "set-params", nil, []string{"--timelock", "1.5s"}, "whole number"},
		{"set params negative", "set-params", nil, []string{"--timelock", "-1s"}, "whole number"},
		{"set params pct", "set-params", nil, []string{"--max-power-change", "101"}, "max_power_change"},
		{"set params max validators", "set-params", nil, []string{"--max-validators", "0"}, "max_validators"},
		{"council no members", "set-council", nil, []string{"--threshold", "1"}, "--members"},
		{"council no threshold", "set-council", nil, []string{"--members", addrA}, "--threshold"},
		{"council threshold too high", "set-council", nil, []string{"--members", addrA, "--threshold", "2"}, "threshold"},
		{"council duplicate", "set-council", nil, []string{"--members", addrA + "," + addrA, "--threshold", "1"}, "duplicate"},
		{"council bad member", "set-council", nil, []string{"--members", "petro1nope", "--threshold", "1"}, "members"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := buildAction(proposeCmd(t, tc.cmd, tc.flags...), tc.args, chainLookup{authorityParams: noParams})
			var ue *usageError
			if !asUsage(err, &ue) {
				t.Fatalf("want a usage error, got %v", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

// The CLI refuses bad command lines before it opens the keyring or dials
// the node (nothing listens on 127.0.0.1:1: reaching it would be a
// non-usage error).
func TestAuthorityCLIBadFlags(t *testing.T) {
	home := t.TempDir()
	common := []string{"--home", home, "--chain-id", "x", "--keyring-backend", "test", "--node", "127.0.0.1:1"}
	tests := []struct {
		name string
		args []string
	}{
		{"propose missing --from", []string{"tx", "authority", "propose", "grant-role", addrA, "oracle"}},
		{"propose bad role", []string{"tx", "authority", "propose", "grant-role", addrA, "king", "--from", "val0"}},
		{"propose bad pubkey", []string{"tx", "authority", "propose", "remove-validator", "--pubkey", "AAAA", "--from", "val0"}},
		{"propose too many args", []string{"tx", "authority", "propose", "deny-peer", nodeID, nodeID, "--from", "val0"}},
		{"propose bad output", []string{"tx", "authority", "propose", "deny-peer", nodeID, "--from", "val0", "-o", "yaml"}},
		{"propose bad broadcast mode", []string{"tx", "authority", "propose", "deny-peer", nodeID, "--from", "val0", "--broadcast-mode", "async"}},
		{"propose long memo", []string{"tx", "authority", "propose", "deny-peer", nodeID, "--from", "val0", "--memo", strings.Repeat("m", 1025)}},
		{"set-params without flags", []string{"tx", "authority", "propose", "set-params", "--from", "val0"}},
		{"approve missing --from", []string{"tx", "authority", "approve", "1"}},
		{"approve id zero", []string{"tx", "authority", "approve", "0", "--from", "val0"}},
		{"approve id not a number", []string{"tx", "authority", "approve", "one", "--from", "val0"}},
		{"query roles bad role", []string{"query", "authority", "roles", "--role", "king"}},
		{"query roles bad address", []string{"query", "authority", "roles", "--address", "petro1nope"}},
		{"query proposals bad status", []string{"query", "authority", "proposals", "--status", "open"}},
		{"query proposals bad page key", []string{"query", "authority", "proposals", "--page-key", "%%%"}},
		{"query proposals short page key", []string{"query", "authority", "proposals", "--page-key", "AAAA"}},
		{"query proposal id zero", []string{"query", "authority", "proposal", "0"}},
		{"query proposal no id", []string{"query", "authority", "proposal"}},
		{"query negative height", []string{"query", "authority", "council", "--height", "-1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if args[0] == "tx" {
				args = append(append([]string{}, args...), common...)
			} else {
				args = append(append([]string{}, args...), "--node", "127.0.0.1:1")
			}
			_, _, err := runCLI(t, "", args...)
			var ue *usageError
			if !asUsage(err, &ue) {
				t.Fatalf("want a usage error, got %v", err)
			}
		})
	}
}

func TestAuthorityQueryNodeDown(t *testing.T) {
	_, _, err := runCLI(t, "", "query", "authority", "validators", "--node", "127.0.0.1:1")
	if err == nil || !strings.Contains(err.Error(), "unavailable") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("got %v", err)
	}
	// set-params asks the node for the current params after checking its
	// flags: the node being down is reported as such.
	home := t.TempDir()
	_, _, err = runCLI(t, "", "tx", "authority", "propose", "set-params", "--timelock", "1h", "--from", "val0",
		"--home", home, "--chain-id", "x", "--keyring-backend", "test", "--node", "127.0.0.1:1")
	if err == nil || !strings.Contains(err.Error(), "unavailable") {
		t.Fatalf("got %v", err)
	}
}

func TestEventAttrAndDescribe(t *testing.T) {
	events := []*txtypes.Event{
		{Type: "other", Attributes: []*txtypes.EventAttribute{{Key: "proposal_id", Value: "9"}}},
		{Type: at.EventTypeProposalSubmitted, Attributes: []*txtypes.EventAttribute{{Key: "proposer", Value: addrA}, {Key: "proposal_id", Value: "4"}}},
	}
	if id, ok := eventAttr(events, at.EventTypeProposalSubmitted, "proposal_id"); !ok || id != "4" {
		t.Fatalf("got %q %v", id, ok)
	}
	if _, ok := eventAttr(events[:1], at.EventTypeProposalSubmitted, "proposal_id"); ok {
		t.Fatal("found an attribute of another event type")
	}
	a := &at.Action{Sum: &at.Action_GrantRole{GrantRole: &at.GrantRole{Address: addrA, Role: at.Role_ROLE_ISSUER, Allowance: 5 * ptrUnit}}}
	if d := describeAction(a); d != "grant-role "+addrA+" issuer allowance 5 PTR" {
		t.Fatalf("describe: %q", d)
	}
	if st, err := parseProposalStatus("Executed"); err != nil || st != at.ProposalStatus_PROPOSAL_STATUS_EXECUTED || statusName(st) != "executed" {
		t.Fatalf("status %v %v", st, err)
	}
}
