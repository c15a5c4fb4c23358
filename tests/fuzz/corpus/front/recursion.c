/* expect-exit: 144 */
/* expect-stdout:
55 6765 75025
3628800 2432902008176640000
21 1
45
5000
5 0 -1
*/
#include <stdio.h>

int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
long fact(int n) { return n <= 1 ? 1 : n * fact(n - 1); }
int gcd(int a, int b) { return b == 0 ? a : gcd(b, a % b); }
int sum_digits(unsigned n) { return n ? (int)(n % 10) + sum_digits(n / 10) : 0; }
int depth(int n) { return n == 0 ? 0 : 1 + depth(n - 1); }
int binsearch(const int *a, int lo, int hi, int key)
{
    if (lo > hi)
        return -1;
    int mid = lo + (hi - lo) / 2;
    if (a[mid] == key)
        return mid;
    return a[mid] < key ? binsearch(a, mid + 1, hi, key) : binsearch(a, lo, mid - 1, key);
}

int main(void)
{
    printf("%d %d %d\n", fib(10), fib(20), fib(25));
    printf("%ld %ld\n", fact(10), fact(20));
    printf("%d %d\n", gcd(1071, 462), gcd(17, 5));
    printf("%d\n", sum_digits(987654321u));
    printf("%d\n", depth(5000));
    int a[] = { 1, 3, 5, 7, 9, 11, 13 };
    printf("%d %d %d\n", binsearch(a, 0, 6, 11), binsearch(a, 0, 6, 1), binsearch(a, 0, 6, 4));
    return fib(12) & 0xff;
}
