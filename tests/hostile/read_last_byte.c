/* expect-exit: 0 */
/* mem: 4 */
/* Safe outcome: the last byte below the memory size is valid to read. */
int main(void)
{
    volatile unsigned char *p = (unsigned char *)((4u << 20) - 1);
    unsigned char c = *p;
    return c & 0;
}
