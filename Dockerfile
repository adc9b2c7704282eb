# syntax=docker/dockerfile:1
# Multi-stage build: a static petrod on a minimal image, run as non-root.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=
ARG BUILD_DATE=
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/petro-network/petro/app.SoftwareVersion=${VERSION} -X github.com/petro-network/petro/app.Commit=${COMMIT} -X github.com/petro-network/petro/app.BuildDate=${BUILD_DATE}" \
      -o /out/petrod ./cmd/petrod
# The home must exist in the image owned by nonroot: a fresh named volume
# mounted there is created from it (owner and mode).
RUN mkdir -p -m 0700 /out/home/nonroot/.petro

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/petrod /usr/local/bin/petrod
COPY --from=build --chown=65532:65532 /out/home/nonroot/.petro /home/nonroot/.petro
USER nonroot:nonroot
# Listen on all interfaces inside the container (flags win; networks/README.md).
ENV PETRO_HOME=/home/nonroot/.petro \
    PETRO_P2P_LADDR=tcp://0.0.0.0:26656 \
    PETRO_RPC_LADDR=tcp://0.0.0.0:26657 \
    PETRO_GRPC_ADDRESS=0.0.0.0:9090 \
    PETRO_API_ADDRESS=0.0.0.0:1317
VOLUME ["/home/nonroot/.petro"]
# P2P, CometBFT RPC, gRPC, REST/audit page, Prometheus
EXPOSE 26656 26657 9090 1317 26660
ENTRYPOINT ["petrod"]
CMD ["start"]
