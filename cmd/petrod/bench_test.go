package main

import (
	"testing"
	"time"
)

func TestBenchPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond // 1..100 ms
	}
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		pct    float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one", ms(7), 99, 7 * time.Millisecond},
		{"p50 of 1..100 is the 50th", hundred, 50, 50 * time.Millisecond},
		{"p95 of 1..100", hundred, 95, 95 * time.Millisecond},
		{"p99 of 1..100", hundred, 99, 99 * time.Millisecond},
		{"p100 is the max", hundred, 100, 100 * time.Millisecond},
		{"nearest rank rounds up", ms(1, 2, 3), 50, 2 * time.Millisecond},
		{"p99 of 3 is the max", ms(1, 2, 3), 99, 3 * time.Millisecond},
		{"tiny pct is the min", ms(1, 2, 3), 0.001, 1 * time.Millisecond},
	} {
		if got := percentile(tc.sorted, tc.pct); got != tc.want {
			t.Errorf("%s: percentile(%v) = %v, want %v", tc.name, tc.pct, got, tc.want)
		}
	}
}

func TestBenchSummarizeUnsorted(t *testing.T) {
	in := []time.Duration{30 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond}
	s := summarize(in)
	if s.N != 4 || s.P50 != 20 || s.P99 != 40 || s.Max != 40 || s.Mean != 25 {
		t.Fatalf("summarize = %+v", s)
	}
	if in[0] != 30*time.Millisecond {
		t.Fatal("summarize sorted its input in place")
	}
	if (summarize(nil) != LatencySummary{}) {
		t.Fatal("empty summary not zero")
	}
}

func TestBenchPacer(t *testing.T) {
	p := pacer{rate: 100, workers: 4} // one tx every 10 ms overall
	// Worker w's j-th tx is tx j·4+w overall.
	for _, tc := range []struct {
		w, j int
		want time.Duration
	}{
		{0, 0, 0},
		{1, 0, 10 * time.Millisecond},
		{3, 0, 30 * time.Millisecond},
		{0, 1, 40 * time.Millisecond},
		{2, 25, 1020 * time.Millisecond},
	} {
		if got := p.due(tc.w, tc.j); got != tc.want {
			t.Errorf("due(%d,%d) = %v, want %v", tc.w, tc.j, got, tc.want)
		}
	}
	// Over all workers, exactly rate txs fall in each second and every
	// slot is taken once.
	seen := map[time.Duration]bool{}
	perSecond := map[int]int{}
	for w := 0; w < 4; w++ {
		for j := 0; j < 50; j++ {
			d := p.due(w, j)
			if seen[d] {
				t.Fatalf("two txs due at %v", d)
			}
			seen[d] = true
			perSecond[int(d/time.Second)]++
		}
	}
	if perSecond[0] != 100 || perSecond[1] != 100 {
		t.Fatalf("txs per second %v, want 100 each", perSecond)
	}
	if (pacer{rate: 0, workers: 4}).due(3, 1000) != 0 {
		t.Fatal("open loop must never wait")
	}
}

func TestBenchKeyDeterministic(t *testing.T) {
	a, b := benchKey("s", 1), benchKey("s", 1)
	if a.PubKey().Address().String() != b.PubKey().Address().String() {
		t.Fatal("same seed and index, different key")
	}
	if benchKey("s", 2).PubKey().Equals(a.PubKey()) || benchKey("t", 1).PubKey().Equals(a.PubKey()) {
		t.Fatal("different seed or index, same key")
	}
}

func TestBenchIntervalsAndCounter(t *testing.T) {
	t0 := time.Unix(0, 0)
	avg, mx := intervals([]time.Time{t0, t0.Add(time.Second), t0.Add(3 * time.Second)})
	if avg != 1500 || mx != 2000 {
		t.Fatalf("intervals = %v, %v", avg, mx)
	}
	c := counter{}
	c.add("auth/13", "x")
	c.add("token/3", "y")
	c.add("token/3", "z")
	l := c.list()
	if len(l) != 2 || l[0].Key != "token/3" || l[0].Count != 2 || l[0].Sample != "y" {
		t.Fatalf("counter list %+v", l)
	}
}
