/* expect-error: 4: case */
int main(void)
{
    case 1: return 0;
}
