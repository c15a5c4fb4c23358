#!/bin/bash
# bench/run.sh — `make bench` (QUICK=1 for a ~1-minute run): builds
# build/bench/kbench (bench/bench.c + gcc -O2 builds of examples/gray.c and
# bench/kernels/*.c + build/libkplug.a, with libtcc and LuaJIT when found)
# and runs it, then bench/compile_speed.c. Figures, never pass/fail.
#
# The anchors libtcc (libtcc-dev) and LuaJIT (luajit, libluajit-5.1-dev)
# are installed with apt-get when missing if we are root and apt-get
# exists; otherwise they are skipped and the table says so.
# Environment: BUILD (build), CC (gcc), QUICK (0), BENCH_ARGS (extra
# kbench arguments, e.g. "-s 56 -k crc32"), NO_INSTALL=1 to never install.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CC=${CC:-gcc}
QUICK=${QUICK:-0}
[ "$QUICK" = 0 ] && QUICK=
OUT=$BUILD/bench
mkdir -p "$OUT"

# libtcc also needs its runtime library libtcc1.a (Debian package tcc).
have_tcc() {
    [ -f /usr/include/libtcc.h ] && compgen -G "/usr/lib/*/libtcc.*" >/dev/null &&
        compgen -G "/usr/lib/*/tcc/libtcc1.a" >/dev/null
}
have_luajit() { [ -f /usr/include/luajit-2.1/lua.h ]; }

install_pkgs() {
    [ "${NO_INSTALL:-0}" = 1 ] && return
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        echo "note: not root or no apt-get: cannot install $*"
        return
    fi
    echo "installing $* (apt-get install -y) ..."
    DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >"$OUT/apt.log" 2>&1 ||
        { apt-get update >>"$OUT/apt.log" 2>&1 &&
          DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >>"$OUT/apt.log" 2>&1; } ||
        echo "note: apt-get install $* failed (see $OUT/apt.log)"
}

have_tcc || install_pkgs libtcc-dev tcc
{ have_luajit && command -v luajit >/dev/null; } || install_pkgs luajit libluajit-5.1-dev

DEFS=()
LIBS=()
if have_tcc; then
    DEFS+=(-DHAVE_TCC)
    LIBS+=(-ltcc -ldl)
else
    echo "note: libtcc not available: its columns are skipped"
fi
if have_luajit; then
    DEFS+=(-DHAVE_LUAJIT -I/usr/include/luajit-2.1)
    LIBS+=(-lluajit-5.1)
else
    echo "note: LuaJIT not available: its columns are skipped"
fi

# The gcc -O2 contenders: each kernel's bench() renamed native_NAME.
NATIVE=()
: >"$OUT/kernels.gen.h.tmp"
for k in bench/kernels/*.c; do
    name=$(basename "$k" .c)
    $CC -std=gnu11 -O2 -w -Dbench="native_$name" -c "$k" -o "$OUT/k_$name.o" || exit 1
    NATIVE+=("$OUT/k_$name.o")
    echo "K($name)" >>"$OUT/kernels.gen.h.tmp"
done
mv "$OUT/kernels.gen.h.tmp" "$OUT/kernels.gen.h"
$CC -std=gnu11 -O2 -w -Dfilter=native_filter -c examples/gray.c -o "$OUT/native_gray.o" || exit 1

$CC -std=gnu11 -O2 -Wall -Wextra -Iinclude -Isrc -I"$OUT" "${DEFS[@]}" \
    bench/bench.c "${NATIVE[@]}" "$OUT/native_gray.o" "$BUILD/libkplug.a" \
    "${LIBS[@]}" -lpthread -lm -o "$OUT/kbench" || exit 1

echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores; $(date -u '+%Y-%m-%d %H:%M UTC')"
# shellcheck disable=SC2086
"$OUT/kbench" ${QUICK:+-q} ${BENCH_ARGS:-}

# Compile time stage by stage (bench/compile_speed.c).
if $CC -std=gnu11 -O2 -Iinclude -Isrc bench/compile_speed.c "$BUILD/libkplug.a" \
    -lpthread -lm -o "$OUT/compile_speed" 2>"$OUT/compile_speed.log"; then
    printf '\n== compile time by stage (bench/compile_speed.c), median us\n'
    "$OUT/compile_speed" -n "$([ -n "$QUICK" ] && echo 200 || echo 2000)"
else
    printf '\nbench/compile_speed.c does not build now (see %s)\n' "$OUT/compile_speed.log"
fi

# The two sample applications; both are skipped when BENCH_ARGS picks
# sections of kbench. kplugfs (docs/kplugfs.md): its compression plugins,
# native and on each engine, and the file system mounted (skipped without
# FUSE). The macro-benchmark, the paper's practical example: kplug-httpd
# serving images plain, through native C and through the plugin (sections
# 8, 9; NO_HTTPD_BENCH=1 skips it).
if [ -z "${BENCH_ARGS:-}" ]; then
    CC="$CC" BUILD="$BUILD" QUICK="$QUICK" bench/kplugfs.sh
    if [ "${NO_HTTPD_BENCH:-0}" != 1 ]; then
        echo
        BUILD="$BUILD" CC="$CC" QUICK="$QUICK" bench/httpd_bench.sh
    fi
fi
