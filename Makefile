# RemoteMedia — the two commands of the quick start, and their parts.
#
#   make run    set up, build, install into .venv/, run the demo pipeline
#   make test   set up, build, run every test (ctest, sanitizer ctest, pytest):
#               all three groups always run; a summary line per group
#
# Both are idempotent: set-up steps are skipped when already done, builds are
# incremental.

SHELL      := /bin/bash
PYTHON     ?= python3
VENV       := .venv
VPY        := $(VENV)/bin/python
BUILD      := build
BUILD_ASAN := build-asan
STAMPS     := .stamps
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE      ?= cmake

# Everything the native build reads: a change re-installs the SDK.
NATIVE_SOURCES := $(shell find CMakeLists.txt cmake plugin-api runtime plugins python/remotemedia python/src python/pyproject.toml python/CMakeLists.txt -type f 2>/dev/null)

.PHONY: all setup deps venv build build-asan sdk run test test-c test-asan test-python bench bench-batch bench-peers clean distclean

all: build

## Set-up ------------------------------------------------------------------

setup: deps venv

deps: $(STAMPS)/apt
$(STAMPS)/apt: scripts/apt-packages.txt scripts/install-apt.sh
	@mkdir -p $(STAMPS)
	scripts/install-apt.sh
	@touch $@

venv: $(STAMPS)/venv
$(STAMPS)/venv: python/requirements-dev.txt $(STAMPS)/apt
	@mkdir -p $(STAMPS)
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q -r python/requirements-dev.txt
	@touch $@

## Build -------------------------------------------------------------------

$(BUILD)/CMakeCache.txt: $(STAMPS)/venv
	$(CMAKE) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DPython3_EXECUTABLE=$(abspath $(VPY))

build: $(BUILD)/CMakeCache.txt
	$(CMAKE) --build $(BUILD) -j $(JOBS)

$(BUILD_ASAN)/CMakeCache.txt: $(STAMPS)/venv
	$(CMAKE) -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DRM_SANITIZE=ON \
	  -DPython3_EXECUTABLE=$(abspath $(VPY))

build-asan: $(BUILD_ASAN)/CMakeCache.txt
	$(CMAKE) --build $(BUILD_ASAN) -j $(JOBS)

# The SDK (with the native runtime, plugins, bridge and rmrun) into .venv/.
sdk: $(STAMPS)/sdk
$(STAMPS)/sdk: $(STAMPS)/venv $(NATIVE_SOURCES)
	$(VPY) -m pip install -q --no-build-isolation ./python
	@touch $@

## Run ---------------------------------------------------------------------

run: build sdk
	$(VENV)/bin/rmrun --list
	@if [ -x examples/demo.sh ]; then examples/demo.sh; fi

## Test --------------------------------------------------------------------

# All three groups run even when an earlier one fails (a failure in the C
# tests must not hide one in pytest); then one line per group, and the exit
# status is non-zero if any group failed. The groups also run alone.
TEST_GROUPS := test-c:ctest test-asan:ctest-under-ASan+UBSan test-python:pytest

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
	rm -rf $(BUILD) $(BUILD_ASAN) python/build $(STAMPS)/sdk

distclean: clean
	rm -rf $(VENV) $(STAMPS)
