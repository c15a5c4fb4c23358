/* Memory loop: sieve of Eratosthenes up to 256k, n times. */
#include <string.h>
#define N 262144
static unsigned char composite[N + 1];
long bench(int n)
{
    long total = 0;
    for (int r = 0; r < n; r++) {
        memset(composite, 0, sizeof composite);
        int count = 0;
        for (int i = 2; i <= N; i++) {
            if (composite[i])
                continue;
            count++;
            for (int j = i * 2; j <= N; j += i)
                composite[j] = 1;
        }
        total += count;
    }
    return total;
}
