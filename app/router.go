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
// x/authority: all of them belong to x/reserve so far.
func (a *App) actions() authoritytypes.ActionExecutor { return a.reserve }

func wrapMsgErr(i int, err error) error {
	return fmt.Errorf("message %d: %w", i, err)
}
