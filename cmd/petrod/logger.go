package main

import (
	"strings"
	"sync/atomic"

	"github.com/cometbft/cometbft/libs/log"
)

// stopQuietLogger logs CometBFT's expected stop messages at info level
// once the node is stopping, so a clean shutdown logs nothing at error
// level (operators alert on error lines). Everything else passes through.
type stopQuietLogger struct {
	log.Logger
	stopping *atomic.Bool
}

func newStopQuietLogger(l log.Logger) (log.Logger, *atomic.Bool) {
	stopping := new(atomic.Bool)
	return stopQuietLogger{Logger: l, stopping: stopping}, stopping
}

// stopNoise reports whether an error-level message is what CometBFT logs
// when its listeners close under their accept loops during Stop.
func stopNoise(msg string, keyvals []any) bool {
	switch msg {
	case "Stopped accept routine, as transport is closed":
		return true
	case "Error serving server": // the RPC listener, closed by node.Stop
		for i := 1; i < len(keyvals); i += 2 {
			if err, ok := keyvals[i].(error); ok && strings.Contains(err.Error(), "use of closed network connection") {
				return true
			}
		}
	}
	return false
}

func (l stopQuietLogger) Error(msg string, keyvals ...any) {
	if l.stopping.Load() && stopNoise(msg, keyvals) {
		l.Logger.Info(msg, keyvals...)
		return
	}
	l.Logger.Error(msg, keyvals...)
}

func (l stopQuietLogger) With(keyvals ...any) log.Logger {
	return stopQuietLogger{Logger: l.Logger.With(keyvals...), stopping: l.stopping}
}
