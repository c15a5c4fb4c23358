# tests/fuzz/fuzz.mk — libFuzzer targets (included by the Makefile).
# See tests/fuzz/README.md.
#
#   make fuzz                 each target for FUZZ_SECONDS (default 300)
#   make fuzz FUZZ_TARGETS=fuzz_diff FUZZ_SECONDS=3600
#   make fuzz-smoke           each target briefly (tests/fuzz/smoke.sh)
#   make fuzz-build           only build them, into build-fuzz/
#   make fuzz-diff            the standalone differential driver with $(CC)
#
# The library is compiled with clang -fsanitize=fuzzer-no-link,address,
# undefined into build-fuzz/; every target links against it with
# -fsanitize=fuzzer,address,undefined. Findings land in
# build-fuzz/artifacts/, the growing corpora in build-fuzz/corpus-TARGET/
# (seeded from tests/fuzz/corpus/).

FUZZ_BUILD   ?= build-fuzz
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 300
FUZZ_JOBS    ?= 1
FUZZ_TARGETS ?= fuzz_diff fuzz_front fuzz_pp fuzz_parse
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS  := -std=gnu11 -g -O1 -fno-omit-frame-pointer -Iinclude -Isrc $(FUZZ_SAN)
FUZZ_SRC     := $(sort $(wildcard src/*/*.c src/*/*/*.c))
FUZZ_OBJ     := $(FUZZ_SRC:%.c=$(FUZZ_BUILD)/%.o)
# The JIT turns guard-page faults and division faults into traps with its
# own handlers: ASan and libFuzzer must let it install them (it passes any
# fault that is not its own to the handler it replaced).
FUZZ_ENV     := ASAN_OPTIONS=allow_user_segv_handler=1:detect_leaks=1 \
                UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# clang and libFuzzer's runtime come from Debian's packages.
$(FUZZ_BUILD)/.deps:
	@mkdir -p $(FUZZ_BUILD)
	@if ! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' | \
	    $(FUZZ_CC) -x c -fsanitize=fuzzer,address,undefined -o $(FUZZ_BUILD)/.probe - 2>/dev/null; then \
	    echo "fuzz: installing clang and libFuzzer (libclang-rt-14-dev)"; \
	    apt-get install -y clang libclang-rt-14-dev >/dev/null || \
	    { apt-get update >/dev/null && apt-get install -y clang libclang-rt-14-dev >/dev/null; }; \
	fi
	@rm -f $(FUZZ_BUILD)/.probe
	@touch $@

$(FUZZ_BUILD)/src/%.o: src/%.c $(FUZZ_BUILD)/.deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fPIC -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/libkplug.a: $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_diff: tests/fuzz/fuzz_diff.c tests/fuzz/progfuzz.c tests/fuzz/progfuzz.h $(FUZZ_BUILD)/libkplug.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -DKP_LIBFUZZER -fsanitize=fuzzer -o $@ tests/fuzz/fuzz_diff.c \
	    tests/fuzz/progfuzz.c $(FUZZ_BUILD)/libkplug.a -lpthread -lm

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_BUILD)/libkplug.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -DKP_LIBFUZZER -fsanitize=fuzzer -o $@ $< \
	    $(FUZZ_BUILD)/libkplug.a -lpthread -lm

fuzz-build: $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/%)

# Seed corpus per target: fuzz_diff takes generator bytes, the others source.
fuzz: fuzz-build
	@mkdir -p $(FUZZ_BUILD)/artifacts
	@set -e; for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_BUILD)/corpus-$$t; \
	    case $$t in fuzz_diff) seeds=tests/fuzz/corpus/diff ;; *) seeds="tests/corpus tests/hostile" ;; esac; \
	    echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	    $(FUZZ_ENV) $(FUZZ_BUILD)/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=20 -rss_limit_mb=4096 \
	        -max_len=8192 -jobs=$(FUZZ_JOBS) -workers=$(FUZZ_JOBS) -print_final_stats=1 \
	        -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$t- \
	        $(FUZZ_BUILD)/corpus-$$t $$seeds || { echo "fuzz: $$t found a bug: $(FUZZ_BUILD)/artifacts/"; exit 1; }; \
	done

fuzz-smoke: fuzz-build
	@FUZZ_BUILD=$(FUZZ_BUILD) BUILD=$(BUILD) CC="$(CC)" tests/fuzz/smoke.sh

# The standalone differential driver (no clang needed): seeds 0..N-1.
$(BUILD)/fuzz_diff: tests/fuzz/fuzz_diff.c tests/fuzz/progfuzz.c tests/fuzz/progfuzz.h $(BUILD)/libkplug.a
	$(CC) -std=gnu11 $(WARN) $(CFLAGS) -Iinclude -o $@ tests/fuzz/fuzz_diff.c tests/fuzz/progfuzz.c \
	    $(BUILD)/libkplug.a $(LDLIBS)

FUZZ_DIFF_SEEDS ?= 3000
fuzz-diff: $(BUILD)/fuzz_diff
	$(BUILD)/fuzz_diff -n $(FUZZ_DIFF_SEEDS)

-include $(FUZZ_OBJ:.o=.d)

.PHONY: fuzz fuzz-build fuzz-smoke fuzz-diff
