"""Windows .ico and macOS .icns files assembled from the hicolor PNGs, without Pillow.

Both formats may hold PNG data directly: ICO since Windows Vista (an entry whose bytes start
with the PNG signature), ICNS for the ``ic07``..``ic14`` and ``icp4``..``icp6`` types.
"""

from __future__ import annotations

import struct
from pathlib import Path

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS type -> pixel size of the PNG it holds (the @2x types reuse the larger renderings).
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic13", 256),
    (b"ic14", 512),
)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICO file holding each PNG as one image (sizes up to 256 px)."""
    sizes = sorted(s for s in pngs if s <= 256)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    entries, images = [], []
    for size in sizes:
        data = pngs[size]
        if png_size(data) != (size, size):
            raise ValueError(f"the {size} px PNG is {png_size(data)}")
        # width/height 0 means 256; colour count 0, reserved 0, planes 1, 32 bits per pixel.
        entries.append(struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(data), offset))
        images.append(data)
        offset += len(data)
    return header + b"".join(entries) + b"".join(images)


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICNS file with every type whose size is among ``pngs``."""
    chunks = []
    for kind, size in ICNS_TYPES:
        data = pngs.get(size)
        if data is None:
            continue
        chunks.append(kind + struct.pack(">I", 8 + len(data)) + data)
    body = b"".join(chunks)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def read_pngs(hicolor: Path, name: str = "annotator") -> dict[int, bytes]:
    """The PNGs under a hicolor tree, by size."""
    found = {}
    for path in hicolor.glob(f"*x*/apps/{name}.png"):
        width, height = png_size(path.read_bytes())
        if width == height:
            found[width] = path.read_bytes()
    return found


def write_platform_icons(hicolor: Path, out_dir: Path, name: str = "annotator") -> tuple[Path, Path]:
    """Write ``name.ico`` and ``name.icns`` into ``out_dir`` from the PNGs under ``hicolor``."""
    pngs = read_pngs(hicolor, name)
    missing = [s for s in ICO_SIZES if s not in pngs]
    if missing:
        raise FileNotFoundError(f"no {missing} px PNGs under {hicolor} (run packaging/render_icons.py)")
    out_dir.mkdir(parents=True, exist_ok=True)
    ico = out_dir / f"{name}.ico"
    icns = out_dir / f"{name}.icns"
    ico.write_bytes(ico_bytes(pngs))
    icns.write_bytes(icns_bytes(pngs))
    return ico, icns
