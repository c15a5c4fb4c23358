/* expect-trap: KP_TRAP_MEMORY */
/* A 64-bit "host address" cast to a pointer keeps only its low 32 bits
 * (here 8, in the NULL page): pointers can never name host memory. */
int main(void)
{
    long host = 0x7fff00000000L | 8;
    volatile int *p = (int *)host;
    return *p;
}
