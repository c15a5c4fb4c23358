/*
 * runtime.c — kp_runtime: configuration, create/destroy, and the small
 * public functions (version, names, memory exchange).
 */
#include <stdlib.h>
#include <string.h>

#include "rt_private.h"

#define MIB ((size_t)1 << 20)
#define GIB ((uint64_t)1 << 30)
#define MIN_HEAP ((size_t)64 << 10)

#if defined(__x86_64__) && defined(__linux__)
#define KP_HAVE_JIT 1
#else
#define KP_HAVE_JIT 0
#endif
/* What KP_ENGINE_DEFAULT means. The interpreter until the JIT passes the
 * whole corpus; then KP_HAVE_JIT ? KP_ENGINE_JIT : KP_ENGINE_INTERP. */
#define KP_DEFAULT_ENGINE KP_ENGINE_INTERP

int kp_version(void) { return KP_VERSION_NUMBER; }
const char *kp_version_string(void) { return KP_VERSION_STRING; }

void kp_config_init(kp_config *cfg)
{
    if (!cfg)
        return;
    memset(cfg, 0, sizeof *cfg);
    cfg->mem_limit = 64 * MIB;
    cfg->stack_size = 1 * MIB;
    cfg->max_call_depth = 10000;
    cfg->deadline_ms = 0;
    cfg->engine = KP_ENGINE_DEFAULT;
    cfg->max_source = 16 * MIB;
    cfg->max_nesting = 256;
    cfg->max_functions = 10000;
    cfg->max_plugins = 65536;
}

static int config_check(const kp_config *in, kp_config *c)
{
    kp_config def;
    kp_config_init(&def);
    *c = in ? *in : def;
#define DEF(f) if (!c->f) c->f = def.f
    DEF(mem_limit);
    DEF(stack_size);
    DEF(max_call_depth);
    DEF(max_source);
    DEF(max_nesting);
    DEF(max_functions);
    DEF(max_plugins);
#undef DEF
    if ((uint64_t)c->mem_limit > 3 * GIB)
        return kp_err(KP_ERR_ARG, "mem_limit %zu is over the maximum of 3 GiB", c->mem_limit);
    if (c->stack_size < 4096 || (uint64_t)c->stack_size > GIB)
        return kp_err(KP_ERR_ARG, "stack_size %zu must be between 4 KiB and 1 GiB",
                      c->stack_size);
    c->stack_size = (c->stack_size + 15) & ~(size_t)15;
    c->mem_limit = (c->mem_limit + KP_PAGE_SIZE - 1) & ~(size_t)(KP_PAGE_SIZE - 1);
    if (c->mem_limit < KP_PAGE_SIZE + MIN_HEAP + c->stack_size)
        return kp_err(KP_ERR_ARG,
                      "mem_limit %zu is too small for a stack of %zu bytes "
                      "(at least 64 KiB + stack_size + 4 KiB are needed)",
                      c->mem_limit, c->stack_size);
    if (c->engine != KP_ENGINE_DEFAULT && c->engine != KP_ENGINE_INTERP &&
        c->engine != KP_ENGINE_JIT)
        return kp_err(KP_ERR_ARG, "unknown engine %d", (int)c->engine);
    if (c->engine == KP_ENGINE_DEFAULT)
        c->engine = KP_DEFAULT_ENGINE;
    if (c->engine == KP_ENGINE_JIT && !KP_HAVE_JIT)
        return kp_err(KP_ERR_ARG, "the JIT engine is not available on this platform");
    return KP_OK;
}

int kp_runtime_create(const kp_config *cfg, kp_runtime **out)
{
    if (!out)
        return kp_err(KP_ERR_ARG, "kp_runtime_create: out is NULL");
    *out = NULL;
    kp_config c;
    int code = config_check(cfg, &c);
    if (code)
        return code;
    kp_runtime *rt = calloc(1, sizeof *rt);
    if (!rt)
        return kp_err(KP_ERR_NOMEM, "out of memory");
    rt->cfg = c;
    rt->engine_kind = c.engine;
    rt->engine = c.engine == KP_ENGINE_JIT ? &kp_jit_engine : &kp_interp_engine;
    rt->nhandles = 1;
    atomic_init(&rt->deadline_ms, c.deadline_ms);
    int have_ns = 0, have_stack = 0, have_seg = 0, have_heap = 0;
    if (kp_mutex_init(&rt->ns_lock) != 0)
        goto nomem;
    have_ns = 1;
    if (kp_mutex_init(&rt->stack_lock) != 0)
        goto nomem;
    have_stack = 1;
    if (kp_segment_init(&rt->seg, c.mem_limit) != 0) {
        code = kp_err(KP_ERR_NOMEM, "cannot reserve the runtime's segment (4 GiB of "
                                    "address space)");
        goto fail;
    }
    have_seg = 1;
    if (kp_heap_init(&rt->heap, KP_PAGE_SIZE, (uint32_t)c.mem_limit) != 0)
        goto nomem;
    rt->heap.mem = rt->seg.base;
    have_heap = 1;
    code = kp_builtins_init(rt);
    if (code)
        goto fail;
    *out = rt;
    return KP_OK;
nomem:
    code = kp_err(KP_ERR_NOMEM, "out of memory");
fail:
    kp_ns_fini(rt);
    if (have_heap)
        kp_heap_fini(&rt->heap);
    if (have_seg)
        kp_segment_fini(&rt->seg);
    if (have_stack)
        kp_mutex_destroy(&rt->stack_lock);
    if (have_ns)
        kp_mutex_destroy(&rt->ns_lock);
    free(rt);
    return code;
}

void kp_runtime_destroy(kp_runtime *rt)
{
    if (!rt)
        return;
    kp_ns_fini(rt);
    kp_stacks_fini(rt);
    kp_heap_fini(&rt->heap);
    kp_segment_fini(&rt->seg);
    kp_mutex_destroy(&rt->stack_lock);
    kp_mutex_destroy(&rt->ns_lock);
    free(rt);
}

kp_engine kp_runtime_engine(const kp_runtime *rt)
{
    return rt ? rt->engine_kind : KP_ENGINE_INTERP;
}

/* ---- plugins ------------------------------------------------------------------ */

int kp_plugin_add(kp_runtime *rt, const char *name, const char *src, size_t len)
{
    if (!rt)
        return kp_err(KP_ERR_ARG, "kp_plugin_add: runtime is NULL");
    return kp_ns_add_plugin(rt, name, src, len, 0);
}

int kp_plugin_replace(kp_runtime *rt, const char *name, const char *src, size_t len)
{
    if (!rt)
        return kp_err(KP_ERR_ARG, "kp_plugin_replace: runtime is NULL");
    return kp_ns_add_plugin(rt, name, src, len, 1);
}

int kp_delete(kp_runtime *rt, const char *name)
{
    if (!rt)
        return kp_err(KP_ERR_ARG, "kp_delete: runtime is NULL");
    if (!name)
        return kp_err(KP_ERR_ARG, "kp_delete: name is NULL");
    return kp_ns_delete(rt, name);
}

/* ---- functions ------------------------------------------------------------------ */

int kp_lookup(kp_runtime *rt, const char *name, kp_func **out)
{
    if (out)
        *out = NULL;
    if (!rt || !name || !out)
        return kp_err(KP_ERR_ARG, "kp_lookup: NULL argument");
    kp_mutex_lock(&rt->ns_lock);
    kp_slot *s = kp_ns_find(rt, name);
    int linked = s && atomic_load(&s->fn);
    kp_mutex_unlock(&rt->ns_lock);
    if (!linked)
        return kp_err(KP_ERR_NOT_FOUND, "no function named '%s'", name);
    *out = (kp_func *)s;
    return KP_OK;
}

int kp_func_signature(const kp_func *f, kp_type *ret, kp_type *params, int cap,
                      int *variadic)
{
    if (!f || cap < 0 || (cap > 0 && !params))
        return kp_err(KP_ERR_ARG, "kp_func_signature: bad argument");
    kp_slot *s = (kp_slot *)f;
    kp_runtime *rt = s->rt;
    /* The fn is read while counted as a call so it cannot be reclaimed. */
    unsigned phase = kp_enter_call(rt);
    kp_fn *fn = atomic_load(&s->fn);
    int n;
    if (!fn) {
        n = kp_err(KP_TRAP_UNLINKED, "function '%s' is not linked", s->name ? s->name : "?");
    } else {
        n = fn->sig.nparams;
        if (ret)
            *ret = kp_type_of_ir(fn->sig.ret);
        for (int i = 0; i < n && i < cap; i++)
            params[i] = kp_type_of_ir(fn->sig.params[i]);
        if (variadic)
            *variadic = fn->sig.variadic;
    }
    kp_leave_call(rt, phase);
    return n;
}

const char *kp_func_name(const kp_func *f)
{
    const kp_slot *s = (const kp_slot *)f;
    return s && s->name ? s->name : "";
}

/* ---- memory exchange ----------------------------------------------------------------- */

kp_ptr kp_alloc(kp_runtime *rt, size_t size)
{
    if (!rt) {
        kp_err(KP_ERR_ARG, "kp_alloc: runtime is NULL");
        return 0;
    }
    if (size == 0)
        return 0;
    uint32_t p = kp_heap_alloc(&rt->heap, size, KP_HB_USER);
    if (!p)
        kp_err(KP_ERR_NOMEM_PLUGIN, "kp_alloc: no room for %zu bytes in the runtime's memory",
               size);
    return p;
}

void kp_free(kp_runtime *rt, kp_ptr p)
{
    if (!rt) {
        kp_err(KP_ERR_ARG, "kp_free: runtime is NULL");
        return;
    }
    if (p && kp_heap_free(&rt->heap, p, KP_HB_USER) != 0)
        kp_err(KP_ERR_ARG, "kp_free: 0x%x is not a live block", p);
}

void *kp_host_ptr(kp_runtime *rt, kp_ptr p, size_t len)
{
    if (!rt)
        return NULL;
    uint64_t n = len ? len : 1;
    if (n > rt->seg.mem_size || p < KP_PAGE_SIZE || (uint64_t)p + n > rt->seg.mem_size)
        return NULL;
    return rt->seg.base + p;
}

kp_ptr kp_plugin_ptr(kp_runtime *rt, const void *host)
{
    if (!rt || !host)
        return 0;
    uintptr_t h = (uintptr_t)host, b = (uintptr_t)rt->seg.base;
    if (h < b + KP_PAGE_SIZE || h - b >= rt->seg.mem_size)
        return 0;
    return (kp_ptr)(h - b);
}
