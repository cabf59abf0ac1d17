# hxstakepool — the two set-up commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
SWIFT ?= swift
# Debian packages each goal needs; installed only when missing.
BUILD_PKGS := libssl-dev libsqlite3-dev default-libmysqlclient-dev pkg-config openssl
TEST_PKGS := $(BUILD_PKGS) mariadb-server mariadb-client python3-aiosmtpd python3-pip nginx-light chromium curl systemd
BENCH_PKGS := $(BUILD_PKGS) wrk nginx-light
# Fuzzing (docs/fuzzing.md): seconds per target for `make fuzz`, inputs per target in `make test`.
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_RUNS ?= 20000

.PHONY: run test bench build fuzz deps-build deps-test deps-bench clean example-test example-embedded testing-doc test-under-load screenshots

deps-build:
	@scripts/apt-ensure.sh $(BUILD_PKGS)
# axe-core for the browser accessibility audit, as the PyPI package axe-playwright-python ships it.
AXE_PIP := axe-playwright-python==0.1.8
deps-test:
	@scripts/apt-ensure.sh $(TEST_PKGS)
	@python3 -c 'import axe_playwright_python' 2>/dev/null || python3 -m pip install --quiet $(AXE_PIP) \
		|| python3 -m pip install --quiet --break-system-packages $(AXE_PIP)
deps-bench:
	@scripts/apt-ensure.sh $(BENCH_PKGS)

build: deps-build
	$(SWIFT) build

## make run: SQLite + log mail + simulated simnet wallets, web app and stakepoold, on loopback.
run: deps-build
	$(SWIFT) build
	scripts/dev-run.sh

## make test: real MariaDB + SMTP sink (+ nginx) on loopback in a temp dir, then swift test, the examples'
## tests (the fork's end to end over this build's simwallet/hxstakepool/poolctl) and the embedded example's runs,
## then every fuzz target briefly (FUZZ_SMOKE_RUNS inputs each, fixed seed).
test: deps-test
	$(SWIFT) build --build-tests
	scripts/with-test-services.sh $(SWIFT) test --skip-build
	$(MAKE) --no-print-directory example-test
	$(MAKE) --no-print-directory example-embedded
	FUZZ_SMOKE_RUNS=$(FUZZ_SMOKE_RUNS) SWIFT=$(SWIFT) scripts/fuzz.sh smoke

## make test-under-load: `make test` RUNS (5) times in a row with stress-ng keeping every core busy (docs/testing.md).
test-under-load: deps-test
	@scripts/apt-ensure.sh stress-ng
	RUNS=$(or $(RUNS),5) scripts/test-under-load.sh

## make fuzz: libFuzzer + ASan build into .build-fuzz, then each target for FUZZ_SECONDS, one after the other.
fuzz: deps-build
	SWIFT=$(SWIFT) scripts/fuzz.sh build
	scripts/fuzz.sh run -- -max_total_time=$(FUZZ_SECONDS)

## make bench: release build, prints one JSON line per figure. Groups (`poolbench --help`): chain storage rpc simnet
## services vote http pages dashboard vsp idle scale watch, each in its own process.
bench: deps-bench
	$(SWIFT) build -c release --product poolbench
	$(SWIFT) build -c release --product simwallet
	$(SWIFT) build -c release --product hxstakepool
	$(SWIFT) build -c release --product stakepoold
	scripts/with-test-services.sh .build/release/poolbench

clean:
	rm -rf .build .build-fuzz

## make example-test: builds the fork's package (examples/ForkVotePolicy: its vote policy and `fork-stakepoold`) and runs
## its tests; the end-to-end one runs this package's simwallet, hxstakepool and poolctl, so they are built first.
example-test: deps-build
	$(SWIFT) build
	cd examples/ForkVotePolicy && $(SWIFT) build --build-tests && $(SWIFT) test --skip-build

## make example-embedded: builds examples/EmbeddedPool (the engine embedded in a program) and runs it twice from fresh
## temp dirs; each run must print a simnet P2SH ticket address.
example-embedded: deps-build
	SWIFT=$(SWIFT) scripts/example-embedded.sh

## make testing-doc: regenerates docs/testing.md from README's <!-- test … --> markers.
testing-doc:
	$(SWIFT) build --build-tests
	POOL_WRITE_TESTING_DOC=1 $(SWIFT) test --skip-build --filter HostKitTests.ReadmeTestMarkersTests/testTestingDocument_isGeneratedFromTheReadmeMarkers

## make screenshots: regenerates docs/screenshots/ (README's walkthrough) from the browser test that walks it
## against the dev stack.
screenshots:
	$(SWIFT) build --build-tests
	POOL_WRITE_SCREENSHOTS=1 $(SWIFT) test --skip-build --filter WebHostTests.WalkthroughScreenshotTests
