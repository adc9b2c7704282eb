package store

import (
	"errors"
	"testing"

	ics23 "github.com/cosmos/ics23/go"
)

func TestProofs(t *testing.T) {
	s := openStore(t, openDB(t, BackendMemDB, ""), Options{})
	defer s.Close()
	for _, k := range []string{"b", "d", "f", "h"} {
		mustSet(t, s.Working(), k, "val-"+k)
	}
	_, root1 := mustCommit(t, s)
	mustSet(t, s.Working(), "d", "changed")
	_, root2 := mustCommit(t, s)

	r1, err := s.ReadAt(1)
	if err != nil {
		t.Fatal(err)
	}
	prove := func(k string) ([]byte, *ics23.CommitmentProof) {
		t.Helper()
		v, p, err := r1.Prove([]byte(k))
		if err != nil {
			t.Fatalf("Prove(%q): %v", k, err)
		}
		return v, p
	}

	t.Run("valid", func(t *testing.T) {
		for _, k := range []string{"b", "d", "h", "a", "c", "e", "z"} {
			v, p := prove(k)
			if err := VerifyProof(root1, []byte(k), v, p); err != nil {
				t.Errorf("key %q (value %q): %v", k, v, err)
			}
		}
	})

	dVal, dProof := prove("d")
	_, cProof := prove("c")
	tests := []struct {
		name  string
		root  []byte
		key   string
		value []byte
		proof *ics23.CommitmentProof
	}{
		{"wrong value", root1, "d", []byte("changed"), dProof},
		{"wrong key", root1, "b", dVal, dProof},
		{"wrong root", root2, "d", dVal, dProof},
		{"existence proof claimed as absence", root1, "d", nil, dProof},
		{"absence proof for another missing key", root1, "e", nil, cProof},
		{"absence proof for a present key", root1, "d", nil, cProof},
		{"absence proof claimed as existence", root1, "c", []byte("x"), cProof},
		{"absence under wrong root", root2, "c", nil, cProof},
		{"nil proof", root1, "d", dVal, nil},
		{"empty key", root1, "", dVal, dProof},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifyProof(tc.root, []byte(tc.key), tc.value, tc.proof)
			if !errors.Is(err, ErrInvalidProof) {
				t.Fatalf("VerifyProof = %v, want ErrInvalidProof", err)
			}
		})
	}

	t.Run("new version proves new value", func(t *testing.T) {
		r2, err := s.ReadAt(2)
		if err != nil {
			t.Fatal(err)
		}
		v, p, err := r2.Prove([]byte("d"))
		if err != nil {
			t.Fatal(err)
		}
		if string(v) != "changed" {
			t.Fatalf("value = %q", v)
		}
		if err := VerifyProof(root2, []byte("d"), v, p); err != nil {
			t.Fatal(err)
		}
		if err := VerifyProof(root1, []byte("d"), v, p); err == nil {
			t.Fatal("v2 proof verified against v1 root")
		}
	})
}
