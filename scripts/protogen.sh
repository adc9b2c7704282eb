#!/usr/bin/env bash
# Regenerates the protobuf Go code from proto/ with the tool versions pinned
# in tools/go.mod. Usage: scripts/protogen.sh [--check]
#   --check  fail if the committed generated code differs from a fresh run.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${PETRO_TOOLS_BIN:-$PWD/.cache/tools}"
mkdir -p "$bin"
(cd tools && go build -o "$bin/" \
  github.com/bufbuild/buf/cmd/buf \
  google.golang.org/protobuf/cmd/protoc-gen-go \
  google.golang.org/grpc/cmd/protoc-gen-go-grpc)
export PATH="$bin:$PATH"
(cd proto && buf lint && buf generate)
if [[ "${1:-}" == "--check" ]]; then
  # Fails when the committed generated code differs from this run.
  if ! git diff --exit-code --stat -- '*.pb.go' || [[ -n "$(git ls-files --others --exclude-standard -- '*.pb.go')" ]]; then
    echo "protogen: generated code is out of date; run scripts/protogen.sh and commit" >&2
    exit 1
  fi
fi
