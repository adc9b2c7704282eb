// Package keyring stores named secp256k1 keys for `petrod keys` and for any
// command that signs transactions.
//
// New opens one of three backends (the Cosmos SDK's names):
//
//   - "file": <home>/keyring-file/, one JSON file per key, the private key
//     sealed with XChaCha20-Poly1305 under a key derived from the passphrase
//     with scrypt (N=32768, r=8, p=1, random 16-byte salt per file). One
//     passphrase per directory.
//   - "test": <home>/keyring-test/, the same files with the private key in
//     clear hex. For scripts, localnets and tests only.
//   - "memory": nothing on disk; for unit tests.
//
// Contracts:
//
//   - Names match [a-zA-Z0-9._-]{1,64} and never parse as a petro address, so
//     every method taking an existing key accepts its name or its address.
//   - A name or an address is stored at most once (ErrKeyExists); a missing
//     key is ErrKeyNotFound; a passphrase that does not open a key is
//     ErrWrongPassphrase. Test with errors.Is.
//   - Add and Recover derive m/44'/118'/0'/0/0 from a BIP-39 mnemonic with no
//     BIP-39 passphrase, as `gaiad keys add` does, so a mnemonic recovers the
//     same address here and in Cosmos wallets (with the petro prefix).
//   - Files are written to a temporary file, fsynced, then linked into place
//     without overwriting, and the directory is fsynced: a crash leaves the
//     key whole or absent. Files are 0600 in a 0700 directory.
//   - The public part of each file (name, address, pubkey) is in clear, so
//     List and Get never ask for the passphrase. Anything that uses the
//     private key checks that it matches the stored public key.
//
// See README.md for the on-disk format.
package keyring
