// Package signingspec is a second, independent implementation of petro's
// transaction signing, written from docs/signing.md alone: protobuf bytes
// by hand with protowire, keys with go-bip39 and hdkeychain, SHA-256 and
// btcec/v2 ECDSA. Its test reproduces every byte of
// docs/signing-vectors.json. It imports no petro package on purpose: if
// the spec and the chain disagree, one of the two tests fails.
package signingspec
