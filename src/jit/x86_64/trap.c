/*
 * trap.c — faults in generated code become traps.
 *
 * SIGSEGV/SIGBUS/SIGFPE handlers are installed once per process (with
 * SA_ONSTACK, on a per-thread alternate stack the engine sets up when a
 * thread first enters generated code, if the thread has none). A fault is
 * ours iff the thread is inside a JIT call (thread-local frame) and the
 * faulting pc lies in the code reservation. Then the handler only records
 * the signal, pc, fault address and registers in the thread's jit_frame
 * (async-signal-safe: plain stores) and edits the context so that the
 * thread resumes in the signal stub on the entry trampoline's stack; the
 * stub's C continuation (jit_sig_continue, normal context) formats the
 * message, locates it through the module's pc map and returns the code.
 * Any other signal goes to the handler installed before ours, exactly as
 * the host set it up.
 */
#define _GNU_SOURCE
#include "../jit.h"

#if KP_JIT_AVAILABLE
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "../../platform/platform.h"

#define ALTSTACK_SIZE (64 * 1024)

__thread jit_frame *jit_tls_frame_ __attribute__((tls_model("initial-exec")));
__thread uintptr_t jit_tls_limit __attribute__((tls_model("initial-exec")));
__thread int jit_tls_ready_ __attribute__((tls_model("initial-exec")));

/* ---- registry of loaded modules ---- */

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static jit_module *reg_head;

void jit_registry_add(jit_module *jm)
{
    pthread_mutex_lock(&reg_lock);
    jm->prev = NULL;
    jm->next = reg_head;
    if (reg_head)
        reg_head->prev = jm;
    reg_head = jm;
    pthread_mutex_unlock(&reg_lock);
}

void jit_registry_remove(jit_module *jm)
{
    pthread_mutex_lock(&reg_lock);
    if (jm->prev)
        jm->prev->next = jm->next;
    else if (reg_head == jm)
        reg_head = jm->next;
    if (jm->next)
        jm->next->prev = jm->prev;
    jm->next = jm->prev = NULL;
    pthread_mutex_unlock(&reg_lock);
}

jit_module *jit_registry_find(uintptr_t pc)
{
    jit_module *r = NULL;
    pthread_mutex_lock(&reg_lock);
    for (jit_module *m = reg_head; m; m = m->next)
        if (pc >= (uintptr_t)m->code && pc < (uintptr_t)m->code + m->code_size) {
            r = m;
            break;
        }
    pthread_mutex_unlock(&reg_lock);
    return r;
}

/* ---- signals ---- */

static struct sigaction old_segv, old_bus, old_fpe;
static pthread_once_t sig_once = PTHREAD_ONCE_INIT;
static int sig_ok;

static struct sigaction *old_for(int sig)
{
    return sig == SIGSEGV ? &old_segv : sig == SIGBUS ? &old_bus : &old_fpe;
}

static void chain(int sig, siginfo_t *si, void *uc)
{
    struct sigaction *o = old_for(sig);
    if (o->sa_flags & SA_SIGINFO) {
        if (o->sa_sigaction) {
            o->sa_sigaction(sig, si, uc);
            return;
        }
    } else if (o->sa_handler == SIG_IGN) {
        return;
    } else if (o->sa_handler != SIG_DFL) {
        o->sa_handler(sig);
        return;
    }
    /* default action: restore it and let the signal happen again (a
     * synchronous fault re-executes; an asynchronous one is re-raised and
     * delivered once this handler returns) */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    if (si->si_code <= 0) /* sent by kill/raise/sigqueue */
        raise(sig);
}

static const int greg_of[16] = {
    REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
    REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15
};

static void handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    jit_frame *jf = jit_tls_frame_;
    uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    if (jf && jit_code_contains(pc) && jit_g.ok) {
        jf->sig = sig;
        jf->fault_pc = pc;
        jf->fault_addr = (uint64_t)(uintptr_t)si->si_addr;
        for (int i = 0; i < 16; i++)
            jf->regs[i] = (uint64_t)uc->uc_mcontext.gregs[greg_of[i]];
        uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)jit_g.sigstub;
        uc->uc_mcontext.gregs[REG_RSP] = (greg_t)(uintptr_t)jf;
        uc->uc_mcontext.gregs[REG_RDI] = (greg_t)(uintptr_t)jf;
        return;
    }
    chain(sig, si, ucv);
}

static void sig_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, &old_segv) != 0)
        return;
    if (sigaction(SIGBUS, &sa, &old_bus) != 0) {
        sigaction(SIGSEGV, &old_segv, NULL);
        return;
    }
    if (sigaction(SIGFPE, &sa, &old_fpe) != 0) {
        sigaction(SIGSEGV, &old_segv, NULL);
        sigaction(SIGBUS, &old_bus, NULL);
        return;
    }
    sig_ok = 1;
}

int jit_signals_init(void)
{
    pthread_once(&sig_once, sig_install);
    return sig_ok ? 0 : -1;
}

/* ---- per thread ---- */

static void altstack_free(void *p)
{
    stack_t cur;
    if (sigaltstack(NULL, &cur) == 0 && cur.ss_sp == p) {
        stack_t off;
        memset(&off, 0, sizeof off);
        off.ss_flags = SS_DISABLE;
        sigaltstack(&off, NULL);
    }
    munmap(p, ALTSTACK_SIZE);
}

static kp_tls_key altstack_key = KP_TLS_KEY_INIT(altstack_free);

int jit_thread_init_slow(void)
{
    stack_t cur;
    if (sigaltstack(NULL, &cur) != 0)
        return -1;
    if (cur.ss_flags & SS_DISABLE) {
        void *p = mmap(NULL, ALTSTACK_SIZE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return -1;
        stack_t ss;
        memset(&ss, 0, sizeof ss);
        ss.ss_sp = p;
        ss.ss_size = ALTSTACK_SIZE;
        if (sigaltstack(&ss, NULL) != 0) {
            munmap(p, ALTSTACK_SIZE);
            return -1;
        }
        if (kp_os_tls_set(&altstack_key, p) != 0) {
            /* cannot free it at thread exit: keep it for the thread's life */
        }
    }
    /* the native stack limit generated code checks at every entry */
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    uintptr_t limit = here > ((uintptr_t)256 << 10) ? here - ((uintptr_t)256 << 10) : 0;
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        void *addr;
        size_t size;
        if (pthread_attr_getstack(&attr, &addr, &size) == 0 && size > 0) {
            size_t margin = size >= ((size_t)1 << 20) ? ((size_t)128 << 10) : size / 2;
            limit = (uintptr_t)addr + margin;
        }
        pthread_attr_destroy(&attr);
    }
    /* Never below the built-in floor (it is not, with the margins above):
     * generated code calls built-ins without a check of its own, having
     * checked rsp against this limit at the function's entry (emit.c). */
    uintptr_t bfloor = kp_os_stack_floor(KP_BUILTIN_STACK_MARGIN);
    jit_tls_limit = limit > bfloor ? limit : bfloor;
    jit_tls_ready_ = 1;
    return 0;
}

/* The fs-relative offset of one of this file's initial-exec thread
 * locals, for generated code that reads it with an fs: prefix. */
static int32_t tls_offset(const void *var)
{
    uintptr_t tp;
    __asm__("mov %%fs:0, %0" : "=r"(tp));
    return (int32_t)((intptr_t)var - (intptr_t)tp);
}

int32_t jit_tls_frame_offset(void) { return tls_offset(&jit_tls_frame_); }
int32_t jit_tls_ready_offset(void) { return tls_offset(&jit_tls_ready_); }
int32_t jit_tls_limit_offset(void) { return tls_offset(&jit_tls_limit); }
#endif
