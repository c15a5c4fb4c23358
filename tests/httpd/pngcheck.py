"""pngcheck.py PNM PNG — check that PNG (from the png sample plugin) is a
valid PNG (chunk CRCs, zlib stream) whose pixels are exactly those of the
P6/P5 image PNM. Exit 0 if so; used by tests/httpd/test_httpd.sh."""
import struct
import sys
import zlib


def pnm_pixels(data):
    fields, i = [], 2
    while len(fields) < 3:
        while data[i:i + 1] in (b" ", b"\t", b"\r", b"\n", b"#"):
            if data[i:i + 1] == b"#":
                while data[i:i + 1] != b"\n":
                    i += 1
            else:
                i += 1
        j = i
        while data[j:j + 1].isdigit():
            j += 1
        fields.append(int(data[i:j]))
        i = j
    w, h, _ = fields
    ch = 3 if data[:2] == b"P6" else 1
    return w, h, ch, data[i + 1:i + 1 + w * h * ch]


def main():
    src = open(sys.argv[1], "rb").read()
    png = open(sys.argv[2], "rb").read()
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("no PNG signature")
    pos, idat, ihdr = 8, b"", None
    while pos < len(png):
        n, = struct.unpack(">I", png[pos:pos + 4])
        kind, body = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + n]
        crc, = struct.unpack(">I", png[pos + 8 + n:pos + 12 + n])
        if zlib.crc32(kind + body) & 0xffffffff != crc:
            sys.exit("bad CRC in chunk %r" % kind)
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, ch, pixels = pnm_pixels(src)
    if ihdr[:4] != (w, h, 8, 2 if ch == 3 else 0):
        sys.exit("IHDR %r does not match the image" % (ihdr,))
    raw, stride, out = zlib.decompress(idat), w * ch, bytearray()
    for y in range(h):
        row = raw[y * (stride + 1):(y + 1) * (stride + 1)]
        if row[0] != 1:
            sys.exit("row %d: filter %d, expected Sub" % (y, row[0]))
        line = bytearray(stride)
        for x in range(stride):
            line[x] = (row[1 + x] + (line[x - ch] if x >= ch else 0)) & 255
        out += line
    if bytes(out) != pixels:
        sys.exit("pixels differ")


main()
