#!/bin/sh
# Regenerate examples/images/sample.ppm and the expected outputs of the
# example filters, computed by the same plugin sources compiled natively.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gcc -O2 -o "$tmp/mkimage" mkimage.c
"$tmp/mkimage" > sample.ppm
gcc -O2 -w -DFILTER=filter -include ../gray.c -o "$tmp/gray" native_filter.c
gcc -O2 -w -DFILTER=filter -include ../invert.c -o "$tmp/invert" native_filter.c
"$tmp/gray" < sample.ppm > sample.pgm
"$tmp/invert" < sample.ppm > sample-inverted.ppm
ls -l sample.ppm sample.pgm sample-inverted.ppm
