/*
 * kpfs_io.c — small I/O tool for the kplugfs tests (tests/kplugfs/run.sh).
 *
 *   kpfs_io gen KIND SIZE SEED   deterministic test data on stdout; KIND:
 *                                random, text, zeros, ramp, mixed
 *   kpfs_io write FILE           stdin to FILE (created or truncated);
 *                                reports a failing close(2) or fsync, which
 *                                the shell's redirections do not
 *   kpfs_io fsync FILE           stdin to FILE, then fsync before close
 *
 * Exit status 0, or 1 with "kpfs_io: STEP: strerror" on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t rng_state;

static uint32_t rng(void)
{
    /* xorshift64*: reproducible across machines, unlike rand(). */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

static void gen(const char *kind, long size, int part)
{
    static const char *words[] = { "the ", "plugin ", "runtime ", "segment ", "compress ",
                                   "file ", "of ", "a ", "kernel ", "when ", "VM ", "is ",
                                   "too ", "much", ".\n", ", " };
    long i = 0;
    while (i < size) {
        if (!strcmp(kind, "random")) {
            putchar((int)(rng() & 255));
            i++;
        } else if (!strcmp(kind, "text")) {
            const char *w = words[rng() % 16];
            for (; *w && i < size; w++, i++)
                putchar(*w);
        } else if (!strcmp(kind, "zeros")) {
            putchar(0);
            i++;
        } else if (!strcmp(kind, "ramp")) {
            /* A sawtooth with a step every 4 KiB: what delta coding likes. */
            putchar((int)((i + (i / 4096) * 17) & 255));
            i++;
        } else { /* mixed: 64 KiB blocks of the others */
            static const char *kinds[] = { "random", "text", "zeros", "ramp" };
            long n = size - i < 65536 ? size - i : 65536;
            gen(kinds[(i / 65536 + part) % 4], n, part);
            i += n;
        }
    }
}

static int copy_in(const char *file, int sync)
{
    int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        fprintf(stderr, "kpfs_io: open: %s\n", strerror(errno));
        return 1;
    }
    char buf[65536];
    ssize_t r;
    while ((r = read(0, buf, sizeof buf)) > 0) {
        for (ssize_t o = 0; o < r;) {
            ssize_t w = write(fd, buf + o, (size_t)(r - o));
            if (w < 0) {
                fprintf(stderr, "kpfs_io: write: %s\n", strerror(errno));
                close(fd);
                return 1;
            }
            o += w;
        }
    }
    if (sync && fsync(fd)) {
        fprintf(stderr, "kpfs_io: fsync: %s\n", strerror(errno));
        close(fd);
        return 1;
    }
    if (close(fd)) {
        fprintf(stderr, "kpfs_io: close: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && !strcmp(argv[1], "gen")) {
        rng_state = 0x9E3779B97F4A7C15ull ^ (uint64_t)strtoull(argv[4], NULL, 0);
        gen(argv[2], strtol(argv[3], NULL, 0), (int)(rng_state & 3));
        return fflush(stdout) ? 1 : 0;
    }
    if (argc == 3 && !strcmp(argv[1], "write"))
        return copy_in(argv[2], 0);
    if (argc == 3 && !strcmp(argv[1], "fsync"))
        return copy_in(argv[2], 1);
    fprintf(stderr, "usage: kpfs_io gen KIND SIZE SEED | write FILE | fsync FILE\n");
    return 2;
}
