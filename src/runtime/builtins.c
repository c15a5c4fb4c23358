/*
 * builtins.c — host built-ins (adding and calling them), the default
 * built-ins create/lookup/delete, and the runtime library that plugins
 * reach with CALLR (string.h and stdlib.h functions, bounds-checked).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../front/front.h"
#include "rt_private.h"

kp_type kp_type_of_ir(int t)
{
    switch (t) {
    case IR_I32: return KP_T_I32;
    case IR_I64: return KP_T_I64;
    case IR_F32: return KP_T_F32;
    case IR_F64: return KP_T_F64;
    case IR_PTR: return KP_T_PTR;
    default: return KP_T_VOID;
    }
}

/* ---- adding built-ins ------------------------------------------------------ */

/* Parsed prototypes, process-wide: a host adds the same built-ins to every
 * runtime it creates, and every runtime gets create/lookup/delete, so each
 * distinct prototype text is parsed once (the parse is most of the cost of
 * linking a built-in). Direct-mapped by a hash of the text; a collision
 * replaces the entry. Only prototypes that parsed are kept, and only short
 * ones. */
#define PROTO_CACHE 64
#define PROTO_CACHE_MAXLEN 256

typedef struct proto_ent {
    char *text, *name;        /* owned; NULL: empty */
    ir_sig sig;
} proto_ent;

static struct {
    kp_mutex lock;
    proto_ent e[PROTO_CACHE];
} protos = { { PTHREAD_MUTEX_INITIALIZER }, { { NULL, NULL, { 0 } } } };

static proto_ent *proto_slot(const char *text)
{
    uint32_t h = 2166136261u;
    for (const char *p = text; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    return &protos.e[h % PROTO_CACHE];
}

/* A copy of the cached name of `text` (malloc'd) and its sig, or NULL. */
static char *proto_lookup(const char *text, ir_sig *sig)
{
    char *name = NULL;
    proto_ent *e = proto_slot(text);
    kp_mutex_lock(&protos.lock);
    if (e->text && strcmp(e->text, text) == 0) {
        name = strdup(e->name);
        *sig = e->sig;
    }
    kp_mutex_unlock(&protos.lock);
    return name;
}

static void proto_remember(const char *text, const char *name, const ir_sig *sig)
{
    if (strlen(text) > PROTO_CACHE_MAXLEN)
        return;
    char *t = strdup(text), *n = strdup(name);
    if (!t || !n) {
        free(t);
        free(n);
        return;
    }
    proto_ent *e = proto_slot(text);
    kp_mutex_lock(&protos.lock);
    char *ot = e->text, *on = e->name;
    e->text = t;
    e->name = n;
    e->sig = *sig;
    kp_mutex_unlock(&protos.lock);
    free(ot);
    free(on);
}

int kp_builtin_add(kp_runtime *rt, const char *prototype, kp_builtin_fn fn,
                   void *userdata)
{
    if (!rt)
        return kp_err(KP_ERR_ARG, "kp_builtin_add: runtime is NULL");
    if (!prototype)
        return kp_err(KP_ERR_ARG, "kp_builtin_add: prototype is NULL");
    if (!fn)
        return kp_err(KP_ERR_ARG, "kp_builtin_add: function is NULL");
    ir_sig sig;
    memset(&sig, 0, sizeof sig);
    char *cname = proto_lookup(prototype, &sig);
    if (!cname) {
        /* The parse arena is temporary: a built-in keeps only two strings. */
        kp_arena arena;
        kp_arena_init(&arena, 0);
        const char *name = NULL;
        fe_result res;
        memset(&res, 0, sizeof res);
        int code = fe_parse_prototype(prototype, &arena, &name, &sig, &res);
        if (code != KP_OK || !name) {
            kp_arena_free(&arena);
            if (code == KP_ERR_NOMEM)
                return kp_err_take(code, NULL, NULL, 0, 0, res.message, "out of memory");
            return kp_err_take(KP_ERR_ARG, NULL, NULL, res.line, res.col, res.message,
                               "malformed prototype");
        }
        free(res.message);
        cname = strdup(name);
        if (cname)
            proto_remember(prototype, cname, &sig);
        kp_arena_free(&arena);
    }
    kp_modx *mx = calloc(1, sizeof *mx);
    if (mx) {
        mx->name = cname;
        cname = NULL;
        mx->proto = strdup(prototype);
        kp_modx_arrays(mx, 1, 0);
    }
    free(cname);
    if (!mx || !mx->name || !mx->proto || !mx->m.fns) {
        kp_modx_free(rt, mx);
        return kp_err(KP_ERR_NOMEM, "out of memory");
    }
    mx->is_builtin = 1;
    mx->m.rt = rt;
    mx->m.name = mx->name;
    mx->m.nfns = 1;
    kp_fn *f = &mx->m.fns[0];
    f->kind = KP_FN_BUILTIN;
    f->sig = sig;
    f->name = mx->name;
    f->mod = &mx->m;
    f->host = fn;
    f->userdata = userdata;
    int code = kp_ns_link_builtin(rt, mx);
    if (code)
        kp_modx_free(rt, mx);
    return code;
}

/* ---- calling built-ins -------------------------------------------------------- */

#define MAX_BUILTIN_ARGS 256

/* Native stack a built-in may count on: host callbacks are ordinary C. */
#define BUILTIN_STACK_MARGIN KP_BUILTIN_STACK_MARGIN

int kp_rt_builtin_failed(kp_exec *ex, const kp_fn *fn, int rc)
{
    if (!ex->trap_code)
        kp_exec_trap(ex, KP_TRAP_BUILTIN, "built-in '%s' failed (%s)", fn->name,
                     kp_result_name(rc));
    return ex->trap_code;
}

int kp_rt_call_builtin(kp_exec *ex, const kp_fn *fn, const uint64_t *args,
                       const uint8_t *types, uint32_t nargs, uint64_t *ret)
{
    if (nargs > MAX_BUILTIN_ARGS)
        return kp_exec_trap(ex, KP_TRAP_BAD_CALL, "too many arguments (%u) to built-in '%s'",
                            nargs, fn->name);
    if (nargs < fn->sig.nparams || (!fn->sig.variadic && nargs != fn->sig.nparams))
        return kp_exec_trap(ex, KP_TRAP_BAD_CALL, "built-in '%s' called with %u arguments",
                            fn->name, nargs);
    /* A deep plugin recursion may leave little native stack; host code
     * (and create()'s compiler) must not be entered without a margin. */
    if ((uintptr_t)__builtin_frame_address(0) < kp_os_stack_floor(BUILTIN_STACK_MARGIN))
        return kp_exec_trap(ex, KP_TRAP_STACK,
                            "native stack exhausted before calling built-in '%s'", fn->name);
    kp_value vbuf[IR_MAX_PARAMS], *vals = vbuf;
    if (nargs == 0) { /* defined even when nargs == 0 */
        vbuf[0].type = KP_T_VOID;
        vbuf[0].v.i64 = 0;
    } else if (nargs > IR_MAX_PARAMS && !(vals = malloc(nargs * sizeof *vals)))
        return kp_exec_trap(ex, KP_TRAP_STACK, "out of memory for call arguments");
    /* IR types number like kp_type (IR_I32 == KP_T_I32 ... IR_PTR ==
     * KP_T_PTR; asserted in exec.c), and one 64-bit store fills the
     * union. 32-bit values are zero-extended: the upper bits of a raw
     * slot are unspecified. */
    uint32_t nfixed = fn->sig.nparams;
    for (uint32_t i = 0; i < nargs; i++) {
        /* Variadic extras: a pointer is an I32 register, so it arrives as
         * KP_T_I32; .i32 and .ptr share storage (docs/api.md). */
        int t = i < nfixed ? fn->sig.params[i] : types[i];
        vals[i].type = (kp_type)t;
        vals[i].v.i64 = (t == IR_I64 || t == IR_F64) ? (int64_t)args[i]
                                                     : (int64_t)(uint32_t)args[i];
    }
    kp_value rv;
    rv.type = (kp_type)fn->sig.ret;
    rv.v.i64 = 0;
    const kp_fn *saved = ex->cur_builtin;
    ex->cur_builtin = fn;
    int rc = fn->host((kp_callctx *)ex, vals, (int)nargs, &rv, fn->userdata);
    ex->cur_builtin = saved;
    if (vals != vbuf)
        free(vals);
    if (rc != KP_OK)
        return kp_rt_builtin_failed(ex, fn, rc);
    if (ex->trap_code) /* kp_fail() but KP_OK returned: the failure wins */
        return ex->trap_code;
    int rt_ = fn->sig.ret;
    *ret = (rt_ == IR_I64 || rt_ == IR_F64) ? (uint64_t)rv.v.i64
           : rt_ == IR_VOID                ? 0
                                           : (uint64_t)(uint32_t)rv.v.i32;
    return KP_OK;
}

kp_runtime *kp_callctx_runtime(const kp_callctx *cx)
{
    return cx ? ((const kp_exec *)cx)->rt : NULL;
}

void *kp_callctx_ptr(kp_callctx *cx, kp_ptr p, size_t len)
{
    if (!cx)
        return NULL;
    kp_exec *ex = kp_exec_of(cx);
    if (len > ex->mem_size || !kp_exec_mem_ok(ex, p, 0, len ? len : 1))
        return NULL;
    return ex->mem + p;
}

int64_t kp_mem_strlen(const kp_exec *ex, uint32_t p, uint64_t max)
{
    if (p < KP_PAGE_SIZE || p >= ex->mem_size)
        return -1;
    uint64_t avail = ex->mem_size - p;
    uint64_t scan = max < avail ? max + 1 : avail; /* no overflow at max = ~0 */
    const uint8_t *z = memchr(ex->mem + p, 0, scan);
    if (z)
        return z - (ex->mem + p);
    return scan == avail ? -1 : -2;
}

const char *kp_callctx_str(kp_callctx *cx, kp_ptr p, size_t max_len)
{
    if (!cx)
        return NULL;
    kp_exec *ex = kp_exec_of(cx);
    if (kp_mem_strlen(ex, p, max_len) < 0)
        return NULL;
    return (const char *)ex->mem + p;
}

int kp_fail(kp_callctx *cx, const char *fmt, ...)
{
    if (!cx)
        return KP_TRAP_BUILTIN;
    kp_exec *ex = kp_exec_of(cx);
    if (ex->trap_code)
        return KP_TRAP_BUILTIN;
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt ? fmt : "failed", ap);
    va_end(ap);
    if (ex->cur_builtin)
        kp_exec_trap(ex, KP_TRAP_BUILTIN, "%s: %s", ex->cur_builtin->name, msg);
    else
        kp_exec_trap(ex, KP_TRAP_BUILTIN, "%s", msg);
    return KP_TRAP_BUILTIN;
}

int kp_callctx_check(kp_callctx *cx)
{
    if (!cx)
        return kp_err(KP_ERR_ARG, "kp_callctx_check: NULL context");
    return kp_exec_check(kp_exec_of(cx));
}

/* ---- plugin-tied cleanup ------------------------------------------------------------ */

kp_cleanup_id kp_callctx_on_plugin_end(kp_callctx *cx, kp_cleanup_fn fn, void *arg)
{
    if (!cx || !fn) {
        kp_err(KP_ERR_ARG, "kp_callctx_on_plugin_end: bad argument");
        return 0;
    }
    kp_exec *ex = kp_exec_of(cx);
    /* The innermost plugin function calling out; engines that do not say
     * leave the function this activation called, or an enclosing one. */
    const kp_fn *who = NULL;
    for (kp_exec *p = ex; !who && p && p->rt == ex->rt; p = p->parent) {
        if (p->caller && p->caller->kind == KP_FN_PLUGIN)
            who = p->caller;
        else if (p->entry && p->entry->kind == KP_FN_PLUGIN)
            who = p->entry;
    }
    if (!who || who->kind != KP_FN_PLUGIN || !who->mod) {
        kp_err(KP_ERR_ARG, "kp_callctx_on_plugin_end: no plugin is calling this built-in");
        return 0;
    }
    kp_cleanup *c = malloc(sizeof *c);
    if (!c) {
        kp_err(KP_ERR_NOMEM, "out of memory");
        return 0;
    }
    kp_modx *mx = (kp_modx *)who->mod;
    c->fn = fn;
    c->arg = arg;
    c->flags = 0;
    c->id = kp_cleanup_next_id();
    /* The module cannot be freed meanwhile: this call holds it. */
    kp_mutex_lock(&ex->rt->cleanup_lock);
    c->next = mx->cleanups;
    mx->cleanups = c;
    kp_mutex_unlock(&ex->rt->cleanup_lock);
    return c->id;
}

int kp_exec_cancel_cleanup(kp_runtime *rt, uint64_t id); /* exec.c */

int kp_cleanup_cancel(kp_runtime *rt, kp_cleanup_id id)
{
    if (!rt || !id)
        return kp_err(KP_ERR_ARG, "kp_cleanup_cancel: bad argument");
    if (kp_exec_cancel_cleanup(rt, id))
        return KP_OK;
    int found = 0;
    /* Live and retired modules: ns_lock keeps the lists still, and a
     * retired module's callbacks are taken under cleanup_lock. */
    kp_mutex_lock(&rt->ns_lock);
    kp_mutex_lock(&rt->cleanup_lock);
    kp_modx *lists[2] = { rt->modules, rt->retired };
    for (int l = 0; l < 2 && !found; l++)
        for (kp_modx *m = lists[l]; m && !found; m = m->next)
            for (kp_cleanup **pp = &m->cleanups; *pp; pp = &(*pp)->next)
                if ((*pp)->id == id) {
                    kp_cleanup *c = *pp;
                    *pp = c->next;
                    free(c);
                    found = 1;
                    break;
                }
    kp_mutex_unlock(&rt->cleanup_lock);
    kp_mutex_unlock(&rt->ns_lock);
    return found ? KP_OK
                 : kp_err(KP_ERR_NOT_FOUND, "no cleanup callback %llu is registered",
                          (unsigned long long)id);
}

/* ---- create / lookup / delete ---------------------------------------------------- */

/* A name argument: a string inside valid memory (a bad pointer traps like
 * any plugin memory access). Returns NULL after recording the trap. */
static const char *arg_string(kp_callctx *cx, const kp_value *v, uint64_t max,
                              const char *what, int *code)
{
    kp_exec *ex = kp_exec_of(cx);
    int64_t n = kp_mem_strlen(ex, v->v.ptr, max);
    if (n == -1) {
        *code = kp_exec_trap(ex, KP_TRAP_MEMORY,
                             "%s: %s at 0x%x is not a string inside the runtime's memory",
                             ex->cur_builtin ? ex->cur_builtin->name : "?", what,
                             v->v.ptr);
        return NULL;
    }
    if (n == -2) {
        *code = KP_ERR_LIMIT;
        return NULL;
    }
    *code = KP_OK;
    return (const char *)ex->mem + v->v.ptr;
}

static int bi_create(kp_callctx *cx, const kp_value *args, int nargs,
                     kp_value *ret, void *ud)
{
    kp_exec *ex = kp_exec_of(cx);
    kp_runtime *rt = ex->rt;
    int code;
    const char *name = arg_string(cx, &args[0], 255, "name", &code);
    if (!name) {
        if (ex->trap_code)
            return code;
        ret->v.i32 = KP_ERR_ARG;
        return KP_OK;
    }
    size_t max = rt->cfg.max_source;
    const char *src = arg_string(cx, &args[1], max, "source", &code);
    if (!src) {
        if (ex->trap_code)
            return code;
        ret->v.i32 = KP_ERR_LIMIT;
        return KP_OK;
    }
    /* Compile private copies: other threads may write the plugin memory
     * while the front end reads it. */
    char *n2 = strdup(name);
    size_t sl = strlen(src);
    char *s2 = malloc(sl + 1);
    if (!n2 || !s2) {
        free(n2);
        free(s2);
        ret->v.i32 = KP_ERR_NOMEM;
        return KP_OK;
    }
    memcpy(s2, src, sl + 1);
    ret->v.i32 = kp_plugin_add(rt, n2, s2, sl);
    free(n2);
    free(s2);
    return KP_OK;
}

static int bi_lookup(kp_callctx *cx, const kp_value *args, int nargs,
                     kp_value *ret, void *ud)
{
    kp_exec *ex = kp_exec_of(cx);
    kp_runtime *rt = ex->rt;
    int code;
    const char *name = arg_string(cx, &args[0], 1024, "name", &code);
    ret->v.ptr = 0;
    if (!name)
        return ex->trap_code ? code : KP_OK;
    kp_mutex_lock(&rt->ns_lock);
    kp_slot *s = kp_ns_find(rt, name);
    if (s && atomic_load(&s->fn))
        ret->v.ptr = s->handle;
    kp_mutex_unlock(&rt->ns_lock);
    return KP_OK;
}

static int bi_delete(kp_callctx *cx, const kp_value *args, int nargs,
                     kp_value *ret, void *ud)
{
    kp_exec *ex = kp_exec_of(cx);
    int code;
    const char *name = arg_string(cx, &args[0], 1024, "name", &code);
    if (!name) {
        if (ex->trap_code)
            return code;
        ret->v.i32 = KP_ERR_NOT_FOUND;
        return KP_OK;
    }
    char *n2 = strdup(name);
    if (!n2) {
        ret->v.i32 = KP_ERR_NOMEM;
        return KP_OK;
    }
    ret->v.i32 = kp_delete(ex->rt, n2);
    free(n2);
    return KP_OK;
}

int kp_builtins_init(kp_runtime *rt)
{
    int code;
    if ((code = kp_builtin_add(rt, "int create(const char *name, const char *source)",
                               bi_create, NULL)) ||
        (code = kp_builtin_add(rt, "void *lookup(const char *name)", bi_lookup, NULL)) ||
        (code = kp_builtin_add(rt, "int delete(const char *name)", bi_delete, NULL)))
        return code;
    return KP_OK;
}

/* ---- the runtime library (CALLR) ------------------------------------------------- */

static int mem_trap(kp_exec *ex, const char *fn, uint32_t p, uint64_t n)
{
    return kp_exec_trap(ex, KP_TRAP_MEMORY,
                        "%s: %llu bytes at 0x%x are outside the runtime's memory", fn,
                        (unsigned long long)n, p);
}

static int str_trap(kp_exec *ex, const char *fn, uint32_t p)
{
    return kp_exec_trap(ex, KP_TRAP_MEMORY,
                        "%s: the string at 0x%x is not terminated inside the "
                        "runtime's memory", fn, p);
}

/* Long runtime-library work goes in chunks, with an interrupt/deadline
 * check between chunks, so a plugin looping on memset of a huge buffer
 * stops in time too. 64 KiB takes a few microseconds; the check (a clock
 * read) costs well under 1% of that. */
#define RT_CHUNK ((uint64_t)64 << 10)

static int chunked_move(kp_exec *ex, uint8_t *m, uint32_t dst, uint32_t src, uint64_t n)
{
    if (n <= RT_CHUNK || dst == src) {
        if (n && dst != src)
            memmove(m + dst, m + src, n);
        return KP_OK;
    }
    /* Direction as memmove's, so overlapping ranges copy correctly. */
    int fwd = dst < src;
    for (uint64_t done = 0; done < n;) {
        uint64_t k = n - done < RT_CHUNK ? n - done : RT_CHUNK;
        uint64_t off = fwd ? done : n - done - k;
        memmove(m + dst + off, m + src + off, k);
        done += k;
        if (done < n) {
            int rc = kp_exec_check(ex);
            if (rc)
                return rc;
        }
    }
    return KP_OK;
}

static int chunked_set(kp_exec *ex, uint8_t *m, uint32_t dst, int v, uint64_t n)
{
    for (uint64_t done = 0; done < n;) {
        uint64_t k = n - done < RT_CHUNK ? n - done : RT_CHUNK;
        memset(m + dst + done, v, k);
        done += k;
        if (done < n) {
            int rc = kp_exec_check(ex);
            if (rc)
                return rc;
        }
    }
    return KP_OK;
}

/* kp_mem_strlen in chunks: length, or -1 (leaves memory), or a trap code
 * (<= KP_TRAP_MEMORY) through *trap. */
static int64_t chunked_strlen(kp_exec *ex, uint32_t p, int *trap)
{
    *trap = 0;
    if (p < KP_PAGE_SIZE || p >= ex->mem_size)
        return -1;
    uint64_t avail = ex->mem_size - p;
    for (uint64_t done = 0; done < avail;) {
        uint64_t k = avail - done < RT_CHUNK ? avail - done : RT_CHUNK;
        const uint8_t *z = memchr(ex->mem + p + done, 0, k);
        if (z)
            return z - (ex->mem + p);
        done += k;
        if (done < avail && (*trap = kp_exec_check(ex)) != 0)
            return -1;
    }
    return -1;
}

/* Range check for n bytes at p; n == 0 is always fine (nothing touched). */
static int range_ok(kp_exec *ex, uint32_t p, uint64_t n)
{
    return n == 0 || kp_exec_mem_ok(ex, p, 0, n);
}

int kp_rt_rtlib(kp_exec *ex, int id, const uint64_t *args, uint64_t *ret)
{
    kp_runtime *rt = ex->rt;
    uint8_t *m = ex->mem;
    uint32_t a = (uint32_t)args[0], b = 0, c = 0;
    const ir_sig *sig = ir_rtlib_sig(id);
    if (!sig)
        return kp_exec_trap(ex, KP_TRAP_BAD_CALL, "unknown runtime library function %d", id);
    if (sig->nparams > 1)
        b = (uint32_t)args[1];
    if (sig->nparams > 2)
        c = (uint32_t)args[2];
    *ret = 0;
    switch (id) {
    case IR_RT_MEMCPY:
    case IR_RT_MEMMOVE:
        if (!range_ok(ex, a, c))
            return mem_trap(ex, ir_rtlib_name(id), a, c);
        if (!range_ok(ex, b, c))
            return mem_trap(ex, ir_rtlib_name(id), b, c);
        *ret = a;
        /* memcpy too: overlap is harmless */
        return chunked_move(ex, m, a, b, c);
    case IR_RT_MEMSET:
        if (!range_ok(ex, a, c))
            return mem_trap(ex, "memset", a, c);
        *ret = a;
        return chunked_set(ex, m, a, (int)(uint8_t)b, c);
    case IR_RT_MEMCMP: {
        if (!range_ok(ex, a, c))
            return mem_trap(ex, "memcmp", a, c);
        if (!range_ok(ex, b, c))
            return mem_trap(ex, "memcmp", b, c);
        int r = 0;
        for (uint64_t done = 0; done < c && !r;) {
            uint64_t k = c - done < RT_CHUNK ? c - done : RT_CHUNK;
            r = memcmp(m + a + done, m + b + done, k);
            done += k;
            int rc;
            if (!r && done < c && (rc = kp_exec_check(ex)) != 0)
                return rc;
        }
        *ret = (uint32_t)(r < 0 ? -1 : r > 0);
        return KP_OK;
    }
    case IR_RT_STRLEN: {
        int tr;
        int64_t n = chunked_strlen(ex, a, &tr);
        if (tr)
            return tr;
        if (n < 0)
            return str_trap(ex, "strlen", a);
        *ret = (uint32_t)n;
        return KP_OK;
    }
    case IR_RT_STRCMP:
    case IR_RT_STRNCMP: {
        const char *nm = ir_rtlib_name(id);
        uint64_t lim = id == IR_RT_STRNCMP ? c : UINT64_MAX;
        for (uint64_t i = 0; i < lim; i++) {
            uint64_t pa = (uint64_t)a + i, pb = (uint64_t)b + i;
            if (pa < KP_PAGE_SIZE || pa >= ex->mem_size)
                return str_trap(ex, nm, a);
            if (pb < KP_PAGE_SIZE || pb >= ex->mem_size)
                return str_trap(ex, nm, b);
            uint8_t x = m[pa], y = m[pb];
            int rc;
            if ((i & (RT_CHUNK - 1)) == RT_CHUNK - 1 && (rc = kp_exec_check(ex)) != 0)
                return rc;
            if (x != y) {
                *ret = (uint32_t)(x < y ? -1 : 1);
                return KP_OK;
            }
            if (!x)
                break;
        }
        *ret = 0;
        return KP_OK;
    }
    case IR_RT_STRCPY: {
        int tr;
        int64_t n = chunked_strlen(ex, b, &tr);
        if (tr)
            return tr;
        if (n < 0)
            return str_trap(ex, "strcpy", b);
        if (!range_ok(ex, a, (uint64_t)n + 1))
            return mem_trap(ex, "strcpy", a, (uint64_t)n + 1);
        *ret = a;
        return chunked_move(ex, m, a, b, (uint64_t)n + 1);
    }
    case IR_RT_STRCHR: {
        int tr;
        int64_t n = chunked_strlen(ex, a, &tr);
        if (tr)
            return tr;
        if (n < 0)
            return str_trap(ex, "strchr", a);
        uint8_t ch = (uint8_t)b;
        const uint8_t *f = memchr(m + a, ch, (size_t)n + 1);
        *ret = f ? (uint32_t)(f - m) : 0;
        return KP_OK;
    }
    case IR_RT_MALLOC:
        *ret = kp_heap_alloc(&rt->heap, a, KP_HB_USER);
        return KP_OK;
    case IR_RT_FREE:
        if (a && kp_heap_free(&rt->heap, a, KP_HB_USER) != 0)
            return kp_exec_trap(ex, KP_TRAP_MEMORY,
                                "free of invalid pointer 0x%x (not a live block)", a);
        return KP_OK;
    case IR_RT_CALLOC: {
        uint64_t n = (uint64_t)a * b;
        if (n > UINT32_MAX)
            return KP_OK; /* overflow: 0, like C */
        uint32_t p = kp_heap_alloc(&rt->heap, n, KP_HB_USER);
        *ret = p;
        if (p && n) {
            int rc = chunked_set(ex, m, p, 0, n);
            if (rc) {
                kp_heap_free(&rt->heap, p, KP_HB_USER);
                *ret = 0;
                return rc;
            }
        }
        return KP_OK;
    }
    case IR_RT_REALLOC: {
        if (!a) {
            *ret = kp_heap_alloc(&rt->heap, b, KP_HB_USER);
            return KP_OK;
        }
        if (b == 0) {
            if (kp_heap_free(&rt->heap, a, KP_HB_USER) != 0)
                return kp_exec_trap(ex, KP_TRAP_MEMORY,
                                    "realloc of invalid pointer 0x%x (not a live block)", a);
            return KP_OK;
        }
        uint32_t p = kp_heap_realloc(&rt->heap, m, a, b);
        if (p == (uint32_t)-1)
            return kp_exec_trap(ex, KP_TRAP_MEMORY,
                                "realloc of invalid pointer 0x%x (not a live block)", a);
        *ret = p;
        return KP_OK;
    }
    case IR_RT_ABORT:
        return kp_exec_trap(ex, KP_TRAP_BUILTIN, "abort() called");
    }
    return kp_exec_trap(ex, KP_TRAP_BAD_CALL, "unknown runtime library function %d", id);
}
