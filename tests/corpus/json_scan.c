/* expect-exit: 4 */
/* expect-stdout:
valid   o=1 a=1 s=5 n=3 l=2 depth=2
valid   o=2 a=3 s=2 n=2 l=1 depth=4
invalid o=1 a=1 s=1 n=2 l=0 depth=2
valid   o=0 a=0 s=1 n=0 l=0 depth=0
invalid o=0 a=1 s=0 n=1 l=0 depth=1
valid   o=1 a=10 s=1 n=1 l=0 depth=11
*/
#include <stdio.h>
#include <string.h>

/* A small JSON validator and statistics collector (recursive descent). */
struct stats { int objects, arrays, strings, numbers, literals, depth, max_depth; };

static const char *ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
        p++;
    return p;
}

static const char *value(const char *p, struct stats *st);

static const char *string(const char *p, struct stats *st)
{
    if (*p != '"')
        return 0;
    for (p++; *p != '"'; p++) {
        if (!*p || (unsigned char)*p < 0x20)
            return 0;
        if (*p == '\\') {
            p++;
            if (!*p || !strchr("\"\\/bfnrtu", *p))
                return 0;
        }
    }
    st->strings++;
    return p + 1;
}

static const char *number(const char *p, struct stats *st)
{
    const char *s = p;
    if (*p == '-')
        p++;
    if (*p < '0' || *p > '9')
        return 0;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            ;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    st->numbers++;
    return p > s ? p : 0;
}

static const char *composite(const char *p, struct stats *st, char close)
{
    if (++st->depth > st->max_depth)
        st->max_depth = st->depth;
    p = ws(p + 1);
    if (*p == close) {
        st->depth--;
        return p + 1;
    }
    for (;;) {
        if (close == '}') {
            p = string(ws(p), st);
            if (!p)
                return 0;
            p = ws(p);
            if (*p++ != ':')
                return 0;
        }
        p = value(ws(p), st);
        if (!p)
            return 0;
        p = ws(p);
        if (*p == ',') {
            p++;
            continue;
        }
        if (*p != close)
            return 0;
        st->depth--;
        return p + 1;
    }
}

static const char *value(const char *p, struct stats *st)
{
    p = ws(p);
    switch (*p) {
    case '{': st->objects++; return composite(p, st, '}');
    case '[': st->arrays++; return composite(p, st, ']');
    case '"': return string(p, st);
    case 't': if (!strncmp(p, "true", 4)) { st->literals++; return p + 4; } return 0;
    case 'f': if (!strncmp(p, "false", 5)) { st->literals++; return p + 5; } return 0;
    case 'n': if (!strncmp(p, "null", 4)) { st->literals++; return p + 4; } return 0;
    default: return number(p, st);
    }
}

static int check(const char *doc)
{
    struct stats st;
    memset(&st, 0, sizeof st);
    const char *end = value(doc, &st);
    int valid = end && *ws(end) == 0;
    printf("%s o=%d a=%d s=%d n=%d l=%d depth=%d\n", valid ? "valid  " : "invalid", st.objects,
           st.arrays, st.strings, st.numbers, st.literals, st.max_depth);
    return valid;
}

int main(void)
{
    int v = 0;
    v += check("{\"name\": \"kplug\", \"version\": [0, 1, 0], \"jit\": false, \"x\": null}");
    v += check("[1, -2.5e3, {\"a\": [[], {}]}, \"esc\\\"aped\\n\", true]");
    v += check("{\"unterminated\": [1, 2}");
    v += check("  \"just a string\"  ");
    v += check("[01x]");
    v += check("{\"deep\": [[[[[[[[[[1]]]]]]]]]]}");
    return v;
}
