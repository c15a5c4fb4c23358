/*
 * kplugfs.c — a compressing file system on FUSE whose compressor is a kplug
 * plugin: the file-server example of "Kernel Plugins" (docs/kplugfs.md).
 *
 *   kplugfs BACKING MOUNTPOINT --plugin FILE.c [options] [FUSE options]
 *
 * Files are compressed whole. An open file lives in memory (an *open node*,
 * shared by every handle on that path); writes change the buffer, and
 * flush/fsync/release (and a truncate by path) compress the buffer and
 * replace the backing file atomically. Reads come from the buffer, which
 * open fills by decompressing the backing file.
 *
 * Locks, only ever taken in this order (so no two threads can wait for
 * each other):
 *   node->lock    one open file: its buffer, loading and committing. Plugin
 *                 calls run under it, so two files compress in parallel but
 *                 one file's handles wait for each other.
 *   ns_lock       the backing namespace: read-held while a backing file is
 *                 read or replaced, write-held by rename, unlink, rmdir and
 *                 attribute changes, so a commit never recreates a name
 *                 that was renamed or removed meanwhile. Plugin calls never
 *                 run under it.
 *   table_lock    the table of open nodes: paths, reference counts.
 */
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <fuse_lowlevel.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "kplugfs.h"

/* ---- configuration and log ------------------------------------------------ */

static struct {
    char *backing, *plugin, *name, *engine, *log;
    unsigned timeout_ms, mem_mb, max_mb;
    int no_verify, help, version;
} opt = { .timeout_ms = 10000, .mem_mb = 512, .max_mb = 64 };

static int backing_fd = -1;
static size_t max_size;
static kpfs_codec codec;
static FILE *log_file;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void kpfs_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&log_lock);
    FILE *f = log_file ? log_file : stderr;
    fputs("kplugfs: ", f);
    vfprintf(f, fmt, ap);
    fputc('\n', f);
    fflush(f);
    pthread_mutex_unlock(&log_lock);
    va_end(ap);
}

/* ---- paths ---------------------------------------------------------------- */

/* FUSE paths are absolute within the mount; backing paths are relative to
 * backing_fd, so the backing directory may even be the mount point itself. */
static const char *rel(const char *path)
{
    while (*path == '/')
        path++;
    return *path ? path : ".";
}

static int is_tmp_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    return strncmp(base, KPFS_TMP_PREFIX, sizeof KPFS_TMP_PREFIX - 1) == 0;
}

/* ---- open nodes ----------------------------------------------------------- */

typedef struct node {
    struct node *next;      /* table_lock */
    char *path;             /* relative; changes under ns_lock (write) + table_lock */
    unsigned refs;          /* table_lock: handles + transient pins */
    int unlinked;           /* table_lock: removed or replaced; never committed */
    pthread_mutex_t lock;
    int loaded, dirty;      /* node->lock from here on */
    uint8_t *data;
    size_t size, cap;
    size_t shown;           /* size for getattr, SIZE_MAX if not loaded;
                               atomic, so stat never waits for a commit */
    struct stat st;         /* backing attributes when loaded (for fstat of an
                               unlinked file) */
    kpfs_attr times;        /* utimens while dirty: applied at commit */
} node;

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t ns_lock = PTHREAD_RWLOCK_INITIALIZER;
static node *table;

static node *table_find(const char *path)
{
    for (node *n = table; n; n = n->next)
        if (!strcmp(n->path, path))
            return n;
    return NULL;
}

static void table_remove(node *n)
{
    for (node **p = &table; *p; p = &(*p)->next)
        if (*p == n) {
            *p = n->next;
            return;
        }
}

/* The node of `path`, pinned; created (not loaded) if `create`. NULL if
 * absent (and !create) or out of memory. */
static node *node_get(const char *path, int create)
{
    pthread_mutex_lock(&table_lock);
    node *n = table_find(path);
    if (!n && create && (n = calloc(1, sizeof *n))) {
        n->shown = SIZE_MAX;
        if ((n->path = strdup(path))) {
            pthread_mutex_init(&n->lock, NULL);
            n->next = table;
            table = n;
        } else {
            free(n);
            n = NULL;
        }
    }
    if (n)
        n->refs++;
    pthread_mutex_unlock(&table_lock);
    return n;
}

static void node_put(node *n)
{
    pthread_mutex_lock(&table_lock);
    int last = --n->refs == 0;
    if (last && !n->unlinked)
        table_remove(n);
    pthread_mutex_unlock(&table_lock);
    if (!last)
        return;
    pthread_mutex_destroy(&n->lock);
    free(n->data);
    free(n->path);
    free(n);
}

/* Show the node's current size to getattr. Called with n->lock after
 * every change of size or loaded state. */
static void publish(node *n)
{
    __atomic_store_n(&n->shown, n->loaded ? n->size : SIZE_MAX, __ATOMIC_RELEASE);
}

/* Fill an unloaded node from its backing file. Called with n->lock. */
static int node_load(node *n)
{
    if (n->loaded)
        return 0;
    uint8_t *blob = NULL, *data = NULL;
    size_t len = 0, size = 0;
    char *path = NULL;
    pthread_rwlock_rdlock(&ns_lock);
    pthread_mutex_lock(&table_lock);
    int rc = n->unlinked ? -ENOENT : 0;
    if (!rc && !(path = strdup(n->path)))
        rc = -ENOMEM;
    pthread_mutex_unlock(&table_lock);
    if (!rc)
        rc = kpfs_store_read(backing_fd, path, KPFS_HDR_SIZE + 2 * max_size + 64, &blob, &len);
    if (!rc && fstatat(backing_fd, path, &n->st, AT_SYMLINK_NOFOLLOW))
        rc = -errno;
    pthread_rwlock_unlock(&ns_lock);
    if (rc == -EFBIG)
        kpfs_log("%s: backing file too large for this mount (--max-size)", path);
    /* Decompressing runs outside ns_lock: a slow or stuck plugin must not
     * hold up renames and unlinks of other files. */
    if (!rc)
        rc = kpfs_decode(&codec, blob, len, max_size, &data, &size, path);
    free(blob);
    free(path);
    if (rc)
        return rc == -ENOENT || rc == -ENOMEM || rc == -EISDIR || rc == -EFBIG ? rc : -EIO;
    free(n->data);
    n->data = data;
    n->size = n->cap = size;
    n->loaded = 1;
    publish(n);
    return 0;
}

/* Make the node an empty file without reading the backing file (O_TRUNC,
 * truncate to 0, create). Called with n->lock. */
static void node_reset(node *n)
{
    n->size = 0;
    n->loaded = 1;
    publish(n);
}

static int node_resize(node *n, size_t size)
{
    if (size > max_size)
        return -EFBIG;
    if (size > n->cap) {
        size_t cap = n->cap ? n->cap : 4096;
        while (cap < size)
            cap = cap > max_size / 2 ? max_size : cap * 2;
        uint8_t *d = realloc(n->data, cap);
        if (!d)
            return -ENOMEM;
        n->data = d;
        n->cap = cap;
    }
    if (size > n->size)
        memset(n->data + n->size, 0, size - n->size);
    n->size = size;
    publish(n);
    return 0;
}

/* The changes of a failed commit are dropped: the file is again what its
 * backing file holds (reloaded at the next access), for every handle. A
 * file whose new content the plugin cannot store keeps its old content,
 * rather than showing other readers bytes that will never be saved. */
static void node_discard(node *n, const char *what)
{
    kpfs_log("%s: changes discarded; the file keeps its previous version", what);
    free(n->data);
    n->data = NULL;
    n->size = n->cap = 0;
    n->loaded = n->dirty = 0;
    n->times.have_times = 0;
    publish(n);
}

/* Compress the buffer and replace the backing file. Called with n->lock.
 * On failure the backing file keeps its previous version (node_discard). */
static int node_commit(node *n, int sync)
{
    if (!n->dirty)
        return 0;
    char what[PATH_MAX];
    pthread_mutex_lock(&table_lock);
    snprintf(what, sizeof what, "%s", n->path);
    pthread_mutex_unlock(&table_lock);
    uint8_t *blob = NULL;
    size_t len;
    char *path = NULL;
    int rc = kpfs_encode(&codec, n->data, n->size, !opt.no_verify, &blob, &len, what);
    if (!rc) {
        pthread_rwlock_rdlock(&ns_lock);
        pthread_mutex_lock(&table_lock);
        int gone = n->unlinked;
        path = gone ? NULL : strdup(n->path);
        pthread_mutex_unlock(&table_lock);
        if (gone)
            rc = 0; /* unlinked while open: its data goes with it */
        else if (!path)
            rc = -ENOMEM;
        else if ((rc = kpfs_store_write(backing_fd, path, blob, len, &n->times, sync)))
            kpfs_log("%s: cannot replace the backing file: %s", what, strerror(-rc));
        else
            fstatat(backing_fd, path, &n->st, AT_SYMLINK_NOFOLLOW);
        pthread_rwlock_unlock(&ns_lock);
    }
    free(path);
    free(blob);
    if (rc) {
        node_discard(n, what);
        return rc;
    }
    n->dirty = 0;
    n->times.have_times = 0;
    return 0;
}

static node *fh_node(const struct fuse_file_info *fi)
{
    return (node *)(uintptr_t)fi->fh;
}

/* ---- attributes ----------------------------------------------------------- */

static int kpfs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    if (!fi && is_tmp_name(path))
        return -ENOENT;
    node *n = fi ? fh_node(fi) : node_get(rel(path), 0);
    int loaded = 0;
    size_t size = 0;
    char *p;
    if (n) {
        size = __atomic_load_n(&n->shown, __ATOMIC_ACQUIRE);
        loaded = size != SIZE_MAX;
        pthread_mutex_lock(&table_lock);
        int gone = n->unlinked;
        p = gone ? NULL : strdup(n->path);
        pthread_mutex_unlock(&table_lock);
        if (gone) {
            /* fstat of an unlinked open file: its last known attributes. */
            pthread_mutex_lock(&n->lock);
            *st = n->st;
            pthread_mutex_unlock(&n->lock);
            st->st_nlink = 0;
            st->st_size = loaded ? (off_t)size : 0;
        }
        if (!fi)
            node_put(n);
        if (gone)
            return 0;
    } else {
        p = strdup(rel(path));
    }
    if (!p)
        return -ENOMEM;
    int rc = fstatat(backing_fd, p, st, AT_SYMLINK_NOFOLLOW) ? -errno : 0;
    if (!rc && S_ISREG(st->st_mode)) {
        kpfs_header h;
        /* The open buffer is the file's current content; otherwise the
         * header has the size. A file kplugfs did not write shows its raw
         * size (reading it gives EIO). */
        if (loaded)
            st->st_size = (off_t)size;
        else if (kpfs_store_header(backing_fd, p, &h) == 0)
            st->st_size = (off_t)h.orig_size;
    }
    free(p);
    return rc;
}

/* chmod, chown and utimens change the backing file under the namespace
 * lock, so a concurrent commit (which copies mode and owner to the new
 * version) sees either the old attributes or the new ones. */
static node *node_of(const char *path, struct fuse_file_info *fi)
{
    if (fi) {
        node *n = fh_node(fi);
        pthread_mutex_lock(&table_lock);
        n->refs++;
        pthread_mutex_unlock(&table_lock);
        return n;
    }
    return node_get(rel(path), 0);
}

/* The backing path of an operation: the FUSE path, or the open node's path
 * (nullpath_ok gives none for operations on handles). Caller holds ns_lock
 * and frees the result. NULL: unlinked (errno ENOENT) or ENOMEM. */
static char *backing_path(const char *path, node *n)
{
    if (path)
        return strdup(rel(path));
    pthread_mutex_lock(&table_lock);
    char *p = n->unlinked ? NULL : strdup(n->path);
    pthread_mutex_unlock(&table_lock);
    if (!p && n->unlinked)
        errno = ENOENT;
    return p;
}

static int kpfs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    node *n = fi ? node_of(path, fi) : NULL;
    pthread_rwlock_wrlock(&ns_lock);
    char *p = backing_path(path, n);
    int rc = !p ? -errno : fchmodat(backing_fd, p, mode, AT_SYMLINK_NOFOLLOW) ? -errno : 0;
    pthread_rwlock_unlock(&ns_lock);
    free(p);
    if (n)
        node_put(n);
    return rc;
}

static int kpfs_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
    node *n = fi ? node_of(path, fi) : NULL;
    pthread_rwlock_wrlock(&ns_lock);
    char *p = backing_path(path, n);
    int rc = !p ? -errno : fchownat(backing_fd, p, uid, gid, AT_SYMLINK_NOFOLLOW) ? -errno : 0;
    pthread_rwlock_unlock(&ns_lock);
    free(p);
    if (n)
        node_put(n);
    return rc;
}

static int kpfs_utimens(const char *path, const struct timespec tv[2],
                        struct fuse_file_info *fi)
{
    node *n = node_of(path, fi);
    /* A dirty open file gets a new backing file at its next commit: keep
     * the times (UTIME_NOW and UTIME_OMIT included) to give them to it. */
    if (n) {
        pthread_mutex_lock(&n->lock);
        if (n->dirty) {
            n->times.times[0] = tv[0];
            n->times.times[1] = tv[1];
            n->times.have_times = 1;
        }
        pthread_mutex_unlock(&n->lock);
    }
    pthread_rwlock_wrlock(&ns_lock);
    char *p = backing_path(fi ? NULL : path, n);
    int rc = !p ? -errno : utimensat(backing_fd, p, tv, AT_SYMLINK_NOFOLLOW) ? -errno : 0;
    pthread_rwlock_unlock(&ns_lock);
    free(p);
    if (n)
        node_put(n);
    return rc;
}

static int kpfs_statfs(const char *path, struct statvfs *sv)
{
    return fstatvfs(backing_fd, sv) ? -errno : 0;
}

/* ---- directories ---------------------------------------------------------- */

/* A directory handle is a descriptor of the backing directory: nullpath_ok
 * gives readdir no path, and the directory may be renamed while open. */
static int kpfs_opendir(const char *path, struct fuse_file_info *fi)
{
    int fd = openat(backing_fd, rel(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    fi->fh = (uint64_t)fd;
    return 0;
}

static int kpfs_releasedir(const char *path, struct fuse_file_info *fi)
{
    close((int)fi->fh);
    return 0;
}

static int kpfs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
                        struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    int fd = dup((int)fi->fh);
    if (fd < 0)
        return -errno;
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return -errno;
    }
    /* The whole listing in one pass (offset 0 to fill): rewind the shared
     * position left by an earlier listing of the same handle. */
    rewinddir(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (is_tmp_name(e->d_name))
            continue;
        struct stat st;
        memset(&st, 0, sizeof st);
        st.st_ino = e->d_ino;
        st.st_mode = (mode_t)DTTOIF(e->d_type);
        if (fill(buf, e->d_name, &st, 0, 0))
            break;
    }
    closedir(d);
    return 0;
}

/* New names belong to the caller, as on a local file system (we run as
 * root; an unprivileged kplugfs owns everything anyway). */
static void give_to_caller(const char *r)
{
    struct fuse_context *cx = fuse_get_context();
    if (geteuid() == 0 && cx)
        fchownat(backing_fd, r, cx->uid, cx->gid, AT_SYMLINK_NOFOLLOW);
}

static int kpfs_mkdir(const char *path, mode_t mode)
{
    if (is_tmp_name(path))
        return -EINVAL;
    if (mkdirat(backing_fd, rel(path), mode))
        return -errno;
    give_to_caller(rel(path));
    return 0;
}

static int kpfs_rmdir(const char *path)
{
    pthread_rwlock_wrlock(&ns_lock);
    int rc = unlinkat(backing_fd, rel(path), AT_REMOVEDIR) ? -errno : 0;
    pthread_rwlock_unlock(&ns_lock);
    return rc;
}

/* Mark the open node of `r` (if any) as gone. Called with ns_lock (write). */
static void forget(const char *r)
{
    pthread_mutex_lock(&table_lock);
    node *n = table_find(r);
    if (n) {
        n->unlinked = 1;
        table_remove(n);
    }
    pthread_mutex_unlock(&table_lock);
}

static int kpfs_unlink(const char *path)
{
    pthread_rwlock_wrlock(&ns_lock);
    int rc = unlinkat(backing_fd, rel(path), 0) ? -errno : 0;
    if (!rc)
        forget(rel(path));
    pthread_rwlock_unlock(&ns_lock);
    return rc;
}

static int kpfs_rename(const char *from, const char *to, unsigned int flags)
{
    const char *f = rel(from), *t = rel(to);
    /* Swapping two names would need both nodes swapped too; rare enough
     * to refuse. */
    if (flags & RENAME_EXCHANGE)
        return -EINVAL;
    if (is_tmp_name(to))
        return -EINVAL;
    if (!strcmp(f, t))
        return 0;
    pthread_rwlock_wrlock(&ns_lock);
    int rc = renameat2(backing_fd, f, backing_fd, t, flags) ? -errno : 0;
    if (!rc) {
        forget(t);
        size_t fl = strlen(f);
        pthread_mutex_lock(&table_lock);
        /* Open files at `from` or below it (a directory) move along. */
        for (node *n = table; n; n = n->next) {
            if (strncmp(n->path, f, fl) || (n->path[fl] && n->path[fl] != '/'))
                continue;
            char *np = malloc(strlen(t) + strlen(n->path + fl) + 1);
            if (!np) {
                n->unlinked = 1; /* cannot follow it: never write the old name */
                continue;
            }
            strcpy(np, t);
            strcat(np, n->path + fl);
            free(n->path);
            n->path = np;
        }
        for (node **p = &table; *p;)
            if ((*p)->unlinked)
                *p = (*p)->next;
            else
                p = &(*p)->next;
        pthread_mutex_unlock(&table_lock);
    }
    pthread_rwlock_unlock(&ns_lock);
    return rc;
}

/* ---- files ---------------------------------------------------------------- */

static int kpfs_open(const char *path, struct fuse_file_info *fi);

static int kpfs_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    const char *r = rel(path);
    if (is_tmp_name(path))
        return -EINVAL;
    struct stat st;
    if (fstatat(backing_fd, r, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (fi->flags & O_EXCL)
            return -EEXIST;
        return kpfs_open(path, fi); /* the kernel's view was stale */
    }
    struct fuse_context *cx = fuse_get_context();
    kpfs_attr a = { .have_owner = 1, .mode = mode, .uid = cx ? cx->uid : geteuid(),
                    .gid = cx ? cx->gid : getegid() };
    uint8_t *blob;
    size_t len;
    int rc = kpfs_encode(&codec, NULL, 0, 0, &blob, &len, r);
    if (rc)
        return rc;
    pthread_rwlock_rdlock(&ns_lock);
    rc = kpfs_store_write(backing_fd, r, blob, len, &a, 0);
    pthread_rwlock_unlock(&ns_lock);
    free(blob);
    if (rc)
        return rc;
    node *n = node_get(r, 1);
    if (!n)
        return -ENOMEM;
    pthread_mutex_lock(&n->lock);
    if (!n->loaded) {
        node_reset(n);
        fstatat(backing_fd, r, &n->st, AT_SYMLINK_NOFOLLOW);
    }
    pthread_mutex_unlock(&n->lock);
    fi->fh = (uintptr_t)n;
    return 0;
}

static int kpfs_open(const char *path, struct fuse_file_info *fi)
{
    node *n = node_get(rel(path), 1);
    if (!n)
        return -ENOMEM;
    pthread_mutex_lock(&n->lock);
    int rc = 0;
    if (fi->flags & O_TRUNC) {
        /* The old content is discarded: no need to read it (so O_TRUNC
         * also replaces a file kplugfs cannot read). */
        if (!n->loaded)
            fstatat(backing_fd, rel(path), &n->st, AT_SYMLINK_NOFOLLOW);
        node_reset(n);
        n->dirty = 1;
    } else {
        rc = node_load(n);
    }
    pthread_mutex_unlock(&n->lock);
    if (rc) {
        node_put(n);
        return rc;
    }
    fi->fh = (uintptr_t)n;
    return 0;
}

static int kpfs_read(const char *path, char *buf, size_t size, off_t off,
                     struct fuse_file_info *fi)
{
    node *n = fh_node(fi);
    pthread_mutex_lock(&n->lock);
    size_t got = 0;
    int rc = node_load(n);
    if (rc) {
        pthread_mutex_unlock(&n->lock);
        return rc;
    }
    if ((uint64_t)off < n->size) {
        got = n->size - (size_t)off < size ? n->size - (size_t)off : size;
        memcpy(buf, n->data + off, got);
    }
    pthread_mutex_unlock(&n->lock);
    return (int)got;
}

static int kpfs_write(const char *path, const char *buf, size_t size, off_t off,
                      struct fuse_file_info *fi)
{
    node *n = fh_node(fi);
    if (off < 0 || (uint64_t)off > max_size || size > max_size - (size_t)off)
        return -EFBIG;
    pthread_mutex_lock(&n->lock);
    size_t end = (size_t)off + size;
    int rc = node_load(n);
    if (!rc && end > n->size)
        rc = node_resize(n, end);
    if (!rc && size) {
        memcpy(n->data + off, buf, size);
        n->dirty = 1;
    }
    pthread_mutex_unlock(&n->lock);
    return rc ? rc : (int)size;
}

static int kpfs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
    if (size < 0)
        return -EINVAL;
    if ((uint64_t)size > max_size)
        return -EFBIG;
    node *n;
    if (fi) {
        n = fh_node(fi);
    } else {
        struct stat st;
        if (fstatat(backing_fd, rel(path), &st, AT_SYMLINK_NOFOLLOW))
            return -errno;
        if (S_ISDIR(st.st_mode))
            return -EISDIR;
        if (!(n = node_get(rel(path), 1)))
            return -ENOMEM;
    }
    pthread_mutex_lock(&n->lock);
    int rc = 0;
    if (size == 0)
        node_reset(n);
    else
        rc = node_load(n);
    if (!rc && (rc = node_resize(n, (size_t)size)) == 0)
        n->dirty = 1;
    /* truncate(2) by name has no close to report a failure at: commit now. */
    if (!rc && !fi)
        rc = node_commit(n, 0);
    pthread_mutex_unlock(&n->lock);
    if (!fi)
        node_put(n);
    return rc;
}

static int kpfs_flush(const char *path, struct fuse_file_info *fi)
{
    node *n = fh_node(fi);
    pthread_mutex_lock(&n->lock);
    int rc = node_commit(n, 0);
    pthread_mutex_unlock(&n->lock);
    return rc;
}

static int kpfs_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
    node *n = fh_node(fi);
    pthread_mutex_lock(&n->lock);
    int rc;
    if (n->dirty) {
        rc = node_commit(n, 1);
    } else {
        /* Nothing new to write: make sure what is there is on disk. */
        pthread_rwlock_rdlock(&ns_lock);
        char *p = backing_path(NULL, n);
        int fd = p ? openat(backing_fd, p, O_RDONLY | O_CLOEXEC) : -1;
        rc = fd < 0 ? (p ? -errno : 0) : fsync(fd) ? -errno : 0;
        if (fd >= 0)
            close(fd);
        pthread_rwlock_unlock(&ns_lock);
        free(p);
    }
    pthread_mutex_unlock(&n->lock);
    return rc;
}

static int kpfs_release(const char *path, struct fuse_file_info *fi)
{
    node *n = fh_node(fi);
    pthread_mutex_lock(&n->lock);
    node_commit(n, 0); /* logged; close(2) already saw flush's result */
    pthread_mutex_unlock(&n->lock);
    node_put(n);
    return 0;
}

static void *kpfs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
    /* Open files are found through their handle, so handles need no path.
     * hard_remove stays off: with it, fstat of an unlinked open file
     * fails (ESTALE), so libfuse keeps such a file under a hidden name
     * (.fuse_hiddenXXX, renamed through kpfs_rename) until its last close. */
    cfg->nullpath_ok = 1;
    cfg->use_ino = 0;
    return NULL;
}

static const struct fuse_operations kpfs_ops = {
    .init = kpfs_init,
    .getattr = kpfs_getattr,
    .opendir = kpfs_opendir,
    .readdir = kpfs_readdir,
    .releasedir = kpfs_releasedir,
    .mkdir = kpfs_mkdir,
    .rmdir = kpfs_rmdir,
    .unlink = kpfs_unlink,
    .rename = kpfs_rename,
    .chmod = kpfs_chmod,
    .chown = kpfs_chown,
    .utimens = kpfs_utimens,
    .statfs = kpfs_statfs,
    .create = kpfs_create,
    .open = kpfs_open,
    .read = kpfs_read,
    .write = kpfs_write,
    .truncate = kpfs_truncate,
    .flush = kpfs_flush,
    .fsync = kpfs_fsync,
    .release = kpfs_release,
};

/* ---- command line --------------------------------------------------------- */

static const char usage_text[] =
    "usage: kplugfs BACKING MOUNTPOINT --plugin FILE.c [options] [FUSE options]\n"
    "\n"
    "Mounts directory BACKING at MOUNTPOINT; file contents pass through the\n"
    "plugin's compress (on write) and decompress (on read) functions.\n"
    "\n"
    "  --plugin FILE.c     the plugin source: exports int compress(...) and\n"
    "                      int decompress(...) (see docs/kplugfs.md)\n"
    "  --name NAME         the plugin's name in the file headers (default:\n"
    "                      FILE's base name without .c)\n"
    "  --engine E          jit, interp or default\n"
    "  --timeout MS        deadline of each plugin call (default 10000)\n"
    "  --mem MB            the plugin runtime's memory (default 512)\n"
    "  --max-size MB       largest file (default 64)\n"
    "  --no-verify         do not check each compressed file by decompressing it\n"
    "  --log FILE          append messages to FILE instead of stderr\n"
    "  -f                  stay in the foreground; -s single-threaded; -d debug\n"
    "  -o OPT[,OPT...]     FUSE mount options (e.g. allow_other)\n"
    "  --version, --help\n"
    "\n"
    "Unmount with fusermount3 -u MOUNTPOINT.\n";

#define KPFS_OPT(t, f, v) { t, offsetof(__typeof__(opt), f), v }
enum { KEY_HELP, KEY_VERSION };
static const struct fuse_opt kpfs_opts[] = {
    KPFS_OPT("--plugin=%s", plugin, 0), KPFS_OPT("--plugin %s", plugin, 0),
    KPFS_OPT("--name=%s", name, 0), KPFS_OPT("--name %s", name, 0),
    KPFS_OPT("--engine=%s", engine, 0), KPFS_OPT("--engine %s", engine, 0),
    KPFS_OPT("--log=%s", log, 0), KPFS_OPT("--log %s", log, 0),
    KPFS_OPT("--timeout=%u", timeout_ms, 0), KPFS_OPT("--timeout %u", timeout_ms, 0),
    KPFS_OPT("--mem=%u", mem_mb, 0), KPFS_OPT("--mem %u", mem_mb, 0),
    KPFS_OPT("--max-size=%u", max_mb, 0), KPFS_OPT("--max-size %u", max_mb, 0),
    KPFS_OPT("--no-verify", no_verify, 1),
    FUSE_OPT_KEY("--help", KEY_HELP), FUSE_OPT_KEY("-h", KEY_HELP),
    FUSE_OPT_KEY("--version", KEY_VERSION), FUSE_OPT_KEY("-V", KEY_VERSION),
    FUSE_OPT_END
};

static int opt_proc(void *data, const char *arg, int key, struct fuse_args *out)
{
    switch (key) {
    case KEY_HELP: opt.help = 1; return 0;
    case KEY_VERSION: opt.version = 1; return 0;
    case FUSE_OPT_KEY_NONOPT:
        /* The first plain argument is ours; the mount point goes to FUSE. */
        if (!opt.backing) {
            opt.backing = strdup(arg);
            return 0;
        }
        return 1;
    default: return 1;
    }
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0, r;
    char *buf = malloc(cap);
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    if (buf && ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* --name default: the plugin file's base name without ".c". */
static char *default_name(const char *file)
{
    const char *b = strrchr(file, '/');
    char *name = strdup(b ? b + 1 : file);
    size_t n = name ? strlen(name) : 0;
    if (n > 2 && !strcmp(name + n - 2, ".c"))
        name[n - 2] = 0;
    return name;
}

int main(int argc, char **argv)
{
    struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
    struct fuse_cmdline_opts fo;
    struct fuse *fuse = NULL;
    char *src = NULL, *name = NULL;
    char err[4096];
    size_t len;
    int st = 100;
    memset(&fo, 0, sizeof fo);
    if (fuse_opt_parse(&args, &opt, kpfs_opts, opt_proc))
        goto out;
    if (opt.help || opt.version) {
        if (opt.help)
            fputs(usage_text, stdout);
        else
            printf("kplugfs (kplug %s, FUSE %d)\n", kp_version_string(), fuse_version());
        st = 0;
        goto out;
    }
    if (fuse_parse_cmdline(&args, &fo))
        goto out;
    if (!opt.backing || !fo.mountpoint || !opt.plugin) {
        fprintf(stderr, "kplugfs: %s\n%s",
                !opt.plugin && opt.backing && fo.mountpoint ? "--plugin is required"
                                                            : "BACKING and MOUNTPOINT are required",
                usage_text);
        goto out;
    }
    kp_engine engine = KP_ENGINE_DEFAULT;
    if (opt.engine && !strcmp(opt.engine, "jit"))
        engine = KP_ENGINE_JIT;
    else if (opt.engine && !strcmp(opt.engine, "interp"))
        engine = KP_ENGINE_INTERP;
    else if (opt.engine && strcmp(opt.engine, "default")) {
        fprintf(stderr, "kplugfs: --engine must be jit, interp or default\n");
        goto out;
    }
    if (opt.max_mb == 0 || opt.max_mb > 1024 || opt.mem_mb == 0 || opt.mem_mb > 3072) {
        fprintf(stderr, "kplugfs: --max-size must be 1..1024 and --mem 1..3072 (MB)\n");
        goto out;
    }
    max_size = (size_t)opt.max_mb << 20;
    st = 103;
    if (opt.log && !(log_file = fopen(opt.log, "a"))) {
        fprintf(stderr, "kplugfs: cannot open %s: %s\n", opt.log, strerror(errno));
        goto out;
    }
    backing_fd = open(opt.backing, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (backing_fd < 0) {
        fprintf(stderr, "kplugfs: cannot open directory %s: %s\n", opt.backing, strerror(errno));
        goto out;
    }
    if (!(src = read_file(opt.plugin, &len))) {
        fprintf(stderr, "kplugfs: cannot read %s: %s\n", opt.plugin, strerror(errno));
        goto out;
    }
    name = opt.name ? strdup(opt.name) : default_name(opt.plugin);
    /* Compile before mounting, so a broken plugin is an error message, not
     * a mount where every file fails. */
    if (!name || kpfs_codec_open(&codec, name, src, len, engine, (size_t)opt.mem_mb << 20,
                                 opt.timeout_ms, err, sizeof err)) {
        fprintf(stderr, "kplugfs: %s: %s\n", opt.plugin, name ? err : "out of memory");
        st = 101;
        goto out;
    }
    if (!(fuse = fuse_new(&args, &kpfs_ops, sizeof kpfs_ops, NULL)))
        goto out;
    if (fuse_mount(fuse, fo.mountpoint))
        goto out;
    /* From here on stderr may be /dev/null: messages go to --log. */
    if (fuse_daemonize(fo.foreground) || fuse_set_signal_handlers(fuse_get_session(fuse)))
        goto unmount;
    kpfs_log("mounted %s on %s with plugin %s (%s, engine %s)", opt.backing, fo.mountpoint,
             codec.name, opt.plugin,
             kp_runtime_engine(codec.rt) == KP_ENGINE_JIT ? "jit" : "interp");
    st = (fo.singlethread ? fuse_loop(fuse) : fuse_loop_mt(fuse, 0)) ? 103 : 0;
    fuse_remove_signal_handlers(fuse_get_session(fuse));
    kpfs_log("unmounted %s", fo.mountpoint);
unmount:
    fuse_unmount(fuse);
out:
    if (fuse)
        fuse_destroy(fuse);
    kpfs_codec_close(&codec);
    if (backing_fd >= 0)
        close(backing_fd);
    free(src);
    free(name);
    free(fo.mountpoint);
    free(opt.backing);
    free(opt.plugin);
    free(opt.name);
    free(opt.engine);
    free(opt.log);
    fuse_opt_free_args(&args);
    if (log_file)
        fclose(log_file);
    return st;
}
