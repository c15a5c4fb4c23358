/* fault_inject.c — host allocation failure injection for the runtime (and
 * everything it calls): runs one scenario (create, built-in, plugin add,
 * call, create() from a plugin, replace, alloc, delete, destroy) failing
 * the Nth host allocation, for every N up to the number a clean run makes.
 * It must never crash, leak (run under ASan/LSan) or give a wrong result.
 * Not a test_*.c: it needs the library's allocation calls wrapped:
 *   cc -std=gnu11 -g -fsanitize=address,undefined -Iinclude -Isrc \
 *      tests/api/fault_inject.c ALL_LIBRARY_SOURCES -lpthread -lm \
 *      -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup
 * where ALL_LIBRARY_SOURCES are the .c files of every folder under src. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kplug.h"
void *__real_malloc(size_t); void *__real_calloc(size_t, size_t); void *__real_realloc(void *, size_t); char *__real_strdup(const char *);
static long countdown = -1; static long nallocs;
static int fail_now(void) { nallocs++; if (countdown < 0) return 0; return --countdown == 0; }
void *__wrap_malloc(size_t n) { return fail_now() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t a, size_t b) { return fail_now() ? NULL : __real_calloc(a, b); }
void *__wrap_realloc(void *p, size_t n) { return fail_now() ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *s) { return fail_now() ? NULL : __real_strdup(s); }
static int nop(kp_callctx *cx, const kp_value *a, int n, kp_value *ret, void *ud) { ret->v.i32 = 3; return KP_OK; }
static const char *src = "#include <kplug.h>\nstatic int g = 5; int f(int x) { return x + g + nop(); }\n"
  "int mk(void) { return create(\"q\", \"int qq(void) { return 1; }\"); }\n";
static int scenario(void) {
  kp_runtime *rt; int rc;
  if ((rc = kp_runtime_create(NULL, &rt))) return rc;
  if ((rc = kp_builtin_add(rt, "int nop(void)", nop, NULL))) goto out;
  if ((rc = kp_plugin_add(rt, "p", src, strlen(src)))) goto out;
  kp_func *f; if ((rc = kp_lookup(rt, "f", &f))) goto out;
  kp_value a[1] = { KP_I32(1) }, r;
  if ((rc = kp_call(f, a, 1, &r))) goto out;
  if (r.v.i32 != 9) { rc = 99; goto out; }
  if ((rc = kp_lookup(rt, "mk", &f))) goto out;
  if ((rc = kp_call(f, NULL, 0, &r))) goto out;
  if ((rc = kp_plugin_replace(rt, "p", src, strlen(src)))) goto out;
  kp_ptr p = kp_alloc(rt, 100); kp_free(rt, p);
  if ((rc = kp_delete(rt, "p"))) goto out;
out:
  kp_runtime_destroy(rt);
  return rc;
}
int main(void) {
  countdown = -1; nallocs = 0;
  int rc = scenario();
  long total = nallocs;
  printf("clean run rc=%d allocations=%ld\n", rc, total);
  int fails = 0;
  for (long n = 1; n <= total; n++) {
    countdown = n; 
    rc = scenario();
    if (rc == 99) { printf("wrong result at %ld\n", n); fails++; }
  }
  countdown = -1;
  printf("done, %d wrong\n", fails);
  return fails != 0;
}
