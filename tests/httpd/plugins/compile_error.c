/* A compile error: the upload is refused with the diagnostics, at the
   same line and column as kplug check reports for this file. */
/* expect-upload: 400 */
/* expect-body: compile_error:8:16: error */
int filter(const unsigned char *in, int in_len, unsigned char *out, int out_cap)
{
    int n = in_len;
    return n + ;
}
