# The two commands a newcomer needs: `make demo` and `make test`.
# Everything else here is what they are made of.

BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)

.PHONY: all bootstrap configure build demo test bench format clean

all: build

bootstrap:
	@scripts/bootstrap

configure: bootstrap
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# Builds, generates the shop demo data if missing, serves it on 127.0.0.1:4000.
demo: build
	@scripts/demo

# Builds and runs every test (unit, result and end-to-end) through ctest.
test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j 2

# Benchmarks are not tests: run them on purpose, then update BENCHMARKS.md.
bench: build
	@scripts/bench

format:
	@git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
