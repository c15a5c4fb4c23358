/* expect-exit: 3 */
/* expect-stdout:
ada 1 10/12/1815 100.50 24
alan 2 23/6/1912 200.25 18
eng grace 1906 0
1816 1815
56
*/
#include <stdio.h>
#include <string.h>

struct employee {
    char name[16];
    int id;
    struct { int day, month, year; } birth;
    double salary;
    int scores[3];
};

struct dept {
    const char *title;
    int count;
    struct employee staff[3];
};

int main(void)
{
    struct dept d = { "eng", 2, {
        { "ada", 1, { 10, 12, 1815 }, 100.5, { 9, 8, 7 } },
        { "alan", 2, { 23, 6, 1912 }, 200.25, { 5, 6, 7 } } } };
    for (int i = 0; i < d.count; i++) {
        struct employee *e = &d.staff[i];
        printf("%s %d %d/%d/%d %.2f %d\n", e->name, e->id, e->birth.day,
               e->birth.month, e->birth.year, e->salary,
               e->scores[0] + e->scores[1] + e->scores[2]);
    }
    strcpy(d.staff[2].name, "grace");
    d.staff[2].birth.year = 1906;
    d.count++;
    printf("%s %s %d %d\n", d.title, d.staff[2].name, d.staff[2].birth.year, d.staff[2].id);
    struct employee copy = d.staff[0];
    copy.birth.year++;
    printf("%d %d\n", copy.birth.year, d.staff[0].birth.year);
    printf("%d\n", (int)sizeof(struct employee));
    return d.count;
}
