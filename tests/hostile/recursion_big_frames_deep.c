/* expect-trap: KP_TRAP_STACK */
/* Recursion whose frames grow with depth (alloca-like): level n uses a
 * block-scoped array of 64 KiB in a nested block. */
int grow(int n)
{
    if (n >= 0) {
        char chunk[65536];
        chunk[n & 65535] = (char)n;
        return grow(n + 1) + chunk[n & 65535];
    }
    return 0;
}
int main(void) { return grow(0); }
