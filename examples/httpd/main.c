/*
 * main.c — kplug-httpd's start-up and shutdown.
 *
 * Threading: MHD's internal thread pool over epoll (--threads, default 2
 * per core, at least 4). Filters run synchronously in the handler, so a
 * pool thread is busy for as long as a plugin runs — at most the client's
 * deadline — while epoll keeps any number of idle keep-alive connections
 * cheap. A fixed pool also bounds what filters claim at once: every call
 * running takes a plugin stack and buffers out of the client's memory, so
 * N threads mean at most N calls, where thread-per-connection would start
 * as many as a flood of connections asks for.
 *
 * Shutdown: SIGINT and SIGTERM are blocked in every thread (the pool
 * inherits the mask) and taken by sigwait in main, which stops the daemon
 * (closing connections, joining its threads), then destroys the clients.
 */
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "httpd.h"

hd_server hd_srv;

static const char usage[] =
    "usage: kplug-httpd [options]\n"
    "  --addr A            listen address (default 127.0.0.1)\n"
    "  --port N            port (default 8080; 0 = any free port)\n"
    "  --port-file F       write the port actually bound to F\n"
    "  --root DIR          directory served under /files/ (default .)\n"
    "  --client KEY        a client with this API key (repeatable; default: one\n"
    "                      client 'demo' when no --client is given)\n"
    "  --plugins DIR       load DIR/*.c as plugins of every --client\n"
    "  --admin-key KEY     allow POST /clients with the header X-Admin-Key: KEY\n"
    "  --mem MB            plugin memory per client (default 256)\n"
    "  --timeout MS        deadline of each plugin call (default 2000)\n"
    "  --max-plugins N     plugins per client (default 32)\n"
    "  --max-inflight N    filter calls running at once per client (default 16)\n"
    "  --max-source KB     bytes of one plugin source (default 256)\n"
    "  --threads N         server threads (default 2 per core, at least 4)\n"
    "  --engine E          jit or interp (default: the JIT where there is one)\n"
    "  --verbose           log every request to stderr\n";

static unsigned long num_arg(const char *opt, const char *v, unsigned long max)
{
    char *end;
    unsigned long n = v ? strtoul(v, &end, 10) : 0;
    if (!v || !*v || *end || n > max) {
        fprintf(stderr, "kplug-httpd: %s needs a number up to %lu\n", opt, max);
        exit(2);
    }
    return n;
}

int main(int argc, char **argv)
{
    const char *addr = "127.0.0.1", *port_file = NULL, *plugin_dir = NULL;
    const char *keys[64];
    int nkeys = 0;
    unsigned long port = 8080, threads = 0;
    hd_srv.root = ".";
    hd_srv.limits.mem_bytes = (size_t)256 << 20;
    hd_srv.limits.timeout_ms = 2000;
    hd_srv.limits.max_plugins = 32;
    hd_srv.limits.max_inflight = 16;
    hd_srv.limits.max_source = 256 << 10;

    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = 1;
        if (!strcmp(o, "--addr") && v) addr = v;
        else if (!strcmp(o, "--port")) port = num_arg(o, v, 65535);
        else if (!strcmp(o, "--port-file") && v) port_file = v;
        else if (!strcmp(o, "--root") && v) hd_srv.root = v;
        else if (!strcmp(o, "--client") && v) {
            if (nkeys == 64) {
                fprintf(stderr, "kplug-httpd: at most 64 --client (POST /clients makes more)\n");
                return 2;
            }
            keys[nkeys++] = v;
        }
        else if (!strcmp(o, "--plugins") && v) plugin_dir = v;
        else if (!strcmp(o, "--admin-key") && v) hd_srv.admin_key = v;
        else if (!strcmp(o, "--mem")) hd_srv.limits.mem_bytes = num_arg(o, v, 3072) << 20;
        else if (!strcmp(o, "--timeout")) hd_srv.limits.timeout_ms = (unsigned)num_arg(o, v, 3600000);
        else if (!strcmp(o, "--max-plugins")) hd_srv.limits.max_plugins = (unsigned)num_arg(o, v, 60000);
        else if (!strcmp(o, "--max-inflight")) hd_srv.limits.max_inflight = (unsigned)num_arg(o, v, 100000);
        else if (!strcmp(o, "--max-source")) hd_srv.limits.max_source = num_arg(o, v, 16384) << 10;
        else if (!strcmp(o, "--threads")) threads = num_arg(o, v, 1024);
        else if (!strcmp(o, "--engine") && v && (!strcmp(v, "jit") || !strcmp(v, "interp")))
            hd_srv.limits.engine = !strcmp(v, "jit") ? KP_ENGINE_JIT : KP_ENGINE_INTERP;
        else if (!strcmp(o, "--verbose")) { hd_srv.verbose = 1; takes = 0; }
        else if (!strcmp(o, "--help") || !strcmp(o, "-h")) { fputs(usage, stdout); return 0; }
        else {
            fprintf(stderr, "kplug-httpd: bad option %s\n%s", o, usage);
            return 2;
        }
        i += takes;
    }
    if (hd_srv.limits.mem_bytes < (1u << 20) || !hd_srv.limits.max_plugins ||
        !hd_srv.limits.max_inflight || !hd_srv.limits.max_source) {
        fprintf(stderr, "kplug-httpd: --mem is at least 1 MB; the other limits at least 1\n");
        return 2;
    }
    if (!threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 2 ? (unsigned long)n * 2 : 4;
    }
    if (!nkeys)
        keys[nkeys++] = "demo";

    for (int i = 0; i < nkeys; i++) {
        hd_result err = { 0, NULL };
        hd_client *c = hd_client_new(keys[i], &hd_srv.limits, &err);
        if (!c) {
            fprintf(stderr, "kplug-httpd: client %s: %s\n", keys[i], err.msg ? err.msg : "");
            return 1;
        }
        if (plugin_dir && hd_plugin_load_dir(c, plugin_dir) < 0)
            return 1;
    }

    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
        fprintf(stderr, "kplug-httpd: bad IPv4 address %s\n", addr);
        return 2;
    }
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port, NULL, NULL,
        hd_handle, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
        MHD_OPTION_CONNECTION_LIMIT, 10000u,
        MHD_OPTION_CONNECTION_TIMEOUT, 60u,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
        MHD_OPTION_NOTIFY_COMPLETED, hd_completed, NULL,
        MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "kplug-httpd: cannot listen on %s:%lu (port in use? try another "
                        "--port, or PORT=... with make run)\n", addr, port);
        hd_clients_shutdown();
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned bound = info ? info->port : (unsigned)port;
    if (port_file) {
        /* Written aside and renamed, so a script polling for the file
         * never reads it half-written. */
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
        FILE *f = fopen(tmp, "w");
        if (!f || fprintf(f, "%u\n", bound) < 0 || fclose(f) || rename(tmp, port_file)) {
            fprintf(stderr, "kplug-httpd: cannot write %s\n", port_file);
            MHD_stop_daemon(d);
            hd_clients_shutdown();
            return 1;
        }
    }
    printf("kplug-httpd: listening on http://%s:%u/ (root %s, %lu threads, %d client%s)\n",
           addr, bound, hd_srv.root, threads, nkeys, nkeys == 1 ? "" : "s");
    fflush(stdout);

    int sig = 0;
    sigwait(&stop, &sig);
    printf("kplug-httpd: %s, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    fflush(stdout);
    MHD_stop_daemon(d);
    hd_clients_shutdown();
    return 0;
}
