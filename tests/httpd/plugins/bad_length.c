/* A filter claiming more output than the buffer holds. */
/* expect-status: 500 */
/* expect-body: beyond out_cap */
int filter(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    return out_cap + 1;
}
