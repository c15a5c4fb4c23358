#!/bin/bash
# bench/kplugfs.sh — figures for kplugfs (docs/kplugfs.md), never pass/fail;
# run by bench/run.sh (`make bench`) and `make bench-kplugfs`.
#
# 1. Each sample plugin on a 16 MB mixed file (text, random, zeros and
#    ramp in 64 KiB blocks): compress and decompress alone, compiled by
#    gcc -O2 (bench/kplugfs_native.c) and run by kplug on each engine
#    (`kplug filter --stats`); the min of REPEAT runs, wall clock.
# 2. Through a mount: writing the file (cp: buffering, compress, verifying
#    decompress, temp file + rename) and reading it back (cat: open
#    decompresses), min of 5 (QUICK: 3), against cp to the backing directory
#    directly and a plugin that copies (bench/kplugfs_copy.c).
# Needs build/kplugfs (make kplugfs) and FUSE for part 2; skips otherwise.
# Environment: BUILD, CC, QUICK=1 (4 MB file, fewer runs).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CC=${CC:-gcc}
KPLUG=$BUILD/kplug
KPLUGFS=$BUILD/kplugfs
QUICK=${QUICK:-}
[ "$QUICK" = 0 ] && QUICK=
MB=$([ -n "$QUICK" ] && echo 4 || echo 16)
REPEAT=$([ -n "$QUICK" ] && echo 3 || echo 7)
ENGINES=$("$KPLUG" version 2>/dev/null | sed -n 's/^engines: *//p')
T=$(mktemp -d /tmp/kplugfs-bench.XXXXXX)
MNT=
cleanup() {
    [ -n "$MNT" ] && mountpoint -q "$MNT" && fusermount3 -u "$MNT"
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' TERM INT HUP

$CC -O2 -o "$T/kpfs_io" tests/kplugfs/kpfs_io.c || exit 1
"$T/kpfs_io" gen mixed $((MB << 20)) 1 >"$T/in"
SIZE=$(stat -c %s "$T/in")
mbs() { awk -v b="$SIZE" -v us="$1" 'BEGIN { printf "%.0f", (us > 0 ? b / us : 0) }'; } # bytes/us = MB/s

printf '\n== kplugfs plugins on %d MB (mixed), MB/s (min of %d runs); ratio = stored/original\n' "$MB" "$REPEAT"
printf '%-8s %7s | %10s %10s' plugin ratio "gcc comp" "gcc dec"
for e in $ENGINES; do printf ' | %10s %10s' "$e comp" "$e dec"; done
echo
for p in rle delta lzss; do
    src=examples/kplugfs/plugins/$p.c
    $CC -std=gnu11 -O2 -w -I bench -o "$T/native_$p" bench/kplugfs_native.c "$src" || continue
    read -r _ nc _ nd _ clen < <("$T/native_$p" "$T/in" "$REPEAT")
    printf '%-8s %6.1f%% | %10s %10s' "$p" "$(awk -v a="$clen" -v b="$SIZE" 'BEGIN { print 100 * a / b }')" \
        "$(mbs "$nc")" "$(mbs "$nd")"
    for e in $ENGINES; do
        "$KPLUG" filter "$src" --entry compress --engine "$e" --repeat "$REPEAT" --stats <"$T/in" >"$T/c" 2>"$T/s1"
        "$KPLUG" filter "$src" --entry decompress --engine "$e" --repeat "$REPEAT" --stats \
            --out-cap "$SIZE" <"$T/c" >"$T/d" 2>"$T/s2"
        cmp -s "$T/d" "$T/in" || { printf ' | %21s' "ROUND TRIP FAILED"; continue; }
        kc=$(sed -n 's/.* min \([0-9.]*\) us.*/\1/p' "$T/s1")
        kd=$(sed -n 's/.* min \([0-9.]*\) us.*/\1/p' "$T/s2")
        printf ' | %10s %10s' "$(mbs "$kc")" "$(mbs "$kd")"
    done
    echo
done

if [ ! -x "$KPLUGFS" ] || [ ! -c /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
    printf '\nkplugfs mounts: skipped (needs %s, /dev/fuse and fusermount3)\n' "$KPLUGFS"
    exit 0
fi
# min wall time in us of REPS runs of a command
best_us() { # REPS CMD...
    local reps=$1 best= t0 t1 us
    shift
    for _ in $(seq "$reps"); do
        t0=$(date +%s%N)
        "$@" || return 1
        t1=$(date +%s%N)
        us=$(((t1 - t0) / 1000))
        [ -z "$best" ] || [ "$us" -lt "$best" ] && best=$us
    done
    echo "$best"
}
REPS=$([ -n "$QUICK" ] && echo 3 || echo 5)
printf '\n== through the mount: cp in, cat out, %d MB (mixed), MB/s (min of %d, wall clock)\n' "$MB" "$REPS"
printf '%-22s %10s %10s\n' "" "write" "read"
mkdir -p "$T/plain"
w=$(best_us "$REPS" cp "$T/in" "$T/plain/f")
r=$(best_us "$REPS" sh -c "cat '$T/plain/f' >/dev/null")
printf '%-22s %10s %10s\n' "no FUSE (backing dir)" "$(mbs "$w")" "$(mbs "$r")"
for p in bench/kplugfs_copy.c examples/kplugfs/plugins/{rle,delta,lzss}.c; do
    for e in $ENGINES; do
        MNT=$T/m
        rm -rf "$T/b"
        mkdir -p "$T/b" "$MNT"
        "$KPLUGFS" "$T/b" "$MNT" --plugin "$p" --engine "$e" --log "$T/log" || { echo "mount failed"; MNT=; continue; }
        w=$(best_us "$REPS" cp "$T/in" "$MNT/f")
        r=$(best_us "$REPS" sh -c "cat '$MNT/f' >/dev/null")
        cmp -s "$T/in" "$MNT/f" || w=0
        fusermount3 -u "$MNT"
        MNT=
        name=$(basename "$p" .c)
        printf '%-22s %10s %10s\n' "${name#kplugfs_} [$e]" "$(mbs "$w")" "$(mbs "$r")"
    done
done
