/* Memory loop: sieve of Eratosthenes over 4 MB, repeated. */
#include <stdio.h>
#include <string.h>
#define N 4000000
static unsigned char composite[N + 1];
int main(void)
{
    int count = 0;
    for (int rep = 0; rep < 5; rep++) {
        memset(composite, 0, sizeof composite);
        count = 0;
        for (int i = 2; i <= N; i++) {
            if (composite[i])
                continue;
            count++;
            for (int j = i * 2; j <= N; j += i)
                composite[j] = 1;
        }
    }
    printf("%d\n", count);
    return 0;
}
