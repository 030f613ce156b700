"""Synthetic photos of the papers a wallet holds, with their ground truth, for the text-reading benchmark.

Three documents, drawn with Pillow and the system's CJK font:

``id_card``
    the front of a second-generation resident ID card (856×540, 10 px per mm of the real 85.6×54 mm):
    pale guilloche background, labels in small grey type, values in black, the 18-character number in
    wide-spaced digits, and a grey silhouette where the photo goes (never a face).
``bank_card``
    a UnionPay debit card: the bank's Chinese name, the number in groups of 4 (16 or 19 digits), a chip,
    validity MM/YY and sometimes the holder's name in upper-case pinyin.
``deposit_slip``
    a counter receipt (个人业务回单 / 存款凭条): bank, 户名, masked 账号, 金额 in figures and 大写, date.

Each drawing function returns ``(image, truth)``; the truth uses the field names of the reader:
id card ``holder_name id_number birth_date sex``, bank card ``card_number card_last4 bank``, deposit
slip ``holder_name bank amount``; a bank card that shows its holder's name in pinyin also has
``holder_name``. ``damage(image, kind, rng)`` then makes a desk officer's phone photo of
it (rotation, perspective, blur, glare, JPEG, low light, or a mix). People, numbers and banks come from
the same pools as ``bench/synthetic.py``. Everything draws from the ``random.Random`` it is given, so a
seed always gives the same pictures.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from faker.providers.person.zh_CN import Provider as ZhPersonProvider
from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter, ImageFont

from bench.synthetic import (
    BANKS,
    DISTRICTS,
    ID_CHECK_CHARS,
    ID_WEIGHTS,
    REGIONS,
    ROADS,
    _luhn_check_digit,
    _pinyin_name,
)
from lostfound.fonts import cjk_face

Truth = dict[str, str]

ID_SIZE = (856, 540)  # 85.6 × 54 mm at 10 px/mm
CARD_SIZE = (856, 540)
SLIP_SIZE = (1000, 600)
DOCUMENT_KINDS = ("id_card", "bank_card", "deposit_slip")
DAMAGE_KINDS = ("none", "rotation", "perspective", "blur", "glare", "jpeg", "low_light", "mixed")

MONO_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
)

# --- People and their papers -------------------------------------------------------------------

# Where a region code of bench/synthetic.py is, as its household address starts.
REGION_PLACES: dict[str, str] = {
    "330784": "浙江省永康市",
    "330702": "浙江省金华市婺城区",
    "330703": "浙江省金华市金东区",
    "330723": "浙江省武义县",
    "330726": "浙江省浦江县",
    "330727": "浙江省磐安县",
    "330781": "浙江省兰溪市",
    "330782": "浙江省义乌市",
    "330783": "浙江省东阳市",
    "522426": "贵州省纳雍县",
    "510722": "四川省三台县",
    "362427": "江西省遂川县",
    "412826": "河南省汝南县",
    "342422": "安徽省寿县",
    "430524": "湖南省隆回县",
}
ELSEWHERE_TOWNS = ("城关镇", "新华乡", "龙泉镇", "永安乡", "石门镇", "和平乡", "太平镇", "安乐乡")
VILLAGES = ("大塘村", "上坑村", "高塘村", "新屋村", "竹林村", "桥头村", "下湾村", "石塘村", "后山村")
ETHNICITIES = ("汉",) * 46 + ("畲", "回", "苗", "土家")
REGION_DECK = tuple(code for code, weight in REGIONS for _ in range(weight))
SURNAMES = tuple(ZhPersonProvider.last_names)
SURNAME_WEIGHTS = tuple(ZhPersonProvider.last_names.values())
COMPOUND_SURNAMES = frozenset(s for s in SURNAMES if len(s) > 1)
GIVEN = {"M": tuple(ZhPersonProvider.first_names_male), "F": tuple(ZhPersonProvider.first_names_female)}

# bank key of bench/synthetic.py: (name printed on the card, main colour, second colour)
BANK_LOOKS: dict[str, tuple[str, tuple[int, int, int], tuple[int, int, int]]] = {
    "农业银行": ("中国农业银行", (0, 122, 100), (90, 180, 150)),
    "工商银行": ("中国工商银行", (196, 22, 28), (236, 110, 90)),
    "建设银行": ("中国建设银行", (0, 62, 140), (70, 140, 210)),
    "中国银行": ("中国银行", (168, 20, 40), (210, 90, 90)),
    "邮储银行": ("中国邮政储蓄银行", (0, 110, 60), (120, 180, 90)),
    "农商银行": ("永康农商银行", (0, 100, 160), (230, 150, 40)),
}
DEPOSITS = (100_000, 100_000, 50_000, 20_000, 200_000, 80_000, 30_000, 10_000)


@dataclass(frozen=True, slots=True)
class CardPerson:
    """Someone as their resident ID card shows them."""

    name: str
    sex: str  # "F" / "M"
    ethnicity: str
    birth: date
    address: str
    id_number: str
    latin: str  # ZHANG XIAOMEI


@dataclass(frozen=True, slots=True)
class BankCard:
    bank: str  # key of BANKS (农业银行)
    number: str
    holder_latin: str  # "" when the card carries no name
    valid_thru: str  # MM/YY


@dataclass(frozen=True, slots=True)
class DepositSlip:
    holder_name: str
    bank: str  # key of BANKS
    account: str  # the card or account number the money went to
    amount: int  # yuan
    day: date
    branch: str


def _check_char(first17: str) -> str:
    return ID_CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def make_person(rng: random.Random) -> CardPerson:
    """A made-up resident with a valid ID number (region, birth date, sequence with the sex, check)."""
    sex = rng.choice("FM")
    surname = rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
    pool = GIVEN[sex]
    given = rng.choice(pool) if rng.random() < 0.6 else rng.choice(pool)[0] + rng.choice(pool)[-1]
    name = surname + given
    region = rng.choice(REGION_DECK)
    birth = date(1950, 1, 1) + timedelta(days=rng.randrange((date(2008, 12, 31) - date(1950, 1, 1)).days))
    seq = rng.randrange(50) * 20 + rng.randrange(5) * 2 + (1 if sex == "M" else 0)
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    number = first17 + _check_char(first17)
    return CardPerson(
        name=name,
        sex=sex,
        ethnicity=rng.choice(ETHNICITIES),
        birth=birth,
        address=_address(region, rng),
        id_number=number,
        latin=_pinyin_name(name, COMPOUND_SURNAMES),
    )


def _address(region: str, rng: random.Random) -> str:
    place = REGION_PLACES.get(region, "浙江省永康市")
    if region == "330784":
        district = rng.choice(list(DISTRICTS))
        street = rng.choice(ROADS[district])
        if street.endswith(("路", "街", "道")):
            tail = f"{street}{rng.randrange(1, 400)}号"
        else:
            tail = f"{street}{rng.randrange(1, 120)}号"
        if rng.random() < 0.4:
            tail += f"{rng.randrange(1, 9)}幢{rng.randrange(1, 6)}0{rng.randrange(1, 4)}室"
        return place + district + tail
    return f"{place}{rng.choice(ELSEWHERE_TOWNS)}{rng.choice(VILLAGES)}{rng.randrange(1, 90)}号"


def make_bank_card(rng: random.Random, person: CardPerson | None = None) -> BankCard:
    """A UnionPay debit card: a real BIN of the bank, 16 or 19 digits, Luhn check digit."""
    bank = rng.choice([name for name, (weight, _) in BANKS.items() for _ in range(weight)])
    length = 19 if rng.random() < 0.7 else 16
    body = rng.choice(BANKS[bank][1]) + "".join(rng.choice("0123456789") for _ in range(length - 7))
    holder = person.latin if person is not None and rng.random() < 0.5 else ""
    valid = f"{rng.randrange(1, 13):02d}/{rng.randrange(26, 36)}"
    return BankCard(bank=bank, number=body + _luhn_check_digit(body), holder_latin=holder, valid_thru=valid)


def make_slip(rng: random.Random, person: CardPerson) -> DepositSlip:
    card = make_bank_card(rng, person)
    amount = rng.choice(DEPOSITS) if rng.random() < 0.7 else rng.randrange(5, 500) * 100
    day = date(2025, 1, 1) + timedelta(days=rng.randrange(365))
    branch = rng.choice(list(DISTRICTS)).removesuffix("区").removesuffix("镇") + rng.choice(
        ("支行", "分理处")
    )
    return DepositSlip(person.name, card.bank, card.number, amount, day, branch)


# --- Drawing helpers ---------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    face = cjk_face(bold)  # FontMissing says which package to install
    return ImageFont.truetype(str(face.path), size, index=face.index)


@lru_cache(maxsize=8)
def _mono(size: int) -> ImageFont.FreeTypeFont:
    for path in MONO_FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return _font(size)


def _spaced(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, font: Any, fill: Any, gap: float):
    """Text with extra space between characters (ID numbers, card numbers are printed that way)."""
    x, y = xy
    for char in text:
        draw.text((x, y), char, font=font, fill=fill)
        x += font.getlength(char) + gap


def _guilloche(size: tuple[int, int], rng: random.Random, base: tuple[int, int, int]) -> Image.Image:
    """A pale background: a soft colour gradient and fine interlaced waves, as security printing has."""
    width, height = size
    image = Image.new("RGB", size, base)
    tint = tuple(min(255, c + rng.randrange(-12, 6)) for c in base)
    gradient = Image.linear_gradient("L").rotate(rng.choice((0, 90, 180, 270))).resize(size)
    image = Image.composite(Image.new("RGB", size, tint), image, gradient.point(lambda v: v // 2))
    draw = ImageDraw.Draw(image)
    colour = tuple(max(0, c - 28) for c in base)
    for wave in range(14):
        phase, amp = rng.uniform(0, math.tau), rng.uniform(10, 26)
        period = rng.uniform(70, 140)
        y0 = wave * height / 13
        points = [(x, y0 + amp * math.sin(x / period * math.tau + phase)) for x in range(0, width + 8, 8)]
        draw.line(points, fill=colour, width=1)
    return image


def _silhouette(size: tuple[int, int]) -> Image.Image:
    """A grey head-and-shoulders shape on a light ground: where the photo is, never a face."""
    width, height = size
    image = Image.new("RGB", size, (226, 228, 230))
    draw = ImageDraw.Draw(image)
    grey = (150, 152, 156)
    cx = width // 2
    draw.ellipse((cx - width * 0.23, height * 0.14, cx + width * 0.23, height * 0.58), fill=grey)
    draw.ellipse((cx - width * 0.48, height * 0.66, cx + width * 0.48, height * 1.25), fill=grey)
    draw.rectangle((cx - width * 0.1, height * 0.52, cx + width * 0.1, height * 0.72), fill=grey)
    return image


def _rounded(image: Image.Image, radius: int) -> Image.Image:
    """The card on a transparent ground with rounded corners, so damage can lay it on a desk."""
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, image.width - 1, image.height - 1), radius, fill=255)
    out = image.convert("RGBA")
    out.putalpha(mask)
    return out


def _flatten(image: Image.Image, ground: tuple[int, int, int] = (250, 250, 250)) -> Image.Image:
    if image.mode != "RGBA":
        return image.convert("RGB")
    out = Image.new("RGB", image.size, ground)
    out.paste(image, mask=image.getchannel("A"))
    return out


# --- The documents -----------------------------------------------------------------------------

LABEL = (110, 120, 130)
INK = (20, 20, 22)


def id_card(person: CardPerson, rng: random.Random) -> tuple[Image.Image, Truth]:
    """The front (photo side) of a second-generation resident ID card, with its truth.

    The image is RGBA: transparent outside the rounded corners, so ``damage`` can lay it on a desk.
    """
    image = _guilloche(
        ID_SIZE, rng, (rng.randrange(232, 246), rng.randrange(238, 248), rng.randrange(236, 250))
    )
    draw = ImageDraw.Draw(image)
    label, value, bold = _font(26), _font(32), _font(34, bold=True)
    x_label, x_value = 66, 170
    draw.text((x_label, 86), "姓 名", font=label, fill=LABEL)
    draw.text((x_value, 80), person.name, font=bold, fill=INK)
    draw.text((x_label, 150), "性 别", font=label, fill=LABEL)
    draw.text((x_value, 145), "女" if person.sex == "F" else "男", font=value, fill=INK)
    draw.text((300, 150), "民 族", font=label, fill=LABEL)
    draw.text((400, 145), person.ethnicity, font=value, fill=INK)
    draw.text((x_label, 214), "出 生", font=label, fill=LABEL)
    x = x_value
    for part, unit in (
        (str(person.birth.year), "年"),
        (str(person.birth.month), "月"),
        (str(person.birth.day), "日"),
    ):
        draw.text((x, 209), part, font=value, fill=INK)
        x += value.getlength(part) + 10
        draw.text((x, 214), unit, font=label, fill=LABEL)
        x += label.getlength(unit) + 16
    draw.text((x_label, 278), "住 址", font=label, fill=LABEL)
    per_line = 11
    lines = [person.address[i : i + per_line] for i in range(0, len(person.address), per_line)][:2]
    for row, line in enumerate(lines):
        draw.text((x_value, 272 + row * 44), line, font=value, fill=INK)
    draw.text((x_label, 450), "公民身份号码", font=label, fill=LABEL)
    _spaced(draw, (290, 440), person.id_number, _mono(38), INK, gap=5.5)
    photo = _silhouette((250, 310))
    image.paste(photo, (566, 60))
    truth = {
        "holder_name": person.name,
        "id_number": person.id_number,
        "birth_date": person.birth.isoformat(),
        "sex": person.sex,
    }
    return _rounded(image, 30), truth


def _groups(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def bank_card(card: BankCard, rng: random.Random) -> tuple[Image.Image, Truth]:
    """A UnionPay debit card, number embossed in groups of 4, with its truth."""
    printed, main, second = BANK_LOOKS[card.bank]
    width, height = CARD_SIZE
    side = 2 * max(width, height)  # rotate a larger gradient and cut the middle: no empty corners
    gradient = Image.linear_gradient("L").resize((side, side))
    gradient = gradient.rotate(rng.choice((90, 270)) + rng.uniform(-30, 30), Image.Resampling.BILINEAR)
    left, top = (side - width) // 2, (side - height) // 2
    gradient = gradient.crop((left, top, left + width, top + height))
    image = Image.composite(Image.new("RGB", CARD_SIZE, main), Image.new("RGB", CARD_SIZE, second), gradient)
    draw = ImageDraw.Draw(image)
    for _ in range(3):  # soft circles of the card's design
        r = rng.randrange(120, 320)
        cx, cy = rng.randrange(width), rng.randrange(height)
        shade = tuple(min(255, c + 25) for c in second)
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=shade, width=rng.randrange(6, 20))
    white = (250, 250, 250)
    draw.ellipse((40, 36, 100, 96), outline=white, width=6)
    draw.text((116, 38), printed, font=_font(44, bold=True), fill=white)
    draw.text(
        (118, 96), rng.choice(("借记卡", "储蓄卡", "金穗借记卡", "银联借记卡")), font=_font(24), fill=white
    )
    chip = (90, 190, 200, 270)
    draw.rounded_rectangle(chip, 10, fill=(214, 182, 96), outline=(150, 120, 50), width=2)
    draw.line((90, 230, 200, 230), fill=(150, 120, 50), width=2)
    draw.line((145, 190, 145, 270), fill=(150, 120, 50), width=2)
    digits = _mono(46 if len(card.number) == 19 else 52)
    text = _groups(card.number)
    x0, y0 = (56, 320) if len(card.number) == 19 else (70, 316)
    _spaced(draw, (x0 + 2, y0 + 2), text, digits, (40, 40, 40), gap=2)  # embossing shadow
    _spaced(draw, (x0, y0), text, digits, (244, 236, 210), gap=2)
    draw.text((330, 400), "有效期\nVALID THRU", font=_font(14), fill=white)
    draw.text((430, 398), card.valid_thru, font=_mono(32), fill=(244, 236, 210))
    if card.holder_latin:
        draw.text((70, 450), card.holder_latin, font=_mono(32), fill=(244, 236, 210))
    draw.rounded_rectangle((660, 410, 810, 500), 10, fill=(230, 230, 235))
    draw.text((680, 418), "银联", font=_font(30, bold=True), fill=(0, 80, 150))
    draw.text((680, 458), "UnionPay", font=_font(20, bold=True), fill=(200, 30, 40))
    truth = {"card_number": card.number, "card_last4": card.number[-4:], "bank": printed}
    if card.holder_latin:  # only when the card carries a name: a card without one has no holder to read
        truth["holder_name"] = card.holder_latin
    return _rounded(image, 34), truth


DIGITS_UPPER = "零壹贰叁肆伍陆柒捌玖"


def amount_in_words(yuan: int) -> str:
    """人民币大写 for a whole amount of yuan: 100000 → 壹拾万元整, 20500 → 贰万零伍佰元整."""
    if yuan == 0:
        return "零元整"

    def four(n: int) -> str:
        out, zero = "", False
        for unit, div in (("仟", 1000), ("佰", 100), ("拾", 10), ("", 1)):
            digit = n // div % 10
            if digit:
                out += ("零" if zero and out else "") + DIGITS_UPPER[digit] + unit
                zero = False
            else:
                zero = True
        return out

    parts = []
    for unit, div in (("亿", 10**8), ("万", 10**4), ("", 1)):
        chunk = yuan // div % 10_000
        if chunk:
            if parts and chunk < 1000:
                parts.append("零")
            parts.append(four(chunk) + unit)
        elif parts and parts[-1] != "零":
            parts.append("零")
    text = "".join(parts).rstrip("零")
    return text + "元整"


def _short_bank(printed: str) -> str:
    """中国农业银行 → 农业银行, as a branch is named; 中国银行 keeps its whole name."""
    return printed if printed == "中国银行" else printed.removeprefix("中国")


def deposit_slip(slip: DepositSlip, rng: random.Random) -> tuple[Image.Image, Truth]:
    """A bank counter receipt for a cash deposit, with its truth."""
    printed, main, _ = BANK_LOOKS[slip.bank]
    paper = (rng.randrange(244, 252), rng.randrange(242, 250), rng.randrange(232, 244))
    image = Image.new("RGB", SLIP_SIZE, paper)
    draw = ImageDraw.Draw(image)
    ink = (rng.randrange(20, 60), rng.randrange(20, 50), rng.randrange(40, 90))  # printer ribbon
    width, _ = SLIP_SIZE
    title = rng.choice(("个人业务回单", "存款凭条", "个人存款回单"))
    draw.text((50, 30), printed, font=_font(34, bold=True), fill=main)
    draw.text((width // 2 - 110, 84), title, font=_font(40, bold=True), fill=(40, 40, 40))
    draw.line((40, 146, width - 40, 146), fill=main, width=3)
    body, small = _font(28), _font(22)
    masked = slip.account[:6] + "*" * (len(slip.account) - 10) + slip.account[-4:]
    rows = [
        (
            "交易日期",
            f"{slip.day:%Y-%m-%d}  {rng.randrange(8, 17):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}",
        ),
        ("交易类型", "现金存款"),
        ("户    名", slip.holder_name),
        ("账    号", masked if rng.random() < 0.7 else _groups(slip.account)),
        ("金    额", f"¥{slip.amount:,}.00"),
        ("大写金额", "人民币" + amount_in_words(slip.amount)),
        ("网    点", f"{_short_bank(printed)}{slip.branch}"),
    ]
    y = 168
    for name, value in rows:
        draw.text((70, y), name + "：", font=body, fill=(90, 90, 90))
        draw.text((240, y), value, font=body, fill=ink)
        y += 52
    draw.text(
        (70, y + 6),
        f"柜员号：{rng.randrange(10**5, 10**6)}    流水号：{rng.randrange(10**11, 10**12)}",
        font=small,
        fill=(100, 100, 100),
    )
    stamp = (width - 250, 330, width - 70, 510)  # the branch's red business stamp
    draw.ellipse(stamp, outline=(210, 40, 40), width=5)
    draw.text((stamp[0] + 38, stamp[1] + 70), "业务专用章", font=_font(22), fill=(210, 40, 40))
    truth = {"holder_name": slip.holder_name, "bank": printed, "amount": f"{slip.amount}.00"}
    return image.convert("RGBA"), truth


def document(kind: str, rng: random.Random) -> tuple[Image.Image, Truth]:
    """A fresh person and one document of ``kind`` for them."""
    person = make_person(rng)
    if kind == "id_card":
        return id_card(person, rng)
    if kind == "bank_card":
        return bank_card(make_bank_card(rng, person), rng)
    if kind == "deposit_slip":
        return deposit_slip(make_slip(rng, person), rng)
    raise ValueError(f"unknown document kind {kind!r}")


# --- A phone photo of it -----------------------------------------------------------------------


def _desk(size: tuple[int, int], rng: random.Random) -> Image.Image:
    """A darker desk top: wood-brown, grey laminate or dark blue felt, with a little grain."""
    base = rng.choice(((92, 70, 52), (70, 72, 76), (40, 48, 66), (110, 96, 80)))
    desk = Image.new("RGB", size, base)
    draw = ImageDraw.Draw(desk)
    for _ in range(60):
        y = rng.randrange(size[1])
        shade = tuple(max(0, min(255, c + rng.randrange(-14, 14))) for c in base)
        draw.line((0, y, size[0], y + rng.randrange(-30, 30)), fill=shade, width=rng.randrange(1, 4))
    return desk.filter(ImageFilter.GaussianBlur(1.5))


def _on_desk(card: Image.Image, rng: random.Random, margin: float = 0.12) -> Image.Image:
    """The card (RGBA) in the middle of a desk a little larger than it, with a soft shadow."""
    w, h = card.size
    size = (int(w * (1 + 2 * margin)), int(h * (1 + 2 * margin)))
    desk = _desk(size, rng)
    x, y = (size[0] - w) // 2 + rng.randrange(-10, 11), (size[1] - h) // 2 + rng.randrange(-10, 11)
    shadow = Image.new("L", size, 0)
    shadow.paste(card.getchannel("A").point(lambda a: a * 2 // 5), (x + 6, y + 8))
    desk.paste(Image.new("RGB", size, (0, 0, 0)), mask=shadow.filter(ImageFilter.GaussianBlur(8)))
    desk.paste(card, (x, y), mask=card.getchannel("A"))
    return desk


def _rgba(image: Image.Image) -> Image.Image:
    return image if image.mode == "RGBA" else image.convert("RGBA")


def _rotation(image: Image.Image, rng: random.Random) -> Image.Image:
    angle = rng.uniform(3, 12) * rng.choice((-1, 1))
    turned = _rgba(image).rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    return _on_desk(turned, rng, margin=0.06)


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gauss-Jordan elimination with partial pivoting, for the 8 perspective coefficients."""
    n = len(vector)
    rows = [[*row, value] for row, value in zip(matrix, vector, strict=True)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(n):
            if r != col:
                factor = rows[r][col] / rows[col][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col], strict=True)]
    return [rows[i][n] / rows[i][i] for i in range(n)]


def _perspective_coefficients(src: list[tuple[float, float]], dst: list[tuple[float, float]]) -> list[float]:
    """Coefficients Pillow's PERSPECTIVE transform needs to map output points ``dst`` back to ``src``."""
    matrix, vector = [], []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        matrix.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        matrix.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        vector += [u, v]
    return _solve(matrix, vector)


def _perspective(image: Image.Image, rng: random.Random) -> Image.Image:
    """A phone held at an angle: the far edge shorter, the corners pulled in by up to ~10%."""
    card = _rgba(image)
    w, h = card.size
    margin_x, margin_y = int(w * 0.12), int(h * 0.12)
    size = (w + 2 * margin_x, h + 2 * margin_y)
    src = [(0, 0), (w, 0), (w, h), (0, h)]
    tilt = rng.choice(("top", "bottom", "left", "right"))
    squeeze = rng.uniform(0.04, 0.10)
    dx, dy = w * squeeze, h * squeeze
    jitter = [(rng.uniform(-0.02, 0.02) * w, rng.uniform(-0.02, 0.02) * h) for _ in range(4)]
    shift = {
        "top": [(dx, 0), (-dx, 0), (0, 0), (0, 0)],
        "bottom": [(0, 0), (0, 0), (-dx, 0), (dx, 0)],
        "left": [(0, dy), (0, 0), (0, 0), (0, -dy)],
        "right": [(0, 0), (0, dy), (0, -dy), (0, 0)],
    }[tilt]
    dst = [
        (x + margin_x + sx + jx, y + margin_y + sy + jy)
        for (x, y), (sx, sy), (jx, jy) in zip(src, shift, jitter, strict=True)
    ]
    coefficients = _perspective_coefficients(src, dst)
    warped = card.transform(size, Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BICUBIC)
    return _on_desk(warped, rng, margin=0.0)


def _blur(image: Image.Image, rng: random.Random) -> Image.Image:
    """Out of focus (Gaussian) or a shaking hand (motion along one direction)."""
    photo = _flatten(image)
    if rng.random() < 0.5:
        return photo.filter(ImageFilter.GaussianBlur(rng.uniform(1.0, 2.0)))
    length = rng.randrange(5, 10)
    angle = rng.uniform(0, math.pi)
    out = photo
    for step in range(1, length):
        offset = step - length / 2
        dx, dy = round(offset * math.cos(angle)), round(offset * math.sin(angle))
        out = Image.blend(out, ImageChops.offset(photo, dx, dy), 1 / (step + 1))
    return out


def _glare(image: Image.Image, rng: random.Random) -> Image.Image:
    """A ceiling lamp in the laminate: a bright soft ellipse over part of the card."""
    photo = _flatten(image)
    w, h = photo.size
    mask = Image.new("L", (w, h), 0)
    cx, cy = rng.uniform(0.15, 0.85) * w, rng.uniform(0.15, 0.85) * h
    rx, ry = rng.uniform(0.10, 0.22) * w, rng.uniform(0.08, 0.18) * h
    ImageDraw.Draw(mask).ellipse(
        (cx - rx, cy - ry, cx + rx, cy + ry), fill=int(255 * rng.uniform(0.45, 0.65))
    )
    mask = mask.filter(ImageFilter.GaussianBlur(min(rx, ry) * 0.45))
    return Image.composite(Image.new("RGB", (w, h), (255, 255, 250)), photo, mask)


def _jpeg(image: Image.Image, rng: random.Random) -> Image.Image:
    buffer = io.BytesIO()
    _flatten(image).save(buffer, "JPEG", quality=rng.randrange(10, 31))
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def _noise(size: tuple[int, int], rng: random.Random, sigma: float) -> Image.Image:
    """Grey sensor noise around 128, from ``rng`` (Pillow's own noise is not seedable)."""
    # The mean of 3 uniform bytes is near-normal with a standard deviation of about 42.
    planes = [Image.frombytes("L", size, rng.randbytes(size[0] * size[1])) for _ in range(3)]
    mean = Image.blend(Image.blend(planes[0], planes[1], 0.5), planes[2], 1 / 3)
    scale = sigma / 42
    return mean.point(lambda v: max(0, min(255, round(128 + (v - 128) * scale))))


def _low_light(image: Image.Image, rng: random.Random) -> Image.Image:
    """Evening at the desk: darker, flatter, warmer, grainy."""
    photo = _flatten(image)
    photo = ImageEnhance.Brightness(photo).enhance(rng.uniform(0.4, 0.6))
    photo = ImageEnhance.Contrast(photo).enhance(rng.uniform(0.65, 0.85))
    r, g, b = photo.split()
    photo = Image.merge("RGB", (r, g, b.point(lambda v: int(v * 0.85))))
    noise = _noise(photo.size, rng, rng.uniform(5, 10)).convert("RGB")
    return ImageChops.add(photo, noise, offset=-128)


DAMAGES = {
    "rotation": _rotation,
    "perspective": _perspective,
    "blur": _blur,
    "glare": _glare,
    "jpeg": _jpeg,
    "low_light": _low_light,
}
_MIX_ORDER = ("rotation", "perspective", "glare", "low_light", "blur", "jpeg")  # as a camera would


def damage(image: Image.Image, kind: str, rng: random.Random) -> Image.Image:
    """An RGB phone photo of the document: ``kind`` is one of ``DAMAGE_KINDS``."""
    if kind == "none":
        return _flatten(image)
    if kind == "mixed":
        picked = set(rng.sample(list(DAMAGES), rng.choice((2, 2, 3))))
        if {"rotation", "perspective"} <= picked:
            picked.discard(rng.choice(("rotation", "perspective")))
        for name in _MIX_ORDER:
            if name in picked:
                image = DAMAGES[name](image, rng)
        return _flatten(image)
    if kind not in DAMAGES:
        raise ValueError(f"unknown damage kind {kind!r}")
    return _flatten(DAMAGES[kind](image, rng))


def sample(kind: str, damage_kind: str, seed: int | str) -> tuple[Image.Image, Truth]:
    """One photographed document and its truth; the same arguments always give the same picture."""
    rng = random.Random(f"{seed}/{kind}/{damage_kind}")
    image, truth = document(kind, rng)
    return damage(image, damage_kind, rng), truth
