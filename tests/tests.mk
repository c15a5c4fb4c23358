# tests/tests.mk — test, sanitizer, benchmark and demo targets (included by
# the Makefile). `make test` builds everything and ends with one line
# "N passed, N failed"; see tests/README.md for the suites and formats.

SAN_BUILD   ?= build-asan
SAN_CFLAGS  ?= -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
               -fno-sanitize-recover=undefined
UBSAN_BUILD ?= build-ubsan
UBSAN_CFLAGS ?= -O1 -g -fsanitize=undefined -fno-sanitize-recover=undefined
# Traps of the native engine may use signals: let them reach kplug.
export ASAN_OPTIONS ?= handle_segv=0:allow_user_segv_handler=1:detect_leaks=1
export UBSAN_OPTIONS ?= print_stacktrace=1

# Build in parallel first: the tests themselves are the slow part.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

# kplug-httpd needs libmicrohttpd (installed by examples/httpd/httpd.mk);
# if it cannot be built, the httpd suite says so and skips.
HTTPD_TEST_BUILD = @$(MAKE) --no-print-directory -j$(JOBS) httpd httpd-asan || \
	echo "httpd: kplug-httpd not built; the httpd suite will skip"

test:
	@$(MAKE) --no-print-directory -j$(JOBS) all
	$(HTTPD_TEST_BUILD)
	@CC="$(CC)" CFLAGS="$(CFLAGS)" BUILD=$(BUILD) KPLUG=$(BUILD)/kplug tests/run_tests.sh

# Only some suites, e.g. `make test-corpus`, `make test-malformed`.
test-%:
	@$(MAKE) --no-print-directory -j$(JOBS) all
	$(HTTPD_TEST_BUILD)
	@CC="$(CC)" CFLAGS="$(CFLAGS)" BUILD=$(BUILD) KPLUG=$(BUILD)/kplug tests/run_tests.sh $*

asan:
	$(MAKE) -j$(JOBS) BUILD=$(SAN_BUILD) CFLAGS="$(SAN_CFLAGS)" $(SAN_BUILD)/libkplug.a $(SAN_BUILD)/kplug

ubsan:
	$(MAKE) -j$(JOBS) BUILD=$(UBSAN_BUILD) CFLAGS="$(UBSAN_CFLAGS)" $(UBSAN_BUILD)/libkplug.a $(UBSAN_BUILD)/kplug

# The corpus, malformed, hostile, fuzz and API suites under ASan+UBSan.
test-asan: asan
	@CC="$(CC)" CFLAGS="$(SAN_CFLAGS)" BUILD=$(SAN_BUILD) KPLUG=$(SAN_BUILD)/kplug \
	    TEST_TIMEOUT=180 tests/run_tests.sh corpus malformed hostile fuzz api

test-ubsan: ubsan
	@CC="$(CC)" CFLAGS="$(UBSAN_CFLAGS)" BUILD=$(UBSAN_BUILD) KPLUG=$(UBSAN_BUILD)/kplug \
	    TEST_TIMEOUT=180 tests/run_tests.sh corpus malformed hostile fuzz api

# Check the corpus expectations against native gcc (the source of truth).
validate-corpus:
	@tests/validate_corpus.sh

# Figures, never pass/fail and never part of `make test`; QUICK=1: ~1 minute.
bench:
	@$(MAKE) --no-print-directory -j$(JOBS) all
	@CC="$(CC)" BUILD=$(BUILD) QUICK=$(QUICK) bench/run.sh

# The main job: grayscale the sample image with the sample plugin.
demo:
	@$(MAKE) --no-print-directory -j$(JOBS) all
	@examples/demo.sh $(BUILD)/kplug

.PHONY: test asan ubsan test-asan test-ubsan validate-corpus bench demo
