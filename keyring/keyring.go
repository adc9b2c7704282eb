package keyring

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/crypto/multisig"
)

// Backend names accepted by New (the Cosmos SDK's names).
const (
	BackendFile   = "file"   // encrypted at rest, <home>/keyring-file/
	BackendTest   = "test"   // plaintext, <home>/keyring-test/; scripts and tests only
	BackendMemory = "memory" // plaintext, in process memory; unit tests
)

// Errors returned (possibly wrapped) by Keyring methods; test with errors.Is.
var (
	ErrKeyExists       = errors.New("key already exists")
	ErrKeyNotFound     = errors.New("key not found")
	ErrWrongPassphrase = errors.New("wrong passphrase")
	ErrEmptyPassphrase = errors.New("empty passphrase: the file backend needs a passphrase (use the test backend for unencrypted keys)")
	ErrInvalidName     = errors.New("invalid key name: use 1-64 characters from [a-zA-Z0-9._-], not an address")
	ErrUnknownBackend  = errors.New("unknown keyring backend (want file, test or memory)")
	ErrCorruptKeyFile  = errors.New("corrupt key file")
	// ErrNoPrivateKey: the record is a threshold (multisig) key, which has
	// no private key: its members sign, each with their own key.
	ErrNoPrivateKey = errors.New("a multisig key has no private key: sign with a member's key (tx sign --multisig)")
)

// Record is the public view of a stored key. Address is always
// PubKey.Address(), or Threshold.Address() for a multisig record. Its JSON
// form is
//
//	{"name":"alice","address":"petro1…","pubkey":"<base64 of the 33-byte compressed key>"}
//
// and for a multisig record (no private key; #13)
//
//	{"name":"issuer","address":"petro1…","pubkey":"","threshold":2,"members":["<base64>",…]}
//
// with the members in canonical (ascending) order.
type Record struct {
	Name    string
	PubKey  *crypto.PubKey // nil for a multisig record
	Address crypto.Address
	// Threshold is the k-of-n key of a multisig record, nil otherwise.
	Threshold *multisig.PubKey
}

type recordJSON struct {
	Name      string   `json:"name"`
	Address   string   `json:"address"`
	PubKey    string   `json:"pubkey"`
	Threshold uint32   `json:"threshold,omitempty"`
	Members   []string `json:"members,omitempty"`
}

// MarshalJSON writes the shape documented on Record.
func (r Record) MarshalJSON() ([]byte, error) {
	return json.Marshal(r.toJSON())
}

func (r Record) toJSON() recordJSON {
	j := recordJSON{Name: r.Name, Address: r.Address.String(), PubKey: base64.StdEncoding.EncodeToString(r.PubKey.Bytes())}
	if r.Threshold != nil {
		j.Threshold = uint32(r.Threshold.Threshold())
		for _, m := range r.Threshold.MemberBytes() {
			j.Members = append(j.Members, base64.StdEncoding.EncodeToString(m))
		}
	}
	return j
}

// UnmarshalJSON reads the shape documented on Record and checks that the
// address belongs to the public key.
func (r *Record) UnmarshalJSON(b []byte) error {
	var j recordJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	rec, err := recordFromJSON(j)
	if err != nil {
		return err
	}
	*r = rec
	return nil
}

func recordFromJSON(j recordJSON) (Record, error) {
	if len(j.Members) > 0 || j.Threshold != 0 {
		return multisigRecordFromJSON(j)
	}
	pkBytes, err := base64.StdEncoding.DecodeString(j.PubKey)
	if err != nil {
		return Record{}, fmt.Errorf("pubkey: %w", err)
	}
	pk, err := crypto.PubKeyFromBytes(pkBytes)
	if err != nil {
		return Record{}, err
	}
	addr, err := crypto.AddressFromBech32(j.Address)
	if err != nil {
		return Record{}, err
	}
	if !addr.Equals(pk.Address()) {
		return Record{}, fmt.Errorf("address %s does not belong to pubkey %s", j.Address, pk)
	}
	return Record{Name: j.Name, PubKey: pk, Address: addr}, nil
}

func multisigRecordFromJSON(j recordJSON) (Record, error) {
	if j.PubKey != "" {
		return Record{}, errors.New("a multisig record has members, not a pubkey")
	}
	members := make([][]byte, len(j.Members))
	for i, m := range j.Members {
		b, err := base64.StdEncoding.DecodeString(m)
		if err != nil {
			return Record{}, fmt.Errorf("member %d: %w", i, err)
		}
		members[i] = b
	}
	mk, err := multisig.Parse(j.Threshold, members, nil)
	if err != nil {
		return Record{}, err
	}
	addr, err := crypto.AddressFromBech32(j.Address)
	if err != nil {
		return Record{}, err
	}
	if !addr.Equals(mk.Address()) {
		return Record{}, fmt.Errorf("address %s does not belong to the multisig key", j.Address)
	}
	return Record{Name: j.Name, Address: addr, Threshold: mk}, nil
}

// Keyring stores named secp256k1 keys. Methods that take an existing key
// accept its name or its bech32 address (names can never look like an
// address, so the two never clash). All methods are safe for concurrent use
// within one process; two processes adding the same name at once cannot
// both succeed (files are created without overwriting).
//
// On the file backend, Add, Recover, ImportPrivKeyHex, ExportPrivKeyHex,
// Sign and PrivKey call the passphrase function once per call; List, Get
// and Delete never do. Every key in one keyring directory shares one
// passphrase: adding a key with a passphrase that does not open the
// existing keys fails with ErrWrongPassphrase.
type Keyring interface {
	// Backend returns the backend name given to New.
	Backend() string
	// Add creates a key from a new 24-word mnemonic at m/44'/118'/0'/0/0 and
	// returns the mnemonic, which is not stored: the caller must show it once.
	Add(name string) (rec Record, mnemonic string, err error)
	// Recover stores the key at m/44'/118'/0'/0/0 of mnemonic (no BIP-39
	// passphrase). It gives the same address as the Add that printed it.
	Recover(name, mnemonic string) (Record, error)
	// ImportPrivKeyHex stores a raw 32-byte private key given as 64 hex digits.
	ImportPrivKeyHex(name, privKeyHex string) (Record, error)
	// ExportPrivKeyHex returns the raw private key as 64 lower-case hex digits.
	// The result is unencrypted; callers must warn the user.
	ExportPrivKeyHex(nameOrAddress string) (string, error)
	// List returns every stored key, sorted by name.
	List() ([]Record, error)
	// Get returns one key's public record.
	Get(nameOrAddress string) (Record, error)
	// Delete removes a key. It asks for no passphrase: confirm in the CLI.
	Delete(nameOrAddress string) error
	// Sign signs msg with crypto.PrivKey.Sign (64-byte R‖S over SHA-256(msg),
	// low-S) and returns the signature and the signer's public key.
	Sign(nameOrAddress string, msg []byte) (sig []byte, pub *crypto.PubKey, err error)
	// PrivKey returns the private key, for callers that sign many messages
	// without asking for the passphrase each time. A multisig record fails
	// with ErrNoPrivateKey (as do Sign and ExportPrivKeyHex).
	PrivKey(nameOrAddress string) (*crypto.PrivKey, error)
	// AddMultisig stores a threshold key as a record with no private key
	// (#13). It asks for no passphrase; duplicates fail as for Add.
	AddMultisig(name string, key *multisig.PubKey) (Record, error)
}

var nameRE = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,64}$`)

// ValidateName returns nil if name is a valid key name: 1 to 64 characters
// from [a-zA-Z0-9._-] that do not parse as a petro address.
func ValidateName(name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("%w: %q", ErrInvalidName, name)
	}
	if _, err := crypto.AddressFromBech32(strings.ToLower(name)); err == nil {
		return fmt.Errorf("%w: %q is an address", ErrInvalidName, name)
	}
	return nil
}

// New opens (creating its directory 0700 if needed) the keyring of backend
// under homeDir: <homeDir>/keyring-file/ or <homeDir>/keyring-test/; the
// memory backend ignores homeDir. passphrase is required by the file backend
// and ignored by the others (it may be nil there).
func New(backend, homeDir string, passphrase func() (string, error)) (Keyring, error) {
	k := &keyring{backend: backend, passphrase: passphrase}
	switch backend {
	case BackendMemory:
		k.store = newMemStore()
	case BackendTest, BackendFile:
		if homeDir == "" {
			return nil, errors.New("keyring: empty home directory")
		}
		if backend == BackendFile {
			if passphrase == nil {
				return nil, errors.New("keyring: the file backend needs a passphrase function")
			}
			k.encrypted = true
		}
		s, err := newDirStore(filepath.Join(homeDir, "keyring-"+backend))
		if err != nil {
			return nil, err
		}
		k.store = s
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnknownBackend, backend)
	}
	return k, nil
}

var _ Keyring = (*keyring)(nil)

type keyring struct {
	mu         sync.Mutex
	backend    string
	encrypted  bool
	passphrase func() (string, error)
	store      store
}

func (k *keyring) Backend() string { return k.backend }

func (k *keyring) Add(name string) (Record, string, error) {
	if err := ValidateName(name); err != nil {
		return Record{}, "", err
	}
	mnemonic, err := crypto.NewMnemonic()
	if err != nil {
		return Record{}, "", err
	}
	priv, err := crypto.DerivePrivKeyFromMnemonic(mnemonic, "", 0, 0)
	if err != nil {
		return Record{}, "", err
	}
	rec, err := k.add(name, priv)
	if err != nil {
		return Record{}, "", err
	}
	return rec, mnemonic, nil
}

func (k *keyring) Recover(name, mnemonic string) (Record, error) {
	if err := ValidateName(name); err != nil {
		return Record{}, err
	}
	priv, err := crypto.DerivePrivKeyFromMnemonic(mnemonic, "", 0, 0)
	if err != nil {
		return Record{}, err
	}
	return k.add(name, priv)
}

func (k *keyring) ImportPrivKeyHex(name, privKeyHex string) (Record, error) {
	if err := ValidateName(name); err != nil {
		return Record{}, err
	}
	b, err := hex.DecodeString(strings.TrimSpace(privKeyHex))
	if err != nil {
		return Record{}, fmt.Errorf("%w: not hex", crypto.ErrInvalidPrivKey)
	}
	defer clear(b)
	priv, err := crypto.PrivKeyFromBytes(b)
	if err != nil {
		return Record{}, err
	}
	return k.add(name, priv)
}

func (k *keyring) ExportPrivKeyHex(nameOrAddress string) (string, error) {
	priv, err := k.PrivKey(nameOrAddress)
	if err != nil {
		return "", err
	}
	b := priv.Bytes()
	defer clear(b)
	return hex.EncodeToString(b), nil
}

func (k *keyring) List() ([]Record, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	entries, err := k.loadAll()
	if err != nil {
		return nil, err
	}
	recs := make([]Record, len(entries))
	for i, e := range entries {
		recs[i] = e.rec
	}
	return recs, nil
}

func (k *keyring) Get(nameOrAddress string) (Record, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	e, err := k.find(nameOrAddress)
	if err != nil {
		return Record{}, err
	}
	return e.rec, nil
}

func (k *keyring) Delete(nameOrAddress string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	e, err := k.find(nameOrAddress)
	if err != nil {
		return err
	}
	return k.store.remove(e.rec.Name)
}

func (k *keyring) Sign(nameOrAddress string, msg []byte) ([]byte, *crypto.PubKey, error) {
	priv, err := k.PrivKey(nameOrAddress)
	if err != nil {
		return nil, nil, err
	}
	sig, err := priv.Sign(msg)
	if err != nil {
		return nil, nil, err
	}
	return sig, priv.PubKey(), nil
}

func (k *keyring) PrivKey(nameOrAddress string) (*crypto.PrivKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	e, err := k.find(nameOrAddress)
	if err != nil {
		return nil, err
	}
	if e.rec.Threshold != nil {
		return nil, fmt.Errorf("%w: %q", ErrNoPrivateKey, e.rec.Name)
	}
	pass, err := k.askPassphrase()
	if err != nil {
		return nil, err
	}
	return k.open(e, pass)
}

func (k *keyring) AddMultisig(name string, key *multisig.PubKey) (Record, error) {
	if err := ValidateName(name); err != nil {
		return Record{}, err
	}
	if key == nil {
		return Record{}, errors.New("nil multisig key")
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	rec := Record{Name: name, Address: key.Address(), Threshold: key}
	if err := k.checkNew(rec); err != nil {
		return Record{}, err
	}
	j := rec.toJSON()
	data, err := json.MarshalIndent(keyFile{Version: keyFileVersion, Name: name, Address: j.Address, Threshold: j.Threshold, Members: j.Members}, "", "  ")
	if err != nil {
		return Record{}, err
	}
	if err := k.store.create(name, data); err != nil {
		return Record{}, err
	}
	return rec, nil
}

// checkNew refuses rec's name or address if already stored. k.mu held.
func (k *keyring) checkNew(rec Record) error {
	entries, err := k.loadAll()
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.rec.Name == rec.Name {
			return fmt.Errorf("%w: %q", ErrKeyExists, rec.Name)
		}
		if e.rec.Address.Equals(rec.Address) {
			return fmt.Errorf("%w: address %s is already stored as %q", ErrKeyExists, rec.Address, e.rec.Name)
		}
	}
	return nil
}

// add stores priv under name, refusing a duplicate name or a key already
// stored under another name. Callers have validated name.
func (k *keyring) add(name string, priv *crypto.PrivKey) (Record, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	entries, err := k.loadAll()
	if err != nil {
		return Record{}, err
	}
	pub := priv.PubKey()
	rec := Record{Name: name, PubKey: pub, Address: pub.Address()}
	for _, e := range entries {
		if e.rec.Name == name {
			return Record{}, fmt.Errorf("%w: %q", ErrKeyExists, name)
		}
		if e.rec.Address.Equals(rec.Address) {
			return Record{}, fmt.Errorf("%w: address %s is already stored as %q", ErrKeyExists, rec.Address, e.rec.Name)
		}
	}
	pass, err := k.askPassphrase()
	if err != nil {
		return Record{}, err
	}
	if k.encrypted {
		// One passphrase per directory: prove this one opens an existing
		// key (multisig records hold none).
		for _, e := range entries {
			if e.rec.Threshold != nil {
				continue
			}
			if _, err := k.open(e, pass); err != nil {
				return Record{}, err
			}
			break
		}
	}
	data, err := k.seal(rec, priv, pass)
	if err != nil {
		return Record{}, err
	}
	if err := k.store.create(name, data); err != nil {
		return Record{}, err
	}
	return rec, nil
}

func (k *keyring) askPassphrase() (string, error) {
	if !k.encrypted {
		return "", nil
	}
	pass, err := k.passphrase()
	if err != nil {
		return "", fmt.Errorf("keyring passphrase: %w", err)
	}
	return pass, nil
}

// find resolves a name or a bech32 address to its stored entry.
func (k *keyring) find(nameOrAddress string) (*storedKey, error) {
	if addr, err := crypto.AddressFromBech32(strings.ToLower(nameOrAddress)); err == nil {
		entries, err := k.loadAll()
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if e.rec.Address.Equals(addr) {
				return e, nil
			}
		}
		return nil, fmt.Errorf("%w: no key with address %s", ErrKeyNotFound, addr)
	}
	if err := ValidateName(nameOrAddress); err != nil {
		return nil, err
	}
	return k.load(nameOrAddress)
}

func (k *keyring) load(name string) (*storedKey, error) {
	data, err := k.store.read(name)
	if err != nil {
		return nil, err
	}
	e, err := decodeKeyFile(data, k.encrypted)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrCorruptKeyFile, name, err)
	}
	if e.rec.Name != name { // e.g. a case-insensitive file system matched another name
		return nil, fmt.Errorf("%w: %q", ErrKeyNotFound, name)
	}
	return e, nil
}

// loadAll returns every stored key sorted by name.
func (k *keyring) loadAll() ([]*storedKey, error) {
	names, err := k.store.names()
	if err != nil {
		return nil, err
	}
	out := make([]*storedKey, 0, len(names))
	for _, n := range names {
		e, err := k.load(n)
		if errors.Is(err, ErrKeyNotFound) {
			continue // deleted meanwhile by another process
		}
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}
