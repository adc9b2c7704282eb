package app

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	petro "github.com/petro-network/petro/types"
	txtypes "github.com/petro-network/petro/types/tx"
	authtypes "github.com/petro-network/petro/x/auth/types"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// Msg is what every module message implements.
type Msg interface {
	proto.Message
	ValidateBasic() error
	Signer() string
}

// unpackMsg returns the message inside the oneof.
func unpackMsg(m *txtypes.Msg) (Msg, error) {
	r := m.ProtoReflect()
	fd := r.WhichOneof(r.Descriptor().Oneofs().ByName("sum"))
	if fd == nil {
		return nil, authtypes.ErrUnknownMessage.Wrap("empty message")
	}
	msg, ok := r.Get(fd).Message().Interface().(Msg)
	if !ok {
		return nil, authtypes.ErrUnknownMessage.Wrapf("%s", fd.Message().FullName())
	}
	return msg, nil
}

// msgTypeURL names a message in the "message" event: "/" + its full name.
func msgTypeURL(m Msg) string { return "/" + string(m.ProtoReflect().Descriptor().FullName()) }

// route runs msg through its module's handler.
func (a *App) route(ctx petro.Context, msg Msg) error {
	switch m := msg.(type) {
	case *tokentypes.MsgSend:
		return a.token.HandleSend(ctx, m)
	case *tokentypes.MsgBatchSend:
		return a.token.HandleBatchSend(ctx, m)
	case *tokentypes.MsgIssue:
		return a.token.HandleIssue(ctx, m)
	case *tokentypes.MsgRequestRedemption:
		_, err := a.token.HandleRequestRedemption(ctx, m)
		return err
	case *tokentypes.MsgAcceptRedemption:
		return a.token.HandleAcceptRedemption(ctx, m)
	case *tokentypes.MsgFulfillRedemption:
		return a.token.HandleFulfillRedemption(ctx, m)
	case *tokentypes.MsgRejectRedemption:
		return a.token.HandleRejectRedemption(ctx, m)
	case *tokentypes.MsgFreeze:
		return a.token.HandleFreeze(ctx, m)
	case *tokentypes.MsgUnfreeze:
		return a.token.HandleUnfreeze(ctx, m)
	case *tokentypes.MsgPause:
		return a.token.HandlePause(ctx, m)
	case *tokentypes.MsgUnpause:
		return a.token.HandleUnpause(ctx, m)
	case *authoritytypes.MsgPropose:
		_, err := a.authority.HandlePropose(ctx, m, a.actions())
		return err
	case *authoritytypes.MsgApprove:
		return a.authority.HandleApprove(ctx, m)
	case *reservetypes.MsgAttest:
		return a.reserve.HandleAttest(ctx, m)
	default:
		return authtypes.ErrUnknownMessage.Wrapf("%T", msg)
	}
}

// actions dispatches council actions owned by modules other than
// x/authority to their module.
func (a *App) actions() authoritytypes.ActionExecutor { return moduleActions{a} }

type moduleActions struct{ a *App }

func (m moduleActions) owner(act *authoritytypes.Action) authoritytypes.ActionExecutor {
	if act.GetWipeFrozen() != nil || act.GetRejectRedemption() != nil ||
		act.GetSetRateLimit() != nil || act.GetSetTranche() != nil {
		return m.a.token
	}
	return m.a.reserve
}

func (m moduleActions) ValidateAction(ctx petro.Context, act *authoritytypes.Action) error {
	return m.owner(act).ValidateAction(ctx, act)
}

func (m moduleActions) ExecuteAction(ctx petro.Context, act *authoritytypes.Action) error {
	return m.owner(act).ExecuteAction(ctx, act)
}

func wrapMsgErr(i int, err error) error {
	return fmt.Errorf("message %d: %w", i, err)
}
