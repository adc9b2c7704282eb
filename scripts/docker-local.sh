#!/usr/bin/env bash
# Build the container image without any registry (the engine may start
# empty): a static petrod (CGO_ENABLED=0) on FROM scratch, see
# Dockerfile.scratch. Usage:
#
#   scripts/docker-local.sh [TAG]        # default petro:local
#
# PETROD=path uses a binary built already (it must be static: `make build`
# builds one); otherwise the script builds it.
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${1:-petro:local}
ctx=$(mktemp -d "${TMPDIR:-/tmp}/petro-image.XXXXXX")
trap 'rm -rf "$ctx"' EXIT

mkdir -p "$ctx/rootfs/usr/local/bin" "$ctx/rootfs/etc/ssl/certs" "$ctx/rootfs/tmp" "$ctx/home/nonroot/.petro"
if [[ -n "${PETROD:-}" ]]; then
  cp "$PETROD" "$ctx/rootfs/usr/local/bin/petrod"
else
  version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/petro-network/petro/app.SoftwareVersion=$version" \
    -o "$ctx/rootfs/usr/local/bin/petrod" ./cmd/petrod
fi
cp /etc/ssl/certs/ca-certificates.crt "$ctx/rootfs/etc/ssl/certs/ca-certificates.crt"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$ctx/rootfs/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$ctx/rootfs/etc/group"
chmod 1777 "$ctx/rootfs/tmp"
chmod 755 "$ctx/home/nonroot"
chmod 700 "$ctx/home/nonroot/.petro"
cp Dockerfile.scratch "$ctx/Dockerfile"
docker build -q -t "$tag" "$ctx"
