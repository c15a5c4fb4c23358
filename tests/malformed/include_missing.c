/* expect-error: 2: not found|no such|cannot|unknown header */
#include <no_such_header.h>
int main(void) { return 0; }
