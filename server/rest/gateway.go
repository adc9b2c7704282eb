// Package rest is petro's REST/JSON gateway and audit web page, served on
// one HTTP listener (default 127.0.0.1:1317) beside the gRPC server.
//
// Every unary RPC of every petro.* service registered on the gRPC server
// gets one URL, derived from the protobuf names, with no annotations and
// no generated code:
//
//	petro.<module>.v1.<Service>/<Method>  →  /petro/<module>/v1/<method_in_snake_case>
//
// Query services (and Get* methods) answer GET with the request's fields
// as URL parameters (nested fields dotted: pagination.limit=10); every
// method answers POST with the request as a protojson body. The call goes
// through a gRPC client connection to the node's own gRPC listener, so the
// gateway sees exactly what grpcurl sees: same interceptors, same limits,
// same errors. Answers are protojson with proto field names; errors are
// {"code": <gRPC code>, "message": "..."} with the matching HTTP status.
package rest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

const (
	// maxBodyBytes bounds a POST body (the gRPC server's default receive
	// limit is 1 MiB; base64 makes a tx a third larger).
	maxBodyBytes = 2 << 20
	// callTimeout bounds a query; Broadcast in COMMIT mode carries its own
	// (capped) timeout, so it gets the longer one.
	callTimeout      = 30 * time.Second
	broadcastTimeout = 130 * time.Second
)

// Route is one gateway URL.
type Route struct {
	Path       string   `json:"path"`
	Methods    []string `json:"methods"`
	RPC        string   `json:"rpc"`    // full gRPC method, /pkg.Service/Method
	Params     []string `json:"params"` // request fields, dotted for nested ones
	in, out    protoreflect.MessageType
	allowGET   bool
	longRunner bool
}

// Gateway maps HTTP requests onto gRPC calls.
type Gateway struct {
	conn   grpc.ClientConnInterface
	routes map[string]*Route
	list   []*Route
}

var (
	marshal   = protojson.MarshalOptions{UseProtoNames: true, EmitUnpopulated: true}
	unmarshal = protojson.UnmarshalOptions{}
)

// NewGateway builds the routes for the named gRPC services (as returned by
// grpc.Server.GetServiceInfo); names outside the petro.* packages (health,
// reflection) are skipped. Calls go through conn.
func NewGateway(conn grpc.ClientConnInterface, services []string) (*Gateway, error) {
	g := &Gateway{conn: conn, routes: map[string]*Route{}}
	sort.Strings(services)
	for _, name := range services {
		if !strings.HasPrefix(name, "petro.") {
			continue
		}
		d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(name))
		if err != nil {
			return nil, fmt.Errorf("rest: service %s: %w", name, err)
		}
		sd, ok := d.(protoreflect.ServiceDescriptor)
		if !ok {
			return nil, fmt.Errorf("rest: %s is not a service", name)
		}
		prefix := "/" + strings.ReplaceAll(string(sd.ParentFile().Package()), ".", "/") + "/"
		for i := 0; i < sd.Methods().Len(); i++ {
			md := sd.Methods().Get(i)
			if md.IsStreamingClient() || md.IsStreamingServer() {
				continue
			}
			in, err := protoregistry.GlobalTypes.FindMessageByName(md.Input().FullName())
			if err != nil {
				return nil, fmt.Errorf("rest: %s: %w", md.FullName(), err)
			}
			out, err := protoregistry.GlobalTypes.FindMessageByName(md.Output().FullName())
			if err != nil {
				return nil, fmt.Errorf("rest: %s: %w", md.FullName(), err)
			}
			r := &Route{
				Path: prefix + snake(string(md.Name())),
				RPC:  "/" + string(sd.FullName()) + "/" + string(md.Name()),
				in:   in, out: out,
				allowGET:   sd.Name() == "Query" || strings.HasPrefix(string(md.Name()), "Get"),
				longRunner: md.Name() == "Broadcast",
			}
			if r.allowGET {
				r.Methods = []string{http.MethodGet, http.MethodPost}
			} else {
				r.Methods = []string{http.MethodPost}
			}
			r.Params = paramNames(md.Input(), "", 0)
			if prev, dup := g.routes[r.Path]; dup {
				return nil, fmt.Errorf("rest: %s and %s both map to %s", prev.RPC, r.RPC, r.Path)
			}
			g.routes[r.Path] = r
			g.list = append(g.list, r)
		}
	}
	sort.Slice(g.list, func(i, j int) bool { return g.list[i].Path < g.list[j].Path })
	return g, nil
}

// Routes lists every URL, sorted by path.
func (g *Gateway) Routes() []*Route { return g.list }

// snake turns an RPC name into its URL segment: AllBalances → all_balances.
func snake(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if unicode.IsUpper(r) {
			if i > 0 && (unicode.IsLower(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]))) {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// paramNames lists the URL parameters a request accepts.
func paramNames(md protoreflect.MessageDescriptor, prefix string, depth int) []string {
	var out []string
	for i := 0; i < md.Fields().Len(); i++ {
		f := md.Fields().Get(i)
		name := prefix + string(f.Name())
		if f.Kind() == protoreflect.MessageKind && !f.IsList() && !f.IsMap() {
			if depth < 3 {
				out = append(out, paramNames(f.Message(), name+".", depth+1)...)
			}
			continue
		}
		out = append(out, name)
	}
	return out
}

// ServeHTTP serves one gateway route; it answers 404 for any other path.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt, ok := g.routes[strings.TrimSuffix(r.URL.Path, "/")]
	if !ok {
		writeError(w, status.Errorf(codes.NotFound, "no such endpoint %s; GET /petro lists them", r.URL.Path))
		return
	}
	req := rt.in.New()
	switch {
	case r.Method == http.MethodGet && rt.allowGET, r.Method == http.MethodHead && rt.allowGET:
		if err := decodeQuery(req, r.URL.RawQuery); err != nil {
			writeError(w, status.Error(codes.InvalidArgument, err.Error()))
			return
		}
	case r.Method == http.MethodPost:
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
		if err != nil {
			writeError(w, status.Errorf(codes.InvalidArgument, "request body: %v", err))
			return
		}
		if len(strings.TrimSpace(string(body))) > 0 {
			if err := unmarshal.Unmarshal(body, req.Interface()); err != nil {
				writeError(w, status.Errorf(codes.InvalidArgument, "request body: %v", err))
				return
			}
		}
		// URL parameters may complete a POST too (e.g. ?height=).
		if err := decodeQuery(req, r.URL.RawQuery); err != nil {
			writeError(w, status.Error(codes.InvalidArgument, err.Error()))
			return
		}
	default:
		w.Header().Set("Allow", strings.Join(rt.Methods, ", "))
		writeJSONError(w, http.StatusMethodNotAllowed, codes.Unimplemented,
			fmt.Sprintf("%s %s: use %s", r.Method, rt.Path, strings.Join(rt.Methods, " or ")))
		return
	}
	timeout := callTimeout
	if rt.longRunner {
		timeout = broadcastTimeout
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	resp := rt.out.New().Interface()
	if err := g.conn.Invoke(ctx, rt.RPC, req.Interface(), resp); err != nil {
		writeError(w, err)
		return
	}
	bz, err := marshal.Marshal(resp)
	if err != nil {
		writeError(w, status.Errorf(codes.Internal, "encode answer: %v", err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(bz)
	}
}

// ServeIndex answers GET /petro: every route with its parameters.
func (g *Gateway) ServeIndex(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET")
		writeJSONError(w, http.StatusMethodNotAllowed, codes.Unimplemented, "use GET")
		return
	}
	bz, _ := json.MarshalIndent(map[string]any{"routes": g.list}, "", "  ")
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(bz)
}

// decodeQuery sets the request's fields from URL parameters: proto field
// names (or their JSON names), dotted for nested messages, repeated by
// repeating the parameter. Enums take the full name, the name without the
// enum's prefix (status=REQUESTED) or the number; bytes take base64
// (standard or URL alphabet, padding optional).
func decodeQuery(msg protoreflect.Message, rawQuery string) error {
	if rawQuery == "" {
		return nil
	}
	// Parse by hand so a '+' stays a '+' (it is common in base64 keys
	// copied from a JSON answer); %2B and %20 are decoded as usual.
	seen := map[string]bool{}
	for _, kv := range strings.Split(rawQuery, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		key, err := unescape(k)
		if err != nil {
			return fmt.Errorf("parameter %q: %v", k, err)
		}
		val, err := unescape(v)
		if err != nil {
			return fmt.Errorf("parameter %s: %v", key, err)
		}
		if err := setPath(msg, strings.Split(key, "."), val, seen[key]); err != nil {
			return fmt.Errorf("parameter %s: %v", key, err)
		}
		seen[key] = true
	}
	return nil
}

// unescape is url.PathUnescape, which keeps '+' as is (QueryUnescape
// would turn it into a space).
func unescape(s string) (string, error) { return url.PathUnescape(s) }

func setPath(msg protoreflect.Message, path []string, val string, repeat bool) error {
	fd := findField(msg.Descriptor(), path[0])
	if fd == nil {
		return fmt.Errorf("unknown field %q in %s", path[0], msg.Descriptor().FullName())
	}
	if len(path) > 1 {
		if fd.Kind() != protoreflect.MessageKind || fd.IsList() || fd.IsMap() {
			return fmt.Errorf("%s is not a message", fd.Name())
		}
		return setPath(msg.Mutable(fd).Message(), path[1:], val, repeat)
	}
	if fd.IsMap() || fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind {
		return fmt.Errorf("%s is a message: set its fields (%s.<field>) or POST a JSON body", fd.Name(), fd.Name())
	}
	v, err := parseScalar(fd, val)
	if err != nil {
		return err
	}
	if fd.IsList() {
		msg.Mutable(fd).List().Append(v)
		return nil
	}
	if repeat {
		return fmt.Errorf("given more than once")
	}
	msg.Set(fd, v)
	return nil
}

func findField(md protoreflect.MessageDescriptor, name string) protoreflect.FieldDescriptor {
	if fd := md.Fields().ByName(protoreflect.Name(name)); fd != nil {
		return fd
	}
	return md.Fields().ByJSONName(name)
}

func parseScalar(fd protoreflect.FieldDescriptor, s string) (protoreflect.Value, error) {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(s), nil
	case protoreflect.BoolKind:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return protoreflect.Value{}, fmt.Errorf("want true or false, got %q", s)
		}
		return protoreflect.ValueOfBool(b), nil
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		n, err := strconv.ParseInt(s, 10, 32)
		if err != nil {
			return protoreflect.Value{}, fmt.Errorf("want a 32-bit integer, got %q", s)
		}
		return protoreflect.ValueOfInt32(int32(n)), nil
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return protoreflect.Value{}, fmt.Errorf("want a 64-bit integer, got %q", s)
		}
		return protoreflect.ValueOfInt64(n), nil
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		n, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return protoreflect.Value{}, fmt.Errorf("want an unsigned 32-bit integer, got %q", s)
		}
		return protoreflect.ValueOfUint32(uint32(n)), nil
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return protoreflect.Value{}, fmt.Errorf("want an unsigned 64-bit integer, got %q", s)
		}
		return protoreflect.ValueOfUint64(n), nil
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) {
			return protoreflect.Value{}, fmt.Errorf("want a number, got %q", s)
		}
		if fd.Kind() == protoreflect.FloatKind {
			return protoreflect.ValueOfFloat32(float32(f)), nil
		}
		return protoreflect.ValueOfFloat64(f), nil
	case protoreflect.BytesKind:
		b, err := decodeBase64(s)
		if err != nil {
			return protoreflect.Value{}, fmt.Errorf("want base64, got %q", s)
		}
		return protoreflect.ValueOfBytes(b), nil
	case protoreflect.EnumKind:
		return parseEnum(fd.Enum(), s)
	}
	return protoreflect.Value{}, fmt.Errorf("unsupported field kind %s", fd.Kind())
}

func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// parseEnum accepts REDEMPTION_STATUS_REQUESTED, REQUESTED (any case) or 1.
func parseEnum(ed protoreflect.EnumDescriptor, s string) (protoreflect.Value, error) {
	if n, err := strconv.ParseInt(s, 10, 32); err == nil {
		if ed.Values().ByNumber(protoreflect.EnumNumber(n)) == nil {
			return protoreflect.Value{}, fmt.Errorf("%s has no value %d", ed.Name(), n)
		}
		return protoreflect.ValueOfEnum(protoreflect.EnumNumber(n)), nil
	}
	up := strings.ToUpper(s)
	names := make([]string, 0, ed.Values().Len())
	for i := 0; i < ed.Values().Len(); i++ {
		v := ed.Values().Get(i)
		full := string(v.Name())
		names = append(names, full)
		if up == full || enumPrefix(ed)+up == full {
			return protoreflect.ValueOfEnum(v.Number()), nil
		}
	}
	return protoreflect.Value{}, fmt.Errorf("%q is not a %s (one of %s)", s, ed.Name(), strings.Join(names, ", "))
}

// enumPrefix is the common prefix of an enum's value names, by the buf
// style rule: the enum's name in upper snake case plus "_".
func enumPrefix(ed protoreflect.EnumDescriptor) string {
	return strings.ToUpper(snake(string(ed.Name()))) + "_"
}

// httpStatus maps a gRPC code to its HTTP status (as grpc-gateway does).
func httpStatus(c codes.Code) int {
	switch c {
	case codes.OK:
		return http.StatusOK
	case codes.Canceled:
		return 499
	case codes.InvalidArgument, codes.OutOfRange:
		return http.StatusBadRequest
	case codes.DeadlineExceeded:
		return http.StatusGatewayTimeout
	case codes.NotFound:
		return http.StatusNotFound
	case codes.AlreadyExists, codes.Aborted:
		return http.StatusConflict
	case codes.PermissionDenied:
		return http.StatusForbidden
	case codes.Unauthenticated:
		return http.StatusUnauthorized
	case codes.ResourceExhausted:
		return http.StatusTooManyRequests
	case codes.FailedPrecondition:
		return http.StatusBadRequest
	case codes.Unimplemented:
		return http.StatusNotImplemented
	case codes.Unavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// writeError writes a gRPC error as {"code", "message"}.
func writeError(w http.ResponseWriter, err error) {
	st, ok := status.FromError(err)
	if !ok {
		st = status.New(codes.Internal, "internal error")
	}
	writeJSONError(w, httpStatus(st.Code()), st.Code(), st.Message())
}

func writeJSONError(w http.ResponseWriter, httpCode int, code codes.Code, msg string) {
	bz, _ := json.Marshal(struct {
		Code    uint32 `json:"code"`
		Message string `json:"message"`
	}{uint32(code), msg})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(httpCode)
	_, _ = w.Write(bz)
}
