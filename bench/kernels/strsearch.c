/* String scanning: naive substring search (strstr-like) of 8 patterns in
 * 64 KB of text, n times. */
#include <string.h>
#define LEN (64 << 10)
static char text[LEN + 1];
static const char *find(const char *h, const char *nd)
{
    char c = nd[0];
    if (!c)
        return h;
    for (; *h; h++) {
        if (*h != c)
            continue;
        const char *a = h + 1, *b = nd + 1;
        while (*b && *a == *b) {
            a++;
            b++;
        }
        if (!*b)
            return h;
    }
    return 0;
}
long bench(int n)
{
    static const char *const pats[8] = {"needle", "haystack", "kernel plugin", "zzz",
                                        "segment base", "qq", "trampoline", "e e"};
    static const char alpha[] = "abcdefghijklmnopqrstuvwxyz       ";
    unsigned s = 5;
    for (int i = 0; i < LEN; i++) {
        s = s * 1103515245u + 12345u;
        text[i] = alpha[(s >> 16) % (sizeof alpha - 1)];
    }
    memcpy(text + LEN - 600, "a kernel plugin at the segment base", 35);
    memcpy(text + LEN / 2, "needle", 6);
    text[LEN] = 0;
    long acc = 0;
    for (int r = 0; r < n; r++)
        for (int p = 0; p < 8; p++) {
            const char *h = text;
            const char *m;
            int cnt = 0;
            while ((m = find(h, pats[p])) != 0) {
                cnt++;
                h = m + 1;
            }
            acc += cnt * (p + 1);
        }
    return acc;
}
