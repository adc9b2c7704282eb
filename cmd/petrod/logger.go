package main

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cometbft/cometbft/libs/log"
)

// nodeLogger is the node's logger around CometBFT's. It does two jobs
// CometBFT offers no hook for:
//
//   - fail loudly: an error-level message meaning consensus cannot go on
//     (fatalMessages: CometBFT recovered a panic in its consensus routine,
//     or a consensus WAL write failed) is reported once to onFatal, with
//     the message and its error as the cause;
//   - quiet stop: once stopping is set, the error-level messages CometBFT
//     logs when its listeners close under their accept loops are logged at
//     info level, so a clean shutdown logs nothing at error level.
type nodeLogger struct {
	log.Logger
	s *loggerState
}

type loggerState struct {
	stopping atomic.Bool
	once     sync.Once
	onFatal  atomic.Pointer[func(cause string)]
}

func newNodeLogger(l log.Logger) (nodeLogger, *loggerState) {
	s := &loggerState{}
	return nodeLogger{Logger: l, s: s}, s
}

// setOnFatal sets the function told (once, in the logging goroutine) of the
// first fatal message.
func (s *loggerState) setOnFatal(f func(cause string)) { s.onFatal.Store(&f) }

// fatalMessages are CometBFT v0.38's error-level messages after which this
// node's consensus cannot continue safely (tested against CometBFT's source
// in TestFatalMessagesInCometBFT, so an upgrade that rewords one fails).
// A failed write of priv_validator_state.json panics inside signing and
// so arrives as "CONSENSUS FAILURE!!!", as do block store, state store and
// application Commit failures.
var fatalMessages = map[string]string{
	"CONSENSUS FAILURE!!!":        "consensus failure",
	"failed writing to WAL":       "consensus WAL write failed",
	"Periodic WAL flush failed":   "consensus WAL flush failed",
	"failed flushing WAL to disk": "consensus WAL flush failed",
	"Error flushin to disk":       "consensus WAL flush failed",
	"Error writing msg to consensus wal. WARNING: recover may not be possible for the current height": "consensus WAL write failed",
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

func (l nodeLogger) Error(msg string, keyvals ...any) {
	if l.s.stopping.Load() && stopNoise(msg, keyvals) {
		l.Logger.Info(msg, keyvals...)
		return
	}
	l.Logger.Error(msg, keyvals...)
	if what, ok := fatalMessages[msg]; ok {
		cause := what
		for i := 0; i+1 < len(keyvals); i += 2 {
			if k, _ := keyvals[i].(string); k == "err" {
				cause = fmt.Sprintf("%s: %v", what, keyvals[i+1])
				break
			}
		}
		l.s.once.Do(func() {
			if f := l.s.onFatal.Load(); f != nil {
				(*f)(cause)
			}
		})
	}
}

func (l nodeLogger) With(keyvals ...any) log.Logger {
	return nodeLogger{Logger: l.Logger.With(keyvals...), s: l.s}
}
