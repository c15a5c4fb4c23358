/* expect-exit: 9 */
/* Safe outcome: a constant index whose scaled offset wraps (4 * 0x3FFFFFFF =
 * 0xFFFFFFFC = -4) must behave like a[-1] on every engine, even where the
 * engine folds constant offsets into the address. */
struct s { int before; int a[4]; };
int main(void)
{
    struct s v = { 9, { 1, 2, 3, 4 } };
    int *a = v.a;
    return a[0x3FFFFFFF];
}
