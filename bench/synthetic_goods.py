"""Things without wallets' identifiers for the synthetic city: bags, keys, umbrellas, clothing, phones.

Added after the wallets and their reports are drawn, from an RNG of their own, so that a seed gives the
same wallets, reports and figures with or without them. Finder and owner describe each thing in their own
words (黑色背包 / 深色双肩包 / black backpack); phones carry an IMEI that the owner's report states most of
the time, and the desk misreads one digit of it now and then.

    ====================  =====  ========================================================================
    case                  share  what the desk logged
    ====================  =====  ========================================================================
    bag                    20%   a backpack or handbag, colour and noun in other words, a brand sometimes
    keys                   10%   keys, with a key ring or a car key described
    umbrella               10%   an umbrella (category "other"), Chinese or English words
    clothing                8%   a coat or a scarf
    phone_imei             15%   a phone with its IMEI as printed; the owner states it in 80% of reports
    phone_imei_typo        10%   a phone whose IMEI the desk misread by one digit (kept "as printed")
    phone_looks             9%   a phone logged by brand, model and colour only
    goods_unreported       18%   nobody reported it: a bag or a phone with an IMEI
    ====================  =====  ========================================================================

Every item brings a decoy report by someone else: the same kind of thing, lost near in time, in the same
district half of the time, of a colour of the same family a third of the time; a phone decoy is of the
same brand, and states another valid IMEI when it states one.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.synthetic import Dataset, _City

Row = dict[str, Any]

GOODS_CASES: dict[str, float] = {
    "bag": 0.20,
    "keys": 0.10,
    "umbrella": 0.10,
    "clothing": 0.08,
    "phone_imei": 0.15,
    "phone_imei_typo": 0.10,
    "phone_looks": 0.09,
    "goods_unreported": 0.18,
}
IMEI_CASES = frozenset({"phone_imei", "phone_imei_typo"})
REPORT_STATES_IMEI = 0.8

# category: groups of words for one thing, Chinese and English
THINGS: dict[str, tuple[str, tuple[tuple[str, ...], ...]]] = {
    "bag": ("bag", (("双肩包", "背包", "书包", "backpack"), ("手提包", "挎包", "handbag"))),
    "keys": ("keys", (("钥匙串", "一串钥匙", "钥匙", "keys"), ("车钥匙", "car key"))),
    "umbrella": ("other", (("雨伞", "伞", "折叠伞", "umbrella"),)),
    "clothing": ("clothing", (("外套", "夹克", "jacket"), ("围巾", "scarf"))),
}
# Colour words of one family: the finder and the owner pick any of them.
COLOURS: tuple[tuple[str, ...], ...] = (
    ("黑色", "深色", "黑", "black"),
    ("蓝色", "深蓝色", "藏青色", "blue", "navy"),
    ("红色", "酒红色", "red"),
    ("灰色", "深灰色", "grey"),
    ("白色", "米白色", "white"),
    ("棕色", "咖啡色", "brown"),
    ("绿色", "墨绿色", "green"),
    ("粉色", "粉红色", "pink"),
)
BAG_BRANDS = (
    ("", ""),
    ("", ""),
    ("耐克", "Nike"),
    ("阿迪达斯", "adidas"),
    ("李宁", "Li Ning"),
    ("安踏", "ANTA"),
)
DETAILS: dict[str, tuple[str, ...]] = {
    "bag": ("帆布", "尼龙", "皮质", "", "", "印有卡通图案的", "带学校标志的"),
    "keys": ("挂小熊挂件的", "有门禁卡的", "三把", "", "带指甲刀的"),
    "umbrella": ("长柄", "格子", "", "自动", "透明"),
    "clothing": ("羽绒", "针织", "棉", "", "连帽"),
}
EXTRAS = ("", "", "", "，里面有书本", "，里面有充电器", "，挂着钥匙扣", "，有点旧")
# brand: (Chinese, Latin, models)
PHONES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "huawei": ("华为", "HUAWEI", ("Mate 60", "Mate 40", "P40", "nova 11")),
    "apple": ("苹果", "iPhone", ("15 Pro", "14", "13", "12")),
    "xiaomi": ("小米", "Xiaomi", ("14", "13", "Civi 3")),
    "oppo": ("OPPO", "OPPO", ("Reno 8", "Find X6", "A58")),
    "vivo": ("vivo", "vivo", ("X100", "S17", "Y78")),
    "honor": ("荣耀", "Honor", ("90", "Magic 5", "X50")),
    "samsung": ("三星", "Samsung", ("Galaxy S23", "Galaxy A54")),
}
PHONE_COLOURS = (
    ("黑色", "black", "深色"),
    ("白色", "white"),
    ("蓝色", "blue"),
    ("金色", "gold"),
    ("银色", "silver"),
)
TACS = ("35391108", "86012304", "86891905", "35467211", "86765403", "35290611")
LEADS = ("", "", "丢失", "遗失了一个", "不慎丢失")


def _luhn_complete(body: str) -> str:
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:  # doubled once the check digit is appended
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return body + str(-total % 10)


class _Goods:
    def __init__(self, city: _City, rng: random.Random) -> None:
        self.city, self.rng = city, rng
        self.used_imeis: set[str] = set()

    def imei(self) -> str:
        while True:
            number = _luhn_complete(self.rng.choice(TACS) + f"{self.rng.randrange(10**6):06d}")
            if number not in self.used_imeis:
                self.used_imeis.add(number)
                return number

    def misread(self, number: str) -> str:
        at = self.rng.randrange(15)
        return number[:at] + str((int(number[at]) + self.rng.randrange(1, 10)) % 10) + number[at + 1 :]

    def word(self, words: tuple[str, ...], english: bool, other_than: str = "") -> str:
        """A word of the person's language, another than ``other_than`` when there is one."""
        mine = [w for w in words if w.isascii() == english] or list(words)
        return self.rng.choice([w for w in mine if w != other_than] or mine)

    def thing(self, kind: str) -> dict[str, Any]:
        """What was lost, as the owner and as the finder put it."""
        rng = self.rng
        if kind == "phone":
            brand = rng.choice(list(PHONES))
            zh, latin, models = PHONES[brand]
            colours = rng.choice(PHONE_COLOURS)
            return {
                "category": "phone",
                "brand": brand,
                "model": rng.choice(models),
                "colours": colours,
                "nouns": ("手机", "phone"),
                "detail": "",
                "zh": zh,
                "latin": latin,
            }
        category, groups = THINGS[kind]
        brand = rng.choice(BAG_BRANDS) if kind == "bag" else ("", "")
        return {
            "category": category,
            "nouns": rng.choice(groups),
            "colours": rng.choice(COLOURS),
            "detail": rng.choice(DETAILS[kind]),
            "brand_words": brand,
        }

    def describe(
        self, thing: dict[str, Any], owner: bool, noun: str = "", colour: str = ""
    ) -> tuple[str, str, str]:
        """(description, colour, brand) in one person's words; the finder avoids the owner's."""
        rng = self.rng
        english = rng.random() < (0.15 if owner else 0.1)
        colour = self.word(thing["colours"], english, colour)
        noun = self.word(thing["nouns"], english, noun)
        if thing["category"] == "phone":
            latin = english or rng.random() < (0.3 if owner else 0.6)
            brand = f"{thing['latin'] if latin else thing['zh']} {thing['model']}"
        else:
            brand = thing["brand_words"][1 if english or rng.random() < 0.4 else 0]
        if english:
            return " ".join(w for w in (colour, brand, noun) if w), colour, brand
        lead = rng.choice(LEADS) if owner else ""
        detail = thing["detail"] if rng.random() < 0.7 else ""
        extra = rng.choice(EXTRAS if thing["category"] == "bag" else ("", "", "，有点旧"))
        return f"{lead}{colour}{brand}{detail}{noun}{extra}", colour, brand

    def report(self, thing: dict[str, Any], found_at: datetime, district: str, imei: str = "") -> Row:
        rng, city = self.rng, self.city
        person = city.person(district=district)
        lost_from = city.lost_before(found_at)
        description, colour, brand = self.describe(thing, owner=True)
        contents = [_device_row(imei)] if imei else []
        return {
            "owner": {
                "name": person.report_name,
                "id_number": "",
                "phone": city.typed_phone(person.phone),
                "email": "",
            },
            "category": thing["category"],
            "description": description,
            "colour": colour if rng.random() < 0.6 else "",
            "brand": brand if rng.random() < 0.8 else "",
            "lost_from": lost_from.isoformat(),
            "lost_to": (lost_from + timedelta(hours=rng.choice((1, 2, 3, 6, 12)))).isoformat(),
            "lost_place": rng.choice(city.places[district]),
            "district": "" if rng.random() < 0.1 else district,
            "external_ref": "",
            "consent": True,
            "contents": contents,
            "_words": (description, colour),
        }

    def item(
        self,
        thing: dict[str, Any],
        found_at: datetime,
        district: str,
        owner_words: tuple[str, str],
        imei: str = "",
        as_printed: bool = False,
    ) -> Row:
        from bench.synthetic import DISTRICTS

        rng = self.rng
        description, colour, brand = self.describe(thing, owner=False, colour=owner_words[1])
        return {
            "category": thing["category"],
            "found_at": found_at.isoformat(),
            "station": DISTRICTS[district][0],
            "description": description,
            "colour": colour,
            "brand": brand if rng.random() < 0.7 else "",
            "found_place": rng.choice(self.city.places[district]),
            "district": district,
            "external_ref": "",
            "contents": [_device_row(imei, as_printed)] if imei else [],
        }


def _device_row(imei: str, as_printed: bool = False) -> Row:
    return {"kind": "imei", "device_number": imei, "as_printed": as_printed}


def add_goods(
    city: _City, dataset: Dataset, count: int, seed: int, progress: Callable[[str], None] | None = None
) -> None:
    """Append ``count`` goods items, their owners' reports and decoys (``FG-``/``RG-`` references) and truth."""
    from bench.synthetic import _apportion, _number

    saved, city.rng = city.rng, random.Random(seed * 1_000_003 + 7)
    try:
        goods = _Goods(city, city.rng)
        deck = [case for case, n in _apportion(count, GOODS_CASES).items() for _ in range(n)]
        city.rng.shuffle(deck)
        items, reports, pairs = [], [], []
        for case in deck:
            rng = city.rng
            kind = rng.choice(("bag", "phone")) if case == "goods_unreported" else case
            kind = "phone" if kind.startswith("phone") else kind
            thing = goods.thing(kind)
            found_at = city.found_at()
            district = rng.choice(city.districts)
            imei = (
                goods.imei() if case in IMEI_CASES or (kind == "phone" and case == "goods_unreported") else ""
            )
            report = None
            if case != "goods_unreported":
                stated = imei if imei and rng.random() < REPORT_STATES_IMEI else ""
                report = goods.report(thing, found_at, district, stated)
                reports.append(report)
            printed = goods.misread(imei) if case == "phone_imei_typo" else imei
            words = report["_words"] if report else ("", "")
            item = goods.item(thing, found_at, district, words, printed, as_printed=printed != imei)
            items.append(item)
            pairs.append((item, report, case, bool(report and report["contents"])))
            # A decoy: someone else lost the same kind of thing near then, maybe nearby.
            decoy_thing = goods.thing(kind)
            decoy_thing["category"] = thing["category"]
            if kind == "phone":
                models = PHONES[thing["brand"]][2]
                decoy_thing.update(
                    brand=thing["brand"], zh=thing["zh"], latin=thing["latin"], model=rng.choice(models)
                )
            elif rng.random() < 0.33:
                decoy_thing["colours"] = thing["colours"]
            near = district if rng.random() < 0.5 else rng.choice(city.districts)
            decoy_imei = goods.imei() if kind == "phone" and rng.random() < 0.5 else ""
            reports.append(goods.report(decoy_thing, found_at, near, decoy_imei))
        for report in reports:
            report.pop("_words", None)
        _number(items, "FG", "found_at")
        _number(reports, "RG", "lost_to")
        dataset.items += items
        dataset.reports += reports
        dataset.truth += [
            {
                "item": item["external_ref"],
                "report": report["external_ref"] if report else None,
                "carries_identifier": carries,
                "case": case,
                "set": "goods",
            }
            for item, report, case, carries in pairs
        ]
        if progress:
            progress(f"goods: {len(items)} items, {len(reports)} reports")
    finally:
        city.rng = saved
