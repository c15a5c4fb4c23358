/* expect-exit: 71 */
/* Safe outcome: a switch whose cases span the whole int range (0, INT_MAX,
 * INT_MIN, ...) must not make an engine build a 4-billion-entry jump table. */
int pick(int x)
{
    switch (x) {
    case 0: return 1;
    case 0x7FFFFFFF: return 2;
    case -0x7FFFFFFF - 1: return 3;
    case 1000000: return 4;
    case 12: return 5;
    default: return 6;
    }
}
int main(void) { return pick(0) + pick(0x7FFFFFFF) * 10 + pick(-0x7FFFFFFF - 1) * 100 + pick(5); }
