package types

// MonetaryFigures are what the metrics show of #19: every tranche and every
// rate-limited issuer's windows, at the last block's time.
type MonetaryFigures struct {
	Tranches []TrancheFigure
	Windows  []RateFigure
}

// TrancheFigure is one tranche's cap and outstanding (base units).
type TrancheFigure struct {
	Name             string
	Cap, Outstanding uint64
}

// RateFigure is one issuer's use of one rate window (base units).
type RateFigure struct {
	Issuer    string
	Seconds   uint64
	Used, Max uint64
}
