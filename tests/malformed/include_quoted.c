/* expect-error: 2: not found|no such|cannot|unknown header|include */
#include "local_file.h"
int main(void) { return 0; }
