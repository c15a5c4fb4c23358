#!/bin/bash
# tests/run_tests.sh — run every test suite and end with "N passed, N failed".
#
#   tests/run_tests.sh [SUITE...]     suites: corpus malformed hostile fuzz
#                                     stress api unit examples httpd kplugfs
#                                     (default: all)
# Environment: KPLUG (the tool, default ./kplug), BUILD (where libkplug.a
# is, default build), CC, CFLAGS (for building API/unit tests), ENGINES
# (override the engine list, e.g. "interp"), VERBOSE=1 (print passes too),
# QUICK=1 (skip the unit scripts that build several configurations).
# The expectation formats are described in tests/README.md.
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
KPLUG=${KPLUG:-./kplug}
BUILD=${BUILD:-build}
CC=${CC:-cc}
CFLAGS=${CFLAGS:--O2 -g}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# Wall-clock guard for any single command; a hang is a failure, not a stall.
LIMIT=${TEST_TIMEOUT:-60}

if [ ! -x "$KPLUG" ]; then
    echo "run_tests.sh: $KPLUG not built" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
if [ -z "${ENGINES:-}" ]; then
    ENGINES=$("$KPLUG" version 2>/dev/null | sed -n 's/^engines: *//p')
    [ -z "$ENGINES" ] && ENGINES=interp
fi

# Run a command under the guard; sets ST (exit status), OUT and ERR files.
run() { # OUTFILE ERRFILE CMD...
    local o=$1 e=$2
    shift 2
    # The braces keep bash's own "Segmentation fault" notices out of the log:
    # the status says it all.
    { timeout -k 5 "$LIMIT" "$@" >"$o" 2>"$e"; } 2>/dev/null
    ST=$?
}

first_line() { head -n 1 "$1" | cut -c 1-200; }

crashed() { # STATUS -> true if killed by a signal or the guard
    [ "$1" -ge 124 ] && [ "$1" -ne 125 ]
}

describe_status() {
    case $1 in
        124) echo "timed out after ${LIMIT}s" ;;
        1[3-9][0-9] | 2[0-9][0-9]) echo "killed by signal $(($1 - 128))" ;;
        *) echo "exit $1" ;;
    esac
}

# ---- corpus: plain C programs with their expected exit status and stdout
suite_corpus() {
    local f name e args entry want_st opts
    for f in tests/corpus/*.c; do
        name=${f#tests/}
        args=$(directive args "$f")
        entry=$(directive entry "$f")
        want_st=$(directive expect-exit "$f")
        want_st=${want_st:-0}
        expect_stdout "$f" >"$TMP/want"
        for e in $ENGINES; do
            opts=(--engine "$e")
            [ -n "$entry" ] && opts+=(--entry "$entry")
            # shellcheck disable=SC2086
            run "$TMP/out" "$TMP/err" "$KPLUG" run "$f" "${opts[@]}" -- $args
            if [ "$ST" != "$want_st" ]; then
                fail "$name [$e]: $(describe_status "$ST"), expected exit $want_st: $(first_line "$TMP/err")"
            elif ! cmp -s "$TMP/out" "$TMP/want"; then
                fail "$name [$e]: stdout differs: $(diff "$TMP/want" "$TMP/out" | grep '^[<>]' | head -n 2 | tr '\n' ' ' | cut -c 1-200)"
            else
                pass "$name [$e]"
            fi
        done
    done
}

# ---- malformed: sources `kplug check` must reject with a given diagnostic
# /* expect-error: LINE[:COL]: TEXT1|TEXT2 */ — the first "error:" line must
# be at LINE (and COL) and contain one of the TEXTs (case-insensitive).
check_error() { # NAME FILE SPEC ERRFILE STATUS
    local name=$1 spec=$3 err=$4 st=$5 line col text first loc
    if [ "$st" != 101 ]; then
        fail "$name: $(describe_status "$st"), expected 101 (compile error): $(first_line "$err")"
        return
    fi
    first=$(grep -m 1 ': error: ' "$err")
    if [ -z "$first" ]; then
        fail "$name: no 'error:' line in the diagnostics: $(first_line "$err")"
        return
    fi
    line="" col="" text=$spec
    if [[ $spec =~ ^([0-9]+):([0-9]+):\ (.*)$ ]]; then
        line=${BASH_REMATCH[1]} col=${BASH_REMATCH[2]} text=${BASH_REMATCH[3]}
    elif [[ $spec =~ ^([0-9]+):\ (.*)$ ]]; then
        line=${BASH_REMATCH[1]} text=${BASH_REMATCH[2]}
    fi
    # "file:L:C: error: msg" — the file name may itself contain colons.
    loc=$(sed -n 's/^.*:\([0-9][0-9]*\):\([0-9][0-9]*\): error: .*$/\1 \2/p' <<<"$first")
    if [ -n "$line" ] && [ "${loc% *}" != "$line" ]; then
        fail "$name: error at line ${loc% *}, expected $line: $first"
        return
    fi
    if [ -n "$col" ] && [ "${loc#* }" != "$col" ]; then
        fail "$name: error at column ${loc#* }, expected $col: $first"
        return
    fi
    if [ -n "$text" ] && ! grep -qiE -- "$(sed 's/[][\.*^$(){}+?]/\\&/g' <<<"$text")" <<<"${first#*: error: }"; then
        fail "$name: message does not match '$text': $first"
        return
    fi
    pass "$name"
}

suite_malformed() {
    local f spec
    for f in tests/malformed/*.c; do
        spec=$(directive expect-error "$f")
        run "$TMP/out" "$TMP/err" "$KPLUG" check "$f"
        check_error "${f#tests/}" "$f" "$spec" "$TMP/err" "$ST"
    done
}

# ---- hostile: plugins that must trap (or fail safely) without harming the host
# Each file declares one outcome: expect-trap (exit 102 and that trap),
# expect-error (rejected by the compiler: exit 101, as in malformed/), or
# expect-exit/expect-stdout (a safe outcome that must not trap). The same
# files run inside a two-runtime isolation check in tests/api/test_isolation.c.
suite_hostile() {
    local f name e trap_spec err_spec want_st opts t m
    for f in tests/hostile/*.c; do
        name=${f#tests/}
        trap_spec=$(directive expect-trap "$f")
        err_spec=$(directive expect-error "$f")
        t=$(directive timeout "$f")
        m=$(directive mem "$f")
        for e in $ENGINES; do
            opts=(--engine "$e")
            [ -n "$t" ] && opts+=(--timeout "$t")
            [ -n "$m" ] && opts+=(--mem "$m")
            run "$TMP/out" "$TMP/err" "$KPLUG" run "$f" "${opts[@]}"
            if [ -n "$err_spec" ]; then
                check_error "$name [$e]" "$f" "$err_spec" "$TMP/err" "$ST"
            elif [ -n "$trap_spec" ]; then
                if [ "$ST" != 102 ]; then
                    fail "$name [$e]: $(describe_status "$ST"), expected trap $trap_spec: $(first_line "$TMP/err")"
                elif ! grep -qE "trap ($trap_spec)\b" "$TMP/err"; then
                    fail "$name [$e]: wrong trap, expected $trap_spec: $(first_line "$TMP/err")"
                else
                    pass "$name [$e]"
                fi
            else
                want_st=$(directive expect-exit "$f")
                expect_stdout "$f" >"$TMP/want"
                if [ "$ST" != "${want_st:-0}" ]; then
                    fail "$name [$e]: $(describe_status "$ST"), expected exit ${want_st:-0}: $(first_line "$TMP/err")"
                elif ! cmp -s "$TMP/out" "$TMP/want"; then
                    fail "$name [$e]: stdout differs: $(head -c 200 "$TMP/out")"
                else
                    pass "$name [$e]"
                fi
            fi
        done
    done
}

# ---- stress: inputs generated at test time (garbage, truncation, huge, deep)
expect_reject() { # NAME FILE REGEX-OR-EMPTY [ACCEPT_OK]
    local name=$1 f=$2 re=$3 ok=${4:-}
    run "$TMP/out" "$TMP/err" "$KPLUG" check "$f"
    if crashed "$ST"; then
        fail "$name: $(describe_status "$ST") (must never crash or hang)"
    elif [ "$ST" = 0 ] && [ -n "$ok" ]; then
        pass "$name"
    elif [ "$ST" != 101 ]; then
        fail "$name: $(describe_status "$ST"), expected 101: $(first_line "$TMP/err")"
    elif [ -n "$re" ] && ! grep -qiE "$re" "$TMP/err"; then
        fail "$name: diagnostics do not match /$re/: $(first_line "$TMP/err")"
    else
        pass "$name"
    fi
}

suite_stress() {
    local i f n
    # Binary garbage, deterministic per seed; some with NUL bytes.
    for i in 1 2 3 4 5 6 7 8; do
        awk -v seed="$i" 'BEGIN { srand(seed); n = 1000 * seed * seed;
            for (k = 0; k < n; k++) printf "%c", int(rand() * 256) }' >"$TMP/garbage$i.c"
        expect_reject "stress/garbage$i" "$TMP/garbage$i.c" ""
    done
    # Printable garbage: random C-ish tokens.
    for i in 1 2 3 4; do
        awk -v seed="$i" 'BEGIN { srand(seed * 77); split("int ( ) { } [ ] ; , * & + - = == if else while for return struct x y 1 0x 3.5 \" '\'' # define /* */ // \\ ? : .", t, " ");
            for (k = 0; k < 20000; k++) printf "%s%s", t[int(rand() * 40) + 1], (rand() < 0.1 ? "\n" : " ") }' >"$TMP/tokens$i.c"
        expect_reject "stress/tokens$i" "$TMP/tokens$i.c" ""
    done
    # Every corpus file truncated at a few points: rejected or accepted, never a crash.
    n=0
    for f in tests/corpus/*.c; do
        n=$((n + 1))
        [ $((n % 6)) -eq 0 ] || continue
        local size
        size=$(wc -c <"$f")
        for frac in 3 5 7 9; do
            head -c $((size * frac / 10)) "$f" >"$TMP/trunc.c"
            expect_reject "stress/truncated-${f##*/}-$frac" "$TMP/trunc.c" "" ok
        done
    done
    # A million nested parentheses: a nesting-limit error, quickly.
    awk 'BEGIN { printf "int x = "; for (i = 0; i < 1000000; i++) printf "(";
                 printf "1"; for (i = 0; i < 1000000; i++) printf ")"; printf ";\n" }' >"$TMP/parens.c"
    expect_reject "stress/million-parens" "$TMP/parens.c" "nest|deep|limit"
    # Unbalanced: a million opening parentheses and nothing else.
    awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "(" }' >"$TMP/open.c"
    expect_reject "stress/million-open-parens" "$TMP/open.c" ""
    # Deep blocks and deep unary chains beyond the default nesting limit (256).
    awk 'BEGIN { printf "int main(void) "; for (i = 0; i < 5000; i++) printf "{";
                 printf "return 0;"; for (i = 0; i < 5000; i++) printf "}"; print "" }' >"$TMP/blocks.c"
    expect_reject "stress/deep-blocks" "$TMP/blocks.c" "nest|deep|limit"
    awk 'BEGIN { printf "int x = "; for (i = 0; i < 100000; i++) printf "-"; print "1;" }' >"$TMP/unary.c"
    expect_reject "stress/deep-unary" "$TMP/unary.c" "nest|deep|limit"
    awk 'BEGIN { printf "int main(void) { int x = 0; "; for (i = 0; i < 3000; i++) printf "if (x) ";
                 print "x++; return x; }" }' >"$TMP/ifs.c"
    expect_reject "stress/deep-ifs" "$TMP/ifs.c" "nest|deep|limit"
    awk 'BEGIN { printf "int x = 1"; for (i = 0; i < 200000; i++) printf " + 1"; print ";" }' >"$TMP/longexpr.c"
    expect_reject "stress/long-flat-expression" "$TMP/longexpr.c" "nest|deep|limit" ok
    # Macro expansion: a self-referential macro, and a chain 100000 deep.
    printf '#define f(x) f(x) + g(x)\n#define g(x) f(x)\nint y = f(1);\n' >"$TMP/macro.c"
    expect_reject "stress/recursive-macro" "$TMP/macro.c" ""
    awk 'BEGIN { for (i = 0; i < 100000; i++) printf "#define M%d M%d\n", i, i + 1;
                 print "#define M100000 7"; print "int x = M0;" }' >"$TMP/chain.c"
    expect_reject "stress/macro-chain" "$TMP/chain.c" "" ok
    awk 'BEGIN { print "#define A(x) x x x x x x x x x x";
                 print "int y = A(A(A(A(A(A(A(A(A(1)))))))));" }' >"$TMP/explode.c"
    expect_reject "stress/macro-explosion" "$TMP/explode.c" "" ok
    # Too many functions for the default limit (10000).
    awk 'BEGIN { for (i = 0; i <= 10001; i++) printf "int f%d(void) { return %d; }\n", i, i }' >"$TMP/funcs.c"
    expect_reject "stress/too-many-functions" "$TMP/funcs.c" "too many|limit"
    # A 10 MB valid source: a big comment, 2000 functions, a table; it must compile and run.
    awk 'BEGIN { print "/*"; for (i = 0; i < 75000; i++) print "comment line padding padding padding padding padding padding padding padding padding";
                 print "*/";
                 for (f = 0; f < 2000; f++) {
                     printf "static int f%d(int x) {\n    int a = x + %d, b = x * 3;\n", f, f;
                     for (k = 0; k < 12; k++) printf "    if (a > b) a = a - b + %d; else b = b - a + %d;\n    a ^= b << 1; b += a >> 2;\n", k, k + f;
                     printf "    return (a + b) & 255;\n}\n" }
                 printf "static const unsigned char table[] = {";
                 for (i = 0; i < 100000; i++) printf "%d,", i % 251;
                 print "};";
                 printf "int main(void) { unsigned s = 0; for (unsigned i = 0; i < sizeof table; i++) s += table[i];\n";
                 for (f = 0; f < 2000; f += 40) printf "    s += (unsigned)f%d(%d);\n", f, f;
                 print "    return (int)(s % 251); }" }' >"$TMP/big.c"
    gcc -w -O0 -o "$TMP/big" "$TMP/big.c" 2>/dev/null && "$TMP/big"
    want=$?
    run "$TMP/out" "$TMP/err" "$KPLUG" run "$TMP/big.c"
    if [ "$ST" = "$want" ]; then pass "stress/10MB-source ($(($(wc -c <"$TMP/big.c") / 1000000)) MB)"
    else fail "stress/10MB-source: $(describe_status "$ST"), expected $want: $(first_line "$TMP/err")"; fi
    # A table of 1.2 million initializers (6 MB): compiled, or refused cleanly.
    awk 'BEGIN { printf "static const unsigned char t[] = {"; for (i = 0; i < 1200000; i++) printf "%d,", i % 251;
                 print "};"; print "int main(void) { return t[1000]; }" }' >"$TMP/table.c"
    run "$TMP/out" "$TMP/err" "$KPLUG" run "$TMP/table.c"
    if [ "$ST" = $((1000 % 251)) ]; then pass "stress/1.2M-initializers"
    elif crashed "$ST" || [ "$ST" = 0 ]; then fail "stress/1.2M-initializers: $(describe_status "$ST")"
    else fail "stress/1.2M-initializers: refused: $(first_line "$TMP/err")"; fi
    # A source over the default size limit (16 MiB) is refused with a limit error.
    { head -c 17000000 /dev/zero | tr '\0' ' '; echo "int x;"; } >"$TMP/huge.c"
    expect_reject "stress/17MB-source" "$TMP/huge.c" "limit|too large|size"
    # A 1 MB identifier and a 4 MB string literal.
    awk 'BEGIN { printf "int "; for (i = 0; i < 1000000; i++) printf "a"; print " = 1;" }' >"$TMP/ident.c"
    expect_reject "stress/1MB-identifier" "$TMP/ident.c" "" ok
    awk 'BEGIN { printf "const char *s = \""; for (i = 0; i < 400000; i++) printf "0123456789"; print "\";" }' >"$TMP/string.c"
    expect_reject "stress/4MB-string" "$TMP/string.c" "" ok
    # NUL byte in the middle of a valid program.
    printf 'int main(void) { return 0; }\n\0int x;\n' >"$TMP/nul.c"
    expect_reject "stress/nul-byte" "$TMP/nul.c" "" ok
    # Empty file: a plugin with no functions is fine (or refused), never a crash.
    : >"$TMP/empty.c"
    expect_reject "stress/empty-file" "$TMP/empty.c" "" ok
}

# ---- fuzz: random programs (integer expressions, floating point, struct
# layouts and initializers, calls), gcc vs kplug on every engine. gen_expr and
# gen_call rely on -fwrapv (kplug's signed arithmetic wraps); the others are
# plain C.
suite_fuzz() {
    local gen seed e first=${FUZZ_FIRST:-1} n=${FUZZ_SEEDS:-30} ws flags
    for gen in gen_expr gen_float gen_struct gen_call; do
        if ! gcc -O2 -o "$TMP/$gen" "tests/fuzz/$gen.c" 2>"$TMP/cc.err"; then
            fail "fuzz: cannot build tests/fuzz/$gen.c: $(first_line "$TMP/cc.err")"
            continue
        fi
        flags="-w -O0"
        case $gen in gen_expr | gen_call) flags="$flags -fwrapv" ;; esac
        for seed in $(seq "$first" $((first + n - 1))); do
            "$TMP/$gen" "$seed" >"$TMP/fz.c"
            # gcc itself occasionally crashes on a program: skip the seed.
            # shellcheck disable=SC2086
            gcc $flags -o "$TMP/fz" "$TMP/fz.c" 2>/dev/null || continue
            "$TMP/fz" >"$TMP/fz.want"
            ws=$?
            for e in $ENGINES; do
                run "$TMP/out" "$TMP/err" "$KPLUG" run "$TMP/fz.c" --engine "$e"
                if [ "$ST" != "$ws" ] || ! cmp -s "$TMP/out" "$TMP/fz.want"; then
                    fail "fuzz/$gen-$seed [$e]: $(describe_status "$ST") (gcc $ws): $(diff "$TMP/fz.want" "$TMP/out" | grep '^[<>]' | head -n 2 | tr '\n' ' ') $(first_line "$TMP/err") (reproduce: gcc tests/fuzz/$gen.c -o gen && ./gen $seed)"
                else
                    pass "fuzz/$gen-$seed [$e]"
                fi
            done
        done
    done
}

# ---- C tests of the API and unit tests, linked against the static library
build_and_run() { # SUITE FILE
    local name=${2#tests/} exe="$TMP/$(basename "$2" .c)"
    # shellcheck disable=SC2086
    if ! $CC -std=gnu11 $CFLAGS -Iinclude -Isrc -o "$exe" "$2" "$BUILD/libkplug.a" -lpthread -lm 2>"$TMP/cc.err"; then
        fail "$name: does not build: $(grep -m 1 'error' "$TMP/cc.err" | cut -c 1-200)"
        return
    fi
    run "$TMP/out" "$TMP/err" "$exe"
    if [ "$ST" = 0 ]; then
        pass "$name"
    else
        fail "$name: $(describe_status "$ST"): $(tail -n 3 "$TMP/err" "$TMP/out" 2>/dev/null | grep -v '^==>' | grep . | head -n 2 | tr '\n' ' ' | cut -c 1-200)"
    fi
}

# ---- fuzzsmoke: the differential fuzzer and the libFuzzer targets, briefly
# (QUICK=1: only the deterministic standalone differential driver).
suite_fuzzsmoke() {
    local st rest mode=
    [ -n "${QUICK:-}" ] && mode=--standalone
    # shellcheck disable=SC2086
    LIMIT=$((LIMIT * 10)) run "$TMP/out" "$TMP/err" env BUILD="$BUILD" CC="$CC" CFLAGS="$CFLAGS" tests/fuzz/smoke.sh $mode
    while read -r st rest; do
        case $st in ok) pass "fuzz/$rest" ;; FAIL) fail "fuzz/$rest" ;; esac
    done <"$TMP/out"
    crashed "$ST" && fail "fuzz/smoke: $(describe_status "$ST")"
    return 0
}

suite_api() {
    local f
    for f in tests/api/test_*.c; do
        [ -e "$f" ] && build_and_run api "$f"
    done
}

suite_unit() {
    local f
    for f in tests/unit/test_*.c; do
        [ -e "$f" ] && build_and_run unit "$f"
    done
    # Unit suites with their own build lines (e.g. several interpreter configurations).
    for f in tests/unit/run_*.sh; do
        [ -e "$f" ] || continue
        [ -n "${QUICK:-}" ] && continue
        # These build several configurations (sanitizers included): more time.
        LIMIT=$((LIMIT * 5)) run "$TMP/out" "$TMP/err" env CC="$CC" OUT="$TMP/unit-$(basename "$f" .sh)" sh "$f"
        if [ "$ST" = 0 ]; then pass "${f#tests/}"
        else fail "${f#tests/}: $(describe_status "$ST"): $(cat "$TMP/err" "$TMP/out" | grep -m 2 -iE 'fail|error' | tr '\n' ' ' | cut -c 1-200)"; fi
    done
}

# ---- examples: the sample plugins on their sample inputs
suite_examples() {
    local e
    for e in $ENGINES; do
        run "$TMP/out" "$TMP/err" "$KPLUG" filter examples/gray.c --engine "$e" <examples/images/sample.ppm
        if [ "$ST" = 0 ] && cmp -s "$TMP/out" examples/images/sample.pgm; then pass "examples/gray.c [$e]"
        else fail "examples/gray.c [$e]: $(describe_status "$ST"): $(first_line "$TMP/err")"; fi
        run "$TMP/out" "$TMP/err" "$KPLUG" filter examples/invert.c --engine "$e" <examples/images/sample.ppm
        if [ "$ST" = 0 ] && cmp -s "$TMP/out" examples/images/sample-inverted.ppm; then pass "examples/invert.c [$e]"
        else fail "examples/invert.c [$e]: $(describe_status "$ST"): $(first_line "$TMP/err")"; fi
        run "$TMP/out" "$TMP/err" "$KPLUG" run examples/hello.c --engine "$e"
        if [ "$ST" = 0 ] && grep -q "hello from a kplug plugin" "$TMP/out"; then pass "examples/hello.c [$e]"
        else fail "examples/hello.c [$e]: $(describe_status "$ST"): $(first_line "$TMP/err")"; fi
        run "$TMP/out" "$TMP/err" "$KPLUG" filter examples/rle.c --engine "$e" <examples/images/sample.ppm
        if [ "$ST" = 0 ] && [ -s "$TMP/out" ] && "$KPLUG" filter examples/rle.c --entry unrle --engine "$e" <"$TMP/out" | cmp -s - examples/images/sample.ppm
        then pass "examples/rle.c roundtrip [$e]"
        else fail "examples/rle.c roundtrip [$e]: $(describe_status "$ST"): $(first_line "$TMP/err")"; fi
    done
    # The CLI itself: usage errors and statuses.
    run "$TMP/out" "$TMP/err" "$KPLUG" run
    [ "$ST" = 100 ] && pass "cli/usage-missing-file" || fail "cli/usage-missing-file: $(describe_status "$ST")"
    run "$TMP/out" "$TMP/err" "$KPLUG" run tests/corpus/hello.c 1 2
    [ "$ST" = 100 ] && pass "cli/usage-extra-args" || fail "cli/usage-extra-args: $(describe_status "$ST")"
    run "$TMP/out" "$TMP/err" "$KPLUG" run tests/corpus/entry_args.c --entry compute 1
    [ "$ST" = 100 ] && pass "cli/usage-missing-args" || fail "cli/usage-missing-args: $(describe_status "$ST")"
    run "$TMP/out" "$TMP/err" "$KPLUG" run tests/corpus/hello.c --entry nope
    [ "$ST" = 100 ] && pass "cli/usage-no-entry" || fail "cli/usage-no-entry: $(describe_status "$ST")"
    run "$TMP/out" "$TMP/err" "$KPLUG" check tests/malformed/missing_semicolon.c
    [ "$ST" = 101 ] && pass "cli/compile-error-status" || fail "cli/compile-error-status: $(describe_status "$ST")"
    printf '#include <stdio.h>\nint puts(const char *s) { return 0; }\n' >"$TMP/clash.c"
    run "$TMP/out" "$TMP/err" "$KPLUG" check "$TMP/clash.c"
    [ "$ST" = 101 ] && pass "cli/builtin-name-clash" || fail "cli/builtin-name-clash: $(describe_status "$ST")"
    run "$TMP/out" "$TMP/err" "$KPLUG" run tests/hostile/null_deref.c
    [ "$ST" = 102 ] && pass "cli/trap-status" || fail "cli/trap-status: $(describe_status "$ST")"
    run "$TMP/out" "$TMP/err" "$KPLUG" run /nonexistent/file.c
    [ "$ST" = 103 ] && pass "cli/missing-file-status" || fail "cli/missing-file-status: $(describe_status "$ST")"
    run "$TMP/out" "$TMP/err" "$KPLUG" check tests/corpus/hello.c
    [ "$ST" = 0 ] && pass "cli/check-clean" || fail "cli/check-clean: $(describe_status "$ST"): $(first_line "$TMP/err")"
    run "$TMP/out" "$TMP/err" "$KPLUG" --help
    [ "$ST" = 0 ] && grep -q "exit status" "$TMP/out" && pass "cli/help" || fail "cli/help"
    printf 'abc' >"$TMP/in"
    run "$TMP/out" "$TMP/err" "$KPLUG" filter examples/invert.c --repeat 3 <"$TMP/in"
    [ "$ST" != 0 ] && pass "cli/filter-rejects-non-ppm" || fail "cli/filter-rejects-non-ppm: exit 0"
}

# ---- httpd: kplug-httpd end to end, with curl and wrk (tests/httpd/)
httpd_pass() { # SERVER ENGINE LOAD
    local st rest
    LIMIT=$((LIMIT * 3)) run "$TMP/out" "$TMP/err" env BUILD="$BUILD" KPLUG="$KPLUG" tests/httpd/test_httpd.sh "$@"
    while read -r st rest; do
        case $st in
            ok) pass "httpd/$rest" ;;
            FAIL) fail "httpd/$rest" ;;
            SKIP) echo "skip httpd/$rest (not counted)" ;;
        esac
    done <"$TMP/out"
    crashed "$ST" && fail "httpd/$(basename "$1"): $(describe_status "$ST")"
    return 0
}

suite_httpd() {
    httpd_pass "$BUILD/kplug-httpd" "" 1 TERM
    # The server's own code under ASan + UBSan, plugins on the interpreter,
    # stopped with SIGINT this time.
    if [ -x "$BUILD/kplug-httpd-asan" ]; then
        ASAN_OPTIONS=handle_segv=0:allow_user_segv_handler=1:detect_leaks=1 \
            httpd_pass "$BUILD/kplug-httpd-asan" interp 0 INT
    else
        echo "skip httpd/kplug-httpd-asan: not built (not counted)"
    fi
}

# ---- kplugfs: the compressing FUSE file system and its sample plugins
# (tests/kplugfs/run.sh). Where FUSE cannot mount, the mount checks are
# reported as skipped: neither passed nor failed.
suite_kplugfs() {
    local st rest skipped=0
    LIMIT=$((LIMIT * 10)) run "$TMP/out" "$TMP/err" env KPLUG="$KPLUG" BUILD="$BUILD" CC="$CC" CFLAGS="$CFLAGS" \
        ENGINES="$ENGINES" KPLUGFS="${KPLUGFS:-$BUILD/kplugfs}" tests/kplugfs/run.sh
    while read -r st rest; do
        case $st in
            ok) pass "kplugfs/$rest" ;;
            FAIL) fail "kplugfs/$rest" ;;
            skip) skipped=$((skipped + 1)); echo "skip kplugfs/$rest" ;;
        esac
    done <"$TMP/out"
    crashed "$ST" && fail "kplugfs: $(describe_status "$ST"): $(tail -n 1 "$TMP/err")"
    [ $skipped -gt 0 ] && echo "-- kplugfs: $skipped skipped (not counted)"
    return 0
}

suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(corpus malformed hostile fuzz fuzzsmoke stress api unit examples httpd kplugfs)
echo "kplug tests: engines: $ENGINES; suites: ${suites[*]}"
for s in "${suites[@]}"; do
    before_p=$PASS before_f=$FAIL
    start=$(date +%s)
    "suite_$s"
    echo "-- $s: $((PASS - before_p)) passed, $((FAIL - before_f)) failed ($(( $(date +%s) - start ))s)"
done
summary
