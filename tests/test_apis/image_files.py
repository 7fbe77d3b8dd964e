"""Image files for bad-input tests."""
import struct
import zlib


def png_header(path, width, height):
    """Write a PNG that claims ``width`` x ``height`` pixels (a decompression
    bomb's header) with almost no data."""

    def chunk(kind, data):
        crc = zlib.crc32(kind + data) & 0xffffffff
        return struct.pack('>I', len(data)) + kind + data + struct.pack(
            '>I', crc)

    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(
            b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0)) +
                chunk(b'IDAT', zlib.compress(b'\0' * 64)) +
                chunk(b'IEND', b''))
