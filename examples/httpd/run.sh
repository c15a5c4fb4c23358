#!/bin/sh
# examples/httpd/run.sh — the main job (`make run`): start kplug-httpd on
# 127.0.0.1:$PORT with the generated sample images and the sample plugins
# loaded for the client "demo", and print what to try. Ctrl-C stops it.
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
PORT=${PORT:-8080}
WWW=$BUILD/httpd-www
U=http://127.0.0.1:$PORT
K="-H 'X-API-Key: demo'"
cat <<MSG
kplug-httpd: serving $WWW (sample.ppm and img-9k/99k/270k/3300k.ppm) on $U/
client 'demo' has the plugins of examples/httpd/plugins: $(cd examples/httpd/plugins && ls *.c | sed 's/\.c$//' | tr '\n' ' ')
Try, in another terminal:
  curl $U/                                                    # the endpoints
  curl -o gray.pgm $K '$U/files/sample.ppm?plugin=gray'
  curl -o small.ppm $K '$U/files/img-270k.ppm?plugin=downsample&factor=4'
  curl -o roi.ppm $K '$U/files/sample.ppm?plugin=crop&x=20&y=10&w=64&h=48'
  curl -o bright.ppm $K '$U/files/sample.ppm?plugin=adjust&brightness=40&contrast=150'
  curl -o sample.png $K '$U/files/img-3300k.ppm?plugin=png'   # opens in any viewer
  curl -s -D - -o /dev/null '$U/files/img-3300k.ppm?native=gray'   # X-Service-Time-Us
  curl $K $U/plugins                                          # list
  curl -X PUT --data-binary @examples/invert.c $K $U/plugins/invert
  curl $K $U/plugins/invert                                   # its source
  curl -X DELETE $K $U/plugins/invert
  (browser: $U/files/img-3300k.ppm?plugin=png&key=demo)
Docs: docs/httpd.md. Ctrl-C stops the server.
MSG
exec "$BUILD/kplug-httpd" --port "$PORT" --root "$WWW" --client demo \
    --plugins examples/httpd/plugins
