#!/bin/bash
# bench/run.sh — `make bench`: kplug's engines against gcc -O2 on a few
# kernels (median wall time of whole runs, compile included for kplug), and
# the grayscale plugin: compile time and per-call time on a 3.3 MB image.
# Figures, never pass/fail. REPS (default 3) runs per measurement.
set -u
cd "$(dirname "$0")/.."
KPLUG=${KPLUG:-./kplug}
REPS=${REPS:-3}
CC=${CC:-gcc}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
ENGINES=${ENGINES:-$("$KPLUG" version | sed -n 's/^engines: *//p')}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Median wall time in ms of REPS runs of a command (stdout discarded).
time_ms() {
    local i t0 t1
    for i in $(seq "$REPS"); do
        t0=$(date +%s%N)
        "$@" >/dev/null 2>&1 || { echo "fail"; return; }
        t1=$(date +%s%N)
        echo $(((t1 - t0) / 1000000))
    done | median
}

printf '%-10s %10s' kernel "gcc -O2 ms"
for e in $ENGINES; do printf ' %10s %8s' "$e ms" "x gcc"; done
printf '\n'
for k in bench/kernels/*.c; do
    name=$(basename "$k" .c)
    $CC -O2 -w -o "$TMP/$name" "$k" || continue
    native=$(time_ms "$TMP/$name")
    want=$("$TMP/$name")
    printf '%-10s %10s' "$name" "$native"
    for e in $ENGINES; do
        got=$("$KPLUG" run "$k" --engine "$e" 2>&1)
        if [ "$got" != "$want" ]; then
            printf ' %10s %8s' "WRONG" "-"
            continue
        fi
        t=$(time_ms "$KPLUG" run "$k" --engine "$e")
        printf ' %10s %8s' "$t" "$(awk -v a="$t" -v b="$native" 'BEGIN { if (b < 1) b = 1; printf "%.1f", a / b }')"
    done
    printf '\n'
done

# The grayscale plugin on a 3.3 MB image (1050 x 1050 pixels).
awk 'BEGIN { w = 1050; h = 1050; printf "P6\n%d %d\n255\n", w, h }' >"$TMP/big.ppm"
for i in $(seq 64); do tail -c +60 examples/images/sample.ppm; done | head -c $((1050 * 1050 * 3)) >>"$TMP/big.ppm"
$CC -O2 -w -o "$TMP/native_gray" bench/native_gray.c examples/gray.c
native=$("$TMP/native_gray" 20 <"$TMP/big.ppm" | cut -d' ' -f1)
printf '\ngrayscale plugin (examples/gray.c, %d lines) on a %d-byte image:\n' "$(wc -l <examples/gray.c)" "$(wc -c <"$TMP/big.ppm")"
printf '%-10s %14s %16s %8s\n' engine "compile us" "call us (median)" "x gcc"
printf '%-10s %14s %16s %8s\n' "gcc -O2" "-" "$native" "1.0"
for e in $ENGINES; do
    comp=""
    call=""
    for i in $(seq "$REPS"); do
        line=$("$KPLUG" filter examples/gray.c --engine "$e" --repeat 10 --stats <"$TMP/big.ppm" 2>&1 >/dev/null | grep stats:)
        comp="$comp $(sed -n 's/.*compile \([0-9.]*\) us.*/\1/p' <<<"$line")"
        call="$call $(sed -n 's/.*median \([0-9.]*\) us.*/\1/p' <<<"$line")"
    done
    c=$(tr ' ' '\n' <<<"$comp" | grep . | median)
    m=$(tr ' ' '\n' <<<"$call" | grep . | median)
    printf '%-10s %14s %16s %8s\n' "$e" "$c" "$m" "$(awk -v a="$m" -v b="$native" 'BEGIN { if (b <= 0) b = 1; printf "%.1f", a / b }')"
done
