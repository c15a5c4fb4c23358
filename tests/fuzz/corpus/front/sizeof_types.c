/* expect-exit: 0 */
/* expect-stdout:
1 2 4 8 8
4 8 1
8 4 16 8 8
40 4
6
4
96 32
4 5
24
*/
#include <stdio.h>

struct s1 { char c; int i; };
struct s2 { char a; char b; short s; };
struct s3 { char c; double d; };
struct s4 { int i; char c; };
union u1 { char c[5]; int i; };

int main(void)
{
    printf("%d %d %d %d %d\n", (int)sizeof(char), (int)sizeof(short),
           (int)sizeof(int), (int)sizeof(long), (int)sizeof(long long));
    printf("%d %d %d\n", (int)sizeof(float), (int)sizeof(double), (int)sizeof(_Bool));
    printf("%d %d %d %d %d\n", (int)sizeof(struct s1), (int)sizeof(struct s2),
           (int)sizeof(struct s3), (int)sizeof(struct s4), (int)sizeof(union u1));
    int arr[10];
    printf("%d %d\n", (int)sizeof arr, (int)sizeof arr[0]);
    char str[] = "hello";
    printf("%d\n", (int)sizeof str);
    printf("%d\n", (int)sizeof "abc");
    double m[3][4];
    printf("%d %d\n", (int)sizeof m, (int)sizeof m[0]);
    int x = 5;
    int n = sizeof(x++);
    printf("%d %d\n", n, x);
    printf("%d\n", (int)sizeof(struct s1[3]));
    return 0;
}
