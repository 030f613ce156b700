"""Photo intake time of a 12-megapixel phone JPEG, against a naive decode-and-resize.

What it measures
    One synthetic phone photo, 4032 x 3024, JPEG quality 92, with EXIF (orientation 6, maker,
    GPS): smooth gradients, large shapes, fine grain and some text, so it compresses like a real
    photo (about 3-5 MB) rather than like flat colour or pure noise. Each approach turns it into the
    same three clean JPEGs (master, display, thumbnail), bytes in, bytes out:

      pipeline   ``lostfound.photos.process_photo``: header checks, JPEG draft decode at 1/2 scale
                 in the DCT, orientation on the smaller picture, one LANCZOS resize to the display
                 size, one to the thumbnail from there, three metadata-free encodes, sha256
      naive      ``Image.open().load()`` at full size, ``ImageOps.exif_transpose``, three LANCZOS
                 ``resize`` calls from the full-size picture (2048, 1280 and 320 px long side),
                 the same three encodes

    The process is pinned to one CPU (Linux ``sched_setaffinity``) so the figure is per core;
    Pillow and libjpeg-turbo run these operations single-threaded anyway. Each approach runs
    ``--warmup`` unmeasured times, then ``--runs`` measured times, interleaved so that a burst of
    other work on the machine hits both alike.

How to read it
    median ms   wall time per photo, median of the runs (min and max beside it)
    MB/s        input JPEG bytes / median time
    MP/s        source megapixels / median time
    ratio       naive median / pipeline median
    The aim from issue 3 is <= 250 ms per photo on one core. ``--heic`` adds a row for the same
    picture as HEIC (libheif has no scaled decode, so it costs a full decode plus a resize).

Usage (from the project root)
    .venv/bin/python bench/photos.py [--runs 15] [--warmup 2] [--cpu N] [--heic]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lostfound.photos import (
    DISPLAY_LONG_SIDE,
    DISPLAY_QUALITY,
    MASTER_LONG_SIDE,
    MASTER_QUALITY,
    THUMB_LONG_SIDE,
    THUMB_QUALITY,
    process_photo,
)

WIDTH, HEIGHT = 4032, 3024


def phone_photo(fmt: str = "JPEG") -> bytes:
    """A deterministic 12-megapixel picture that compresses like a phone photo."""
    rng = random.Random(20250328)
    horizontal = Image.linear_gradient("L").rotate(90).resize((WIDTH, HEIGHT))
    vertical = Image.linear_gradient("L").resize((WIDTH, HEIGHT))
    blotches = Image.effect_noise((WIDTH // 16, HEIGHT // 16), 64).resize(
        (WIDTH, HEIGHT), Image.Resampling.BICUBIC
    )
    picture = Image.merge(
        "RGB",
        (
            Image.blend(horizontal, blotches, 0.35),
            Image.blend(vertical, blotches, 0.25),
            Image.blend(horizontal.transpose(Image.Transpose.FLIP_LEFT_RIGHT), vertical, 0.5),
        ),
    )
    draw = ImageDraw.Draw(picture)
    for _ in range(40):
        x, y = rng.randrange(WIDTH), rng.randrange(HEIGHT)
        w, h = rng.randrange(80, 900), rng.randrange(80, 700)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        if rng.random() < 0.5:
            draw.ellipse((x, y, x + w, y + h), fill=colour)
        else:
            draw.rectangle((x, y, x + w, y + h), fill=colour, outline=(20, 20, 20), width=6)
    font = ImageFont.load_default(size=96)
    for row in range(6):
        draw.text(
            (300, 300 + row * 420), f"DC-2025-{rng.randrange(10**6):06d} 钱包", fill=(15, 15, 15), font=font
        )
    picture = picture.filter(ImageFilter.GaussianBlur(1.2))  # lens softness
    grain = Image.effect_noise((WIDTH, HEIGHT), 24)  # sensor noise
    picture = Image.merge("RGB", [Image.blend(band, grain, 0.08) for band in picture.split()])
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "PhoneMaker X1"
    exif[0x8825] = {1: "N", 2: (30.0, 17.0, 12.5), 3: "E", 4: (120.0, 9.0, 41.0)}
    out = io.BytesIO()
    if fmt == "JPEG":
        picture.save(out, format="JPEG", quality=92, exif=exif)
    else:
        picture.save(out, format=fmt, quality=90, exif=exif.tobytes())
    return out.getvalue()


def _fit(size: tuple[int, int], long_side: int) -> tuple[int, int]:
    scale = min(1.0, long_side / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _encode(image: Image.Image, quality: int) -> bytes:
    image.info = {}
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def naive(data: bytes) -> list[bytes]:
    image = Image.open(io.BytesIO(data))
    image.load()
    image = ImageOps.exif_transpose(image).convert("RGB")
    outputs = []
    for long_side, quality in (
        (MASTER_LONG_SIDE, MASTER_QUALITY),
        (DISPLAY_LONG_SIDE, DISPLAY_QUALITY),
        (THUMB_LONG_SIDE, THUMB_QUALITY),
    ):
        outputs.append(_encode(image.resize(_fit(image.size, long_side), Image.Resampling.LANCZOS), quality))
    return outputs


def _time(function: Callable[[bytes], object], data: bytes) -> float:
    started = time.perf_counter()
    function(data)
    return time.perf_counter() - started


def _pin(cpu: int | None) -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here)"
    allowed = sorted(os.sched_getaffinity(0))
    chosen = allowed[0] if cpu is None else cpu
    os.sched_setaffinity(0, {chosen})
    return f"pinned to CPU {chosen} of {os.cpu_count()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="measured runs per approach (default 15)")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured runs first (default 2)")
    parser.add_argument("--cpu", type=int, default=None, help="CPU to pin to (default: first allowed)")
    parser.add_argument("--heic", action="store_true", help="also time the same picture as HEIC")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    pinning = _pin(args.cpu)
    started = time.perf_counter()
    data = phone_photo()
    made_in = time.perf_counter() - started
    size_mb = len(data) / 1e6
    megapixels = WIDTH * HEIGHT / 1e6
    print(f"photo intake bench — {pinning}; Python {sys.version.split()[0]}, Pillow {Image.__version__}")
    print(
        f"input: {WIDTH}x{HEIGHT} JPEG q92 with EXIF (orientation 6, GPS), {size_mb:.2f} MB "
        f"(made in {made_in:.1f} s); {args.runs} runs after {args.warmup} warm-up"
    )

    photo = process_photo(data)
    naive_out = naive(data)
    sizes = ", ".join(f"{w}x{h}" for w, h in (photo.master_size, photo.display_size, photo.thumb_size))
    weights = ", ".join(f"{len(b) / 1e3:.0f} kB" for b in (photo.master, photo.display, photo.thumb))
    print(f"pipeline output: {sizes} ({weights})")
    naive_sizes = ", ".join("{}x{}".format(*Image.open(io.BytesIO(b)).size) for b in naive_out)
    print(f"naive output:    {naive_sizes}")

    approaches: dict[str, Callable[[bytes], object]] = {"pipeline": process_photo, "naive": naive}
    for _ in range(args.warmup):
        for function in approaches.values():
            function(data)
    timings: dict[str, list[float]] = {name: [] for name in approaches}
    for _ in range(args.runs):
        for name, function in approaches.items():
            timings[name].append(_time(function, data))

    rows = [(name, data, timings[name]) for name in approaches]
    if args.heic:
        heic = phone_photo("HEIF")
        process_photo(heic)
        rows.append(("pipeline, HEIC", heic, [_time(process_photo, heic) for _ in range(args.runs)]))

    print()
    print(f"{'approach':<16}{'median ms':>10}{'min ms':>9}{'max ms':>9}{'MB/s':>8}{'MP/s':>8}")
    for name, source, runs in rows:
        median = statistics.median(runs)
        print(
            f"{name:<16}{median * 1e3:>10.1f}{min(runs) * 1e3:>9.1f}{max(runs) * 1e3:>9.1f}"
            f"{len(source) / 1e6 / median:>8.1f}{megapixels / median:>8.1f}"
        )
    pipeline_median = statistics.median(timings["pipeline"])
    ratio = statistics.median(timings["naive"]) / pipeline_median
    verdict = "within" if pipeline_median <= 0.250 else "OVER"
    print()
    print(
        f"ratio naive / pipeline: {ratio:.2f}x; pipeline {verdict} the 250 ms aim ({pipeline_median * 1e3:.0f} ms)"
    )
    if hasattr(os, "getloadavg"):
        print(
            f"load average while running: {os.getloadavg()[0]:.2f} (other work on the machine makes figures noisy)"
        )


if __name__ == "__main__":
    main()
