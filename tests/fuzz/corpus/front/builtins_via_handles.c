/* native: skip */
/* expect-exit: 0 */
/* expect-stdout:
x
via handle
42 variadic via handle
1
*/
/* Built-ins, even variadic ones, are called through lookup() handles like plugins. */
#include <kplug.h>
#include <stdio.h>
int main(void)
{
    int (*pc)(int) = (int (*)(int))lookup("putchar");
    pc('x');
    pc('\n');
    int (*ps)(const char *) = (int (*)(const char *))lookup("puts");
    ps("via handle");
    int (*pf)(const char *, ...) = (int (*)(const char *, ...))lookup("printf");
    pf("%d %s\n", 42, "variadic via handle");
    void *(*lk)(const char *) = (void *(*)(const char *))lookup("lookup");
    printf("%d\n", lk("main") == (void *)main);
    return 0;
}
