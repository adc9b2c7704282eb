// Package fsutil writes files so that a crash leaves either the old file or
// the whole new one: the data goes to a temporary file in the same
// directory, which is fsynced, put in place by rename (or link), and the
// directory is fsynced so the new name itself survives a power loss.
package fsutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// WriteFile atomically replaces (or creates) path with data, creating its
// directory if needed. perm applies to a new file.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := writeTemp(dir, filepath.Base(path), data, perm)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return SyncDir(dir)
}

// CreateFile atomically creates path with data and fails with an error
// wrapping fs.ErrExist if path exists: never replaces a file, even one
// created by another process meanwhile (where the file system has hard
// links).
func CreateFile(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	tmp, err := writeTemp(dir, filepath.Base(path), data, perm)
	if err != nil {
		return err
	}
	defer os.Remove(tmp) // the temporary name only; a linked file stays
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		// No hard links on this file system: check, then rename (which
		// would replace a file created in between by another process).
		if _, statErr := os.Lstat(path); statErr == nil {
			return fmt.Errorf("create %s: %w", path, fs.ErrExist)
		}
		if err := os.Rename(tmp, path); err != nil {
			return err
		}
	}
	return SyncDir(dir)
}

// SyncFile writes data to path (created or truncated) and fsyncs it, for
// files inside a directory that is itself renamed into place afterwards.
func SyncFile(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	return finish(f, data)
}

// SyncDir makes a create, rename or remove in dir durable.
func SyncDir(dir string) error {
	if runtime.GOOS == "windows" { // directories cannot be fsynced there
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// writeTemp writes data to a new fsynced temporary file in dir and
// returns its name.
func writeTemp(dir, base string, data []byte, perm os.FileMode) (string, error) {
	f, err := os.CreateTemp(dir, ".tmp-"+base+"-*")
	if err != nil {
		return "", err
	}
	if err := f.Chmod(perm); err != nil && runtime.GOOS != "windows" {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	if err := finish(f, data); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

func finish(f *os.File, data []byte) error {
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
