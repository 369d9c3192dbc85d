#!/usr/bin/env python3
"""Draws assets/daemonlab.png: three thread lanes and the exit line that one of them never
reaches. Standard library only (zlib + struct), so anyone can regenerate it."""
import struct, zlib

N = 256
BG, EDGE = (27, 30, 37), (60, 66, 80)
LANES = [  # (y, x_end, colour): MainThread, a daemon thread, the non-daemon recv_events
    (72, 150, (76, 175, 80)),
    (128, 150, (74, 144, 217)),
    (184, 236, (230, 110, 60)),
]

def pixel(x, y):
    r = 40  # rounded corners
    cx, cy = min(max(x, r), N - 1 - r), min(max(y, r), N - 1 - r)
    if (x - cx) ** 2 + (y - cy) ** 2 > r * r:
        return (0, 0, 0, 0)
    if (x - cx) ** 2 + (y - cy) ** 2 > (r - 6) ** 2 and (x < r or x > N - 1 - r or y < r or y > N - 1 - r):
        return EDGE + (255,)
    for ly, x_end, col in LANES:
        if abs(y - ly) <= 16 and 32 <= x <= x_end:
            return col + (255,)
    if 160 <= x <= 166 and 44 <= y <= 212:  # main ended here...
        return (240, 240, 240, 255)
    return BG + (255,)

rows = b"".join(b"\x00" + bytes(c for x in range(N) for c in pixel(x, y)) for y in range(N))
chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", N, N, 8, 6, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))
open(__file__.replace("make_icon.py", "daemonlab.png"), "wb").write(png)
