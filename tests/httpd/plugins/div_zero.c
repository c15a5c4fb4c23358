/* Division by a value read from the file (zero): a trap, not a SIGFPE. */
/* expect-status: 500 */
/* expect-body: KP_TRAP_DIV */
int filter(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    return in_len / (in[0] - 'P');
}
