package keyring

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/petro-network/petro/internal/fsutil"
)

// store holds one opaque blob per key name. Callers validate names and hold
// the keyring mutex.
type store interface {
	read(name string) ([]byte, error)      // ErrKeyNotFound if absent
	create(name string, data []byte) error // ErrKeyExists if present; never overwrites
	remove(name string) error              // ErrKeyNotFound if absent
	names() ([]string, error)              // sorted
}

// memStore is the memory backend.
type memStore struct{ m map[string][]byte }

func newMemStore() *memStore { return &memStore{m: map[string][]byte{}} }

func (s *memStore) read(name string) ([]byte, error) {
	b, ok := s.m[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrKeyNotFound, name)
	}
	return bytes.Clone(b), nil
}

func (s *memStore) create(name string, data []byte) error {
	if _, ok := s.m[name]; ok {
		return fmt.Errorf("%w: %q", ErrKeyExists, name)
	}
	s.m[name] = bytes.Clone(data)
	return nil
}

func (s *memStore) remove(name string) error {
	if _, ok := s.m[name]; !ok {
		return fmt.Errorf("%w: %q", ErrKeyNotFound, name)
	}
	delete(s.m, name)
	return nil
}

func (s *memStore) names() ([]string, error) {
	out := make([]string, 0, len(s.m))
	for n := range s.m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// dirStore keeps <name>.json files (0600) in one directory (0700).
type dirStore struct{ dir string }

const keyFileExt = ".json"

func newDirStore(dir string) (*dirStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("keyring directory: %w", err)
	}
	return &dirStore{dir: dir}, nil
}

func (s *dirStore) path(name string) string { return filepath.Join(s.dir, name+keyFileExt) }

func (s *dirStore) read(name string) ([]byte, error) {
	b, err := os.ReadFile(s.path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %q", ErrKeyNotFound, name)
	}
	return b, err
}

// create writes data to a temporary file, fsyncs it, then links it to
// <name>.json, which fails if that name exists (an atomic create-only
// rename), and fsyncs the directory. Readers see no file or the whole file.
func (s *dirStore) create(name string, data []byte) error {
	err := fsutil.CreateFile(s.path(name), data, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%w: %q", ErrKeyExists, name)
	}
	return err
}

func (s *dirStore) remove(name string) error {
	err := os.Remove(s.path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %q", ErrKeyNotFound, name)
	}
	if err != nil {
		return err
	}
	return syncDir(s.dir)
}

// names lists <name>.json files whose name is a valid key name; anything
// else in the directory (temporary files, backups) is ignored.
func (s *dirStore) names() ([]string, error) {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		n, ok := strings.CutSuffix(e.Name(), keyFileExt)
		if !ok || !e.Type().IsRegular() || ValidateName(n) != nil {
			continue
		}
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

var syncDir = fsutil.SyncDir
