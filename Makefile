# platc — the commands a new user and CI need. `make help` lists them.

SHELL := /bin/bash
export PATH := $(CURDIR)/.tools/bin:/usr/local/go/bin:$(PATH)

GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X github.com/platc-dev/platc/internal/cli.version=$(VERSION)
TOOLS     := $(CURDIR)/.tools/bin
CUE_VERSION := v0.17.1
# The real API server (and its etcd) that internal/kubetest starts for the
# end-to-end test of the rendered GitOps tree (.ci/tools/kube, .ci/tools/etcd).
KUBE_VERSION := v1.36.3
ETCD_VERSION := 3.6.8
KUBE_LDFLAGS := $(foreach p,k8s.io/component-base/version k8s.io/client-go/pkg/version,-X $(p).gitVersion=$(KUBE_VERSION) -X $(p).gitMajor=$(word 1,$(subst ., ,$(KUBE_VERSION:v%=%))) -X $(p).gitMinor=$(word 2,$(subst ., ,$(KUBE_VERSION:v%=%))) -X $(p).gitTreeState=clean)
# The day the example's calendar, freezes and exceptions are written for.
EXAMPLE_NOW := 2026-11-24

.PHONY: help build install tools tools-chromium bench-tools test test-short golden bench bench-docs bench-vet bench-check fuzz demo fmt vet clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## build bin/platc
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/platc ./cmd/platc

install: ## install platc into GOBIN
	$(GO) install -ldflags "$(LDFLAGS)" ./cmd/platc

tools: tools-chromium ## build the tools tests and benchmarks use into .tools/bin, install chromium (idempotent)
	@mkdir -p $(TOOLS)
	@if [ "$$($(TOOLS)/cue version 2>/dev/null | head -1)" != "cue version $(CUE_VERSION)" ]; then \
		echo "building cue $(CUE_VERSION) into .tools/bin"; \
		$(GO) build -o $(TOOLS)/cue cuelang.org/go/cmd/cue; \
	else echo "cue $(CUE_VERSION) is up to date"; fi
	@if [ "$$($(TOOLS)/etcd --version 2>/dev/null | head -1)" != "etcd Version: $(ETCD_VERSION)" ]; then \
		echo "building etcd $(ETCD_VERSION) into .tools/bin (about a minute)"; \
		cd .ci/tools/etcd && $(GO) build -o $(TOOLS)/etcd . ; \
	else echo "etcd $(ETCD_VERSION) is up to date"; fi
	@if [ "$$($(TOOLS)/kube-apiserver --version 2>/dev/null | head -1)" != "Kubernetes $(KUBE_VERSION)" ]; then \
		echo "building kube-apiserver $(KUBE_VERSION) into .tools/bin (15 minutes on 2 cores when the build cache is cold)"; \
		cd .ci/tools/kube && $(GO) build -ldflags "$(KUBE_LDFLAGS)" -o $(TOOLS)/kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver; \
	else echo "kube-apiserver $(KUBE_VERSION) is up to date"; fi

# Debian's chromium for the browser test of `platc docs` (providers/docs).
# Skips apt when chromium is already installed; tries the package lists
# the machine has before refreshing them, so it works offline once
# installed and says what to run when it cannot install.
tools-chromium: ## install Debian's chromium for the docs browser test (idempotent)
	@if command -v chromium >/dev/null 2>&1; then \
		echo "chromium is installed: $$(chromium --version 2>/dev/null | head -1)"; \
	else \
		echo "installing Debian's chromium (for the platc docs browser test)"; \
		sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"; \
		export DEBIAN_FRONTEND=noninteractive; \
		$$sudo apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1 \
		|| { $$sudo apt-get update -q >/dev/null && $$sudo apt-get install -y -q --no-install-recommends chromium >/dev/null; } \
		|| { echo "make tools: could not install chromium with apt-get (offline, or not root?)."; \
		     echo "  Install it with: sudo apt-get update && sudo apt-get install -y chromium"; \
		     echo "  The browser test of platc docs (go test ./providers/docs) fails without it."; exit 1; }; \
		echo "chromium installed: $$(chromium --version 2>/dev/null | head -1)"; \
	fi

bench-tools: tools ## build conftest into .tools/bin for bench-check (slow, not needed by the tests)
	@if [ ! -x $(TOOLS)/conftest ]; then \
		echo "building conftest into .tools/bin"; \
		cd .ci/tools/conftest && $(GO) build -o $(TOOLS)/conftest github.com/open-policy-agent/conftest; \
	else echo "conftest is up to date"; fi

test: tools ## run every test with the race detector (builds the tools first)
	$(GO) test -race -count=1 ./...

test-short: ## run the tests without the race detector, skipping the slow ones
	$(GO) test -short ./...

golden: ## fail if regenerating golden files and scripts (PLATC_UPDATE=1) changes anything
	PLATC_UPDATE=1 $(GO) test -count=1 ./... >/dev/null
	@git diff --exit-code -- '*.txtar' '**/testdata/**' || { echo "golden files are out of date: run PLATC_UPDATE=1 go test ./... and review the diff"; exit 1; }

bench: ## run the Go benchmarks (generated organisations of 100, 1000 and 5000 teams)
	$(GO) test -run '^$$' -bench . -benchtime 1x -benchmem ./...

bench-docs: ## platc docs against platc check on the generated 1000-team organisation (bar: under 2x)
	$(GO) test -run '^$$' -bench 'BenchmarkDocsVsCheck/teams=1000' -benchtime 3x ./providers/docs

bench-vet: build tools ## platc vet against plain cue vet on the same generated specs, side by side
	bash .ci/bench-vet.sh

bench-check: build bench-tools ## platc check against cue export | conftest test on the same spec and policies
	bash .ci/bench-check.sh

fuzz: ## fuzz the loader for a minute
	$(GO) test -run '^$$' -fuzz FuzzVet -fuzztime 60s ./compiler

demo: build ## check, plan and render the example platform, then scaffold and check a new one
	@echo "== platc check examples/acme-shop (the example is dated: checked as of $(EXAMPLE_NOW))"
	./bin/platc check --now $(EXAMPLE_NOW) examples/acme-shop
	@rm -rf demo
	@echo "== platc plan: what render would write into demo/gitops-repo"
	./bin/platc plan --now $(EXAMPLE_NOW) --out demo/gitops-repo --no-diff examples/acme-shop | tail -4
	@echo "== platc render examples/acme-shop --out demo/gitops-repo"
	./bin/platc render --now $(EXAMPLE_NOW) --out demo/gitops-repo examples/acme-shop
	@echo "== platc plan again: nothing left to change"
	./bin/platc plan --now $(EXAMPLE_NOW) --out demo/gitops-repo --detailed-exitcode examples/acme-shop
	@echo "== platc init demo/spec (from the 90-day blueprint), then check it and run its policy tests"
	./bin/platc init demo/spec
	./bin/platc check demo/spec
	./bin/platc policy test demo/spec
	@echo "== done: the rendered tree is in demo/gitops-repo (gitops/<env>/, catalog/, CODEOWNERS); the new spec in demo/spec"

fmt: ## format Go and CUE sources
	gofmt -w $$(git ls-files '*.go')
	$(GO) run ./cmd/platc fmt examples blueprints

vet: ## go vet and format checks
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "run make fmt"; exit 1; }
	$(GO) run ./cmd/platc fmt --check examples blueprints

clean: ## remove build outputs and the demo
	rm -rf bin demo
