/* expect-exit: 200 */
/* Safe outcome: a 512 KiB local array fits in the default 1 MiB plugin
 * stack and works end to end. */
int main(void)
{
    static const int n = 512 * 1024;
    char a[512 * 1024];
    for (int i = 0; i < n; i++)
        a[i] = (char)i;
    int s = 0;
    for (int i = 0; i < n; i += 4096)
        s += (unsigned char)a[i + 200] - 200 + 1;
    return s + 72;
}
