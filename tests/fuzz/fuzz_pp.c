/*
 * fuzz_pp.c — libFuzzer target over the preprocessor and lexer.
 *
 *   clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude \
 *       tests/fuzz/fuzz_pp.c src/front/pp.c src/front/lex.c src/front/headers.c \
 *       src/front/diag.c src/util/arena.c -o fuzz_pp
 *   ./fuzz_pp -max_len=4096 -max_total_time=300
 *
 * The input is the plugin source (not NUL-terminated, as in real use); a
 * small header provider exercises #include of runtime headers. Failures are
 * crashes, sanitizer reports, leaks, timeouts, and broken invariants.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../include/kplug.h"
#include "../../src/front/token.h"

static const char *headers(void *ud, const char *name, size_t *len)
{
    static const char a[] = "#ifndef A_H\n#define A_H\n#define A(x, ...) x ## __VA_ARGS__ #x\nint a;\n#endif\n";
    static const char b[] = "#include \"b.h\"\n";
    (void)ud;
    if (strcmp(name, "a.h") == 0) {
        *len = sizeof a - 1;
        return a;
    }
    if (strcmp(name, "b.h") == 0) {
        *len = sizeof b - 1;
        return b;
    }
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a private copy exactly `size` long, so reading past it is caught */
    char *src = malloc(size ? size : 1);
    if (!src)
        return 0;
    memcpy(src, data, size);
    fe_ctx cx;
    memset(&cx, 0, sizeof cx);
    kp_arena_init(&cx.arena, ((size_t)64 << 20) + 64 * size);
    cx.opts.max_nesting = 64;
    cx.plugin_name = "fuzz.c";
    cx.headers = headers;
    cx.files[0].name = "fuzz.c";
    cx.files[0].src = src;
    cx.files[0].len = size;
    cx.nfiles = 1;
    fe_token *toks = NULL;
    uint32_t n = 0;
    int rc = fe_preprocess(&cx, &toks, &n);
    if (rc == 0) {
        if (cx.nerrors || !toks || n == 0 || toks[n - 1].kind != TK_EOF)
            abort();
        for (uint32_t i = 0; i < n; i++) {
            const fe_token *t = &toks[i];
            if (t->kind > TK_STRING || t->file >= cx.nfiles)
                abort();
            if (t->kind == TK_STRING && t->u.s.bytes[t->u.s.len] != 0)
                abort();
            if (t->kind == TK_IDENT && (!t->text || t->len == 0))
                abort();
        }
    } else if (cx.nerrors == 0 || toks) {
        abort();
    }
    if (cx.depth != 0)
        abort();
    free(cx.diag);
    kp_arena_free(&cx.arena);
    free(src);
    return 0;
}
