/* mkimage.c — writes the sample PPM (P6) image to stdout: a colour
 * gradient with a few discs, deterministic. Built and run by make_sample.sh. */
#include <stdio.h>

int main(void)
{
    const int w = 160, h = 120;
    printf("P6\n# kplug sample image: gradient and discs\n%d %d\n# maxval follows\n255\n", w, h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int r = x * 255 / (w - 1), g = y * 255 / (h - 1), b = (x + y) * 255 / (w + h - 2);
            int cx[3] = { 40, 100, 130 }, cy[3] = { 40, 70, 30 }, rad[3] = { 25, 35, 15 };
            for (int k = 0; k < 3; k++) {
                int dx = x - cx[k], dy = y - cy[k];
                if (dx * dx + dy * dy < rad[k] * rad[k]) {
                    r = k == 0 ? 230 : 30 + k * 40;
                    g = k == 1 ? 220 : 60;
                    b = k == 2 ? 240 : 90 - k * 20;
                }
            }
            putchar(r);
            putchar(g);
            putchar(b);
        }
    return 0;
}
