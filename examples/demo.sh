#!/bin/sh
# examples/demo.sh — the main job (`make demo`): grayscale the sample PPM
# image with the sample plugin examples/gray.c, compiled and run by kplug.
set -eu
cd "$(dirname "$0")/.."
KPLUG=${1:-./kplug}
in=examples/images/sample.ppm
out=sample.pgm
echo "kplug: compiling the plugin examples/gray.c ($(wc -l <examples/gray.c) lines) and"
echo "       running it on $in ($(wc -c <$in) bytes, 24-bit colour PPM)"
"$KPLUG" filter examples/gray.c --stats <"$in" >"$out"
echo "wrote $out ($(wc -c <"$out") bytes, 8-bit grey PGM)"
if cmp -s "$out" examples/images/sample.pgm; then
    echo "ok: identical to examples/images/sample.pgm (the same plugin compiled natively by gcc)"
else
    echo "MISMATCH: $out differs from examples/images/sample.pgm" >&2
    exit 1
fi
