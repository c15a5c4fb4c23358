/*
 * headers.c — the standard headers the front end provides itself. They
 * follow the plugin ABI (char 8 signed, short 16, int 32, long 64, pointers
 * 32: size_t is unsigned int). Each is wrapped in an include guard, which
 * the preprocessor recognises, so including one twice costs nothing.
 * Shared names (size_t, NULL) have their own guards so that several headers
 * can be included in any order without redefinitions.
 */
#include <string.h>

#include "lex.h"

#define SIZE_T_DEF                                                             \
    "#ifndef __KPLUG_SIZE_T\n#define __KPLUG_SIZE_T\n"                          \
    "typedef unsigned int size_t;\n#endif\n"
#define NULL_DEF "#ifndef NULL\n#define NULL ((void *)0)\n#endif\n"

static const char h_stdint[] =
    "#ifndef __KPLUG_STDINT_H\n#define __KPLUG_STDINT_H\n"
    "typedef signed char int8_t;\n"
    "typedef short int16_t;\n"
    "typedef int int32_t;\n"
    "typedef long long int64_t;\n"
    "typedef unsigned char uint8_t;\n"
    "typedef unsigned short uint16_t;\n"
    "typedef unsigned int uint32_t;\n"
    "typedef unsigned long long uint64_t;\n"
    "typedef signed char int_least8_t;\n"
    "typedef short int_least16_t;\n"
    "typedef int int_least32_t;\n"
    "typedef long long int_least64_t;\n"
    "typedef unsigned char uint_least8_t;\n"
    "typedef unsigned short uint_least16_t;\n"
    "typedef unsigned int uint_least32_t;\n"
    "typedef unsigned long long uint_least64_t;\n"
    "typedef signed char int_fast8_t;\n"
    "typedef int int_fast16_t;\n"
    "typedef int int_fast32_t;\n"
    "typedef long long int_fast64_t;\n"
    "typedef unsigned char uint_fast8_t;\n"
    "typedef unsigned int uint_fast16_t;\n"
    "typedef unsigned int uint_fast32_t;\n"
    "typedef unsigned long long uint_fast64_t;\n"
    "typedef int intptr_t;\n"
    "typedef unsigned int uintptr_t;\n"
    "typedef long long intmax_t;\n"
    "typedef unsigned long long uintmax_t;\n"
    "#define INT8_MIN (-128)\n"
    "#define INT8_MAX 127\n"
    "#define UINT8_MAX 255\n"
    "#define INT16_MIN (-32767-1)\n"
    "#define INT16_MAX 32767\n"
    "#define UINT16_MAX 65535\n"
    "#define INT32_MIN (-2147483647-1)\n"
    "#define INT32_MAX 2147483647\n"
    "#define UINT32_MAX 4294967295U\n"
    "#define INT64_MIN (-9223372036854775807LL-1)\n"
    "#define INT64_MAX 9223372036854775807LL\n"
    "#define UINT64_MAX 18446744073709551615ULL\n"
    "#define INT_LEAST8_MIN INT8_MIN\n#define INT_LEAST8_MAX INT8_MAX\n"
    "#define UINT_LEAST8_MAX UINT8_MAX\n"
    "#define INT_LEAST16_MIN INT16_MIN\n#define INT_LEAST16_MAX INT16_MAX\n"
    "#define UINT_LEAST16_MAX UINT16_MAX\n"
    "#define INT_LEAST32_MIN INT32_MIN\n#define INT_LEAST32_MAX INT32_MAX\n"
    "#define UINT_LEAST32_MAX UINT32_MAX\n"
    "#define INT_LEAST64_MIN INT64_MIN\n#define INT_LEAST64_MAX INT64_MAX\n"
    "#define UINT_LEAST64_MAX UINT64_MAX\n"
    "#define INT_FAST8_MIN INT8_MIN\n#define INT_FAST8_MAX INT8_MAX\n"
    "#define UINT_FAST8_MAX UINT8_MAX\n"
    "#define INT_FAST16_MIN INT32_MIN\n#define INT_FAST16_MAX INT32_MAX\n"
    "#define UINT_FAST16_MAX UINT32_MAX\n"
    "#define INT_FAST32_MIN INT32_MIN\n#define INT_FAST32_MAX INT32_MAX\n"
    "#define UINT_FAST32_MAX UINT32_MAX\n"
    "#define INT_FAST64_MIN INT64_MIN\n#define INT_FAST64_MAX INT64_MAX\n"
    "#define UINT_FAST64_MAX UINT64_MAX\n"
    "#define INTPTR_MIN INT32_MIN\n"
    "#define INTPTR_MAX INT32_MAX\n"
    "#define UINTPTR_MAX UINT32_MAX\n"
    "#define INTMAX_MIN INT64_MIN\n"
    "#define INTMAX_MAX INT64_MAX\n"
    "#define UINTMAX_MAX UINT64_MAX\n"
    "#define PTRDIFF_MIN INT32_MIN\n"
    "#define PTRDIFF_MAX INT32_MAX\n"
    "#define SIZE_MAX 4294967295U\n"
    "#define INT8_C(x) x\n#define INT16_C(x) x\n#define INT32_C(x) x\n"
    "#define INT64_C(x) x ## LL\n"
    "#define UINT8_C(x) x\n#define UINT16_C(x) x\n#define UINT32_C(x) x ## U\n"
    "#define UINT64_C(x) x ## ULL\n"
    "#define INTMAX_C(x) x ## LL\n#define UINTMAX_C(x) x ## ULL\n"
    "#endif\n";

static const char h_stddef[] =
    "#ifndef __KPLUG_STDDEF_H\n#define __KPLUG_STDDEF_H\n"
    SIZE_T_DEF NULL_DEF
    "typedef int ptrdiff_t;\n"
    "typedef double max_align_t;\n"
    "#define offsetof(t, m) ((size_t)&((t *)0)->m)\n"
    "#endif\n";

static const char h_stdbool[] =
    "#ifndef __KPLUG_STDBOOL_H\n#define __KPLUG_STDBOOL_H\n"
    "#define bool _Bool\n"
    "#define true 1\n"
    "#define false 0\n"
    "#define __bool_true_false_are_defined 1\n"
    "#endif\n";

static const char h_limits[] =
    "#ifndef __KPLUG_LIMITS_H\n#define __KPLUG_LIMITS_H\n"
    "#define CHAR_BIT 8\n"
    "#define MB_LEN_MAX 1\n"
    "#define SCHAR_MIN (-128)\n"
    "#define SCHAR_MAX 127\n"
    "#define UCHAR_MAX 255\n"
    "#define CHAR_MIN (-128)\n"
    "#define CHAR_MAX 127\n"
    "#define SHRT_MIN (-32767-1)\n"
    "#define SHRT_MAX 32767\n"
    "#define USHRT_MAX 65535\n"
    "#define INT_MIN (-2147483647-1)\n"
    "#define INT_MAX 2147483647\n"
    "#define UINT_MAX 4294967295U\n"
    "#define LONG_MIN (-9223372036854775807L-1)\n"
    "#define LONG_MAX 9223372036854775807L\n"
    "#define ULONG_MAX 18446744073709551615UL\n"
    "#define LLONG_MIN (-9223372036854775807LL-1)\n"
    "#define LLONG_MAX 9223372036854775807LL\n"
    "#define ULLONG_MAX 18446744073709551615ULL\n"
    "#endif\n";

static const char h_float[] =
    "#ifndef __KPLUG_FLOAT_H\n#define __KPLUG_FLOAT_H\n"
    "#define FLT_RADIX 2\n"
    "#define FLT_EVAL_METHOD 0\n"
    "#define DECIMAL_DIG 17\n"
    "#define FLT_MANT_DIG 24\n"
    "#define DBL_MANT_DIG 53\n"
    "#define LDBL_MANT_DIG 53\n"
    "#define FLT_DIG 6\n"
    "#define DBL_DIG 15\n"
    "#define LDBL_DIG 15\n"
    "#define FLT_MIN_EXP (-125)\n"
    "#define DBL_MIN_EXP (-1021)\n"
    "#define LDBL_MIN_EXP (-1021)\n"
    "#define FLT_MAX_EXP 128\n"
    "#define DBL_MAX_EXP 1024\n"
    "#define LDBL_MAX_EXP 1024\n"
    "#define FLT_MIN_10_EXP (-37)\n"
    "#define DBL_MIN_10_EXP (-307)\n"
    "#define LDBL_MIN_10_EXP (-307)\n"
    "#define FLT_MAX_10_EXP 38\n"
    "#define DBL_MAX_10_EXP 308\n"
    "#define LDBL_MAX_10_EXP 308\n"
    "#define FLT_MAX 3.40282347e+38F\n"
    "#define DBL_MAX 1.7976931348623157e+308\n"
    "#define LDBL_MAX 1.7976931348623157e+308L\n"
    "#define FLT_MIN 1.17549435e-38F\n"
    "#define DBL_MIN 2.2250738585072014e-308\n"
    "#define LDBL_MIN 2.2250738585072014e-308L\n"
    "#define FLT_EPSILON 1.19209290e-7F\n"
    "#define DBL_EPSILON 2.2204460492503131e-16\n"
    "#define LDBL_EPSILON 2.2204460492503131e-16L\n"
    "#define FLT_TRUE_MIN 1.40129846e-45F\n"
    "#define DBL_TRUE_MIN 4.9406564584124654e-324\n"
    "#endif\n";

static const char h_string[] =
    "#ifndef __KPLUG_STRING_H\n#define __KPLUG_STRING_H\n"
    SIZE_T_DEF NULL_DEF
    "void *memcpy(void *dst, const void *src, size_t n);\n"
    "void *memmove(void *dst, const void *src, size_t n);\n"
    "void *memset(void *dst, int c, size_t n);\n"
    "int memcmp(const void *a, const void *b, size_t n);\n"
    "size_t strlen(const char *s);\n"
    "int strcmp(const char *a, const char *b);\n"
    "int strncmp(const char *a, const char *b, size_t n);\n"
    "char *strcpy(char *dst, const char *src);\n"
    "char *strchr(const char *s, int c);\n"
    "#endif\n";

static const char h_stdlib[] =
    "#ifndef __KPLUG_STDLIB_H\n#define __KPLUG_STDLIB_H\n"
    SIZE_T_DEF NULL_DEF
    "#define EXIT_SUCCESS 0\n"
    "#define EXIT_FAILURE 1\n"
    "void *malloc(size_t n);\n"
    "void free(void *p);\n"
    "void *calloc(size_t n, size_t size);\n"
    "void *realloc(void *p, size_t n);\n"
    "void abort(void);\n"
    "#endif\n";

static const char h_stdio[] =
    "#ifndef __KPLUG_STDIO_H\n#define __KPLUG_STDIO_H\n"
    SIZE_T_DEF NULL_DEF
    "#define EOF (-1)\n"
    "int printf(const char *fmt, ...);\n"
    "int puts(const char *s);\n"
    "int putchar(int c);\n"
    "#endif\n";

static const struct {
    const char *name;
    const char *text;
    size_t len;
} std_headers[] = {
#define H(n, t) {n, t, sizeof t - 1}
    H("stdint.h", h_stdint), H("stddef.h", h_stddef), H("stdbool.h", h_stdbool),
    H("limits.h", h_limits), H("float.h", h_float),   H("string.h", h_string),
    H("stdlib.h", h_stdlib), H("stdio.h", h_stdio),
#undef H
};

const char *fe_std_header(const char *name, size_t *len)
{
    for (size_t i = 0; i < sizeof std_headers / sizeof std_headers[0]; i++)
        if (strcmp(name, std_headers[i].name) == 0) {
            *len = std_headers[i].len;
            return std_headers[i].text;
        }
    return NULL;
}

const char *fe_std_header_at(unsigned i, size_t *len)
{
    if (i >= sizeof std_headers / sizeof std_headers[0])
        return NULL;
    *len = std_headers[i].len;
    return std_headers[i].text;
}
