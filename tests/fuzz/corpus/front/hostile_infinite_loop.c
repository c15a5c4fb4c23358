/* expect-trap: KP_TRAP_TIMEOUT */
/* timeout: 300 */
int main(void)
{
    volatile int x = 0;
    for (;;)
        x++;
    return x;
}
