/* check.h — the tiny harness of the API tests: one line per check,
 * "ok - name" or "not ok - name", and a nonzero exit status on failure. */
#ifndef KP_TEST_CHECK_H
#define KP_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failed, check_count;
static const char *check_prefix = ""; /* e.g. "jit: " when a suite runs twice */

#define CHECK(name, cond)                                                  \
    do {                                                                   \
        check_count++;                                                     \
        if (cond) {                                                        \
            printf("ok - %s%s\n", check_prefix, (name));                   \
        } else {                                                           \
            check_failed++;                                                \
            printf("not ok - %s%s  (%s:%d: %s; last error %s: %s)\n",      \
                   check_prefix, (name),                                   \
                   __FILE__, __LINE__, #cond,                              \
                   kp_result_name(kp_last_error()->code), kp_errmsg());    \
        }                                                                  \
    } while (0)

#define CHECK_DONE() (check_failed ? 1 : 0)

#endif
