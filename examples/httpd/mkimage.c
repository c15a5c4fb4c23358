/* mkimage.c — writes a W x H colour PPM (P6) to stdout: gradients and
 * rings, deterministic, so the server's sample images (and the benchmark's
 * 9 KB .. 3.3 MB set) are generated at build time instead of committed.
 *     mkimage W H > out.ppm */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int w = argc > 2 ? atoi(argv[1]) : 0, h = argc > 2 ? atoi(argv[2]) : 0;
    if (w <= 0 || h <= 0 || w > 20000 || h > 20000) {
        fprintf(stderr, "usage: mkimage W H > out.ppm\n");
        return 2;
    }
    printf("P6\n# kplug-httpd sample image\n%d %d\n255\n", w, h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int dx = x - w / 2, dy = y - h / 2;
            int ring = ((dx * dx + dy * dy) * 64 / (w * w / 4 + h * h / 4 + 1)) & 8;
            putchar(ring ? 255 - x * 255 / w : x * 255 / w);
            putchar(y * 255 / h);
            putchar(ring ? 200 : (x + y) * 255 / (w + h));
        }
    return 0;
}
