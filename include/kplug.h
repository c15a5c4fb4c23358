/*
 * kplug.h — the public API of kplug, a plugin runtime for C hosts.
 *
 * A host creates one *runtime* per extensible entity (a client, a server
 * instance). A runtime owns a private block of memory (its *segment*), a
 * namespace of functions, and the code compiled into it. Plugins are C
 * source compiled at run time; built-ins are host C callbacks. Inside a
 * runtime both are called the same way. Nothing in one runtime can name or
 * reach anything in another.
 *
 * Conventions used throughout:
 *  - Functions that can fail return an int result code: KP_OK (0) or a
 *    negative KP_ERR_* / KP_TRAP_* code. After a failure, kp_last_error()
 *    on the same thread describes it (message, plugin, function, line).
 *  - The library never prints, never calls exit() or abort() on bad input,
 *    and frees everything it allocated on every error path.
 *  - "Plugin pointers" (kp_ptr) are 32-bit offsets into a runtime's segment.
 *    Offset 0 and the whole first page are never valid, so a NULL plugin
 *    pointer dereference traps.
 *  - Thread safety: every function taking a kp_runtime may be called from
 *    several threads at once on the same runtime, unless its comment says
 *    otherwise. kp_runtime_destroy must not race with any other use of the
 *    same runtime.
 */
#ifndef KPLUG_H
#define KPLUG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define KP_API __attribute__((visibility("default")))
#define KP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define KP_API
#define KP_PRINTF(f, a)
#endif

/* ------------------------------------------------------------------ */
/* Version                                                              */
/* ------------------------------------------------------------------ */

#define KP_VERSION_MAJOR 0
#define KP_VERSION_MINOR 1
#define KP_VERSION_PATCH 0
/* MAJOR*1000000 + MINOR*1000 + PATCH, comparable with kp_version(). */
#define KP_VERSION_NUMBER \
    (KP_VERSION_MAJOR * 1000000 + KP_VERSION_MINOR * 1000 + KP_VERSION_PATCH)
#define KP_VERSION_STRING "0.1.0"

/* The version number of the library actually linked (KP_VERSION_NUMBER of
 * the build). Compare with KP_VERSION_NUMBER to detect header/library skew. */
KP_API int kp_version(void);
/* The same as a static string such as "0.1.0". Never NULL, never freed. */
KP_API const char *kp_version_string(void);

/* ------------------------------------------------------------------ */
/* Result codes                                                         */
/* ------------------------------------------------------------------ */

enum {
    KP_OK = 0,

    /* Errors of the API call itself: nothing ran. */
    KP_ERR_ARG = -1,        /* invalid argument or API misuse */
    KP_ERR_NOMEM = -2,      /* host memory allocation failed */
    KP_ERR_COMPILE = -3,    /* plugin source rejected; message lists every diagnostic */
    KP_ERR_LIMIT = -4,      /* a configured limit was reached (source size,
                               nesting, functions, plugins, code size,
                               memory; the message names the limit) */
    KP_ERR_NOT_FOUND = -5,  /* no such name in the namespace */
    KP_ERR_EXISTS = -6,     /* the name is already taken */
    KP_ERR_SIGNATURE = -7,  /* arguments do not match the function's prototype */
    KP_ERR_NOMEM_PLUGIN = -8, /* the runtime's segment is full (memory limit) */

    /* Traps: a plugin call started and was stopped. The runtime stays
     * usable; the message names plugin, function and source line. */
    KP_TRAP_MEMORY = -20,      /* access outside the runtime's valid memory (incl. NULL) */
    KP_TRAP_DIV = -21,         /* integer division by zero, or INT_MIN / -1 */
    KP_TRAP_STACK = -22,       /* plugin stack or call depth exhausted */
    KP_TRAP_UNLINKED = -23,    /* call to a name that was deleted or never defined */
    KP_TRAP_BAD_CALL = -24,    /* call through an invalid function pointer, or
                                  prototype mismatch between caller and callee */
    KP_TRAP_TIMEOUT = -25,     /* the call's deadline passed */
    KP_TRAP_INTERRUPTED = -26, /* kp_interrupt() stopped the call */
    KP_TRAP_BUILTIN = -27,     /* a built-in failed the call (kp_fail()) */
    KP_TRAP_FUEL = -28         /* the call's fuel budget (kp_call_opts.fuel) ran out */
};

/* A short constant name for a result code, e.g. "KP_TRAP_MEMORY".
 * Unknown codes give "KP_UNKNOWN". Never NULL, never freed. */
KP_API const char *kp_result_name(int code);

/* Detail of the last failure on the calling thread. */
typedef struct kp_error {
    int code;              /* the result code returned */
    const char *message;   /* full text; for compile errors every diagnostic,
                              one per line as "name:line:col: error: text"
                              followed by the source line and a caret line */
    const char *plugin;    /* plugin name, or "" when none applies */
    const char *function;  /* function name, or "" when none applies */
    int line, column;      /* 1-based source position, 0 when none applies */
} kp_error;

/* The last failure of any kp_* call made by the calling thread. The
 * pointers stay valid until the next kp_* call on this thread that fails
 * (successful calls leave it unchanged). Never NULL; code is KP_OK if
 * nothing failed yet. */
KP_API const kp_error *kp_last_error(void);
/* Shorthand for kp_last_error()->message. */
KP_API const char *kp_errmsg(void);

/* ------------------------------------------------------------------ */
/* Runtimes                                                             */
/* ------------------------------------------------------------------ */

typedef struct kp_runtime kp_runtime;

typedef enum kp_engine {
    KP_ENGINE_DEFAULT = 0, /* the JIT where there is one, else the interpreter */
    KP_ENGINE_INTERP = 1,  /* the portable interpreter */
    KP_ENGINE_JIT = 2      /* native x86-64 code */
} kp_engine;

/* Runtime configuration. Initialise with kp_config_init() and change only
 * the fields you care about; 0 in a field means "the default". */
typedef struct kp_config {
    size_t mem_limit;       /* bytes of plugin memory: globals, heap, stacks,
                               exchange buffers (default 64 MiB, max 3 GiB,
                               min 64 KiB + stack_size + 4 KiB) */
    size_t stack_size;      /* plugin stack per calling thread (default 1 MiB,
                               4 KiB .. 1 GiB) */
    unsigned max_call_depth;/* nested plugin calls per host call (default 10000) */
    unsigned deadline_ms;   /* default deadline of each host call; 0 = none */
    kp_engine engine;       /* KP_ENGINE_JIT: KP_ERR_ARG where there is no
                               JIT (only x86-64 Linux has one) */
    size_t max_source;      /* bytes of one plugin source (default 16 MiB) */
    unsigned max_nesting;   /* nesting of expressions/statements/includes (default 256) */
    unsigned max_functions; /* functions in one plugin (default 10000) */
    unsigned max_plugins;   /* plugins + built-ins in the namespace (default 65536) */
    size_t max_code_bytes;  /* engine code + IR kept for all linked plugins
                               (default 256 MiB); KP_ERR_LIMIT at add/replace */
} kp_config;

/* Fill *cfg with the defaults. */
KP_API void kp_config_init(kp_config *cfg);

/* Create a runtime. cfg may be NULL for all defaults. On success *out is a
 * new runtime whose namespace holds exactly the default built-ins create,
 * lookup and delete (see docs/api.md). The caller owns it and frees it with
 * kp_runtime_destroy. On failure *out is NULL.
 * Errors: KP_ERR_ARG (out NULL, bad config), KP_ERR_NOMEM. */
KP_API int kp_runtime_create(const kp_config *cfg, kp_runtime **out);

/* Destroy a runtime: runs remaining cleanup, frees its segment, code and
 * namespace. Every kp_func and plugin pointer of it becomes invalid.
 * Destroying NULL is a no-op. Must not be called while a call into this
 * runtime is in flight. */
KP_API void kp_runtime_destroy(kp_runtime *rt);

/* The engine the runtime actually uses (never KP_ENGINE_DEFAULT). */
KP_API kp_engine kp_runtime_engine(const kp_runtime *rt);

/* Limits of a runtime, adjustable while it runs (see docs/api.md). */
typedef enum kp_limit {
    KP_LIMIT_MEMORY = 1,      /* mem_limit, bytes. Raising takes effect at
                                 once; lowering is refused (KP_ERR_LIMIT) if
                                 the heap has live blocks above the new
                                 limit, waits (up to 1 s) for calls in flight
                                 to return, and is refused from inside a
                                 call of the runtime */
    KP_LIMIT_STACK_SIZE = 2,  /* stack_size, bytes: for calls started later */
    KP_LIMIT_CALL_DEPTH = 3,  /* max_call_depth: for calls started later */
    KP_LIMIT_CODE = 4,        /* max_code_bytes: checked at add/replace;
                                 lowering below current use is refused */
    KP_LIMIT_PLUGINS = 5,     /* max_plugins: checked at add; lowering below
                                 the current count is refused */
    KP_LIMIT_DEADLINE_MS = 6  /* default deadline of host calls (0 = none),
                                 as kp_set_deadline */
} kp_limit;

/* Set a limit. Values follow the kp_config rules (0 = the default, except
 * for KP_LIMIT_DEADLINE_MS where 0 = none). Thread-safe.
 * Errors: KP_ERR_ARG (NULL runtime, unknown limit, value out of range,
 * memory lowered from inside a call), KP_ERR_LIMIT (below current use;
 * the message says how much is in use). */
KP_API int kp_runtime_set_limit(kp_runtime *rt, kp_limit which, uint64_t value);
/* The current value of a limit in *out. Errors: KP_ERR_ARG. */
KP_API int kp_runtime_get_limit(kp_runtime *rt, kp_limit which, uint64_t *out);
/* Current use against a limit in *out: KP_LIMIT_MEMORY bytes of live heap
 * blocks (globals, stacks, malloc, kp_alloc), KP_LIMIT_CODE bytes of code
 * and IR, KP_LIMIT_PLUGINS plugins + built-ins. Errors: KP_ERR_ARG (also
 * for limits that have no usage). */
KP_API int kp_runtime_get_usage(kp_runtime *rt, kp_limit which, uint64_t *out);

/* ------------------------------------------------------------------ */
/* Dynamic plugins                                                      */
/* ------------------------------------------------------------------ */

/* Compile C source `src` (len bytes; it need not be NUL-terminated) as a
 * plugin called `name` and link it into the runtime's namespace. Every
 * non-static function it defines is exported under its own name; static
 * functions stay private. Functions it declares but does not define are
 * resolved through the namespace at call time, so plugins may be added in
 * any order. The plugin's globals live in the runtime's segment.
 * Nothing is linked unless everything compiles and every exported name is
 * free. The source is not retained.
 * Plugin names are 1 to 255 bytes and live apart from function names
 * (a plugin "math" may export a function "math"), but a plugin cannot take
 * the name of a built-in. Compiling takes no lock: a plugin may call
 * create() while other calls run.
 * Called inside a plugin call (from a built-in, as the default built-in
 * create() does), the compile is part of that call: when the call's
 * deadline passes or it is interrupted, the compile stops and this returns
 * KP_TRAP_TIMEOUT / KP_TRAP_INTERRUPTED, recorded as the call's trap.
 * Errors: KP_ERR_ARG, KP_ERR_NOMEM, KP_ERR_COMPILE, KP_ERR_LIMIT,
 * KP_ERR_EXISTS (plugin name or an exported name already taken),
 * KP_ERR_NOMEM_PLUGIN (globals do not fit in the segment). */
KP_API int kp_plugin_add(kp_runtime *rt, const char *name,
                         const char *src, size_t len);

/* Atomically replace plugin `name` with a new version compiled from `src`.
 * Either the new version is fully linked in place of the old one, or (on
 * any error) the old one stays untouched. Calls already running finish on
 * the old code; later calls reach the new one. Names the old version
 * exported and the new one does not are unlinked (calls to them trap).
 * If no plugin `name` exists, this behaves like kp_plugin_add.
 * Errors: as kp_plugin_add; KP_ERR_ARG if `name` is a built-in. */
KP_API int kp_plugin_replace(kp_runtime *rt, const char *name,
                             const char *src, size_t len);

/* Delete plugin or built-in `name` and unlink everything it exported. If
 * no plugin has that name but a function of that name is exported, the
 * plugin exporting it is deleted. Later calls to its names trap with
 * KP_TRAP_UNLINKED; calls in flight finish first (its code is freed only
 * when no call can be inside it). The default built-ins can be deleted too.
 * Errors: KP_ERR_ARG, KP_ERR_NOT_FOUND. */
KP_API int kp_delete(kp_runtime *rt, const char *name);

/* ------------------------------------------------------------------ */
/* Values, functions and calls                                          */
/* ------------------------------------------------------------------ */

typedef uint32_t kp_ptr; /* a plugin pointer: an offset into the segment */

/* Types at the boundary. Plugin types map to them: char, short, int, _Bool
 * and enums (and their unsigned forms) -> KP_T_I32; long, long long ->
 * KP_T_I64; float -> KP_T_F32; double -> KP_T_F64; any pointer -> KP_T_PTR;
 * a function pointer -> KP_T_PTR holding a function handle. Struct and union
 * parameters are passed as KP_T_PTR to a copy. */
typedef enum kp_type {
    KP_T_VOID = 0,
    KP_T_I32 = 1,
    KP_T_I64 = 2,
    KP_T_F32 = 3,
    KP_T_F64 = 4,
    KP_T_PTR = 5
} kp_type;

typedef struct kp_value {
    kp_type type;
    union {
        int32_t i32;
        int64_t i64;
        float f32;
        double f64;
        kp_ptr ptr;
    } v;
} kp_value;

#define KP_I32(x) ((kp_value){ KP_T_I32, { .i32 = (int32_t)(x) } })
#define KP_I64(x) ((kp_value){ KP_T_I64, { .i64 = (int64_t)(x) } })
#define KP_F32(x) ((kp_value){ KP_T_F32, { .f32 = (float)(x) } })
#define KP_F64(x) ((kp_value){ KP_T_F64, { .f64 = (double)(x) } })
#define KP_PTR(x) ((kp_value){ KP_T_PTR, { .ptr = (kp_ptr)(x) } })

/* A handle to a name in a runtime's namespace. It names the *name*, not one
 * version of the code: after kp_plugin_replace it calls the new version;
 * after kp_delete calls through it fail with KP_TRAP_UNLINKED (and succeed
 * again if the name is added back). Owned by the runtime; valid until the
 * runtime is destroyed; never freed by the host. */
typedef struct kp_func kp_func;

/* Look up `name` in the namespace. On success *out is its handle.
 * Errors: KP_ERR_ARG, KP_ERR_NOT_FOUND. */
KP_API int kp_lookup(kp_runtime *rt, const char *name, kp_func **out);

/* The prototype currently linked under the handle's name. Returns the
 * number of parameters (>= 0) and fills up to `cap` entries of params and
 * *ret if non-NULL; *variadic (if non-NULL) is set for variadic built-ins.
 * Errors: KP_ERR_ARG, KP_TRAP_UNLINKED (nothing linked under that name). */
KP_API int kp_func_signature(const kp_func *f, kp_type *ret, kp_type *params,
                             int cap, int *variadic);

/* The name of the function behind a handle. Valid as long as the handle. */
KP_API const char *kp_func_name(const kp_func *f);

/* Call the function behind `f` with `nargs` arguments. Each argument's
 * type must equal the parameter's type (extra arguments of a variadic
 * built-in may have any type). On success *ret (if non-NULL) receives the
 * result, with type KP_T_VOID for void functions. The call runs on a
 * plugin stack of the calling thread, with the runtime's default
 * deadline. May be called from several threads at once, and from inside a
 * built-in (a nested call: it continues on the enclosing call's plugin
 * stack and shares its deadline, interrupt and depth limit; at most 64
 * calls may be nested on one thread, deeper ones fail with KP_TRAP_STACK).
 * Errors: KP_ERR_ARG, KP_ERR_SIGNATURE, KP_ERR_NOMEM, KP_ERR_NOMEM_PLUGIN
 * (no room for this thread's plugin stack), any KP_TRAP_*. */
KP_API int kp_call(kp_func *f, const kp_value *args, int nargs, kp_value *ret);

/* Stop every call currently running in the runtime: each returns
 * KP_TRAP_INTERRUPTED soon after (at its next loop back-edge or function
 * entry). Calls started afterwards are not affected. Async-signal-safe and
 * callable from any thread. */
KP_API void kp_interrupt(kp_runtime *rt);

/* A call token names calls so one of them can be interrupted alone. The
 * host owns it; one token may serve any number of calls, one after the
 * other or at once, in any runtime. */
typedef struct kp_call_token kp_call_token;
/* A new token, or NULL (KP_ERR_NOMEM). */
KP_API kp_call_token *kp_call_token_new(void);
/* Free a token. No call using it may be running. NULL is a no-op. */
KP_API void kp_call_token_free(kp_call_token *t);
/* Stop every call running now with this token (and the calls nested
 * inside them): each returns KP_TRAP_INTERRUPTED soon after. Calls started
 * later with the token are not affected. Async-signal-safe, any thread. */
KP_API void kp_interrupt_call(kp_call_token *t);

/* Options of one call (kp_call_ex). Zero-initialise, then set fields. */
typedef struct kp_call_opts {
    unsigned flags;         /* KP_CALL_* */
    unsigned deadline_ms;   /* this call's deadline; 0 = the runtime's default */
    uint64_t deadline_us;   /* the same in microseconds (wins when nonzero) */
    uint64_t fuel;          /* polls the call may make (each function entry
                               and loop back-edge is one); the next one traps
                               KP_TRAP_FUEL. 0 = unlimited. Deterministic:
                               the same call stops at the same point on
                               every engine and every run */
    kp_call_token *token;   /* optional, for kp_interrupt_call */
    uint64_t *fuel_left;    /* optional out: fuel left when the call ended */
} kp_call_opts;

#define KP_CALL_NO_DEADLINE 1u /* ignore the runtime's default deadline */

/* kp_call with options (opts may be NULL: exactly kp_call). A nested call
 * (from a built-in) never outlives the enclosing call: its deadline is the
 * earlier of the two, it draws on the enclosing call's fuel, and
 * interrupting the enclosing call stops it too.
 * Errors: as kp_call, plus KP_TRAP_FUEL. */
KP_API int kp_call_ex(kp_func *f, const kp_value *args, int nargs, kp_value *ret,
                      const kp_call_opts *opts);

/* A prepared call: the same call as kp_call, with the work that does not
 * change from one call to the next done once. It checks the prototype at
 * preparation, owns a plugin stack of f's runtime and a call record set
 * up for it, and is bound to the thread that prepared it: on that thread
 * a call only announces itself, sets its interrupt state and deadline,
 * passes the arguments and enters. On the JIT engine that path is machine
 * code generated for the prepared call at kp_prepare, which the host's
 * call enters directly (about a third of the cost of kp_call); the first
 * call after a link, unlink, replace, limit change, deadline change or
 * kp_interrupt, and every call while a default deadline is set, take the
 * C path instead. Every
 * guarantee of kp_call holds: the runtime's default deadline,
 * kp_interrupt, traps (KP_TRAP_* with plugin, function and line in
 * kp_last_error), cleanup hooks, a call in flight finishing on the code it
 * started in. */
typedef struct kp_prepared kp_prepared;

/* Prepare calls of `f` with prototype ret(params[0..nparams)). The
 * prototype must equal the one linked under f's name now (KP_ERR_SIGNATURE
 * otherwise; variadic built-ins cannot be prepared). On success *out is
 * the host's until kp_prepared_free; on failure *out is NULL. It holds
 * one plugin stack of the runtime (stack size, see KP_LIMIT_*) until
 * freed. Errors: KP_ERR_ARG (NULL f or out, a parameter of type
 * KP_T_VOID, more than 32 parameters), KP_TRAP_UNLINKED (nothing linked
 * under the name), KP_ERR_SIGNATURE, KP_ERR_NOMEM, KP_ERR_NOMEM_PLUGIN
 * (no room for the stack). On the JIT the call runs through an entry stub
 * shared by the prepared calls of one prototype on one thread in one
 * runtime: the first such kp_prepare generates it (a page of code memory
 * and about 10 us: two mprotect calls), later ones take 0.3 us. If that
 * fails, the prepared call works through the C path. */
KP_API int kp_prepare(kp_func *f, kp_type ret, const kp_type *params, int nparams,
                      kp_prepared **out);

/* Call through a prepared call with its nparams arguments (args may be
 * NULL for none). The values are read as the prepared parameter types;
 * args[i].type is not looked at. *ret (if non-NULL) receives the result
 * as kp_call gives it. The call follows the name as kp_call does: after
 * kp_plugin_replace it runs the new version if its prototype is the
 * prepared one, else it fails with KP_ERR_SIGNATURE and runs nothing;
 * after kp_delete it fails with KP_TRAP_UNLINKED (and works again once the
 * name is linked back). On the preparing thread, outside any call, it
 * takes the fast path; from another thread, from inside a built-in (a
 * nested call, with kp_call's nesting rules) or while the same prepared
 * call is running (a cleanup hook calling it again) it is exactly
 * kp_call with the prepared types (so other threads may use p while its
 * own thread does). Not concurrently with kp_prepared_free of the same p,
 * and not after its runtime was destroyed.
 * Errors: as kp_call.
 *
 * Compiled as C, calls go through the inline function below: a prepared
 * call begins with the address of the code that runs it (part of this
 * header's ABI), so the host calls that code directly instead of calling
 * the library function that jumps there. (kp_call_prepared) or
 * KPLUG_NO_INLINE_CALL defined before this header gives the function. */
KP_API int kp_call_prepared(kp_prepared *p, const kp_value *args, kp_value *ret);

#if !defined(KPLUG_NO_INLINE_CALL) && !defined(__cplusplus)
typedef int (*kp__prepared_entry)(kp_prepared *, const kp_value *, kp_value *);
static inline int kp__call_prepared(kp_prepared *p, const kp_value *args, kp_value *ret)
{
    if (p)
        return (*(kp__prepared_entry *)(void *)p)(p, args, ret);
    return (kp_call_prepared)(p, args, ret); /* the error */
}
#define kp_call_prepared(p, args, ret) kp__call_prepared((p), (args), (ret))
#endif

/* Free a prepared call and give its plugin stack back to the runtime. No
 * call through p may be running. May be called after the runtime was
 * destroyed (it then only frees p). NULL is a no-op. */
KP_API void kp_prepared_free(kp_prepared *p);

/* Change the default deadline applied to later calls (0 = none). */
KP_API void kp_set_deadline(kp_runtime *rt, unsigned deadline_ms);

/* ------------------------------------------------------------------ */
/* Built-in plugins                                                     */
/* ------------------------------------------------------------------ */

/* The call in flight, as seen by a built-in. Valid only during the
 * built-in's invocation. */
typedef struct kp_callctx kp_callctx;

/* A built-in: receives the arguments converted to the types of its
 * prototype (for a variadic built-in, the extra arguments a plugin passes
 * carry their promoted register types: KP_T_I32, KP_T_I64, KP_T_F64; a
 * pointer is a 32-bit value in plugins and arrives as KP_T_I32 — read it
 * as .v.ptr or .v.i32, which share storage; extras passed by the host
 * through kp_call keep the host's types),
 * stores its result in *ret (ret->type is preset to the prototype's return
 * type; leave it), and returns KP_OK, or the result of kp_fail() to stop
 * the plugin's call with KP_TRAP_BUILTIN. */
typedef int (*kp_builtin_fn)(kp_callctx *cx, const kp_value *args, int nargs,
                             kp_value *ret, void *userdata);

/* Add a built-in to the namespace. `prototype` is a C declaration such as
 * "int send_reply(const char *buf, int len)"; its name becomes the
 * built-in's name, and it may end in ", ..." to accept extra arguments.
 * Parameter and return types follow the mapping of kp_type; structs by
 * value are not allowed. `userdata` is passed back to fn untouched; the
 * runtime never frees it.
 * Errors: KP_ERR_ARG (NULL fn, malformed prototype: the message says
 * where), KP_ERR_EXISTS, KP_ERR_LIMIT, KP_ERR_NOMEM. */
KP_API int kp_builtin_add(kp_runtime *rt, const char *prototype,
                          kp_builtin_fn fn, void *userdata);

/* The runtime a built-in is running in. */
KP_API kp_runtime *kp_callctx_runtime(const kp_callctx *cx);

/* Turn the plugin pointer range [p, p + len) into a host pointer, or NULL
 * if any byte of it lies outside the runtime's valid memory (this includes
 * p == 0). len == 0 checks p alone. The pointer stays valid while the
 * runtime exists; the host must not keep it across kp_free of the block. */
KP_API void *kp_callctx_ptr(kp_callctx *cx, kp_ptr p, size_t len);

/* Like kp_callctx_ptr for a NUL-terminated string starting at p: returns
 * the host pointer if the whole string, terminator included, lies inside
 * valid memory and is at most max_len bytes long before the NUL; else NULL. */
KP_API const char *kp_callctx_str(kp_callctx *cx, kp_ptr p, size_t max_len);

/* Fail the current plugin call from a built-in: records the message (with
 * printf formatting) and returns KP_TRAP_BUILTIN, which the built-in must
 * return. */
KP_API int kp_fail(kp_callctx *cx, const char *fmt, ...) KP_PRINTF(2, 3);

/* For long-running built-ins: KP_OK if the call may go on, else the call
 * is past its deadline or interrupted and this returns KP_TRAP_TIMEOUT /
 * KP_TRAP_INTERRUPTED (recorded), which the built-in should return. kplug
 * cannot stop a built-in by itself: built-ins that may run long should
 * call this every millisecond or so. */
KP_API int kp_callctx_check(kp_callctx *cx);

/* ---- cleanup hooks: host resources handed to plugins ---------------- */

/* The runtime does not track host resources; a built-in that hands one
 * out (a file descriptor, a socket, a lock) registers a callback that
 * releases it. fn(arg, reason) runs exactly once unless cancelled, on the
 * thread that ends the call or the plugin, with no kplug lock held (it may
 * call kp_* functions, but must not destroy the runtime). */
typedef void (*kp_cleanup_fn)(void *arg, int reason);
/* Identifies a registration for kp_cleanup_cancel; 0 = none. */
typedef uint64_t kp_cleanup_id;

/* Reasons passed to plugin-tied callbacks. Call-tied callbacks get the
 * call's result code instead (a KP_TRAP_*, or KP_OK with KP_CLEANUP_ALWAYS). */
#define KP_CLEANUP_DELETED 1   /* the plugin was deleted */
#define KP_CLEANUP_REPLACED 2  /* the plugin was replaced by a new version */
#define KP_CLEANUP_DESTROYED 3 /* the runtime was destroyed */

#define KP_CLEANUP_ON_FAILURE 0u /* run only if the call fails (trap, timeout,
                                    interrupt, fuel); dropped on success */
#define KP_CLEANUP_ALWAYS 1u     /* run when the call ends, however it ends */

/* Tie fn(arg) to the current call: the activation the built-in runs in
 * (a nested kp_call is its own activation; if it succeeds, its
 * KP_CLEANUP_ON_FAILURE callbacks pass to the enclosing activation).
 * Callbacks run newest first, after the engine has stopped and before
 * kp_call returns. Returns the id, or 0 (KP_ERR_ARG, KP_ERR_NOMEM: then
 * nothing was registered and the built-in should release the resource
 * itself). */
KP_API kp_cleanup_id kp_callctx_on_call_end(kp_callctx *cx, kp_cleanup_fn fn,
                                            void *arg, unsigned flags);
/* Tie fn(arg) to the plugin calling the built-in (the innermost plugin
 * function on the call path): it runs when that plugin is deleted or
 * replaced — once no call can still be running its old code — or when
 * the runtime is destroyed. Returns the id, or 0 (KP_ERR_ARG: no plugin
 * is calling, e.g. the host called the built-in; KP_ERR_NOMEM). */
KP_API kp_cleanup_id kp_callctx_on_plugin_end(kp_callctx *cx, kp_cleanup_fn fn,
                                              void *arg);
/* Unregister a callback without running it (e.g. the plugin closed the
 * resource through another built-in). Call-tied ids can be cancelled only
 * on the thread running that call; plugin-tied ones from anywhere.
 * Errors: KP_ERR_ARG, KP_ERR_NOT_FOUND (unknown, already run or cancelled). */
KP_API int kp_cleanup_cancel(kp_runtime *rt, kp_cleanup_id id);

/* ------------------------------------------------------------------ */
/* Memory exchange                                                      */
/* ------------------------------------------------------------------ */

/* Allocate `size` bytes (aligned to 16) in the runtime's segment, from the
 * same heap as the plugins' malloc. Returns the plugin pointer, or 0 if
 * the segment is full (kp_last_error: KP_ERR_NOMEM_PLUGIN) or size is 0.
 * The block belongs to the host until kp_free (or the runtime's end). */
KP_API kp_ptr kp_alloc(kp_runtime *rt, size_t size);

/* Free a block from kp_alloc (or a plugin's malloc). 0 is a no-op; a
 * pointer that is not a live block is ignored (and recorded as KP_ERR_ARG
 * in kp_last_error). */
KP_API void kp_free(kp_runtime *rt, kp_ptr p);

/* The host address of plugin memory [p, p + len), or NULL if any of it is
 * outside the runtime's valid memory. Same rules as kp_callctx_ptr. */
KP_API void *kp_host_ptr(kp_runtime *rt, kp_ptr p, size_t len);

/* The plugin pointer of a host address inside the runtime's memory, or 0
 * if it is not inside. */
KP_API kp_ptr kp_plugin_ptr(kp_runtime *rt, const void *host);

#ifdef __cplusplus
}
#endif
#endif /* KPLUG_H */
