/* expect-trap: KP_TRAP_UNLINKED */
/* Declared, never defined: an import that nothing provides. */
int host_service(int request);
int main(void)
{
    return host_service(1);
}
