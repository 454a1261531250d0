# platc — the commands a new user and CI need. `make help` lists them.

SHELL := /bin/bash
export PATH := $(CURDIR)/.tools/bin:/usr/local/go/bin:$(PATH)
# go-nvml's cgo build prints about 300 lines of C deprecation warnings
# (its header declares NVML's deprecated calls too); keep Go's default
# flags and silence only those, so a build shows platc's own output.
export CGO_CFLAGS ?= -O2 -g -Wno-deprecated-declarations

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
# The Pulumi CLI platc apply and plan drive (.ci/tools/pulumi).
PULUMI_VERSION := v3.259.0
# The time the example's calendar, freezes and exceptions are written for:
# a Tuesday morning, inside its change windows.
EXAMPLE_NOW := 2026-11-24T10:00:00Z

.PHONY: help build install tools tools-pulumi tools-chromium bench-tools test test-short golden bench bench-docs bench-render bench-hcl bench-apply bench-vet bench-check bench-scale fuzz fuzz-adversarial demo fmt vet clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## build bin/platc
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/platc ./cmd/platc

install: ## install platc into GOBIN
	$(GO) install -ldflags "$(LDFLAGS)" ./cmd/platc

tools-pulumi: ## build the pulumi CLI platc apply drives into .tools/bin (idempotent)
	@mkdir -p $(TOOLS)
	@if [ "$$($(TOOLS)/pulumi version 2>/dev/null)" != "$(PULUMI_VERSION)" ]; then \
		echo "building the pulumi CLI $(PULUMI_VERSION) into .tools/bin (10 minutes or more on 2 cores when the build cache is cold)"; \
		cd .ci/tools/pulumi && $(GO) build -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$(PULUMI_VERSION)" -o $(TOOLS)/pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi; \
	else echo "pulumi $(PULUMI_VERSION) is up to date"; fi

tools: tools-pulumi tools-chromium ## build the tools tests and benchmarks use into .tools/bin, install chromium (idempotent)
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

test: tools ## run every test with the race detector (builds the tools first; internal/cli alone takes about 10 minutes on 2 cores)
	$(GO) test -race -count=1 -timeout 30m ./...

test-short: ## run the tests without the race detector, skipping the slow ones
	$(GO) test -short ./...

golden: ## fail if regenerating golden files and scripts (PLATC_UPDATE=1) changes anything
	PLATC_UPDATE=1 $(GO) test -count=1 -timeout 30m ./... >/dev/null
	@git diff --exit-code -- '*.txtar' '**/testdata/**' || { echo "golden files are out of date: run PLATC_UPDATE=1 go test ./... and review the diff"; exit 1; }

bench: ## run the Go benchmarks (generated organisations of 100, 1000 and 5000 teams)
	$(GO) test -run '^$$' -bench . -benchtime 1x -benchmem ./...

bench-docs: ## platc docs against platc check on the generated 1000-team organisation (bar: under 2x)
	$(GO) test -run '^$$' -bench 'BenchmarkDocsVsCheck/teams=1000' -benchtime 3x ./providers/docs

bench-render: ## platc render against platc check on the generated 1000-team organisation, fresh and over its own tree (bar: 1.5x)
	$(GO) test -run '^$$' -bench 'BenchmarkRenderVsCheck/teams=1000' -benchtime 3x ./internal/cli

bench-hcl: ## platc vet of the generated 1000-team organisation with team files in HCL against the same in CUE, side by side (bar: 1.2x)
	$(GO) test -run '^$$' -bench 'BenchmarkVetHCL' -benchtime 5x ./compiler

bench-apply: tools ## platc apply of the generated 1000-team organisation: the first apply, a no-op apply, and render beside it (bar: no-op within render + 3 s per environment)
	$(GO) test -run '^$$' -bench 'BenchmarkApply/teams=1000' -benchtime 1x -v ./internal/cli

bench-vet: build tools ## platc vet against plain cue vet on the same generated specs, side by side
	bash .ci/bench-vet.sh

bench-scale: build tools ## platc check of 1000 and 5000 generated teams beside the JSON-parse floor (python3 json.load of cue export), wall and peak memory (bars: 5000/1000 at most 5.5x, under 1 GiB, within 4x the floor)
	bash .ci/bench-scale.sh

bench-check: build bench-tools ## platc check against cue export | conftest test on the same spec and policies
	bash .ci/bench-check.sh

fuzz: ## fuzz the loader for a minute, the HCL reader and the YAML writer against encoding/json for half a minute each
	$(GO) test -run '^$$' -fuzz FuzzVet -fuzztime 60s ./compiler
	$(GO) test -run '^$$' -fuzz '^FuzzRead$$' -fuzztime 30s ./compiler/hclspec
	$(GO) test -run '^$$' -fuzz '^FuzzEncodeMatchesJSON$$' -fuzztime 30s ./internal/kubeyaml
	$(GO) test -run '^$$' -fuzz '^FuzzEncoder$$' -fuzztime 30s ./internal/kubeyaml

# Each fuzz target runs on one worker (-parallel 1) under a soft memory
# limit, so that an input that takes too long or too much shows as that
# input, not as a dead worker; FUZZTIME sets how long each runs. A new
# interesting input is minimised for ten runs, not Go's default 60 s: the
# loader finds new coverage every few seconds, and a minute of
# minimisation for each left FuzzVet at about 40 executions in 5 minutes.
# -timeout 0: go test's default 10-minute timeout would end a 10-minute
# run as a failure. Go 1.26's fuzz coordinator can also end a run that
# found nothing with "context deadline exceeded" as FUZZTIME expires
# (golang/go#75804, fixed in Go 1.27): a failing run counts as a failure
# only when it wrote a failing input to testdata/fuzz/TARGET.
FUZZTIME ?= 60s
FUZZ_TARGETS := ./compiler:FuzzVet ./internal/kubeyaml:FuzzEncodeMatchesJSON ./internal/kubeyaml:FuzzEncoder ./internal/kubeyaml:FuzzUnquote ./providers/gpu:FuzzReadDocument ./providers/gpu:FuzzFromNodes ./internal/cli:FuzzReportInputs ./compiler/hclspec:FuzzRead

fuzz-adversarial: ## the adversarial corpus (internal/cli/testdata/adversarial), then every fuzz target for FUZZTIME (default 60s) each
	$(GO) test -count=1 -run '^TestAdversarial$$' ./internal/cli
	@set -e -o pipefail; log=$$(mktemp); trap 'rm -f $$log' EXIT; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; fn=$${t##*:}; corpus=$$pkg/testdata/fuzz/$$fn; \
		before=$$(ls $$corpus 2>/dev/null | wc -l); \
		echo "== fuzz $$fn in $$pkg for $(FUZZTIME)"; \
		if ! GOMEMLIMIT=2GiB $(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 10x -timeout 0 -parallel 1 $$pkg 2>&1 | tee $$log; then \
			if [ "$$(ls $$corpus 2>/dev/null | wc -l)" != "$$before" ] || ! grep -q '^    context deadline exceeded$$' $$log; then echo "fuzz $$fn failed"; exit 1; fi; \
			echo "fuzz $$fn: no failing input written; the failure is Go's end-of-run deadline race (golang/go#75804)"; \
		fi; \
	done

demo: build tools-pulumi ## check, render and apply the example platform (local Pulumi backend, local GitOps repo), then scaffold and check a new one
	@rm -rf demo && mkdir -p demo && cp -r examples/acme-shop demo/acme-shop
	@echo "== platc check demo/acme-shop (a copy of examples/acme-shop; the example is dated: checked as of $(EXAMPLE_NOW))"
	./bin/platc check --now $(EXAMPLE_NOW) demo/acme-shop
	@echo "== platc render demo/acme-shop --out demo/rendered"
	./bin/platc render --now $(EXAMPLE_NOW) --out demo/rendered demo/acme-shop
	@echo "== platc apply: pulumi up of each environment's stack (local file backend demo/state; platc's components only, as no cloud plugins or credentials are here), then a commit into the git repository demo/gitops-repo"
	set -o pipefail; PULUMI_CONFIG_PASSPHRASE= ./bin/platc apply --yes --now $(EXAMPLE_NOW) --out demo/gitops-repo $(DEMO_STACK_FLAGS) demo/acme-shop 2>&1 | grep -v '^    [a-z]* |'
	@echo "== platc apply again: nothing changes, no commit"
	set -o pipefail; PULUMI_CONFIG_PASSPHRASE= ./bin/platc apply --yes --now $(EXAMPLE_NOW) --out demo/gitops-repo $(DEMO_STACK_FLAGS) demo/acme-shop 2>&1 | grep -v '^    [a-z]* |'
	@echo "== platc plan: the GitOps tree and every stack are up to date (exit 0 with --detailed-exitcode)"
	PULUMI_CONFIG_PASSPHRASE= ./bin/platc plan --now $(EXAMPLE_NOW) --out demo/gitops-repo --detailed-exitcode $(DEMO_STACK_FLAGS) demo/acme-shop
	git -C demo/gitops-repo log --stat --format='%h %s' | head -5
	@echo "== platc init demo/spec (from the 90-day blueprint), then check it and run its policy tests"
	./bin/platc init demo/spec
	./bin/platc check demo/spec
	./bin/platc policy test demo/spec
	@echo "== done: the GitOps repository is demo/gitops-repo (clusters/<env>/ and clusters/argocd/<env>/ under the example's platform.gitops.path, pulumi/<env>/, catalog/, CODEOWNERS; git log shows the apply), the stacks' state demo/state, the new spec demo/spec"

DEMO_STACK_FLAGS = --components-only --backend file://$(CURDIR)/demo/state --secrets-provider passphrase

fmt: ## format Go and CUE sources
	gofmt -w $$(git ls-files '*.go')
	$(GO) run ./cmd/platc fmt examples blueprints

vet: ## go vet and format checks
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "run make fmt"; exit 1; }
	$(GO) run ./cmd/platc fmt --check examples blueprints

clean: ## remove build outputs and the demo
	rm -rf bin demo
