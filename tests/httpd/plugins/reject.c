/* A filter that rejects its input (-1): 422. */
/* expect-status: 422 */
/* expect-body: rejected the file */
int filter(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    return -1;
}
