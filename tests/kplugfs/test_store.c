/*
 * test_store.c — unit test of kplugfs's codec and on-disk format
 * (examples/kplugfs/codec.c, store.c), no FUSE needed: run by
 * tests/kplugfs/run.sh on every engine named on the command line.
 *
 *   test_store PLUGIN_DIR HOSTILE.c ENGINE...
 *
 * Checks CRC-32 against its definition, encode/decode round trips with each
 * sample plugin, that every single-byte change and every truncation of a
 * backing file is refused, the plugin-name and version rules, the refusal
 * of malformed plugin pairs, and that a trapping plugin leaves the codec
 * usable. Prints "ok NAME" / "FAIL NAME: why" lines.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kplugfs.h"

static int failures;
static char last_log[1024];

void kpfs_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_log, sizeof last_log, fmt, ap);
    va_end(ap);
}

static void report(int good, const char *fmt, ...) KP_PRINTF(2, 3);
static void report(int good, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs(good ? "ok   " : "FAIL ", stdout);
    vprintf(fmt, ap);
    if (!good)
        printf(": %s", last_log);
    putchar('\n');
    va_end(ap);
    failures += !good;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[1 << 16];
    *len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[*len] = 0;
    return buf;
}

static int open_codec(kpfs_codec *c, const char *name, const char *src, size_t len,
                      kp_engine e)
{
    char err[sizeof last_log - 1];
    int rc = kpfs_codec_open(c, name, src, len, e, 64u << 20, 5000, err, sizeof err);
    if (rc)
        snprintf(last_log, sizeof last_log, "%s", err);
    return rc;
}

/* Deterministic data with runs and repeats, so every plugin compresses it. */
static void fill(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (i / 64) % 3 == 0 ? (uint8_t)(seed >> 24) : (uint8_t)("kplugfs "[i % 8]);
    }
}

static void test_crc(void)
{
    uint8_t b[100];
    fill(b, sizeof b, 7);
    int good = kpfs_crc32("123456789", 9) == 0xCBF43926u;
    for (size_t len = 0; len <= sizeof b && good; len++) {
        uint32_t c = 0xFFFFFFFFu;
        for (size_t i = 0; i < len; i++) {
            c ^= b[i];
            for (int k = 0; k < 8; k++)
                c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        good = (c ^ 0xFFFFFFFFu) == kpfs_crc32(b, len);
    }
    report(good, "store/crc32");
}

static void test_plugin(const char *dir, const char *p, kp_engine e, const char *en)
{
    char path[4096];
    size_t len;
    snprintf(path, sizeof path, "%s/%s.c", dir, p);
    const char *src = read_file(path, &len);
    kpfs_codec c;
    if (!src || open_codec(&c, p, src, len, e)) {
        report(0, "store/%s [%s]: codec", p, en);
        return;
    }
    static const size_t sizes[] = { 0, 1, 7, 4096, 100000 };
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        size_t n = sizes[k], size = 0, blen;
        uint8_t *data = malloc(n + 1), *blob = NULL, *back = NULL;
        fill(data, n, (unsigned)k);
        int rc = kpfs_encode(&c, data, n, 1, &blob, &blen, "t");
        if (!rc)
            rc = kpfs_decode(&c, blob, blen, 1 << 20, &back, &size, "t");
        report(!rc && size == n && (n == 0 || !memcmp(back, data, n)),
               "store/%s/roundtrip-%zu [%s] (%zu -> %zu bytes)", p, n, en, n, blen);
        free(back);
        back = NULL;
        if (!rc && n == 4096) {
            /* Any changed byte, header or data, and any truncation: refused. */
            int bad = 0;
            for (size_t i = 0; i < blen && !bad; i++) {
                blob[i] ^= 0x5A;
                if (kpfs_decode(&c, blob, blen, 1 << 20, &back, &size, "t") == 0)
                    bad = 1 + (int)i;
                free(back);
                back = NULL;
                blob[i] ^= 0x5A;
            }
            report(!bad, "store/%s/every-byte-changed-refused [%s]%s", p, en,
                   bad ? " (one was accepted)" : "");
            bad = 0;
            for (size_t cut = 0; cut < blen && !bad; cut++)
                if (kpfs_decode(&c, blob, cut, 1 << 20, &back, &size, "t") == 0)
                    bad = 1;
            report(!bad, "store/%s/every-truncation-refused [%s]", p, en);
            report(kpfs_decode(&c, blob, blen, 100, &back, &size, "t") == -EFBIG,
                   "store/%s/over-max-size [%s]", p, en);
            /* Another plugin name: refused; another source version: read. */
            kpfs_codec other = c;
            strcpy(other.name, "other");
            report(kpfs_decode(&other, blob, blen, 1 << 20, &back, &size, "t") == -EIO &&
                   strstr(last_log, "written with plugin"),
                   "store/%s/other-plugin-refused [%s]", p, en);
            other = c;
            other.sum ^= 1;
            rc = kpfs_decode(&other, blob, blen, 1 << 20, &back, &size, "t");
            report(rc == 0 && size == n && !memcmp(back, data, n),
                   "store/%s/other-version-reads [%s]", p, en);
            free(back);
        }
        free(blob);
        free(data);
    }
    kpfs_codec_close(&c);
}

static void test_refused(kp_engine e, const char *en)
{
    static const struct {
        const char *what, *src;
    } cases[] = {
        { "no-decompress", "int compress(const unsigned char *i, int n, unsigned char *o, int c) { return 0; }" },
        { "wrong-prototype", "int compress(int n) { return n; }\n"
                             "int decompress(const unsigned char *i, int n, unsigned char *o, int c) { return 0; }" },
        { "bad-bound", "int compress(const unsigned char *i, int n, unsigned char *o, int c) { return 0; }\n"
                       "int decompress(const unsigned char *i, int n, unsigned char *o, int c) { return 0; }\n"
                       "long compress_bound(long n) { return n; }" },
        { "compile-error", "int compress(" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        kpfs_codec c;
        int rc = open_codec(&c, "p", cases[k].src, strlen(cases[k].src), e);
        report(rc != 0 && c.rt == NULL, "store/refused-%s [%s]", cases[k].what, en);
        if (!rc)
            kpfs_codec_close(&c);
    }
    kpfs_codec c;
    const char *ok = cases[2].src;
    report(open_codec(&c, "a-name-longer-than-thirty-one-bytes", ok, strlen(ok), e) != 0,
           "store/refused-long-name [%s]", en);
}

static void test_hostile(const char *file, kp_engine e, const char *en)
{
    size_t len;
    const char *src = read_file(file, &len);
    kpfs_codec c;
    if (!src || open_codec(&c, "hostile", src, len, e)) {
        report(0, "store/hostile [%s]: codec", en);
        return;
    }
    static const char *tags[] = { "C-TRAP", "C-BADLEN", "C-NEG", "D-LIE", "D-TRAP", "D-SHORT" };
    uint8_t *blob;
    size_t blen;
    for (size_t k = 0; k < sizeof tags / sizeof *tags; k++) {
        char data[64];
        snprintf(data, sizeof data, "%s payload", tags[k]);
        int rc = kpfs_encode(&c, (const uint8_t *)data, strlen(data), 1, &blob, &blen, "h");
        report(rc == -EIO, "store/hostile-%s-refused [%s]", tags[k], en);
        if (!rc)
            free(blob);
        /* The same runtime serves the next file normally. */
        rc = kpfs_encode(&c, (const uint8_t *)"fine", 4, 1, &blob, &blen, "h");
        report(rc == 0, "store/hostile-%s-then-fine [%s]", tags[k], en);
        if (!rc)
            free(blob);
    }
    kpfs_codec_close(&c);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: test_store PLUGIN_DIR HOSTILE.c ENGINE...\n");
        return 2;
    }
    test_crc();
    for (int a = 3; a < argc; a++) {
        kp_engine e = !strcmp(argv[a], "jit") ? KP_ENGINE_JIT : KP_ENGINE_INTERP;
        for (const char *const *p = (const char *const[]){ "rle", "delta", "lzss", NULL }; *p; p++)
            test_plugin(argv[1], *p, e, argv[a]);
        test_refused(e, argv[a]);
        test_hostile(argv[2], e, argv[a]);
    }
    return failures ? 1 : 0;
}
