# RemoteMedia — the two commands of the quick start, and their parts.
#
#   make run    set up, build, install into .venv/, run the demo pipeline
#   make test   set up, build, run every test (ctest, sanitizer ctest, pytest):
#               all four groups always run; a summary line per group
#
# Both are idempotent: set-up steps are skipped when already done, builds are
# incremental. Set-up steps print one line each and keep their output in a
# log (shown in full when a step fails); `make V=1` shows everything.
#
#   make wheel  the self-contained SDK wheel (auditwheel) in build/wheel/dist

SHELL      := /bin/bash
PYTHON     ?= python3
VENV       := .venv
VPY        := $(VENV)/bin/python
BUILD      := build
BUILD_ASAN := build-asan
STAMPS     := .stamps
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE      ?= cmake
# The SDK's scikit-build-core build folder, outside the source tree and
# keyed by the wheel tag: `make sdk` and `make wheel` rebuild incrementally.
SDK_BUILD  := $(abspath $(BUILD))/sdk/{wheel_tag}
V          ?= 0

# No "Entering directory" lines from the make that `cmake --build` runs.
MAKEFLAGS  += --no-print-directory

# quiet <log> <command...>: runs the command with its output in <log>; on
# failure prints the whole log (compiler errors in full) and fails. V=1 runs
# it with the output on the terminal.
ifeq ($(V),1)
quiet = $(2)
else
quiet = mkdir -p $(dir $(1)) && { $(2); } > $(1) 2>&1 || { s=$$?; cat $(1); echo "failed: see above (log: $(1))" >&2; exit $$s; }
endif

# Everything the native build reads: a change re-installs the SDK.
NATIVE_SOURCES := $(shell find CMakeLists.txt cmake plugin-api runtime plugins python/remotemedia python/src python/pyproject.toml python/CMakeLists.txt -type f 2>/dev/null)

.PHONY: all setup deps venv build build-asan build-tsan test-tsan sdk wheel run test test-c test-asan test-python bench bench-batch bench-peers clean distclean

all: build

## Set-up ------------------------------------------------------------------

setup: deps venv

deps: $(STAMPS)/apt
$(STAMPS)/apt: scripts/apt-packages.txt scripts/install-apt.sh
	@mkdir -p $(STAMPS)
	@scripts/install-apt.sh
	@touch $@

venv: $(STAMPS)/venv
$(STAMPS)/venv: python/requirements-dev.txt $(STAMPS)/apt
	@mkdir -p $(STAMPS)
	@echo "setup: Python packages of python/requirements-dev.txt into $(VENV)/"
	@$(call quiet,$(STAMPS)/venv.log,test -x $(VPY) || $(PYTHON) -m venv $(VENV); \
	  $(VPY) -m pip install --upgrade pip && $(VPY) -m pip install -r python/requirements-dev.txt)
	@touch $@

## Build -------------------------------------------------------------------

# Configure and build print one line each (logs in the build folder, printed
# in full on failure). A failed configure leaves no CMakeCache.txt behind, so
# the next `make` configures again (e.g. after installing what it named).
$(BUILD)/CMakeCache.txt: $(STAMPS)/venv
	@echo "build: configuring $(BUILD)/ (CMake, RelWithDebInfo)"
	@$(call quiet,$(BUILD)/configure.log,$(CMAKE) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DPython3_EXECUTABLE=$(abspath $(VPY)) || { rm -f $@; false; })

build: $(BUILD)/CMakeCache.txt
	@echo "build: $(BUILD)/ (runtime, plugins, tests, benchmarks, fuzzers)"
	@$(call quiet,$(BUILD)/build.log,$(CMAKE) --build $(BUILD) -j $(JOBS))

$(BUILD_ASAN)/CMakeCache.txt: $(STAMPS)/venv
	@echo "build: configuring $(BUILD_ASAN)/ (CMake, Debug, ASan+UBSan)"
	@$(call quiet,$(BUILD_ASAN)/configure.log,$(CMAKE) -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DRM_SANITIZE=ON \
	  -DPython3_EXECUTABLE=$(abspath $(VPY)) || { rm -f $@; false; })

build-asan: $(BUILD_ASAN)/CMakeCache.txt
	@echo "build: $(BUILD_ASAN)/ (the same, under AddressSanitizer+UBSan)"
	@$(call quiet,$(BUILD_ASAN)/build.log,$(CMAKE) --build $(BUILD_ASAN) -j $(JOBS))

# The SDK (with the native runtime, plugins, bridge and rmrun) into .venv/.
# REMOTEMEDIA_REQUIRE_NATIVE=1: a failing native build is an error here, not
# a pure-Python install (python/pyproject.toml).
sdk: $(STAMPS)/sdk
$(STAMPS)/sdk: $(STAMPS)/venv $(NATIVE_SOURCES)
	@echo "setup: the SDK with its native runtime into $(VENV)/ (scikit-build-core, $(BUILD)/sdk)"
	@mkdir -p $(BUILD)
	@$(call quiet,$(BUILD)/sdk.log,REMOTEMEDIA_REQUIRE_NATIVE=1 flock $(BUILD)/sdk.lock \
	  $(VPY) -m pip install -v --no-build-isolation -C build-dir='$(SDK_BUILD)' ./python)
	@touch $@

# The SDK wheel with its native libraries inside (auditwheel repair onto a
# manylinux tag): build/wheel/dist/remotemedia-*.whl. See scripts/build-wheel.sh.
wheel: $(STAMPS)/venv
	@scripts/build-wheel.sh

## Run ---------------------------------------------------------------------

# Only what the demo needs: the SDK with its native runtime (no tests,
# benchmarks or fuzzers: those are built by `make test` / `make bench`).
run: sdk
	@$(VENV)/bin/rmrun --list
	@if [ -x examples/demo.sh ]; then examples/demo.sh; fi

## Test --------------------------------------------------------------------

# All the groups run even when an earlier one fails (a failure in the C
# tests must not hide one in pytest); then one line per group, and the exit
# status is non-zero if any group failed. The groups also run alone.
TEST_GROUPS := test-c:ctest test-asan:ctest-under-ASan+UBSan test-tsan:engine-tests-under-TSan test-python:pytest

test:
	@status=0; summary=""; \
	for entry in $(TEST_GROUPS); do \
	  group=$${entry%%:*}; what=$${entry#*:}; start=$$SECONDS; \
	  if $(MAKE) --no-print-directory $$group; then result=passed; \
	  else result=FAILED; status=1; fi; \
	  summary="$$summary$$(printf '  %-12s %-6s %s, %d s' $$group $$result "$$what" $$((SECONDS - start)))\n"; \
	done; \
	printf '\nmake test summary:\n%b' "$$summary"; \
	if [ $$status -ne 0 ]; then echo "make test: FAILED (see the groups above)"; fi; \
	exit $$status

test-c: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) --timeout 300

test-asan: build-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp) \
	  ctest --test-dir $(BUILD_ASAN) --output-on-failure -j $(JOBS) --timeout 600 -LE no-asan

# The engine's threaded tests (executor, retries/timeouts and their soak,
# sessions) under ThreadSanitizer, in a third build tree with only what
# they need. (The audio kernels' target_clones resolvers do not run under
# TSan, so the audio tests stay with the ASan group.)
BUILD_TSAN := build-tsan
TSAN_TESTS := test_executor test_reliability test_session test_hung_calls test_block_cache
$(BUILD_TSAN)/CMakeCache.txt: $(STAMPS)/venv
	@echo "build: configuring $(BUILD_TSAN)/ (CMake, ThreadSanitizer, engine tests)"
	@$(call quiet,$(BUILD_TSAN)/configure.log,$(CMAKE) -S . -B $(BUILD_TSAN) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DRM_TSAN=ON -DRM_BUILD_PYTHON=OFF -DRM_BUILD_BENCH=OFF -DRM_BUILD_FUZZ=OFF || { rm -f $@; false; })

build-tsan: $(BUILD_TSAN)/CMakeCache.txt
	@echo "build: $(BUILD_TSAN)/ ($(TSAN_TESTS))"
	@$(call quiet,$(BUILD_TSAN)/build.log,$(CMAKE) --build $(BUILD_TSAN) -j $(JOBS) --target $(TSAN_TESTS))

test-tsan: build-tsan
	TSAN_OPTIONS=halt_on_error=1 ctest --test-dir $(BUILD_TSAN) --output-on-failure --timeout 600 \
	  -R '^($(subst $(eval) ,|,$(TSAN_TESTS)))$$'

test-python: build sdk
	REMOTEMEDIA_REQUIRE_NATIVE=1 RM_BUILD_DIR=$(abspath $(BUILD)) $(VPY) -m pytest -q tests/python

## Benchmarks ----------------------------------------------------------------

bench: build sdk
	@if [ -x bench/run.sh ]; then bench/run.sh; else echo "no benchmarks yet"; fi

# Batch throughput vs ffmpeg/gst-launch/Python, and peak RSS on a 2 GB WAV
# (bench/results-batch.md; ffmpeg and gstreamer are optional, not installed).
bench-batch: build sdk
	RM_BUILD_DIR=$(abspath $(BUILD)) $(VPY) bench/batch/bench_batch.py

# rmrun --batch as shipped against sox, numpy+soundfile+soxr, ffmpeg and
# gst-launch-1.0 on WAV and FLAC (the set-up installs the peers).
bench-peers: build sdk
	bench/batch/setup.sh
	$(VPY) bench/batch/bench_peers.py

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_TSAN) python/build $(STAMPS)/sdk

distclean: clean
	rm -rf $(VENV) $(STAMPS)
