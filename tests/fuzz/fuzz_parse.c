/*
 * fuzz_parse.c — libFuzzer target for the front end up to the typed AST:
 * fe_preprocess + fe_parse (and the AST printer), plus fe_parse_prototype
 * on short inputs. Any crash, hang, leak or sanitizer report is a bug, and
 * so is fe_lex_plain accepting a text whose tokens differ from
 * fe_preprocess's (or that fe_preprocess rejects).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Isrc \
 *     tests/fuzz/fuzz_parse.c src/front/parse.c src/front/parse_expr.c \
 *     src/front/parse_stmt.c src/front/init.c src/front/sema_const.c \
 *     src/front/types.c src/front/ast_dump.c src/front/pp.c src/front/lex.c \
 *     src/front/headers.c src/front/diag.c src/util/arena.c -lm -o fuzz_parse
 *   ./fuzz_parse -max_len=4096 tests/corpus
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../include/kplug.h"
#include "../../src/front/parse.h"

static const char *fz_headers(void *ud, const char *name, size_t *len)
{
    (void)ud;
    static const char kplug_h[] = "int create(const char *name, const char *source);\n"
                                  "void *lookup(const char *name);\nint delete(const char *name);\n";
    if (strcmp(name, "kplug.h") == 0) {
        *len = sizeof kplug_h - 1;
        return kplug_h;
    }
    return NULL;
}

/* fe_lex_plain must give fe_preprocess's very tokens, or decline. */
static void check_plain(const char *src, size_t size, int pp_ok, const fe_token *pt,
                        uint32_t pn)
{
    fe_ctx cx;
    memset(&cx, 0, sizeof cx);
    kp_arena_init(&cx.arena, (size_t)64 << 20);
    cx.plugin_name = "fuzz.c";
    cx.files[0].name = "fuzz.c";
    cx.files[0].src = src;
    cx.files[0].len = size;
    cx.nfiles = 1;
    fe_token *t = NULL;
    uint32_t n = 0;
    if (fe_lex_plain(&cx, &t, &n) == 0) {
        if (!pp_ok || n != pn || cx.nerrors)
            abort();
        for (uint32_t i = 0; i < n; i++) {
            const fe_token *a = &t[i], *b = &pt[i];
            if (a->kind != b->kind || a->file != b->file || a->id != b->id ||
                a->line != b->line || a->col != b->col || a->len != b->len ||
                (a->len && memcmp(a->text, b->text, a->len) != 0) ||
                memcmp(&a->u, &b->u, sizeof a->u) != 0)
                abort();
        }
    }
    free(cx.diag);
    kp_arena_free(&cx.arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *src = malloc(size + 1);
    if (!src)
        return 0;
    memcpy(src, data, size);
    src[size] = 0;
    fe_ctx cx;
    memset(&cx, 0, sizeof cx);
    cx.opts.max_nesting = 64;
    kp_arena_init(&cx.arena, (size_t)64 << 20);
    cx.plugin_name = "fuzz.c";
    cx.files[0].name = "fuzz.c";
    cx.files[0].src = src;
    cx.files[0].len = size;
    cx.nfiles = 1;
    cx.headers = fz_headers;
    fe_token *toks = NULL;
    uint32_t n = 0;
    int pp_ok = fe_preprocess(&cx, &toks, &n) == 0 && !cx.nerrors;
    check_plain(src, size, pp_ok, toks, n);
    if (pp_ok) {
        ast_unit *u = fe_parse(&cx, toks, n);
        if (u) {
            char *d = fe_ast_dump(u);
            free(d);
        }
    }
    free(cx.diag);
    kp_arena_free(&cx.arena);
    if (size < 256) {
        kp_arena a;
        kp_arena_init(&a, 0);
        const char *name;
        ir_sig sig;
        fe_result res;
        fe_parse_prototype(src, &a, &name, &sig, &res);
        free(res.message);
        kp_arena_free(&a);
    }
    free(src);
    return 0;
}
