package types_test

import (
	"errors"
	"testing"

	"google.golang.org/protobuf/proto"

	petro "github.com/petro-network/petro/types"
	"github.com/petro-network/petro/x/token/types"
)

// wantCoded fails unless err is nil or a registered token error.
func wantCoded(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if space, code, _ := petro.ABCIInfo(err); space != types.Codespace || code == 0 {
		t.Fatalf("error without a token code: %v (%s/%d)", err, space, code)
	}
}

func seedBatch(f *testing.F) {
	for _, m := range []proto.Message{
		&types.MsgBatchSend{From: addr(1), Outputs: []*types.Output{{To: addr(2), Amount: 1}, {To: addr(3), Amount: 2}}},
		&types.MsgBatchSend{From: addr(1), Outputs: []*types.Output{{To: addr(2), Amount: 1}, {To: addr(2), Amount: 1}}},
		&types.MsgBatchSend{From: addr(1), Outputs: []*types.Output{{To: addr(2), Amount: ^uint64(0)}, {To: addr(3), Amount: 1}}},
	} {
		bz, _ := proto.Marshal(m)
		f.Add(bz)
	}
}

// FuzzMsgBatchSendValidateBasic: any decodable batch either fails with a
// token code or is one whose outputs are distinct, positive and sum
// without overflow.
func FuzzMsgBatchSendValidateBasic(f *testing.F) {
	seedBatch(f)
	f.Fuzz(func(t *testing.T, bz []byte) {
		m := &types.MsgBatchSend{}
		if proto.Unmarshal(bz, m) != nil {
			return
		}
		err := m.ValidateBasic()
		wantCoded(t, err)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		var sum uint64
		for _, o := range m.Outputs {
			if o.Amount == 0 || seen[o.To] || o.To == m.From || sum+o.Amount < sum {
				t.Fatalf("accepted a bad batch: %v", m)
			}
			seen[o.To] = true
			sum += o.Amount
		}
		if n := len(m.Outputs); n == 0 || n > types.MaxBatchOutputs || m.Total() != sum {
			t.Fatalf("accepted %d outputs, total %d", n, m.Total())
		}
	})
}

// FuzzRateLimitValidate: accepted limits have 1…8 strictly longer windows
// with non-decreasing positive max ≤ the hard cap.
func FuzzRateLimitValidate(f *testing.F) {
	for _, rl := range []*types.RateLimit{
		{Issuer: addr(1), Windows: []*types.RateWindow{{Seconds: 3600, Max: 10}, {Seconds: 86400, Max: 20}}},
		{Issuer: addr(1), Windows: []*types.RateWindow{{Seconds: 0, Max: 10}}},
	} {
		bz, _ := proto.Marshal(&types.SetRateLimit{Limit: rl})
		f.Add(bz)
	}
	f.Fuzz(func(t *testing.T, bz []byte) {
		s := &types.SetRateLimit{}
		if proto.Unmarshal(bz, s) != nil {
			return
		}
		err := s.ValidateBasic()
		wantCoded(t, err)
		if err == nil {
			err = s.Limit.Validate(types.DefaultHardCap)
			wantCoded(t, err)
		}
		if err != nil {
			return
		}
		for i, w := range s.Limit.Windows {
			if w.Seconds == 0 || w.Max == 0 || w.Max > types.DefaultHardCap || i > 0 && (w.Seconds <= s.Limit.Windows[i-1].Seconds || w.Max < s.Limit.Windows[i-1].Max) {
				t.Fatalf("accepted %v", s.Limit)
			}
		}
	})
}

// FuzzSetTrancheValidateBasic: accepted tranches have one cap within the
// hard cap and a valid name.
func FuzzSetTrancheValidateBasic(f *testing.F) {
	for _, tr := range []*types.Tranche{
		{Name: "presale", CapBps: 3840},
		{Name: "x", CapAmount: 5, Issuers: []string{addr(1)}, OpenUnix: 1, CloseUnix: 2},
		{Name: "Bad", CapBps: 10001, Issued: 1},
	} {
		bz, _ := proto.Marshal(&types.SetTranche{Tranche: tr})
		f.Add(bz)
	}
	f.Fuzz(func(t *testing.T, bz []byte) {
		s := &types.SetTranche{}
		if proto.Unmarshal(bz, s) != nil {
			return
		}
		err := s.ValidateBasic()
		wantCoded(t, err)
		if err != nil {
			return
		}
		tr := s.Tranche
		if !types.ValidTrancheName(tr.Name) || tr.Cap(types.DefaultHardCap) > types.DefaultHardCap && tr.CapAmount == 0 || tr.Issued != 0 {
			t.Fatalf("accepted %v", tr)
		}
	})
}

func TestMsgIssueTrancheName(t *testing.T) {
	m := &types.MsgIssue{Issuer: addr(1), Recipient: addr(2), Amount: 1, Tranche: "public"}
	if err := m.ValidateBasic(); err != nil {
		t.Fatal(err)
	}
	m.Tranche = "Public offer"
	if err := m.ValidateBasic(); !errors.Is(err, types.ErrUnknownTranche) {
		t.Fatalf("bad name: %v", err)
	}
}

func TestTrancheCapBps(t *testing.T) {
	for _, c := range []struct {
		bps  uint32
		want uint64
	}{{3840, 38_400_000 * types.BaseUnitsPerPTR}, {4400, 44_000_000 * types.BaseUnitsPerPTR}, {1760, 17_600_000 * types.BaseUnitsPerPTR}, {10000, types.DefaultHardCap}} {
		if got := (&types.Tranche{CapBps: c.bps}).Cap(types.DefaultHardCap); got != c.want {
			t.Errorf("%d bps: %d, want %d", c.bps, got, c.want)
		}
	}
	if got := (&types.Tranche{CapBps: 10000}).Cap(^uint64(0)); got != ^uint64(0) {
		t.Errorf("no overflow at max: %d", got)
	}
}
