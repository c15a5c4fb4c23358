/*
 * ns.c — a runtime's namespace: names, handles and linked modules.
 *
 * Names map to slots (kp_slot). A slot is created the first time a name is
 * exported or imported and lives until the runtime dies, so a kp_func * (a
 * slot) and a handle (an index of slots) stay valid whatever is linked to
 * the name later. What a slot calls is its `fn`, swapped atomically when a
 * plugin is added, replaced or deleted: calls never take a lock.
 *
 * Handles index a table of chunks of KP_HANDLE_CHUNK slot pointers; a chunk
 * and each entry are published with release stores and never change
 * after, so engines read the table without a lock. Private (static)
 * functions get anonymous slots, recycled when their module is reclaimed.
 *
 * Linking (kp_plugin_add/replace) compiles without any lock (a plugin may
 * call create() while other calls run), then under ns_lock checks names,
 * places the data image, resolves handles, has the engine load the code
 * and finally publishes every export. A module that is replaced or deleted
 * is *retired*: unreachable from any slot, but freed only when no call
 * that started before can still run (kp_ns_reclaim), since such a call may
 * be inside its code or hold one of its kp_fn. Calls announce themselves
 * per thread with plain stores (exec.c); a module retired at epoch E goes
 * when no call that may reach it began at an epoch <= E.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../front/front.h"
#include "rt_private.h"

/* ---- string maps ------------------------------------------------------------ */

struct kp_strmap_ent {
    kp_strmap_ent *next;
    void *val;
    uint32_t hash;
    char key[];
};

static uint32_t str_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

void *kp_strmap_get(const kp_strmap *m, const char *key)
{
    if (!m->b)
        return NULL;
    uint32_t h = str_hash(key);
    for (kp_strmap_ent *e = m->b[h & m->mask]; e; e = e->next)
        if (e->hash == h && strcmp(e->key, key) == 0)
            return e->val;
    return NULL;
}

static int strmap_put(kp_strmap *m, const char *key, void *val)
{
    if (!m->b || m->n >= m->mask + 1) {
        uint32_t nsize = m->b ? (m->mask + 1) * 2 : 64;
        kp_strmap_ent **nb = calloc(nsize, sizeof *nb);
        if (!nb) {
            if (!m->b)
                return -1;
        } else {
            for (uint32_t i = 0; m->b && i <= m->mask; i++) {
                kp_strmap_ent *e = m->b[i];
                while (e) {
                    kp_strmap_ent *n = e->next;
                    e->next = nb[e->hash & (nsize - 1)];
                    nb[e->hash & (nsize - 1)] = e;
                    e = n;
                }
            }
            free(m->b);
            m->b = nb;
            m->mask = nsize - 1;
        }
    }
    size_t kl = strlen(key);
    kp_strmap_ent *e = malloc(sizeof *e + kl + 1);
    if (!e)
        return -1;
    memcpy(e->key, key, kl + 1);
    e->hash = str_hash(key);
    e->val = val;
    e->next = m->b[e->hash & m->mask];
    m->b[e->hash & m->mask] = e;
    m->n++;
    return 0;
}

static void strmap_del(kp_strmap *m, const char *key)
{
    if (!m->b)
        return;
    uint32_t h = str_hash(key);
    for (kp_strmap_ent **pp = &m->b[h & m->mask]; *pp; pp = &(*pp)->next) {
        kp_strmap_ent *e = *pp;
        if (e->hash == h && strcmp(e->key, key) == 0) {
            *pp = e->next;
            free(e);
            m->n--;
            return;
        }
    }
}

void kp_strmap_free(kp_strmap *m)
{
    for (uint32_t i = 0; m->b && i <= m->mask; i++) {
        kp_strmap_ent *e = m->b[i];
        while (e) {
            kp_strmap_ent *n = e->next;
            free(e);
            e = n;
        }
    }
    free(m->b);
    memset(m, 0, sizeof *m);
}

/* ---- slots and handles --------------------------------------------------------- */

/* The slot a handle value names, whatever its generation (NULL if none). */
static kp_slot *slot_of_index(kp_runtime *rt, uint32_t h)
{
    uint32_t i = h & KP_HANDLE_INDEX_MASK;
    if (i == 0 || h > (KP_HANDLE_GEN_MAX << KP_HANDLE_INDEX_BITS | KP_HANDLE_INDEX_MASK))
        return NULL;
    kp_slot **chunk = atomic_load_explicit(&rt->handles[i / KP_HANDLE_CHUNK],
                                           memory_order_acquire);
    if (!chunk)
        return NULL;
    return atomic_load_explicit((_Atomic(kp_slot *) *)&chunk[i % KP_HANDLE_CHUNK],
                                memory_order_acquire);
}

static kp_slot *slot_of_handle(kp_runtime *rt, uint32_t h)
{
    kp_slot *s = slot_of_index(rt, h);
    return s && atomic_load_explicit(&s->handle, memory_order_acquire) == h ? s : NULL;
}

kp_fn *kp_rt_handle_fn(kp_runtime *rt, uint32_t handle, int *code)
{
    kp_slot *s = slot_of_handle(rt, handle);
    if (!s) {
        *code = KP_TRAP_BAD_CALL;
        return NULL;
    }
    kp_fn *fn = atomic_load_explicit(&s->fn, memory_order_acquire);
    /* Recheck the generation after reading fn: if the slot was recycled
     * and relinked meanwhile, the fn we read may belong to the new owner
     * (anon_release bumps the generation before the slot can be reused). */
    if (fn && atomic_load_explicit(&s->handle, memory_order_acquire) != handle)
        fn = NULL;
    if (!fn) {
        *code = s->name ? KP_TRAP_UNLINKED : KP_TRAP_BAD_CALL;
        return NULL;
    }
    return fn;
}

/* A new slot with the next handle (under ns_lock). */
static kp_slot *slot_new(kp_runtime *rt, const char *name, int *code)
{
    uint32_t h = rt->nhandles;
    if (h >= KP_HANDLE_CHUNK * KP_HANDLE_CHUNKS) {
        *code = kp_err(KP_ERR_LIMIT, "too many functions in the runtime (%u)", h);
        return NULL;
    }
    kp_slot **chunk = atomic_load_explicit(&rt->handles[h / KP_HANDLE_CHUNK],
                                           memory_order_relaxed);
    if (!chunk) {
        chunk = calloc(KP_HANDLE_CHUNK, sizeof *chunk);
        if (!chunk) {
            *code = kp_err(KP_ERR_NOMEM, "out of memory");
            return NULL;
        }
        atomic_store_explicit(&rt->handles[h / KP_HANDLE_CHUNK], chunk,
                              memory_order_release);
    }
    size_t nl = name ? strlen(name) + 1 : 0;
    kp_slot *s = malloc(sizeof *s + nl);
    if (!s) {
        *code = kp_err(KP_ERR_NOMEM, "out of memory");
        return NULL;
    }
    if (name) {
        char *copy = (char *)(s + 1);
        memcpy(copy, name, nl);
        s->name = copy;
    } else {
        s->name = NULL;
    }
    atomic_init(&s->fn, NULL);
    atomic_init(&s->handle, h);
    s->rt = rt;
    if (name && strmap_put(&rt->names, s->name, s) != 0) {
        free(s);
        *code = kp_err(KP_ERR_NOMEM, "out of memory");
        return NULL;
    }
    atomic_store_explicit((_Atomic(kp_slot *) *)&chunk[h % KP_HANDLE_CHUNK], s,
                          memory_order_release);
    rt->nhandles = h + 1;
    return s;
}

kp_slot *kp_ns_find(kp_runtime *rt, const char *name)
{
    return kp_strmap_get(&rt->names, name);
}

kp_slot *kp_ns_slot(kp_runtime *rt, const char *name, int *code)
{
    kp_slot *s = kp_ns_find(rt, name);
    return s ? s : slot_new(rt, name, code);
}

static kp_slot *anon_slot(kp_runtime *rt, int *code)
{
    if (rt->nanon_free)
        return rt->anon_free[--rt->nanon_free];
    return slot_new(rt, NULL, code);
}

/* Every store to a slot's fn is bracketed by these (rt->callgen, the
 * seqlock prepared calls' stubs check; under ns_lock, so one at a time). */
static void slots_writing(kp_runtime *rt)
{
    atomic_fetch_add(&rt->callgen, 1);
}

static void anon_release(kp_runtime *rt, kp_slot *s)
{
    slots_writing(rt);
    atomic_store(&s->fn, NULL);
    slots_writing(rt);
    uint32_t h = atomic_load(&s->handle);
    uint32_t gen = h >> KP_HANDLE_INDEX_BITS;
    if (gen == KP_HANDLE_GEN_MAX)
        return; /* generations used up: never reused, freed with the runtime */
    atomic_store(&s->handle, (gen + 1) << KP_HANDLE_INDEX_BITS | (h & KP_HANDLE_INDEX_MASK));
    if (rt->nanon_free == rt->anon_free_cap) {
        uint32_t ncap = rt->anon_free_cap ? rt->anon_free_cap * 2 : 64;
        kp_slot **n = realloc(rt->anon_free, ncap * sizeof *n);
        if (!n)
            return; /* the slot stays unused; freed with the runtime */
        rt->anon_free = n;
        rt->anon_free_cap = ncap;
    }
    rt->anon_free[rt->nanon_free++] = s;
}

/* ---- modules -------------------------------------------------------------------- */

static kp_modx *modx_of(kp_module *m) { return (kp_modx *)m; }

void kp_modx_free(kp_runtime *rt, kp_modx *mx)
{
    if (!mx)
        return;
    if (mx->loaded && rt->engine->unload)
        rt->engine->unload(&mx->m);
    if (mx->m.data_base)
        kp_heap_free(&rt->heap, mx->m.data_base, KP_HB_SYSTEM);
    for (uint32_t i = 0; i < mx->nanon; i++)
        if (mx->anon[i])
            anon_release(rt, mx->anon[i]);
    free(mx->m.fns); /* one block with imports, anon and the handles (kp_modx_arrays) */
    ir_module_free(mx->m.ir);
    free(mx->proto);
    free(mx->name);
    free(mx);
}

static void live_insert(kp_runtime *rt, kp_modx *mx)
{
    mx->next = NULL;
    mx->prev = rt->modules_tail;
    if (rt->modules_tail)
        rt->modules_tail->next = mx;
    else
        rt->modules = mx;
    rt->modules_tail = mx;
    rt->nmodules++;
}

static void live_remove(kp_runtime *rt, kp_modx *mx)
{
    if (mx->prev)
        mx->prev->next = mx->next;
    else
        rt->modules = mx->next;
    if (mx->next)
        mx->next->prev = mx->prev;
    else
        rt->modules_tail = mx->prev;
    mx->next = mx->prev = NULL;
    rt->nmodules--;
}

/* Make every function of mx unreachable: its named slots (where they still
 * point at it) and its anonymous slots. */
static void unpublish(kp_runtime *rt, kp_modx *mx)
{
    for (uint32_t i = 0; i < mx->m.nfns; i++) {
        kp_fn *fn = &mx->m.fns[i];
        kp_slot *s = slot_of_handle(rt, fn->handle);
        if (!s)
            continue;
        kp_fn *expect = fn;
        slots_writing(rt);
        atomic_compare_exchange_strong(&s->fn, &expect, NULL);
        slots_writing(rt);
    }
}

/* mx is unreachable now (under ns_lock): tag it with the epoch that ends
 * here. A call that loads a slot after this cannot get mx. */
static void retired_push(kp_runtime *rt, kp_modx *mx)
{
    mx->retired_at = kp_epoch_advance();
    mx->next = rt->retired;
    rt->retired = mx;
    atomic_store_explicit(&rt->retire_hi, mx->retired_at, memory_order_relaxed);
    atomic_fetch_add(&rt->nretired, 1);
}

/* Take mx out of the namespace (under ns_lock); it is freed by
 * kp_ns_reclaim once no call is in flight. */
static void retire(kp_runtime *rt, kp_modx *mx)
{
    mx->end_reason = KP_CLEANUP_DELETED;
    atomic_fetch_sub(&rt->code_used, mx->code_bytes);
    unpublish(rt, mx);
    strmap_del(&rt->plugins, mx->name);
    live_remove(rt, mx);
    retired_push(rt, mx);
}

/* Take mx's plugin-tied callbacks, tagged with why they run (in flags),
 * and append them to *pending: they run once no lock is held. */
static void take_cleanups(kp_runtime *rt, kp_modx *mx, int reason, kp_cleanup **pending)
{
    kp_mutex_lock(&rt->cleanup_lock);
    kp_cleanup *c = mx->cleanups;
    mx->cleanups = NULL;
    kp_mutex_unlock(&rt->cleanup_lock);
    while (c) {
        kp_cleanup *n = c->next;
        c->flags = (unsigned)reason;
        c->next = *pending;
        *pending = c;
        c = n;
    }
}

/* Plugin-tied callbacks in newest-first order per plugin; pending lists
 * were built reversed, so reverse once more. */
static void run_pending(kp_cleanup *pending)
{
    kp_cleanup *rev = NULL;
    while (pending) {
        kp_cleanup *n = pending->next;
        pending->next = rev;
        rev = pending;
        pending = n;
    }
    while (rev) {
        kp_cleanup *n = rev->next;
        rev->fn(rev->arg, (int)rev->flags);
        free(rev);
        rev = n;
    }
}

static void free_list(kp_runtime *rt, kp_modx *mx, kp_cleanup **pending)
{
    while (mx) {
        kp_modx *n = mx->next;
        take_cleanups(rt, mx, mx->end_reason ? mx->end_reason : KP_CLEANUP_DELETED,
                      pending);
        kp_modx_free(rt, mx);
        atomic_fetch_sub(&rt->nretired, 1);
        mx = n;
    }
}

/* Free the retired modules that no running call can reach: those retired
 * before the oldest call in flight began (under ns_lock). */
static void reclaim_locked(kp_runtime *rt, kp_cleanup **pending, int skip_self)
{
    if (!rt->retired)
        return;
    uint64_t oldest = kp_readers_oldest(rt, skip_self);
    kp_modx **pp = &rt->retired;
    while (*pp) {
        kp_modx *mx = *pp;
        if (mx->retired_at < oldest) {
            *pp = mx->next;
            mx->next = NULL;
            free_list(rt, mx, pending);
        } else {
            pp = &mx->next;
        }
    }
}

void kp_ns_reclaim(kp_runtime *rt)
{
    kp_cleanup *pending = NULL;
    kp_mutex_lock(&rt->ns_lock);
    reclaim_locked(rt, &pending, 0);
    kp_mutex_unlock(&rt->ns_lock);
    run_pending(pending);
}

/* Every call that may reach rt and began before the new epoch must have
 * returned: the caller is not inside one of them (contract), so its own
 * calls (of other runtimes) do not count. */
int kp_ns_synchronize(kp_runtime *rt, uint64_t timeout_ns)
{
    uint64_t until = kp_os_now_ns() + timeout_ns;
    uint64_t e = kp_epoch_advance();
    int rc = 0;
    while (kp_readers_oldest(rt, 1) <= e) {
        if (kp_os_now_ns() > until) {
            rc = -1;
            break;
        }
        kp_os_sleep_us(100);
    }
    kp_cleanup *pending = NULL;
    kp_mutex_lock(&rt->ns_lock);
    reclaim_locked(rt, &pending, 1);
    kp_mutex_unlock(&rt->ns_lock);
    run_pending(pending);
    return rc;
}

void kp_ns_fini(kp_runtime *rt)
{
    /* Callbacks first, while everything they might look at still exists:
     * retired versions with their own reasons, then live plugins. */
    kp_cleanup *pending = NULL;
    for (kp_modx *m = rt->retired; m; m = m->next)
        take_cleanups(rt, m, m->end_reason, &pending);
    for (kp_modx *m = rt->modules; m; m = m->next)
        take_cleanups(rt, m, KP_CLEANUP_DESTROYED, &pending);
    run_pending(pending);
    pending = NULL;
    kp_modx *mx = rt->modules;
    while (mx) {
        kp_modx *n = mx->next;
        kp_modx_free(rt, mx);
        mx = n;
    }
    free_list(rt, rt->retired, &pending);
    run_pending(pending); /* empty: taken above */
    rt->modules = rt->modules_tail = rt->retired = NULL;
    for (uint32_t c = 0; c < KP_HANDLE_CHUNKS; c++) {
        kp_slot **chunk = atomic_load(&rt->handles[c]);
        if (!chunk)
            continue;
        for (uint32_t i = 0; i < KP_HANDLE_CHUNK; i++)
            free(chunk[i]);
        free(chunk);
        atomic_store(&rt->handles[c], NULL);
    }
    free(rt->anon_free);
    rt->anon_free = NULL;
    kp_strmap_free(&rt->names);
    kp_strmap_free(&rt->plugins);
}

/* ---- built-ins ---------------------------------------------------------------------- */

int kp_ns_link_builtin(kp_runtime *rt, kp_modx *mx)
{
    int code = KP_OK;
    kp_fn *fn = &mx->m.fns[0];
    kp_mutex_lock(&rt->ns_lock);
    kp_slot *s = kp_ns_find(rt, fn->name);
    if (kp_strmap_get(&rt->plugins, mx->name) || (s && atomic_load(&s->fn))) {
        code = kp_err(KP_ERR_EXISTS, "the name '%s' is already taken", fn->name);
        goto out;
    }
    if (rt->nmodules >= atomic_load(&rt->max_plugins)) {
        code = kp_err(KP_ERR_LIMIT,
                      "plugin limit: the runtime already holds %u plugins and built-ins "
                      "(max_plugins %u)", rt->nmodules, atomic_load(&rt->max_plugins));
        goto out;
    }
    if (!s && !(s = slot_new(rt, fn->name, &code)))
        goto out;
    if (strmap_put(&rt->plugins, mx->name, mx) != 0) {
        code = kp_err(KP_ERR_NOMEM, "out of memory");
        goto out;
    }
    fn->handle = s->handle;
    mx->m.func_handles[0] = s->handle;
    live_insert(rt, mx);
    slots_writing(rt);
    atomic_store_explicit(&s->fn, fn, memory_order_release);
    slots_writing(rt);
out:
    kp_mutex_unlock(&rt->ns_lock);
    return code;
}

/* ---- <kplug.h> --------------------------------------------------------------------- */

typedef struct hdr_buf {
    char *p;
    size_t len, cap;
    int failed;
} hdr_buf;

static void hdr_add(hdr_buf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t ncap = (b->cap ? b->cap * 2 : 512) + n;
        char *np = realloc(b->p, ncap);
        if (!np) {
            b->failed = 1;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
    memcpy(b->p + b->len, s, n + 1);
    b->len += n;
}

/* The text of <kplug.h> for a compilation: every built-in linked now, in
 * the order they were added (under ns_lock). */
static char *make_header(kp_runtime *rt, size_t *len)
{
    hdr_buf b = { 0 };
    /* Prototypes may use size_t or intN_t. */
    hdr_add(&b, "#ifndef __KPLUG_H\n#define __KPLUG_H\n"
                "#include <stddef.h>\n#include <stdint.h>\n");
    for (kp_modx *mx = rt->modules; mx; mx = mx->next) {
        if (!mx->is_builtin)
            continue;
        hdr_add(&b, mx->proto);
        hdr_add(&b, ";\n");
    }
    hdr_add(&b, "#endif\n");
    if (b.failed) {
        free(b.p);
        return NULL;
    }
    *len = b.len;
    return b.p;
}

typedef struct hdr_ctx {
    const char *text;
    size_t len;
} hdr_ctx;

static const char *header_cb(void *ud, const char *name, size_t *len)
{
    hdr_ctx *h = ud;
    if (strcmp(name, "kplug.h") != 0)
        return NULL;
    *len = h->len;
    return h->text;
}

/* ---- plugins ------------------------------------------------------------------------ */

/* How long linking waits for retired modules to be freed when memory is
 * short (see modx_prepare). */
#define RECLAIM_WAIT_NS 1000000000ull

int kp_modx_arrays(kp_modx *mx, uint32_t nf, uint32_t ni)
{
    size_t f = nf ? nf : 1, i = ni ? ni : 1;
    /* 8-byte members first: fns (pointers inside), imports, anon */
    char *p = calloc(1, f * sizeof *mx->m.fns + i * sizeof(kp_slot *) + f * sizeof(kp_slot *) +
                            f * sizeof(uint32_t) + i * sizeof(uint32_t));
    if (!p)
        return -1;
    mx->m.fns = (kp_fn *)p;
    mx->m.imports = (kp_slot **)(mx->m.fns + f);
    mx->anon = mx->m.imports + i;
    mx->m.func_handles = (uint32_t *)(mx->anon + f);
    mx->m.import_handles = mx->m.func_handles + f;
    return 0;
}

/* Build everything of a module that needs no lock: arrays and data image. */
static int modx_prepare(kp_runtime *rt, kp_modx *mx)
{
    ir_module *ir = mx->m.ir;
    uint32_t nf = ir->nfuncs, ni = ir->nimports;
    mx->m.nfns = nf;
    if (kp_modx_arrays(mx, nf, ni) != 0)
        return kp_err_set(KP_ERR_NOMEM, mx->name, NULL, 0, 0, "out of memory");
    /* Always place an image (even empty) so data_base is a valid address. */
    uint32_t size = ir->data_size;
    mx->m.data_base = kp_heap_alloc(&rt->heap, size ? size : 16, KP_HB_SYSTEM);
    if (!mx->m.data_base && atomic_load(&rt->nretired) > 0) {
        /* Retired versions may only be waiting for calls that started
         * before them (maybe on a preempted thread) to return. Wait for
         * that a little — unless this thread is inside such a call. */
        uint64_t until = kp_os_now_ns() + RECLAIM_WAIT_NS;
        int wait = !kp_exec_in_runtime(rt);
        for (;;) {
            kp_ns_reclaim(rt);
            mx->m.data_base = kp_heap_alloc(&rt->heap, size ? size : 16, KP_HB_SYSTEM);
            if (mx->m.data_base || !wait || !atomic_load(&rt->nretired) ||
                kp_os_now_ns() > until)
                break;
            kp_os_sleep_us(100);
        }
    }
    if (!mx->m.data_base)
        return kp_err_set(KP_ERR_NOMEM_PLUGIN, mx->name, NULL, 0, 0,
                          "the plugin's globals (%u bytes) do not fit in the "
                          "runtime's memory", size);
    uint8_t *img = rt->seg.base + mx->m.data_base;
    if (size && ir->data)
        memcpy(img, ir->data, size);
    else if (size)
        memset(img, 0, size);
    for (uint32_t i = 0; i < ir->nrelocs; i++) {
        const ir_reloc *r = &ir->relocs[i];
        if ((uint64_t)r->offset + 4 > size ||
            (r->kind == IR_R_FUNC && r->target >= nf) ||
            (r->kind == IR_R_IMPORT && r->target >= ni) ||
            (r->kind != IR_R_DATA && r->kind != IR_R_FUNC && r->kind != IR_R_IMPORT))
            return kp_err_set(KP_ERR_COMPILE, mx->name, NULL, 0, 0,
                              "internal error: bad relocation %u", i);
    }
    return KP_OK;
}

static void apply_relocs(kp_runtime *rt, kp_modx *mx)
{
    ir_module *ir = mx->m.ir;
    uint8_t *img = rt->seg.base + mx->m.data_base;
    for (uint32_t i = 0; i < ir->nrelocs; i++) {
        const ir_reloc *r = &ir->relocs[i];
        uint32_t w;
        memcpy(&w, img + r->offset, 4);
        switch (r->kind) {
        case IR_R_DATA: w += mx->m.data_base; break;
        case IR_R_FUNC: w = mx->m.func_handles[r->target]; break;
        case IR_R_IMPORT: w = mx->m.import_handles[r->target]; break;
        }
        memcpy(img + r->offset, &w, 4);
    }
}

/* Under ns_lock: resolve names and handles, load, publish. `old` is the
 * module being replaced (or NULL). */
static int link_locked(kp_runtime *rt, kp_modx *mx, kp_modx *old)
{
    ir_module *ir = mx->m.ir;
    int code = KP_OK;
    /* 1. every exported name must be free (or belong to `old`) */
    for (uint32_t i = 0; i < ir->nfuncs; i++) {
        const ir_func *f = ir->funcs[i];
        if (f->is_static)
            continue;
        kp_slot *s = kp_ns_find(rt, f->name);
        kp_fn *cur = s ? atomic_load(&s->fn) : NULL;
        if (cur && (!old || cur->mod != &old->m)) {
            const char *owner = cur->mod ? cur->mod->name : cur->name;
            return kp_err_set(KP_ERR_EXISTS, mx->name, f->name, (int)f->line, 0,
                              "function '%s' is already defined by '%s'",
                              f->name, owner);
        }
    }
    /* 2. slots: named for exports and imports, anonymous for the rest */
    for (uint32_t i = 0; i < ir->nfuncs; i++) {
        const ir_func *f = ir->funcs[i];
        kp_slot *s;
        if (f->is_static) {
            s = anon_slot(rt, &code);
            mx->anon[mx->nanon++] = s;
        } else {
            s = kp_ns_slot(rt, f->name, &code);
        }
        if (!s)
            return code;
        kp_fn *fn = &mx->m.fns[i];
        fn->kind = KP_FN_PLUGIN;
        fn->sig = f->sig;
        fn->name = f->name;
        fn->mod = &mx->m;
        fn->index = i;
        fn->ir = f;
        fn->handle = s->handle;
        mx->m.func_handles[i] = s->handle;
    }
    for (uint32_t i = 0; i < ir->nimports; i++) {
        kp_slot *s = kp_ns_slot(rt, ir->imports[i].name, &code);
        if (!s)
            return code;
        mx->m.imports[i] = s;
        mx->m.import_handles[i] = s->handle;
    }
    apply_relocs(rt, mx);
    /* 3. the engine */
    char err[512];
    err[0] = 0;
    code = rt->engine->load(&mx->m, err, sizeof err);
    if (code != KP_OK)
        return kp_err_set(code, mx->name, NULL, 0, 0, "%s",
                          err[0] ? err : "the engine could not load the plugin");
    mx->loaded = 1;
    /* 3b. code size: the engine's code and the IR kept for it */
    mx->code_bytes = ir->arena.used_total + mx->m.code_bytes;
    {
        uint64_t used = atomic_load(&rt->code_used) - (old ? old->code_bytes : 0);
        uint64_t max = atomic_load(&rt->max_code);
        if (used + mx->code_bytes > max)
            return kp_err_set(KP_ERR_LIMIT, mx->name, NULL, 0, 0,
                              "code size limit: plugin '%s' needs %zu bytes of code and IR; "
                              "the runtime holds %llu of max_code_bytes %llu",
                              mx->name, mx->code_bytes, (unsigned long long)used,
                              (unsigned long long)max);
    }
    if (old) {
        /* Reuse the old module's place in the plugin map. */
        strmap_del(&rt->plugins, old->name);
    }
    if (strmap_put(&rt->plugins, mx->name, mx) != 0) {
        if (old)
            strmap_put(&rt->plugins, old->name, old); /* had room a moment ago */
        return kp_err_set(KP_ERR_NOMEM, mx->name, NULL, 0, 0, "out of memory");
    }
    /* 4. publish: from here on nothing can fail */
    slots_writing(rt);
    for (uint32_t i = 0; i < ir->nfuncs; i++) {
        kp_slot *s = slot_of_handle(rt, mx->m.fns[i].handle);
        atomic_store_explicit(&s->fn, &mx->m.fns[i], memory_order_release);
    }
    slots_writing(rt);
    atomic_fetch_add(&rt->code_used, mx->code_bytes);
    if (old) {
        old->end_reason = KP_CLEANUP_REPLACED;
        atomic_fetch_sub(&rt->code_used, old->code_bytes);
        unpublish(rt, old);          /* names the new version dropped */
        live_remove(rt, old);
        retired_push(rt, old);
    }
    live_insert(rt, mx);
    return KP_OK;
}

static int check_name(const char *name)
{
    if (!name)
        return kp_err(KP_ERR_ARG, "plugin name is NULL");
    size_t n = strlen(name);
    if (n == 0 || n > 255)
        return kp_err(KP_ERR_ARG, "plugin name must be 1 to 255 bytes long");
    return KP_OK;
}

/* May plugin `name` be added (or replaced) now? *existing is the module of
 * that name, if any. Under ns_lock. */
static int check_plugin_name(kp_runtime *rt, const char *name, int replace,
                             kp_modx **existing)
{
    kp_modx *ex = *existing = kp_strmap_get(&rt->plugins, name);
    if (ex && ex->is_builtin)
        return kp_err_set(replace ? KP_ERR_ARG : KP_ERR_EXISTS, name, NULL, 0, 0,
                          "'%s' is a built-in", name);
    if (ex && !replace)
        return kp_err_set(KP_ERR_EXISTS, name, NULL, 0, 0,
                          "a plugin named '%s' already exists", name);
    if (!ex && rt->nmodules >= atomic_load(&rt->max_plugins))
        return kp_err_set(KP_ERR_LIMIT, name, NULL, 0, 0,
                          "plugin limit: the runtime already holds %u plugins and "
                          "built-ins (max_plugins %u)",
                          rt->nmodules, atomic_load(&rt->max_plugins));
    return KP_OK;
}

static int compile_cancel(void *exec)
{
    return kp_exec_check(exec);
}

int kp_ns_add_plugin(kp_runtime *rt, const char *name, const char *src,
                     size_t len, int replace)
{
    int code = check_name(name);
    if (code)
        return code;
    if (!src && len)
        return kp_err(KP_ERR_ARG, "plugin source is NULL");
    if (!src)
        src = "";

    /* Fail early (and cheaply) on what is known before compiling; the
     * checks are repeated under the lock at link time. */
    kp_mutex_lock(&rt->ns_lock);
    kp_modx *existing;
    code = check_plugin_name(rt, name, replace, &existing);
    hdr_ctx hc = { NULL, 0 };
    char *hdr = code ? NULL : make_header(rt, &hc.len);
    kp_mutex_unlock(&rt->ns_lock);
    if (code)
        return code;
    if (!hdr)
        return kp_err(KP_ERR_NOMEM, "out of memory");
    hc.text = hdr;

    fe_options opts = { 0 };
    opts.max_source = rt->cfg.max_source;
    opts.max_nesting = rt->cfg.max_nesting;
    opts.max_functions = rt->cfg.max_functions;
    /* Inside a plugin call (create(), or a host built-in adding plugins)
     * the compile is part of the call: its deadline and interrupts stop
     * it too, recorded as the call's trap. */
    kp_exec *caller = kp_exec_current();
    if (caller) {
        opts.cancel = compile_cancel;
        opts.cancel_arg = caller;
    }
    ir_module *ir = NULL;
    fe_result res;
    memset(&res, 0, sizeof res);
    code = fe_compile(name, src, len, &opts, header_cb, &hc, &ir, &res);
    free(hdr);
    if (code != KP_OK || !ir) {
        ir_module_free(ir);
        if (code == KP_OK)
            code = KP_ERR_COMPILE;
        return kp_err_take(code, name, res.function, res.line, res.col,
                           res.message, "compilation failed");
    }
    free(res.message);
    /* The engine's compile is not polled: do not start it past the
     * deadline (its cost is bounded by the per-function size limits). */
    if (caller && (code = kp_exec_check(caller)) != KP_OK) {
        ir_module_free(ir);
        return kp_err_set(code, name, NULL, 0, 0, "compilation stopped: %s",
                          code == KP_TRAP_TIMEOUT ? "the calling plugin call's deadline passed"
                                                  : "the calling plugin call was interrupted");
    }

    kp_modx *mx = calloc(1, sizeof *mx);
    if (!mx) {
        ir_module_free(ir);
        return kp_err(KP_ERR_NOMEM, "out of memory");
    }
    mx->m.ir = ir;
    mx->m.rt = rt;
    mx->name = strdup(name);
    if (!mx->name) {
        kp_modx_free(rt, mx);
        return kp_err(KP_ERR_NOMEM, "out of memory");
    }
    mx->m.name = mx->name;
    code = modx_prepare(rt, mx);
    if (code) {
        kp_modx_free(rt, mx);
        return code;
    }

    kp_mutex_lock(&rt->ns_lock);
    code = check_plugin_name(rt, name, replace, &existing);
    if (!code)
        code = link_locked(rt, mx, existing);
    if (code)
        kp_modx_free(rt, mx); /* nothing of it was published */
    kp_mutex_unlock(&rt->ns_lock);
    if (existing && code == KP_OK)
        kp_ns_reclaim(rt);
    return code;
}

int kp_ns_delete(kp_runtime *rt, const char *name)
{
    kp_mutex_lock(&rt->ns_lock);
    kp_modx *mx = kp_strmap_get(&rt->plugins, name);
    if (!mx) {
        kp_slot *s = kp_ns_find(rt, name);
        kp_fn *fn = s ? atomic_load(&s->fn) : NULL;
        if (fn && fn->mod)
            mx = modx_of(fn->mod);
    }
    if (!mx) {
        kp_mutex_unlock(&rt->ns_lock);
        return kp_err(KP_ERR_NOT_FOUND, "no plugin or function named '%s'", name);
    }
    retire(rt, mx);
    kp_mutex_unlock(&rt->ns_lock);
    kp_ns_reclaim(rt);
    return KP_OK;
}
