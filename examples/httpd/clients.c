/*
 * clients.c — clients and their plugins. A client is an API key with its
 * own kplug runtime: the protection domain of everything it uploads. Its
 * plugins are kept by name with their source (for GET) and the handle of
 * their filter.
 *
 * One runtime holds one namespace, and every non-static function a plugin
 * defines is exported under its own name, so two plugins of one client
 * that both define `filter` (the `kplug filter` convention every sample
 * follows) would clash. The server therefore compiles each plugin with its
 * `filter` renamed to hd_entry_NAME by a #define placed before the source,
 * and takes the diagnostics' and traps' line numbers back by one and the
 * name back to `filter` (see fix_message), so the client sees its own
 * lines. Other exported names stay shared by the client's plugins: that is
 * how cooperating plugins find each other with lookup().
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "httpd.h"

#define ENTRY_PREFIX "hd_entry_"

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static hd_client *registry;

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static char *fmt_msg(const char *fmt, const char *a, const char *b)
{
    size_t n = strlen(fmt) + strlen(a) + (b ? strlen(b) : 0) + 1;
    char *m = malloc(n);
    if (m)
        snprintf(m, n, fmt, a, b ? b : "");
    return m;
}

static hd_result result(int status, char *msg)
{
    hd_result r = { status, msg };
    return r;
}

int hd_plugin_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && name[i] != '_')
            return 0;
    return 1;
}

/* ---- the registry ----------------------------------------------------- */

static void random_key(char *buf, size_t hexlen)
{
    unsigned char raw[32];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    ssize_t got = fd >= 0 ? read(fd, raw, hexlen / 2) : -1;
    if (fd >= 0)
        close(fd);
    /* /dev/urandom is always there on Linux; the fallback only keeps keys
     * distinct, it is not meant to be unguessable. */
    if (got != (ssize_t)(hexlen / 2))
        for (size_t i = 0; i < hexlen / 2; i++)
            raw[i] = (unsigned char)(rand() ^ (int)(uintptr_t)buf ^ (int)i);
    for (size_t i = 0; i < hexlen / 2; i++)
        snprintf(buf + 2 * i, 3, "%02x", raw[i]);
}

hd_client *hd_client_new(const char *key, const hd_limits *lim, hd_result *err)
{
    char rnd[33];
    if (!key) {
        random_key(rnd, 32);
        key = rnd;
    }
    hd_client *c = calloc(1, sizeof *c);
    if (!c || !(c->key = xstrdup(key))) {
        free(c);
        *err = result(500, xstrdup("out of memory"));
        return NULL;
    }
    c->lim = *lim;
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.mem_limit = lim->mem_bytes;
    /* Small plugin stacks: every filter call of this client running at
     * once holds one, out of the client's memory. */
    cfg.stack_size = 256 << 10;
    cfg.deadline_ms = lim->timeout_ms;
    cfg.engine = lim->engine;
    cfg.max_source = lim->max_source + 64;  /* + the entry #define */
    if (kp_runtime_create(&cfg, &c->rt) != KP_OK || hd_builtins_add(c->rt, c) != KP_OK) {
        *err = result(500, fmt_msg("cannot create the client's runtime: %s", kp_errmsg(), NULL));
        kp_runtime_destroy(c->rt);
        free(c->key);
        free(c);
        return NULL;
    }
    pthread_mutex_init(&c->lock, NULL);
    c->refs = 1; /* the registry's */
    pthread_mutex_lock(&registry_lock);
    for (hd_client *o = registry; o; o = o->next)
        if (!strcmp(o->key, key)) {
            pthread_mutex_unlock(&registry_lock);
            *err = result(409, fmt_msg("client key '%s' already exists", key, NULL));
            hd_client_put(c); /* never registered: this destroys it */
            return NULL;
        }
    c->next = registry;
    registry = c;
    pthread_mutex_unlock(&registry_lock);
    return c;
}

hd_client *hd_client_get(const char *key)
{
    hd_client *c;
    if (!key)
        return NULL;
    pthread_mutex_lock(&registry_lock);
    for (c = registry; c; c = c->next)
        if (!strcmp(c->key, key)) {
            __atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
            break;
        }
    pthread_mutex_unlock(&registry_lock);
    return c;
}

void hd_client_put(hd_client *c)
{
    if (!c || __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) > 0)
        return;
    /* The last reference: no call can be in flight in the runtime. */
    kp_runtime_destroy(c->rt);
    for (unsigned i = 0; i < c->nplugins; i++) {
        free(c->plugins[i].name);
        free(c->plugins[i].src);
    }
    free(c->plugins);
    pthread_mutex_destroy(&c->lock);
    free(c->key);
    free(c);
}

int hd_client_remove(const char *key)
{
    hd_client **pp, *c = NULL;
    pthread_mutex_lock(&registry_lock);
    for (pp = &registry; *pp; pp = &(*pp)->next)
        if (!strcmp((*pp)->key, key)) {
            c = *pp;
            *pp = c->next;
            break;
        }
    pthread_mutex_unlock(&registry_lock);
    hd_client_put(c);
    return c != NULL;
}

void hd_clients_shutdown(void)
{
    pthread_mutex_lock(&registry_lock);
    hd_client *c = registry;
    registry = NULL;
    pthread_mutex_unlock(&registry_lock);
    while (c) {
        hd_client *next = c->next;
        hd_client_put(c);
        c = next;
    }
}

/* ---- plugins ---------------------------------------------------------- */

static hd_plugin *find_plugin(hd_client *c, const char *name)
{
    for (unsigned i = 0; i < c->nplugins; i++)
        if (!strcmp(c->plugins[i].name, name))
            return &c->plugins[i];
    return NULL;
}

/* Undo the entry renaming in a kplug message: diagnostics "NAME:L:C:" and
 * trap positions ", line L:C" move up one line (the #define), and the
 * renamed entry reads `filter` again. Returns a malloc'd string. */
static char *fix_message(const char *msg, const char *name)
{
    char entry[sizeof ENTRY_PREFIX + 64];
    snprintf(entry, sizeof entry, ENTRY_PREFIX "%s", name);
    size_t nlen = strlen(name), elen = strlen(entry), cap = strlen(msg) + 2;
    char *out = malloc(cap), *o = out;
    if (!out)
        return NULL;
    const char *p = msg;
    int line_start = 1;
    while (*p) {
        const char *num = NULL;
        if (line_start && !strncmp(p, name, nlen) && p[nlen] == ':' && isdigit((unsigned char)p[nlen + 1]))
            num = p + nlen + 1;
        else if (!strncmp(p, ", line ", 7) && isdigit((unsigned char)p[7]))
            num = p + 7;
        if (num) {
            char *end;
            long l = strtol(num, &end, 10);
            if (*end == ':') {
                memcpy(o, p, (size_t)(num - p));
                o += num - p;
                /* a shorter number: the output never outgrows the input */
                o += sprintf(o, "%ld", l > 1 ? l - 1 : l);
                p = end;
                line_start = 0;
                continue;
            }
        }
        if (!strncmp(p, entry, elen) && !isalnum((unsigned char)p[elen]) && p[elen] != '_') {
            memcpy(o, "filter", 6);
            o += 6;
            p += elen;
            line_start = 0;
            continue;
        }
        line_start = *p == '\n';
        *o++ = *p++;
    }
    /* HTTP bodies end their last line */
    if (o == out || o[-1] != '\n')
        *o++ = '\n';
    *o = 0;
    return out;
}

static char *kp_message(const char *name)
{
    return fix_message(kp_errmsg(), name);
}

static int status_of_compile(int rc)
{
    switch (rc) {
    case KP_ERR_COMPILE: return 400;
    case KP_ERR_EXISTS: return 409;
    case KP_ERR_LIMIT:
    case KP_ERR_NOMEM_PLUGIN: return 413;
    case KP_ERR_ARG: return 400;
    default: return 500;
    }
}

hd_result hd_plugin_put(hd_client *c, const char *name, const char *src, size_t len)
{
    if (!hd_plugin_name_ok(name))
        return result(400, fmt_msg("bad plugin name '%s' (1 to 64 of A-Z a-z 0-9 _)\n", name, NULL));
    if (len > c->lim.max_source) {
        char lim[32];
        snprintf(lim, sizeof lim, "%zu", c->lim.max_source);
        return result(413, fmt_msg("plugin source too large (limit %s bytes)\n", lim, NULL));
    }
    /* The renaming #define, then the source; one buffer for kplug. */
    char head[sizeof ENTRY_PREFIX + 96];
    int hlen = snprintf(head, sizeof head, "#define filter " ENTRY_PREFIX "%s\n", name);
    char *buf = malloc((size_t)hlen + len + 1);
    char *copy = malloc(len + 1);
    if (!buf || !copy) {
        free(buf);
        free(copy);
        return result(500, xstrdup("out of memory\n"));
    }
    memcpy(buf, head, (size_t)hlen);
    memcpy(buf + hlen, src, len);
    memcpy(copy, src, len);
    copy[len] = 0;

    hd_result r;
    pthread_mutex_lock(&c->lock);
    hd_plugin *p = find_plugin(c, name);
    if (!p && c->nplugins >= c->lim.max_plugins) {
        char lim[32];
        snprintf(lim, sizeof lim, "%u", c->lim.max_plugins);
        r = result(429, fmt_msg("too many plugins (this client may hold %s)\n", lim, NULL));
        goto out;
    }
    if (!p && c->nplugins == c->cap) {
        unsigned ncap = c->cap ? 2 * c->cap : 8;
        hd_plugin *np = realloc(c->plugins, ncap * sizeof *np);
        if (!np) {
            r = result(500, xstrdup("out of memory\n"));
            goto out;
        }
        c->plugins = np;
        c->cap = ncap;
    }
    int rc = p ? kp_plugin_replace(c->rt, name, buf, (size_t)hlen + len)
               : kp_plugin_add(c->rt, name, buf, (size_t)hlen + len);
    if (rc != KP_OK) {
        r = result(status_of_compile(rc), kp_message(name));
        goto out;
    }
    if (!p) {
        p = &c->plugins[c->nplugins];
        memset(p, 0, sizeof *p);
        if (!(p->name = xstrdup(name))) {
            kp_delete(c->rt, name);
            r = result(500, xstrdup("out of memory\n"));
            goto out;
        }
        c->nplugins++;
        r = result(201, NULL);
    } else {
        free(p->src);
        r = result(200, NULL);
    }
    p->src = copy;
    p->len = len;
    copy = NULL;
    /* The handle names the name, so it follows later replacements; a
     * plugin without a filter is a library for the client's other plugins. */
    snprintf(head, sizeof head, ENTRY_PREFIX "%s", name);
    if (kp_lookup(c->rt, head, &p->entry) != KP_OK)
        p->entry = NULL;
out:
    pthread_mutex_unlock(&c->lock);
    free(buf);
    free(copy);
    return r;
}

hd_result hd_plugin_delete(hd_client *c, const char *name)
{
    hd_result r;
    pthread_mutex_lock(&c->lock);
    hd_plugin *p = find_plugin(c, name);
    if (!p) {
        r = result(404, fmt_msg("no plugin '%s'\n", name, NULL));
    } else {
        kp_delete(c->rt, name);
        free(p->name);
        free(p->src);
        *p = c->plugins[--c->nplugins];
        r = result(204, NULL);
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

hd_result hd_plugin_source(hd_client *c, const char *name, char **src, size_t *len)
{
    hd_result r = result(200, NULL);
    pthread_mutex_lock(&c->lock);
    hd_plugin *p = find_plugin(c, name);
    if (!p) {
        r = result(404, fmt_msg("no plugin '%s'\n", name, NULL));
    } else if ((*src = malloc(p->len + 1))) {
        memcpy(*src, p->src, p->len);
        *len = p->len;
    } else {
        r = result(500, xstrdup("out of memory\n"));
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *hd_plugin_list(hd_client *c, size_t *len)
{
    pthread_mutex_lock(&c->lock);
    size_t n = 1;
    for (unsigned i = 0; i < c->nplugins; i++)
        n += strlen(c->plugins[i].name) + 1;
    char *out = malloc(n);
    char **names = malloc((c->nplugins + 1) * sizeof *names);
    if (out && names) {
        for (unsigned i = 0; i < c->nplugins; i++)
            names[i] = c->plugins[i].name;
        qsort(names, c->nplugins, sizeof *names, cmp_names);
        char *o = out;
        for (unsigned i = 0; i < c->nplugins; i++)
            o += sprintf(o, "%s\n", names[i]);
        *len = (size_t)(o - out);
    } else {
        free(out);
        out = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    free(names);
    return out;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (size_t got; buf && (got = fread(buf + n, 1, cap - n, f)) > 0;) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb)
                free(buf);
            buf = nb;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

int hd_plugin_load_dir(hd_client *c, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "kplug-httpd: cannot open plugin directory %s: %s\n", dir, strerror(errno));
        return -1;
    }
    int st = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n < 3 || strcmp(e->d_name + n - 2, ".c") || n - 2 > 64)
            continue;
        char name[65], path[4096];
        memcpy(name, e->d_name, n - 2);
        name[n - 2] = 0;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t len;
        char *src = read_file(path, &len);
        if (!src) {
            fprintf(stderr, "kplug-httpd: cannot read %s: %s\n", path, strerror(errno));
            st = -1;
            continue;
        }
        hd_result r = hd_plugin_put(c, name, src, len);
        if (r.status >= 300) {
            fprintf(stderr, "kplug-httpd: plugin %s: %d %s", path, r.status, r.msg ? r.msg : "\n");
            st = -1;
        }
        free(r.msg);
        free(src);
    }
    closedir(d);
    return st;
}

/* ---- running a filter ------------------------------------------------- */

static int read_all(int fd, unsigned char *dst, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t got = pread(fd, dst + done, n - done, (off_t)done);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return -1;
        done += (size_t)got;
    }
    return 0;
}

static int status_of_call(int rc)
{
    switch (rc) {
    case KP_ERR_SIGNATURE: return 400;
    case KP_ERR_NOMEM_PLUGIN: return 413;
    case KP_TRAP_UNLINKED: return 404; /* deleted while we looked it up */
    default: return 500;
    }
}

hd_result hd_filter_run(hd_client *c, const char *name, int fd, size_t size,
                        struct MHD_Connection *con, hd_filter_out *out)
{
    hd_result r = result(200, NULL);
    kp_func *entry = NULL;
    int found = 0;
    pthread_mutex_lock(&c->lock);
    hd_plugin *p = find_plugin(c, name);
    if (p) {
        found = 1;
        entry = p->entry;
    }
    pthread_mutex_unlock(&c->lock);
    if (!found)
        return result(404, fmt_msg("no plugin '%s'\n", name, NULL));
    if (!entry)
        return result(400, fmt_msg("plugin '%s' defines no filter: int filter(const unsigned char *in, "
                                   "int in_len, unsigned char *out, int out_cap)\n", name, NULL));
    if (size > INT32_MAX / 2 - 65536)
        return result(413, xstrdup("file too large for a filter\n"));
    if (__atomic_add_fetch(&c->inflight, 1, __ATOMIC_RELAXED) > (int)c->lim.max_inflight) {
        __atomic_sub_fetch(&c->inflight, 1, __ATOMIC_RELAXED);
        return result(429, xstrdup("too many filter calls in flight for this client\n"));
    }
    /* The same output capacity as `kplug filter`, so both give the same bytes. */
    size_t cap = size * 2 + 65536;
    kp_ptr pin = kp_alloc(c->rt, size ? size : 1);
    kp_ptr pout = pin ? kp_alloc(c->rt, cap) : 0;
    unsigned char *hin = pin ? kp_host_ptr(c->rt, pin, size ? size : 1) : NULL;
    unsigned char *hout = pout ? kp_host_ptr(c->rt, pout, cap) : NULL;
    if (!hin || !hout) {
        char need[64];
        snprintf(need, sizeof need, "%zu", size + cap);
        r = result(413, fmt_msg("plugin memory limit: the file and the output buffer (%s bytes) "
                                "do not fit in this client's memory\n", need, NULL));
        goto fail;
    }
    if (read_all(fd, hin, size) < 0) {
        r = result(500, xstrdup("cannot read the file\n"));
        goto fail;
    }
    kp_value args[4] = { KP_PTR(pin), KP_I32((int32_t)size), KP_PTR(pout), KP_I32((int32_t)cap) };
    kp_value ret;
    hd_builtins_enter(con, name);
    int rc = kp_call(entry, args, 4, &ret);
    hd_builtins_leave();
    if (rc != KP_OK) {
        char *m = kp_message(name);
        r = result(status_of_call(rc), fmt_msg("%s: %s", kp_result_name(rc), m ? m : "\n"));
        free(m);
        goto fail;
    }
    if (ret.v.i32 < 0) {
        char v[16];
        snprintf(v, sizeof v, "%d", ret.v.i32);
        r = result(422, fmt_msg("plugin '%s' rejected the file (filter returned %s)\n", name, v));
        goto fail;
    }
    if ((size_t)ret.v.i32 > cap) {
        r = result(500, fmt_msg("plugin '%s' returned a length beyond out_cap\n", name, NULL));
        goto fail;
    }
    kp_free(c->rt, pin);
    __atomic_sub_fetch(&c->inflight, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
    out->c = c;
    out->in = 0;
    out->out = pout;
    out->data = hout;
    out->len = (size_t)ret.v.i32;
    return r;
fail:
    kp_free(c->rt, pin);
    kp_free(c->rt, pout);
    __atomic_sub_fetch(&c->inflight, 1, __ATOMIC_RELAXED);
    return r;
}

void hd_filter_release(void *arg)
{
    hd_filter_out *o = arg;
    kp_free(o->c->rt, o->out);
    hd_client_put(o->c);
    free(o);
}
