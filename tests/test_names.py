"""Names meet across scripts and spellings, and two different names never look the same."""

from __future__ import annotations

import pytest

from lostfound.domain import matching as m
from lostfound.domain import romanisation
from lostfound.domain.names import MAX_READINGS, NameLevel, agreement, normalise_name, readings


def _level(a: str, b: str) -> NameLevel:
    return agreement(normalise_name(a), normalise_name(b))


@pytest.mark.parametrize(
    ("one", "other"),
    [("王𬱖", "王𫖯"), ("𠮷田", "吉田"), ("𠮷田", "田中"), ("李〇", "李一")],
    ids=["extension B", "a character pypinyin cannot read", "unread character kept", "ling"],
)
def test_characters_outside_the_usual_block_are_kept_and_tell_names_apart(one: str, other: str) -> None:
    assert normalise_name(one) == one
    assert _level(one, other) is NameLevel.DIFFERENT
    assert _level(one, one) is NameLevel.EXACT


def test_a_character_nothing_can_read_meets_only_itself() -> None:
    """𠮷 has no reading: 𠮷田 is not 田, and it spells no Latin name."""
    assert _level("𠮷田", "田") is not NameLevel.EXACT
    assert _level("𠮷田", "TIAN") is NameLevel.DIFFERENT
    assert "" not in readings("𠮷") and readings("𠮷田") != readings("田")


def _wallet(name: str) -> m.MatchFacts:
    return m.MatchFacts(
        category="wallet", names=[normalise_name(name)], card_last4=["4321"], district="东城区"
    )


def test_names_with_rare_characters_and_the_same_card_are_never_auto() -> None:
    """王𬱖 and 王𫖯 are two people: the card's last 4 alone does not make one the other's owner."""
    card = {(m.KeyKind.NAME_CARD, m.KeyKind.NAME_CARD), (m.KeyKind.CARD_DISTRICT, m.KeyKind.CARD_DISTRICT)}
    other = m.score(_wallet("王𬱖"), _wallet("王𫖯"), card)
    assert not m.may_be_auto(other.score, [r.as_dict() for r in other.reasons])
    assert other.score < m.REVIEW_SCORE
    same = m.score(_wallet("王𬱖"), _wallet("王𬱖"), card)
    assert m.may_be_auto(same.score, [r.as_dict() for r in same.reasons])


@pytest.mark.parametrize(
    ("written", "typed"),
    [
        ("José Müller", "Jose Muller"),
        ("Nguyễn Văn An", "NGUYEN VAN AN"),
        ("Søren Kierkegaard", "SOREN KIERKEGAARD"),
        ("Łukasz Żółć", "LUKASZ ZOLC"),
        ("Đặng Thị Hoa", "DANG THI HOA"),
        ("Straße", "STRASSE"),
    ],
)
def test_latin_names_meet_without_their_accents(written: str, typed: str) -> None:
    assert normalise_name(written) == normalise_name(typed)
    assert _level(written, typed) is NameLevel.EXACT


def test_a_german_ue_meets_the_umlaut_but_pinyin_yue_stays_apart_from_yu() -> None:
    assert _level("José Müller", "JOSE MUELLER") is NameLevel.HOMOPHONE
    assert _level("ZHANG YUE", "ZHANG YU") is not NameLevel.HOMOPHONE
    assert _level("XUE LI", "XU LI") is not NameLevel.HOMOPHONE


@pytest.mark.parametrize("latin", ["LV WEI", "LYU WEI", "LU WEI", "Lü Wei", "WEI LYU"])
def test_lu_is_spelled_every_way_people_write_it(latin: str) -> None:
    """Passports write ü as YU (LYU), most people as U, pinyin input as V."""
    assert _level("吕伟", latin) is NameLevel.HOMOPHONE
    assert readings("吕伟") & readings(normalise_name(latin))  # and the lookup keys meet


def test_u_umlaut_spellings_do_not_make_chinese_names_alike() -> None:
    assert _level("吕伟", "卢伟") is NameLevel.DIFFERENT
    assert _level("女晓东", "NYU XIAODONG") is NameLevel.HOMOPHONE
    assert _level("略", "LYUE") is _level("略", "LUE") is NameLevel.HOMOPHONE
    assert _level("吕伟", "LIU WEI") is NameLevel.DIFFERENT


@pytest.mark.parametrize(
    ("chinese", "latin"),
    [
        ("单和平", "SHAN HEPING"),
        ("单和平", "DAN HEPING"),
        ("单家和", "SHAN JIAHE"),
        ("尉迟和平", "YUCHI HEPING"),
    ],
)
def test_every_surname_reading_survives_many_readings_of_the_given_name(chinese: str, latin: str) -> None:
    assert _level(chinese, latin) is NameLevel.HOMOPHONE
    keys = readings(chinese)
    assert len(keys) <= MAX_READINGS and keys & readings(normalise_name(latin))


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [("陳大文", "陈大文"), ("黃麗華", "黄丽华"), ("歐陽鋒", "欧阳锋"), ("蕭強", "萧强")],
)
def test_a_name_in_traditional_characters_is_the_same_name_in_simplified(
    traditional: str, simplified: str
) -> None:
    """An ID card from Hong Kong or Taiwan prints 陳大文; the owner's phone types 陈大文."""
    assert normalise_name(traditional) == simplified
    assert _level(traditional, simplified) is NameLevel.EXACT


def test_a_character_is_not_folded_into_one_read_otherwise() -> None:
    """The surname 乾 (qian) is not 干 (gan), though the word 乾燥 is 干燥 in simplified writing."""
    assert normalise_name("乾隆") == "乾隆"
    assert _level("乾隆", "干隆") is not NameLevel.EXACT


def _exact_weight(name: str) -> float:
    return m.name_weight(NameLevel.EXACT, normalise_name(name))


def test_a_common_name_counts_as_common_in_either_script_and_on_a_passport() -> None:
    """陳偉 and a passport's ZHANG WEI are no rarer than 陈伟 and 张伟: agreeing on them tells as
    little. A name that spells no common Chinese name keeps the weight of a foreign name."""
    assert _exact_weight("陳偉") == _exact_weight("陈伟") < _exact_weight("黎晓梅")
    assert _exact_weight("ZHANG WEI") == _exact_weight("Wei Zhang") == _exact_weight("张伟")
    assert _exact_weight("CHANG WEI") <= _exact_weight("张伟")  # Wade–Giles, as in Taiwan
    assert _exact_weight("ZHANG WEI") < _exact_weight("JOHN SMITH") == _exact_weight("LI XIAOMEI")


def test_a_wallet_scores_the_same_whichever_script_its_card_is_in() -> None:
    card = {(m.KeyKind.NAME_CARD, m.KeyKind.NAME_CARD), (m.KeyKind.CARD_DISTRICT, m.KeyKind.CARD_DISTRICT)}
    simplified = m.score(_wallet("陈伟"), _wallet("陈伟"), card)
    assert m.score(_wallet("陳偉"), _wallet("陈伟"), card) == simplified
    assert m.score(_wallet("陳偉"), _wallet("陳偉"), card) == simplified


@pytest.mark.parametrize(
    ("chinese", "latin"),
    [
        # Taiwan's passports: Wade–Giles without its apostrophes.
        ("张晓梅", "CHANG HSIAO-MEI"),
        ("许志明", "HSU CHIH-MING"),
        ("蔡英文", "TSAI YING-WEN"),
        ("郭国荣", "KUO KUO-JUNG"),
        ("谢雪红", "HSIEH HSUEH-HUNG"),
        # Hong Kong's identity cards and Home Return Permits: Cantonese.
        ("陈大文", "CHAN TAI MAN"),
        ("陳大文", "Chan Tai-man"),
        ("黄家明", "WONG KA MING"),
        ("张国荣", "CHEUNG KWOK WING"),
        ("李嘉欣", "LEE KA YAN"),
        ("吴镇宇", "NG CHUN YU"),
        ("余思琪", "YU SZE KEI"),
    ],
)
def test_a_taiwan_or_hong_kong_spelling_is_told_apart_from_a_different_name(chinese: str, latin: str) -> None:
    """The owner reports in characters; the document in the wallet spells the name otherwise."""
    assert _level(chinese, latin) is NameLevel.SPELLED


def test_wade_giles_does_not_make_other_names_alike() -> None:
    assert _level("张晓梅", "WANG HSIAO-MEI") is NameLevel.DIFFERENT
    assert _level("许志明", "HSU CHIH-HUA") is NameLevel.DIFFERENT
    assert _level("郭国荣", "KUO KUO") is NameLevel.DIFFERENT


@pytest.mark.parametrize(
    ("pinyin", "wade_giles"),
    [("zhang", "chang"), ("xiao", "hsiao"), ("cai", "tsai"), ("guo", "kuo"), ("gui", "kuei"), ("duo", "to"),
     ("ke", "ko"), ("rong", "jung"), ("xiong", "hsiung"), ("xue", "hsueh"), ("lv", "lu"), ("zi", "tzu"),
     ("si", "ssu"), ("zhi", "chih"), ("jian", "chien"), ("yan", "yen"), ("er", "erh"), ("wang", "wang")],
)  # fmt: skip
def test_wade_giles_spellings(pinyin: str, wade_giles: str) -> None:
    assert romanisation.wade_giles(pinyin) == wade_giles


def test_cantonese_spellings_do_not_make_other_names_alike() -> None:
    assert _level("陈大文", "WONG TAI MAN") is NameLevel.DIFFERENT
    assert _level("陈大文", "CHAN SIU MING") is NameLevel.DIFFERENT
    assert _level("陈大文", "CHAN TAI") is NameLevel.DIFFERENT


@pytest.mark.parametrize(
    ("jyutping", "spelling"),
    [("daai6", "tai"), ("zoeng1", "cheung"), ("jyun4", "yuen"), ("jyu4", "yu"), ("si1", "sze"), ("zi2", "tsz"),
     ("ng5", "ng"), ("gwok3", "kwok"), ("lei5", "lee"), ("loeng4", "leung"), ("heoi2", "hui"), ("jip6", "yip")],
)  # fmt: skip
def test_hong_kong_spellings_of_jyutping(jyutping: str, spelling: str) -> None:
    assert spelling in romanisation.hong_kong_spellings(jyutping)


def test_a_hong_kong_name_of_a_common_surname_counts_as_common() -> None:
    assert _exact_weight("WONG WAI") <= _exact_weight("黄伟")
    assert _exact_weight("CHAN WAI") < _exact_weight("JOHN SMITH")  # 陈伟 in Hong Kong


def test_a_name_mainland_pinyin_spells_keeps_its_own_level() -> None:
    """Pinyin read as pinyin first: CHEN SHUI-BIAN is 陈水扁 as any mainland passport spells him."""
    assert _level("陈水扁", "CHEN SHUI-BIAN") is NameLevel.HOMOPHONE
    assert _level("张伟", "ZHANG WEI") is NameLevel.HOMOPHONE


def _phone_alone_decides(latin: str, chinese: str) -> bool:
    level = _level(latin, chinese)
    reasons = [
        {"field": "phone", "level": "exact", "weight": 12.0},
        {"field": "name", "level": str(level), "weight": m.name_weight(level, normalise_name(chinese))},
        {"field": "category", "level": "exact", "weight": 0.5},
    ]
    return m.auto_eligible(reasons)


@pytest.mark.parametrize(
    ("latin", "chinese"),
    [
        ("WU LI", "胡丽"),  # 胡 is WU in Hong Kong
        ("LI TING", "丁丽"),  # 丁 is TING in Wade–Giles
        ("CHENG WEI", "郑伟"),
        ("LI LEI", "李丽"),  # 丽 is LAI or LEI in Cantonese
        ("WANG PENG", "王平"),
        ("LI CHAO", "李昭"),
        ("WANG KANG", "王刚"),
        ("CHUN TAI MAN", "陈大文"),
        ("WONG TAI MAN", "陈大文"),
    ],
)
def test_a_phone_never_hands_a_wallet_to_a_name_only_another_romanisation_spells(
    latin: str, chinese: str
) -> None:
    """A mainland passport's LI TING is 李婷, not 丁丽, though Wade–Giles spells 丁丽 so: a name that
    agrees only as Taiwan or Hong Kong spell it leaves the decision to the officer, as different
    names do, and the owner's own document number still decides."""
    assert not _phone_alone_decides(latin, chinese)
    assert _phone_alone_decides("ZHANG WEI", "张伟")
