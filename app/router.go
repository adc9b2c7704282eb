package app

import (
	"fmt"

	petro "github.com/petro-network/petro/types"
	txtypes "github.com/petro-network/petro/types/tx"
	authtypes "github.com/petro-network/petro/x/auth/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// Msg is what every module message implements.
type Msg interface {
	ValidateBasic() error
	Signer() string
}

// unpackMsg returns the message inside the oneof.
func unpackMsg(m *txtypes.Msg) (Msg, error) {
	switch s := m.GetSum().(type) {
	case *txtypes.Msg_Send:
		if s.Send == nil {
			return nil, authtypes.ErrUnknownMessage.Wrap("empty send")
		}
		return s.Send, nil
	default:
		return nil, authtypes.ErrUnknownMessage.Wrapf("%T", m.GetSum())
	}
}

// msgTypeURL names a message in the "message" event.
func msgTypeURL(m Msg) string {
	switch m.(type) {
	case *tokentypes.MsgSend:
		return tokentypes.MsgSendTypeURL
	}
	return fmt.Sprintf("%T", m)
}

// route runs msg through its module's handler.
func (a *App) route(ctx petro.Context, msg Msg) error {
	switch m := msg.(type) {
	case *tokentypes.MsgSend:
		return a.token.HandleSend(ctx, m)
	default:
		return authtypes.ErrUnknownMessage.Wrapf("%T", msg)
	}
}

func wrapMsgErr(i int, err error) error {
	return fmt.Errorf("message %d: %w", i, err)
}
