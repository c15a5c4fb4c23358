/* A filter with the wrong prototype: 400. */
/* expect-status: 400 */
/* expect-body: KP_ERR_SIGNATURE */
int filter(int x) { return x; }
