package multisig_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/crypto/multisig"
)

func keys(t testing.TB, n int) []*crypto.PrivKey {
	t.Helper()
	out := make([]*crypto.PrivKey, n)
	for i := range out {
		b := make([]byte, 32)
		b[31] = byte(i + 1)
		b[0] = 0x42
		k, err := crypto.PrivKeyFromBytes(b)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = k
	}
	return out
}

func pubs(ks []*crypto.PrivKey) []*crypto.PubKey {
	out := make([]*crypto.PubKey, len(ks))
	for i, k := range ks {
		out[i] = k.PubKey()
	}
	return out
}

func TestNewSortsAndDerivesOneAddress(t *testing.T) {
	ks := keys(t, 3)
	a, err := multisig.New(2, pubs(ks))
	if err != nil {
		t.Fatal(err)
	}
	rev := pubs(ks)
	slices.Reverse(rev)
	b, err := multisig.New(2, rev)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Address().Equals(b.Address()) || !a.Equals(b) {
		t.Fatal("member order changed the address")
	}
	if !slices.IsSortedFunc(a.MemberBytes(), bytes.Compare) {
		t.Fatal("members not sorted")
	}
	c, _ := multisig.New(3, pubs(ks))
	if a.Address().Equals(c.Address()) {
		t.Fatal("threshold does not change the address")
	}
	for _, k := range ks {
		if a.Address().Equals(k.PubKey().Address()) {
			t.Fatal("threshold address equals a member's")
		}
	}
	one, _ := multisig.New(1, pubs(ks[:1]))
	if one.Address().Equals(ks[0].PubKey().Address()) {
		t.Fatal("1-of-1 address collides with the single key's")
	}
	p, err := multisig.Parse(2, a.MemberBytes(), nil)
	if err != nil || !p.Equals(a) {
		t.Fatalf("Parse(canonical) = %v", err)
	}
}

func TestParseRefusals(t *testing.T) {
	ks := pubs(keys(t, 17))
	raw := make([][]byte, len(ks))
	for i, k := range ks {
		raw[i] = k.Bytes()
	}
	slices.SortFunc(raw, bytes.Compare)
	for _, c := range []struct {
		name    string
		k       uint32
		members [][]byte
		want    error
	}{
		{"no members", 1, nil, multisig.ErrMemberCount},
		{"17 members", 2, raw, multisig.ErrMemberCount},
		{"k = 0", 0, raw[:3], multisig.ErrThreshold},
		{"k > n", 4, raw[:3], multisig.ErrThreshold},
		{"huge k", 1 << 31, raw[:3], multisig.ErrThreshold},
		{"duplicate", 2, [][]byte{raw[0], raw[0], raw[1]}, multisig.ErrDuplicateMember},
		{"unsorted", 2, [][]byte{raw[1], raw[0]}, multisig.ErrMembersUnsorted},
		{"bad key", 1, [][]byte{{0x02}}, crypto.ErrInvalidPubKey},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := multisig.Parse(c.k, c.members, nil); !errors.Is(err, c.want) {
				t.Fatalf("Parse = %v, want %v", err, c.want)
			}
		})
	}
	if _, err := multisig.New(2, ks); !errors.Is(err, multisig.ErrMemberCount) {
		t.Fatalf("New(17) = %v", err)
	}
	if _, err := multisig.New(-1, ks[:2]); !errors.Is(err, multisig.ErrThreshold) {
		t.Fatalf("New(-1) = %v", err)
	}
	if _, err := multisig.New(1, []*crypto.PubKey{nil}); !errors.Is(err, crypto.ErrInvalidPubKey) {
		t.Fatalf("New(nil member) = %v", err)
	}
}

func TestVerify(t *testing.T) {
	ks := keys(t, 3)
	mk, _ := multisig.New(2, pubs(ks))
	byIndex := make([]*crypto.PrivKey, 3)
	for _, k := range ks {
		byIndex[mk.Index(k.PubKey())] = k
	}
	msg := []byte("sign bytes")
	sig := func(i int) multisig.Signature {
		s, err := byIndex[i].Sign(msg)
		if err != nil {
			t.Fatal(err)
		}
		return multisig.Signature{Member: uint32(i), Sig: s}
	}
	other := sig(0)
	other.Sig, _ = byIndex[1].Sign(msg)
	for _, c := range []struct {
		name string
		sigs []multisig.Signature
		want error
	}{
		{"0 and 2", []multisig.Signature{sig(0), sig(2)}, nil},
		{"1 and 2", []multisig.Signature{sig(1), sig(2)}, nil},
		{"one", []multisig.Signature{sig(0)}, multisig.ErrTooFewSignatures},
		{"three", []multisig.Signature{sig(0), sig(1), sig(2)}, multisig.ErrTooManySignatures},
		{"repeated", []multisig.Signature{sig(0), sig(0)}, multisig.ErrRepeatedMember},
		{"order", []multisig.Signature{sig(2), sig(0)}, multisig.ErrMemberOrder},
		{"index", []multisig.Signature{sig(0), {Member: 3, Sig: sig(1).Sig}}, multisig.ErrMemberIndex},
		{"wrong member", []multisig.Signature{other, sig(2)}, crypto.ErrSigInvalid},
		{"short", []multisig.Signature{sig(0), {Member: 1, Sig: sig(1).Sig[:10]}}, crypto.ErrSigLength},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := mk.Verify(msg, c.sigs); !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Fatalf("Verify = %v, want %v", err, c.want)
			}
		})
	}
}

// FuzzParse: Parse never panics, and what it accepts is canonical (sorted,
// distinct, 1..16 members, 1 <= k <= n) and round-trips.
func FuzzParse(f *testing.F) {
	ks := pubs(keys(f, 3))
	mk, _ := multisig.New(2, ks)
	mb := mk.MemberBytes()
	f.Add(uint32(2), bytes.Join(mb, nil))
	f.Add(uint32(0), bytes.Join(mb, nil))
	f.Add(uint32(2), bytes.Join([][]byte{mb[1], mb[0]}, nil))
	f.Add(uint32(1), []byte{0x02})
	f.Fuzz(func(t *testing.T, k uint32, concat []byte) {
		var members [][]byte
		for len(concat) > 0 {
			n := min(len(concat), crypto.PubKeySize)
			members = append(members, concat[:n])
			concat = concat[n:]
		}
		pk, err := multisig.Parse(k, members, nil)
		if err != nil {
			return
		}
		if n := len(pk.MemberBytes()); n < 1 || n > multisig.MaxMembers || pk.Threshold() < 1 || pk.Threshold() > n {
			t.Fatalf("accepted k=%d n=%d", pk.Threshold(), n)
		}
		if !slices.EqualFunc(pk.MemberBytes(), members, bytes.Equal) {
			t.Fatal("members not preserved")
		}
		if !slices.IsSortedFunc(members, bytes.Compare) {
			t.Fatal("accepted unsorted members")
		}
	})
}

// FuzzVerify: Verify never panics on any signature set, and accepts only
// sets of exactly k valid signatures in ascending member order.
func FuzzVerify(f *testing.F) {
	ks := keys(f, 3)
	mk, _ := multisig.New(2, pubs(ks))
	msg := []byte("sign bytes")
	byIndex := make([]*crypto.PrivKey, 3)
	for _, k := range ks {
		byIndex[mk.Index(k.PubKey())] = k
	}
	s0, _ := byIndex[0].Sign(msg)
	s2, _ := byIndex[2].Sign(msg)
	f.Add([]byte{0, 2}, append(s0, s2...))
	f.Add([]byte{2, 0}, append(s2, s0...))
	f.Add([]byte{0, 0}, append(s0, s0...))
	f.Add([]byte{0}, s0)
	f.Fuzz(func(t *testing.T, idx []byte, sigs []byte) {
		var set []multisig.Signature
		for i, m := range idx {
			lo, hi := min(i*64, len(sigs)), min(i*64+64, len(sigs))
			set = append(set, multisig.Signature{Member: uint32(m), Sig: sigs[lo:hi]})
		}
		if err := mk.Verify(msg, set); err != nil {
			return
		}
		if len(set) != 2 || set[0].Member >= set[1].Member || set[1].Member > 2 {
			t.Fatalf("accepted %v", idx)
		}
	})
}
