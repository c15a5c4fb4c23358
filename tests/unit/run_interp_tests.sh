#!/bin/sh
# Builds and runs tests/unit/test_interp.c in four configurations: computed
# goto, forced switch (KP_INTERP_SWITCH), ASan+UBSan, and ASan+UBSan with
# allocation failures injected into load.
# Usage: tests/unit/run_interp_tests.sh [bench]   (OUT= sets the build dir)
set -e
cd "$(dirname "$0")/../.."
OUT=${OUT:-build/test-interp}
mkdir -p "$OUT"
SRC="tests/unit/test_interp.c src/interp/interp.c src/interp/interp_vm.c src/ir/ir.c src/ir/ir_poll.c
     src/ir/ir_verify.c src/ir/ir_print.c src/util/arena.c src/platform/posix.c"
W="-std=gnu11 -Wall -Wextra -Wshadow -Wno-unused-parameter -Iinclude"
CC=${CC:-cc}
$CC $W -O2 -g -o "$OUT/threaded" $SRC -lpthread -lm
$CC $W -O2 -g -DKP_INTERP_SWITCH -o "$OUT/switch" $SRC -lpthread -lm
$CC $W -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -o "$OUT/asan" $SRC -lpthread -lm
# allocation failures injected into load, under ASan (leaks fail the run)
$CC $W -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -DTEST_FAILALLOC \
    -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc -o "$OUT/oom" $SRC -lpthread -lm
if [ "$1" = bench ]; then
    "$OUT/threaded" bench
    "$OUT/switch" bench
    exit 0
fi
"$OUT/threaded"
"$OUT/switch"
"$OUT/asan"
"$OUT/oom"
