/*
 * server.c — the HTTP side: routing, authentication, responses. The
 * status-code mapping of plugin outcomes lives in clients.c next to the
 * calls that produce them; docs/httpd.md lists it.
 *
 * MHD calls hd_handle several times per request: once when the headers
 * are in (we allocate the request state), once per chunk of body (we
 * collect it, up to the client's source limit), and once more when the
 * request is complete, where the work happens. The service time reported
 * in X-Service-Time-Us runs from that last call to the queued response.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "httpd.h"

typedef struct request {
    char *body;
    size_t len, cap;
    int too_big;
} request;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void add_timing(struct MHD_Response *r, uint64_t t0)
{
    char v[64];
    uint64_t ns = now_ns() - t0;
    snprintf(v, sizeof v, "%llu", (unsigned long long)(ns / 1000));
    MHD_add_response_header(r, "X-Service-Time-Us", v);
    snprintf(v, sizeof v, "svc;dur=%.3f", (double)ns / 1e6);
    MHD_add_response_header(r, "Server-Timing", v);
}

static enum MHD_Result queue(struct MHD_Connection *con, int status,
                             struct MHD_Response *r, const char *type, uint64_t t0)
{
    if (!r)
        return MHD_NO;
    if (type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    add_timing(r, t0);
    enum MHD_Result ret = MHD_queue_response(con, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result reply_copy(struct MHD_Connection *con, int status, const char *text,
                                  size_t len, const char *type, uint64_t t0)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY);
    return queue(con, status, r, type, t0);
}

static enum MHD_Result reply_text(struct MHD_Connection *con, int status, const char *text,
                                  uint64_t t0)
{
    if (hd_srv.verbose && status >= 400)
        fprintf(stderr, "kplug-httpd: %d %s", status, text);
    return reply_copy(con, status, text, strlen(text), "text/plain; charset=utf-8", t0);
}

/* Reply with an hd_result (frees its message). */
static enum MHD_Result reply_result(struct MHD_Connection *con, hd_result r, uint64_t t0)
{
    enum MHD_Result ret = reply_text(con, r.status, r.msg ? r.msg : "", t0);
    free(r.msg);
    return ret;
}

static const char *type_of_name(const char *path)
{
    const char *dot = strrchr(path, '.');
    static const struct { const char *ext, *type; } types[] = {
        { ".ppm", "image/x-portable-pixmap" }, { ".pgm", "image/x-portable-graymap" },
        { ".png", "image/png" }, { ".txt", "text/plain; charset=utf-8" },
        { ".html", "text/html; charset=utf-8" }, { ".c", "text/plain; charset=utf-8" },
    };
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(dot, types[i].ext))
            return types[i].type;
    return "application/octet-stream";
}

/* What a filter produced, from its first bytes: the samples make PGM, PPM
 * and PNG; anything else is bytes. */
static const char *type_of_data(const unsigned char *d, size_t n)
{
    if (n >= 2 && d[0] == 'P' && d[1] == '5')
        return "image/x-portable-graymap";
    if (n >= 2 && d[0] == 'P' && d[1] == '6')
        return "image/x-portable-pixmap";
    if (n >= 8 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8))
        return "image/png";
    return "application/octet-stream";
}

/* The client named by X-API-Key (or ?key=, for browsers), referenced; on
 * failure *status is 401 (no key) or 403 (unknown key). */
static hd_client *authenticate(struct MHD_Connection *con, int *status)
{
    const char *key = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "X-API-Key");
    if (!key)
        key = MHD_lookup_connection_value(con, MHD_GET_ARGUMENT_KIND, "key");
    if (!key) {
        *status = 401;
        return NULL;
    }
    hd_client *c = hd_client_get(key);
    if (!c)
        *status = 403;
    return c;
}

static const char *auth_message(int status)
{
    return status == 401 ? "missing API key: send the header X-API-Key\n"
                         : "unknown API key\n";
}

/* Open ROOT/path for reading if path stays inside ROOT (no "..", no
 * absolute path) and names a regular file; -1 otherwise. */
static int open_served(const char *path, size_t *size)
{
    if (!*path || path[0] == '/')
        return -1;
    for (const char *p = path; *p;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if ((n == 2 && !strncmp(p, "..", 2)) || (n == 1 && p[0] == '.') || n == 0)
            return -1;
        p += n + (slash != NULL);
    }
    char full[4096];
    if (snprintf(full, sizeof full, "%s/%s", hd_srv.root, path) >= (int)sizeof full)
        return -1;
    int fd = open(full, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -1;
    }
    *size = (size_t)st.st_size;
    return fd;
}

static enum MHD_Result serve_native(struct MHD_Connection *con, const char *which, int fd,
                                    size_t size, uint64_t t0)
{
    if (strcmp(which, "gray"))
        return reply_text(con, 404, "no such native transform (there is: gray)\n", t0);
    if (size > INT32_MAX / 2 - 65536)
        return reply_text(con, 413, "file too large for a filter\n", t0);
    size_t cap = size * 2 + 65536;
    unsigned char *in = malloc(size ? size : 1), *out = malloc(cap);
    size_t done = 0;
    while (in && out && done < size) {
        ssize_t got = pread(fd, in + done, size - done, (off_t)done);
        if (got <= 0 && !(got < 0 && errno == EINTR))
            break;
        if (got > 0)
            done += (size_t)got;
    }
    if (!in || !out || done < size) {
        free(in);
        free(out);
        return reply_text(con, 500, "cannot read the file\n", t0);
    }
    int n = hd_native_gray(in, (int)size, out, (int)cap);
    free(in);
    if (n < 0) {
        free(out);
        return reply_text(con, 422, "native gray rejected the file (not a P6 PPM with maxval 255)\n", t0);
    }
    const char *type = type_of_data(out, (size_t)n);
    struct MHD_Response *r =
        MHD_create_response_from_buffer_with_free_callback_cls((size_t)n, out, free, out);
    if (!r)
        free(out);
    return queue(con, 200, r, type, t0);
}

static enum MHD_Result serve_file(struct MHD_Connection *con, const char *path, uint64_t t0)
{
    size_t size;
    int fd = open_served(path, &size);
    if (fd < 0)
        return reply_text(con, 404, "no such file\n", t0);
    const char *plugin = MHD_lookup_connection_value(con, MHD_GET_ARGUMENT_KIND, "plugin");
    const char *native = MHD_lookup_connection_value(con, MHD_GET_ARGUMENT_KIND, "native");
    if (native) {
        enum MHD_Result ret = serve_native(con, native, fd, size, t0);
        close(fd);
        return ret;
    }
    if (!plugin) {
        /* Plain: the kernel sends the file (sendfile); MHD closes fd. */
        struct MHD_Response *r = MHD_create_response_from_fd64(size, fd);
        if (!r)
            close(fd);
        return queue(con, 200, r, type_of_name(path), t0);
    }
    int status;
    hd_client *c = authenticate(con, &status);
    if (!c) {
        close(fd);
        return reply_text(con, status, auth_message(status), t0);
    }
    hd_filter_out *o = calloc(1, sizeof *o);
    hd_result res = o ? hd_filter_run(c, plugin, fd, size, con, o)
                      : (hd_result){ 500, NULL };
    close(fd);
    hd_client_put(c); /* the output holds its own reference */
    if (res.status != 200) {
        free(o);
        return reply_result(con, res, t0);
    }
    struct MHD_Response *r =
        MHD_create_response_from_buffer_with_free_callback_cls(o->len, o->data,
                                                               hd_filter_release, o);
    const char *type = type_of_data(o->data, o->len);
    if (!r)
        hd_filter_release(o);
    else
        MHD_add_response_header(r, "X-Kplug-Plugin", plugin);
    return queue(con, 200, r, type, t0);
}

static enum MHD_Result serve_plugins(struct MHD_Connection *con, const char *method,
                                     const char *name, request *rq, uint64_t t0)
{
    int status;
    hd_client *c = authenticate(con, &status);
    if (!c)
        return reply_text(con, status, auth_message(status), t0);
    enum MHD_Result ret;
    if (!*name) {
        if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
            ret = reply_text(con, 405, "GET /plugins lists; PUT/GET/DELETE /plugins/NAME\n", t0);
        } else {
            size_t len = 0;
            char *list = hd_plugin_list(c, &len);
            ret = list ? reply_copy(con, 200, list, len, "text/plain; charset=utf-8", t0)
                       : reply_text(con, 500, "out of memory\n", t0);
            free(list);
        }
    } else if (!strcmp(method, "PUT")) {
        if (rq->too_big) {
            char m[96];
            snprintf(m, sizeof m, "plugin source too large (limit %zu bytes)\n", c->lim.max_source);
            ret = reply_text(con, 413, m, t0);
        } else {
            ret = reply_result(con, hd_plugin_put(c, name, rq->body ? rq->body : "", rq->len), t0);
        }
    } else if (!strcmp(method, "DELETE")) {
        ret = reply_result(con, hd_plugin_delete(c, name), t0);
    } else if (!strcmp(method, "GET") || !strcmp(method, "HEAD")) {
        char *src = NULL;
        size_t len = 0;
        hd_result r = hd_plugin_source(c, name, &src, &len);
        ret = r.status == 200 ? reply_copy(con, 200, src, len, "text/plain; charset=utf-8", t0)
                              : reply_result(con, r, t0);
        free(src);
    } else {
        ret = reply_text(con, 405, "use GET, PUT or DELETE on /plugins/NAME\n", t0);
    }
    hd_client_put(c);
    return ret;
}

static unsigned query_uint(struct MHD_Connection *con, const char *name, unsigned dflt, unsigned max)
{
    const char *v = MHD_lookup_connection_value(con, MHD_GET_ARGUMENT_KIND, name);
    if (!v || !*v)
        return dflt;
    char *end;
    unsigned long n = strtoul(v, &end, 10);
    return *end || n == 0 || n > max ? dflt : (unsigned)n;
}

static enum MHD_Result serve_clients(struct MHD_Connection *con, const char *method,
                                     const char *key, uint64_t t0)
{
    const char *admin = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "X-Admin-Key");
    if (!hd_srv.admin_key)
        return reply_text(con, 403, "client management is disabled (start with --admin-key)\n", t0);
    if (!admin)
        return reply_text(con, 401, "missing admin key: send the header X-Admin-Key\n", t0);
    if (strcmp(admin, hd_srv.admin_key))
        return reply_text(con, 403, "wrong admin key\n", t0);
    if (!strcmp(method, "POST") && !*key) {
        /* Limits may be lowered per client, never raised past the server's. */
        hd_limits lim = hd_srv.limits;
        lim.mem_bytes = (size_t)query_uint(con, "mem_mb", (unsigned)(lim.mem_bytes >> 20),
                                           (unsigned)(lim.mem_bytes >> 20)) << 20;
        lim.timeout_ms = query_uint(con, "timeout_ms", lim.timeout_ms, lim.timeout_ms);
        lim.max_plugins = query_uint(con, "max_plugins", lim.max_plugins, lim.max_plugins);
        lim.max_inflight = query_uint(con, "max_inflight", lim.max_inflight, lim.max_inflight);
        hd_result err = { 0, NULL };
        hd_client *c = hd_client_new(NULL, &lim, &err);
        if (!c)
            return reply_result(con, err, t0);
        char body[80];
        snprintf(body, sizeof body, "%s\n", c->key);
        return reply_text(con, 201, body, t0);
    }
    if (!strcmp(method, "DELETE") && *key)
        return hd_client_remove(key) ? reply_text(con, 204, "", t0)
                                     : reply_text(con, 404, "no such client\n", t0);
    return reply_text(con, 405, "POST /clients creates a client; DELETE /clients/KEY removes one\n", t0);
}

static const char index_text[] =
    "kplug-httpd: an image-transcoding web server with C plugins (docs/httpd.md)\n"
    "  GET    /files/PATH                   the file as it is\n"
    "  GET    /files/PATH?plugin=NAME       the file through your plugin NAME (X-API-Key)\n"
    "  GET    /files/PATH?native=gray       the file through the built-in native grayscale\n"
    "  GET    /plugins                      your plugins, one per line\n"
    "  PUT    /plugins/NAME                 upload (or replace) a plugin: C source as body\n"
    "  GET    /plugins/NAME                 its source\n"
    "  DELETE /plugins/NAME                 delete it\n"
    "  POST   /clients                      new client, body = its key (X-Admin-Key)\n";

enum MHD_Result hd_handle(void *cls, struct MHD_Connection *con, const char *url,
                          const char *method, const char *version, const char *upload,
                          size_t *upload_size, void **req_cls)
{
    (void)cls;
    (void)version;
    request *rq = *req_cls;
    if (!rq) {
        if (!(rq = calloc(1, sizeof *rq)))
            return MHD_NO;
        *req_cls = rq;
        /* Uploads from unknown clients are refused before their body is
         * read: the server buffers bodies only for its clients. */
        if (!strcmp(method, "PUT") && !strncmp(url, "/plugins/", 9)) {
            int status;
            hd_client *c = authenticate(con, &status);
            if (!c)
                return reply_text(con, status, auth_message(status), now_ns());
            size_t max = c->lim.max_source;
            hd_client_put(c);
            const char *cl = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
                                                         MHD_HTTP_HEADER_CONTENT_LENGTH);
            if (cl && strtoull(cl, NULL, 10) > max) {
                char m[96];
                snprintf(m, sizeof m, "plugin source too large (limit %zu bytes)\n", max);
                return reply_text(con, 413, m, now_ns());
            }
        }
        return MHD_YES;
    }
    if (*upload_size) {
        /* Keep reading past the limit (and drop it) so the 413 reaches a
         * client that is still sending. */
        size_t n = *upload_size;
        *upload_size = 0;
        if (rq->too_big || rq->len + n > hd_srv.limits.max_source) {
            rq->too_big = 1;
            return MHD_YES;
        }
        if (rq->len + n + 1 > rq->cap) {
            size_t ncap = rq->cap ? rq->cap : 4096;
            while (ncap < rq->len + n + 1)
                ncap *= 2;
            char *nb = realloc(rq->body, ncap);
            if (!nb)
                return MHD_NO;
            rq->body = nb;
            rq->cap = ncap;
        }
        memcpy(rq->body + rq->len, upload, n);
        rq->len += n;
        rq->body[rq->len] = 0;
        return MHD_YES;
    }
    uint64_t t0 = now_ns();
    if (hd_srv.verbose)
        fprintf(stderr, "kplug-httpd: %s %s\n", method, url);
    int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
    if (!strncmp(url, "/files/", 7))
        return get ? serve_file(con, url + 7, t0)
                   : reply_text(con, 405, "files are read-only: GET or HEAD\n", t0);
    if (!strcmp(url, "/plugins") || !strncmp(url, "/plugins/", 9))
        return serve_plugins(con, method, url[8] ? url + 9 : "", rq, t0);
    if (!strcmp(url, "/clients") || !strncmp(url, "/clients/", 9))
        return serve_clients(con, method, url[8] ? url + 9 : "", t0);
    if (!strcmp(url, "/") && get)
        return reply_text(con, 200, index_text, t0);
    return reply_text(con, 404, "not found (GET / lists the endpoints)\n", t0);
}

void hd_completed(void *cls, struct MHD_Connection *con, void **req_cls,
                  enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)con;
    (void)toe;
    request *rq = *req_cls;
    if (rq) {
        free(rq->body);
        free(rq);
        *req_cls = NULL;
    }
}
