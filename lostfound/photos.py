"""Photo intake: decode an upload once, refuse what is unsafe, re-encode clean JPEGs.

Pure CPU and synchronous; callers run it in a worker thread. Every accepted photo comes out as three
JPEGs (master, display, thumbnail) with no metadata at all: no EXIF, GPS, XMP, comment or ICC
profile. Colours from a tagged source (an iPhone's Display P3, an Adobe RGB camera) are converted to
sRGB first, so the untagged output means sRGB, as browsers assume.
"""

from __future__ import annotations

import hashlib
import io
import math
import secrets
import struct
import zlib
from dataclasses import dataclass, field
from functools import lru_cache

import pillow_heif
from PIL import Image, ImageCms, ImageFile, ImageFilter, ImageOps

from lostfound.domain.i18n_markers import N_

SUPPORTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "HEIF"})

MASTER_LONG_SIDE = 2048
DISPLAY_LONG_SIDE = 1280
THUMB_LONG_SIDE = 320
MASTER_QUALITY = 88
DISPLAY_QUALITY = 82
THUMB_QUALITY = 78
REDACTED_QUALITY = 85
# A JPEG is decoded at 1/2, 1/4 or 1/8 scale in the DCT (nearly free); that result is kept as the master
# when its long side lands within this fraction below the cap, instead of resampling it once more.
DRAFT_SLACK = 0.9
MAX_REDACTION_BOXES = 32
_JITTER = 12  # grey levels of random brightness per mosaic cell
_random = secrets.SystemRandom()

MSG_TOO_MANY_BYTES = N_("The photo is larger than %(limit)d MB. Take it again at a lower resolution.")
MSG_TOO_MANY_PIXELS = N_(
    "The photo has more than %(limit)d megapixels. Take it again at a lower resolution or send a smaller copy."
)
MSG_NOT_A_PHOTO = N_(
    "This file is not a photo in an accepted format. Send a JPEG, PNG, WebP or HEIC picture."
)
MSG_EMPTY = N_("The file is empty. Choose the photo again and upload it.")
MSG_DAMAGED = N_("The photo file is damaged or incomplete. Upload it again, or take a new photo.")
MSG_BAD_BOX = N_("A blurred area has no width or height. Draw the box again.")
MSG_TOO_MANY_BOXES = N_("Too many blurred areas (at most %(limit)d). Draw fewer, larger boxes.")

_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})
_HEIF_GENERIC_BRANDS = frozenset({b"mif1", b"msf1"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})


def _register_heif() -> None:
    # Only the primary image is wanted: no embedded thumbnails (which could show something else),
    # no depth maps, no auxiliary images.
    pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)


_register_heif()


class PhotoRejected(Exception):
    """An upload the officer has to replace. ``message`` is untranslated (N_-marked), ``params`` fill it."""

    def __init__(self, message: str, status_code: int = 400, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params
        self.status_code = status_code


@dataclass(frozen=True, slots=True)
class PhotoLimits:
    max_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 50_000_000
    formats: frozenset[str] = field(default=SUPPORTED_FORMATS)

    def __post_init__(self) -> None:
        if self.max_bytes <= 0 or self.max_pixels <= 0:
            raise ValueError("photo limits must be positive")
        if not self.formats <= SUPPORTED_FORMATS:
            raise ValueError(f"unsupported photo formats: {sorted(self.formats - SUPPORTED_FORMATS)}")


DEFAULT_LIMITS = PhotoLimits()


@dataclass(frozen=True, slots=True)
class ProcessedPhoto:
    master: bytes
    display: bytes
    thumb: bytes
    master_size: tuple[int, int]
    display_size: tuple[int, int]
    thumb_size: tuple[int, int]
    sha256: str  # of ``master``
    source_format: str  # JPEG, PNG, WEBP or HEIF
    source_size: tuple[int, int]  # as stored in the upload, before orientation


def sniff_format(data: bytes) -> str | None:
    """The accepted format ``data`` claims by its first bytes, or None. Never trusts a file name."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp" and len(data) >= 12:
        box_size = max(16, min(int.from_bytes(data[:4], "big"), 256, len(data)))
        brands = {data[8:12]} | {data[i : i + 4] for i in range(16, box_size - 3, 4)}
        if brands & _HEIF_BRANDS or (brands & _HEIF_GENERIC_BRANDS and not brands & _AVIF_BRANDS):
            return "HEIF"
    return None


def _check_truncation_guard() -> None:
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        raise RuntimeError(
            "PIL.ImageFile.LOAD_TRUNCATED_IMAGES is enabled somewhere in the process; "
            "photo intake refuses to run because damaged uploads would be accepted half-grey"
        )


def _open(data: bytes, limits: PhotoLimits, formats: frozenset[str]) -> tuple[ImageFile.ImageFile, str]:
    """Check bytes, type and pixel count from the header; nothing is decoded yet."""
    _check_truncation_guard()
    if len(data) > limits.max_bytes:
        raise PhotoRejected(MSG_TOO_MANY_BYTES, 413, limit=limits.max_bytes // (1024 * 1024))
    if not data:
        raise PhotoRejected(MSG_EMPTY, 400)
    kind = sniff_format(data)
    if kind is None or kind not in formats:
        raise PhotoRejected(MSG_NOT_A_PHOTO, 415)
    pil_formats = ["JPEG", "MPO"] if kind == "JPEG" else [kind]
    try:
        image = Image.open(io.BytesIO(data), formats=pil_formats)
    except Image.DecompressionBombError:
        raise PhotoRejected(MSG_TOO_MANY_PIXELS, 413, limit=limits.max_pixels // 1_000_000) from None
    except Exception as exc:  # Pillow and libheif raise many kinds for a broken header
        raise PhotoRejected(MSG_DAMAGED, 400) from exc
    width, height = image.size
    if width <= 0 or height <= 0:
        raise PhotoRejected(MSG_DAMAGED, 400)
    if width * height > limits.max_pixels:
        raise PhotoRejected(MSG_TOO_MANY_PIXELS, 413, limit=limits.max_pixels // 1_000_000)
    return image, kind


def _decode(image: ImageFile.ImageFile) -> None:
    """Decode fully (a truncated file fails here) and turn the pixels upright per EXIF orientation.

    The image is not closed afterwards on purpose: it reads from a BytesIO, and ``close()`` would
    drop the decoded pixels that the result may still share.
    """
    try:
        image.load()
        ImageOps.exif_transpose(image, in_place=True)
    except (OSError, SyntaxError, ValueError, EOFError, RuntimeError, struct.error, zlib.error) as exc:
        raise PhotoRejected(MSG_DAMAGED, 400) from exc


def _fit(size: tuple[int, int], long_side: int) -> tuple[int, int]:
    width, height = size
    scale = long_side / max(width, height)
    if scale >= 1:
        return size
    return max(1, round(width * scale)), max(1, round(height * scale))


def _to_rgb_or_rgba(image: Image.Image) -> Image.Image:
    """RGB, or RGBA when there is transparency to flatten later (after downscaling, which is cheaper)."""
    mode = image.mode
    if mode in ("RGB", "RGBA"):
        return image
    if mode in ("I;16", "I;16B", "I;16L", "I"):  # 16-bit greyscale PNG: scale, don't clip to white
        image = image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
        mode = "L"
    if mode in ("LA", "La", "PA", "RGBa") or (mode in ("P", "L") and "transparency" in image.info):
        return image.convert("RGBA")
    return image.convert("RGB")


def _shrink_to_master(image: Image.Image) -> Image.Image:
    """Cap the long side; a whole-number box reduction (cheap) first, LANCZOS only for what is left.

    For a JPEG the draft decode has already done the reduction; for PNG, WebP and HEIF ``reduce``
    plays the same part, so a 4032 px photo gives the same 2016 px master whatever its format.
    """
    long_side = max(image.size)
    if long_side <= MASTER_LONG_SIDE:
        return image
    factor = long_side // math.ceil(MASTER_LONG_SIDE * DRAFT_SLACK)
    if factor >= 2:
        image = image.reduce(factor)
    if max(image.size) > MASTER_LONG_SIDE:
        image = image.resize(_fit(image.size, MASTER_LONG_SIDE), Image.Resampling.LANCZOS)
    return image


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    background = Image.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background


@lru_cache(maxsize=1)
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@lru_cache(maxsize=16)
def _to_srgb_transform(icc: bytes) -> ImageCms.ImageCmsTransform | None:
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if source.profile.xcolor_space.strip() != "RGB":
            return None
        return ImageCms.buildTransform(source, _srgb(), "RGB", "RGB", ImageCms.Intent.PERCEPTUAL)
    except (ImageCms.PyCMSError, OSError, TypeError, ValueError):
        return None  # a broken profile is treated as sRGB


def _apply_icc(image: Image.Image, icc: bytes | None) -> Image.Image:
    if not icc or image.mode != "RGB":
        return image
    transform = _to_srgb_transform(bytes(icc))
    if transform is None:
        return image
    return ImageCms.applyTransform(image, transform) or image


def _encode(image: Image.Image, quality: int) -> bytes:
    """A baseline JPEG with nothing but pixels: info is emptied so Pillow cannot copy a comment over."""
    image.info = {}
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, optimize=False, progressive=False, subsampling="4:2:0")
    return out.getvalue()


def process_photo(data: bytes, limits: PhotoLimits = DEFAULT_LIMITS) -> ProcessedPhoto:
    """Turn an upload into clean master, display and thumbnail JPEGs, or raise PhotoRejected."""
    image, kind = _open(data, limits, limits.formats)
    source_size = image.size
    if kind == "JPEG" and max(source_size) > MASTER_LONG_SIDE:
        scale = math.ceil(MASTER_LONG_SIDE * DRAFT_SLACK) / max(source_size)
        image.draft("RGB", (math.ceil(source_size[0] * scale), math.ceil(source_size[1] * scale)))
    _decode(image)
    icc = image.info.get("icc_profile")
    master = _apply_icc(_shrink_to_master(_flatten(_to_rgb_or_rgba(image))), icc)
    display = master.resize(_fit(master.size, DISPLAY_LONG_SIDE), Image.Resampling.LANCZOS, reducing_gap=2.0)
    thumb = display.resize(_fit(display.size, THUMB_LONG_SIDE), Image.Resampling.LANCZOS, reducing_gap=2.0)
    master_bytes = _encode(master, MASTER_QUALITY)
    return ProcessedPhoto(
        master=master_bytes,
        display=_encode(display, DISPLAY_QUALITY),
        thumb=_encode(thumb, THUMB_QUALITY),
        master_size=master.size,
        display_size=display.size,
        thumb_size=thumb.size,
        sha256=hashlib.sha256(master_bytes).hexdigest(),
        source_format=kind,
        source_size=source_size,
    )


def _pixel_box(
    box: tuple[float, float, float, float], size: tuple[int, int]
) -> tuple[int, int, int, int] | None:
    """Relative (x0, y0, x1, y1) to a pixel box, corners in any order, clamped, padded a little."""
    try:
        x0, y0, x1, y1 = (float(v) for v in box)
    except (TypeError, ValueError):
        return None
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
        return None
    x0, x1 = sorted((min(max(x0, 0.0), 1.0), min(max(x1, 0.0), 1.0)))
    y0, y1 = sorted((min(max(y0, 0.0), 1.0), min(max(y1, 0.0), 1.0)))
    width, height = size
    left, right = math.floor(x0 * width), math.ceil(x1 * width)
    top, bottom = math.floor(y0 * height), math.ceil(y1 * height)
    if right - left < 2 or bottom - top < 2 or x1 - x0 <= 0 or y1 - y0 <= 0:
        return None
    # A box drawn tight on a line of digits must not leave the glyphs' edges readable around it.
    pad = max(2, round(min(right - left, bottom - top) * 0.1))
    return max(0, left - pad), max(0, top - pad), min(width, right + pad), min(height, bottom + pad)


def _obscure(region: Image.Image) -> Image.Image:
    """Heavy blur, then a coarse mosaic with per-block jitter: at most 12 x 3 noisy averages survive."""
    width, height = region.size
    block = max(8, math.ceil(max(width, height) / 12), math.ceil(min(width, height) / 3))
    blurred = region.filter(ImageFilter.GaussianBlur(radius=block))
    grid = (max(1, round(width / block)), max(1, round(height / block)))
    cells = blurred.resize(grid, Image.Resampling.BOX)
    # Jitter each cell's brightness so the few averages left cannot be matched against candidate
    # numbers rendered in the same font.
    pixels = cells.load()
    assert pixels is not None
    for y in range(grid[1]):
        for x in range(grid[0]):
            offset = _random.randint(-_JITTER, _JITTER)
            pixels[x, y] = tuple(min(255, max(0, c + offset)) for c in pixels[x, y])  # type: ignore[union-attr]
    return cells.resize(region.size, Image.Resampling.NEAREST)


def redact(
    jpeg_bytes: bytes,
    boxes: list[tuple[float, float, float, float]],
    limits: PhotoLimits = DEFAULT_LIMITS,
    max_boxes: int = MAX_REDACTION_BOXES,
) -> bytes:
    """Blur the given relative boxes (x0, y0, x1, y1 in 0..1) of a JPEG; return a clean re-encoded JPEG.

    An empty list is allowed: the result is then just the re-encoded picture (a photo with nothing to hide).
    ``max_boxes`` bounds what an officer may draw; boxes from text recognition are not bounded.
    """
    if len(boxes) > max_boxes:
        raise PhotoRejected(MSG_TOO_MANY_BOXES, 400, limit=max_boxes)
    image, _kind = _open(jpeg_bytes, limits, frozenset({"JPEG"}))
    _decode(image)
    picture = _flatten(_to_rgb_or_rgba(image))
    pixel_boxes = [_pixel_box(box, picture.size) for box in boxes]
    if any(box is None for box in pixel_boxes):
        raise PhotoRejected(MSG_BAD_BOX, 400)
    for box in pixel_boxes:
        assert box is not None
        picture.paste(_obscure(picture.crop(box)), box[:2])
    return _encode(picture, REDACTED_QUALITY)
