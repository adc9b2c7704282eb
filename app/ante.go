package app

import (
	"errors"

	"github.com/petro-network/petro/crypto"
	"github.com/petro-network/petro/crypto/multisig"
	petro "github.com/petro-network/petro/types"
	txtypes "github.com/petro-network/petro/types/tx"
	authtypes "github.com/petro-network/petro/x/auth/types"
)

// ante authorises tx against state: chain id, timeout, signature (one key's,
// or a threshold key's k member signatures) and the account sequence. On
// success it records the signer's key (single or threshold) and consumes the
// sequence in ctx's store. sigChecked says the signature was already
// verified for these exact bytes (the verified-signature cache).
func (a *App) ante(ctx petro.Context, tx *Tx, sigChecked bool) error {
	if tx.Body.ChainId != ctx.ChainID() {
		return authtypes.ErrWrongChainID.Wrapf("tx is for %q, this chain is %q", tx.Body.ChainId, ctx.ChainID())
	}
	if t := tx.Body.TimeoutHeight; t != 0 && uint64(ctx.BlockHeight()) > t {
		return authtypes.ErrTxTimeout.Wrapf("timeout height %d, block height %d", t, ctx.BlockHeight())
	}
	if !sigChecked {
		if err := a.verifySig(tx); err != nil {
			return err
		}
	}
	acc, err := a.auth.Account(ctx.Store(), tx.Signer)
	if err != nil {
		return err
	}
	switch seq := tx.AuthInfo.Sequence; {
	case seq < acc.Sequence:
		return authtypes.ErrSequenceReplayed.Wrapf("account %s expects sequence %d, tx has %d", acc.Address, acc.Sequence, seq)
	case seq > acc.Sequence:
		return authtypes.ErrSequenceGap.Wrapf("account %s expects sequence %d, tx has %d", acc.Address, acc.Sequence, seq)
	}
	if acc.Sequence, err = petro.SafeAdd(acc.Sequence, 1); err != nil {
		return authtypes.ErrSequenceOverflow
	}
	switch {
	case tx.Threshold != nil && len(acc.MemberPubKeys) == 0:
		acc.Threshold, acc.MemberPubKeys = uint32(tx.Threshold.Threshold()), tx.Threshold.MemberBytes()
	case tx.Threshold == nil && len(acc.PubKey) == 0:
		acc.PubKey = tx.PubKey.Bytes()
	}
	return a.auth.SetAccount(ctx.Store(), tx.Signer, acc)
}

// verifySig checks tx's signature over its SignDoc for this chain — for a
// threshold signer, the shape of its member signatures and then each of
// them (crypto/multisig.Verify) — and remembers success, so the same bytes are never verified twice on a node.
func (a *App) verifySig(tx *Tx) error {
	if tx.Body.ChainId != a.chainID {
		// A tx for another chain gets the same code everywhere (CheckTx,
		// ProcessProposal, FinalizeBlock), not a signature failure.
		return authtypes.ErrWrongChainID.Wrapf("tx is for %q, this chain is %q", tx.Body.ChainId, a.chainID)
	}
	if a.sigs.has(tx.Hash) {
		return nil
	}
	sb := txtypes.SignBytes(a.chainID, tx.TxRaw.BodyBytes, tx.TxRaw.AuthInfoBytes)
	if tx.Threshold != nil {
		if err := tx.Threshold.Verify(sb, memberSigs(tx.TxRaw.MemberSignatures)); err != nil {
			return thresholdErr(err)
		}
		a.sigs.add(tx.Hash)
		return nil
	}
	if err := tx.PubKey.VerifySignatureErr(sb, tx.TxRaw.Signature); err != nil {
		if errors.Is(err, crypto.ErrSigHighS) {
			return authtypes.ErrMalleableSig
		}
		return authtypes.ErrInvalidSignature.Wrap(err.Error())
	}
	a.sigs.add(tx.Hash)
	return nil
}

// memberSigs converts a threshold tx's member signatures for multisig.Verify.
func memberSigs(in []*txtypes.MemberSignature) []multisig.Signature {
	out := make([]multisig.Signature, len(in))
	for i, s := range in {
		out[i] = multisig.Signature{Member: s.GetMember(), Sig: s.GetSignature()}
	}
	return out
}
