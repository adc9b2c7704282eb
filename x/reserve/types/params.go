package types

import "fmt"

// OneBarrel is one barrel in 10^-8 barrel units.
const OneBarrel = 100_000_000

// DefaultParams: quorum 2, a day's max age, a minute of skew, 5 %
// deviation, 1 barrel per PTR, a 10 % margin.
func DefaultParams() *Params {
	return &Params{
		Quorum:               2,
		MaxAgeSeconds:        24 * 3600,
		MaxFutureSkewSeconds: 60,
		MaxDeviationBps:      500,
		BarrelsPerToken:      OneBarrel,
		MarginBps:            1000,
	}
}

func (p *Params) Validate() error {
	switch {
	case p == nil:
		return ErrInvalidParams.Wrap("params are required")
	case p.Quorum == 0:
		return ErrInvalidParams.Wrap("quorum must be at least 1")
	case p.MaxAgeSeconds == 0 || p.MaxAgeSeconds > 366*24*3600:
		return ErrInvalidParams.Wrap("max_age_seconds must be in 1s..1y")
	case p.MaxFutureSkewSeconds > 3600:
		return ErrInvalidParams.Wrap("max_future_skew_seconds must be at most 3600")
	case p.MaxDeviationBps == 0 || p.MaxDeviationBps > 10_000:
		return ErrInvalidParams.Wrap("max_deviation_bps must be in 1..10000")
	case p.BarrelsPerToken == 0:
		return ErrInvalidParams.Wrap("barrels_per_token must be positive")
	case p.MarginBps >= 10_000:
		return ErrInvalidParams.Wrap(fmt.Sprintf("margin_bps %d must be below 10000", p.MarginBps))
	}
	return nil
}
