/* httpload.c — the client side of the kplug-httpd macro-benchmark
 * (bench/httpd_bench.sh). One keep-alive HTTP/1.1 connection sends GETs
 * for the given paths in turn (interleaved, so that every path sees the
 * same machine noise) and records, per path, the client's time from the
 * first byte sent to the last byte of the body received, and the server's
 * own service time from a response header.
 *
 *   httpload -p PORT [-k KEY] [-n N] [-w WARMUP] [-t HEADER] LABEL=PATH ...
 *
 * prints one line per path:
 *   LABEL bytes client_med client_p99 server_med server_p99   (microseconds)
 * and exits non-zero on any non-200 response or connection failure, so a
 * benchmark run that silently measured error pages cannot happen.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct target {
    const char *label, *path;
    double *client_us, *server_us;
    long bytes;
} target;

static char *buf;
static size_t buf_cap = 1 << 16;

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads one response into buf. Returns the status, sets *body_len and the
 * server time (-1 if the header is absent); -1 on a broken connection. */
static int read_response(int fd, const char *time_header, long *body_len, double *server_us)
{
    size_t have = 0, head_end = 0;
    long clen = -1;
    int status = -1;
    *server_us = -1;
    for (;;) {
        if (have + 4096 > buf_cap) {
            buf_cap *= 2;
            buf = realloc(buf, buf_cap);
            if (!buf)
                return -1;
        }
        if (!head_end || have < head_end + (size_t)clen) {
            ssize_t r = recv(fd, buf + have, buf_cap - have - 1, 0);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                return -1;
            have += (size_t)r;
        }
        if (!head_end) {
            buf[have] = 0;
            char *e = strstr(buf, "\r\n\r\n");
            if (!e)
                continue;
            head_end = (size_t)(e - buf) + 4;
            *e = 0;
            if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
                return -1;
            for (char *line = strstr(buf, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
                char *h = line + 2;
                if (!strncasecmp(h, "Content-Length:", 15))
                    clen = atol(h + 15);
                size_t tl = strlen(time_header);
                if (!strncasecmp(h, time_header, tl) && h[tl] == ':') {
                    /* a bare number of microseconds, or Server-Timing's dur=MS */
                    char *d = strstr(h, "dur=");
                    *server_us = d ? atof(d + 4) * 1000.0 : atof(h + tl + 1);
                }
            }
            if (clen < 0)
                return -1; /* the server always sends a length */
        }
        if (head_end && have >= head_end + (size_t)clen) {
            *body_len = clen;
            return status;
        }
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    int i = (int)(p * (n - 1) + 0.5);
    return v[i];
}

int main(int argc, char **argv)
{
    int port = 0, n = 200, warm = 10, opt;
    const char *key = NULL, *time_header = "X-Service-Time-Us";
    while ((opt = getopt(argc, argv, "p:k:n:w:t:")) != -1) {
        switch (opt) {
        case 'p': port = atoi(optarg); break;
        case 'k': key = optarg; break;
        case 'n': n = atoi(optarg); break;
        case 'w': warm = atoi(optarg); break;
        case 't': time_header = optarg; break;
        default: goto usage;
        }
    }
    int nt = argc - optind;
    if (port <= 0 || nt <= 0 || n <= 0)
        goto usage;
    target *t = calloc((size_t)nt, sizeof *t);
    buf = malloc(buf_cap);
    for (int i = 0; i < nt; i++) {
        char *arg = argv[optind + i], *eq = strchr(arg, '=');
        if (!eq)
            goto usage;
        *eq = 0;
        t[i].label = arg;
        t[i].path = eq + 1;
        t[i].client_us = calloc((size_t)n, sizeof(double));
        t[i].server_us = calloc((size_t)n, sizeof(double));
    }
    int fd = connect_to(port);
    if (fd < 0) {
        fprintf(stderr, "httpload: cannot connect to 127.0.0.1:%d: %s\n", port, strerror(errno));
        return 1;
    }
    char req[4096];
    for (int round = -warm; round < n; round++) {
        for (int i = 0; i < nt; i++) {
            int len = snprintf(req, sizeof req,
                               "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s%s\r\n",
                               t[i].path, key ? "X-API-Key: " : "", key ? key : "",
                               key ? "\r\n" : "");
            double t0 = now_us(), server;
            long blen = 0;
            int st = send_all(fd, req, (size_t)len) == 0
                         ? read_response(fd, time_header, &blen, &server) : -1;
            double t1 = now_us();
            if (st != 200) {
                fprintf(stderr, "httpload: %s %s: %s %d\n", t[i].label, t[i].path,
                        st < 0 ? "connection failed" : "status", st);
                return 1;
            }
            if (round < 0)
                continue;
            t[i].bytes = blen;
            t[i].client_us[round] = t1 - t0;
            t[i].server_us[round] = server;
        }
    }
    close(fd);
    for (int i = 0; i < nt; i++) {
        double cm = pct(t[i].client_us, n, 0.5), c99 = pct(t[i].client_us, n, 0.99);
        double sm = pct(t[i].server_us, n, 0.5), s99 = pct(t[i].server_us, n, 0.99);
        printf("%s %ld %.1f %.1f %.1f %.1f\n", t[i].label, t[i].bytes, cm, c99, sm, s99);
    }
    return 0;
usage:
    fprintf(stderr, "usage: httpload -p PORT [-k KEY] [-n N] [-w WARMUP] [-t HEADER] LABEL=PATH ...\n");
    return 2;
}
