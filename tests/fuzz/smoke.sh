#!/bin/bash
# tests/fuzz/smoke.sh — a short run of the fuzzers, for `make test`.
#
#   tests/fuzz/smoke.sh [--standalone|--libfuzzer]
#
# 1. The standalone differential driver, built with $CC against
#    $BUILD/libkplug.a: FUZZ_DIFF_SEEDS (default 4000) generated plugins,
#    seeds 0.., each run on the interpreter and the JIT; deterministic.
#    Then every tests/fuzz/findings/*.c with a kp_main: both engines must
#    agree on it (fuzz_diff --src).
# 2. Every libFuzzer target (make fuzz-build: clang, installed if missing)
#    for FUZZ_SMOKE_SECONDS (default 10) each from the seed corpus.
# Prints "N passed, N failed" and exits non-zero on any finding.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
CC=${CC:-cc}
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
SECS=${FUZZ_SMOKE_SECONDS:-10}
SEEDS=${FUZZ_DIFF_SEEDS:-4000}
MODE=${1:-all}
PASS=0 FAIL=0
pass() { PASS=$((PASS + 1)); echo "ok   $*"; }
fail() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }
LOG=$(mktemp -d)
trap 'rm -rf "$LOG"' EXIT

if [ "$MODE" != --libfuzzer ]; then
    # shellcheck disable=SC2086 # CFLAGS: must match the flags of $BUILD (e.g. sanitizers)
    if ! $CC -std=gnu11 ${CFLAGS:--O2 -g} -Iinclude -o "$LOG/fuzz_diff" tests/fuzz/fuzz_diff.c \
        tests/fuzz/progfuzz.c "$BUILD/libkplug.a" -lpthread -lm 2>"$LOG/cc.err"; then
        fail "fuzz_diff (standalone): does not build: $(head -n 1 "$LOG/cc.err")"
    elif timeout -k 5 300 "$LOG/fuzz_diff" -q -n "$SEEDS" >"$LOG/out" 2>"$LOG/err"; then
        pass "fuzz_diff (standalone): $(tail -n 1 "$LOG/out")"
    else
        fail "fuzz_diff (standalone): $(tail -n 1 "$LOG/out"); $(grep -m 5 'seed' "$LOG/err" | tr '\n' ' ')"
        grep -m 40 . "$LOG/err" | sed 's/^/    /'
    fi
    # Recorded findings stay as regression tests: both engines must agree.
    for f in tests/fuzz/findings/*.c; do
        [ -x "$LOG/fuzz_diff" ] && grep -q kp_main "$f" || continue
        if timeout -k 5 60 "$LOG/fuzz_diff" --src "$f" >"$LOG/out" 2>&1; then
            pass "${f#tests/}: engines agree"
        else
            fail "${f#tests/}: $(tr '\n' ' ' <"$LOG/out" | cut -c 1-200)"
        fi
    done
fi

if [ "$MODE" != --standalone ]; then
    # Until the Makefile includes fuzz.mk, name it here.
    MKF=()
    grep -q 'tests/fuzz/fuzz.mk' Makefile || MKF=(-f Makefile -f tests/fuzz/fuzz.mk)
    if ! make "${MKF[@]}" --no-print-directory -s -j"$(nproc)" FUZZ_BUILD="$FUZZ_BUILD" fuzz-build >"$LOG/build" 2>&1; then
        fail "libFuzzer targets: do not build: $(grep -m 1 -i error "$LOG/build")"
    else
        for t in fuzz_diff fuzz_front fuzz_pp fuzz_parse; do
            case $t in fuzz_diff) seeds=tests/fuzz/corpus/diff ;; *) seeds="tests/corpus tests/hostile" ;; esac
            mkdir -p "$LOG/corpus-$t"
            # Reads the seeds, writes new inputs only to the temporary corpus.
            if ASAN_OPTIONS=allow_user_segv_handler=1:detect_leaks=1 \
                UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
                timeout -k 5 $((SECS + 120)) "$FUZZ_BUILD/$t" -seed=1 -max_total_time="$SECS" -timeout=20 \
                -max_len=8192 -rss_limit_mb=4096 -artifact_prefix="$LOG/$t-" \
                "$LOG/corpus-$t" $seeds >"$LOG/$t.log" 2>&1; then
                pass "$t: $(grep -o '#[0-9]*.*DONE.*' "$LOG/$t.log" | tail -n 1 | cut -c 1-80)"
            else
                fail "$t: $(grep -m 1 -E 'ERROR|differs|Sanitizer|deadly|timeout' "$LOG/$t.log" | cut -c 1-200)"
                mkdir -p "$FUZZ_BUILD/artifacts"
                cp "$LOG/$t-"* "$FUZZ_BUILD/artifacts/" 2>/dev/null &&
                    echo "    input saved in $FUZZ_BUILD/artifacts/ (reproduce: $FUZZ_BUILD/$t FILE)"
                grep -m 30 -E '^----|^(result|trap) |SUMMARY' "$LOG/$t.log" | sed 's/^/    /'
            fi
        done
    fi
fi
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
