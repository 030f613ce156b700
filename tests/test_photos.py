"""Photo intake (decode, refuse, orient, strip, re-encode), redaction and content-addressed storage."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import struct
import time
import zlib
from pathlib import Path

import pillow_heif
import pytest
from PIL import Image, ImageChops, ImageCms, ImageDraw, ImageFile, ImageFont, ImageStat

from lostfound.photos import (
    DISPLAY_LONG_SIDE,
    MASTER_LONG_SIDE,
    THUMB_LONG_SIDE,
    PhotoLimits,
    PhotoRejected,
    process_photo,
    redact,
    sniff_format,
)
from lostfound.storage import MediaStore

RED = (230, 20, 20)
METADATA_MARKERS = {0xFE} | set(range(0xE1, 0xF0))  # COM, APP1 (EXIF, XMP) … APP15, APP2 is ICC


# --- helpers ---------------------------------------------------------------------------------------


def jpeg_markers(data: bytes) -> list[int]:
    """The marker codes of a JPEG up to its first scan (where all metadata segments sit)."""
    assert data[:2] == b"\xff\xd8"
    markers, pos = [], 2
    while pos < len(data):
        assert data[pos] == 0xFF, f"bad marker at {pos}"
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:
            break
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        pos += 2 + length
    return markers


def assert_clean_jpeg(data: bytes) -> Image.Image:
    markers = jpeg_markers(data)
    assert not METADATA_MARKERS & set(markers), [hex(m) for m in markers]
    for needle in (b"Exif\x00", b"http://ns.adobe.com/xap", b"ICC_PROFILE", b"secret-comment", b"PhoneMaker"):
        assert needle not in data
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert image.mode == "RGB"
    assert not image.getexif()
    assert not {"exif", "xmp", "icc_profile", "comment"} & set(image.info)
    image.load()
    return image


def is_red(pixel: tuple[int, ...]) -> bool:
    return pixel[0] > 170 and pixel[1] < 90 and pixel[2] < 90


def marked_picture(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """A grey picture with a red square in its stored top-left corner."""
    image = Image.new(mode, size, (128, 128, 128) if mode == "RGB" else (128, 128, 128, 255))
    side = max(8, min(size) // 8)
    ImageDraw.Draw(image).rectangle((0, 0, side, side), fill=RED)
    return image


def phone_exif(orientation: int) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "PhoneMaker X1"
    exif[0x8825] = {1: "N", 2: (30.0, 17.0, 12.5), 3: "E", 4: (120.0, 9.0, 41.0)}  # GPS
    return exif


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height: the classic decompression bomb shape."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 4096, 9))
        + chunk(b"IEND", b"")
    )


def swapped_primaries_icc() -> bytes:
    """A minimal ICC v2 RGB profile whose red and green primaries are sRGB's green and red.

    Pure red in such a file means what sRGB calls green, so a converted output shows it green.
    """

    def s15(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ \0\0\0\0" + s15(x) + s15(y) + s15(z)

    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0233) + b"\0\0"  # gamma 2.2
    text = b"swapped"
    desc = (
        b"desc\0\0\0\0" + struct.pack(">I", len(text) + 1) + text + b"\0" + b"\0" * 8 + b"\0\0\0" + b"\0" * 67
    )
    desc += b"\0" * (-len(desc) % 4)
    tags = [
        (b"desc", desc),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.3851, 0.7169, 0.0971)),  # sRGB's green colorant
        (b"gXYZ", xyz(0.4361, 0.2225, 0.0139)),  # sRGB's red colorant
        (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, body = struct.pack(">I", len(tags)), b""
    for signature, data in tags:
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = offset + len(body)
    header = (
        struct.pack(">I", size)
        + b"\0" * 4
        + bytes([2, 0x10, 0, 0])
        + b"mntrRGB XYZ "
        + b"\0" * 12
        + b"acsp"
        + b"\0" * 24
        + b"\0" * 4
        + s15(0.9642)
        + s15(1.0)
        + s15(0.8249)
        + b"\0" * 48
    )
    assert len(header) == 128
    return header + table + body


def rejected(data: bytes, **limits: int) -> PhotoRejected:
    with pytest.raises(PhotoRejected) as info:
        process_photo(data, PhotoLimits(**limits))
    error = info.value
    assert error.message % error.params  # the message formats with its own params
    return error


# --- accepted formats ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(400, 300), (4000, 3000)], ids=["small", "12mp-draft"])
def test_jpeg_orientation_applied_and_metadata_gone(size: tuple[int, int]) -> None:
    data = encode(
        marked_picture(size),
        "JPEG",
        quality=95,
        exif=phone_exif(6),
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">secret</x:xmpmeta>',
        comment=b"secret-comment",
        icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(),
    )
    assert b"Exif\x00" in data and b"ICC_PROFILE" in data  # the input really carries all of it

    photo = process_photo(data)

    assert photo.source_format == "JPEG"
    assert photo.source_size == size
    master = assert_clean_jpeg(photo.master)
    # Orientation 6: the stored picture is turned a quarter clockwise; its top-left goes top-right.
    assert master.width < master.height
    assert master.size == photo.master_size
    assert max(master.size) <= MASTER_LONG_SIDE
    assert abs(master.width / master.height - size[1] / size[0]) < 0.01
    assert is_red(master.getpixel((master.width - 3, 3)))
    assert not is_red(master.getpixel((3, 3)))
    assert not is_red(master.getpixel((master.width - 3, master.height - 3)))
    for data_, size_, long_side in (
        (photo.display, photo.display_size, DISPLAY_LONG_SIDE),
        (photo.thumb, photo.thumb_size, THUMB_LONG_SIDE),
    ):
        image = assert_clean_jpeg(data_)
        assert image.size == size_
        assert max(size_) <= long_side
        assert image.width < image.height
        assert is_red(image.getpixel((image.width - 2, 2)))
    assert photo.sha256 == hashlib.sha256(photo.master).hexdigest()


def test_colour_profile_converted_to_srgb_then_dropped() -> None:
    icc = swapped_primaries_icc()
    data = encode(Image.new("RGB", (300, 200), (255, 0, 0)), "JPEG", quality=95, icc_profile=icc)
    assert Image.open(io.BytesIO(data)).info["icc_profile"] == icc
    master = assert_clean_jpeg(process_photo(data).master)
    r, g, b = master.getpixel((150, 100))
    assert g > 200 and r < 80 and b < 80  # shown as the profile meant it, in untagged sRGB


def test_broken_colour_profile_is_ignored() -> None:
    data = encode(marked_picture((300, 200)), "JPEG", quality=95, icc_profile=b"not a profile" * 10)
    master = assert_clean_jpeg(process_photo(data).master)
    assert is_red(master.getpixel((3, 3)))


def test_big_jpeg_is_scaled_to_the_caps() -> None:
    photo = process_photo(encode(marked_picture((6000, 4000)), "JPEG", quality=80))
    assert MASTER_LONG_SIDE * 0.9 <= max(photo.master_size) <= MASTER_LONG_SIDE
    assert max(photo.display_size) == DISPLAY_LONG_SIDE
    assert max(photo.thumb_size) == THUMB_LONG_SIDE


def test_small_photo_is_never_upscaled() -> None:
    photo = process_photo(encode(marked_picture((200, 150)), "PNG"))
    assert photo.master_size == photo.display_size == photo.thumb_size == (200, 150)


def test_png_alpha_is_flattened_on_white() -> None:
    image = Image.new("RGBA", (600, 400), (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((200, 100, 399, 299), fill=(20, 40, 220, 255))
    photo = process_photo(encode(image, "PNG"))
    assert photo.source_format == "PNG"
    master = assert_clean_jpeg(photo.master)
    assert master.size == (600, 400)
    assert min(master.getpixel((20, 20))) > 245  # transparent became white, not black
    r, g, b = master.getpixel((300, 200))
    assert b > 180 and r < 60 and g < 80


def test_palette_png_with_transparency() -> None:
    image = Image.new("P", (64, 64), 0)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    ImageDraw.Draw(image).rectangle((16, 16, 47, 47), fill=1)
    photo = process_photo(encode(image, "PNG", transparency=0))
    master = assert_clean_jpeg(photo.master)
    assert min(master.getpixel((2, 2))) > 245
    assert is_red(master.getpixel((32, 32)))


def test_sixteen_bit_grey_png_keeps_its_tones() -> None:
    image = Image.new("I;16", (64, 64), 32768)  # mid grey in 16 bits
    master = assert_clean_jpeg(process_photo(encode(image, "PNG")).master)
    assert 110 < master.getpixel((32, 32))[0] < 145


@pytest.mark.parametrize(
    ("mode", "fmt"),
    [("L", "JPEG"), ("CMYK", "JPEG"), ("LA", "PNG"), ("1", "PNG"), ("L", "WEBP"), ("RGBA", "WEBP")],
)
def test_other_modes_come_out_rgb(mode: str, fmt: str) -> None:
    image = Image.new("RGB", (2400, 1600), (200, 200, 200)).convert(mode)
    photo = process_photo(encode(image, fmt))
    master = assert_clean_jpeg(photo.master)
    assert master.size == photo.master_size
    assert max(master.size) <= MASTER_LONG_SIDE


def test_webp_accepted() -> None:
    photo = process_photo(encode(marked_picture((800, 600)), "WEBP", quality=90, exif=phone_exif(1)))
    assert photo.source_format == "WEBP"
    master = assert_clean_jpeg(photo.master)
    assert master.size == (800, 600)
    assert is_red(master.getpixel((3, 3)))


def test_heic_accepted_and_oriented() -> None:
    if not pillow_heif.libheif_info().get("HEIF"):
        pytest.skip("this libheif has no HEVC encoder, so no HEIC sample can be made")
    data = encode(marked_picture((640, 480)), "HEIF", quality=90, exif=phone_exif(6).tobytes())
    assert sniff_format(data) == "HEIF"
    photo = process_photo(data)
    assert photo.source_format == "HEIF"
    master = assert_clean_jpeg(photo.master)
    assert master.size == (480, 640)
    assert is_red(master.getpixel((master.width - 3, 3)))
    assert not is_red(master.getpixel((3, 3)))


def test_heic_refused_when_limits_leave_it_out() -> None:
    if not pillow_heif.libheif_info().get("HEIF"):
        pytest.skip("this libheif has no HEVC encoder")
    data = encode(marked_picture((64, 48)), "HEIF")
    error = rejected(data, formats=frozenset({"JPEG", "PNG"}))  # type: ignore[arg-type]
    assert error.status_code == 415


# --- refusals --------------------------------------------------------------------------------------


def test_png_decompression_bomb_refused_quickly() -> None:
    data = png_header_only(30000, 30000)
    assert len(data) < 200
    started = time.perf_counter()
    error = rejected(data)
    assert time.perf_counter() - started < 0.5
    assert error.status_code == 413
    assert error.params == {"limit": 50}


def test_pixel_cap_is_ours_not_only_pillows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)  # someone turned Pillow's guard off
    assert rejected(png_header_only(10000, 6000)).status_code == 413  # 60 MP
    assert rejected(png_header_only(30000, 30000)).status_code == 413


# 144 MP is between Pillow's warning and error thresholds: Pillow warns, our own cap refuses.
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_jpeg_header_claiming_huge_size_refused() -> None:
    data = bytearray(encode(Image.new("RGB", (16, 16), "white"), "JPEG"))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, 12000, 12000)  # height, width: 144 MP
    started = time.perf_counter()
    assert rejected(bytes(data)).status_code == 413
    assert time.perf_counter() - started < 0.5


def test_custom_pixel_limit() -> None:
    error = rejected(encode(Image.new("RGB", (3000, 2000)), "PNG"), max_pixels=5_000_000)
    assert error.status_code == 413 and error.params == {"limit": 5}


@pytest.mark.parametrize("keep", [0.5, 0.9], ids=["half", "most"])
def test_truncated_jpeg_refused(keep: float) -> None:
    noise = Image.effect_noise((1200, 900), 60).convert("RGB")
    data = encode(noise, "JPEG", quality=90)
    error = rejected(data[: int(len(data) * keep)])
    assert error.status_code == 400


def test_jpeg_missing_only_its_end_marker_refused() -> None:
    data = encode(Image.effect_noise((800, 600), 60).convert("RGB"), "JPEG", quality=90)
    assert rejected(data[:-2]).status_code == 400


def test_truncated_png_and_heic_refused() -> None:
    png = encode(Image.effect_noise((600, 400), 60).convert("RGB"), "PNG")
    assert rejected(png[: len(png) // 2]).status_code == 400
    if pillow_heif.libheif_info().get("HEIF"):
        heic = encode(Image.effect_noise((600, 400), 60).convert("RGB"), "HEIF")
        assert rejected(heic[: len(heic) // 2]).status_code == 400


def test_truncation_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(RuntimeError, match="LOAD_TRUNCATED_IMAGES"):
        process_photo(encode(Image.new("RGB", (8, 8)), "JPEG"))


def test_damaged_header_refused_as_damaged() -> None:
    assert rejected(b"\xff\xd8\xff\xe0" + os.urandom(2000)).status_code == 400
    assert rejected(b"\x89PNG\r\n\x1a\n" + os.urandom(200)).status_code == 400


@pytest.mark.parametrize(
    "data",
    [
        b"Dear officer, this is a text file.\n" * 20,
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n",
        b"GIF89a" + b"\x00" * 100,
        b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + b"\x00" * 100,
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    ],
    ids=["text", "pdf", "gif", "avif", "svg"],
)
def test_non_photos_refused(data: bytes) -> None:
    error = rejected(data)
    assert error.status_code == 415
    assert "JPEG, PNG, WebP or HEIC" in error.message


def test_real_gif_refused() -> None:
    assert rejected(encode(Image.new("RGB", (32, 32), "red"), "GIF")).status_code == 415


def test_empty_upload_refused() -> None:
    assert rejected(b"").status_code == 400


def test_oversize_bytes_refused_before_anything_else() -> None:
    error = rejected(b"\xff\xd8\xff" + b"\x00" * (20 * 1024 * 1024))
    assert error.status_code == 413
    assert error.params == {"limit": 20}
    assert "20 MB" in error.message % error.params
    small_limit = rejected(encode(Image.effect_noise((200, 200), 50), "PNG"), max_bytes=1024 * 1024 // 100)
    assert small_limit.status_code == 413


def test_limits_validate() -> None:
    with pytest.raises(ValueError):
        PhotoLimits(formats=frozenset({"GIF"}))
    with pytest.raises(ValueError):
        PhotoLimits(max_bytes=0)


# --- redaction -------------------------------------------------------------------------------------


def id_card_photo(number: str) -> tuple[bytes, tuple[float, float, float, float]]:
    """A 1280 x 960 'photo' with a high-contrast 18-digit number; returns it and the number's box."""
    image = Image.new("RGB", (1280, 960), (235, 230, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle((100, 300, 1180, 700), fill=(250, 250, 245), outline=(40, 40, 40), width=4)
    font = ImageFont.load_default(size=48)
    left, top, right, bottom = draw.textbbox((160, 560), number, font=font)
    draw.text((160, 560), number, fill=(0, 0, 0), font=font)
    draw.text((160, 360), "Name", fill=(0, 0, 0), font=font)
    box = (left / 1280, top / 960, right / 1280, bottom / 960)
    return encode(image, "JPEG", quality=92), box


def mean_difference(first: Image.Image, second: Image.Image) -> float:
    return ImageStat.Stat(ImageChops.difference(first, second)).mean[0]


def grey_region(image: Image.Image, box: tuple[float, float, float, float]) -> Image.Image:
    w, h = image.size
    return image.convert("L").crop(
        (round(box[0] * w), round(box[1] * h), round(box[2] * w), round(box[3] * h))
    )


def test_redaction_makes_the_number_unreadable() -> None:
    data, box = id_card_photo("330784198707261234")
    before = grey_region(Image.open(io.BytesIO(data)), box)
    out = redact(data, [box])
    after_image = assert_clean_jpeg(out)
    assert after_image.size == (1280, 960)
    after = grey_region(after_image, box)
    variance_before = ImageStat.Stat(before).var[0]
    variance_after = ImageStat.Stat(after).var[0]
    assert variance_before > 3000  # black digits on white
    assert variance_after < variance_before * 0.03

    # Two different numbers redact to nearly the same thing: what is left says nothing about the digits.
    other, other_box = id_card_photo("110101200001019876")
    assert other_box == box
    after_other = grey_region(Image.open(io.BytesIO(redact(other, [box]))), box)
    mean_gap = mean_difference(after, after_other)
    original_gap = mean_difference(before, grey_region(Image.open(io.BytesIO(other)), box))
    assert mean_gap < original_gap / 4


def test_redaction_leaves_the_rest_alone() -> None:
    data, box = id_card_photo("330784198707261234")
    before = Image.open(io.BytesIO(data)).convert("L")
    after = Image.open(io.BytesIO(redact(data, [box]))).convert("L")
    label = (150, 350, 400, 420)  # the "Name" label above the number, outside the box
    gap = mean_difference(before.crop(label), after.crop(label))
    assert gap < 4  # only JPEG re-encoding noise


def test_redaction_boxes_are_normalised_and_clamped() -> None:
    data, box = id_card_photo("330784198707261234")
    x0, y0, x1, y1 = box
    reversed_corners = redact(data, [(x1, y1, x0, y0)])
    region = grey_region(Image.open(io.BytesIO(reversed_corners)), box)
    assert ImageStat.Stat(region).var[0] < 200
    assert_clean_jpeg(redact(data, [(-0.5, -0.5, 0.2, 0.2), (0.9, 0.9, 3.0, 3.0)]))


@pytest.mark.parametrize(
    "bad_box",
    [
        (0.2, 0.2, 0.2, 0.6),  # no width
        (0.1, 0.5, 0.6, 0.5),  # no height
        (1.5, 1.5, 2.0, 2.0),  # wholly outside: nothing left after clamping
        (float("nan"), 0.1, 0.5, 0.5),
        (0.1, 0.1, float("inf"), 0.5),
    ],
)
def test_degenerate_boxes_refused(bad_box: tuple[float, float, float, float]) -> None:
    data, _ = id_card_photo("330784198707261234")
    with pytest.raises(PhotoRejected) as info:
        redact(data, [(0.1, 0.1, 0.3, 0.3), bad_box])
    assert info.value.status_code == 400


def test_redaction_edge_cases() -> None:
    data, _ = id_card_photo("330784198707261234")
    assert_clean_jpeg(redact(data, []))  # nothing to hide: just a clean copy
    with pytest.raises(PhotoRejected) as info:
        redact(data, [(0.1, 0.1, 0.2, 0.2)] * 100)
    assert info.value.status_code == 400 and info.value.params == {"limit": 32}
    with pytest.raises(PhotoRejected) as info:
        redact(encode(Image.new("RGB", (64, 64)), "PNG"), [(0.1, 0.1, 0.5, 0.5)])
    assert info.value.status_code == 415
    with pytest.raises(PhotoRejected) as info:
        redact(data[: len(data) // 2], [(0.1, 0.1, 0.5, 0.5)])
    assert info.value.status_code == 400


# --- storage ---------------------------------------------------------------------------------------


def test_store_put_read_idempotent(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    key = store.put(b"first photo")
    digest = hashlib.sha256(b"first photo").hexdigest()
    assert key == digest + ".jpg"
    path = store.path(key)
    assert path == tmp_path / "media" / digest[:2] / digest[2:4] / key
    assert store.read(key) == b"first photo"
    assert store.exists(key)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    inode = path.stat().st_ino
    assert store.put(b"first photo") == key
    assert path.stat().st_ino == inode  # not rewritten
    assert sorted(p.name for p in path.parent.iterdir()) == [key]  # no temp files left
    assert store.put(b"first photo", ".webp") == digest + ".webp"
    assert store.keys() == sorted([key, digest + ".webp"])

    store.delete(key)
    assert not store.exists(key)
    store.delete(key)  # twice is fine
    with pytest.raises(FileNotFoundError):
        store.read(key)


@pytest.mark.parametrize(
    "key",
    [
        "../../etc/passwd",
        "a" * 64,
        "A" * 64 + ".jpg",
        "a" * 63 + ".jpg",
        "a" * 64 + ".jpg/../../x",
        "/etc/passwd",
        "aa/bb/" + "a" * 64 + ".jpg",
        "a" * 64 + ".jpg\n",
        "a" * 64 + "..",
        "",
    ],
)
def test_store_refuses_odd_keys(tmp_path: Path, key: str) -> None:
    store = MediaStore(tmp_path)
    for operation in (store.path, store.read, store.exists, store.delete):
        with pytest.raises(ValueError):
            operation(key)


@pytest.mark.parametrize("suffix", ["jpg", ".JPG", "./x", ".a/b", "", ".toolongsuffix"])
def test_store_refuses_odd_suffixes(tmp_path: Path, suffix: str) -> None:
    with pytest.raises(ValueError):
        MediaStore(tmp_path).put(b"x", suffix)


def test_sweep_orphans(tmp_path: Path) -> None:
    store = MediaStore(tmp_path)
    kept = store.put(b"referenced")
    orphan_old = store.put(b"orphan, old")
    orphan_new = store.put(b"orphan, just uploaded")
    stale_temp = store.path(kept).parent / ".tmp-crashed.jpg"
    stale_temp.write_bytes(b"half")
    fresh_temp = store.path(kept).parent / ".tmp-writing.jpg"
    fresh_temp.write_bytes(b"half")
    foreign = tmp_path / "posters" / "poster.png"
    foreign.parent.mkdir()
    foreign.write_bytes(b"not ours")
    odd = store.path(kept).parent / "README"
    odd.write_bytes(b"not ours either")
    old = time.time() - 3600
    for path in (store.path(kept), store.path(orphan_old), stale_temp, foreign, odd):
        os.utime(path, (old, old))

    removed = store.sweep_orphans({kept}, older_than_seconds=600)

    stale_label = stale_temp.relative_to(tmp_path).as_posix()
    assert sorted(removed) == sorted([orphan_old, stale_label])
    assert store.exists(kept) and store.exists(orphan_new)
    assert not store.exists(orphan_old) and not stale_temp.exists()
    assert fresh_temp.exists() and foreign.exists() and odd.exists()
    assert store.sweep_orphans({kept}, older_than_seconds=600) == []
    assert MediaStore(tmp_path / "missing").sweep_orphans(set(), 0) == []


def test_processed_photo_round_trips_through_the_store(tmp_path: Path) -> None:
    photo = process_photo(encode(marked_picture((900, 600)), "JPEG", exif=phone_exif(3)))
    store = MediaStore(tmp_path)
    key = store.put(photo.master)
    assert key == photo.sha256 + ".jpg"
    assert_clean_jpeg(store.read(key))
