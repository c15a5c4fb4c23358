/* expect-exit: 0 */
/* expect-stdout:
652
jan dec
61 365 366
1994 42 2026
*/
#include <stdio.h>

static const unsigned char gamma_table[16] = {
    0, 1, 2, 4, 7, 11, 16, 22, 30, 39, 50, 62, 76, 92, 110, 130
};
static const char *const month_names[12] = {
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"
};
static const int days_in_month[2][12] = {
    { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 },
    { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 },
};
static const struct { char sym; int value; } romans[] = {
    { 'M', 1000 }, { 'D', 500 }, { 'C', 100 }, { 'L', 50 }, { 'X', 10 }, { 'V', 5 }, { 'I', 1 }
};

static int leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int day_of_year(int y, int m, int d)
{
    for (int i = 0; i < m - 1; i++)
        d += days_in_month[leap(y)][i];
    return d;
}

static int roman_value(const char *s)
{
    int total = 0, prev = 0;
    for (int i = 0; s[i]; i++) {
        int v = 0;
        for (int k = 0; k < 7; k++)
            if (romans[k].sym == s[i])
                v = romans[k].value;
        total += v > prev ? v - 2 * prev : v;
        prev = v;
    }
    return total;
}

int main(void)
{
    int s = 0;
    for (int i = 0; i < 16; i++)
        s += gamma_table[i];
    printf("%d\n", s);
    printf("%s %s\n", month_names[0], month_names[11]);
    printf("%d %d %d\n", day_of_year(2024, 3, 1), day_of_year(2023, 12, 31), day_of_year(2000, 12, 31));
    printf("%d %d %d\n", roman_value("MCMXCIV"), roman_value("XLII"), roman_value("MMXXVI"));
    return 0;
}
