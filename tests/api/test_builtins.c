/* test_builtins.c — host built-ins: adding, calling from the host with
 * every type, variadic arguments, kp_fail, name clashes, delete and re-add,
 * the default built-ins create/lookup/delete called from the host. */
#include <stdlib.h>
#include <string.h>

#include "kplug.h"
#include "check.h"

static int add3(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    ret->v.i32 = a[0].v.i32 + a[1].v.i32 + a[2].v.i32 + (int)(size_t)ud;
    return KP_OK;
}

static int mixed(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    if (ret->type != KP_T_F64 || a[0].type != KP_T_I64 || a[1].type != KP_T_F32 ||
        a[2].type != KP_T_F64 || a[3].type != KP_T_PTR)
        return kp_fail(cx, "bad types");
    ret->v.f64 = (double)a[0].v.i64 + a[1].v.f32 + a[2].v.f64 + a[3].v.ptr;
    return KP_OK;
}

static int sum_var(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    int64_t s = 0;
    for (int i = 1; i < n; i++) {
        switch (a[i].type) {
        case KP_T_I32: s += a[i].v.i32; break;
        case KP_T_I64: s += a[i].v.i64; break;
        case KP_T_F64: s += (int64_t)a[i].v.f64; break;
        default: return kp_fail(cx, "unexpected type %d", a[i].type);
        }
    }
    ret->v.i64 = s + a[0].v.i32;
    return KP_OK;
}

static int failing(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    return kp_fail(cx, "no luck with %d", a[0].v.i32);
}

static int bad_code(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    return 42;
}

static int mem_user(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    /* checks the ptr/str helpers and writes through them */
    char *p = kp_callctx_ptr(cx, a[0].v.ptr, (size_t)a[1].v.i32);
    if (!p)
        return kp_fail(cx, "bad buffer");
    const char *s = kp_callctx_str(cx, a[0].v.ptr, 100);
    ret->v.i32 = s ? (int)strlen(s) : -1;
    if (s && (kp_callctx_str(cx, a[0].v.ptr, SIZE_MAX) != s ||
              kp_callctx_str(cx, a[0].v.ptr, 5) != s || kp_callctx_str(cx, a[0].v.ptr, 4)))
        return kp_fail(cx, "kp_callctx_str limits");
    if (kp_callctx_runtime(cx) != ud)
        return kp_fail(cx, "wrong runtime");
    if (kp_callctx_ptr(cx, 0, 1) || kp_callctx_ptr(cx, 4095, 1) ||
        kp_callctx_ptr(cx, 0xFFFFFFF0u, 32))
        return kp_fail(cx, "bad pointer accepted");
    return KP_OK;
}

static kp_func *nested_target;
static int nested(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    /* a nested kp_call from inside a built-in */
    kp_value args[3] = { KP_I32(a[0].v.i32), KP_I32(1), KP_I32(1) }, r;
    int rc = kp_call(nested_target, args, 3, &r);
    if (rc)
        return kp_fail(cx, "nested call failed: %s", kp_errmsg());
    ret->v.i32 = r.v.i32 * 10;
    return KP_OK;
}

static kp_func *recur_self;
static int recur_max;
static int recur(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    /* unbounded host-side recursion through kp_call must be cut off */
    if (a[0].v.i32 > recur_max)
        recur_max = a[0].v.i32;
    kp_value args[1] = { KP_I32(a[0].v.i32 + 1) }, r;
    int rc = kp_call(recur_self, args, 1, &r);
    if (rc)
        return rc;
    ret->v.i32 = r.v.i32;
    return KP_OK;
}

static int noop(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud)
{
    return KP_OK;
}

int main(void)
{
    kp_runtime *rt;
    CHECK("create", kp_runtime_create(NULL, &rt) == KP_OK);

    CHECK("add add3", kp_builtin_add(rt, "int add3(int a, int b, int c)", add3,
                                     (void *)(size_t)100) == KP_OK);
    kp_func *f;
    CHECK("lookup add3", kp_lookup(rt, "add3", &f) == KP_OK);
    kp_value args[8], r;
    args[0] = KP_I32(1); args[1] = KP_I32(2); args[2] = KP_I32(3);
    CHECK("call add3", kp_call(f, args, 3, &r) == KP_OK && r.type == KP_T_I32 &&
                           r.v.i32 == 106);
    CHECK("call add3 NULL ret", kp_call(f, args, 3, NULL) == KP_OK);
    args[1] = KP_I64(2);
    CHECK("add3 wrong type", kp_call(f, args, 3, &r) == KP_ERR_SIGNATURE &&
                                 strstr(kp_errmsg(), "parameter 2") &&
                                 strstr(kp_errmsg(), "KP_T_I32"));
    CHECK("add3 too few", kp_call(f, args, 2, &r) == KP_ERR_SIGNATURE);
    CHECK("add3 too many", kp_call(f, args, 4, &r) == KP_ERR_SIGNATURE);
    CHECK("add3 exists", kp_builtin_add(rt, "int add3(int a)", add3, NULL) == KP_ERR_EXISTS);
    CHECK("bad prototype", kp_builtin_add(rt, "int (", add3, NULL) == KP_ERR_ARG &&
                               kp_errmsg()[0]);
    CHECK("NULL fn", kp_builtin_add(rt, "int q(void)", NULL, NULL) == KP_ERR_ARG);

    CHECK("add mixed", kp_builtin_add(rt, "double mixed(long x, float y, double z, void *p)",
                                      mixed, NULL) == KP_OK);
    kp_lookup(rt, "mixed", &f);
    kp_type pt[8], rtp;
    CHECK("mixed signature", kp_func_signature(f, &rtp, pt, 8, NULL) == 4 && rtp == KP_T_F64 &&
                                 pt[0] == KP_T_I64 && pt[1] == KP_T_F32 && pt[2] == KP_T_F64 &&
                                 pt[3] == KP_T_PTR);
    args[0] = KP_I64(1LL << 40); args[1] = KP_F32(0.5); args[2] = KP_F64(0.25);
    args[3] = KP_PTR(8);
    CHECK("call mixed", kp_call(f, args, 4, &r) == KP_OK && r.type == KP_T_F64 &&
                            r.v.f64 == (double)(1LL << 40) + 8.75);

    CHECK("add variadic", kp_builtin_add(rt, "long sum(int n, ...)", sum_var, NULL) == KP_OK);
    kp_lookup(rt, "sum", &f);
    int var = 0;
    CHECK("variadic signature", kp_func_signature(f, NULL, NULL, 0, &var) == 1 && var == 1);
    args[0] = KP_I32(1); args[1] = KP_I32(2); args[2] = KP_I64(3); args[3] = KP_F64(4.0);
    CHECK("call variadic", kp_call(f, args, 4, &r) == KP_OK && r.v.i64 == 10);
    CHECK("call variadic no extras", kp_call(f, args, 1, &r) == KP_OK && r.v.i64 == 1);
    args[1] = (kp_value){ (kp_type)99, { 0 } };
    CHECK("variadic bad type", kp_call(f, args, 2, &r) == KP_ERR_SIGNATURE);
    args[1] = (kp_value){ KP_T_VOID, { 0 } };
    CHECK("variadic void", kp_call(f, args, 2, &r) == KP_ERR_SIGNATURE);

    CHECK("add failing", kp_builtin_add(rt, "void failing(int x)", failing, NULL) == KP_OK);
    kp_lookup(rt, "failing", &f);
    args[0] = KP_I32(7);
    int rc = kp_call(f, args, 1, &r);
    CHECK("kp_fail traps", rc == KP_TRAP_BUILTIN && kp_last_error()->code == KP_TRAP_BUILTIN &&
                               strstr(kp_errmsg(), "no luck with 7") &&
                               strstr(kp_errmsg(), "failing") &&
                               strcmp(kp_last_error()->function, "failing") == 0);
    CHECK("add bad_code", kp_builtin_add(rt, "int bad_code(void)", bad_code, NULL) == KP_OK);
    kp_lookup(rt, "bad_code", &f);
    CHECK("nonzero return traps", kp_call(f, NULL, 0, &r) == KP_TRAP_BUILTIN);

    CHECK("add noop", kp_builtin_add(rt, "void noop(void)", noop, NULL) == KP_OK);
    kp_lookup(rt, "noop", &f);
    r.type = KP_T_I32;
    CHECK("void result", kp_call(f, NULL, 0, &r) == KP_OK && r.type == KP_T_VOID);

    CHECK("add mem_user", kp_builtin_add(rt, "int mem_user(char *p, int n)", mem_user, rt) == KP_OK);
    kp_lookup(rt, "mem_user", &f);
    kp_ptr buf = kp_alloc(rt, 64);
    strcpy(kp_host_ptr(rt, buf, 64), "hello");
    args[0] = KP_PTR(buf); args[1] = KP_I32(64);
    CHECK("callctx ptr/str", kp_call(f, args, 2, &r) == KP_OK && r.v.i32 == 5);
    args[0] = KP_PTR(12);
    CHECK("callctx bad ptr", kp_call(f, args, 2, &r) == KP_TRAP_BUILTIN);

    /* nested calls */
    kp_lookup(rt, "add3", &nested_target);
    CHECK("add nested", kp_builtin_add(rt, "int nested(int x)", nested, NULL) == KP_OK);
    kp_lookup(rt, "nested", &f);
    args[0] = KP_I32(5);
    CHECK("nested call", kp_call(f, args, 1, &r) == KP_OK && r.v.i32 == 1070);

    CHECK("add recur", kp_builtin_add(rt, "int recur(int depth)", recur, NULL) == KP_OK);
    kp_lookup(rt, "recur", &recur_self);
    args[0] = KP_I32(0);
    rc = kp_call(recur_self, args, 1, &r);
    CHECK("nested calls are bounded", rc == KP_TRAP_BUILTIN && recur_max > 30 && recur_max < 100);

    /* delete, stale handle, re-add */
    kp_func *h;
    kp_lookup(rt, "add3", &h);
    CHECK("delete add3", kp_delete(rt, "add3") == KP_OK);
    args[0] = KP_I32(1); args[1] = KP_I32(2); args[2] = KP_I32(3);
    CHECK("stale handle unlinked", kp_call(h, args, 3, &r) == KP_TRAP_UNLINKED);
    CHECK("signature unlinked", kp_func_signature(h, NULL, NULL, 0, NULL) == KP_TRAP_UNLINKED);
    CHECK("lookup deleted", kp_lookup(rt, "add3", &f) == KP_ERR_NOT_FOUND);
    CHECK("delete twice", kp_delete(rt, "add3") == KP_ERR_NOT_FOUND);
    CHECK("re-add", kp_builtin_add(rt, "int add3(int a, int b, int c)", add3, NULL) == KP_OK);
    CHECK("stale handle works again", kp_call(h, args, 3, &r) == KP_OK && r.v.i32 == 6);
    CHECK("same handle", kp_lookup(rt, "add3", &f) == KP_OK && f == h);

    /* the default built-ins from the host */
    kp_func *fc, *fl, *fd;
    kp_lookup(rt, "create", &fc);
    kp_lookup(rt, "lookup", &fl);
    kp_lookup(rt, "delete", &fd);
    kp_ptr name = kp_alloc(rt, 32), src = kp_alloc(rt, 64);
    strcpy(kp_host_ptr(rt, name, 32), "add3");
    args[0] = KP_PTR(name);
    CHECK("lookup() finds", kp_call(fl, args, 1, &r) == KP_OK && r.type == KP_T_PTR &&
                                r.v.ptr != 0);
    strcpy(kp_host_ptr(rt, name, 32), "zzz");
    CHECK("lookup() absent", kp_call(fl, args, 1, &r) == KP_OK && r.v.ptr == 0);
    args[0] = KP_PTR(5);
    CHECK("lookup() bad pointer traps", kp_call(fl, args, 1, &r) == KP_TRAP_MEMORY);
    strcpy(kp_host_ptr(rt, name, 32), "noop");
    args[0] = KP_PTR(name);
    CHECK("delete() builtin", kp_call(fd, args, 1, &r) == KP_OK && r.v.i32 == 0 &&
                                  kp_lookup(rt, "noop", &f) == KP_ERR_NOT_FOUND);
    CHECK("delete() absent", kp_call(fd, args, 1, &r) == KP_OK &&
                                 r.v.i32 == KP_ERR_NOT_FOUND);
    strcpy(kp_host_ptr(rt, name, 32), "pl");
    strcpy(kp_host_ptr(rt, src, 64), "int x(void) { return 1 +; }");
    args[0] = KP_PTR(name); args[1] = KP_PTR(src);
    CHECK("create() bad source", kp_call(fc, args, 2, &r) == KP_OK &&
                                     r.v.i32 == KP_ERR_COMPILE);
    args[1] = KP_PTR(0);
    CHECK("create() NULL source traps", kp_call(fc, args, 2, &r) == KP_TRAP_MEMORY);

    /* deleting the default built-ins is allowed */
    CHECK("delete create", kp_delete(rt, "create") == KP_OK &&
                               kp_lookup(rt, "create", &f) == KP_ERR_NOT_FOUND);
    CHECK("call deleted create", kp_call(fc, args, 2, &r) == KP_TRAP_UNLINKED);

    /* max_plugins */
    kp_runtime_destroy(rt);
    kp_config cfg;
    kp_config_init(&cfg);
    cfg.max_plugins = 5;
    CHECK("small runtime", kp_runtime_create(&cfg, &rt) == KP_OK);
    CHECK("4th", kp_builtin_add(rt, "void a(void)", noop, NULL) == KP_OK);
    CHECK("5th", kp_builtin_add(rt, "void b(void)", noop, NULL) == KP_OK);
    CHECK("6th over limit", kp_builtin_add(rt, "void c(void)", noop, NULL) == KP_ERR_LIMIT);
    kp_delete(rt, "a");
    CHECK("room after delete", kp_builtin_add(rt, "void c(void)", noop, NULL) == KP_OK);
    kp_runtime_destroy(rt);
    return CHECK_DONE();
}
