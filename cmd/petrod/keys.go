package main

import (
	"bufio"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/keyring"
)

const (
	flagKeyringBackend = "keyring-backend"
	flagRecover        = "recover"
	flagAddressOnly    = "address"
	flagPubKeyOnly     = "pubkey"
	flagYes            = "yes"
	flagUnarmoredHex   = "unarmored-hex"
	flagUnsafe         = "unsafe"

	// envKeyringPassphrase, when set, is the file keyring's passphrase
	// (for scripts; it is visible to other processes of the same user).
	envKeyringPassphrase = "PETRO_KEYRING_PASSPHRASE"
)

func newKeysCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Manage the keys in the keyring under --home",
		Long: `Manage secp256k1 keys in the keyring under --home.

Backends (--keyring-backend):
  file  (default) <home>/keyring-file/, encrypted with a passphrase: from
        $` + envKeyringPassphrase + `, else asked on the terminal, else read as one
        line from stdin.
  test  <home>/keyring-test/, UNENCRYPTED: for scripts, localnets and petrod dev.

Only add and import create a keyring; the other commands fail on a missing
one, naming the directory searched and any other backend's keyring there.
Set the backend once with ` + "`petrod config set keyring-backend test`" + `.`,
	}
	cmd.AddCommand(newKeysAddCmd(), newKeysListCmd(), newKeysShowCmd(), newKeysDeleteCmd(), newKeysImportCmd(), newKeysExportCmd())
	return cmd
}

func addKeyringFlag(cmd *cobra.Command) {
	cmd.Flags().String(flagKeyringBackend, keyring.BackendFile, "keyring backend: file|test")
	fromClientConfig(cmd.Flags(), flagKeyringBackend)
}

// cliInput is a command's stdin, read line by line. Commands that read more
// than one line (a mnemonic, then a passphrase) share one so no buffered
// input is lost.
type cliInput struct {
	in  io.Reader
	buf *bufio.Reader
	err io.Writer
}

func newCLIInput(cmd *cobra.Command) *cliInput {
	return &cliInput{in: cmd.InOrStdin(), buf: bufio.NewReader(cmd.InOrStdin()), err: cmd.ErrOrStderr()}
}

// terminal reports whether stdin is an interactive terminal.
func (c *cliInput) terminal() (int, bool) {
	f, ok := c.in.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0, false
	}
	return int(f.Fd()), true
}

// line prints prompt on stderr when stdin is a terminal, then reads one line
// (without its line ending).
func (c *cliInput) line(prompt string) (string, error) {
	if _, ok := c.terminal(); ok && prompt != "" {
		fmt.Fprint(c.err, prompt)
	}
	s, err := c.buf.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && s != "") {
		if errors.Is(err, io.EOF) {
			return "", errors.New("unexpected end of input on stdin")
		}
		return "", err
	}
	return strings.TrimRight(s, "\r\n"), nil
}

// secret reads a passphrase: without echo on a terminal, else one line.
func (c *cliInput) secret(prompt string) (string, error) {
	fd, ok := c.terminal()
	if !ok {
		return c.line("")
	}
	fmt.Fprint(c.err, prompt)
	b, err := term.ReadPassword(fd)
	fmt.Fprintln(c.err)
	return string(b), err
}

// openKeyring opens the keyring chosen by --keyring-backend under --home.
// For the file backend the passphrase comes from $PETRO_KEYRING_PASSPHRASE
// or is asked once per command (and cached for the command's lifetime); with
// confirmNew, a terminal user is asked twice when the keyring holds no key
// yet (the first key sets the passphrase of the whole keyring).
func openKeyring(cmd *cobra.Command, in *cliInput, confirmNew bool) (keyring.Keyring, error) {
	backend, _ := cmd.Flags().GetString(flagKeyringBackend)
	switch backend {
	case keyring.BackendFile, keyring.BackendTest:
	default:
		return nil, &usageError{fmt.Sprintf("--%s %q: want file or test", flagKeyringBackend, backend)}
	}
	var (
		kr     keyring.Keyring
		cached *string
	)
	pass := func() (string, error) {
		if cached != nil {
			return *cached, nil
		}
		p, err := askPassphrase(in, kr, confirmNew)
		if err != nil {
			return "", err
		}
		cached = &p
		return p, nil
	}
	home := homeFlag(cmd)
	if !confirmNew {
		// Only add and import create a keyring: anything else on a missing
		// one is a wrong --home or --keyring-backend, never "no keys".
		if _, err := os.Stat(home); err != nil {
			return nil, fmt.Errorf("home %s does not exist (is --%s right?); create it with `petrod init` or `petrod keys add`", home, flagHome)
		}
		if _, err := os.Stat(keyringDir(home, backend)); err != nil {
			empty, err := keyring.New(keyring.BackendMemory, "", nil)
			if err != nil {
				return nil, err
			}
			return hintingKeyring{Keyring: empty, backend: backend, home: home, missing: true}, nil
		}
	}
	kr, err := keyring.New(backend, home, pass)
	if err != nil {
		return nil, err
	}
	return hintingKeyring{Keyring: kr, backend: backend, home: home}, nil
}

func askPassphrase(in *cliInput, kr keyring.Keyring, confirmNew bool) (string, error) {
	if p := os.Getenv(envKeyringPassphrase); p != "" {
		return p, nil
	}
	if _, ok := in.terminal(); !ok {
		return in.line("")
	}
	newKeyring := false
	if confirmNew {
		recs, err := kr.List()
		newKeyring = err == nil && len(recs) == 0
	}
	if !newKeyring {
		return in.secret("Enter keyring passphrase: ")
	}
	p, err := in.secret("Enter a passphrase for the new keyring: ")
	if err != nil {
		return "", err
	}
	again, err := in.secret("Repeat the passphrase: ")
	if err != nil {
		return "", err
	}
	if p != again {
		return "", errors.New("passphrases do not match")
	}
	return p, nil
}

// keyOut is a key as the keys commands print it: keyring.Record's JSON
// shape (pubkey in base64, like protojson bytes) plus the new mnemonic.
type keyOut struct {
	Name     string `json:"name"`
	Address  string `json:"address"`
	PubKey   string `json:"pubkey"`
	Mnemonic string `json:"mnemonic,omitempty"`
	// A multisig record's threshold and members (base64), #13.
	Threshold int      `json:"threshold,omitempty"`
	Members   []string `json:"members,omitempty"`
}

func toKeyOut(r keyring.Record) keyOut {
	out := keyOut{Name: r.Name, Address: r.Address.String(), PubKey: base64.StdEncoding.EncodeToString(r.PubKey.Bytes())}
	if r.Threshold != nil {
		out.Threshold = r.Threshold.Threshold()
		for _, m := range r.Threshold.MemberBytes() {
			out.Members = append(out.Members, base64.StdEncoding.EncodeToString(m))
		}
	}
	return out
}

func printKey(w io.Writer, k keyOut) {
	fmt.Fprintf(w, "name: %s\naddress: %s\npubkey: %s\n", k.Name, k.Address, k.PubKey)
	if k.Threshold > 0 {
		fmt.Fprintf(w, "multisig: %d of %d\nmembers: %s\n", k.Threshold, len(k.Members), strings.Join(k.Members, ","))
	}
}

const mnemonicWarning = "**Important** write this mnemonic phrase in a safe place. It is the only way to recover this key, and it is shown only once."

func newKeysAddCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add NAME",
		Short: "Create a key from a new 24-word mnemonic, or recover one with --recover",
		Long: `Create a key at m/44'/118'/0'/0/0 of a new 24-word BIP-39 mnemonic and print
its address and the mnemonic, once. With --recover, read an existing
mnemonic as one line from stdin (before the passphrase, if that is read from
stdin too). With --multisig A,B,C --multisig-threshold K, store the K-of-N
threshold key of those members (no private key, no mnemonic): its address
is the threshold account's, and its txs are signed offline by K members
(petrod tx sign --multisig, then petrod tx multisign).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := newPrinter(cmd)
			if err != nil {
				return err
			}
			if err := keyring.ValidateName(args[0]); err != nil {
				return &usageError{err.Error()}
			}
			if cmd.Flags().Changed(flagMultisig) {
				return addMultisigKey(cmd, p, args[0])
			}
			in := newCLIInput(cmd)
			kr, err := openKeyring(cmd, in, true)
			if err != nil {
				return err
			}
			fromMnemonic, _ := cmd.Flags().GetBool(flagRecover)
			if fromMnemonic {
				m, err := in.line("Enter your BIP-39 mnemonic: ")
				if err != nil {
					return err
				}
				if err := crypto.ValidateMnemonic(m); err != nil {
					return err
				}
				rec, err := kr.Recover(args[0], crypto.NormalizeMnemonic(m))
				if err != nil {
					return err
				}
				out := toKeyOut(rec)
				return p.print(out, func(w io.Writer) { printKey(w, out) })
			}
			rec, mnemonic, err := kr.Add(args[0])
			if err != nil {
				return err
			}
			out := toKeyOut(rec)
			out.Mnemonic = mnemonic
			if p.json {
				fmt.Fprintln(cmd.ErrOrStderr(), mnemonicWarning)
			}
			return p.print(out, func(w io.Writer) {
				printKey(w, out)
				fmt.Fprintf(w, "\n%s\n\n%s\n", mnemonicWarning, mnemonic)
			})
		},
	}
	cmd.Flags().Bool(flagRecover, false, "recover the key from a mnemonic read from stdin")
	cmd.Flags().String(flagMultisig, "", "store a multisig (threshold) key of these members instead: comma-separated key names or addresses in the keyring, or public keys (hex or base64); the record has no private key")
	cmd.Flags().Int(flagMultisigThreshold, 1, "with --multisig: how many members must sign (k of n)")
	addKeyringFlag(cmd)
	addOutputFlag(cmd)
	return cmd
}

func newKeysListCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the keys (names, addresses, public keys)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := newPrinter(cmd)
			if err != nil {
				return err
			}
			kr, err := openKeyring(cmd, newCLIInput(cmd), false)
			if err != nil {
				return err
			}
			recs, err := kr.List()
			if err != nil {
				return err
			}
			out := make([]keyOut, len(recs))
			for i, r := range recs {
				out[i] = toKeyOut(r)
			}
			return p.print(out, func(w io.Writer) {
				if len(out) == 0 {
					fmt.Fprintln(cmd.ErrOrStderr(), "no keys")
				}
				for _, k := range out {
					fmt.Fprintf(w, "%-20s %s\n", k.Name, k.Address)
				}
			})
		},
	}
	addKeyringFlag(cmd)
	addOutputFlag(cmd)
	return cmd
}

func newKeysShowCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show NAME_OR_ADDRESS",
		Short: "Show one key's address and public key",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := newPrinter(cmd)
			if err != nil {
				return err
			}
			kr, err := openKeyring(cmd, newCLIInput(cmd), false)
			if err != nil {
				return err
			}
			rec, err := kr.Get(args[0])
			if err != nil {
				return err
			}
			out := toKeyOut(rec)
			addrOnly, _ := cmd.Flags().GetBool(flagAddressOnly)
			pubOnly, _ := cmd.Flags().GetBool(flagPubKeyOnly)
			switch {
			case addrOnly && pubOnly:
				return &usageError{fmt.Sprintf("give --%s or --%s, not both", flagAddressOnly, flagPubKeyOnly)}
			case addrOnly:
				return p.print(map[string]string{"address": out.Address}, func(w io.Writer) { fmt.Fprintln(w, out.Address) })
			case pubOnly:
				return p.print(map[string]string{"pubkey": out.PubKey}, func(w io.Writer) { fmt.Fprintln(w, out.PubKey) })
			}
			return p.print(out, func(w io.Writer) { printKey(w, out) })
		},
	}
	cmd.Flags().BoolP(flagAddressOnly, "a", false, "print only the address")
	cmd.Flags().BoolP(flagPubKeyOnly, "p", false, "print only the public key (base64 of the 33-byte compressed key)")
	addKeyringFlag(cmd)
	addOutputFlag(cmd)
	return cmd
}

func newKeysDeleteCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "delete NAME_OR_ADDRESS",
		Short: "Delete a key (asks for confirmation unless -y)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in := newCLIInput(cmd)
			kr, err := openKeyring(cmd, in, false)
			if err != nil {
				return err
			}
			rec, err := kr.Get(args[0])
			if err != nil {
				return err
			}
			if yes, _ := cmd.Flags().GetBool(flagYes); !yes {
				fmt.Fprintf(cmd.ErrOrStderr(), "Delete key %q (%s)? Without its mnemonic it cannot be recovered. [y/N]: ", rec.Name, rec.Address)
				ans, err := in.line("")
				if err != nil {
					return fmt.Errorf("no confirmation (use -y in scripts): %w", err)
				}
				if a := strings.ToLower(strings.TrimSpace(ans)); a != "y" && a != "yes" {
					return errors.New("aborted: key not deleted")
				}
			}
			if err := kr.Delete(rec.Name); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "deleted key %q (%s)\n", rec.Name, rec.Address)
			return nil
		},
	}
	cmd.Flags().BoolP(flagYes, "y", false, "delete without asking")
	addKeyringFlag(cmd)
	return cmd
}

func newKeysImportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import NAME FILE",
		Short: "Import a private key exported with `petrod keys export` (armored, passphrase-protected)",
		Long: `Import a private key from FILE, as written by ` + "`petrod keys export`" + `: ASCII armor
sealed with a passphrase (asked on the terminal, else read as one line from
stdin before the keyring passphrase). FILE - reads the armor from stdin.

With --` + flagUnarmoredHex + `, import a raw 32-byte secp256k1 private key as 64 hex
digits instead: given as the second argument, or read as one line from stdin
when it is omitted (which keeps it out of shell history).`,
		Example: `  petrod keys export alice > alice.key
  petrod keys import alice2 alice.key --keyring-backend test`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := newPrinter(cmd)
			if err != nil {
				return err
			}
			if err := keyring.ValidateName(args[0]); err != nil {
				return &usageError{err.Error()}
			}
			in := newCLIInput(cmd)
			var hexKey string
			if rawHex, _ := cmd.Flags().GetBool(flagUnarmoredHex); rawHex {
				if len(args) == 2 {
					hexKey = args[1]
				} else if hexKey, err = in.secret("Enter the private key (hex): "); err != nil {
					return err
				}
			} else {
				if len(args) != 2 {
					return &usageError{fmt.Sprintf("import NAME FILE: the exported key file is missing (a raw hex key needs --%s)", flagUnarmoredHex)}
				}
				if hexKey, err = readArmoredKey(in, args[1]); err != nil {
					return err
				}
			}
			kr, err := openKeyring(cmd, in, true)
			if err != nil {
				return err
			}
			rec, err := kr.ImportPrivKeyHex(args[0], strings.TrimSpace(hexKey))
			if err != nil {
				return err
			}
			out := toKeyOut(rec)
			return p.print(out, func(w io.Writer) { printKey(w, out) })
		},
	}
	cmd.Flags().Bool(flagUnarmoredHex, false, "import a raw private key given as 64 hex digits instead of an armored file")
	addKeyringFlag(cmd)
	addOutputFlag(cmd)
	return cmd
}

// readArmoredKey reads an exported key from path ("-": stdin), asks for its
// passphrase and returns the private key as hex for ImportPrivKeyHex.
func readArmoredKey(in *cliInput, path string) (string, error) {
	var (
		bz  []byte
		err error
	)
	if path == "-" {
		// Up to the END line, so a passphrase can follow on stdin.
		for {
			l, err := in.line("")
			if err != nil {
				return "", fmt.Errorf("reading the exported key from stdin: %w", err)
			}
			bz = append(append(bz, l...), '\n')
			if strings.HasPrefix(l, "-----END") {
				break
			}
		}
	} else {
		bz, err = os.ReadFile(path)
	}
	if err != nil {
		return "", err
	}
	pass, err := in.secret("Enter the passphrase of the exported key: ")
	if err != nil {
		return "", fmt.Errorf("export passphrase: %w", err)
	}
	priv, err := keyring.DecryptArmor(string(bz), pass)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	b := priv.Bytes()
	defer clear(b)
	return hex.EncodeToString(b), nil
}

func newKeysExportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export NAME_OR_ADDRESS",
		Short: "Print a key's private key, encrypted with a passphrase (ASCII armor)",
		Long: `Print a key's private key as ASCII armor, sealed with a new passphrase
(scrypt + XChaCha20-Poly1305, as the file keyring), for ` + "`petrod keys import`" + `.
The passphrase is asked twice on the terminal, else read as one line from
stdin (after the keyring passphrase, if that is read from stdin too).

--` + flagUnarmoredHex + ` --` + flagUnsafe + ` print the raw, UNENCRYPTED private key as hex instead.`,
		Example: `  petrod keys export alice > alice.key
  petrod keys export alice --unarmored-hex --unsafe`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := newPrinter(cmd)
			if err != nil {
				return err
			}
			rawHex, _ := cmd.Flags().GetBool(flagUnarmoredHex)
			unsafe, _ := cmd.Flags().GetBool(flagUnsafe)
			if rawHex != unsafe {
				return &usageError{fmt.Sprintf("an unencrypted export needs both --%s and --%s", flagUnarmoredHex, flagUnsafe)}
			}
			in := newCLIInput(cmd)
			kr, err := openKeyring(cmd, in, false)
			if err != nil {
				return err
			}
			rec, err := kr.Get(args[0])
			if err != nil {
				return err
			}
			if rawHex {
				hexKey, err := kr.ExportPrivKeyHex(rec.Name)
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.ErrOrStderr(), "WARNING: this is the UNENCRYPTED private key. Anyone who sees it controls the account; do not store it in plain files or shell history.")
				return p.print(struct {
					Name       string `json:"name"`
					Address    string `json:"address"`
					PrivKeyHex string `json:"privkey_hex"`
				}{rec.Name, rec.Address.String(), hexKey}, func(w io.Writer) { fmt.Fprintln(w, hexKey) })
			}
			priv, err := kr.PrivKey(rec.Name)
			if err != nil {
				return err
			}
			pass, err := newExportPassphrase(in)
			if err != nil {
				return err
			}
			armored, err := keyring.EncryptArmor(priv, pass)
			if err != nil {
				return err
			}
			return p.print(struct {
				Name    string `json:"name"`
				Address string `json:"address"`
				Armor   string `json:"armor"`
			}{rec.Name, rec.Address.String(), armored}, func(w io.Writer) { fmt.Fprintln(w, armored) })
		},
	}
	cmd.Flags().Bool(flagUnarmoredHex, false, "print the raw private key as hex instead of armor (needs --"+flagUnsafe+")")
	cmd.Flags().Bool(flagUnsafe, false, "confirm an unencrypted export (with --"+flagUnarmoredHex+")")
	addKeyringFlag(cmd)
	addOutputFlag(cmd)
	return cmd
}

// newExportPassphrase asks for the passphrase that seals an export: twice on
// a terminal, else one line from stdin. Empty is refused.
func newExportPassphrase(in *cliInput) (string, error) {
	p, err := in.secret("Enter a passphrase to encrypt the exported key: ")
	if err != nil {
		return "", fmt.Errorf("export passphrase: %w", err)
	}
	if p == "" {
		return "", errors.New("export passphrase: empty (an exported key is always encrypted; see --" + flagUnarmoredHex + " --" + flagUnsafe + ")")
	}
	if _, ok := in.terminal(); ok {
		again, err := in.secret("Repeat the passphrase: ")
		if err != nil {
			return "", err
		}
		if again != p {
			return "", errors.New("passphrases do not match")
		}
	}
	return p, nil
}
