# LaminarDB developer entry points. On a fresh Debian 12 machine:
#   make run    installs dependencies, builds, runs examples/quickstart.sql
#   make test   installs dependencies, builds, runs every test
#   make bench-nexmark   runs the Nexmark queries, writes docs/benchmarks.md (section Nexmark)

JOBS ?= $(shell nproc)
PRESET ?= release
BUILD_DIR := build/$(PRESET)
SOURCES := $(shell find src include bench examples -name '*.cc' -o -name '*.h' 2>/dev/null)

.PHONY: all deps configure build test test-asan run bench bench-nexmark format clean

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	@cmake --preset $(PRESET) >/dev/null

build: configure
	@cmake --build --preset $(PRESET) -j $(JOBS)

test: build
	ctest --preset $(PRESET) -j $(JOBS) --output-on-failure

# Unit tests under AddressSanitizer and UndefinedBehaviorSanitizer.
test-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS) --output-on-failure

run: build
	./$(BUILD_DIR)/laminardb run examples/quickstart.sql

bench: build
	@scripts/run-benchmarks.sh $(BUILD_DIR)

# The Nexmark harness over every query, written into docs/benchmarks.md (section Nexmark):
# EVENTS events per run (all three tables), REPEAT runs per query and input mode, medians;
# QUERIES="q11 q12" measures only those and keeps the other rows.
# Debian's python3 runs the script.
EVENTS ?= 10000000
REPEAT ?= 5
PYTHON ?= /usr/bin/python3
bench-nexmark:
	@$(MAKE) --no-print-directory build PRESET=release
	@$(PYTHON) scripts/bench-nexmark.py --build-dir build/release --events $(EVENTS) --repeat $(REPEAT) \
	  $(if $(QUERIES),--queries $(QUERIES))

format:
	@clang-format -i $(SOURCES)

clean:
	rm -rf build
