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

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/petrod /usr/local/bin/petrod
USER nonroot:nonroot
ENV PETRO_HOME=/home/nonroot/.petro
VOLUME ["/home/nonroot/.petro"]
# P2P, CometBFT RPC, gRPC, REST/audit page, Prometheus
EXPOSE 26656 26657 9090 1317 26660
ENTRYPOINT ["petrod"]
CMD ["start"]
