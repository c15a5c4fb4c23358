/*
 * platform.h — the thin OS layer under the runtime: address-space
 * reservation and protection, mutexes, thread-local storage, a monotonic
 * clock. POSIX today (posix.c); another host (a kernel) supplies its own
 * implementation of exactly these functions.
 */
#ifndef KP_PLATFORM_H
#define KP_PLATFORM_H

#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

/* C11 thread-local storage; every host we target has it. */
#define KP_THREAD_LOCAL _Thread_local

/* ---- memory ------------------------------------------------------------ */

/* Reserve `size` bytes of address space with no access and no commit
 * charge. Returns NULL on failure. */
void *kp_os_reserve(size_t size);
/* Give a reservation back. */
void kp_os_release(void *p, size_t size);
/* Make [p, p + size) readable and writable (rw = 1) or inaccessible
 * (rw = 0). Page-aligned. Returns 0 on success. Physical pages come on
 * first touch. */
int kp_os_protect(void *p, size_t size, int rw);
/* Drop the physical pages of [p, p + size) (page-aligned); the range stays
 * accessible and reads back as zeros. */
void kp_os_discard(void *p, size_t size);

/* ---- locks ----------------------------------------------------------- */

typedef struct kp_mutex {
    pthread_mutex_t m;
} kp_mutex;

int kp_mutex_init(kp_mutex *mu); /* 0 on success */
void kp_mutex_destroy(kp_mutex *mu);
void kp_mutex_lock(kp_mutex *mu);
void kp_mutex_unlock(kp_mutex *mu);

/* ---- thread-local destructors -------------------------------------------- */

/* Run dtor(arg) when the calling thread exits (one registration per thread
 * per key). Used to free per-thread buffers. Returns 0 on success. */
typedef struct kp_tls_key {
    pthread_once_t once;
    pthread_key_t key;
    void (*dtor)(void *);
    int ok;
} kp_tls_key;
#define KP_TLS_KEY_INIT(dtor) { PTHREAD_ONCE_INIT, 0, (dtor), 0 }
int kp_os_tls_set(kp_tls_key *k, void *arg);

/* ---- process-wide memory barrier ----------------------------------------- */

/* Prepare kp_os_membarrier (once per process; thread-safe). Returns 1 if
 * it is available, 0 if not (callers then need a fence on both sides). */
int kp_os_membarrier_init(void);
/* A full memory barrier on every thread of the process that is running
 * now (sleeping threads pass one when they are switched in): lets
 * frequent paths order their stores and loads with a compiler barrier
 * only. Returns 0, or -1 if it failed. Costs a system call (~0.5 us). */
int kp_os_membarrier(void);

/* ---- native stack -------------------------------------------------------- */

/* The lowest address of the calling thread's native stack (its overflow
 * end), or 0 if the platform cannot tell. Cached per thread: cheap after
 * the first call. Recursive code compares a local's address with it so
 * that deep input fails cleanly instead of overflowing a small host stack. */
uintptr_t kp_os_stack_low(void);
/* The address below which the calling thread should not recurse further:
 * the stack's low end plus `margin`, or a quarter of the stack if that is
 * smaller (so small host threads keep working). 0 if unknown. */
uintptr_t kp_os_stack_floor(size_t margin);

/* ---- time ---------------------------------------------------------------- */

/* Monotonic nanoseconds since an arbitrary origin. */
uint64_t kp_os_now_ns(void);
/* Let other threads run for about `us` microseconds. */
void kp_os_sleep_us(unsigned us);

#endif
