"""A synthetic city of found items and lost reports, with the truth linking them, for the matching benchmark.

Everything comes from one ``random.Random(seed)`` (Faker is seeded with the same number and only fills the
name pools), so a seed and two sizes always give the same data on the same Faker version. The records have
exactly the shapes the JSON API takes (``POST /api/v1/found-items``, the public lost-report endpoint), so a
benchmark can post them as they are or feed them to the matcher directly.

What is in it
    People carry resident ID numbers (a real region code of the city or its neighbours, a birth date from
    1950 to 2008, a sequence, the ISO 7064 MOD 11-2 check character), mobile numbers with real prefixes and
    Luhn-valid UnionPay cards; about 2% carry a passport instead, with a Latin name ("ZHANG WEI",
    "MUELLER ANNA"). Names come from pools drawn once from Faker zh_CN (common names recur, as in a real
    city; recombined given names add a tail of rarer ones).

    Each found item is one of the cases below (exact shares, shuffled); ``truth.jsonl`` names its case and
    its report. An owned item has exactly one report, filed by its owner; found_at is 0 to 10 days after
    the report's lost_from, inside 2025 (Beijing time), and the loss window lasts 1 to 24 hours.

    ====================  =====  ========================================================================
    case                  share  what the desk logged
    ====================  =====  ========================================================================
    clean                  18%   ID card with the holder's name and the full, valid number
    passport                2%   passport: Latin name and passport number (the owner may report in Chinese)
    id_typo                 6%   ID number with one misread character: check fails, ``as_printed`` true
    id_transposition        4%   ID number with two adjacent digits swapped, ``as_printed`` true
    id_masked               5%   name and masked ID only (first 6 + last 4: ``330784********1239``)
    name_homophone          6%   no ID; card holder's name with one character replaced by a homophone
                                 (黎晓梅 → 李晓梅) and the owner's phone number on a slip
    name_dropped_char       4%   no ID; a 3-character name with its middle one dropped, and a bank card
    name_last4_only         6%   no ID; the holder's name with a bank card (often only its last 4 digits)
    phone_only              5%   nothing but the owner's phone number, written on a slip
    wrong_district          5%   district of another part of the city; ID card or name + card
    synonyms                4%   name + card; description and colour in other words (皮夹 for 钱包, 咖啡色)
    extra_rows              3%   ID card plus cash, a deposit slip and another row
    no_identifier           2%   owned, but nothing identifies anyone (a phone, keys, cash only)
    unreported             18%   nobody reported it: ID card (sometimes misread or masked) of a non-reporter
    unreported_namesake     6%   as above, and a report by someone else of the same name, near in place
                                 and time, with another valid ID: a hard negative
    unreported_anonymous    6%   nobody reported it and nothing identifies anyone
    ====================  =====  ========================================================================

    ``carries_identifier`` says whether the item holds an identifier of its true owner: the ID (full,
    misread or masked), the passport number, the owner's phone, or a bank card's last 4 digits together
    with the owner's name as written on the item (homophone and dropped-character forms included).
    ``contents_agree`` says whether the item and its owner's report state the same cash amount or a
    card of the same bank, which never make a pair ``auto`` (the bench counts how far they could go).

    Reports are typed by owners: the ID is right when given, missing in ~15% (name and phone only), the
    district is missing in ~10%; phones and IDs come with the spacing people type. Hard negatives on the
    report side: a namesake (same name, other valid ID, same district half of the time, near in time) for
    ~10% of owned items, reports whose phone is one digit away from an owner's phone for ~25% of the items
    identified by phone and ~3% of the rest, and a few more one-digit-apart phones among the other
    reports. Names recur across reports anyway (pooled names).

    ``goods=N`` (``--goods N``) appends bags, keys, umbrellas, clothing and phones with IMEIs, their reports
    and decoys, drawn afterwards from an RNG of their own: see ``bench/synthetic_goods.py``.

Usage
    .venv/bin/python -m bench.synthetic --seed 1 --items 2000 --reports 20000 --out /tmp/ds
    from bench.synthetic import generate, write_jsonl

Faker is an optional dependency: ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from operator import itemgetter
from pathlib import Path
from typing import Any

from faker import Faker
from faker.providers.person.zh_CN import Provider as ZhPersonProvider
from pypinyin import lazy_pinyin

Row = dict[str, Any]
Progress = Callable[[str], None]

BEIJING = timezone(timedelta(hours=8))
YEAR_START = datetime(2025, 1, 1, tzinfo=BEIJING)
DAYS_IN_YEAR = 365
LOOKBACK_DAYS = 10  # the longest a found item stays unfound


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# --- Case mix --------------------------------------------------------------------------------

ITEM_CASES: dict[str, float] = {
    "clean": 0.18,
    "passport": 0.02,
    "id_typo": 0.06,
    "id_transposition": 0.04,
    "id_masked": 0.05,
    "name_homophone": 0.06,
    "name_dropped_char": 0.04,
    "name_last4_only": 0.06,
    "phone_only": 0.05,
    "wrong_district": 0.05,
    "synonyms": 0.04,
    "extra_rows": 0.03,
    "no_identifier": 0.02,
    "unreported": 0.18,
    "unreported_namesake": 0.06,
    "unreported_anonymous": 0.06,
}
UNREPORTED = frozenset({"unreported", "unreported_namesake", "unreported_anonymous"})
PHONE_CASES = frozenset({"name_homophone", "phone_only"})

PASSPORT_SHARE = 0.02  # of people in general (the passport case draws only passport holders)
FOREIGN_SHARE = 0.4  # of passport holders; the rest are Chinese citizens with a passport
REPORT_WITHOUT_ID = 0.15
REPORT_WITHOUT_DISTRICT = 0.10
NAMESAKE_PER_OWNED_ITEM = 0.10
NEAR_PHONE_PER_PHONE_ITEM = 0.25
NEAR_PHONE_PER_OTHER_ITEM = 0.03
NEAR_PHONE_PER_REPORT = 0.005
NAME_POOL_SIZE = 20_000
COMMON_NAME_SHARE = 0.6  # the rest are recombined from Faker's surnames and given-name characters
FOREIGN_POOL_PER_LOCALE = 60

# --- The city --------------------------------------------------------------------------------

# district: (station, weight by population)
DISTRICTS: dict[str, tuple[str, int]] = {
    "东城区": ("DC", 14),
    "西城区": ("DC", 10),
    "江南区": ("DC", 9),
    "经济开发区": ("DC", 6),
    "方岩镇": ("FY", 5),
    "石柱镇": ("FY", 4),
    "前仓镇": ("FY", 3),
    "唐先镇": ("FY", 3),
    "龙山镇": ("FY", 3),
    "舟山镇": ("FY", 2),
    "芝英镇": ("ZY", 6),
    "古山镇": ("ZY", 4),
    "花街镇": ("ZY", 3),
    "象珠镇": ("ZY", 3),
    "西溪镇": ("ZY", 2),
}
ROADS: dict[str, tuple[str, ...]] = {
    "东城区": ("青石路", "丽州中路", "九铃东路", "金城路"),
    "西城区": ("胜利街", "总部中心路", "城西路", "解放街"),
    "江南区": ("华溪路", "南苑路", "江滨路", "永康火车站"),
    "经济开发区": ("五金城大道", "科技路", "长城路"),
    "方岩镇": ("方岩景区", "岩下街", "橙麓村"),
    "石柱镇": ("石柱大街", "下里溪路"),
    "前仓镇": ("前仓路", "大陈村"),
    "唐先镇": ("唐先大道", "金畈路"),
    "龙山镇": ("龙山街", "桥下村"),
    "舟山镇": ("舟山路", "舟二村"),
    "芝英镇": ("古麓街", "芝英老街", "正街"),
    "古山镇": ("古山大道", "胡库村"),
    "花街镇": ("花街路", "柘口村"),
    "象珠镇": ("象珠大街", "官川村"),
    "西溪镇": ("西溪路", "寺口村"),
}
LANDMARKS = _words(
    "夜市 菜市场门口 公交站台 超市收银台 农贸市场 银行网点门口 卫生院 学校门口 广场 停车场 小区门口 快递驿站 "
    "奶茶店 加油站 公共厕所 小吃摊位旁"
)
VAGUE_PLACES = ("不记得在哪里丢的", "可能在公交车上", "回家路上", "可能在出租车上", "逛街的时候")

# Region codes of Yongkang (330784), the rest of Jinhua and the provinces most migrant workers come from.
REGIONS: tuple[tuple[str, int], ...] = (
    ("330784", 60),
    ("330702", 3),
    ("330703", 3),
    ("330723", 5),
    ("330726", 2),
    ("330727", 3),
    ("330781", 2),
    ("330782", 5),
    ("330783", 6),
    ("522426", 2),
    ("510722", 2),
    ("362427", 2),
    ("412826", 2),
    ("342422", 2),
    ("430524", 1),
)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
BIRTH_FIRST, BIRTH_LAST = date(1950, 1, 1), date(2008, 12, 31)
LATEST_BIRTH = date(2025, 12, 31)  # a misread year must still be a real past date, or the API refuses it

PHONE_PREFIXES = (
    *(str(p) for p in range(130, 140)),
    *(str(p) for p in range(150, 160) if p != 154),  # 154 was never issued
    *_words("170 171 173 175 176 177 178"),
    *(str(p) for p in range(180, 190)),
    *_words("198 199"),
)

# bank: (weight, UnionPay BINs)
BANKS: dict[str, tuple[int, tuple[str, ...]]] = {
    "农业银行": (3, ("622848", "622845", "622823")),
    "工商银行": (3, ("622202", "621226", "621558")),
    "建设银行": (3, ("621700", "622700", "621284")),
    "中国银行": (2, ("621661", "621785", "621790")),
    "邮储银行": (2, ("621799", "622188", "621098")),
    "农商银行": (3, ("621058", "623038", "622858")),
}
_LUHN_DOUBLE = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)

# Characters an input method or a hurried clerk swaps for one read the same (toneless pinyin); every
# group shares a reading, so the matcher's homophone level can catch them.
HOMOPHONE_GROUPS = _words(
    "黎李丽莉俐 晓小筱 梅美玫媚 伟威薇玮 静晶靖婧敬 芳方舫 华桦骅 军君钧俊骏 明铭鸣 强蔷 杰洁婕捷 涛滔韬 "
    "红宏虹鸿洪 燕艳雁彦 丹单 曾增 国果 建健剑 文雯 霞侠 玲菱铃灵 琳林霖麟 娟鹃 英莹颖瑛应 兰岚澜 平萍苹 "
    "辉晖慧惠 刚钢 勇永咏 磊蕾 超朝 秀琇 桂贵 峰锋丰枫凤 斌彬滨 波博 鹏朋 宇雨语羽 婷亭庭 倩茜 佳嘉家 "
    "志智 浩昊皓 张章 汪王 陈晨辰 刘柳 杨阳扬洋 吴武伍 周舟 徐许 胡湖 何贺 黄皇 叶烨 楼娄 金锦瑾 "
    "程成诚承 胜盛 新欣鑫馨 云芸 邱秋 敏闽 龙隆 亮靓 琴芹勤 珍贞 凯楷 飞菲 娜纳 芝枝 东冬 兵冰 宁凝"
)
HOMOPHONES: dict[str, str] = {char: group for group in HOMOPHONE_GROUPS for char in group}

# Passport spellings of surnames whose everyday reading differs.
SURNAME_PINYIN = {"曾": "zeng", "单": "shan", "仇": "qiu", "解": "xie", "查": "zha", "区": "ou", "朴": "piao"}
_TO_ASCII_LETTERS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)
FOREIGN_LOCALES = ("en_US", "de_DE", "fr_FR", "it_IT", "es_ES")

# --- What things are called ------------------------------------------------------------------

# category: groups of words for the same thing (the first group member is the usual word)
NOUNS: dict[str, tuple[tuple[str, ...], ...]] = {
    "wallet": (("钱包", "皮夹", "钱夹"),),
    "bag": (("双肩包", "背包"), ("手提包", "挎包")),
    "id_document": (("证件套", "卡套"),),
    "bank_card": (("银行卡",),),
    "phone": (("手机",),),
    "keys": (("钥匙串", "一串钥匙"),),
    "electronics": (("耳机",), ("充电宝",), ("平板电脑",)),
    "jewellery": (("手镯",), ("项链",), ("手表",)),
    "clothing": (("外套",), ("围巾",)),
    "other": (("雨伞", "伞"), ("眼镜",)),
}
DETAILS: dict[str, tuple[str, ...]] = {
    "wallet": ("皮质长款", "皮质短款", "真皮折叠", "帆布拉链", "长款", ""),
    "bag": ("帆布", "尼龙", "皮质", ""),
}
BRANDS: dict[str, tuple[str, ...]] = {
    "wallet": ("", "", "", "", "七匹狼", "金利来"),
    "bag": ("", "", "", "耐克", "阿迪达斯", "小米"),
    "phone": ("苹果", "华为", "小米", "OPPO", "vivo", "荣耀"),
    "electronics": ("", "华为", "小米", "苹果"),
}
COLOURS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("黑色", "深色", "墨黑"), 8),
    (("棕色", "咖啡色", "褐色"), 5),
    (("红色", "酒红色", "枣红色"), 3),
    (("蓝色", "深蓝色", "藏青色"), 3),
    (("白色", "米白色", "乳白色"), 2),
    (("粉色", "粉红色"), 2),
    (("灰色", "银灰色"), 2),
    (("绿色", "墨绿色"), 1),
)
HOLDS_CONTENTS = frozenset({"wallet", "bag", "id_document", "bank_card"})

# Categories per case: identifier-bearing items are mostly wallets; the anonymous ones are anything.
ID_CATEGORIES = ("wallet",) * 7 + ("bag",) * 2 + ("id_document",)
CARD_CATEGORIES = ("wallet",) * 7 + ("bag",) * 2 + ("bank_card",)
CONTAINER_CATEGORIES = ("wallet",) * 7 + ("bag",) * 3
ANONYMOUS_CATEGORIES = _words("phone phone keys wallet bag electronics jewellery clothing other other")
CASE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "name_homophone": CONTAINER_CATEGORIES,
    "name_dropped_char": CARD_CATEGORIES,
    "name_last4_only": CARD_CATEGORIES,
    "phone_only": CONTAINER_CATEGORIES,
    "wrong_district": CONTAINER_CATEGORIES,
    "synonyms": CONTAINER_CATEGORIES,
    "extra_rows": CONTAINER_CATEGORIES,
    "no_identifier": ANONYMOUS_CATEGORIES,
    "unreported_anonymous": ANONYMOUS_CATEGORIES,
}
# What people report losing: wallets lead, but most reports are about something else.
REPORT_CATEGORIES: tuple[tuple[str, int], ...] = (
    ("wallet", 40),
    ("bag", 15),
    ("phone", 15),
    ("id_document", 8),
    ("bank_card", 4),
    ("keys", 6),
    ("electronics", 4),
    ("jewellery", 2),
    ("clothing", 2),
    ("other", 4),
)

CASH_YUAN = (20, 50, 86, 100, 150, 200, 260, 300, 350, 500, 680, 800, 1000, 1200, 2000, 3500)
DEPOSIT_YUAN = (10_000, 20_000, 50_000, 80_000, 100_000, 200_000)
PHONE_NOTES = ("写在钱包内侧的纸条上", "名片上的号码", "便签纸上写的号码", "快递单上的号码")
OTHER_NOTES = ("公交卡", "超市会员卡", "名片若干", "一把钥匙", "照片一张", "加油卡")
# Hour-of-day weights: things get lost and found in the day and the evening.
HOUR_WEIGHTS = (1, 1, 0, 0, 0, 1, 2, 4, 6, 6, 6, 6, 6, 5, 5, 5, 6, 6, 7, 7, 6, 4, 3, 2)
WINDOW_HOURS = (1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 6, 8, 10, 12, 24)
COUNT_WORDS = ("", "一", "两", "三")


# --- Data types ------------------------------------------------------------------------------


@dataclass
class Dataset:
    items: list[Row] = field(default_factory=list)
    reports: list[Row] = field(default_factory=list)
    truth: list[Row] = field(default_factory=list)


@dataclass(slots=True)
class Person:
    name: str  # as on their documents: Chinese, or the passport's Latin name for a foreigner
    id_number: str  # resident ID; "" for a foreigner
    phone: str
    district: str  # where they live and mostly lose things
    passport: str = ""
    latin: str = ""  # the passport's Latin name ("ZHANG WEI")
    report_name: str = ""  # how they write their own name on a report
    cards: list[tuple[str, str]] = field(default_factory=list)  # (bank, number), drawn when first needed


@dataclass(slots=True)
class Loss:
    """One thing one person lost: both the report and, when found, the item are written from it."""

    person: Person
    category: str
    nouns: tuple[str, ...]  # words for the thing; ``noun`` is the owner's
    noun: str
    colours: tuple[str, ...]
    colour: str
    detail: str  # material and style, e.g. 皮质长款
    brand: str
    district: str
    place: str
    lost_from: datetime
    hours: int
    cash: int  # yuan inside, 0 when none


@dataclass(slots=True)
class _Found:
    item: Row
    report: Row | None
    carries: bool
    planted: list[Row]  # hard-negative reports that go with this item


# --- Pure helpers ----------------------------------------------------------------------------


def id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits of a resident ID."""
    return ID_CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def id_check_ok(number: str) -> bool:
    return len(number) == 18 and number[:17].isdigit() and number[17] == id_check_char(number[:17])


def _luhn_check_digit(body: str) -> str:
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = ord(char) - 48
        total += digit if position % 2 else _LUHN_DOUBLE[digit]  # the check digit will sit at position 0
    return str(-total % 10)


def mask_id(number: str) -> str:
    return number[:6] + "*" * 8 + number[-4:]


def _plausible_id(number: str) -> bool:
    """What the API checks besides the check character: shape, region digit, a real past birth date."""
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
        return False
    if number[0] not in "12345678":
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= LATEST_BIRTH


def _expand(weighted: Iterable[tuple[Any, int]]) -> list[Any]:
    """A list in which each value appears ``weight`` times, so ``rng.choice`` draws by weight, fast."""
    return [value for value, weight in weighted for _ in range(weight)]


def _apportion(total: int, shares: dict[str, float]) -> dict[str, int]:
    """Counts that add up to ``total`` and follow ``shares`` as closely as whole numbers can."""
    exact = {key: total * share for key, share in shares.items()}
    counts = {key: int(value) for key, value in exact.items()}
    for key in sorted(exact, key=lambda k: counts[k] - exact[k])[: total - sum(counts.values())]:
        counts[key] += 1
    return counts


def _row(
    kind: str,
    *,
    holder_name: str = "",
    id_number: str = "",
    card_number: str = "",
    card_last4: str = "",
    bank: str = "",
    amount: str | None = None,
    phone: str = "",
    note: str = "",
    as_printed: bool = False,
) -> Row:
    return {
        "kind": kind,
        "holder_name": holder_name,
        "id_number": id_number,
        "card_number": card_number,
        "card_last4": card_last4,
        "bank": bank,
        "amount": amount,
        "phone": phone,
        "note": note,
        "as_printed": as_printed,
    }


def _yuan(amount: int) -> str:
    return f"{amount}.00"


def _phone_digits(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    return digits[2:] if len(digits) == 13 and digits.startswith("86") else digits


def _holds_identifier(rows: Sequence[Row], person: Person, holder_names: set[str]) -> bool:
    """Whether the rows carry something that points at ``person`` (see the module docstring)."""
    own_last4 = {number[-4:] for _, number in person.cards}
    for row in rows:
        number = row["id_number"]
        if number and (number == person.passport or _same_id(number, person.id_number)):
            return True
        if row["phone"] and _phone_digits(row["phone"]) == person.phone:
            return True
        last4 = row["card_number"][-4:] or row["card_last4"]
        if last4 and last4 in own_last4 and row["holder_name"] in holder_names:
            return True
    return False


def _linkable(item: dict, report: dict) -> bool:
    """Whether the item holds something the owner's report also states: ID, passport, phone or card last 4."""
    owner = report["owner"]
    ids = {owner["id_number"].replace(" ", "")} | {
        c["id_number"] for c in report["contents"] if c["id_number"]
    }
    phones = {_phone_digits(owner["phone"])} | {
        _phone_digits(c["phone"]) for c in report["contents"] if c["phone"]
    }
    cards = {
        (c["card_number"][-4:] or c["card_last4"]) for c in report["contents"] if c["kind"] == "bank_card"
    }
    for row in item["contents"]:
        number = row["id_number"]
        if number and any(number == known or _same_id(number, known) for known in ids if known):
            return True
        if row["phone"] and _phone_digits(row["phone"]) in phones:
            return True
        last4 = row["card_number"][-4:] or row["card_last4"]
        if last4 and last4 in cards:
            return True
    return False


def _contents_agree(item: dict, report: dict) -> bool:
    """Whether both state the cash inside, to the yuan, or the bank of a card, and agree on it: what a
    desk asks an owner who has nothing else to show. Kept apart from the service's own comparison
    of banks (``lostfound.domain.banks``): the truth does not lean on the code it measures."""

    def said(record: dict, kind: str, column: str) -> set[str]:
        return {c[column] for c in record["contents"] if c["kind"] == kind and c[column]}

    return bool(
        said(item, "cash", "amount") & said(report, "cash", "amount")
        or said(item, "bank_card", "bank") & said(report, "bank_card", "bank")
    )


def _same_id(written: str, true: str) -> bool:
    """The owner's ID as the desk wrote it: exact, masked, or at most two characters off."""
    if not true or len(written) != 18:
        return False
    if "*" in written:
        return written == mask_id(true)
    return sum(a != b for a, b in zip(written, true, strict=True)) <= 2


def _latin_letters(text: str) -> str:
    """Upper-case ASCII the way a passport's machine-readable zone spells a name (Müller → MUELLER)."""
    folded = unicodedata.normalize("NFKD", text.translate(_TO_ASCII_LETTERS))
    return " ".join(re.sub(r"[^A-Z ]", "", folded.upper().replace("-", " ")).split())


def _pinyin_name(name: str, compound_surnames: frozenset[str]) -> str:
    """张晓梅 → ZHANG XIAOMEI, surname first as on a Chinese passport (ü is written YU)."""
    cut = 2 if name[:2] in compound_surnames else 1
    surname = SURNAME_PINYIN.get(name[:cut]) or "".join(lazy_pinyin(name[:cut]))
    given = "".join(lazy_pinyin(name[cut:]))
    return f"{surname} {given}".replace("v", "yu").upper()


def _birth_dates() -> list[tuple[str, int]]:
    """Every birth date as YYYYMMDD with its part of the ID's weighted sum, so an ID costs one addition."""
    out = []
    day = BIRTH_FIRST
    while day <= BIRTH_LAST:
        text = day.strftime("%Y%m%d")
        out.append((text, sum(int(c) * w for c, w in zip(text, ID_WEIGHTS[6:14], strict=True))))
        day += timedelta(days=1)
    return out


def _name_pools(fake: Faker, size: int) -> tuple[list[str], list[str], list[str]]:
    """Faker's full names and surnames (drawn with its weights, so common ones recur) and its given-name
    characters, which the city recombines into rarer names."""
    names = [fake.name() for _ in range(size)]
    surnames = [fake.last_name() for _ in range(size)]
    given_chars = sorted({char for _ in range(3000) for char in fake.first_name()})
    return names, surnames, given_chars


def _foreign_names(seed: int) -> list[tuple[str, str]]:
    """(SURNAME, GIVEN) pairs in passport letters from a few Faker locales."""
    names = []
    for locale in FOREIGN_LOCALES:
        fake = Faker(locale)
        fake.seed_instance(seed)
        for _ in range(FOREIGN_POOL_PER_LOCALE):
            surname, given = _latin_letters(fake.last_name()), _latin_letters(fake.first_name())
            if surname and given:
                names.append((surname, given))
    return names


# --- The generator ---------------------------------------------------------------------------


class _City:
    """All random state of one dataset: pools drawn once, and the numbers already handed out."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        fake = Faker("zh_CN")
        fake.seed_instance(seed)
        self.compound_surnames = frozenset(s for s in ZhPersonProvider.last_names if len(s) > 1)
        self.names, self.surnames, self.given_chars = _name_pools(fake, NAME_POOL_SIZE)
        self.homophone_names = [n for n in self.names if any(c in HOMOPHONES for c in n)]
        self.three_char_names = [n for n in self.names if len(n) == 3 and n[:2] not in self.compound_surnames]
        self.foreign_names = _foreign_names(seed)
        self.dates = _birth_dates()
        self.regions = _expand(
            ((code, sum(int(c) * w for c, w in zip(code, ID_WEIGHTS[:6], strict=True))), weight)
            for code, weight in REGIONS
        )
        self.districts = _expand((name, weight) for name, (_, weight) in DISTRICTS.items())
        self.places = {d: [road + spot for road in roads for spot in LANDMARKS] for d, roads in ROADS.items()}
        self.banks = _expand((bank, weight) for bank, (weight, _) in BANKS.items())
        self.colours = _expand(COLOURS)
        self.report_categories = _expand(REPORT_CATEGORIES)
        self.hours = _expand(enumerate(HOUR_WEIGHTS))
        self.used_ids: set[str] = set()
        self.used_phones: set[str] = set()
        self.last_phone = ""  # of the last background report, for one-digit-apart neighbours

    # People and their numbers

    def chinese_name(self) -> str:
        """A pooled name most of the time (these recur across the city), else a rarer recombined one."""
        rng = self.rng
        if rng.random() < COMMON_NAME_SHARE:
            return rng.choice(self.names)
        chars = self.given_chars
        given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.8 else "")
        return rng.choice(self.surnames) + given

    def id_number(self) -> str:
        rng = self.rng
        while True:
            region, region_sum = rng.choice(self.regions)
            born, born_sum = rng.choice(self.dates)
            seq = rng.randrange(1000)  # odd for men, even for women
            total = region_sum + born_sum + 8 * (seq // 100) + 4 * (seq // 10 % 10) + 2 * (seq % 10)
            number = f"{region}{born}{seq:03d}{ID_CHECK_CHARS[total % 11]}"
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def passport_number(self, letter: str) -> str:
        while True:
            number = f"{letter}{self.rng.randrange(10**8):08d}"
            if number not in self.used_ids:  # cannot clash with an 18-character resident ID
                self.used_ids.add(number)
                return number

    def phone(self, near: str = "") -> str:
        """A fresh mobile number; with ``near``, one that differs from it in one digit after the prefix."""
        rng = self.rng
        while True:
            if near:
                position = rng.randrange(3, 11)
                phone = near[:position] + rng.choice("0123456789") + near[position + 1 :]
            else:
                phone = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"
            if phone not in self.used_phones:
                self.used_phones.add(phone)
                return phone

    def card(self) -> tuple[str, str]:
        rng = self.rng
        bank = rng.choice(self.banks)
        length = 19 if rng.random() < 0.75 else 16
        body = rng.choice(BANKS[bank][1]) + f"{rng.randrange(10 ** (length - 7)):0{length - 7}d}"
        return bank, body + _luhn_check_digit(body)

    def cards_of(self, person: Person) -> list[tuple[str, str]]:
        if not person.cards:
            person.cards = [self.card() for _ in range(self.rng.choice((1, 1, 1, 2, 2, 3)))]
        return person.cards

    def person(
        self, name: str = "", district: str = "", phone: str = "", passport_share: float = 0.0
    ) -> Person:
        rng = self.rng
        if not name and rng.random() < passport_share:
            return self.passport_holder(district)
        name = name or self.chinese_name()
        return Person(
            name=name,
            id_number=self.id_number(),
            phone=phone or self.phone(),
            district=district or rng.choice(self.districts),
            report_name=name,
        )

    def passport_holder(self, district: str = "") -> Person:
        rng = self.rng
        district = district or rng.choice(self.districts)
        if rng.random() < FOREIGN_SHARE:
            surname, given = rng.choice(self.foreign_names)
            latin = f"{surname} {given}"
            # Foreigners write their name either way round; a passport has surname first.
            written = latin if rng.random() < 0.5 else f"{given.title()} {surname.title()}"
            number = self.passport_number(rng.choice("CGKLPX"))
            return Person(latin, "", self.phone(), district, number, latin, written)
        name = self.chinese_name()
        latin = _pinyin_name(name, self.compound_surnames)
        number = self.passport_number("E")
        written = name if rng.random() < 0.7 else latin
        return Person(name, self.id_number(), self.phone(), district, number, latin, written)

    # Times

    def found_at(self) -> datetime:
        rng = self.rng
        return YEAR_START + timedelta(
            days=rng.randrange(DAYS_IN_YEAR), hours=rng.choice(self.hours), minutes=rng.randrange(60)
        )

    def lost_before(self, found_at: datetime, max_hours: int = LOOKBACK_DAYS * 24) -> datetime:
        """A window start on the hour, 0 to ``max_hours`` before ``found_at`` and never after it."""
        back = int(max_hours * self.rng.random() ** 2.5)  # most things turn up within a day or two
        return found_at.replace(minute=0) - timedelta(hours=min(back, max_hours - 1))

    def lost_any_time(self) -> datetime:
        """From 10 days before the year, like the owners' reports, so that no period holds only those."""
        rng = self.rng
        day = rng.randrange(-LOOKBACK_DAYS, DAYS_IN_YEAR)
        return YEAR_START + timedelta(days=day, hours=rng.choice(self.hours))

    # Losses, reports and items

    def loss(self, person: Person, category: str, lost_from: datetime, district: str = "") -> Loss:
        rng = self.rng
        nouns = rng.choice(NOUNS[category])
        colours = rng.choice(self.colours)
        district = district or person.district
        cash_share = {"wallet": 0.65, "bag": 0.3}.get(category, 0.0)
        return Loss(
            person=person,
            category=category,
            nouns=nouns,
            noun=nouns[0] if rng.random() < 0.6 else rng.choice(nouns),
            colours=colours,
            colour=colours[0] if rng.random() < 0.75 else rng.choice(colours),
            detail=rng.choice(DETAILS.get(category, ("",))),
            brand=rng.choice(BRANDS.get(category, ("",))),
            district=district,
            place=rng.choice(self.places[district]),
            lost_from=lost_from,
            hours=rng.choice(WINDOW_HOURS),
            cash=rng.choice(CASH_YUAN) if rng.random() < cash_share else 0,
        )

    def report(self, loss: Loss) -> Row:
        rng = self.rng
        person = loss.person
        id_number = "" if rng.random() < REPORT_WITHOUT_ID else person.id_number
        rows = self.report_rows(loss, id_number)
        place = rng.random()
        if place < 0.45:
            lost_place = loss.place
        elif place < 0.8:
            lost_place = rng.choice(self.places[loss.district])
        else:
            lost_place = rng.choice(VAGUE_PLACES)
        return {
            "owner": {
                "name": person.report_name,
                "id_number": self.typed_id(id_number),
                "phone": self.typed_phone(person.phone),
                "email": "",
            },
            "category": loss.category,
            "description": self.report_description(loss, rows),
            "colour": loss.colour,
            "brand": loss.brand,
            "lost_from": loss.lost_from.isoformat(),
            "lost_to": (loss.lost_from + timedelta(hours=loss.hours)).isoformat(),
            "lost_place": lost_place,
            "district": "" if rng.random() < REPORT_WITHOUT_DISTRICT else loss.district,
            "external_ref": "",
            "consent": True,
            "contents": rows,
        }

    def report_rows(self, loss: Loss, id_number: str) -> list[Row]:
        """What an owner lists: documents and cards by name (card number at most its last 4), rough cash."""
        rng = self.rng
        person, category = loss.person, loss.category
        if category not in HOLDS_CONTENTS:
            return []
        rows = []
        document_share = {"id_document": 0.9, "wallet": 0.6}.get(category, 0.3)
        if category != "bank_card" and rng.random() < document_share:
            if person.passport:
                number = person.passport if rng.random() < 0.6 else ""
                rows.append(_row("passport", holder_name=person.latin, id_number=number))
            elif person.id_number:
                number = id_number if rng.random() < 0.5 else ""
                rows.append(_row("id_card", holder_name=person.report_name, id_number=number))
        card_share = {"bank_card": 1.0, "wallet": 0.6}.get(category, 0.2)
        if rng.random() < card_share:
            cards = self.cards_of(person)[:1] if category == "bank_card" else self.cards_of(person)
            for bank, number in cards:
                last4 = number[-4:] if rng.random() < 0.5 else ""
                rows.append(_row("bank_card", holder_name=person.report_name, bank=bank, card_last4=last4))
        if loss.cash and rng.random() < 0.5:
            rough = loss.cash if rng.random() < 0.5 else max(50, round(loss.cash / 50) * 50)
            rows.append(_row("cash", amount=_yuan(rough)))
        return rows

    def report_description(self, loss: Loss, rows: Sequence[Row]) -> str:
        lead = self.rng.choice(("", "", "丢失", "遗失了一个", "不慎丢失"))
        thing = f"{lead}{loss.colour}{loss.brand}{loss.detail}{loss.noun}"
        inside = _inside(rows)
        return f"{thing}，里面有{inside}" if inside else thing

    def item(self, loss: Loss, found_at: datetime, rows: list[Row], case: str) -> Row:
        rng = self.rng
        noun, colour, district = loss.noun, loss.colour, loss.district
        if case == "synonyms":
            noun = rng.choice([n for n in loss.nouns if n != noun] or [noun])
            colour = rng.choice([c for c in loss.colours if c != colour])
        if case == "wrong_district":
            district = rng.choice([d for d in DISTRICTS if d != loss.district])
        inside = _inside(rows)
        description = f"{colour}{loss.detail}{noun}" + (f"，内有{inside}" if inside else "")
        found_place = loss.place if rng.random() < 0.6 else rng.choice(self.places[loss.district])
        return {
            "category": loss.category,
            "found_at": found_at.isoformat(),
            "station": DISTRICTS[district][0],
            "description": description,
            "colour": colour,
            "brand": loss.brand if rng.random() < 0.7 else "",
            "found_place": found_place,
            "district": district,
            "external_ref": "",
            "contents": rows,
        }

    # Typing habits

    def typed_phone(self, phone: str) -> str:
        roll = self.rng.random()
        if roll < 0.8:
            return phone
        if roll < 0.93:
            return f"{phone[:3]} {phone[3:7]} {phone[7:]}"
        if roll < 0.97:
            return f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"
        return f"+86 {phone}"

    def typed_id(self, number: str) -> str:
        if not number:
            return ""
        roll = self.rng.random()
        if number.endswith("X") and roll < 0.3:
            return number[:17] + "x"
        if roll > 0.97:
            return f"{number[:6]} {number[6:14]} {number[14:]}"
        return number

    # Corrupted names and numbers

    def misread_id(self, number: str) -> str:
        """One character read wrong; the result is still a plausible number, so only its check fails."""
        rng = self.rng
        while True:
            position = rng.randrange(18)
            char = rng.choice("0123456789X" if position == 17 else "0123456789")
            candidate = number[:position] + char + number[position + 1 :]
            if candidate != number and _plausible_id(candidate) and not id_check_ok(candidate):
                return candidate

    def transposed_id(self, number: str) -> str:
        """Two adjacent characters swapped (never equal ones); still plausible, check fails."""
        rng = self.rng
        while True:
            position = rng.randrange(17)
            a, b = number[position], number[position + 1]
            candidate = number[:position] + b + a + number[position + 2 :]
            if a != b and _plausible_id(candidate) and not id_check_ok(candidate):
                return candidate

    def homophone_of(self, name: str) -> str:
        rng = self.rng
        position = rng.choice([i for i, char in enumerate(name) if char in HOMOPHONES])
        group = HOMOPHONES[name[position]]
        return name[:position] + rng.choice([c for c in group if c != name[position]]) + name[position + 1 :]

    # Content rows of found items

    def card_rows(
        self, person: Person, holder: str, *, at_most: int = 3, last4_only: bool = False
    ) -> list[Row]:
        """Bank cards as the desk logs them: the full number when it is legible, else its last 4."""
        rows = []
        for bank, number in self.cards_of(person)[:at_most]:
            if not last4_only and self.rng.random() < 0.6:
                rows.append(_row("bank_card", holder_name=holder, card_number=number, bank=bank))
            else:
                rows.append(_row("bank_card", holder_name=holder, card_last4=number[-4:], bank=bank))
        return rows

    def phone_row(self, phone: str) -> Row:
        return _row("phone_number", phone=self.typed_phone(phone), note=self.rng.choice(PHONE_NOTES))

    def extras(self, loss: Loss) -> list[Row]:
        """Cash and odds and ends that wallets and bags hold besides the identifiers."""
        rng = self.rng
        rows = []
        if loss.cash and rng.random() < 0.8:
            rows.append(_row("cash", amount=_yuan(loss.cash)))
        if loss.category in ("wallet", "bag") and rng.random() < 0.2:
            rows.append(_row("other", note=rng.choice(OTHER_NOTES)))
        return rows

    def id_rows(self, loss: Loss, number: str, *, as_printed: bool = False) -> list[Row]:
        person = loss.person
        rows = [_row("id_card", holder_name=person.name, id_number=number, as_printed=as_printed)]
        if loss.category in ("wallet", "bag"):
            if self.rng.random() < 0.3:
                rows += self.card_rows(person, person.name, at_most=2)
            rows += self.extras(loss)
        return rows

    def case_rows(self, case: str, loss: Loss) -> tuple[list[Row], str]:
        """The item's content rows for a case, and the owner's name as the item spells it."""
        rng = self.rng
        person = loss.person
        name = person.name
        if case in ("clean", "unreported_namesake"):
            return self.id_rows(loss, person.id_number), name
        if case == "passport":
            rows = [_row("passport", holder_name=person.latin, id_number=person.passport)]
            if loss.category != "id_document":
                rows += self.extras(loss)
            return rows, person.latin
        if case == "id_typo":
            return self.id_rows(loss, self.misread_id(person.id_number), as_printed=True), name
        if case == "id_transposition":
            return self.id_rows(loss, self.transposed_id(person.id_number), as_printed=True), name
        if case == "id_masked":
            rows = [_row("id_card", holder_name=name, id_number=mask_id(person.id_number))]
            return rows + (self.extras(loss) if loss.category != "id_document" else []), name
        if case == "name_homophone":
            spelt = self.homophone_of(name)
            rows = [*self.card_rows(person, spelt, at_most=1), self.phone_row(person.phone)]
            return rows + self.extras(loss), spelt
        if case == "name_dropped_char":
            spelt = name[0] + name[2]
            return self.card_rows(person, spelt, at_most=1) + self.extras(loss), spelt
        cards = 1 if loss.category == "bank_card" else 2  # a lone card is one card
        if case in ("name_last4_only", "synonyms"):
            rows = self.card_rows(person, name, at_most=cards, last4_only=case == "name_last4_only")
            return rows + self.extras(loss), name
        if case == "phone_only":
            return [self.phone_row(person.phone), *self.extras(loss)], name
        if case == "wrong_district":
            if rng.random() < 0.5:
                return self.id_rows(loss, person.id_number), name
            return self.card_rows(person, name, at_most=cards) + self.extras(loss), name
        if case == "extra_rows":
            relative = name[0] + rng.choice(self.given_chars) + rng.choice(self.given_chars)
            slip_holder = name if rng.random() < 0.7 else relative
            slip_amount = _yuan(rng.choice(DEPOSIT_YUAN))
            return [
                _row("id_card", holder_name=name, id_number=person.id_number),
                _row("cash", amount=_yuan(loss.cash or rng.choice(CASH_YUAN))),
                _row(
                    "deposit_slip", holder_name=slip_holder, bank=rng.choice(self.banks), amount=slip_amount
                ),
                _row("other", note=rng.choice(OTHER_NOTES)),
            ], name
        if case in ("no_identifier", "unreported_anonymous"):
            return (self.extras(loss) if loss.category in ("wallet", "bag") else []), name
        if case == "unreported":
            if person.passport:
                return [_row("passport", holder_name=person.latin, id_number=person.passport)], person.latin
            roll = rng.random()
            if roll < 0.1:
                return self.id_rows(loss, self.misread_id(person.id_number), as_printed=True), name
            if roll < 0.2:
                return self.id_rows(loss, mask_id(person.id_number)), name
            return self.id_rows(loss, person.id_number), name
        raise ValueError(f"unknown case {case!r}")

    # Whole found items with their reports and hard negatives

    def owner_for(self, case: str) -> Person:
        rng = self.rng
        if case == "passport":
            return self.passport_holder()
        if case == "name_homophone":
            return self.person(name=rng.choice(self.homophone_names))
        if case == "name_dropped_char":
            return self.person(name=rng.choice(self.three_char_names))
        if case == "unreported":
            return self.person(passport_share=PASSPORT_SHARE)
        return self.person()

    def found(self, case: str, budget: int) -> _Found:
        """One found item of ``case``; its report when it has an owner; up to ``budget`` planted reports."""
        rng = self.rng
        unreported = case in UNREPORTED
        person = self.owner_for(case)
        category = rng.choice(CASE_CATEGORIES.get(case, ID_CATEGORIES))
        found_at = self.found_at()
        loss = self.loss(person, category, self.lost_before(found_at))
        report = None if unreported else self.report(loss)
        rows, spelt = self.case_rows(case, loss)
        item = self.item(loss, found_at, rows, case)
        carries = _holds_identifier(rows, person, {person.name, person.latin, spelt})
        planted = self.hard_negatives(case, loss, found_at)[:budget]
        return _Found(item, report, carries, planted)

    def hard_negatives(self, case: str, loss: Loss, found_at: datetime) -> list[Row]:
        """Reports by other people that look like the owner's: a namesake, or a phone one digit away."""
        rng = self.rng
        owner = loss.person
        planted = []
        namesake_share = 1.0 if case == "unreported_namesake" else NAMESAKE_PER_OWNED_ITEM
        if (
            case not in ("unreported", "unreported_anonymous")
            and owner.id_number
            and rng.random() < namesake_share
        ):
            same_district = rng.random() < (0.7 if case == "unreported_namesake" else 0.5)
            other = self.person(name=owner.name, district=owner.district if same_district else "")
            planted.append(self.nearby_report(other, loss, found_at))
        near_share = NEAR_PHONE_PER_PHONE_ITEM if case in PHONE_CASES else NEAR_PHONE_PER_OTHER_ITEM
        if case not in UNREPORTED and rng.random() < near_share:
            other = self.person(phone=self.phone(near=owner.phone))
            planted.append(self.nearby_report(other, loss, found_at))
        return planted

    def nearby_report(self, person: Person, loss: Loss, found_at: datetime) -> Row:
        """A report that competes with ``loss``'s: often the same category, lost shortly before ``found_at``."""
        category = loss.category if self.rng.random() < 0.7 else self.rng.choice(self.report_categories)
        return self.report(self.loss(person, category, self.lost_before(found_at, max_hours=72)))

    def background_report(self) -> Row:
        """A report nobody's item answers; now and then by someone whose phone is one digit off the last's."""
        rng = self.rng
        near = self.last_phone and rng.random() < NEAR_PHONE_PER_REPORT
        phone = self.phone(near=self.last_phone) if near else ""
        person = self.person(phone=phone, passport_share=0.0 if phone else PASSPORT_SHARE)
        self.last_phone = person.phone
        return self.report(self.loss(person, rng.choice(self.report_categories), self.lost_any_time()))


def _inside(rows: Sequence[Row]) -> str:
    """The contents in words, for a description: 身份证、两张银行卡、现金."""
    kinds = Counter(row["kind"] for row in rows)
    words = []
    if kinds["id_card"]:
        words.append("身份证")
    if kinds["passport"]:
        words.append("护照")
    if kinds["bank_card"]:
        count = kinds["bank_card"]
        words.append(f"{COUNT_WORDS[count] if count < len(COUNT_WORDS) else '几'}张银行卡")
    if kinds["cash"]:
        words.append("现金")
    if kinds["deposit_slip"]:
        words.append("存单")
    if kinds["phone_number"]:
        words.append("写有电话号码的纸条")
    words += [row["note"] for row in rows if row["kind"] == "other"]
    return "、".join(words)


def _case_deck(rng: random.Random, n_items: int) -> list[str]:
    deck = [case for case, count in _apportion(n_items, ITEM_CASES).items() for _ in range(count)]
    rng.shuffle(deck)
    return deck


def _number(records: list[Row], prefix: str, key: str) -> None:
    """Sort by ``key`` (ISO times with one offset sort as text) and give references in that order."""
    records.sort(key=itemgetter(key))
    for index, record in enumerate(records, start=1):
        record["external_ref"] = f"{prefix}-{index:06d}"


def generate(
    seed: int, n_items: int, n_reports: int, *, goods: int = 0, progress: Progress | None = None
) -> Dataset:
    """A synthetic dataset of ``n_items`` found items and ``n_reports`` lost reports with its truth.

    ``goods`` adds that many bags, keys, umbrellas, clothes and phones (``bench/synthetic_goods.py``),
    with their owners' reports and decoys, on top of the rest, which they leave unchanged.
    Raises ValueError when there are fewer reports than owned items (about 70% of ``n_items``).
    """
    if n_items < 0 or n_reports < 0:
        raise ValueError("sizes cannot be negative")
    say = progress or (lambda _message: None)
    city = _City(seed)
    say(
        f"pools: {len(city.names)} names ({len(set(city.names))} distinct), {len(city.foreign_names)} foreign"
    )
    deck = _case_deck(city.rng, n_items)
    owned = sum(case not in UNREPORTED for case in deck)
    if owned > n_reports:
        raise ValueError(
            f"{n_items} items need at least {owned} reports (one per owned item), not {n_reports}"
        )

    found: list[_Found] = []
    reports: list[Row] = []
    spare = n_reports - owned  # reports left for hard negatives and the background
    for case in deck:
        entry = city.found(case, spare)
        spare -= len(entry.planted)
        found.append(entry)
        reports += entry.planted
        if entry.report is not None:
            reports.append(entry.report)
    say(f"items: {len(found)}, with {len(reports)} reports (owners' and hard negatives)")

    step = max(100_000, n_reports // 10)
    while len(reports) < n_reports:
        reports.append(city.background_report())
        if len(reports) % step == 0:
            say(f"reports: {len(reports)}/{n_reports}")

    items = [entry.item for entry in found]
    _number(items, "FI", "found_at")
    _number(reports, "RP", "lost_to")  # reports are filed after the loss: number them by its end
    truth = [
        {
            "item": entry.item["external_ref"],
            "report": entry.report["external_ref"] if entry.report else None,
            # A card only identifies the owner when the owner's report names that card too.
            "carries_identifier": entry.carries
            and (entry.report is None or _linkable(entry.item, entry.report)),
            "contents_agree": entry.report is not None and _contents_agree(entry.item, entry.report),
            "case": case,
        }
        for entry, case in zip(found, deck, strict=True)
    ]
    truth.sort(key=lambda t: (len(t["item"]), t["item"]))  # FI-999999 before FI-1000000
    dataset = Dataset(items=items, reports=reports, truth=truth)
    if goods:
        from bench.synthetic_goods import add_goods

        add_goods(city, dataset, goods, seed, say)
    return dataset


def write_jsonl(dataset: Dataset, folder: Path) -> None:
    """``found_items.jsonl``, ``lost_reports.jsonl`` and ``truth.jsonl`` in ``folder`` (created if needed)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, records in (
        ("found_items.jsonl", dataset.items),
        ("lost_reports.jsonl", dataset.reports),
        ("truth.jsonl", dataset.truth),
    ):
        with (folder / name).open("w", encoding="utf-8") as out:
            for start in range(0, len(records), 10_000):
                chunk = records[start : start + 10_000]
                out.write(
                    "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in chunk)
                )


def _summary(dataset: Dataset) -> list[str]:
    total = len(dataset.truth) or 1
    cases = Counter(t["case"] for t in dataset.truth)
    carrying = Counter(t["case"] for t in dataset.truth if t["carries_identifier"])
    lines = [f"{'case':<22}{'items':>8}{'share':>8}{'carry id':>10}  (carry id: share of the case's items)"]
    for case in ITEM_CASES:
        lines.append(
            f"{case:<22}{cases[case]:>8}{cases[case] / total:>8.1%}{carrying[case] / (cases[case] or 1):>10.1%}"
        )
    names = Counter(r["owner"]["name"] for r in dataset.reports)
    shared = sum(count for count in names.values() if count > 1)
    lines.append(
        f"reports sharing their name with another report: {shared / (len(dataset.reports) or 1):.1%}"
    )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.synthetic",
        description="Write a synthetic city of found items, lost reports and their truth as JSON lines.",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--items", type=int, default=2000, help="found items (default 2000)")
    parser.add_argument("--reports", type=int, default=20000, help="lost reports (default 20000)")
    parser.add_argument("--goods", type=int, default=0, help="bags, keys, phones... added (default 0)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the three .jsonl files")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    try:
        dataset = generate(
            args.seed,
            args.items,
            args.reports,
            goods=args.goods,
            progress=lambda message: print(message, flush=True),
        )
    except ValueError as error:
        parser.error(str(error))
    generated = time.perf_counter()
    print(
        f"generated {len(dataset.items)} items and {len(dataset.reports)} reports in {generated - started:.1f} s"
    )
    write_jsonl(dataset, args.out)
    print(f"wrote {args.out} in {time.perf_counter() - generated:.1f} s")
    print("\n".join(_summary(dataset)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
