/* expect-trap: KP_TRAP_BAD_CALL */
/* Code pointers are handles: the address of data is not callable. */
static unsigned char shellcode[] = { 0xc3, 0x90, 0x90, 0x90 };
int main(void)
{
    int (*f)(void) = (int (*)(void))shellcode;
    return f();
}
