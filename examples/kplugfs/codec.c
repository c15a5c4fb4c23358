/*
 * codec.c — the mount's compress/decompress pair, running in its own kplug
 * runtime. Every call exchanges data through blocks of the runtime's
 * segment (kp_alloc), runs under a deadline, and has its result checked
 * before kplugfs believes it: a plugin can fail a file, never the mount.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kplugfs.h"

/* Where a plugin exports no compress_bound: room for the worst expansion
 * of any simple scheme (a flag or length byte per input byte). */
static size_t default_bound(size_t n)
{
    return 2 * n + 64;
}

static int check_filter(kp_func *f, const char *entry, char *err, size_t errlen)
{
    kp_type ret, p[4];
    if (kp_func_signature(f, &ret, p, 4, NULL) != 4 || ret != KP_T_I32 ||
        p[0] != KP_T_PTR || p[1] != KP_T_I32 || p[2] != KP_T_PTR || p[3] != KP_T_I32) {
        snprintf(err, errlen, "%s must be int %s(const unsigned char *in, int in_len, "
                 "unsigned char *out, int out_cap)", entry, entry);
        return -1;
    }
    return 0;
}

int kpfs_codec_open(kpfs_codec *c, const char *name, const char *src, size_t len,
                    kp_engine engine, size_t mem, unsigned timeout_ms,
                    char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    size_t nlen = strlen(name);
    if (nlen == 0 || nlen > KPFS_NAME_MAX) {
        snprintf(err, errlen, "plugin name must be 1 to %d bytes", KPFS_NAME_MAX);
        return -1;
    }
    memcpy(c->name, name, nlen + 1);
    c->sum = kpfs_fnv64(src, len);
    c->timeout_ms = timeout_ms;
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.engine = engine;
    cfg.mem_limit = mem;
    int rc = kp_runtime_create(&cfg, &c->rt);
    if (rc) {
        snprintf(err, errlen, "cannot create the runtime: %s", kp_errmsg());
        return -1;
    }
    /* The pair needs no namespace maintenance: without create/lookup/delete
     * a plugin cannot add code to the mount's runtime or unlink its own
     * entries behind kplugfs's back. */
    kp_delete(c->rt, "create");
    kp_delete(c->rt, "lookup");
    kp_delete(c->rt, "delete");
    if (kp_plugin_add(c->rt, name, src, len)) {
        snprintf(err, errlen, "%s", kp_errmsg());
        goto fail;
    }
    if (kp_lookup(c->rt, "compress", &c->compress) ||
        kp_lookup(c->rt, "decompress", &c->decompress)) {
        snprintf(err, errlen, "the plugin must export both compress and decompress");
        goto fail;
    }
    if (check_filter(c->compress, "compress", err, errlen) ||
        check_filter(c->decompress, "decompress", err, errlen))
        goto fail;
    if (kp_lookup(c->rt, "compress_bound", &c->bound) == KP_OK) {
        kp_type ret, p[1];
        if (kp_func_signature(c->bound, &ret, p, 1, NULL) != 1 || ret != KP_T_I32 ||
            p[0] != KP_T_I32) {
            snprintf(err, errlen, "compress_bound must be int compress_bound(int in_len)");
            goto fail;
        }
    } else {
        c->bound = NULL;
    }
    return 0;
fail:
    kp_runtime_destroy(c->rt);
    c->rt = NULL;
    return -1;
}

void kpfs_codec_close(kpfs_codec *c)
{
    kp_runtime_destroy(c->rt);
    c->rt = NULL;
}

static int call(kpfs_codec *c, kp_func *f, const kp_value *args, int nargs,
                int32_t *result, const char *what)
{
    kp_call_opts o;
    memset(&o, 0, sizeof o);
    o.deadline_ms = c->timeout_ms;
    kp_value rv;
    int rc = kp_call_ex(f, args, nargs, &rv, &o);
    if (rc) {
        const kp_error *e = kp_last_error();
        kpfs_log("%s: %s: %s: %s", what, kp_func_name(f), kp_result_name(rc), e->message);
        return -EIO;
    }
    *result = rv.v.i32;
    return 0;
}

/* One filter call: in → plugin → out (cap bytes); *got = the result,
 * checked to lie in 0..cap. */
static int run_filter(kpfs_codec *c, kp_func *f, const uint8_t *in, size_t n,
                      uint8_t *out, size_t cap, size_t *got, const char *what)
{
    if (n > INT32_MAX || cap > INT32_MAX) {
        kpfs_log("%s: %zu bytes are too many for a plugin call", what, n > cap ? n : cap);
        return -EFBIG;
    }
    /* kp_alloc(0) gives no block: keep one byte so both pointers are valid. */
    size_t nin = n ? n : 1, nout = cap ? cap : 1;
    kp_ptr pin = kp_alloc(c->rt, nin), pout = pin ? kp_alloc(c->rt, nout) : 0;
    uint8_t *hin = pin ? kp_host_ptr(c->rt, pin, nin) : NULL;
    uint8_t *hout = pout ? kp_host_ptr(c->rt, pout, nout) : NULL;
    int rc;
    if (!hin || !hout) {
        kpfs_log("%s: no room for %zu + %zu bytes in plugin memory (see --mem)", what, n, cap);
        rc = -ENOMEM;
        goto out;
    }
    memcpy(hin, in, n);
    kp_value args[4] = { KP_PTR(pin), KP_I32((int32_t)n), KP_PTR(pout), KP_I32((int32_t)cap) };
    int32_t r;
    rc = call(c, f, args, 4, &r, what);
    if (rc)
        goto out;
    if (r < 0 || (size_t)r > cap) {
        kpfs_log("%s: %s returned %d (must be 0..%zu)", what, kp_func_name(f), (int)r, cap);
        rc = -EIO;
        goto out;
    }
    memcpy(out, hout, (size_t)r);
    *got = (size_t)r;
out:
    kp_free(c->rt, pout);
    kp_free(c->rt, pin);
    return rc;
}

int kpfs_compress(kpfs_codec *c, const uint8_t *in, size_t n, uint8_t **out,
                  size_t *out_len, const char *what)
{
    size_t cap = default_bound(n);
    if (c->bound && n <= INT32_MAX) {
        kp_value a = KP_I32((int32_t)n);
        int32_t r;
        int rc = call(c, c->bound, &a, 1, &r, what);
        if (rc)
            return rc;
        /* A plugin asking for more than the default bound is broken or
         * hostile: do not let it make the host allocate without limit. */
        if (r < 0 || (size_t)r > default_bound(n)) {
            kpfs_log("%s: compress_bound(%zu) returned %d", what, n, (int)r);
            return -EIO;
        }
        cap = (size_t)r;
    }
    uint8_t *buf = malloc(cap ? cap : 1);
    if (!buf)
        return -ENOMEM;
    int rc = run_filter(c, c->compress, in, n, buf, cap, out_len, what);
    if (rc) {
        free(buf);
        return rc;
    }
    *out = buf;
    return 0;
}

int kpfs_decompress(kpfs_codec *c, const uint8_t *in, size_t n, uint8_t *out,
                    size_t orig, const char *what)
{
    size_t got;
    int rc = run_filter(c, c->decompress, in, n, out, orig, &got, what);
    if (rc)
        return rc;
    if (got != orig) {
        kpfs_log("%s: decompress returned %zu bytes, the file has %zu", what, got, orig);
        return -EIO;
    }
    return 0;
}
