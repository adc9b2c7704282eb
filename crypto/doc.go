// Package crypto holds petro's only signature scheme and address format.
//
// Keys are secp256k1 (github.com/btcsuite/btcd/btcec/v2).
//
//   - A private key is a 32-byte big-endian scalar in [1, N-1]; PrivKeyFromBytes
//     rejects zero and values >= N instead of reducing them.
//   - A public key is accepted only in its 33-byte compressed form (prefix 0x02
//     or 0x03, x < P, point on the curve). Uncompressed and hybrid encodings are
//     rejected, so every key has exactly one accepted encoding.
//   - A signature is 64 bytes R‖S (each 32-byte big-endian) over SHA-256 of the
//     message, produced with RFC 6979 deterministic nonces and always low-S.
//   - Verification accepts a signature only if it is exactly 64 bytes, r and s
//     are both in [1, N-1], and s <= N/2 (low-S). btcec's own ecdsa.Verify
//     accepts high-S signatures; rejecting them here removes the (r, N-s)
//     malleability, as CometBFT and the Cosmos SDK do. VerifySignatureErr
//     reports which rule failed through the sentinel errors ErrSigLength,
//     ErrSigRange, ErrSigHighS and ErrSigInvalid.
//
// An address is RIPEMD160(SHA256(compressed public key)), 20 bytes, written as
// bech32 (BIP-173, not bech32m) with human-readable part "petro": "petro1…".
//
// HD keys follow BIP-39 (mnemonic and seed) and BIP-32/BIP-44 with the Cosmos
// path m/44'/118'/account'/0/index.
//
// Everything here is deterministic except GenPrivKey and NewMnemonic, which
// read crypto/rand. Nothing here panics on malformed input; verification
// functions are safe to call on consensus paths.
package crypto
