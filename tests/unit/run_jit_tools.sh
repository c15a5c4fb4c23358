#!/bin/sh
# Debugging aids of the JIT, through the CLI:
#  1. `kplug disasm` prints each function's IR and the machine code of each
#     IR instruction (disassembled with Capstone, or as raw bytes with the
#     objdump command when the tool was built without it);
#  2. the perf map (KPLUG_PERF_MAP=1): /tmp/perf-PID.map names each
#     function as plugin:function;
#  3. GDB's JIT interface (KPLUG_GDB=1): a backtrace from a breakpoint in a
#     host built-in shows the plugin functions as plugin:function and goes
#     on through the entry trampoline or a prepared call's stub into the
#     host. Skipped, with a message, when gdb is not installed.
# Usage: tests/unit/run_jit_tools.sh   (KPLUG= the tool, OUT= scratch dir)
set -e
cd "$(dirname "$0")/../.."
KPLUG=${KPLUG:-build/kplug}
OUT=${OUT:-build/test-jit-tools}
mkdir -p "$OUT"
fail() { echo "FAIL: $*"; exit 1; }

if ! "$KPLUG" version | grep -q 'engines:.*jit'; then
    echo "no JIT engine in this build: skipped"
    exit 0
fi

# ---- disasm
"$KPLUG" disasm examples/gray.c --bin "$OUT/code.bin" >"$OUT/disasm.txt" 2>"$OUT/disasm.err" ||
    fail "disasm exited $?: $(head -n 1 "$OUT/disasm.err")"
for want in '== examples/gray.c:filter' '-- machine code' 'func i32 @filter' '; prologue' \
            '; examples/gray.c:65:' '; b[0-9]*\.[0-9]*  .*load'; do
    grep -q -- "$want" "$OUT/disasm.txt" || fail "disasm output lacks '$want'"
done
[ -s "$OUT/code.bin" ] || fail "disasm --bin wrote nothing"
if grep -q 'no disassembler built in' "$OUT/disasm.txt"; then
    grep -q 'objdump -D -b binary -mi386:x86-64 --start-address=0x' "$OUT/disasm.txt" ||
        fail "fallback output lacks the objdump command"
else
    grep -q ' ret *$' "$OUT/disasm.txt" || fail "no 'ret' in the disassembly"
    grep -q 'r15 + ' "$OUT/disasm.txt" || fail "no segment-relative access in the disassembly"
fi
"$KPLUG" disasm examples/gray.c --engine interp >"$OUT/ir.txt" || fail "disasm --engine interp"
grep -q 'func i32 @filter' "$OUT/ir.txt" || fail "disasm --engine interp prints no IR"
# gray.c's `out[o++] = ...`: the address and the increment sit right
# before the store (opt.c, sink_store_address; bench/RESULTS.md says why)
grep '; b[0-9]*\.[0-9]*  ' "$OUT/disasm.txt" | grep -B2 ' store\.u8 .*; 65:18' | head -n 2 >"$OUT/sink.txt"
grep -q ' = add .*; 65:18' "$OUT/sink.txt" && grep -q ' = add .*; 65:14' "$OUT/sink.txt" ||
    fail "gray.c: the store's address and o++ are not next to the store: $(cat "$OUT/sink.txt")"
echo "disasm: ok"

# ---- perf map (KPLUG_PERF_MAP=1): "start size plugin:function" per function
cat >"$OUT/perftest.c" <<'SRC'
static int twice(int x) { return 2 * x; }
int main(void) { return twice(3) - 6; }
SRC
KPLUG_PERF_MAP=1 "$KPLUG" run "$OUT/perftest.c" --engine jit >/dev/null 2>&1 &
pid=$!
wait $pid || fail "kplug run perftest.c exited $?"
map=/tmp/perf-$pid.map
[ -s "$map" ] || fail "KPLUG_PERF_MAP=1 wrote no $map"
for fn in twice main; do
    grep -Eq "^[0-9a-f]+ [0-9a-f]+ $OUT/perftest.c:$fn\$" "$map" ||
        fail "$map has no line for $fn: $(cat "$map")"
done
rm -f "$map"
env -u KPLUG_PERF_MAP "$KPLUG" run "$OUT/perftest.c" --engine jit >/dev/null 2>&1 &
pid=$!
wait $pid || fail "kplug run perftest.c exited $?"
if [ -e /tmp/perf-$pid.map ]; then rm -f /tmp/perf-$pid.map; fail "a perf map without KPLUG_PERF_MAP=1"; fi
echo "perf map: ok"

# ---- gdb
if ! command -v gdb >/dev/null 2>&1; then
    echo "gdb not installed: GDB JIT interface test skipped"
    exit 0
fi
cat >"$OUT/gdbtest.c" <<'SRC'
#include <stdio.h>
static int inner(int x) { putchar('A' + x); return x; }
int outer(int x) { return inner(x) + 1; }
int main(void) { return outer(1) - 2; }
SRC
KPLUG_GDB=1 timeout 120 gdb -batch -nx -ex 'break bi_putchar' -ex run -ex bt \
    --args "$KPLUG" run "$OUT/gdbtest.c" --engine jit >"$OUT/gdb.txt" 2>&1 </dev/null || true
grep -q '^#0 .*bi_putchar' "$OUT/gdb.txt" || fail "gdb did not stop in bi_putchar: $(tail -n 3 "$OUT/gdb.txt")"
for fn in inner outer main; do
    grep -q "in $OUT/gdbtest.c:$fn ()" "$OUT/gdb.txt" ||
        fail "no frame '$OUT/gdbtest.c:$fn' in the backtrace: $(grep '^#' "$OUT/gdb.txt" | tr '\n' ' ')"
done
# the entry trampoline is described too: the backtrace goes on into the host
# (the trampoline is the engine's call: kp_call_ex or call_general above it)
for fr in 'kplug:enter' 'kp_call_ex' 'main (argc'; do
    grep -q "$fr" "$OUT/gdb.txt" || fail "no frame '$fr' in the backtrace: $(grep '^#' "$OUT/gdb.txt" | tr '\n' ' ')"
done
# a prepared call's stub is described too: from a built-in called by the
# plugin, through the plugin frames and the stub, into the host's main
cat >"$OUT/gdbprep.c" <<'SRC'
#include <kplug.h>
#include <stdio.h>
#include <string.h>
static const char src[] =
    "int mark(int x);\n"
    "static int inner(int x) { mark(x); return x; }\n"
    "int outer(int x) { return inner(x) + 1; }\n";
static int bi_mark(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    (void)cx, (void)n, (void)ud;
    *ret = KP_I32(a[0].v.i32);
    return KP_OK;
}
int main(void)
{
    kp_runtime *rt;
    kp_func *f;
    kp_prepared *p;
    static const kp_type pt[1] = {KP_T_I32};
    if (kp_runtime_create(NULL, &rt) != KP_OK ||
        kp_builtin_add(rt, "int mark(int x)", bi_mark, NULL) != KP_OK ||
        kp_plugin_add(rt, "gdbprep", src, strlen(src)) != KP_OK ||
        kp_lookup(rt, "outer", &f) != KP_OK || kp_prepare(f, KP_T_I32, pt, 1, &p) != KP_OK) {
        fprintf(stderr, "%s\n", kp_errmsg());
        return 1;
    }
    kp_value a = KP_I32(1), r;
    int rc = kp_call_prepared(p, &a, &r);
    kp_prepared_free(p);
    kp_runtime_destroy(rt);
    return rc == KP_OK && r.v.i32 == 2 ? 0 : 1;
}
SRC
${CC:-cc} -std=gnu11 -g -O1 -Iinclude "$OUT/gdbprep.c" "${BUILD:-build}/libkplug.a" -lpthread -lm -o "$OUT/gdbprep" ||
    fail "cannot build the prepared-call driver"
"$OUT/gdbprep" || fail "the prepared-call driver failed"
KPLUG_GDB=1 timeout 120 gdb -batch -nx -ex 'break bi_mark' -ex run -ex bt \
    "$OUT/gdbprep" >"$OUT/gdbprep.txt" 2>&1 </dev/null || true
for fr in '^#0 .*bi_mark' 'in gdbprep:inner ()' 'in gdbprep:outer ()' 'in kplug:prepared ()' 'main ()'; do
    grep -q "$fr" "$OUT/gdbprep.txt" ||
        fail "prepared call: no frame '$fr' in the backtrace: $(grep '^#' "$OUT/gdbprep.txt" | tr '\n' ' ')"
done
# without KPLUG_GDB nothing is registered
env -u KPLUG_GDB timeout 120 gdb -batch -nx -ex 'break bi_putchar' -ex run -ex bt \
    --args "$KPLUG" run "$OUT/gdbtest.c" --engine jit >"$OUT/gdb0.txt" 2>&1 </dev/null || true
if grep -q "gdbtest.c:inner" "$OUT/gdb0.txt"; then fail "plugin code registered without KPLUG_GDB=1"; fi
echo "gdb: ok"
