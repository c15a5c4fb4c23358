/* expect-error: 2: not found|no such|cannot|unknown header|stdarg */
#include <stdarg.h>
int main(void) { return 0; }
