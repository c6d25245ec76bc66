# Antler: every target installs what it needs (npm dependencies, pinned tools) on first use.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NODE_MODULES := node_modules/.package-lock.json
TSX := node_modules/.bin/tsx

.PHONY: help deps tools chart chart-check test test-unit test-host test-cluster e2e cluster-up cluster-down agent image bench bench-ready bench-profile bench-llm-gateway llm-gateway typecheck lint-values clean

help: ## List targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | column -t -s $$'\t'

$(NODE_MODULES): package.json package-lock.json sandbox-agent/package.json
	npm ci --no-audit --no-fund
	@touch $@

deps: $(NODE_MODULES) ## Install npm dependencies (npm ci)

tools: deps ## Resolve every pinned tool (env override, cache, Go build, or verified download)
	$(TSX) harness/tools-cli.ts ensure

chart: deps ## Regenerate chart/ from the TypeScript values model
	$(TSX) generator/main.ts

chart-check: deps ## Fail if chart/ is stale or values and templates disagree
	$(TSX) generator/main.ts --check

typecheck: deps ## Type-check all TypeScript
	node_modules/.bin/tsc -p tsconfig.json

test: deps ## All tests: unit, helm-unittest, and suites against a local control plane (with its real node)
	$(TSX) harness/prepare-cli.ts test
	@started=$$(date +%s); status=0; node_modules/.bin/vitest run || status=$$?; echo "[test] vitest took $$(( $$(date +%s) - started ))s"; $(TSX) harness/test-summary.ts .cache/vitest-report.json; exit $$status

test-unit: deps ## Unit tests only (no cluster)
	node_modules/.bin/vitest run --project unit

test-host: deps ## Host-process suites only (the real LiteLLM proxy, redis-server on loopback)
	node_modules/.bin/vitest run --project host

llm-gateway: deps ## Install the pinned LiteLLM proxy (hash-checked) into the cache and print where it is
	$(TSX) harness/litellm-cli.ts env

test-cluster: deps ## Cluster suites only
	$(TSX) harness/tools-cli.ts ensure --for test
	node_modules/.bin/vitest run --project cluster

e2e: deps ## Main job: cluster (with its real node), chart repo install, the e2e suites incl. the real DeerFlow, report
	$(TSX) harness/prepare-cli.ts e2e
	$(TSX) harness/e2e.ts

cluster-up: deps ## Start the test cluster (kind if a container engine answers, else local); CLUSTER=kind|local
	$(TSX) harness/cluster-cli.ts up

cluster-down: deps ## Stop the test cluster and remove its processes, ports and temp dirs
	$(TSX) harness/cluster-cli.ts down

agent: deps ## Run the sandbox agent outside a cluster against $$KUBECONFIG
	$(TSX) sandbox-agent/src/main.ts

image: ## Build the sandbox-agent image (needs a container engine)
	docker build -f sandbox-agent/Dockerfile -t antler/sandbox-agent:$$(node -p "require('./sandbox-agent/package.json').version") .

bench: deps ## Sandbox-agent benchmark against a local cluster; writes .bench/sandbox-agent.json
	$(TSX) harness/tools-cli.ts ensure --for test
	$(TSX) sandbox-agent/bench/main.ts

bench-ready: deps ## Sandbox time-to-ready on the real node: a bare container start, the official provisioner, the agent (probe settings), then a large image pulled with and without the pre-puller; writes .bench/time-to-ready.json
	$(TSX) harness/tools-cli.ts ensure --for test
	$(TSX) sandbox-agent/bench/time-to-ready.ts

bench-profile: deps ## Where the agent's CPU goes at concurrency 50: the compiled agent under --cpu-prof on the bench cluster; prints self time by package and function
	$(TSX) harness/tools-cli.ts ensure --for test
	$(TSX) sandbox-agent/bench/profile.ts

bench-llm-gateway: deps ## LLM gateway benchmark: LiteLLM's added latency on loopback (p50/p99 at 1/10/50); writes .bench/llm-gateway.json
	$(TSX) harness/tools-cli.ts ensure --for test
	$(TSX) harness/bench/llm-gateway.ts

clean: ## Remove build and report output (not the tool cache)
	rm -rf dist .e2e .bench sandbox-agent/dist
