/* expect-exit: 0 */
/* expect-stdout:
2 3 4
16.75 22.25 23.25
ann:1:3 bob:2:0 cyd:3:9 dee:4:9 
dee ann
1
24
*/
#include <stdio.h>
#include <string.h>

struct rec { char name[6]; short id; double score; unsigned char flags[3]; };
struct db { int n; struct rec recs[4]; };

static struct db global_db = { 2, { { "ann", 1, 9.5, { 1, 2, 3 } }, { "bob", 2, 7.25, { 4 } } } };

static struct db add(struct db d, const char *name, double score)
{
    struct rec r;
    memset(&r, 0, sizeof r);
    strcpy(r.name, name);
    r.id = (short)(d.n + 1);
    r.score = score;
    r.flags[2] = 9;
    d.recs[d.n++] = r;
    return d;
}

static double total(const struct db *d)
{
    double t = 0;
    for (int i = 0; i < d->n; i++)
        t += d->recs[i].score;
    return t;
}

int main(void)
{
    struct db d2 = add(global_db, "cyd", 5.5);
    struct db d3 = add(d2, "dee", 1.0);
    printf("%d %d %d\n", global_db.n, d2.n, d3.n);
    printf("%.2f %.2f %.2f\n", total(&global_db), total(&d2), total(&d3));
    for (int i = 0; i < d3.n; i++)
        printf("%s:%d:%d ", d3.recs[i].name, d3.recs[i].id, d3.recs[i].flags[2]);
    printf("\n");
    struct rec tmp = d3.recs[0];
    d3.recs[0] = d3.recs[3];
    d3.recs[3] = tmp;
    printf("%s %s\n", d3.recs[0].name, d3.recs[3].name);
    printf("%d\n", memcmp(&d2.recs[0], &global_db.recs[0], sizeof(struct rec)) == 0);
    printf("%d\n", (int)sizeof(struct rec));
    return 0;
}
