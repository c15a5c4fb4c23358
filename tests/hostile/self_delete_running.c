/* expect-exit: 48 */
/* Safe outcome: a plugin created at run time deletes itself while its own
 * function is running, keeps running (its code is freed only once no call
 * is inside it), calls its private helper and returns. Its exported name is
 * unlinked afterwards, and a new plugin can take the same names. */
#include <kplug.h>
static const char *child =
    "#include <kplug.h>\n"
    "static int helper(int x) { int s = 0; for (int i = 0; i < x; i++) s += i; return s; }\n"
    "int suicide(int x) {\n"
    "    if (delete(\"child\") != 0) return -1;\n"
    "    for (int k = 0; k < 1000; k++) create(\"noise\", \"int noise_fn(void) { return 1; }\"), delete(\"noise\");\n"
    "    return helper(x);\n"
    "}\n";
int main(void)
{
    if (create("child", child) != 0)
        return 1;
    int (*f)(int) = (int (*)(int))lookup("suicide");
    int r = f(10);                                   /* 45 */
    if (lookup("suicide") != 0)
        return 2;
    if (create("child", "int suicide(int x) { return x - 7; }") != 0)
        return 3;
    return r + f(10);                                /* 45 + 3 */
}
