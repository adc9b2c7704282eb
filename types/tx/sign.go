package tx

import "google.golang.org/protobuf/proto"

// SignBytes is what a tx signature covers: the deterministic encoding of
// SignDoc{chain_id, body_bytes, auth_info_bytes}, built from the body and
// auth-info bytes exactly as they travel (never re-marshalled).
func SignBytes(chainID string, bodyBytes, authInfoBytes []byte) []byte {
	bz, _ := proto.MarshalOptions{Deterministic: true}.Marshal(&SignDoc{
		ChainId: chainID, BodyBytes: bodyBytes, AuthInfoBytes: authInfoBytes,
	})
	return bz
}
