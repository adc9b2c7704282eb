package app

import (
	"fmt"
	"math/bits"
	"time"

	"github.com/petro-network/petro/crypto"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
)

// GenesisProblems lists every problem of an app_state, one line each, in a
// fixed order (x/authority, x/reserve, x/token, x/auth): what is missing
// for the chain to govern itself, issue and attest (no council, no holder
// of a role, no lot) and every bad record. genesisTime is genesis.json's
// genesis_time (lots must be valid then). When a module's section found
// nothing, the module's own genesis check (what InitGenesis runs) closes
// it, so a rule listed nowhere here still gets a line. genesis.json's own
// validator list is cmd/petrod's to compare.
func GenesisProblems(gs *GenesisState, genesisTime time.Time) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	au, rs, tk := gs.Authority, gs.Reserve, gs.Token

	// x/authority: council, roles, validators, peers, upgrades.
	n := len(out)
	c := au.GetCouncil()
	switch {
	case c == nil || len(c.GetMembers()) == 0:
		add("missing council: add members and a threshold (petrod genesis set-council)")
	default:
		seen := map[string]bool{}
		for _, m := range c.GetMembers() {
			if _, err := crypto.AddressFromBech32(m); err != nil {
				add("council member %q: bad address: %v", m, err)
			}
			if seen[m] {
				add("council member %s listed twice", m)
			}
			seen[m] = true
		}
		if c.GetThreshold() == 0 {
			add("council threshold is 0: it must be at least 1")
		} else if int(c.GetThreshold()) > len(c.GetMembers()) {
			add("council threshold %d > %d members: no proposal could ever pass", c.GetThreshold(), len(c.GetMembers()))
		}
	}
	holders := map[authoritytypes.Role]int{}
	type grant struct {
		addr string
		role authoritytypes.Role
	}
	seenGrant := map[grant]bool{}
	for _, r := range au.GetRoles() {
		name := roleName(r.GetRole())
		if _, err := crypto.AddressFromBech32(r.GetAddress()); err != nil {
			add("%s %q: bad address: %v", name, r.GetAddress(), err)
		}
		if authoritytypes.ValidateRole(r.GetRole()) != nil {
			add("role %d of %s: unknown role", r.GetRole(), r.GetAddress())
			continue
		}
		g := grant{r.GetAddress(), r.GetRole()}
		if seenGrant[g] {
			add("%s %s listed twice", name, r.GetAddress())
		}
		seenGrant[g] = true
		holders[r.GetRole()]++
		switch {
		case r.GetRole() == authoritytypes.Role_ROLE_ISSUER && r.GetAllowance() == 0:
			add("issuer %s has no allowance: it could never issue (petrod genesis add-role issuer ADDR --allowance AMOUNT)", r.GetAddress())
		case r.GetRole() != authoritytypes.Role_ROLE_ISSUER && r.GetAllowance() != 0:
			add("%s %s has an allowance: only issuers have one", name, r.GetAddress())
		}
	}
	for _, r := range []authoritytypes.Role{authoritytypes.Role_ROLE_ISSUER, authoritytypes.Role_ROLE_ORACLE, authoritytypes.Role_ROLE_COMPLIANCE, authoritytypes.Role_ROLE_PAUSER} {
		if holders[r] == 0 {
			add("missing %s: no address holds the role (petrod genesis add-role %s ADDR)", roleName(r), roleName(r))
		}
	}
	vals := au.GetValidators()
	if len(vals) == 0 {
		add("missing validators: collect the operators' joins (petrod genesis collect)")
	}
	seenKey, seenNode := map[string]bool{}, map[string]string{}
	for _, v := range vals {
		who := v.GetMoniker()
		if who == "" {
			who = authoritytypes.ConsAddressHex(v.GetPubKey())
		}
		if err := v.ValidateBasic(); err != nil {
			add("validator %s: %v", who, err)
		}
		if seenKey[string(v.GetPubKey())] {
			add("validator %s: consensus key listed twice", who)
		}
		seenKey[string(v.GetPubKey())] = true
		if other, ok := seenNode[v.GetNodeId()]; ok && v.GetNodeId() != "" {
			add("validator %s: node ID %s is also %s's", who, v.GetNodeId(), other)
		}
		seenNode[v.GetNodeId()] = who
	}
	for _, p := range au.UpgradeProblems() {
		add("%s", p)
	}
	if len(out) == n {
		if err := au.Validate(); err != nil {
			add("authority: %v", err)
		}
	}

	// x/reserve: params against the oracle set, lots.
	n = len(out)
	if err := rs.GetParams().Validate(); err != nil {
		add("reserve params: %v", err)
	} else if q := int(rs.GetParams().GetQuorum()); q > holders[authoritytypes.Role_ROLE_ORACLE] {
		add("reserve quorum %d > %d oracles: no round could ever settle", q, holders[authoritytypes.Role_ROLE_ORACLE])
	}
	if len(rs.GetLots()) == 0 {
		add("missing lots: no reserve backs PTR (petrod genesis add-lot)")
	}
	seenLot := map[string]bool{}
	for _, l := range rs.GetLots() {
		if len(l.GetCertificateHash()) == 0 {
			add("lot %s has no certificate hash", l.GetId())
		} else if err := l.ValidateBasic(); err != nil {
			add("lot %s: %v", l.GetId(), err)
		}
		if !l.GetRetired() && !genesisTime.IsZero() && l.GetValidUntilUnix() <= genesisTime.Unix() {
			add("lot %s: certificate expired at %s, before genesis", l.GetId(), time.Unix(l.GetValidUntilUnix(), 0).UTC().Format(time.RFC3339))
		}
		if seenLot[l.GetId()] {
			add("lot %s listed twice", l.GetId())
		}
		seenLot[l.GetId()] = true
	}
	if len(out) == n {
		if err := rs.Validate(); err != nil {
			add("reserve: %v", err)
		}
	}

	// x/token: balances against the supply and the cap.
	n = len(out)
	seenBal := map[string]bool{}
	var sum uint64
	for _, b := range tk.GetBalances() {
		addr, err := crypto.AddressFromBech32(b.GetAddress())
		if err != nil {
			add("balance of %q: bad address: %v", b.GetAddress(), err)
			continue
		}
		if seenBal[string(addr)] {
			add("balance of %s listed twice", b.GetAddress())
		}
		seenBal[string(addr)] = true
		if b.GetAmount() == 0 {
			add("balance of %s is zero", b.GetAddress())
		}
		var carry uint64
		if sum, carry = bits.Add64(sum, b.GetAmount(), 0); carry != 0 {
			add("Σ balances overflows")
		}
	}
	escrow := tk.GetTotals().GetEscrow()
	if s := tk.GetSupply(); s != 0 && s != sum+escrow {
		add("supply %d ≠ Σ balances %d + escrow %d", s, sum, escrow)
	}
	if cp := tk.GetParams().GetHardCap(); sum > cp {
		add("Σ balances %d exceeds the hard cap %d", sum, cp)
	}
	if len(out) == n {
		if err := tk.Validate(); err != nil {
			add("token: %v", err)
		}
	}
	for _, a := range gs.Auth.GetAccounts() {
		if _, err := crypto.AddressFromBech32(a.GetAddress()); err != nil {
			add("account %q: bad address: %v", a.GetAddress(), err)
		}
	}
	return out
}

// roleName is the role as the genesis commands spell it: issuer, oracle,
// compliance, pauser.
func roleName(r authoritytypes.Role) string {
	for name, role := range RoleNames {
		if role == r {
			return name
		}
	}
	return fmt.Sprintf("role-%d", r)
}

// RoleNames maps the names the CLI accepts to roles.
var RoleNames = map[string]authoritytypes.Role{
	"issuer":     authoritytypes.Role_ROLE_ISSUER,
	"oracle":     authoritytypes.Role_ROLE_ORACLE,
	"compliance": authoritytypes.Role_ROLE_COMPLIANCE,
	"pauser":     authoritytypes.Role_ROLE_PAUSER,
}
