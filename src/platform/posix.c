/* posix.c — platform.h on POSIX (Linux first). */
#define _GNU_SOURCE
#include "platform.h"

#include <pthread.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

void *kp_os_reserve(size_t size)
{
    void *p = mmap(NULL, size, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void kp_os_release(void *p, size_t size)
{
    if (p)
        munmap(p, size);
}

int kp_os_protect(void *p, size_t size, int rw)
{
    return mprotect(p, size, rw ? PROT_READ | PROT_WRITE : PROT_NONE) == 0 ? 0 : -1;
}

void kp_os_discard(void *p, size_t size)
{
    /* Private anonymous memory reads back as zeros after DONTNEED. */
    madvise(p, size, MADV_DONTNEED);
}

int kp_mutex_init(kp_mutex *mu)
{
    return pthread_mutex_init(&mu->m, NULL) == 0 ? 0 : -1;
}

void kp_mutex_destroy(kp_mutex *mu) { pthread_mutex_destroy(&mu->m); }
void kp_mutex_lock(kp_mutex *mu) { pthread_mutex_lock(&mu->m); }
void kp_mutex_unlock(kp_mutex *mu) { pthread_mutex_unlock(&mu->m); }

/* Linux's membarrier(2), private expedited: an IPI to each CPU running a
 * thread of this process, nothing for the others. */
#if defined(__linux__)
#include <linux/membarrier.h>
#include <sys/syscall.h>
#endif

static pthread_once_t mb_once = PTHREAD_ONCE_INIT;
static int mb_ok;

static void mb_init(void)
{
#if defined(__linux__) && defined(SYS_membarrier)
    long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    if (cmds > 0 && (cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED) &&
        syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0)
        mb_ok = 1;
#endif
}

int kp_os_membarrier_init(void)
{
    pthread_once(&mb_once, mb_init);
    return mb_ok;
}

int kp_os_membarrier(void)
{
#if defined(__linux__) && defined(SYS_membarrier)
    if (!mb_ok)
        return -1;
    if (syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0)
        return 0;
    /* A forked child is not registered (the registration belongs to the
     * parent's address space) although mb_ok was inherited. */
    if (syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0 &&
        syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0)
        return 0;
#endif
    return -1;
}

/* pthread_once has no argument, so the key being initialised is passed
 * through a thread-local (pthread_once runs the routine on this thread). */
static _Thread_local kp_tls_key *tls_initing;

static void tls_key_init(void)
{
    kp_tls_key *k = tls_initing;
    k->ok = pthread_key_create(&k->key, k->dtor) == 0;
}

int kp_os_tls_set(kp_tls_key *k, void *arg)
{
    tls_initing = k;
    pthread_once(&k->once, tls_key_init);
    if (!k->ok)
        return -1;
    return pthread_setspecific(k->key, arg) == 0 ? 0 : -1;
}

uint64_t kp_os_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void kp_os_sleep_us(unsigned us)
{
    struct timespec ts = { us / 1000000u, (long)(us % 1000000u) * 1000 };
    nanosleep(&ts, NULL);
}

/* initial-exec: kp_os_stack_floor runs on every call of a built-in, and
 * the default model in a -fPIC object is a __tls_get_addr call. */
#if defined(__GNUC__) && defined(__ELF__)
#define KP_OS_TLS_FAST __attribute__((tls_model("initial-exec")))
#else
#define KP_OS_TLS_FAST
#endif
static __thread uintptr_t stack_low_cache KP_OS_TLS_FAST;
static __thread size_t stack_size_cache KP_OS_TLS_FAST;
static __thread int stack_low_known KP_OS_TLS_FAST;

/* The first call on a thread asks pthreads; kept out of line so that the
 * callers' fast path saves no registers. */
static __attribute__((noinline)) uintptr_t stack_probe(void)
{
    uintptr_t low = 0;
    size_t total = 0;
#if defined(__linux__) && defined(__GLIBC__)
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        void *addr;
        size_t size;
        if (pthread_attr_getstack(&attr, &addr, &size) == 0 && size > 0) {
            low = (uintptr_t)addr;
            total = size;
        }
        pthread_attr_destroy(&attr);
    }
#endif
    stack_low_cache = low;
    stack_size_cache = total;
    stack_low_known = 1;
    return low;
}

uintptr_t kp_os_stack_low(void)
{
    if (__builtin_expect(stack_low_known, 1))
        return stack_low_cache;
    return stack_probe();
}

uintptr_t kp_os_stack_floor(size_t margin)
{
    uintptr_t low = kp_os_stack_low();
    if (!low)
        return 0;
    /* Small stacks get a proportional margin, or nothing would fit. */
    size_t quarter = stack_size_cache / 4;
    return low + (margin < quarter ? margin : quarter);
}
