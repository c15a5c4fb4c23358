/*
 * gen_struct.c — generates a random, deterministic C program of struct
 * layouts and aggregate initialization for differential testing against
 * gcc: nested structs, arrays, bit-fields, every scalar type; sizeof and
 * offsetof of every member; positional and designated initializers of
 * globals and locals; member assignment through pointers; copies, and
 * structs passed to and returned from functions by value. No pointers are
 * stored in the structs, so the layout is the same as on x86-64.
 *
 *   gen_struct SEED > prog.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long rng_state;

static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((rng_state >> 33) % n);
}

struct scalar { const char *name; int bits; int is_signed; int is_float; };
static const struct scalar scalars[] = {
    { "char", 8, 1, 0 }, { "signed char", 8, 1, 0 }, { "unsigned char", 8, 0, 0 },
    { "short", 16, 1, 0 }, { "unsigned short", 16, 0, 0 }, { "int", 32, 1, 0 },
    { "unsigned", 32, 0, 0 }, { "long", 64, 1, 0 }, { "unsigned long", 64, 0, 0 },
    { "long long", 64, 1, 0 }, { "_Bool", 1, 0, 0 }, { "float", 32, 1, 1 },
    { "double", 64, 1, 1 },
};
#define NSCALAR (int)(sizeof scalars / sizeof scalars[0])

enum kind { K_SCALAR, K_ARRAY, K_STRUCT, K_BITFIELD };
struct field {
    enum kind kind;
    int scalar;  /* K_SCALAR, K_ARRAY, K_BITFIELD (0 int, 1 unsigned, 2 _Bool) */
    int count;   /* K_ARRAY */
    int sub;     /* K_STRUCT: struct index */
    int width;   /* K_BITFIELD; 0 = unnamed zero-width */
    char name[8];
};
struct stype { int nfields; struct field f[8]; };

#define MAXS 5
static struct stype st[MAXS];
static int nstructs;

static void gen_types(void)
{
    nstructs = 2 + (int)rnd(MAXS - 1);
    for (int s = 0; s < nstructs; s++) {
        struct stype *t = &st[s];
        t->nfields = 1 + (int)rnd(7);
        for (int i = 0; i < t->nfields; i++) {
            struct field *f = &t->f[i];
            memset(f, 0, sizeof *f);
            snprintf(f->name, sizeof f->name, "m%d", i);
            unsigned k = rnd(10);
            if (k < 5) {
                f->kind = K_SCALAR;
                f->scalar = (int)rnd(NSCALAR);
            } else if (k < 7) {
                f->kind = K_ARRAY;
                f->scalar = (int)rnd(NSCALAR);
                f->count = 1 + (int)rnd(4);
            } else if (k < 8 && s > 0) {
                f->kind = K_STRUCT;
                f->sub = (int)rnd((unsigned)s);
            } else {
                f->kind = K_BITFIELD;
                f->scalar = (int)rnd(3);
                int maxw = f->scalar == 2 ? 1 : 32;
                f->width = 1 + (int)rnd((unsigned)maxw);
                if (rnd(8) == 0 && f->scalar != 2)
                    f->width = 0;
            }
        }
    }
}

static const char *bf_type(int k) { return k == 0 ? "int" : k == 1 ? "unsigned" : "_Bool"; }

static void print_types(void)
{
    for (int s = 0; s < nstructs; s++) {
        printf("struct S%d {\n", s);
        for (int i = 0; i < st[s].nfields; i++) {
            const struct field *f = &st[s].f[i];
            switch (f->kind) {
            case K_SCALAR: printf("    %s %s;\n", scalars[f->scalar].name, f->name); break;
            case K_ARRAY: printf("    %s %s[%d];\n", scalars[f->scalar].name, f->name, f->count); break;
            case K_STRUCT: printf("    struct S%d %s;\n", f->sub, f->name); break;
            case K_BITFIELD:
                if (f->width)
                    printf("    %s %s : %d;\n", bf_type(f->scalar), f->name, f->width);
                else
                    printf("    %s : 0;\n", bf_type(f->scalar));
                break;
            }
        }
        printf("};\n");
    }
}

/* A constant that fits the scalar (or bit-field). */
static void value(int scalar, int bf_width, int bf_kind)
{
    if (bf_width) {
        if (bf_kind == 2) {
            printf("%u", rnd(2));
            return;
        }
        long long max = bf_kind == 1 ? (1LL << bf_width) - 1 : (1LL << (bf_width - 1)) - 1;
        long long min = bf_kind == 1 ? 0 : -(1LL << (bf_width - 1));
        long long v = rnd(3) == 0 ? max : rnd(3) == 0 ? min : min + (long long)(rnd(1u << 30) % (unsigned long long)(max - min + 1));
        printf("%lld", v);
        return;
    }
    const struct scalar *t = &scalars[scalar];
    if (t->is_float) {
        static const char *fv[] = { "1.5", "-2.25", "0.0", "1e10", "3.0", "-0.5", "100.125" };
        printf("%s", fv[rnd(7)]);
        return;
    }
    if (t->bits == 1) {
        printf("%u", rnd(2));
        return;
    }
    if (t->bits == 64) {
        static const char *lv[] = { "0", "1", "-1", "0x7fffffffffffffffLL", "1234567890123LL", "-42" };
        const char *v = lv[rnd(6)];
        if (!t->is_signed && v[0] == '-')
            v = "18446744073709551615ULL";
        printf("%s", v);
        return;
    }
    long long max = t->is_signed ? (1LL << (t->bits - 1)) - 1 : (1LL << t->bits) - 1;
    long long min = t->is_signed ? -(1LL << (t->bits - 1)) : 0;
    long long v = rnd(4) == 0 ? max : rnd(4) == 0 ? min : min + (long long)(rnd(1u << 30) % (unsigned long long)(max - min + 1));
    printf("%lld%s", v, !t->is_signed && t->bits == 32 ? "u" : "");
}

/* A brace-enclosed positional initializer for struct s. */
static void init_positional(int s)
{
    printf("{ ");
    for (int i = 0; i < st[s].nfields; i++) {
        const struct field *f = &st[s].f[i];
        if (f->kind == K_BITFIELD && !f->width)
            continue;
        switch (f->kind) {
        case K_SCALAR: value(f->scalar, 0, 0); break;
        case K_BITFIELD: value(0, f->width, f->scalar); break;
        case K_STRUCT: init_positional(f->sub); break;
        case K_ARRAY:
            printf("{ ");
            for (int k = 0; k < f->count; k++) {
                value(f->scalar, 0, 0);
                printf(", ");
            }
            printf("}");
            break;
        }
        printf(", ");
    }
    printf("}");
}

/* A designated initializer naming a random subset of members. */
static void init_designated(int s)
{
    printf("{ ");
    for (int i = st[s].nfields - 1; i >= 0; i--) {
        const struct field *f = &st[s].f[i];
        if ((f->kind == K_BITFIELD && !f->width) || rnd(3) == 0)
            continue;
        printf(".%s = ", f->name);
        switch (f->kind) {
        case K_SCALAR: value(f->scalar, 0, 0); break;
        case K_BITFIELD: value(0, f->width, f->scalar); break;
        case K_STRUCT: init_designated(f->sub); break;
        case K_ARRAY: {
            int k = (int)rnd((unsigned)f->count);
            printf("{ [%d] = ", k);
            value(f->scalar, 0, 0);
            printf(" }");
            break;
        }
        }
        printf(", ");
    }
    printf("}");
}

/* Print every leaf of an lvalue expression of struct type s. */
static void dump(int s, const char *lv)
{
    char path[512];
    for (int i = 0; i < st[s].nfields; i++) {
        const struct field *f = &st[s].f[i];
        switch (f->kind) {
        case K_BITFIELD:
            if (f->width)
                printf("    out(\"%s.%s\", (long long)%s.%s);\n", lv, f->name, lv, f->name);
            break;
        case K_SCALAR:
            if (scalars[f->scalar].is_float)
                printf("    outf(\"%s.%s\", %s.%s);\n", lv, f->name, lv, f->name);
            else if (scalars[f->scalar].bits == 64 && !scalars[f->scalar].is_signed)
                printf("    outu(\"%s.%s\", %s.%s);\n", lv, f->name, lv, f->name);
            else
                printf("    out(\"%s.%s\", (long long)%s.%s);\n", lv, f->name, lv, f->name);
            break;
        case K_ARRAY:
            for (int k = 0; k < f->count; k++) {
                if (scalars[f->scalar].is_float)
                    printf("    outf(\"%s.%s[%d]\", %s.%s[%d]);\n", lv, f->name, k, lv, f->name, k);
                else
                    printf("    outu(\"%s.%s[%d]\", (unsigned long long)%s.%s[%d]);\n", lv, f->name, k, lv, f->name, k);
            }
            break;
        case K_STRUCT:
            snprintf(path, sizeof path, "%s.%s", lv, f->name);
            dump(f->sub, path);
            break;
        }
    }
}

/* Assign a random leaf of struct s through pointer expression ptr. */
static void assign_random(int s, const char *ptr)
{
    const struct field *f = &st[s].f[rnd((unsigned)st[s].nfields)];
    switch (f->kind) {
    case K_BITFIELD:
        if (!f->width)
            return;
        printf("    %s->%s = ", ptr, f->name);
        value(0, f->width, f->scalar);
        printf(";\n");
        break;
    case K_SCALAR:
        printf("    %s->%s = ", ptr, f->name);
        value(f->scalar, 0, 0);
        printf(";\n");
        break;
    case K_ARRAY:
        printf("    %s->%s[%u] = ", ptr, f->name, rnd((unsigned)f->count));
        value(f->scalar, 0, 0);
        printf(";\n");
        break;
    case K_STRUCT: {
        char sub[256];
        snprintf(sub, sizeof sub, "(&%s->%s)", ptr, f->name);
        assign_random(f->sub, sub);
        break;
    }
    }
}

int main(int argc, char **argv)
{
    unsigned long long seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
    rng_state = seed * 0xD1B54A32D192ED03ULL + 3;
    gen_types();
    printf("/* generated by tests/fuzz/gen_struct %llu */\n", seed);
    printf("#include <stdio.h>\n#include <stddef.h>\n\n");
    printf("static void out(const char *n, long long v) { printf(\"%%s %%lld\\n\", n, v); }\n");
    printf("static void outu(const char *n, unsigned long long v) { printf(\"%%s %%llu\\n\", n, v); }\n");
    printf("static void outf(const char *n, double v) { printf(\"%%s %%g\\n\", n, v); }\n\n");
    print_types();
    int top = nstructs - 1;
    printf("\nstatic struct S%d g0 = ", top);
    init_positional(top);
    printf(";\nstatic struct S%d g1 = ", top);
    init_designated(top);
    printf(";\n\n");
    printf("static struct S%d change(struct S%d v)\n{\n", top, top);
    assign_random(top, "(&v)");
    assign_random(top, "(&v)");
    printf("    return v;\n}\n\n");
    printf("int main(void)\n{\n");
    for (int s = 0; s < nstructs; s++) {
        printf("    out(\"sizeof S%d\", (long long)sizeof(struct S%d));\n", s, s);
        for (int i = 0; i < st[s].nfields; i++) {
            const struct field *f = &st[s].f[i];
            if (f->kind != K_BITFIELD)
                printf("    out(\"offsetof S%d.%s\", (long long)offsetof(struct S%d, %s));\n",
                       s, f->name, s, f->name);
        }
    }
    dump(top, "g0");
    dump(top, "g1");
    printf("    struct S%d l0 = ", top);
    init_designated(top);
    printf(";\n    struct S%d l1 = ", top);
    init_positional(top);
    printf(";\n");
    dump(top, "l0");
    dump(top, "l1");
    printf("    struct S%d *p = &l0;\n", top);
    for (int k = 0; k < 4; k++)
        assign_random(top, "p");
    dump(top, "l0");
    printf("    l1 = l0;\n");
    assign_random(top, "(&l1)");
    printf("    struct S%d r = change(l1);\n", top);
    dump(top, "l1");
    dump(top, "r");
    printf("    g0 = r;\n");
    dump(top, "g0");
    printf("    return 0;\n}\n");
    return 0;
}
