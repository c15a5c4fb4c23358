/*
 * httpd.h — kplug-httpd's internal interface: the image-transcoding web
 * server of the kplug paper, on libmicrohttpd. One section per source file:
 *
 *   main.c      options, start-up, signals, shutdown
 *   server.c    HTTP routing, responses, status-code mapping
 *   clients.c   clients (API key -> kplug runtime) and their plugins
 *   builtins.c  the server's built-ins exported to plugins
 *
 * The server reaches kplug only through include/kplug.h. See docs/httpd.md.
 */
#ifndef HTTPD_H
#define HTTPD_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <kplug.h>
#include <microhttpd.h>

/* Per-client limits; 0 fields take the server's defaults. */
typedef struct hd_limits {
    size_t mem_bytes;        /* the client's runtime memory (kp mem_limit) */
    unsigned timeout_ms;     /* deadline of each plugin call */
    unsigned max_plugins;    /* plugins a client may hold (429 beyond) */
    unsigned max_inflight;   /* filtered requests running at once (429 beyond) */
    size_t max_source;       /* bytes of one plugin source (413 beyond) */
    kp_engine engine;        /* the clients' engine (KP_ENGINE_DEFAULT: the JIT) */
} hd_limits;

/* ---- main.c ----------------------------------------------------------- */

typedef struct hd_server {
    const char *root;        /* directory served under /files/ */
    const char *admin_key;   /* enables POST /clients; NULL = disabled */
    hd_limits limits;        /* defaults for every client */
    int verbose;             /* log each request to stderr */
} hd_server;

extern hd_server hd_srv;

/* ---- server.c --------------------------------------------------------- */

/* The MHD access handler (MHD_AccessHandlerCallback) and its completion
 * callback, which frees the per-request state. */
enum MHD_Result hd_handle(void *cls, struct MHD_Connection *con, const char *url,
                          const char *method, const char *version, const char *upload,
                          size_t *upload_size, void **req_cls);
void hd_completed(void *cls, struct MHD_Connection *con, void **req_cls,
                  enum MHD_RequestTerminationCode toe);

/* ---- clients.c -------------------------------------------------------- */

typedef struct hd_plugin {
    char *name;
    char *src;               /* the source as uploaded, for GET */
    size_t len;
    kp_func *entry;          /* its filter (renamed, see clients.c), or NULL */
} hd_plugin;

typedef struct hd_client {
    char *key;
    kp_runtime *rt;
    hd_limits lim;
    pthread_mutex_t lock;    /* guards plugins/nplugins; held across compiles */
    hd_plugin *plugins;
    unsigned nplugins, cap;
    int refs;                /* registry + requests + responses in flight */
    int inflight;            /* filter calls running (atomic) */
    struct hd_client *next;
} hd_client;

/* Result of a client operation: an HTTP status and a message (malloc'd,
 * owned by the caller; may be NULL on success). */
typedef struct hd_result {
    int status;
    char *msg;
} hd_result;

/* Create a client with `key` (NULL: a random one) and register it. Returns
 * the client (not referenced for the caller) or NULL with *err set. */
hd_client *hd_client_new(const char *key, const hd_limits *lim, hd_result *err);
/* Find the client of `key` and take a reference, or NULL. */
hd_client *hd_client_get(const char *key);
/* Drop a reference; the last one destroys the runtime. NULL is a no-op. */
void hd_client_put(hd_client *c);
/* Unregister a client (its runtime goes when the last request ends). */
int hd_client_remove(const char *key);
/* Unregister and drop every client (shutdown, after the daemon stopped). */
void hd_clients_shutdown(void);

/* Add or replace plugin `name` (compile and link); status 201 created,
 * 200 replaced, or an error status with the diagnostics. */
hd_result hd_plugin_put(hd_client *c, const char *name, const char *src, size_t len);
/* 204 or 404. */
hd_result hd_plugin_delete(hd_client *c, const char *name);
/* The source of a plugin (malloc'd copy in *src, *len) or 404. */
hd_result hd_plugin_source(hd_client *c, const char *name, char **src, size_t *len);
/* The names, one per line (malloc'd). */
char *hd_plugin_list(hd_client *c, size_t *len);
/* Load every *.c of `dir` into the client as plugins named after the files. */
int hd_plugin_load_dir(hd_client *c, const char *dir);
/* 1 if name is a valid plugin name ([A-Za-z0-9_], 1..64 bytes). */
int hd_plugin_name_ok(const char *name);

/* A filter run: the output lives in the client's plugin memory until
 * hd_filter_release (the response's free callback). */
typedef struct hd_filter_out {
    hd_client *c;            /* referenced until release */
    kp_ptr in, out;          /* blocks in the client's segment */
    unsigned char *data;     /* host address of the output */
    size_t len;
} hd_filter_out;

/* Run plugin `name` of c as a filter on the file open at fd (size bytes),
 * for the request `con` (its query parameters and headers are what the
 * built-ins see). On success status 200 and *out set; else an error
 * status and message. */
hd_result hd_filter_run(hd_client *c, const char *name, int fd, size_t size,
                        struct MHD_Connection *con, hd_filter_out *out);
void hd_filter_release(void *out);

/* ---- builtins.c ------------------------------------------------------- */

/* Add the server's built-ins to a client's runtime. */
int hd_builtins_add(kp_runtime *rt, hd_client *c);
/* The request whose filter runs on this thread (set around kp_call), so
 * the built-ins can answer for it. */
void hd_builtins_enter(struct MHD_Connection *con, const char *plugin);
void hd_builtins_leave(void);

/* ---- native.c: examples/gray.c compiled natively into the server ------ */
int hd_native_gray(const unsigned char *in, int in_len, unsigned char *out, int out_cap);

#endif
