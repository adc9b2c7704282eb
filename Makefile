# petro — run `make help` for the targets.
GO      ?= go
BIN     ?= build/petrod
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null)
BUILD_DATE ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS := -s -w -X github.com/petro-network/petro/app.SoftwareVersion=$(VERSION) \
	-X github.com/petro-network/petro/app.Commit=$(COMMIT) -X github.com/petro-network/petro/app.BuildDate=$(BUILD_DATE)

.PHONY: help build install dev test test-short test-race fuzz fuzz-list bench proto proto-check lint docker docker-local ci

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## Build petrod into build/
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/petrod

install: ## Install petrod into GOBIN
	CGO_ENABLED=0 $(GO) install -trimpath -ldflags '$(LDFLAGS)' ./cmd/petrod

dev: ## Run a single-validator dev chain (the README's first command)
	$(GO) run ./cmd/petrod dev

test: ## Run every test (the README's second command; what CI runs)
	$(GO) test -timeout 60m ./...

test-short: ## Unit and app tests only (skips node tests)
	$(GO) test -short ./...

test-race: ## Every test under the race detector
	$(GO) test -race ./...

fuzz-list: ## List every fuzz target (scripts/fuzz-targets.sh finds them)
	@scripts/fuzz-targets.sh

# Minimising each new interesting input may take up to 60s by default; for
# targets with slow iterations (FuzzRestore) that stalls the run.
fuzz: ## Fuzz every target for FUZZTIME (default 30s); their seed corpora run in `make test`
	@scripts/fuzz-targets.sh | while read -r name pkg; do echo "--- $$name ($$pkg)"; \
		$(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $${FUZZTIME:-30s} -fuzzminimizetime $${FUZZMINIMIZETIME:-5s} $$pkg || exit 1; done

bench: ## Go benchmarks of the hot path (see BENCHMARKS.md)
	$(GO) test -run '^$$' -bench . -benchmem ./crypto ./app

proto: ## Regenerate protobuf code (tools pinned in tools/go.mod)
	scripts/protogen.sh

proto-check: ## Fail if generated protobuf code is stale
	scripts/protogen.sh --check

lint: ## go vet, gofmt and staticcheck (pinned in tools/go.mod), as CI runs them
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) tool -modfile=tools/go.mod staticcheck ./...

docker: ## Build the container image petro:$(VERSION) (pulls golang and distroless)
	docker build -t petro:$(VERSION) --build-arg VERSION=$(VERSION) --build-arg COMMIT=$(COMMIT) --build-arg BUILD_DATE=$(BUILD_DATE) .

docker-local: build ## Build petro:$(VERSION) and petro:local with no registry (FROM scratch)
	PETROD=$(BIN) scripts/docker-local.sh petro:$(VERSION)
	docker tag petro:$(VERSION) petro:local

ci: ## What CI runs
	bash .ci/run
