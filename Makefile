# LaminarDB developer entry points. On a fresh Debian 12 machine:
#   make run    installs dependencies, builds, runs examples/quickstart.sql
#   make test   installs dependencies, builds, runs every test

JOBS ?= $(shell nproc)
PRESET ?= release
BUILD_DIR := build/$(PRESET)
SOURCES := $(shell find src include bench examples -name '*.cc' -o -name '*.h' 2>/dev/null)

.PHONY: all deps configure build test test-asan run bench format clean

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	@cmake --preset $(PRESET) >/dev/null

build: configure
	@cmake --build --preset $(PRESET) -j $(JOBS)

test: build
	ctest --preset $(PRESET) -j $(JOBS)

# Unit tests under AddressSanitizer and UndefinedBehaviorSanitizer.
test-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS)

run: build
	./$(BUILD_DIR)/laminardb run examples/quickstart.sql

bench: build
	@scripts/run-benchmarks.sh $(BUILD_DIR)

format:
	@clang-format -i $(SOURCES)

clean:
	rm -rf build
