package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/cobra"
	"google.golang.org/protobuf/proto"

	"github.com/petro-network/petro/app"
	"github.com/petro-network/petro/crypto"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
)

const (
	flagP2PAddress = "p2p-address"
	flagJoinDir    = "dir"
	joinSignPrefix = "petro/genesis-join/v1\n"
)

// GenesisJoin is a validator operator's signed request to be in the
// genesis validator set (the SDK's gentx): its consensus key, node ID,
// moniker and power, signed by the operator's account key, by the node key
// (proving the node ID) and by the consensus key (proving possession).
// Every signature covers SignBytes.
type GenesisJoin struct {
	ChainID    string `json:"chain_id"`
	Operator   string `json:"operator"`          // bech32 account
	Moniker    string `json:"moniker"`           //
	Power      int64  `json:"power"`             //
	NodeID     string `json:"node_id"`           // hex, = ID(node_pub_key)
	ConsPubKey []byte `json:"consensus_pub_key"` // ed25519, 32 bytes
	P2PAddress string `json:"p2p_address,omitempty"`

	OperatorPubKey     []byte `json:"operator_pub_key"` // secp256k1, 33 bytes
	NodePubKey         []byte `json:"node_pub_key"`     // ed25519, 32 bytes
	OperatorSignature  []byte `json:"operator_signature"`
	NodeSignature      []byte `json:"node_signature"`
	ConsensusSignature []byte `json:"consensus_signature"`
}

// Validator is the join as x/authority stores it.
func (j *GenesisJoin) Validator() *authoritytypes.Validator {
	return &authoritytypes.Validator{PubKey: j.ConsPubKey, Power: j.Power, Operator: j.Operator, NodeId: j.NodeID, Moniker: j.Moniker}
}

// SignBytes is what the three keys sign: a fixed prefix, the chain id, the
// P2P address and the deterministic protobuf encoding of Validator().
func (j *GenesisJoin) SignBytes() ([]byte, error) {
	v, err := proto.MarshalOptions{Deterministic: true}.Marshal(j.Validator())
	if err != nil {
		return nil, err
	}
	return append([]byte(joinSignPrefix+j.ChainID+"\n"+j.P2PAddress+"\n"), v...), nil
}

// Verify checks the join against chainID: the validator record, the three
// signatures, and that the node ID and operator address are the keys'.
func (j *GenesisJoin) Verify(chainID string) error {
	if j.ChainID != chainID {
		return fmt.Errorf("signed for chain %q, this genesis is %q", j.ChainID, chainID)
	}
	if err := j.Validator().ValidateBasic(); err != nil {
		return err
	}
	sb, err := j.SignBytes()
	if err != nil {
		return err
	}
	if len(j.NodePubKey) != ed25519.PubKeySize {
		return errors.New("node key: want a 32-byte ed25519 key")
	}
	nodePub := ed25519.PubKey(j.NodePubKey)
	if id := string(p2p.PubKeyToID(nodePub)); id != j.NodeID {
		return fmt.Errorf("node ID %s is not the node key's ID %s", j.NodeID, id)
	}
	op, err := crypto.PubKeyFromBytes(j.OperatorPubKey)
	if err != nil {
		return fmt.Errorf("operator key: %w", err)
	}
	if op.Address().String() != j.Operator {
		return fmt.Errorf("operator %s is not the signing key's address %s", j.Operator, op.Address())
	}
	if !op.VerifySignature(sb, j.OperatorSignature) {
		return errors.New("operator signature does not verify")
	}
	if !nodePub.VerifySignature(sb, j.NodeSignature) {
		return errors.New("node key signature does not verify")
	}
	if !ed25519.PubKey(j.ConsPubKey).VerifySignature(sb, j.ConsensusSignature) {
		return errors.New("consensus key signature does not verify")
	}
	return nil
}

func newGenesisJoinCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "join --from KEY [--power N] [--moniker NAME] [--p2p-address HOST:PORT]",
		Short: "Sign this node's request to be a genesis validator (offline) and write config/gentx/join-<moniker>.json",
		Long: `Sign, with the operator key KEY of this home's keyring and with this node's
node key and consensus key, a request to be a genesis validator of the chain
in config/genesis.json (run petrod init --chain-id with the network's chain id
first). Send the file to the coordinator, who runs petrod genesis collect.
Nothing secret is in the file. --p2p-address is where the other validators
reach this node (it goes into the persistent_peers collect prints).`,
		Example: "  petrod genesis join --from operator --power 10 --p2p-address 203.0.113.7:26656",
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			home := homeFlag(cmd)
			from, _ := cmd.Flags().GetString(flagFrom)
			if from == "" {
				return &usageError{"--from KEY is required (the operator's key in this home's keyring)"}
			}
			power, _ := cmd.Flags().GetInt64(flagPower)
			if power <= 0 {
				return &usageError{"--power must be positive"}
			}
			cfg, err := LoadCometConfig(home)
			if err != nil {
				return err
			}
			moniker, _ := cmd.Flags().GetString(flagMoniker)
			if moniker == "" {
				moniker = cfg.Moniker
			}
			addr, _ := cmd.Flags().GetString(flagP2PAddress)
			doc, err := cmttypes.GenesisDocFromFile(cfg.GenesisFile())
			if err != nil {
				return fmt.Errorf("genesis %s (run petrod init --chain-id first): %w", cfg.GenesisFile(), err)
			}
			pv := privval.LoadFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile())
			nodeKey, err := p2p.LoadNodeKey(cfg.NodeKeyFile())
			if err != nil {
				return err
			}
			kr, err := openKeyring(cmd, newCLIInput(cmd), false)
			if err != nil {
				return err
			}
			rec, err := kr.Get(from)
			if err != nil {
				return err
			}
			j := &GenesisJoin{
				ChainID: doc.ChainID, Operator: rec.Address.String(), Moniker: moniker, Power: power,
				NodeID: string(nodeKey.ID()), ConsPubKey: pv.Key.PubKey.Bytes(), P2PAddress: addr,
				NodePubKey: nodeKey.PubKey().Bytes(),
			}
			sb, err := j.SignBytes()
			if err != nil {
				return err
			}
			sig, pub, err := kr.Sign(from, sb)
			if err != nil {
				return err
			}
			j.OperatorPubKey, j.OperatorSignature = pub.Bytes(), sig
			if j.NodeSignature, err = nodeKey.PrivKey.Sign(sb); err != nil {
				return err
			}
			if j.ConsensusSignature, err = pv.Key.PrivKey.Sign(sb); err != nil {
				return err
			}
			if err := j.Verify(doc.ChainID); err != nil {
				return fmt.Errorf("join does not verify: %w", err)
			}
			out, _ := cmd.Flags().GetString(flagOutputDocument)
			if out == "" {
				out = filepath.Join(home, "config", "gentx", "join-"+safeFileName(moniker)+".json")
			}
			if err := os.MkdirAll(filepath.Dir(out), 0o700); err != nil {
				return err
			}
			bz, err := json.MarshalIndent(j, "", "  ")
			if err != nil {
				return err
			}
			if err := writeFileAtomic(out, append(bz, '\n'), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (validator %s, node %s, operator %s)\n", out, moniker, j.NodeID, j.Operator)
			return nil
		},
	}
	f := cmd.Flags()
	f.String(flagFrom, "", "operator key name or address in the keyring (required)")
	f.Int64(flagPower, 10, "voting power")
	f.String(flagMoniker, "", "validator name (default: config.toml's moniker)")
	f.String(flagP2PAddress, "", "HOST:PORT where other validators reach this node (optional)")
	f.String(flagOutputDocument, "", "write the join here (default: config/gentx/join-<moniker>.json)")
	addKeyringFlag(cmd)
	return cmd
}

func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, s)
}

func newGenesisCollectCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "collect [--dir DIR]",
		Short: "Verify the operators' joins in DIR (default config/gentx) and make them the genesis validator set",
		Long: `Read every *.json join in DIR, verify each (chain id, the operator, node and
consensus signatures, node ID = the node key's ID) and refuse duplicate
consensus keys, node IDs or monikers. Every problem is listed. On success the
joins become the whole validator set, in app_state (with node IDs, so the
peer filter admits them) and in genesis.json's validators, and the
persistent_peers line for config.toml is printed.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			home := homeFlag(cmd)
			dir, _ := cmd.Flags().GetString(flagJoinDir)
			if dir == "" {
				dir = filepath.Join(home, "config", "gentx")
			}
			files, err := filepath.Glob(filepath.Join(dir, "*.json"))
			if err != nil {
				return err
			}
			sort.Strings(files)
			if len(files) == 0 {
				return fmt.Errorf("no joins (*.json) in %s", dir)
			}
			var peers []string
			err = editGenesis(home, func(doc *cmttypes.GenesisDoc, gs *app.GenesisState) error {
				var problems []string
				var joins []*GenesisJoin
				seenKey, seenNode, seenName := map[string]string{}, map[string]string{}, map[string]string{}
				for _, f := range files {
					name := filepath.Base(f)
					bz, err := os.ReadFile(f)
					if err != nil {
						problems = append(problems, fmt.Sprintf("%s: %v", name, err))
						continue
					}
					j := &GenesisJoin{}
					dec := json.NewDecoder(bytes.NewReader(bz))
					dec.DisallowUnknownFields()
					if err := dec.Decode(j); err != nil {
						problems = append(problems, fmt.Sprintf("%s: not a join: %v", name, err))
						continue
					}
					if err := j.Verify(doc.ChainID); err != nil {
						problems = append(problems, fmt.Sprintf("%s: %v", name, err))
						continue
					}
					for _, d := range []struct {
						seen map[string]string
						key  string
						what string
					}{{seenKey, string(j.ConsPubKey), "consensus key"}, {seenNode, j.NodeID, "node ID " + j.NodeID}, {seenName, j.Moniker, "moniker " + j.Moniker}} {
						if other, ok := d.seen[d.key]; ok {
							problems = append(problems, fmt.Sprintf("%s: %s already in %s", name, d.what, other))
						}
						d.seen[d.key] = name
					}
					joins = append(joins, j)
				}
				if len(problems) > 0 {
					printProblems(cmd.OutOrStdout(), problems)
					return fmt.Errorf("%d problems in the joins of %s", len(problems), dir)
				}
				gs.Authority.Validators, doc.Validators = nil, nil
				for _, j := range joins {
					gs.Authority.Validators = append(gs.Authority.Validators, j.Validator())
					pk := ed25519.PubKey(j.ConsPubKey)
					doc.Validators = append(doc.Validators, cmttypes.GenesisValidator{Address: pk.Address(), PubKey: pk, Power: j.Power, Name: j.Moniker})
					if j.P2PAddress != "" {
						peers = append(peers, j.NodeID+"@"+j.P2PAddress)
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "collected %d joins from %s\n", len(files), dir)
			if len(peers) > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "persistent_peers = %q\n", strings.Join(peers, ","))
			}
			return nil
		},
	}
	cmd.Flags().String(flagJoinDir, "", "directory of join files (default: <home>/config/gentx)")
	return cmd
}
