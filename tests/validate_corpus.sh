#!/bin/bash
# tests/validate_corpus.sh — check every corpus expectation against the
# native C compiler: gcc compiles the same file (the corpus is plain C), the
# program runs, and its stdout and exit status must equal the embedded
# expectations. The native result is the truth; a mismatch means the test
# file is wrong (or uses something implementation-defined), never that the
# expectation should be adapted to kplug's output.
#
#   tests/validate_corpus.sh [FILE...]        validate (default: all files)
#   tests/validate_corpus.sh --update FILE... add the expectations of files
#                                             that have none, from the native run
# Files marked `/* native: skip */` are ABI-specific (4-byte pointers, the
# kplug built-ins) and are skipped. UBSan is on so undefined behaviour in a
# test fails validation instead of silently passing.
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
CC=${CC:-gcc}
update=0
if [ "${1:-}" = "--update" ]; then update=1; shift; fi
files=("$@")
[ ${#files[@]} -eq 0 ] && files=(tests/corpus/*.c)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
SAN="-fsanitize=undefined -fno-sanitize-recover=all"
$CC $SAN -x c -o "$tmp/probe" - <<<'int main(void){return 0;}' 2>/dev/null || SAN=""
for f in "${files[@]}"; do
    name=${f#tests/corpus/}
    if has_directive native "$f" && [ "$(directive native "$f")" = skip ]; then
        continue
    fi
    if ! $CC -w -O0 -std=gnu11 $SAN -o "$tmp/a.out" "$f" 2>"$tmp/cc.err"; then
        fail "$name: native compile failed: $(head -n 3 "$tmp/cc.err" | tr '\n' ' ')"
        continue
    fi
    args=$(directive args "$f")
    # shellcheck disable=SC2086
    timeout 20 "$tmp/a.out" $args >"$tmp/out" 2>"$tmp/err"
    st=$?
    if [ -s "$tmp/err" ]; then
        fail "$name: native run wrote to stderr (UB?): $(head -n 2 "$tmp/err" | tr '\n' ' ')"
        continue
    fi
    if [ $update = 1 ] && ! has_directive expect-exit "$f" && ! has_stdout_block "$f"; then
        {
            echo "/* expect-exit: $st */"
            if [ -s "$tmp/out" ]; then
                echo "/* expect-stdout:"
                cat "$tmp/out"
                [ -n "$(tail -c 1 "$tmp/out")" ] && echo
                echo "*/"
            fi
            cat "$f"
        } >"$tmp/new" && cp "$tmp/new" "$f"
        echo "updated $name (exit $st)"
    fi
    want_st=$(directive expect-exit "$f")
    want_st=${want_st:-0}
    expect_stdout "$f" >"$tmp/want"
    if [ "$st" != "$want_st" ]; then
        fail "$name: native exit $st, expected $want_st"
    elif ! cmp -s "$tmp/out" "$tmp/want"; then
        fail "$name: native stdout differs: $(diff "$tmp/want" "$tmp/out" | head -n 4 | tr '\n' ' ')"
    else
        pass "$name"
    fi
done
summary
