"""Words for things, colours and brands in Chinese and English, and how alike two descriptions are.

An officer writes 黑色背包, the owner 深色双肩包; one types 华为, the other HUAWEI Mate 60. The
tables below are data: each canonical entry lists the words that mean it. ``describe`` reads a
record's free text once into what the matcher needs (a category group, colour families, a
brand, a model, description features); ``similarity`` compares two descriptions by character
bigrams (Chinese) and character trigrams of words (Latin) after the words are canonicalised.
Pure Python, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

# --- tables ---------------------------------------------------------------------------------

# thing: (category group, words). The group is a ``Category`` value, or a finer group for the
# things that would otherwise all be "other" (umbrellas, glasses). The first word is the one
# descriptions are rewritten to.
THINGS: dict[str, tuple[str, tuple[str, ...]]] = {
    "backpack": ("bag", ("双肩包", "背包", "书包", "backpack", "rucksack", "schoolbag")),
    "handbag": (
        "bag",
        ("手提包", "挎包", "斜挎包", "单肩包", "手袋", "拎包", "handbag", "shoulder bag", "tote"),
    ),
    "suitcase": ("bag", ("行李箱", "拉杆箱", "旅行箱", "suitcase", "luggage")),
    "bag": ("bag", ("包", "袋子", "bag")),
    "wallet": ("wallet", ("钱包", "皮夹", "钱夹", "卡包", "wallet", "purse")),
    "card_holder": ("id_document", ("证件套", "卡套", "证件包", "card holder", "id holder")),
    "keys": ("keys", ("钥匙", "钥匙串", "一串钥匙", "车钥匙", "钥匙扣", "keys", "key", "car key")),
    "umbrella": ("umbrella", ("雨伞", "伞", "遮阳伞", "折叠伞", "umbrella", "parasol")),
    "glasses": ("glasses", ("眼镜", "墨镜", "太阳镜", "近视眼镜", "glasses", "sunglasses", "spectacles")),
    "phone": ("phone", ("手机", "智能手机", "mobile phone", "cell phone", "smartphone", "phone")),
    "earphones": ("electronics", ("耳机", "蓝牙耳机", "无线耳机", "earphones", "headphones", "earbuds")),
    "power_bank": ("electronics", ("充电宝", "移动电源", "power bank")),
    "tablet": ("electronics", ("平板电脑", "平板", "tablet")),
    "laptop": ("electronics", ("笔记本电脑", "手提电脑", "laptop")),
    "watch": ("jewellery", ("手表", "腕表", "watch", "wristwatch")),
    "bracelet": ("jewellery", ("手镯", "手链", "bracelet", "bangle")),
    "necklace": ("jewellery", ("项链", "吊坠", "necklace", "pendant")),
    "ring": ("jewellery", ("戒指", "ring")),
    "coat": ("clothing", ("外套", "大衣", "夹克", "羽绒服", "风衣", "coat", "jacket", "down jacket")),
    "scarf": ("clothing", ("围巾", "scarf")),
    "hat": ("clothing", ("帽子", "hat", "cap")),
}

# colour: (families, words). Two colours are the same when canonical, similar when they share a
# family: 深色 (dark) takes in black, navy and dark grey; 酒红 is a red and a dark colour.
COLOURS: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "black": (frozenset({"dark"}), ("黑色", "黑", "墨黑", "纯黑", "黑灰", "black")),
    "dark": (frozenset({"dark"}), ("深色", "暗色", "dark")),
    "navy": (
        frozenset({"dark", "blue"}),
        ("深蓝色", "深蓝", "藏青色", "藏青", "藏蓝", "宝蓝", "navy", "dark blue"),
    ),
    "blue": (frozenset({"blue"}), ("蓝色", "蓝", "天蓝色", "浅蓝色", "浅蓝", "blue", "light blue")),
    "dark_grey": (frozenset({"dark", "grey"}), ("深灰色", "深灰", "dark grey", "dark gray", "charcoal")),
    "grey": (frozenset({"grey"}), ("灰色", "灰", "银灰色", "银灰", "浅灰", "grey", "gray")),
    "silver": (frozenset({"grey"}), ("银色", "silver")),
    "brown": (
        frozenset({"brown"}),
        ("棕色", "咖啡色", "褐色", "咖色", "驼色", "棕", "brown", "coffee", "tan"),
    ),
    "red": (frozenset({"red"}), ("红色", "红", "大红", "red")),
    "dark_red": (
        frozenset({"red", "dark"}),
        ("酒红色", "酒红", "枣红色", "枣红", "暗红", "深红", "wine red", "burgundy", "maroon"),
    ),
    "pink": (frozenset({"pink"}), ("粉色", "粉红色", "粉红", "pink")),
    "white": (
        frozenset({"light"}),
        ("白色", "白", "米白色", "米白", "乳白色", "乳白", "white", "off-white", "cream"),
    ),
    "light": (frozenset({"light"}), ("浅色", "light-coloured", "light coloured")),
    "beige": (frozenset({"light", "brown"}), ("米色", "卡其色", "卡其", "杏色", "beige", "khaki")),
    "green": (frozenset({"green"}), ("绿色", "绿", "军绿色", "军绿", "green", "olive")),
    "dark_green": (frozenset({"green", "dark"}), ("墨绿色", "墨绿", "深绿", "dark green")),
    "yellow": (frozenset({"yellow"}), ("黄色", "黄", "yellow")),
    "gold": (frozenset({"yellow"}), ("金色", "土豪金", "gold", "golden")),
    "orange": (frozenset({"orange"}), ("橙色", "橘色", "orange")),
    "purple": (frozenset({"purple"}), ("紫色", "紫", "purple", "violet")),
    "transparent": (frozenset({"transparent"}), ("透明", "transparent")),
}

# brand: words. Sub-brands name their parent in BRAND_PARENTS: 红米 and 小米 are neither the
# same brand nor a disagreement (owners say 小米 for a Redmi phone).
BRANDS: dict[str, tuple[str, ...]] = {
    "huawei": ("华为", "huawei"),
    "honor": ("荣耀", "华为荣耀", "honor", "honour"),
    "apple": ("苹果", "apple", "iphone", "ipad", "airpods", "macbook"),
    "xiaomi": ("小米", "xiaomi", "mi"),
    "redmi": ("红米", "redmi"),
    "oppo": ("oppo", "欧珀"),
    "oneplus": ("一加", "oneplus"),
    "realme": ("真我", "realme"),
    "vivo": ("vivo", "维沃"),
    "iqoo": ("iqoo",),
    "samsung": ("三星", "samsung", "galaxy"),
    "meizu": ("魅族", "meizu"),
    "lenovo": ("联想", "lenovo", "thinkpad"),
    "nokia": ("诺基亚", "nokia"),
    "sony": ("索尼", "sony"),
    "dji": ("大疆", "dji"),
    "nike": ("耐克", "nike"),
    "adidas": ("阿迪达斯", "阿迪", "adidas"),
    "lining": ("李宁", "li ning", "lining"),
    "anta": ("安踏", "anta"),
    "septwolves": ("七匹狼", "septwolves"),
    "goldlion": ("金利来", "goldlion"),
    "coach": ("蔻驰", "coach"),
    "louis_vuitton": ("路易威登", "louis vuitton", "lv"),
    "gucci": ("古驰", "gucci"),
    "uniqlo": ("优衣库", "uniqlo"),
}
BRAND_PARENTS: dict[str, str] = {"redmi": "xiaomi", "honor": "huawei", "oneplus": "oppo",
                                 "realme": "oppo", "iqoo": "vivo"}  # fmt: skip

# Words that say nothing about the thing: how people start a report, what joins its parts.
STOP_WORDS: tuple[str, ...] = (
    "不慎丢失", "丢失", "遗失了", "遗失", "丢了", "一个", "一只", "一部", "一台", "一把", "一款",
    "里面有", "里面", "内有", "装有", "以及", "还有", "和", "与", "的", "了", "有", "在",
    "lost", "found", "with", "and", "the", "a", "an", "of", "in", "my",
)  # fmt: skip

# --- reading text ---------------------------------------------------------------------------

_LATIN_WORD = re.compile(r"[a-z0-9]+")
_CJK = re.compile(r"[\u3400-\u9fff]+")
_MODEL = re.compile(
    r"[\s\-]*((?:[a-z]+\s*)?[0-9]+[a-z0-9]*(?:\s*(?:pro|max|plus|ultra|mini|lite|se)(?![a-z]))*)"
)
_LATIN_TERM = re.compile(r"[a-z][a-z\- ]*")


def _fold(text: str) -> str:
    """NFKC (full-width to ASCII), lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[dict[str, tuple[str, str]], int, int]:
    """What each word of every table stands for, and the longest Chinese and Latin words."""
    meaning: dict[str, tuple[str, str]] = {}
    for thing, (_, words) in THINGS.items():
        meaning.update({_fold(w): ("thing", thing) for w in words})
    for colour, (_, words) in COLOURS.items():
        meaning.update({_fold(w): ("colour", colour) for w in words})
    for brand, words in BRANDS.items():
        meaning.update({_fold(w): ("brand", brand) for w in words})
    for word in STOP_WORDS:
        meaning.setdefault(_fold(word), ("stop", ""))
    latin = [len(w) for w in meaning if _LATIN_TERM.fullmatch(w)]
    chinese = [len(w) for w in meaning if not _LATIN_TERM.fullmatch(w)]
    return meaning, max(chinese), max(latin)


@dataclass(frozen=True)
class Described:
    """What a record's category, description, colour and brand say, canonicalised."""

    group: str = ""
    things: tuple[str, ...] = ()
    colours: tuple[str, ...] = ()  # canonical colour names
    brand: str = ""
    model: str = ""
    features: frozenset[str] = frozenset()  # description n-grams
    families: frozenset[str] = field(default=frozenset(), compare=False)


def _is_latin(char: str) -> bool:
    return "a" <= char <= "z"


@lru_cache(maxsize=1)
def _word_lengths() -> dict[str, tuple[int, ...]]:
    """For each character a table word starts with, the lengths of those words, longest first.

    At a Latin word's start only words up to the longest Latin term are tried, elsewhere up to
    the longest Chinese one, as a plain walk over every length would.
    """
    meaning, chinese, latin = _vocabulary()
    lengths: dict[str, set[int]] = {}
    for word in meaning:
        lengths.setdefault(word[0], set()).add(len(word))
    return {
        first: tuple(n for n in sorted(sizes, reverse=True) if n <= (latin if _is_latin(first) else chinese))
        for first, sizes in lengths.items()
    }


def _scan(text: str) -> list[tuple[str, str, int, int]]:
    """Every table word in ``text``, longest first from left to right (kind, value, start, end).

    A Latin word counts only as a whole word ("mi" is not inside "mini"). A dictionary walk, not
    one big regular expression: several times faster on the short texts records carry; only the
    lengths of words that start with the character at hand are tried.
    """
    meaning = _vocabulary()[0]
    lengths = _word_lengths()
    found, at, end = [], 0, len(text)
    while at < end:
        char = text[at]
        latin = "a" <= char <= "z"
        starts_word = latin and (at == 0 or not _is_latin(text[at - 1]))
        if latin and not starts_word:
            at += 1
            continue
        for size in lengths.get(char, ()):
            if at + size > end:
                continue
            word = text[at : at + size]
            hit = meaning.get(word)
            if hit is None or (_is_latin(word[-1]) and at + size < end and _is_latin(text[at + size])):
                continue
            found.append((hit[0], hit[1], at, at + size))
            at += size
            break
        else:
            at += 1
            while starts_word and at < end and _is_latin(text[at]):
                at += 1  # an unknown Latin word is skipped whole
    return found


def _model_after(text: str, end: int) -> str:
    """The model written right after a brand word: ``Mate 60 Pro``, ``15 Pro``, ``Note12``."""
    match = _MODEL.match(text, end)
    return re.sub(r"[\s\-]+", "", match.group(1)) if match else ""


def group_of(category: str, things: Sequence[str]) -> str:
    """The category group: the category, unless it says "other" (or nothing) and a thing is named."""
    groups = [THINGS[t][0] for t in things]
    if category and category in groups:
        return category
    if groups and category in ("", "other", "electronics"):
        return groups[0]
    return category or ""


@lru_cache(maxsize=8192)  # a report is read again as a candidate of every item near it
def describe(category: str, description: str, colour: str, brand: str) -> Described:
    """Read a record's words once: its group, colours, brand and model, and description features."""
    colour_text, brand_text, text = _fold(colour), _fold(brand), _fold(description)
    colours = _unique(value for kind, value, _, _ in _scan(colour_text) if kind == "colour")
    brand_name = model = ""
    for kind, value, _, end in _scan(brand_text):
        if kind == "brand" and not brand_name:
            brand_name, model = value, _model_after(brand_text, end)
    found = _scan(text)
    if not colours:  # a colour only in the description still counts
        colours = _unique(value for kind, value, _, _ in found if kind == "colour")
    for kind, value, _, end in found:
        if kind == "brand" and not brand_name:
            brand_name, model = value, _model_after(text, end)
        elif kind == "brand" and value == brand_name and not model:
            model = _model_after(text, end)
    things = _unique(value for kind, value, _, _ in found if kind == "thing")
    return Described(
        group=group_of(category, things),
        things=things,
        colours=colours,
        brand=brand_name,
        model=model,
        features=features(text, found),
        families=frozenset(f for colour in colours for f in COLOURS[colour][0]),
    )


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def features(text: str, found: list[tuple[str, str, int, int]] | None = None) -> frozenset[str]:
    """Character bigrams of the Chinese runs and trigrams of the Latin words, after canonicalising.

    Colours are left out (they are scored on their own); things and brands become their canonical
    word, so 背包 and 双肩包, 苹果 and iPhone give the same grams; words that say nothing go.
    """
    text = _fold(text)
    found = _scan(text) if found is None else found
    pieces, last = [], 0
    for kind, value, start, end in found:
        pieces.append(text[last:start])
        if kind == "thing":
            pieces.append(f" {_fold(THINGS[value][1][0])} ")
        elif kind == "brand":
            pieces.append(f" {value} ")
        else:
            pieces.append(" ")
        last = end
    pieces.append(text[last:])
    flat = "".join(pieces)
    grams: set[str] = set()
    for run in _CJK.findall(flat):
        if len(run) == 1:
            grams.add(run)
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    for word in _LATIN_WORD.findall(flat):
        padded = f"#{word}#"
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice coefficient of two feature sets: 1.0 for the same words, 0.0 for nothing in common."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


class ColourLevel:
    EXACT = "exact"
    SIMILAR = "similar"
    DIFFERENT = "different"
    MISSING = "missing"


def colour_agreement(a: Described, b: Described) -> str:
    if not a.colours or not b.colours:
        return ColourLevel.MISSING
    if set(a.colours) & set(b.colours):
        return ColourLevel.EXACT
    if a.families & b.families:
        return ColourLevel.SIMILAR
    return ColourLevel.DIFFERENT


# Words that only repeat the category: every wallet report says 钱包, a bag may be any bag.
GENERIC_THINGS = frozenset({"wallet", "bag", "phone"})


def thing_agreement(a: Described, b: Described) -> str:
    """``exact`` when both name the same thing (背包 / backpack), ``different`` for a backpack and a handbag."""
    mine, theirs = set(a.things) - GENERIC_THINGS, set(b.things) - GENERIC_THINGS
    if not mine or not theirs:
        return "missing"
    return "exact" if mine & theirs else "different"


def brand_agreement(a: str, b: str) -> str:
    """``exact``, ``related`` (a sub-brand and its parent), ``different`` or ``missing``."""
    if not a or not b:
        return "missing"
    if a == b:
        return "exact"
    if BRAND_PARENTS.get(a, a) == BRAND_PARENTS.get(b, b):
        return "related"
    return "different"


def model_agreement(a: Described, b: Described) -> str:
    """Models compare only under the same brand; one written shorter (mate60 / mate60pro) is not a disagreement."""
    if not a.model or not b.model or brand_agreement(a.brand, b.brand) != "exact":
        return "missing"
    if a.model == b.model:
        return "exact"
    if a.model.startswith(b.model) or b.model.startswith(a.model):
        return "missing"
    return "different"
