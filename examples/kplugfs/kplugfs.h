/*
 * kplugfs.h — internal interface of kplugfs, the compressing FUSE file
 * system whose compressor is a kplug plugin (docs/kplugfs.md).
 *
 *   kplugfs.c   the FUSE operations, open files, options, main
 *   codec.c     the mount's plugin pair in its kplug runtime
 *   store.c     the on-disk format and atomic replacement of backing files
 *
 * Data flows: write() → open file's buffer → (flush) kpfs_encode: plugin
 * compress (+ verifying decompress) → kpfs_store_write: temp file + rename.
 * open() → kpfs_store_read → kpfs_decode: checks, plugin decompress →
 * buffer → read(). The plugins see only kplug memory; kplugfs alone
 * touches files.
 */
#ifndef KPLUGFS_H
#define KPLUGFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include <kplug.h>

/* ---- kplugfs.c ---------------------------------------------------------- */

/* One line to the mount's log (stderr, or --log FILE), prefixed "kplugfs: ".
 * Thread-safe. */
void kpfs_log(const char *fmt, ...) KP_PRINTF(1, 2);

/* ---- codec.c ------------------------------------------------------------ */

#define KPFS_NAME_MAX 31 /* plugin name bytes in the header (NUL-padded to 32) */

typedef struct kpfs_codec {
    kp_runtime *rt;
    kp_func *compress, *decompress;
    kp_func *bound;       /* optional compress_bound, or NULL */
    char name[KPFS_NAME_MAX + 1];
    uint64_t sum;         /* FNV-1a 64 of the plugin source: its version */
    unsigned timeout_ms;  /* deadline of every plugin call */
} kpfs_codec;

/* Compile the plugin source `src` (len bytes) under `name` in a new
 * runtime with `engine`, `mem` bytes of plugin memory and a deadline of
 * timeout_ms per call, and find its entries. On failure writes a message
 * to err (errlen bytes) and returns -1; the codec is then empty. */
int kpfs_codec_open(kpfs_codec *c, const char *name, const char *src, size_t len,
                    kp_engine engine, size_t mem, unsigned timeout_ms,
                    char *err, size_t errlen);
void kpfs_codec_close(kpfs_codec *c);

/* compress(in) into a new malloc'd buffer *out of *out_len bytes. Returns 0,
 * or -EIO (the plugin trapped, timed out or returned a bad length; logged
 * with `what`), -ENOMEM. The caller frees *out. */
int kpfs_compress(kpfs_codec *c, const uint8_t *in, size_t n, uint8_t **out,
                  size_t *out_len, const char *what);
/* decompress(in) into out, which must come out exactly orig bytes long.
 * Returns 0, -EIO (logged) or -ENOMEM. */
int kpfs_decompress(kpfs_codec *c, const uint8_t *in, size_t n, uint8_t *out,
                    size_t orig, const char *what);

/* ---- store.c ------------------------------------------------------------ */

/* Backing file = 96-byte header + the compressed bytes (docs/kplugfs.md):
 *    0  magic "KPLUGFS" 0x01        48  plugin name, NUL-padded (32)
 *    8  u32 header size (96)        80  u32 CRC-32 of bytes 0..79
 *   12  u32 flags (0)               84  reserved, zero (12)
 *   16  u64 original size
 *   24  u64 compressed size
 *   32  u32 CRC-32 of the original bytes
 *   36  u32 CRC-32 of the compressed bytes
 *   40  u64 plugin source checksum (FNV-1a 64)
 * All integers little-endian. */
#define KPFS_HDR_SIZE 96
#define KPFS_TMP_PREFIX ".kplugfs-tmp." /* in-flight replacements; hidden */

typedef struct kpfs_header {
    uint64_t orig_size, comp_size;
    uint32_t crc_orig, crc_comp, flags;
    uint64_t plugin_sum;
    char plugin[KPFS_NAME_MAX + 1];
} kpfs_header;

uint32_t kpfs_crc32(const void *p, size_t n);
uint64_t kpfs_fnv64(const void *p, size_t n);
void kpfs_header_encode(const kpfs_header *h, uint8_t out[KPFS_HDR_SIZE]);
/* 0 if `in` is a valid header, -1 if not (no magic, bad CRC or fields). */
int kpfs_header_decode(const uint8_t in[KPFS_HDR_SIZE], kpfs_header *h);

/* The whole backing file for `size` bytes of data: header + compress(data),
 * checked by decompressing it again when `verify` (a pair that does not
 * round-trip never reaches the disk). *blob is malloc'd. 0 or -errno. */
int kpfs_encode(kpfs_codec *c, const uint8_t *data, size_t size, int verify,
                uint8_t **blob, size_t *blob_len, const char *what);
/* The data of a backing file's contents: every check of the format, then
 * decompress. *data is malloc'd (NULL for an empty file). 0 or -EIO (logged,
 * also for a file kplugfs did not write) or -ENOMEM, -EFBIG (over max). */
int kpfs_decode(kpfs_codec *c, const uint8_t *blob, size_t blob_len, size_t max,
                uint8_t **data, size_t *size, const char *what);

/* Read backing file `rel` (relative to dirfd) whole; refuses files over
 * `max` bytes (-EFBIG). 0 or -errno. */
int kpfs_store_read(int dirfd, const char *rel, size_t max, uint8_t **blob, size_t *len);
/* The header of backing file `rel`: 0 with *h filled, 1 if the file has no
 * valid header (not written by kplugfs, or damaged), or -errno. */
int kpfs_store_header(int dirfd, const char *rel, kpfs_header *h);

/* Attributes for a replacement file. */
typedef struct kpfs_attr {
    int have_owner;              /* set mode/uid/gid below; else keep the
                                    existing file's (0644 and ours if none) */
    mode_t mode;
    uid_t uid;
    gid_t gid;
    int have_times;              /* set atime/mtime; else now */
    struct timespec times[2];
} kpfs_attr;

/* Replace backing file `rel` by `blob` atomically: write a temporary file
 * in the same directory, then rename it over `rel`, so that a reader or a
 * crash sees the old version or the new one, never a mix. `sync` also
 * fsyncs the file and its directory. 0 or -errno (the old version is
 * untouched and no temporary file is left). */
int kpfs_store_write(int dirfd, const char *rel, const uint8_t *blob, size_t len,
                     const kpfs_attr *attr, int sync);

#endif /* KPLUGFS_H */
