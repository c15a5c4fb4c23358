/*
 * store.c — backing files: the header, encoding and decoding through the
 * codec, and replacement by temporary file + rename so that the backing
 * store always holds a whole old version or a whole new one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kplugfs.h"

static const uint8_t magic[8] = { 'K', 'P', 'L', 'U', 'G', 'F', 'S', 1 };

/* ---- checksums ----------------------------------------------------------- */

/* Slicing-by-8 tables: t[0] is the classic byte table, t[k][b] the CRC of
 * byte b followed by k zero bytes. Eight bytes per step instead of one:
 * every file is checksummed twice on each write and each read, and the
 * byte-at-a-time loop cost more than the copy plugin's whole call. */
static uint32_t crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[0][i] = c;
    }
    for (int k = 1; k < 8; k++)
        for (int i = 0; i < 256; i++)
            crc_table[k][i] = (crc_table[k - 1][i] >> 8) ^
                              crc_table[0][crc_table[k - 1][i] & 0xFF];
}

/* CRC-32 (IEEE, as zlib's crc32): catches damaged backing bytes and a
 * decompressor that returns the right length but the wrong bytes. */
uint32_t kpfs_crc32(const void *p, size_t n)
{
    pthread_once(&crc_once, crc_init);
    const uint8_t *b = p;
    const uint32_t(*t)[256] = crc_table;
    uint32_t c = 0xFFFFFFFFu;
    for (; n >= 8; b += 8, n -= 8) {
        uint32_t lo = c ^ ((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                           (uint32_t)b[3] << 24);
        uint32_t hi = (uint32_t)b[4] | (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16 |
                      (uint32_t)b[7] << 24;
        c = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^
            t[4][lo >> 24] ^ t[3][hi & 0xFF] ^ t[2][(hi >> 8) & 0xFF] ^
            t[1][(hi >> 16) & 0xFF] ^ t[0][hi >> 24];
    }
    while (n--)
        c = t[0][(c ^ *b++) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

uint64_t kpfs_fnv64(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t h = 0xcbf29ce484222325ull;
    while (n--)
        h = (h ^ *b++) * 0x100000001b3ull;
    return h;
}

/* ---- header -------------------------------------------------------------- */

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

void kpfs_header_encode(const kpfs_header *h, uint8_t out[KPFS_HDR_SIZE])
{
    memset(out, 0, KPFS_HDR_SIZE);
    memcpy(out, magic, 8);
    put32(out + 8, KPFS_HDR_SIZE);
    put32(out + 12, h->flags);
    put64(out + 16, h->orig_size);
    put64(out + 24, h->comp_size);
    put32(out + 32, h->crc_orig);
    put32(out + 36, h->crc_comp);
    put64(out + 40, h->plugin_sum);
    memcpy(out + 48, h->plugin, strnlen(h->plugin, KPFS_NAME_MAX));
    put32(out + 80, kpfs_crc32(out, 80));
}

int kpfs_header_decode(const uint8_t in[KPFS_HDR_SIZE], kpfs_header *h)
{
    if (memcmp(in, magic, 8) || get32(in + 8) != KPFS_HDR_SIZE ||
        get32(in + 80) != kpfs_crc32(in, 80) || in[48 + KPFS_NAME_MAX] != 0)
        return -1;
    /* The reserved bytes are outside the CRC: requiring zeros there still
     * makes any damaged header byte detectable. */
    for (int i = 84; i < KPFS_HDR_SIZE; i++)
        if (in[i])
            return -1;
    h->flags = get32(in + 12);
    h->orig_size = get64(in + 16);
    h->comp_size = get64(in + 24);
    h->crc_orig = get32(in + 32);
    h->crc_comp = get32(in + 36);
    h->plugin_sum = get64(in + 40);
    memcpy(h->plugin, in + 48, KPFS_NAME_MAX + 1);
    /* Flags are reserved for later formats: refuse what we cannot read. */
    return h->flags ? -1 : 0;
}

/* ---- encode / decode ------------------------------------------------------ */

int kpfs_encode(kpfs_codec *c, const uint8_t *data, size_t size, int verify,
                uint8_t **blob, size_t *blob_len, const char *what)
{
    uint8_t *comp = NULL;
    size_t clen = 0;
    int rc;
    /* An empty file is a header alone: creating a file never depends on
     * the plugin. */
    if (size) {
        rc = kpfs_compress(c, data, size, &comp, &clen, what);
        if (rc)
            return rc;
        if (verify) {
            uint8_t *back = malloc(size);
            if (!back) {
                free(comp);
                return -ENOMEM;
            }
            rc = kpfs_decompress(c, comp, clen, back, size, what);
            if (!rc && memcmp(back, data, size)) {
                kpfs_log("%s: decompress(compress(data)) differs from the data; "
                         "not written", what);
                rc = -EIO;
            }
            free(back);
            if (rc) {
                free(comp);
                return rc;
            }
        }
    }
    uint8_t *b = malloc(KPFS_HDR_SIZE + clen);
    if (!b) {
        free(comp);
        return -ENOMEM;
    }
    kpfs_header h = { .orig_size = size, .comp_size = clen,
                      .crc_orig = kpfs_crc32(data, size), .crc_comp = kpfs_crc32(comp, clen),
                      .plugin_sum = c->sum };
    memcpy(h.plugin, c->name, sizeof h.plugin);
    kpfs_header_encode(&h, b);
    if (clen)
        memcpy(b + KPFS_HDR_SIZE, comp, clen);
    free(comp);
    *blob = b;
    *blob_len = KPFS_HDR_SIZE + clen;
    return 0;
}

int kpfs_decode(kpfs_codec *c, const uint8_t *blob, size_t blob_len, size_t max,
                uint8_t **data, size_t *size, const char *what)
{
    kpfs_header h;
    if (blob_len < KPFS_HDR_SIZE || kpfs_header_decode(blob, &h)) {
        kpfs_log("%s: not a kplugfs file (no valid header)", what);
        return -EIO;
    }
    if (h.comp_size != blob_len - KPFS_HDR_SIZE) {
        kpfs_log("%s: backing file has %zu bytes of data, header says %llu", what,
                 blob_len - KPFS_HDR_SIZE, (unsigned long long)h.comp_size);
        return -EIO;
    }
    if (strcmp(h.plugin, c->name)) {
        kpfs_log("%s: written with plugin '%s', this mount uses '%s'", what, h.plugin, c->name);
        return -EIO;
    }
    if (h.orig_size > max) {
        kpfs_log("%s: %llu bytes, over this mount's --max-size", what,
                 (unsigned long long)h.orig_size);
        return -EFBIG;
    }
    const uint8_t *comp = blob + KPFS_HDR_SIZE;
    if (kpfs_crc32(comp, h.comp_size) != h.crc_comp) {
        kpfs_log("%s: compressed data damaged (CRC mismatch)", what);
        return -EIO;
    }
    *data = NULL;
    *size = 0;
    if (h.orig_size == 0)
        return h.comp_size ? -EIO : 0;
    uint8_t *d = malloc(h.orig_size);
    if (!d)
        return -ENOMEM;
    int rc = kpfs_decompress(c, comp, h.comp_size, d, h.orig_size, what);
    /* A new version of the plugin (another source checksum) may still read
     * the file; the CRC of the original bytes decides. */
    if (!rc && kpfs_crc32(d, h.orig_size) != h.crc_orig) {
        kpfs_log("%s: decompressed data differs from what was written (CRC)%s", what,
                 h.plugin_sum != c->sum ? "; written by another version of the plugin" : "");
        rc = -EIO;
    }
    if (rc) {
        free(d);
        return rc;
    }
    *data = d;
    *size = h.orig_size;
    return 0;
}

/* ---- files ----------------------------------------------------------------- */

static int read_all(int fd, uint8_t *p, size_t n, off_t off)
{
    while (n) {
        ssize_t r = pread(fd, p, n, off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -errno;
        if (r == 0)
            return -EIO; /* shrank under us */
        p += r;
        n -= (size_t)r;
        off += r;
    }
    return 0;
}

int kpfs_store_read(int dirfd, const char *rel, size_t max, uint8_t **blob, size_t *len)
{
    int fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -errno;
    struct stat st;
    int rc = 0;
    uint8_t *b = NULL;
    if (fstat(fd, &st)) {
        rc = -errno;
    } else if (!S_ISREG(st.st_mode)) {
        rc = S_ISDIR(st.st_mode) ? -EISDIR : -EIO;
    } else if ((uint64_t)st.st_size > max) {
        rc = -EFBIG;
    } else if (!(b = malloc(st.st_size ? (size_t)st.st_size : 1))) {
        rc = -ENOMEM;
    } else {
        rc = read_all(fd, b, (size_t)st.st_size, 0);
    }
    close(fd);
    if (rc) {
        free(b);
        return rc;
    }
    *blob = b;
    *len = (size_t)st.st_size;
    return 0;
}

int kpfs_store_header(int dirfd, const char *rel, kpfs_header *h)
{
    int fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -errno;
    uint8_t b[KPFS_HDR_SIZE];
    ssize_t r = pread(fd, b, sizeof b, 0);
    close(fd);
    if (r < 0)
        return -errno;
    return r == KPFS_HDR_SIZE && kpfs_header_decode(b, h) == 0 ? 0 : 1;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -errno;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int sync_dir(int dirfd, const char *dir)
{
    int fd = openat(dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int rc = fsync(fd) ? -errno : 0;
    close(fd);
    return rc;
}

int kpfs_store_write(int dirfd, const char *rel, const uint8_t *blob, size_t len,
                     const kpfs_attr *attr, int sync)
{
    static unsigned long counter;
    char dir[PATH_MAX], tmp[PATH_MAX + 64];
    const char *slash = strrchr(rel, '/');
    if (slash) {
        if ((size_t)(slash - rel) >= sizeof dir)
            return -ENAMETOOLONG;
        memcpy(dir, rel, (size_t)(slash - rel));
        dir[slash - rel] = 0;
    } else {
        strcpy(dir, ".");
    }
    /* The temporary file lives beside its target: rename is atomic only
     * within one file system, and the backing directory may span several. */
    snprintf(tmp, sizeof tmp, "%s/" KPFS_TMP_PREFIX "%ld.%lu", dir, (long)getpid(),
             __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
    int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    int rc = write_all(fd, blob, len);
    struct stat old;
    mode_t mode = 0644;
    uid_t uid = geteuid();
    gid_t gid = getegid();
    if (attr && attr->have_owner) {
        mode = attr->mode;
        uid = attr->uid;
        gid = attr->gid;
    } else if (fstatat(dirfd, rel, &old, AT_SYMLINK_NOFOLLOW) == 0) {
        mode = old.st_mode;
        uid = old.st_uid;
        gid = old.st_gid;
    }
    if (!rc && fchmod(fd, mode & 07777))
        rc = -errno;
    /* Only root can give files away; others keep their own files. */
    if (!rc && geteuid() == 0 && fchown(fd, uid, gid))
        rc = -errno;
    if (!rc && attr && attr->have_times && futimens(fd, attr->times))
        rc = -errno;
    if (!rc && sync && fsync(fd))
        rc = -errno;
    if (close(fd) && !rc)
        rc = -errno;
    if (!rc && renameat(dirfd, tmp, dirfd, rel))
        rc = -errno;
    if (rc) {
        unlinkat(dirfd, tmp, 0);
        return rc;
    }
    return sync ? sync_dir(dirfd, dir) : 0;
}
