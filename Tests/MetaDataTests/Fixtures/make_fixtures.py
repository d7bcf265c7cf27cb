#!/usr/bin/env python3
"""Writes the MetaData test fixtures with an independent PNG encoder (zlib +
struct) and Python's zipfile. The pixel formulas are repeated in the Swift
tests, which check the decoder against them. Run from this directory."""
import os, struct, zipfile, zlib


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_row(kind, row, prev, bpp):
    out = bytearray()
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
        out.append((x - pred) % 256)
    return bytes([kind]) + bytes(out)


def pack(samples, depth):
    """One row of samples as PNG bytes (sub-byte samples MSB first)."""
    if depth == 16:
        return b"".join(struct.pack(">H", s) for s in samples)
    if depth == 8:
        return bytes(samples)
    per = 8 // depth
    out = bytearray((len(samples) + per - 1) // per)
    for x, s in enumerate(samples):
        out[x // per] |= s << (8 - depth * (x % per + 1))
    return bytes(out)


def png(rows, depth, filters, colour=0, interlace=0):
    width = len(rows[0])
    bpp = max(1, depth // 8)
    raw, prev = b"", bytes(len(pack(rows[0], depth)))
    for y, samples in enumerate(rows):
        line = pack(samples, depth)
        raw += filter_row(filters[y % len(filters)], line, prev, bpp)
        prev = line
    ihdr = struct.pack(">IIBBBBB", width, len(rows), depth, colour, 0, 0, interlace)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"tEXt", b"Comment\x00fixture")
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def write(name, data):
    with open(name, "wb") as f:
        f.write(data)


# Decoder fixtures; every row uses a different filter type.
write("grey8.png", png([[(x * 37 + y * 101 + 11) % 256 for x in range(7)] for y in range(5)], 8, [0, 1, 2, 3, 4]))
write("bits1.png", png([[1 if (x * 3 + y * 5) % 7 < 3 else 0 for x in range(13)] for y in range(5)], 1, [0, 1, 2, 3, 4]))
write("grey4.png", png([[(x * 5 + y * 3) % 16 for x in range(5)] for y in range(3)], 4, [3, 4, 1]))
write("grey16.png", png([[(x * 20000 + y * 7000 + 5) % 65536 for x in range(3)] for y in range(2)], 16, [1, 4]))
write("rgb.png", png([[0, 0, 0, 255, 255, 255]] * 2, 8, [0], colour=2))
write("interlaced.png", png([[1, 0, 1]] * 3, 1, [0], interlace=1))

# A miniature Omniglot: 105x105 1-bit drawings, white with one black
# 30x21 rectangle at top = 9*c + 3*d, left = 6*d + 3 (c: character number
# over both archives, d: drawing number, both from 0).
layout = {
    "images_background": [("Alpha", 1), ("Alpha", 2), ("Beta", 1)],
    "images_evaluation": [("Gamma", 1), ("Gamma", 2)],
}
os.makedirs("omniglot/splits/vinyals", exist_ok=True)
c = 0
for stem, characters in layout.items():
    with zipfile.ZipFile(f"omniglot/{stem}.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(stem + "/", b"")
        for alphabet, number in characters:
            folder = f"{stem}/{alphabet}/character{number:02d}"
            for d in range(3):
                top, left = 9 * c + 3 * d, 6 * d + 3
                rows = [[0 if top <= y < top + 30 and left <= x < left + 21 else 1 for x in range(105)]
                        for y in range(105)]
                method = zipfile.ZIP_STORED if (c, d) == (0, 1) else zipfile.ZIP_DEFLATED
                z.writestr(zipfile.ZipInfo(f"{folder}/{c + 1:04d}_{d + 1:02d}.png", (2018, 2, 18, 0, 0, 0)),
                           png(rows, 1, [0]), compress_type=method)
            c += 1

splits = {
    "train": ["Alpha/character01", "Gamma/character01"],
    "val": ["Beta/character01"],
    "test": ["Gamma/character02", "Alpha/character02"],
}
splits["trainval"] = splits["train"] + splits["val"]
for name, characters in splits.items():
    write(f"omniglot/splits/vinyals/{name}.txt",
          "".join(f"{ch}/rot{r}\n" for ch in characters for r in ("000", "090", "180", "270")).encode())
