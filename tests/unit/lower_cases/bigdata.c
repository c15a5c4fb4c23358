// expect: 1200
/* large objects: displacements beyond IR_MAX_DISP, big static data */
static unsigned char image[16 << 20];
static int table[300000] = {[0] = 1, [299999] = 2};
struct Big { char pad[1100000]; int tail; };
static struct Big gb;

int main(void)
{
    image[(16 << 20) - 1] = 200;
    image[5] = 100;
    int s = image[(16 << 20) - 1] + image[5];
    table[299998] = 5;
    s += table[0] + table[299999] + table[299998];
    gb.tail = 892;
    struct Big *p = &gb;
    s += p->tail;
    int local[50000];
    local[49999] = 0;
    s += local[49999];
    return s;
}
