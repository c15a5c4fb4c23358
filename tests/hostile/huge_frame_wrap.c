/* expect-trap: KP_TRAP_STACK */
/* A frame just under the compiler's 1 GiB cap on a function's locals: far
 * bigger than the plugin stack, so the entry check must refuse it before
 * anything is written (sp - size must not wrap around to look valid). */
int main(void)
{
    char a[0x3FFFF000];
    a[0] = 1;
    a[0x3FFFEFFF] = 2;
    return a[0] + a[0x3FFFEFFF];
}
