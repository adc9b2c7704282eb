package server

import (
	"context"
	"errors"
	"runtime/debug"

	"github.com/cometbft/cometbft/libs/log"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/petro-network/petro/internal/store"
	petro "github.com/petro-network/petro/types"
)

// toStatus is the one translation from app errors to gRPC status: a
// registered error keeps its readable message (and its code in the text
// "codespace/code"), a missing height is NotFound, anything else is
// Internal without detail.
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	switch {
	case errors.Is(err, store.ErrVersionNotFound):
		return status.Error(codes.NotFound, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	}
	var e *petro.Error
	if errors.As(err, &e) && e != petro.ErrInternal {
		return status.Errorf(codes.InvalidArgument, "%s/%d: %s", e.Codespace, e.Code, err.Error())
	}
	return status.Error(codes.Internal, "internal error")
}

// unaryInterceptor recovers panics and translates errors.
func unaryInterceptor(logger log.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		defer func() {
			if r := recover(); r != nil {
				logger.Error("grpc handler panicked", "method", info.FullMethod, "panic", r, "stack", string(debug.Stack()))
				resp, err = nil, status.Error(codes.Internal, "internal error")
			}
		}()
		resp, err = handler(ctx, req)
		if err != nil {
			st := toStatus(err)
			if status.Code(st) == codes.Internal {
				logger.Error("grpc internal error", "method", info.FullMethod, "err", err)
			}
			return nil, st
		}
		return resp, nil
	}
}

// streamInterceptor recovers panics and translates errors of streaming
// handlers, like unaryInterceptor.
func streamInterceptor(logger log.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
		defer func() {
			if r := recover(); r != nil {
				logger.Error("grpc stream handler panicked", "method", info.FullMethod, "panic", r, "stack", string(debug.Stack()))
				err = status.Error(codes.Internal, "internal error")
			}
		}()
		if err = handler(srv, ss); err != nil {
			st := toStatus(err)
			if status.Code(st) == codes.Internal {
				logger.Error("grpc internal error", "method", info.FullMethod, "err", err)
			}
			return st
		}
		return nil
	}
}
