# ddbsync: see README.md. `make demo` runs replication end to end on a local AWS (moto);
# `make test` runs the whole suite (lint, types, unit, property, integration, Terraform).
SHELL := /bin/bash
NPX := npx --no-install
# The AWS SDK's notice that its Node 20 support ends (it checks for exactly "true").
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED := true

.PHONY: all install build build-lambda build-cli check-zip check-cli lint typecheck test test-unit demo bench docs fmt clean

all: build

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund

# The CDKTF example's runtime packages (cdktf, constructs), so the suite synthesizes it too.
examples/cdktf/node_modules/.package-lock.json: examples/cdktf/package-lock.json
	npm ci --prefix examples/cdktf --omit=dev --no-audit --no-fund

install: node_modules/.package-lock.json

## Bundle the functions for nodejs22.x into dist/*.zip: replicator, health, first-sync (reproducible).
build-lambda: install
	$(NPX) tsx scripts/build-lambda.ts

## Fail if a dist/*.zip is not what the sources build.
check-zip: install
	$(NPX) tsx scripts/build-lambda.ts --check

## Bundle the CLI into dist/ddbsync.mjs, the file `npx ddbsync` runs (no TypeScript loader).
build-cli: install
	$(NPX) tsx scripts/build-cli.ts

## Fail if dist/ddbsync.mjs is not what the sources build.
check-cli: install
	$(NPX) tsx scripts/build-cli.ts --check

## Both committed builds. The CLI bundles the core (lambda/src) too, so a change there needs both.
build: build-lambda build-cli

lint: install
	$(NPX) biome check .

fmt: install
	$(NPX) biome check --write .
	terraform fmt -recursive .

typecheck: install
	$(NPX) tsc -p .

## The whole test suite: the README's test command, and what CI runs.
test: lint typecheck examples/cdktf/node_modules/.package-lock.json
	@mkdir -p .tmp
	@status=0; $(NPX) vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest-results.json || status=$$?; \
	node scripts/test-summary.mjs .tmp/vitest-results.json || status=1; exit $$status

## Unit and property tests only (no moto, no Terraform): fast feedback while coding.
test-unit: install
	$(NPX) vitest run test/unit

## The main job end to end on a local AWS (moto): apply examples/cross-account, replicate
## through the deployed function and mapping, compare, destroy. Uses the committed zip.
demo: install
	$(NPX) tsx scripts/demo.ts

clean:
	rm -rf .tmp dist/sourcemaps

## Benchmark against a local fake DynamoDB (127.0.0.1); QUICK=1 for a fast subset. See BENCHMARKS.md.
## The replicator (bench/run.ts), then the first-sync loader and `ddbsync backfill` on the same fake endpoint (bench/loader.ts).
bench: install
	QUICK=$(QUICK) $(NPX) tsx bench/run.ts
	QUICK=$(QUICK) $(NPX) tsx bench/loader.ts
