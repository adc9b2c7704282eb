package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/spf13/cobra"

	"github.com/petro-network/petro/keyring"
)

// clientKey is one setting of <home>/config/client.toml, the Cosmos SDK's
// client config: the default of the flag of the same name in every command
// that opts that flag in (fromClientConfig). A flag given on the command
// line wins, then the environment variable, then client.toml, then the
// flag's built-in default.
type clientKey struct {
	name  string // key in client.toml and flag name
	help  string
	check func(string) error // nil error for a valid, non-empty value
}

func clientKeys() []clientKey {
	oneOf := func(flag string, want ...string) func(string) error {
		return func(v string) error {
			for _, w := range want {
				if v == w {
					return nil
				}
			}
			return fmt.Errorf("%s %q: want %s", flag, v, strings.Join(want, " or "))
		}
	}
	return []clientKey{
		{flagChainID, "chain id to sign for (tx commands, bench)", func(string) error { return nil }},
		{flagNode, "gRPC address host:port of a petro node (tx, query and audit commands)", checkGRPCAddr},
		{flagNodeRPC, "CometBFT RPC URL of a node, e.g. http://127.0.0.1:26657 (status, audit, bench)", checkRPCURL},
		{flagKeyringBackend, "keyring backend: file|test", oneOf(flagKeyringBackend, keyring.BackendFile, keyring.BackendTest)},
		{flagOutput, "output format: text|json", oneOf(flagOutput, outputText, outputJSON)},
		{flagBroadcastMode, "sync|commit (tx commands)", oneOf(flagBroadcastMode, "sync", "commit")},
		{flagWitness, "CometBFT RPC URLs of other operators' nodes, comma-separated, that confirm every header (audit)", func(v string) error {
			for _, u := range strings.Split(v, ",") {
				if err := checkRPCURL(strings.TrimSpace(u)); err != nil {
					return err
				}
			}
			return nil
		}},
	}
}

func lookupClientKey(name string) (clientKey, error) {
	var names []string
	for _, k := range clientKeys() {
		if k.name == name {
			return k, nil
		}
		names = append(names, k.name)
	}
	return clientKey{}, &usageError{fmt.Sprintf("unknown client config key %q: want one of %s", name, strings.Join(names, ", "))}
}

// clientEnv is the environment variable of a key: PETRO_ and the key in
// upper case with _ for -, e.g. PETRO_KEYRING_BACKEND.
func clientEnv(name string) string {
	return "PETRO_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

func clientConfigPath(home string) string { return filepath.Join(home, "config", "client.toml") }

// loadClientConfig reads client.toml under home: key → value, only the keys
// set (a missing file sets none). Unknown keys and invalid values are errors
// naming the file.
func loadClientConfig(home string) (map[string]string, error) {
	path := clientConfigPath(home)
	bz, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	var m map[string]string
	if _, err := toml.Decode(string(bz), &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names) // the same file gives the same error
	for _, name := range names {
		v := m[name]
		k, err := lookupClientKey(name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if v == "" {
			delete(m, name)
			continue
		}
		if err := k.check(v); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return m, nil
}

// writeClientConfig writes every key, unset ones as "" (= the flag's
// default), with a comment each.
func writeClientConfig(home string, m map[string]string) error {
	var buf bytes.Buffer
	buf.WriteString("# petrod client settings: defaults for the flags of the same name.\n")
	buf.WriteString("# A flag on the command line wins, then PETRO_<KEY> in the environment, then this file.\n")
	buf.WriteString("# Edit with `petrod config set KEY VALUE`; \"\" means the flag's own default.\n")
	for _, k := range clientKeys() {
		fmt.Fprintf(&buf, "\n# %s\n", k.help)
		if err := toml.NewEncoder(&buf).Encode(map[string]string{k.name: m[k.name]}); err != nil {
			return err
		}
	}
	return writeFileAtomic(clientConfigPath(home), buf.Bytes(), 0o644)
}

// clientConfigAnnotation marks the flags that take their default from the
// environment and client.toml. Flags are opted in (fromClientConfig) rather
// than matched by name alone: `testnet --output` is a directory and
// `init --chain-id` names a chain to create.
const clientConfigAnnotation = "petro/client-config"

// fromClientConfig opts the named flags of fs (a *pflag.FlagSet) in to
// client.toml.
func fromClientConfig(fs interface {
	SetAnnotation(name, key string, values []string) error
}, names ...string) {
	for _, n := range names {
		if err := fs.SetAnnotation(n, clientConfigAnnotation, []string{"true"}); err != nil {
			panic(err) // a flag name typo in a command constructor
		}
	}
}

// applyClientConfig fills each flag of cmd marked by fromClientConfig that
// was not given on the command line from the environment or, else,
// client.toml (read only if a flag needs it). Changed stays false, so
// commands still see that the user did not give the flag.
func applyClientConfig(cmd *cobra.Command) error {
	var file map[string]string // read only when a flag needs it
	for _, k := range clientKeys() {
		f := cmd.Flags().Lookup(k.name)
		if f == nil || f.Changed || f.Annotations[clientConfigAnnotation] == nil {
			continue
		}
		v, from := os.Getenv(clientEnv(k.name)), "$"+clientEnv(k.name)
		if v == "" {
			if file == nil {
				var err error
				if file, err = loadClientConfig(homeFlag(cmd)); err != nil {
					return err
				}
			}
			v, from = file[k.name], clientConfigPath(homeFlag(cmd))
		}
		if v == "" {
			continue
		}
		if err := k.check(v); err != nil {
			return &usageError{fmt.Sprintf("%s: %v", from, err)}
		}
		if err := f.Value.Set(v); err != nil {
			return &usageError{fmt.Sprintf("%s: %s %q: %v", from, k.name, v, err)}
		}
	}
	return nil
}

func init() { extraCommands = append(extraCommands, newConfigCmd) }

func newConfigCmd() *cobra.Command {
	var keys []string
	for _, k := range clientKeys() {
		keys = append(keys, fmt.Sprintf("  %-16s %s (env %s)", k.name, k.help, clientEnv(k.name)))
	}
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Get and set client defaults (chain-id, node, keyring-backend, output, …) in <home>/config/client.toml",
		Long: `Get and set the client settings in <home>/config/client.toml (the Cosmos SDK's
client.toml). Each is the default of the flag of the same name in every
client command (keys, tx, query, status, audit, bench): a flag on the command
line wins, then the environment variable, then client.toml, then the flag's
built-in default. Commands that create a chain (init, testnet) take nothing
from it.

Keys:
` + strings.Join(keys, "\n"),
		Example: `  petrod config set chain-id petro-dev-1 --home "$HOME/.petro-dev"
  petrod config set keyring-backend test --home "$HOME/.petro-dev"
  petrod config get node
  petrod config list`,
	}
	get := &cobra.Command{
		Use:   "get KEY",
		Short: "Print one setting (empty when unset)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := lookupClientKey(args[0]); err != nil {
				return err
			}
			m, err := loadClientConfig(homeFlag(cmd))
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), m[args[0]])
			return nil
		},
	}
	set := &cobra.Command{
		Use:   "set KEY VALUE",
		Short: `Set one setting ("" unsets it), creating client.toml if needed`,
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := lookupClientKey(args[0])
			if err != nil {
				return err
			}
			if args[1] != "" {
				if err := k.check(args[1]); err != nil {
					return &usageError{err.Error()}
				}
			}
			home := homeFlag(cmd)
			m, err := loadClientConfig(home)
			if err != nil {
				return err
			}
			m[k.name] = args[1]
			if err := writeClientConfig(home, m); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%s = %q in %s\n", k.name, args[1], clientConfigPath(home))
			return nil
		},
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "Print every setting of client.toml",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := newPrinter(cmd)
			if err != nil {
				return err
			}
			m, err := loadClientConfig(homeFlag(cmd))
			if err != nil {
				return err
			}
			all := map[string]string{}
			for _, k := range clientKeys() {
				all[k.name] = m[k.name]
			}
			return p.print(all, func(w io.Writer) {
				for _, k := range clientKeys() {
					fmt.Fprintf(w, "%s = %q\n", k.name, all[k.name])
				}
			})
		},
	}
	addOutputFlag(list)
	cmd.AddCommand(get, set, list)
	return cmd
}
