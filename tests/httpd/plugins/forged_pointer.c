/* A pointer made up from an integer: outside the client's memory. */
/* expect-status: 500 */
/* expect-body: KP_TRAP_MEMORY */
int filter(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    int *p = (int *)0x7ff00000;
    return *p;
}
