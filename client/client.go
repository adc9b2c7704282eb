package client

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/petro-network/petro/crypto"
	txtypes "github.com/petro-network/petro/types/tx"
	authtypes "github.com/petro-network/petro/x/auth/types"
	authoritytypes "github.com/petro-network/petro/x/authority/types"
	reservetypes "github.com/petro-network/petro/x/reserve/types"
	tokentypes "github.com/petro-network/petro/x/token/types"
)

// Client is a connection to one node's gRPC endpoint with a typed stub per
// service. The stubs are safe for concurrent use; call Close when done.
type Client struct {
	conn      *grpc.ClientConn
	Tx        txtypes.TxServiceClient
	Auth      authtypes.QueryClient
	Token     tokentypes.QueryClient
	Reserve   reservetypes.QueryClient
	Authority authoritytypes.QueryClient
}

// Dial returns a Client for grpcAddr ("host:port"; a "tcp://" prefix is
// accepted and dropped). The connection is plaintext, like
// `grpcurl -plaintext`: petrod serves gRPC without TLS on loopback by
// default, so use Dial for a local node or through a tunnel, never across an
// untrusted network (DialTLS is the TLS form). Dial does not connect: the first call does, and a node
// that is down surfaces there as codes.Unavailable.
func Dial(grpcAddr string) (*Client, error) {
	addr := strings.TrimPrefix(grpcAddr, "tcp://")
	if addr == "" {
		return nil, errors.New("client: empty gRPC address")
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, fmt.Errorf("client: %s: %w", grpcAddr, err)
	}
	return New(conn), nil
}

// New wraps an existing connection (for callers that need their own dial
// options, e.g. TLS). Close closes conn.
func New(conn *grpc.ClientConn) *Client {
	return &Client{
		conn:      conn,
		Tx:        txtypes.NewTxServiceClient(conn),
		Auth:      authtypes.NewQueryClient(conn),
		Token:     tokentypes.NewQueryClient(conn),
		Reserve:   reservetypes.NewQueryClient(conn),
		Authority: authoritytypes.NewQueryClient(conn),
	}
}

// NewWith builds a Client on any connection, such as a Recorder or a
// Replay; Close does not close cc.
func NewWith(cc grpc.ClientConnInterface) *Client {
	return &Client{
		Tx:        txtypes.NewTxServiceClient(cc),
		Auth:      authtypes.NewQueryClient(cc),
		Token:     tokentypes.NewQueryClient(cc),
		Reserve:   reservetypes.NewQueryClient(cc),
		Authority: authoritytypes.NewQueryClient(cc),
	}
}

// Close closes the connection.
func (c *Client) Close() error {
	if c.conn == nil {
		return nil
	}
	return c.conn.Close()
}

// Conn is the connection Dial or New made (nil for NewWith).
func (c *Client) Conn() *grpc.ClientConn { return c.conn }

// Account returns addr's account at the latest committed height. An address
// the chain has never seen has sequence 0 and no public key.
func (c *Client) Account(ctx context.Context, addr crypto.Address) (*authtypes.Account, error) {
	res, err := c.Auth.Account(ctx, &authtypes.QueryAccountRequest{Address: addr.String()})
	if err != nil {
		return nil, err
	}
	if res.GetAccount() == nil {
		return &authtypes.Account{Address: addr.String()}, nil
	}
	return res.GetAccount(), nil
}

// BroadcastOptions are the optional parts of SignAndBroadcast.
type BroadcastOptions struct {
	TxOptions
	// Mode is SYNC (CheckTx result) or COMMIT (wait for the block).
	Mode txtypes.BroadcastMode
	// Sequence, when non-nil, is signed as is instead of the signer's
	// committed sequence from the Account query. Set it to send several txs
	// before a block commits (n, n+1, …) or to sign without a query.
	Sequence *uint64
}

// SignAndBroadcast signs msgs with s for chainID and broadcasts them. The
// sequence is o.Sequence, or else the signer's next sequence read from the
// latest committed state. A tx the chain refuses is not an error: the
// response carries its code, codespace and log. Errors are transport or
// gRPC failures (e.g. codes.DeadlineExceeded when a COMMIT broadcast was
// accepted but not yet committed).
func (c *Client) SignAndBroadcast(ctx context.Context, chainID string, s Signer, msgs []*txtypes.Msg, o BroadcastOptions) (*txtypes.BroadcastResponse, error) {
	var seq uint64
	if o.Sequence != nil {
		seq = *o.Sequence
	} else {
		acc, err := c.Account(ctx, s.Address())
		if err != nil {
			return nil, fmt.Errorf("query account sequence: %w", err)
		}
		seq = acc.GetSequence()
	}
	txBytes, err := SignTx(chainID, s, seq, msgs, o.TxOptions)
	if err != nil {
		return nil, err
	}
	return c.Tx.Broadcast(ctx, &txtypes.BroadcastRequest{TxBytes: txBytes, Mode: o.Mode})
}

// Send transfers amount base units from s's address to to, at the
// signer's committed sequence. See SignAndBroadcast.
func (c *Client) Send(ctx context.Context, chainID string, s Signer, to crypto.Address, amount uint64, mode txtypes.BroadcastMode) (*txtypes.BroadcastResponse, error) {
	msg := SendMsg(s.Address(), to, amount)
	return c.SignAndBroadcast(ctx, chainID, s, []*txtypes.Msg{msg}, BroadcastOptions{Mode: mode})
}
