/* expect-exit: 63 */
/* expect-stdout:
move disk 4 A->C
move disk 5 A->B
move disk 4 C->B
move disk 6 A->C
move disk 4 B->A
move disk 5 B->C
move disk 4 A->C
63 moves
*/
#include <stdio.h>

static int moves;

void hanoi(int n, char from, char to, char via)
{
    if (n == 0)
        return;
    hanoi(n - 1, from, via, to);
    moves++;
    if (n >= 4)
        printf("move disk %d %c->%c\n", n, from, to);
    hanoi(n - 1, via, to, from);
}

int main(void)
{
    hanoi(6, 'A', 'C', 'B');
    printf("%d moves\n", moves);
    return moves % 256;
}
