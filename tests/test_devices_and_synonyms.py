"""IMEI and serial numbers (checks, repair, masks) and the synonym tables that describe things."""

from __future__ import annotations

import pytest

from lostfound.domain import devices, synonyms
from lostfound.domain.identifiers import luhn_valid, sensitive_number_in_text

IMEI = "490154203237518"  # the textbook example; Luhn-valid


def _misread(number: str, at: int) -> str:
    wrong = number[:at] + str((int(number[at]) + 3) % 10) + number[at + 1 :]
    assert not luhn_valid(wrong)
    return wrong


def test_imei_checks_and_masks() -> None:
    assert devices.imei_problem(IMEI) is None and devices.imei_valid("49-015420-323751-8")
    assert devices.normalise_imei("４９０１５４ ２０３２３７５１８") == IMEI
    assert devices.imei_problem(_misread(IMEI, 4)) is not None and devices.imei_shape_ok(_misread(IMEI, 4))
    assert devices.imei_problem("12345") is not None and not devices.imei_shape_ok("49015420323751X")
    assert devices.mask_imei(IMEI) == "49*********7518" and IMEI not in devices.mask_imei(IMEI)


@pytest.mark.parametrize("at", range(15))
def test_a_one_digit_imei_typo_is_repaired_to_the_true_number(at: int) -> None:
    neighbours = devices.imei_one_edit_neighbours(_misread(IMEI, at))
    assert IMEI in neighbours and all(luhn_valid(n) and len(n) == 15 for n in neighbours)
    assert len(neighbours) <= 29


def test_an_imei_transposition_is_repaired_and_a_valid_number_has_no_neighbours() -> None:
    swapped = IMEI[:3] + IMEI[4] + IMEI[3] + IMEI[5:]  # 0 and 1 swapped
    assert not luhn_valid(swapped) and IMEI in devices.imei_one_edit_neighbours(swapped)
    assert devices.imei_one_edit_neighbours(IMEI) == [] and devices.imei_one_edit_neighbours("123") == []


def test_serial_numbers_fold_o_and_i() -> None:
    assert devices.normalise_serial(" f2lx-9abc 7hj ") == "F2LX9ABC7HJ"
    assert devices.serial_key("F2LXO9ABI") == devices.serial_key("f2lx0-9ab1")
    assert devices.serial_problem("AB1") is not None and devices.serial_problem("C02XK1ABJG5H") is None
    assert devices.mask_serial("F2LX9ABC7HJ") == "F2******7HJ"


def test_an_imei_in_free_text_is_caught() -> None:
    # A Luhn-valid run of 12 to 19 digits is refused in free text; 15 digits failing Luhn are
    # allowed there (old reference numbers look like that).
    assert sensitive_number_in_text(f"黑色手机 串号{IMEI}")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("双肩包", "背包"),
        ("backpack", "双肩包"),
        ("雨伞", "伞"),
        ("umbrella", "折叠伞"),
        ("钥匙", "一串钥匙"),
        ("keys", "钥匙串"),
        ("皮夹", "钱包"),
    ],
)
def test_words_for_one_thing_meet(a: str, b: str) -> None:
    first, second = synonyms.describe("", a, "", ""), synonyms.describe("", b, "", "")
    assert first.things == second.things and first.group == second.group
    assert synonyms.similarity(first.features, second.features) == 1.0


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("黑色", "black", "exact"),
        ("黑", "黑色", "exact"),
        ("深色", "黑色", "similar"),
        ("深色", "藏青色", "similar"),
        ("dark grey", "深色", "similar"),
        ("蓝色", "深蓝色", "similar"),
        ("咖啡色", "棕色", "exact"),
        ("红色", "黑色", "different"),
        ("白色", "深色", "different"),
        ("", "黑色", "missing"),
    ],
)
def test_colours(a: str, b: str, level: str) -> None:
    first, second = synonyms.describe("bag", "", a, ""), synonyms.describe("bag", "", b, "")
    assert synonyms.colour_agreement(first, second) == level


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("华为", "HUAWEI", "exact"),
        ("苹果", "iPhone 15 Pro", "exact"),
        ("三星", "Samsung Galaxy S23", "exact"),
        ("荣耀", "honor", "exact"),
        ("红米", "小米", "related"),
        ("OPPO", "vivo", "different"),
        ("Xiaomi", "mini", "missing"),  # "mi" only as a whole word
    ],
)
def test_brands(a: str, b: str, level: str) -> None:
    first, second = synonyms.describe("phone", "", "", a), synonyms.describe("phone", "", "", b)
    assert synonyms.brand_agreement(first.brand, second.brand) == level


def test_models_are_read_after_the_brand() -> None:
    mate = synonyms.describe("phone", "黑色华为Mate 60 Pro手机", "", "")
    assert (mate.brand, mate.model, mate.colours) == ("huawei", "mate60pro", ("black",))
    assert synonyms.describe("phone", "", "", "iPhone 15 Pro").model == "15pro"
    assert synonyms.describe("phone", "苹果15 pro", "", "").model == "15pro"
    shorter = synonyms.describe("phone", "", "", "华为 Mate60")
    other = synonyms.describe("phone", "", "", "华为 P40")
    assert synonyms.model_agreement(mate, shorter) == "missing"  # Pro left out: not a disagreement
    assert synonyms.model_agreement(mate, other) == "different"


def test_a_described_umbrella_filed_under_other_has_its_own_group() -> None:
    assert synonyms.describe("other", "一把黑色折叠伞", "", "").group == "umbrella"
    assert synonyms.describe("bag", "黑色背包，里面有钱包", "", "").group == "bag"
    assert synonyms.describe("clothing", "外套", "", "").group == "clothing"


def test_descriptions_by_finder_and_owner() -> None:
    found = synonyms.describe("bag", "黑色背包", "", "")
    lost = synonyms.describe("bag", "深色双肩包", "", "")
    assert synonyms.similarity(found.features, lost.features) == 1.0
    assert synonyms.colour_agreement(found, lost) == "similar"
    assert synonyms.thing_agreement(found, lost) == "exact"
    unlike = synonyms.describe("bag", "红色手提包 里面有化妆品", "", "")
    assert synonyms.thing_agreement(found, unlike) == "different"
    assert synonyms.thing_agreement(found, synonyms.describe("bag", "包", "", "")) == "missing"
    assert synonyms.similarity(found.features, unlike.features) < 0.3
    latin = synonyms.describe("bag", "Black North Face backpack", "", "")
    assert (
        synonyms.similarity(latin.features, synonyms.describe("bag", "north face 双肩包", "", "").features)
        == 1.0
    )
