/* A runaway plugin: stopped at the client's deadline, the server goes on. */
/* expect-status: 500 */
/* expect-body: KP_TRAP_TIMEOUT */
int filter(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    for (;;)
        ;
    return 0;
}
