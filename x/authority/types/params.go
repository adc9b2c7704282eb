package types

// MaxTotalVotingPower is CometBFT's limit (types.MaxTotalVotingPower).
const MaxTotalVotingPower = int64(1<<63-1) / 8

// MaxMemoBytes bounds a proposal memo.
const MaxMemoBytes = 1024

// DefaultParams: a week to collect approvals, no timelock, at most a third
// of the power changing per block, up to 100 validators.
func DefaultParams() *Params {
	return &Params{
		ProposalLifetimeSeconds: 7 * 24 * 3600,
		TimelockSeconds:         0,
		MaxPowerChangePercent:   33,
		MaxValidators:           100,
	}
}

// Validate checks each field's range.
func (p *Params) Validate() error {
	switch {
	case p == nil:
		return ErrInvalidParams.Wrap("params are required")
	case p.ProposalLifetimeSeconds == 0:
		return ErrInvalidParams.Wrap("proposal_lifetime_seconds must be positive")
	case p.ProposalLifetimeSeconds > 366*24*3600:
		return ErrInvalidParams.Wrap("proposal_lifetime_seconds must be at most a year")
	case p.TimelockSeconds > 366*24*3600:
		return ErrInvalidParams.Wrap("timelock_seconds must be at most a year")
	case p.MaxPowerChangePercent == 0 || p.MaxPowerChangePercent > 100:
		return ErrInvalidParams.Wrap("max_power_change_percent must be in 1..100")
	case p.MaxValidators == 0 || p.MaxValidators > 10_000:
		return ErrInvalidParams.Wrap("max_validators must be in 1..10000")
	}
	return nil
}
