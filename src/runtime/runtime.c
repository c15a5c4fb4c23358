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
/* What KP_ENGINE_DEFAULT means: native code wherever the JIT exists. The
 * differential tests keep both engines equivalent, so this is a speed choice. */
#define KP_DEFAULT_ENGINE (KP_HAVE_JIT ? KP_ENGINE_JIT : KP_ENGINE_INTERP)

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
    cfg->max_code_bytes = 256 * MIB;
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
    DEF(max_code_bytes);
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
    atomic_init(&rt->max_depth, c.max_call_depth);
    atomic_init(&rt->max_plugins, c.max_plugins);
    atomic_init(&rt->max_code, c.max_code_bytes);
    atomic_init(&rt->code_used, 0);
    atomic_init(&rt->stack_cfg, (uint64_t)c.stack_size);
    atomic_init(&rt->stack_cache, 0);
    int have_ns = 0, have_stack = 0, have_seg = 0, have_heap = 0, have_lim = 0;
    if (kp_mutex_init(&rt->ns_lock) != 0)
        goto nomem;
    have_ns = 1;
    if (kp_mutex_init(&rt->stack_lock) != 0)
        goto nomem;
    have_stack = 1;
    if (kp_mutex_init(&rt->limit_lock) != 0)
        goto nomem;
    if (kp_mutex_init(&rt->cleanup_lock) != 0) {
        kp_mutex_destroy(&rt->limit_lock);
        goto nomem;
    }
    have_lim = 1;
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
    kp_exec_register(rt);
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
    if (have_lim) {
        kp_mutex_destroy(&rt->limit_lock);
        kp_mutex_destroy(&rt->cleanup_lock);
    }
    free(rt);
    return code;
}

void kp_runtime_destroy(kp_runtime *rt)
{
    if (!rt)
        return;
    /* First: a thread exiting now must not give a stack back to it. */
    kp_exec_unregister(rt);
    kp_ns_fini(rt);
    kp_stacks_fini(rt);
    kp_heap_fini(&rt->heap);
    kp_segment_fini(&rt->seg);
    kp_mutex_destroy(&rt->stack_lock);
    kp_mutex_destroy(&rt->ns_lock);
    kp_mutex_destroy(&rt->limit_lock);
    kp_mutex_destroy(&rt->cleanup_lock);
    free(rt);
}

kp_engine kp_runtime_engine(const kp_runtime *rt)
{
    return rt ? rt->engine_kind : KP_ENGINE_INTERP;
}

/* ---- limits --------------------------------------------------------------------- */

/* How long lowering the memory limit waits for calls that may still use
 * the memory being taken away. */
#define SHRINK_WAIT_NS 1000000000ull

static int set_memory(kp_runtime *rt, uint64_t value)
{
    if (value > 3 * GIB)
        return kp_err(KP_ERR_ARG, "memory limit %llu is over the maximum of 3 GiB",
                      (unsigned long long)value);
    value = (value + KP_PAGE_SIZE - 1) & ~(uint64_t)(KP_PAGE_SIZE - 1);
    uint64_t stack = (uint32_t)atomic_load(&rt->stack_cfg);
    if (value < KP_PAGE_SIZE + MIN_HEAP + stack)
        return kp_err(KP_ERR_ARG, "memory limit %llu is too small for a stack of %llu "
                                  "bytes (at least 64 KiB + stack_size + 4 KiB)",
                      (unsigned long long)value, (unsigned long long)stack);
    /* Checked before taking the lock: a host thread lowering the limit
     * holds it while waiting for calls, this one among them. */
    if (value < atomic_load(&rt->seg.mem_size) && kp_exec_in_runtime(rt))
        return kp_err(KP_ERR_ARG, "the memory limit cannot be lowered from inside a "
                                  "call of the same runtime");
    kp_mutex_lock(&rt->limit_lock);
    uint64_t old = atomic_load(&rt->seg.mem_size);
    int code = KP_OK;
    if (value > old) {
        /* Pages first, then the heap may hand them out, then new calls
         * may address them. */
        if (kp_segment_resize(&rt->seg, old, value) != 0) {
            code = kp_err(KP_ERR_NOMEM, "cannot make %llu more bytes accessible",
                          (unsigned long long)(value - old));
        } else if (kp_heap_resize(&rt->heap, (uint32_t)value, NULL) != 0) {
            kp_segment_resize(&rt->seg, value, old);
            code = kp_err(KP_ERR_NOMEM, "out of memory");
        } else {
            atomic_store(&rt->seg.mem_size, value);
            kp_rt_cfg_changed(rt);
            rt->cfg.mem_limit = (size_t)value;
        }
    } else if (value < old) {
        uint32_t top = 0;
        if (kp_exec_in_runtime(rt)) {
            code = kp_err(KP_ERR_ARG, "the memory limit cannot be lowered from inside a "
                                      "call of the same runtime");
        } else if (kp_heap_resize(&rt->heap, (uint32_t)value, &top) != 0) {
            uint64_t used;
            kp_runtime_get_usage(rt, KP_LIMIT_MEMORY, &used);
            code = kp_err(KP_ERR_LIMIT,
                          "memory limit: cannot lower it to %llu bytes: plugin memory is in "
                          "use up to offset %u (%llu bytes in live blocks)",
                          (unsigned long long)value, top, (unsigned long long)used);
        } else {
            /* New calls see the smaller memory; calls already running may
             * still address the old range, so it stays mapped until they
             * have returned. */
            atomic_store(&rt->seg.mem_size, value);
            kp_rt_cfg_changed(rt);
            if (kp_ns_synchronize(rt, SHRINK_WAIT_NS) != 0) {
                atomic_store(&rt->seg.mem_size, old);
                kp_rt_cfg_changed(rt);
                kp_heap_resize(&rt->heap, (uint32_t)old, NULL);
                code = kp_err(KP_ERR_LIMIT, "memory limit: calls still running after 1 s "
                                            "may use the memory; limit unchanged");
            } else {
                kp_segment_resize(&rt->seg, old, value);
                rt->cfg.mem_limit = (size_t)value;
            }
        }
    }
    kp_mutex_unlock(&rt->limit_lock);
    return code;
}

int kp_runtime_set_limit(kp_runtime *rt, kp_limit which, uint64_t value)
{
    if (!rt)
        return kp_err(KP_ERR_ARG, "kp_runtime_set_limit: runtime is NULL");
    kp_config def;
    kp_config_init(&def);
    switch (which) {
    case KP_LIMIT_MEMORY:
        return set_memory(rt, value ? value : def.mem_limit);
    case KP_LIMIT_STACK_SIZE: {
        if (!value)
            value = def.stack_size;
        if (value < 4096 || value > GIB)
            return kp_err(KP_ERR_ARG, "stack_size %llu must be between 4 KiB and 1 GiB",
                          (unsigned long long)value);
        value = (value + 15) & ~(uint64_t)15;
        uint64_t mem = atomic_load(&rt->seg.mem_size);
        if (mem < KP_PAGE_SIZE + MIN_HEAP + value)
            return kp_err(KP_ERR_ARG, "stack_size %llu does not fit the memory limit %llu",
                          (unsigned long long)value, (unsigned long long)mem);
        kp_stacks_resize(rt, (uint32_t)value);
        return KP_OK;
    }
    case KP_LIMIT_CALL_DEPTH:
        if (!value)
            value = def.max_call_depth;
        if (value > UINT32_MAX)
            return kp_err(KP_ERR_ARG, "max_call_depth %llu is too large",
                          (unsigned long long)value);
        atomic_store(&rt->max_depth, (unsigned)value);
        kp_rt_cfg_changed(rt);
        return KP_OK;
    case KP_LIMIT_CODE: {
        if (!value)
            value = def.max_code_bytes;
        kp_mutex_lock(&rt->ns_lock);
        uint64_t used = atomic_load(&rt->code_used);
        int code = KP_OK;
        if (value < used)
            code = kp_err(KP_ERR_LIMIT, "code size limit: cannot lower it to %llu bytes: "
                                        "linked plugins use %llu",
                          (unsigned long long)value, (unsigned long long)used);
        else
            atomic_store(&rt->max_code, value);
        kp_mutex_unlock(&rt->ns_lock);
        return code;
    }
    case KP_LIMIT_PLUGINS: {
        if (!value)
            value = def.max_plugins;
        if (value > UINT32_MAX)
            return kp_err(KP_ERR_ARG, "max_plugins %llu is too large",
                          (unsigned long long)value);
        kp_mutex_lock(&rt->ns_lock);
        int code = KP_OK;
        if (value < rt->nmodules)
            code = kp_err(KP_ERR_LIMIT, "plugin limit: cannot lower it to %llu: the runtime "
                                        "holds %u plugins and built-ins",
                          (unsigned long long)value, rt->nmodules);
        else
            atomic_store(&rt->max_plugins, (unsigned)value);
        kp_mutex_unlock(&rt->ns_lock);
        return code;
    }
    case KP_LIMIT_DEADLINE_MS:
        if (value > UINT32_MAX)
            return kp_err(KP_ERR_ARG, "deadline %llu ms is too large",
                          (unsigned long long)value);
        atomic_store(&rt->deadline_ms, (unsigned)value);
        kp_rt_cfg_changed(rt);
        return KP_OK;
    }
    return kp_err(KP_ERR_ARG, "unknown limit %d", (int)which);
}

int kp_runtime_get_limit(kp_runtime *rt, kp_limit which, uint64_t *out)
{
    if (!rt || !out)
        return kp_err(KP_ERR_ARG, "kp_runtime_get_limit: NULL argument");
    switch (which) {
    case KP_LIMIT_MEMORY: *out = atomic_load(&rt->seg.mem_size); return KP_OK;
    case KP_LIMIT_STACK_SIZE: *out = (uint32_t)atomic_load(&rt->stack_cfg); return KP_OK;
    case KP_LIMIT_CALL_DEPTH: *out = atomic_load(&rt->max_depth); return KP_OK;
    case KP_LIMIT_CODE: *out = atomic_load(&rt->max_code); return KP_OK;
    case KP_LIMIT_PLUGINS: *out = atomic_load(&rt->max_plugins); return KP_OK;
    case KP_LIMIT_DEADLINE_MS: *out = atomic_load(&rt->deadline_ms); return KP_OK;
    }
    return kp_err(KP_ERR_ARG, "unknown limit %d", (int)which);
}

int kp_runtime_get_usage(kp_runtime *rt, kp_limit which, uint64_t *out)
{
    if (!rt || !out)
        return kp_err(KP_ERR_ARG, "kp_runtime_get_usage: NULL argument");
    switch (which) {
    case KP_LIMIT_MEMORY:
        kp_mutex_lock(&rt->heap.lock);
        *out = rt->heap.used;
        kp_mutex_unlock(&rt->heap.lock);
        return KP_OK;
    case KP_LIMIT_CODE: *out = atomic_load(&rt->code_used); return KP_OK;
    case KP_LIMIT_PLUGINS:
        kp_mutex_lock(&rt->ns_lock);
        *out = rt->nmodules;
        kp_mutex_unlock(&rt->ns_lock);
        return KP_OK;
    default:
        break;
    }
    return kp_err(KP_ERR_ARG, "limit %d has no usage figure", (int)which);
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
    if (kp_enter_call(rt) != 0)
        return kp_err(KP_ERR_NOMEM, "kp_func_signature: cannot register the thread");
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
    kp_leave_call(rt);
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
    uint64_t ms = atomic_load_explicit(&rt->seg.mem_size, memory_order_acquire);
    if (n > ms || p < KP_PAGE_SIZE || (uint64_t)p + n > ms)
        return NULL;
    return rt->seg.base + p;
}

kp_ptr kp_plugin_ptr(kp_runtime *rt, const void *host)
{
    if (!rt || !host)
        return 0;
    uintptr_t h = (uintptr_t)host, b = (uintptr_t)rt->seg.base;
    if (h < b + KP_PAGE_SIZE || h - b >= atomic_load(&rt->seg.mem_size))
        return 0;
    return (kp_ptr)(h - b);
}
