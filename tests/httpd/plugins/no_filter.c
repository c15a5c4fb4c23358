/* A plugin without a filter (a library for other plugins): GET is 400. */
/* expect-status: 400 */
/* expect-body: defines no filter */
int helper_twice(int x) { return 2 * x; }
