package client

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// Exchange is one unary gRPC call as recorded: the method and the
// deterministic protobuf encodings of the request and the response.
type Exchange struct {
	Method   string `json:"method"`
	Request  []byte `json:"request"`
	Response []byte `json:"response"`
}

var deterministic = proto.MarshalOptions{Deterministic: true}

// Recorder is a connection that forwards unary calls to cc and keeps every
// answered one, so that an audit's node answers (proofs included) can be
// archived and replayed offline (Replay). Streams are not supported.
type Recorder struct {
	cc grpc.ClientConnInterface
	mu sync.Mutex
	ex []Exchange
}

var _ grpc.ClientConnInterface = (*Recorder)(nil)

// NewRecorder records the calls made through it to cc.
func NewRecorder(cc grpc.ClientConnInterface) *Recorder { return &Recorder{cc: cc} }

// Invoke forwards the call and records it when it succeeds.
func (r *Recorder) Invoke(ctx context.Context, method string, args, reply any, opts ...grpc.CallOption) error {
	if err := r.cc.Invoke(ctx, method, args, reply, opts...); err != nil {
		return err
	}
	req, err1 := deterministic.Marshal(args.(proto.Message))
	resp, err2 := deterministic.Marshal(reply.(proto.Message))
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("record %s: %w", method, err)
	}
	r.mu.Lock()
	r.ex = append(r.ex, Exchange{Method: method, Request: req, Response: resp})
	r.mu.Unlock()
	return nil
}

// NewStream is not supported: audits make unary calls only.
func (r *Recorder) NewStream(context.Context, *grpc.StreamDesc, string, ...grpc.CallOption) (grpc.ClientStream, error) {
	return nil, errors.New("client: the recorder supports unary calls only")
}

// Exchanges are the recorded calls, in order.
func (r *Recorder) Exchanges() []Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Exchange(nil), r.ex...)
}

// Replay answers unary calls from recorded exchanges, matching the method
// and the request's bytes exactly; a call not recorded fails. It lets the
// Auditor re-run an archived audit with no node: the answers are as
// untrusted as they were live, and verified the same way.
type Replay struct{ answers map[string][]byte }

var _ grpc.ClientConnInterface = (*Replay)(nil)

// NewReplay serves ex.
func NewReplay(ex []Exchange) *Replay {
	r := &Replay{answers: map[string][]byte{}}
	for _, e := range ex {
		r.answers[e.Method+"\x00"+string(e.Request)] = e.Response
	}
	return r
}

// Invoke answers from the recording.
func (r *Replay) Invoke(_ context.Context, method string, args, reply any, _ ...grpc.CallOption) error {
	req, err := deterministic.Marshal(args.(proto.Message))
	if err != nil {
		return err
	}
	resp, ok := r.answers[method+"\x00"+string(req)]
	if !ok {
		return fmt.Errorf("%w: the archive holds no answer to %s %X", ErrInvalidProof, method, req)
	}
	if err := proto.Unmarshal(resp, reply.(proto.Message)); err != nil {
		return fmt.Errorf("%w: archived answer to %s: %v", ErrInvalidProof, method, err)
	}
	return nil
}

// NewStream is not supported.
func (r *Replay) NewStream(context.Context, *grpc.StreamDesc, string, ...grpc.CallOption) (grpc.ClientStream, error) {
	return nil, errors.New("client: the replay supports unary calls only")
}

// Figures is what an archived audit shows: the backing at a height and,
// when asked, the rounds settled from a height up to it.
type Figures struct {
	Backing *BackingAudit `json:"backing"`
	Rounds  []ReportRow   `json:"rounds,omitempty"`
}

// AuditFigures verifies the backing at height (> 0) and, when from > 0,
// every round settled in [from, height]. Run live through a Recorder and
// offline through a Replay it must give the same figures.
func (a *Auditor) AuditFigures(ctx context.Context, height, from int64) (*Figures, error) {
	if height <= 0 {
		return nil, fmt.Errorf("height %d: must be positive", height)
	}
	b, err := a.AuditBacking(ctx, height)
	if err != nil {
		return nil, err
	}
	out := &Figures{Backing: b}
	if from > 0 {
		if out.Rounds, err = a.AuditRounds(ctx, from, height, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}
