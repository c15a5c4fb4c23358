/* Floating point loops: Mandelbrot set, 128x128 points, up to 64
 * iterations each, n times (shifted window per run). */
long bench(int n)
{
    long total = 0;
    for (int r = 0; r < n; r++) {
        double x0 = -2.0 + (r & 7) * 0.001;
        for (int py = 0; py < 128; py++) {
            double ci = -1.25 + py * (2.5 / 128);
            for (int px = 0; px < 128; px++) {
                double cr = x0 + px * (2.5 / 128);
                double zr = 0, zi = 0;
                int it = 0;
                while (it < 64 && zr * zr + zi * zi <= 4.0) {
                    double t = zr * zr - zi * zi + cr;
                    zi = 2 * zr * zi + ci;
                    zr = t;
                    it++;
                }
                total += it;
            }
        }
    }
    return total;
}
