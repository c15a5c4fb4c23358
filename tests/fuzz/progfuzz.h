/*
 * progfuzz.h — a structured program generator for the differential fuzzer.
 *
 * pf_generate turns arbitrary bytes into a valid, terminating C plugin:
 * integer and float expressions over every scalar type with casts, shifts
 * and divisions, global and local arrays and structs (indices out of bounds
 * on purpose, landing far outside the segment so they always trap),
 * bounded loops, switch, calls with bounded recursion, function pointers
 * and pointer arithmetic. Each input byte is one decision; once the bytes
 * run out every decision takes its simplest branch, so any input gives a
 * small program quickly.
 *
 * The generated source compiles on kplug as is and, with -DKP_NATIVE, with
 * gcc -fwrapv: the native prelude replaces every operation whose C meaning
 * is undefined (division traps, out-of-range indices, float-to-int
 * conversions, shift counts) by a helper with kplug's semantics, and prints
 * the same report a host builds from kplug (see pf_report in fuzz_diff.c).
 *
 * Entry points of every program:
 *   unsigned long long kp_main(void)    the run; its result is compared
 *   unsigned kp_gaddr(int i)            plugin address of global i, for
 *                                       i < nglobals (sizes in gsize[])
 */
#ifndef PROGFUZZ_H
#define PROGFUZZ_H

#include <stddef.h>
#include <stdint.h>

#define PF_MAX_GLOBALS 64

typedef struct pf_prog {
    char *src;        /* NUL-terminated source, malloc'ed */
    size_t len;
    int nglobals;     /* globals whose bytes are compared after the run */
    unsigned gsize[PF_MAX_GLOBALS];
    int call_depth;   /* max_call_depth the program expects (0: default) */
} pf_prog;

/* native_safe: only generate what the native prelude can reproduce (no
 * forged function pointers, no call-depth traps, no direct float casts to
 * narrow types). Returns 0, or -1 if memory ran out. */
int pf_generate(const uint8_t *data, size_t size, int native_safe, pf_prog *out);
void pf_free(pf_prog *p);

#endif
