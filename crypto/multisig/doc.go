// Package multisig holds petro's threshold (k-of-n) keys: an account
// controlled by any k of n secp256k1 member keys.
//
//   - A key is n = 1..MaxMembers distinct 33-byte compressed member keys and
//     a threshold k in [1, n]. Its canonical form lists the members in
//     ascending byte order; New sorts, Parse accepts only the sorted form, so
//     each key has one encoding and one address.
//   - Its address is RIPEMD160(SHA256(AddressDomain ‖ k ‖ n ‖ key₀ ‖ … ‖ keyₙ₋₁)),
//     k and n one byte each, keys sorted. The preimage starts with "p" and is
//     never 33 bytes long, so it cannot equal a single key's preimage (33
//     bytes starting 0x02 or 0x03).
//   - A tx from it carries exactly k member signatures, each naming its
//     member's index, in strictly ascending index order (so no member twice),
//     each a 64-byte low-S R‖S signature of SHA-256 of the same sign bytes
//     by that member (crypto.PubKey.VerifySignatureErr).
//
// Nothing here panics on malformed input; Parse and Verify are safe on
// consensus paths and report which rule failed through sentinel errors.
package multisig
