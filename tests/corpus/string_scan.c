/* expect-exit: 0 */
/* expect-stdout:
1000000000035 rest=[x]
4
MIXED CASE 123!
haystack with needles
1
[name][age][][city] 4
*/
#include <stdio.h>
#include <string.h>

static int is_space(int c) { return c == ' ' || c == '\t' || c == '\n'; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }

static long parse_long(const char **sp)
{
    const char *s = *sp;
    int neg = 0;
    long v = 0;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    while (is_digit(*s))
        v = v * 10 + (*s++ - '0');
    *sp = s;
    return neg ? -v : v;
}

static int count_words(const char *s)
{
    int n = 0, in = 0;
    for (; *s; s++) {
        if (is_space(*s))
            in = 0;
        else if (!in) {
            in = 1;
            n++;
        }
    }
    return n;
}

static void to_upper(char *s)
{
    for (; *s; s++)
        if (*s >= 'a' && *s <= 'z')
            *s = (char)(*s - 'a' + 'A');
}

static const char *find(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncmp(hay, needle, n) == 0)
            return hay;
    return 0;
}

static int split(char *s, char sep, char **out, int max)
{
    int n = 0;
    out[n++] = s;
    while ((s = strchr(s, sep)) && n < max) {
        *s++ = 0;
        out[n++] = s;
    }
    return n;
}

int main(void)
{
    const char *nums = "12 -7 +30 1000000000000 x";
    const char *p = nums;
    long total = 0;
    while (*p) {
        while (is_space(*p))
            p++;
        if (!is_digit(*p) && *p != '-' && *p != '+')
            break;
        total += parse_long(&p);
    }
    printf("%ld rest=[%s]\n", total, p);
    printf("%d\n", count_words("  the quick\tbrown\n\nfox  "));
    char up[] = "Mixed Case 123!";
    to_upper(up);
    puts(up);
    const char *f = find("needle in a haystack with needles", "hay");
    printf("%s\n", f ? f : "(none)");
    printf("%d\n", find("abc", "abd") == 0);
    char csv[] = "name,age,,city";
    char *fields[8];
    int nf = split(csv, ',', fields, 8);
    for (int i = 0; i < nf; i++)
        printf("[%s]", fields[i]);
    printf(" %d\n", nf);
    return 0;
}
