"""Reading documents: numbers settled by their check characters, never a wrong value filled in."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from lostfound.domain import identifiers as ids
from lostfound.domain.documents import (
    DocumentKind,
    Line,
    capital_amount,
    read_document,
    settle_amount,
    settle_card_number,
    settle_id_number,
)

TODAY = date(2026, 12, 4)
NUMBER = "330784199003141232"  # made up; check character valid
BIRTH = date(1990, 3, 14)


def valid_id(rng: random.Random) -> str:
    birth = date(1950, 1, 1).toordinal() + rng.randrange(365 * 55)
    first17 = rng.choice(["330784", "110101", "440305", "510104"]) + date.fromordinal(birth).strftime(
        "%Y%m%d"
    )
    first17 += f"{rng.randrange(1000):03d}"
    return first17 + ids.id_check_digit(first17)


def luhn_card(rng: random.Random, length: int = 19) -> str:
    body = "622202" + "".join(str(rng.randrange(10)) for _ in range(length - 7))
    return next(body + d for d in "0123456789" if ids.luhn_valid(body + d))


def line(text: str, y: float, confidence: float = 0.99, x: float = 60.0) -> Line:
    return Line(text, confidence, (x, y, x + 20 * len(text), y + 30))


def test_a_clean_reading_is_taken_as_read() -> None:
    reading = settle_id_number(NUMBER, 0.99, TODAY, BIRTH, "M")
    assert (reading.value, reading.uncertain, reading.repaired) == (NUMBER, False, False)


@pytest.mark.parametrize(
    ("read", "why"),
    [
        ("33O784I99OO3I4I232".replace("I", "1"), "O for 0"),
        ("33078419900314123Z", "Z for 2"),
        ("33O7B4199OO314123Z", "B for 8, O for 0, Z for 2"),
        ("3307 8419 9003 1412 32", "spaces"),
        ("３３０７８４１９９００３１４１２３２", "full-width digits"),
    ],
)
def test_letters_read_for_digits_are_put_right(read: str, why: str) -> None:
    reading = settle_id_number(read, 0.95, TODAY, BIRTH, "M")
    assert reading.value == NUMBER, why
    assert not reading.uncertain


def test_the_check_character_x_misread_as_k_is_put_right() -> None:
    first17 = next(
        f"110101198512030{seq:02d}"
        for seq in range(100)
        if ids.id_check_digit(f"110101198512030{seq:02d}") == "X"
    )
    number = first17 + "X"
    reading = settle_id_number(first17 + "K", 0.95, TODAY)
    assert (reading.value, reading.repaired) == (number, True)


def test_one_and_seven_confused_are_settled_by_the_check_digit_or_left_uncertain() -> None:
    """Every single 1/7 confusion: the right number, or uncertain with the right one offered; never wrong."""
    rng = random.Random(7)
    settled = tried = 0
    for _ in range(400):
        truth = valid_id(rng)
        spots = [i for i, c in enumerate(truth[:17]) if c in "17"]
        if not spots:
            continue
        i = rng.choice(spots)
        read = truth[:i] + ("7" if truth[i] == "1" else "1") + truth[i + 1 :]
        reading = settle_id_number(read, 0.97, TODAY, ids.birth_date_of(truth), ids.sex_of(truth))
        tried += 1
        if reading.uncertain:
            assert reading.value == "" and truth in reading.alternatives
        else:
            assert reading.value == truth and reading.repaired
            settled += 1
    assert tried > 300
    assert settled / tried > 0.5  # the printed birth date and sex settle most of them


def test_two_confusions_are_never_filled_in_wrong() -> None:
    rng = random.Random(11)
    checked = 0
    for _ in range(300):
        truth = valid_id(rng)
        spots = [i for i, c in enumerate(truth[:17]) if c in "17"]
        if len(spots) < 2:
            continue
        read = list(truth)
        for i in rng.sample(spots, 2):
            read[i] = "7" if truth[i] == "1" else "1"
        if ids.check_id_number("".join(read), TODAY) is None:
            continue  # two misreads that happen to check: no check character can tell (about 1 in 11)
        reading = settle_id_number("".join(read), 0.97, TODAY)
        assert reading.uncertain or reading.value == truth
        checked += 1
    assert checked > 150


def test_a_number_too_short_to_settle_is_shown_as_read_and_uncertain() -> None:
    reading = settle_id_number("3307841990031412", 0.99, TODAY)
    assert reading.uncertain and reading.value == ""
    assert reading.alternatives == ("3307841990031412",)


def test_a_printed_birth_date_that_disagrees_makes_the_number_uncertain() -> None:
    reading = settle_id_number(NUMBER, 0.99, TODAY, date(1991, 3, 14), "M")
    assert reading.uncertain and reading.value == ""
    assert NUMBER in reading.alternatives


def test_an_id_card_is_read_field_by_field() -> None:
    lines = [
        line("姓名", 60, x=60), line("黎晓梅", 58, x=150),
        line("性别女 民族汉", 120),
        line("出生1990年3月14日", 180),
        line("住址浙江省永康市芝英镇", 240),
        line("公民身份号码", 420, x=60), line("33078419900314124X", 418, x=260),
    ]  # fmt: skip
    truth = "33078419900314124" + ids.id_check_digit("33078419900314124")
    lines[-1] = line(truth, 418, x=260)
    reading = read_document(lines, TODAY)
    assert reading.kind is DocumentKind.ID_CARD
    values = {name: f.value for name, f in reading.fields.items()}
    assert values == {"holder_name": "黎晓梅", "id_number": truth, "birth_date": "1990-03-14", "sex": "F"}


def test_a_name_read_with_a_traditional_look_alike_is_left_to_the_officer() -> None:
    lines = [line("姓名會晓明", 60), line("公民身份号码" + NUMBER, 420), line("出生1990年3月14日", 180)]
    reading = read_document(lines, TODAY)
    name = reading.fields["holder_name"]
    assert name.uncertain and name.value == "" and name.alternatives == ("會晓明",)
    assert reading.fields["id_number"].value == NUMBER


def test_low_confidence_text_is_never_filled_in() -> None:
    lines = [line("姓名黎晓梅", 60, confidence=0.6), line("公民身份号码" + NUMBER, 420), line("民族汉", 120)]
    name = read_document(lines, TODAY).fields["holder_name"]
    assert name.uncertain and name.value == ""


def test_bank_card_numbers_are_settled_by_luhn() -> None:
    rng = random.Random(3)
    card = luhn_card(rng)
    number, last4 = settle_card_number(
        " ".join([card[:4], card[4:8], card[8:12], card[12:16], card[16:]]), 0.98
    )
    assert (number.value, last4.value) == (card, card[-4:])
    misread = card.replace("8", "B").replace("0", "O")
    number, last4 = settle_card_number(misread, 0.98)
    assert number.value == card and (number.repaired or misread == card)
    for _ in range(200):
        card = luhn_card(rng, rng.choice([16, 19]))
        spots = [i for i, c in enumerate(card) if c in "17"]
        if not spots:
            continue
        i = rng.choice(spots)
        read = card[:i] + ("7" if card[i] == "1" else "1") + card[i + 1 :]
        number, _ = settle_card_number(read, 0.98)
        assert number.value in ("", card)
        assert number.value or card in number.alternatives


def test_a_bank_card_is_recognised_with_its_bank() -> None:
    card = luhn_card(random.Random(5), 16)
    grouped = " ".join(card[i : i + 4] for i in range(0, 16, 4))
    reading = read_document(
        [line("中国农业银行", 40), line("借记卡", 80), line(grouped, 300), line("LI XIAOMEI", 400)], TODAY
    )
    assert reading.kind is DocumentKind.BANK_CARD
    values = {name: f.value for name, f in reading.fields.items()}
    assert values == {
        "card_number": card,
        "card_last4": card[-4:],
        "bank": "中国农业银行",
        "holder_name": "LI XIAOMEI",
    }


@pytest.mark.parametrize(
    ("words", "amount"),
    [
        ("壹拾万元整", "100000"),
        ("人民币（大写）叁佰伍拾元伍角", "350.5"),
        ("壹万零伍佰元整", "10500"),
        ("贰亿叁仟万元整", "230000000"),
        ("玖仟玖佰玖拾玖元玖角玖分", "9999.99"),
        ("拾元整", "10"),
    ],
)
def test_amounts_in_capitals(words: str, amount: str) -> None:
    assert capital_amount(words) == Decimal(amount)


def test_a_deposit_slip_amount_is_settled_when_figures_and_capitals_agree() -> None:
    lines = [
        line("中国农业银行个人业务回单", 30), line("户名：黎晓梅", 90), line("账号：6228****1234", 130),
        line("金额：¥100,000.00", 170), line("大写：壹拾万元整", 210),
    ]  # fmt: skip
    reading = read_document(lines, TODAY)
    assert reading.kind is DocumentKind.DEPOSIT_SLIP
    values = {name: f.value for name, f in reading.fields.items()}
    assert values == {"holder_name": "黎晓梅", "bank": "中国农业银行", "amount": "100000.00"}
    disagree = settle_amount((Decimal("100000"), 0.99), (Decimal("10000"), 0.99))
    assert disagree.uncertain and set(disagree.alternatives) == {"100000.00", "10000.00"}


def test_a_page_that_is_no_known_document_fills_nothing() -> None:
    reading = read_document([line("超市购物小票", 40), line("合计 36.50", 90)], TODAY)
    assert reading.kind is DocumentKind.UNKNOWN and reading.fields == {}


def test_a_card_number_read_group_by_group_is_joined_and_card_words_are_no_holder() -> None:
    card = luhn_card(random.Random(9), 19)
    groups = [card[:4], card[4:8], card[8:12], card[12:]]
    lines = [line("中国建设银行", 40), line("VALID THRU", 380), line("09/29", 380, x=300)]
    lines += [line(group, 300 + i % 2, x=60 + 150 * i) for i, group in enumerate(groups)]
    reading = read_document(lines, TODAY)
    assert reading.kind is DocumentKind.BANK_CARD
    assert reading.fields["card_number"].value == card and reading.fields["card_last4"].value == card[-4:]
    assert "holder_name" not in reading.fields


def test_a_label_beside_the_name_is_not_taken_for_it() -> None:
    lines = [line("姓名", 60, x=60), line("民族汉", 62, x=150), line("公民身份号码" + NUMBER, 420)]
    assert "holder_name" not in read_document(lines, TODAY).fields


def test_a_digit_read_twice_where_two_boxes_overlap_is_counted_once() -> None:
    card = "6228236805093088"
    assert ids.luhn_valid(card)
    lines = [
        line("中国农业银行", 40), line("借记卡", 80),
        Line("62282", 0.99, (72, 322, 256, 372)), Line("23680509", 0.99, (231, 324, 536, 370)),
        Line("3088", 0.99, (566, 321, 702, 371)),
    ]  # fmt: skip
    assert read_document(lines, TODAY).fields["card_number"].value == card
