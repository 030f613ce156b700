"""People's names for matching: Chinese names by every pinyin reading, Latin names token-sorted.

A desk officer copies a name from an ID card; an owner types their own on a phone. The same
person shows up as 黎晓梅, 李晓梅 (a homophone typed by an input method), 黎梅 (a dropped
character) or ``LI XIAOMEI``; surnames with several readings (曾 zeng/ceng, 单 shan/dan,
仇 qiu/chou) must meet whichever reading the other side implies. ü is written v (pinyin input),
yu (passports since 2012) or u (most people): 吕伟 is ``LV WEI``, ``LYU WEI`` and ``LU WEI``.
Latin names are folded to plain letters (José Müller, JOSE MULLER and JOSE MUELLER meet); a Latin
name agrees with a Chinese one it spells in pinyin; one it spells only in Wade–Giles, as Taiwan's
passports do, or in Cantonese, as Hong Kong's identity cards and permits do (陈大文 is CHAN TAI MAN),
is ``spelled`` alike: ranked, never decisive.
Traditional characters are folded to simplified ones (陳偉 is 陈伟): an ID card from Hong Kong or
Taiwan prints them, an owner's phone types the other script.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections import defaultdict
from enum import StrEnum
from functools import lru_cache

import opencc
from pypinyin import Style, pinyin

from lostfound.domain.romanisation import hong_kong, wade_giles

MAX_READINGS = 16  # the keys of a name with many polyphonic characters (see ``readings``)
# 〇, Extension A, the unified block, compatibility ideographs NFKC leaves alone (﨎), and the
# supplementary planes (Extension B on: 𠮷, 𬱖, rare characters of many given names).
_CJK = re.compile("[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
_LATIN_TOKEN = re.compile(r"[a-z]+")
# Letters NFKD does not take apart.
_PLAIN_LETTERS = str.maketrans(
    {"ø": "o", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h"}
)
COMPOUND_SURNAMES = frozenset({"欧阳", "司马", "上官", "诸葛", "尉迟", "东方", "皇甫", "慕容"})
# ü spelled yu (passport) or u after l and n, in a Latin name: lyu/lu → lv as pinyin input writes it.
_LATIN_U_UMLAUT = re.compile(r"([ln])y?u(?![aino])")
# ü as a surname is spelled on a passport: lyu or lu (吕), and lv as pinyin input writes it.
_PASSPORT_U_UMLAUT = re.compile(r"^([ln])(?:yu|v)(?![aino])")
# German ue for ü (MUELLER for Müller), but not pinyin's jue, que, xue, yue.
_GERMAN_UE = re.compile(r"(?<=[^jqxy])ue")


class NameLevel(StrEnum):
    EXACT = "exact"
    HOMOPHONE = "homophone"
    PARTIAL = "partial"
    # A Latin name that spells the Chinese one only as Taiwan (Wade–Giles) or Hong Kong (Cantonese)
    # romanise it. Those spellings share many syllables with pinyin (LI TING is 李婷, and 丁丽 in
    # Wade–Giles): it ranks the pair, and never lets a phone alone make it ``auto``.
    SPELLED = "spelled"
    DIFFERENT = "different"
    MISSING = "missing"


def normalise_name(raw: str) -> str:
    """Chinese characters only for a Chinese name; plain lower-case letters in sorted tokens for a Latin one."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if _CJK.search(text):
        return "".join(map(_simplified, _CJK.findall(text)))
    return " ".join(sorted(_LATIN_TOKEN.findall(_fold_latin(text))))


def _fold_latin(text: str) -> str:
    """José → jose, Nguyễn → nguyen, Søren → soren, Łukasz → lukasz, Straße → strasse."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_PLAIN_LETTERS))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=1)
def _traditional_to_simplified() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=32768)
def _simplified(char: str) -> str:
    """A traditional character as simplified Chinese writes it (陳 → 陈, 偉 → 伟), where that keeps its
    usual reading: the surname 乾 (qian) is not 干 (gan), though the word 乾燥 is 干燥."""
    folded = _traditional_to_simplified().convert(char)
    if len(folded) == 1 and folded != char and _char_readings(char)[0] in _char_readings(folded):
        return folded
    return char


def is_chinese(name: str) -> bool:
    return bool(name) and _CJK.match(name) is not None


@lru_cache(maxsize=65536)
def readings(name: str) -> frozenset[str]:
    """The spellings a name is looked up by: toneless pinyin for a Chinese name (at most
    ``MAX_READINGS``), every token order and spelling of ü for a Latin one."""
    if not name:
        return frozenset()
    if not is_chinese(name):
        tokens = name.split()[:4]
        pinyin_u = [_LATIN_U_UMLAUT.sub(r"\1v", token) for token in tokens]
        return _latin_spellings(name) | _orders(pinyin_u)
    return frozenset(_ordered_readings(name))


def _orders(tokens: list[str]) -> frozenset[str]:
    # A passport gives SURNAME GIVEN; people write either order, so every order is a reading.
    return frozenset("".join(order) for order in itertools.permutations(tokens))


@lru_cache(maxsize=65536)
def _latin_spellings(name: str) -> frozenset[str]:
    """A Latin name in every token order, with German ue read as ü too (MUELLER / Müller)."""
    tokens = name.split()[:4]
    return _orders(tokens) | _orders([_GERMAN_UE.sub("u", token) for token in tokens])


def _surname_length(name: str) -> int:
    return 2 if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES else 1


def _ordered_readings(name: str) -> list[str]:
    """Combinations of readings, every reading of the surname first with the usual reading of each
    given-name character, then with one given-name character read otherwise, and so on up to the cap:
    单和平 keeps shan, dan and chan however many readings 和 and 平 have."""
    per_char = [_char_readings(char) for char in name]
    cut = _surname_length(name)
    surnames = ["".join(combo) for combo in itertools.product(*per_char[:cut])]
    given = per_char[cut:]
    polyphonic = [i for i, options in enumerate(given) if len(options) > 1]
    out: list[str] = []
    for changed in range(len(polyphonic) + 1):
        for positions in itertools.combinations(polyphonic, changed):
            options = [g[1:] if i in positions else g[:1] for i, g in enumerate(given)]
            for rest in itertools.product(*options):
                out.extend(surname + "".join(rest) for surname in surnames)
                if len(out) >= MAX_READINGS:
                    return out[:MAX_READINGS]
    return out


@lru_cache(maxsize=32768)
def _char_readings(char: str) -> tuple[str, ...]:
    """Every toneless reading of one character, the usual one first (a surname's rarer readings
    included). A character pypinyin cannot read is its own reading: it meets only itself."""
    found = pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")
    return tuple(found[0]) if found and found[0] else (char,)


@lru_cache(maxsize=65536)
def _char_sets(name: str) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(_char_readings(char)) for char in name)


@lru_cache(maxsize=65536)
def skeletons(name: str) -> frozenset[str]:
    """Surname and last character (黎晓梅 and 黎梅 both give ``li·mei``): finds a dropped middle character."""
    if not is_chinese(name) or len(name) not in (2, 3):
        return frozenset()
    return frozenset(
        f"{first}·{last}" for first in _char_readings(name[0]) for last in _char_readings(name[-1])
    )


def agreement(a: str, b: str) -> NameLevel:
    """How two normalised names agree, from the strongest level down."""
    if not a or not b:
        return NameLevel.MISSING
    if a == b:
        return NameLevel.EXACT
    chinese_a, chinese_b = is_chinese(a), is_chinese(b)
    if chinese_a and chinese_b:
        return _chinese_agreement(a, b)
    if chinese_a or chinese_b:
        chinese, latin = (a, b) if chinese_a else (b, a)
        if readings(a) & readings(b) or _fits(chinese, latin):
            return NameLevel.HOMOPHONE
        return NameLevel.SPELLED if _spelled_elsewhere(chinese, latin) else NameLevel.DIFFERENT
    if _latin_spellings(a) & _latin_spellings(b):
        return NameLevel.HOMOPHONE
    if set(a.split()) & set(b.split()) and _close_latin(a, b):
        return NameLevel.PARTIAL
    return NameLevel.DIFFERENT


def _chinese_agreement(a: str, b: str) -> NameLevel:
    ra, rb = readings(a), readings(b)
    if ra & rb:
        return NameLevel.HOMOPHONE
    # Past the cap on readings, character by character: no reading is lost then.
    if (len(ra) >= MAX_READINGS or len(rb) >= MAX_READINGS) and _each_character_alike(a, b):
        return NameLevel.HOMOPHONE
    return NameLevel.PARTIAL if _one_character_apart(a, b) else NameLevel.DIFFERENT


def _each_character_alike(a: str, b: str) -> bool:
    return len(a) == len(b) and all(x & y for x, y in zip(_char_sets(a), _char_sets(b), strict=True))


@lru_cache(maxsize=65536)
def _fits(chinese: str, latin: str) -> bool:
    """Whether a Latin name spells a pinyin reading of a Chinese one, in either order (单和平 / SHAN HEPING)."""
    return _spelled_by(_spellings(chinese), latin)


@lru_cache(maxsize=65536)
def _spelled_elsewhere(chinese: str, latin: str) -> bool:
    """Whether a Latin name spells a Chinese one as Taiwan (CHANG HSIAO-MEI) or Hong Kong (CHAN TAI
    MAN) romanise it, the whole name in one system."""
    return _spelled_by(_wade_giles_spellings(chinese), latin) or _spelled_by(
        _hong_kong_spellings(chinese), latin
    )


def _spelled_by(spellings: tuple[tuple[str, ...], ...], latin: str) -> bool:
    return any(_spells(spellings, "".join(order)) for order in itertools.permutations(latin.split()[:4]))


def _spells(spellings: tuple[tuple[str, ...], ...], text: str) -> bool:
    """Character by character, keeping every position of ``text`` a reading so far may end at: no
    combination of readings is enumerated, so none is lost to a cap."""
    ends = {0}
    for options in spellings:
        ends = {end + len(s) for end in ends for s in options if text.startswith(s, end)}
        if not ends:
            return False
    return len(text) in ends


@lru_cache(maxsize=32768)
def _spellings(chinese: str) -> tuple[tuple[str, ...], ...]:
    """Each character's readings as Latin names write them: lv also as lyu and lu, lve as lyue and lue."""
    return tuple(
        tuple(
            dict.fromkeys(
                v for r in _char_readings(char) for v in (r, r.replace("v", "yu"), r.replace("v", "u"))
            )
        )
        for char in chinese
    )


@lru_cache(maxsize=32768)
def _wade_giles_spellings(chinese: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(dict.fromkeys(wade_giles(r) for r in _char_readings(char))) for char in chinese)


@lru_cache(maxsize=32768)
def _hong_kong_spellings(chinese: str) -> tuple[tuple[str, ...], ...]:
    return tuple(hong_kong(char) for char in chinese)


def _one_character_apart(a: str, b: str) -> bool:
    """Same surname, and one character dropped, added or replaced (黎晓梅 / 黎梅 / 黎晓玫)."""
    if a[0] != b[0] and not (_char_sets(a[0])[0] & _char_sets(b[0])[0]):
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1 and len(a) >= 3
    short, long = sorted((a, b), key=len)
    if len(long) - len(short) != 1:
        return False
    return any(long[:i] + long[i + 1 :] == short for i in range(1, len(long)))


def _close_latin(a: str, b: str) -> bool:
    """A passport name with a given name left out (``zhang wei`` / ``zhang wei ming``)."""
    small, large = sorted((set(a.split()), set(b.split())), key=len)
    return small <= large


# --- how common a name is ---------------------------------------------------------------
# Shares of the population (national figures, rounded): agreeing on 王伟 says far less
# than agreeing on 黎晓梅. Anything not listed gets the default share.
SURNAME_SHARE: dict[str, float] = {
    "王": 0.0717, "李": 0.0700, "张": 0.0686, "刘": 0.0538, "陈": 0.0453, "杨": 0.0308,
    "赵": 0.0229, "黄": 0.0224, "周": 0.0212, "吴": 0.0205, "徐": 0.0167, "孙": 0.0154,
    "胡": 0.0131, "朱": 0.0126, "高": 0.0121, "林": 0.0118, "何": 0.0117, "郭": 0.0115,
    "马": 0.0105, "罗": 0.0086, "梁": 0.0081, "宋": 0.0076, "郑": 0.0072, "谢": 0.0068,
    "韩": 0.0061, "唐": 0.0059, "冯": 0.0058, "于": 0.0056, "董": 0.0055, "萧": 0.0055,
    "程": 0.0054, "曹": 0.0053, "袁": 0.0052, "邓": 0.0052, "许": 0.0051, "傅": 0.0050,
    "沈": 0.0049, "曾": 0.0048, "彭": 0.0048, "吕": 0.0047, "苏": 0.0046, "卢": 0.0046,
    "蒋": 0.0046, "蔡": 0.0045, "贾": 0.0042, "丁": 0.0041, "魏": 0.0040, "薛": 0.0039,
    "叶": 0.0039, "阎": 0.0038, "余": 0.0037, "潘": 0.0036, "杜": 0.0035, "戴": 0.0034,
    "夏": 0.0034, "钟": 0.0033, "汪": 0.0032, "田": 0.0031, "任": 0.0031, "姜": 0.0030,
}  # fmt: skip
DEFAULT_SURNAME_SHARE = 0.0008
# Given names shared by hundreds of thousands of people.
COMMON_GIVEN_NAMES = frozenset(
    [
        "伟",
        "芳",
        "娜",
        "秀英",
        "敏",
        "静",
        "丽",
        "强",
        "磊",
        "军",
        "洋",
        "勇",
        "艳",
        "杰",
        "娟",
        "涛",
        "明",
        "超",
        "秀兰",
        "霞",
        "平",
        "刚",
        "桂英",
        "英",
        "华",
        "玉兰",
        "萍",
        "红",
        "鹏",
        "辉",
        "建华",
        "建国",
        "建军",
        "丹",
        "玲",
        "斌",
        "波",
        "宇",
        "浩",
        "凯",
        "俊",
        "帅",
        "鑫",
        "晶",
        "婷",
        "雪",
        "琳",
        "欢",
        "莉",
    ]
)
COMMON_GIVEN_SHARE = 1 / 400
DEFAULT_GIVEN_SHARE = 1 / 8000
LATIN_NAME_SHARE = 1 / 20000


@lru_cache(maxsize=1)
def _surname_share_by_reading() -> dict[str, float]:
    """The share of people whose surname a passport spells so: ZHANG is 张 and 章, LU is 卢 and 吕,
    CHANG is 张 too in Wade–Giles, and CHAN is 陈 in Hong Kong."""
    shares: dict[str, float] = defaultdict(float)
    for surname, share in SURNAME_SHARE.items():
        spellings = {s for r in _char_readings(surname) for s in (r.replace("v", "u"), wade_giles(r))}
        for spelling in spellings | set(hong_kong(surname)):
            shares[spelling] += share
    return dict(shares)


@lru_cache(maxsize=1)
def _common_given_readings() -> frozenset[str]:
    hong_kong_spellings = {
        "".join(s) for given in COMMON_GIVEN_NAMES for s in itertools.product(*map(hong_kong, given))
    }
    return (
        frozenset(reading for given in COMMON_GIVEN_NAMES for reading in readings(given))
        | hong_kong_spellings
    )


@lru_cache(maxsize=65536)
def _latin_frequency(name: str) -> float:
    """A name in Latin letters: as common as the Chinese names it spells, if it spells one (a
    passport's ZHANG WEI is as common as 张伟), else ``LATIN_NAME_SHARE``; never rarer than that."""
    tokens = name.split()[:4]
    shares, share = _surname_share_by_reading(), LATIN_NAME_SHARE
    for i, token in enumerate(tokens):
        surname_share = shares.get(_PASSPORT_U_UMLAUT.sub(r"\1u", token), 0.0)
        if not surname_share:
            continue
        rest = tokens[:i] + tokens[i + 1 :]
        common = any("".join(order) in _common_given_readings() for order in itertools.permutations(rest))
        share = max(share, surname_share * (COMMON_GIVEN_SHARE if common else DEFAULT_GIVEN_SHARE))
    return share


def frequency(name: str) -> float:
    """Rough share of people called ``name``: how often two strangers would share it by chance."""
    if not name:
        return 1.0
    if not is_chinese(name):
        return _latin_frequency(name)
    surname, given = name[0], name[1:]
    if len(name) >= 4 and name[:2] in COMPOUND_SURNAMES:
        surname, given = name[:2], name[2:]
    surname_share = SURNAME_SHARE.get(surname, DEFAULT_SURNAME_SHARE)
    given_share = COMMON_GIVEN_SHARE if given in COMMON_GIVEN_NAMES else DEFAULT_GIVEN_SHARE
    return surname_share * given_share


def surprise_bits(name: str) -> float:
    """log2 of 1/frequency: how much agreeing on this name tells."""
    return -math.log2(frequency(name))
