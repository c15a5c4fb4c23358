/*
 * hello.c — the smallest plugin: `kplug run examples/hello.c [N]`.
 * The entry gets the command-line integers; its result is the exit status.
 */
#include <stdio.h>

static int square(int x) { return x * x; }

int main(void)
{
    puts("hello from a kplug plugin");
    for (int i = 1; i <= 5; i++)
        printf("%d squared is %d\n", i, square(i));
    return 0;
}

/* kplug run examples/hello.c --entry sum_to 100   (exit status: 5050 & 255) */
int sum_to(int n)
{
    int s = 0;
    for (int i = 1; i <= n; i++)
        s += i;
    printf("sum 1..%d = %d\n", n, s);
    return s;
}
