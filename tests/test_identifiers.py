"""Resident ID, bank card, phone and money parsing: what an officer types and what gets stored."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from lostfound.domain.identifiers import (
    amount_problem,
    birth_date_of,
    card_last4,
    check_card_number,
    check_id_number,
    check_last4,
    id_check_digit,
    id_check_ok,
    id_one_edit_neighbours,
    is_masked,
    luhn_valid,
    mask_card,
    mask_id,
    mask_phone,
    normalise_card_number,
    normalise_id_number,
    normalise_passport,
    normalise_phone,
    parse_amount,
    phone_problem,
    sex_of,
)

TODAY = date(2025, 3, 28)
# Worked by hand: the GB 11643 example and two made-up numbers (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2,
# sum mod 11 looked up in "10X98765432").
KNOWN_GOOD = ["11010519491231002X", "330784199003070016", "330784198511204522"]


def reference_check_char(first17: str) -> str:
    """MOD 11-2 from its definition: weights 2^(17-i) mod 11, check c with (sum + c) ≡ 1 (mod 11)."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def reference_luhn(digits: str) -> bool:
    doubled = [int(d) * (2 if i % 2 else 1) for i, d in enumerate(reversed(digits))]
    return sum(v // 10 + v % 10 for v in doubled) % 10 == 0


def random_valid_id(rng: random.Random) -> str:
    region = f"{rng.randint(1, 8)}{rng.randint(0, 99999):05d}"
    born = date(1900, 1, 1) + timedelta(days=rng.randint(0, (TODAY - date(1900, 1, 1)).days))
    first17 = f"{region}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return first17 + reference_check_char(first17)


# --- ID numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize("number", KNOWN_GOOD)
def test_known_good_numbers_pass(number: str) -> None:
    assert check_id_number(number, TODAY) is None
    assert id_check_ok(number) and not is_masked(number)
    assert id_check_digit(number[:17]) == number[17] == reference_check_char(number[:17])


def test_check_digit_agrees_with_the_definition_on_many_numbers() -> None:
    rng = random.Random(11643)
    for _ in range(2000):
        number = random_valid_id(rng)
        assert id_check_digit(number[:17]) == number[17]
        assert check_id_number(number, TODAY) is None
        wrong = next(c for c in "0123456789X" if c != number[17])
        problem = check_id_number(number[:17] + wrong, TODAY)
        assert problem is not None and problem.code == "check_digit" and problem.confirmable


def test_id_check_digit_refuses_anything_but_17_digits() -> None:
    for bad in ("1101051949123100", "110105194912310021", "11010519491231O02", "١١٠١٠٥١٩٤٩١٢٣١٠٠٢"):
        with pytest.raises(ValueError):
            id_check_digit(bad)


def test_spelling_variants_normalise_to_the_same_number() -> None:
    for raw in (
        "11010519491231002x",
        " 110105 19491231 002X ",
        "110105-19491231-002x",
        "１１０１０５１９４９１２３１００２ｘ",
        "１１０１０５　１９４９１２３１　００２Ｘ",
    ):
        assert normalise_id_number(raw) == "11010519491231002X"
        assert check_id_number(raw, TODAY) is None
    assert normalise_id_number("３３０７８４＊＊＊＊＊＊＊＊１２３４") == "330784********1234"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "11010519491231002",
        "1101051949123100211",
        "11010519491231002Y",
        "1101051949123X0021",
        "110105490101002",
        "11O10519491231002X",
        "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",
    ],
)
def test_malformed_numbers_are_a_format_problem(raw: str) -> None:
    problem = check_id_number(raw, TODAY)
    assert problem is not None and problem.code == "format" and not problem.confirmable
    assert "18 characters" in problem.message


def test_a_number_starting_with_0_is_refused() -> None:
    first17 = "01010519491231002"
    problem = check_id_number(first17 + reference_check_char(first17), TODAY)
    assert problem is not None and problem.code == "region"


def test_a_foreign_permanent_resident_id_card_number_is_checked_like_a_citizens() -> None:
    """Since December 2023: a 9, the province that issued it, the nationality, the birth date, a
    sequence and the same check character as a resident ID."""
    first17 = "93384019880512123"
    assert check_id_number(first17 + reference_check_char(first17), TODAY) is None
    wrong = first17 + ("0" if reference_check_char(first17) != "0" else "1")
    problem = check_id_number(wrong, TODAY)
    assert problem is not None and problem.code == "check_digit"
    impossible = "93384019881332123"  # month 13, day 32
    problem = check_id_number(impossible + reference_check_char(impossible), TODAY)
    assert problem is not None and problem.code == "birth_date" and not problem.confirmable


@pytest.mark.parametrize(
    ("birth", "shown", "words"),
    [
        ("19490231", "1949-02-31", "does not exist"),
        ("19491301", "1949-13-01", "does not exist"),
        ("20010229", "2001-02-29", "does not exist"),
        ("00000000", "0000-00-00", "does not exist"),
        ("18991231", "1899-12-31", "before 1900"),
        ("20250329", "2025-03-29", "in the future"),
    ],
)
def test_birth_date_must_be_real_and_past(birth: str, shown: str, words: str) -> None:
    first17 = f"110105{birth}002"
    problem = check_id_number(first17 + reference_check_char(first17), TODAY)
    assert problem is not None and problem.code == "birth_date" and not problem.confirmable
    assert words in problem.message and problem.params == {"date": shown}
    assert problem.message % problem.params == problem.message.replace("%(date)s", shown)


def test_birth_date_and_sex_are_read_from_the_number() -> None:
    assert birth_date_of("11010519491231002X") == date(1949, 12, 31)
    assert sex_of("11010519491231002X") == "F"
    assert sex_of("330784199003070016") == "M"
    assert birth_date_of("20000229") is None
    first17 = "11010820000229771"
    assert birth_date_of(first17 + reference_check_char(first17)) == date(2000, 2, 29)
    assert birth_date_of("110105194902310021") is None
    assert birth_date_of("110105****1231002X") is None and sex_of("11010519491231002*") == "F"
    assert sex_of("1101051949123100**") is None and sex_of("123") is None
    assert check_id_number("440524188001010014", TODAY).code == "birth_date"  # GB 11643's own 1880 example


@pytest.mark.parametrize(
    ("misread", "real", "shown"),
    [
        ("440305198021014567", "440305198001014567", "1980-21-01"),  # 0 read as 2: month 21
        ("440305198802304565", "440305198803204565", "1988-02-30"),  # 03 20 read as 02 30
        ("330784189003070016", "330784199003070016", "1890-03-07"),  # 9 read as 8: before 1900
        ("110105202903280015", "110105200903280015", "2029-03-28"),  # 0 read as 2: in the future
    ],
)
def test_an_impossible_birth_date_that_also_fails_the_check_may_be_kept_as_printed(
    misread: str, real: str, shown: str
) -> None:
    """One misread digit in the date breaks the check character too: that is a misreading to keep
    as printed and repair, not a record to refuse."""
    assert check_id_number(real, TODAY) is None
    assert not id_check_ok(misread)
    problem = check_id_number(misread, TODAY)
    assert problem is not None and problem.code == "birth_date_check_digit" and problem.confirmable
    assert problem.params == {"date": shown}
    text = problem.message % problem.params
    assert shown in text and "birth date" in text and "last character does not match" in text
    assert "as printed" in text
    assert real in id_one_edit_neighbours(misread, today=TODAY)


def test_an_impossible_birth_date_with_a_passing_check_is_still_refused() -> None:
    for first17 in ("44030519802101456", "44030519880230456", "33078418900307001", "11010520290328001"):
        problem = check_id_number(first17 + reference_check_char(first17), TODAY)
        assert problem is not None and problem.code == "birth_date" and not problem.confirmable


@pytest.mark.parametrize(
    "number",
    [
        "330784********1234",
        "33078419900307****",
        "330784199003070***",
        "******19900307001*",
        "330784199*0*0*0016",
        "33078419900307001*",
        "330784**********16",
        "*3*784****1*******",
    ],
)
def test_well_formed_masked_numbers_pass_without_a_check_digit(number: str) -> None:
    assert is_masked(number)
    assert check_id_number(number, TODAY) is None
    assert not id_check_ok(number) and id_one_edit_neighbours(number) == []


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("330784********123", "format"),
        ("330784********12345", "format"),
        ("330784****A***1234", "format"),
        ("330784********1X34", "format"),
        ("******************", "masked"),
        ("030784********1234", "region"),
        ("330784****13**1234", "birth_date"),
        ("330784****0230*234", "birth_date"),
        ("3307842099****1234", "birth_date"),
        ("33078418******1234", "birth_date"),
        ("330784****3*4*1234", "birth_date"),
    ],
)
def test_masked_numbers_are_checked_where_readable(number: str, code: str) -> None:
    problem = check_id_number(number, TODAY)
    assert problem is not None and problem.code == code and not problem.confirmable


def test_a_masked_number_with_an_impossible_date_is_refused_whatever_its_last_character() -> None:
    for number in ("440305****2101456*", "4403051980210*4567", "440305198021014*67"):
        problem = check_id_number(number, TODAY)
        assert problem is not None and problem.code == "birth_date" and not problem.confirmable


def test_masked_birth_date_is_plausible_up_to_today() -> None:
    assert check_id_number("3307842025032*1234", TODAY) is None  # 2025-03-20 … 2025-03-28 are past
    assert check_id_number("3307842025033*1234", TODAY).code == "birth_date"
    assert check_id_number("330784****0229*234", TODAY) is None  # some leap year fits


def test_mask_id_shows_first_6_and_last_4_only() -> None:
    assert mask_id("330784199003070016") == "330784********0016"
    assert mask_id("110105 19491231 002x") == "110105********002X"
    assert mask_id("33**84199003071**4") == "33**84********1**4"
    assert mask_id("330784********1234") == "330784********1234"
    assert mask_id("12345") == "********"


def test_neighbours_of_a_substitution_typo_include_the_original() -> None:
    rng = random.Random(7064)
    for _ in range(300):
        valid = random_valid_id(rng)
        position = rng.randrange(18)
        choices = "0123456789X" if position == 17 else "0123456789"
        typo = (
            valid[:position]
            + rng.choice([c for c in choices if c != valid[position]])
            + valid[position + 1 :]
        )
        assert not id_check_ok(typo)
        neighbours = id_one_edit_neighbours(typo, today=TODAY)
        assert valid in neighbours
        assert neighbours == sorted(set(neighbours))
        for candidate in neighbours:
            assert candidate[17] == reference_check_char(candidate[:17])
            assert check_id_number(candidate, TODAY) is None
            differences = sum(a != b for a, b in zip(candidate, typo, strict=True))
            assert differences in (1, 2)


def test_neighbours_repair_an_adjacent_transposition() -> None:
    valid = "330784199003070016"
    swapped = "330784199030070016"  # month 03 typed as 30
    problem = check_id_number(swapped, TODAY)
    assert problem.code == "birth_date_check_digit" and problem.confirmable
    assert valid in id_one_edit_neighbours(swapped)
    rng = random.Random(1)
    repaired = 0
    for _ in range(300):
        good = random_valid_id(rng)
        index = rng.randrange(17)
        if good[index] == good[index + 1] or (index == 16 and good[17] == "X"):
            continue
        bad = good[:index] + good[index + 1] + good[index] + good[index + 2 :]
        assert not id_check_ok(bad)
        assert good in id_one_edit_neighbours(bad, today=TODAY)
        repaired += 1
    assert repaired > 200


def test_a_valid_or_malformed_number_has_no_neighbours() -> None:
    assert id_one_edit_neighbours("11010519491231002X") == []
    assert id_one_edit_neighbours("1101051949123100") == []
    assert id_one_edit_neighbours("") == []


def test_neighbours_leave_out_impossible_birth_dates_and_future_ones() -> None:
    typo = "110105194912310021"  # check should be X
    neighbours = id_one_edit_neighbours(typo, today=TODAY)
    assert "11010519491231002X" in neighbours
    assert all(birth_date_of(n) is not None and birth_date_of(n) <= TODAY for n in neighbours)
    assert all(n[0] in "12345678" for n in neighbours)
    assert "11010519491231002X" in id_one_edit_neighbours(typo, today=date(1949, 12, 31))
    assert "11010519491231002X" not in id_one_edit_neighbours(typo, today=date(1949, 12, 30))
    assert "11010519491231002X" in id_one_edit_neighbours(typo)  # no today: the future is not ruled out


# --- Bank cards ----------------------------------------------------------------------------


def test_luhn() -> None:
    assert luhn_valid("4111111111111111") and luhn_valid("79927398713")
    assert not luhn_valid("4111111111111112") and not luhn_valid("79927398710")
    assert not luhn_valid("") and not luhn_valid("4111 1111 1111 1111") and not luhn_valid("٤١١١")
    rng = random.Random(10)
    for _ in range(500):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(12, 19)))
        assert luhn_valid(digits) == reference_luhn(digits)


def test_card_numbers() -> None:
    assert normalise_card_number("４１１１ １１１１-１１１１　１１１１") == "4111111111111111"
    assert check_card_number("4111 1111 1111 1111") is None
    assert check_card_number("6222021234567890128") is None  # 19 digits, Luhn-valid
    assert "Re-read" in check_card_number("4111 1111 1111 1112")
    for bad in ("41111111111", "41111111111111111111", "4111 1111 1111 111O", "", "6222 **** **** 1234"):
        assert check_card_number(bad) == "A bank card number has 12 to 19 digits."


def test_card_last4_and_masks() -> None:
    assert card_last4("6222 0212 3456 7890 128") == "0128"
    assert card_last4("12a4") is None and card_last4("123") is None
    assert check_last4("1234") is None and check_last4(" １２３４ ") is None
    for bad in ("123", "12345", "12a4", ""):
        assert check_last4(bad) == "Type the last 4 digits of the card."
    assert mask_card("6222021234561234") == "6222 **** **** 1234"
    assert mask_card("6222 0212 3456 7890 128") == "6222 **** **** 0128"
    assert mask_card("1234") == "**** **** **** 1234"
    assert mask_card("garbage") == "**** **** **** ****"


# --- Phones --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("0086-13812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("１３８ １２３４ ５６７８", "13812345678"),
        ("＋８６　１３８－１２３４－５６７８", "13812345678"),
        ("199 0000 0000", "19900000000"),
        ("0579-8660 1110", "057986601110"),
        ("(0579)86601110", "057986601110"),
        ("（０５７９）８６６０１１１０", "057986601110"),
        ("057986601110", "057986601110"),
        ("+86 579 8660 1110", "057986601110"),
        ("0086 (0579) 8660-1110", "057986601110"),
        ("010-6552 1234", "01065521234"),
        ("021 5432 1098", "02154321098"),
        ("0571-8765432", "05718765432"),
        ("8660 1110", "86601110"),
        ("866-0111", "8660111"),
    ],
)
def test_phone_spellings(raw: str, canonical: str) -> None:
    assert normalise_phone(raw) == canonical
    assert phone_problem(raw) is None


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "110",
        "95588",
        "12812345678",
        "1381234567",
        "138123456789",
        "0138 1234 5678",
        "0579-0660 1110",
        "+86 8660 1110",
        "138 1234 567a",
        "١٣٨١٢٣٤٥٦٧٨",
        "12345678",
        "0012025550123",
    ],
)
def test_not_phone_numbers(raw: str) -> None:
    assert normalise_phone(raw) is None
    assert phone_problem(raw) is not None


def test_phone_problem_messages() -> None:
    assert phone_problem("") == "Type a phone number."
    assert phone_problem("138-1234-567") == "A mobile number has 11 digits and starts with 13 to 19."
    assert "only digits" in phone_problem("138 1234 abcd")
    assert "area code" in phone_problem("0579-123")
    for foreign in ("+852 9123 4567", "+1 415 555 0100", "00852 9123 4567"):
        assert phone_problem(foreign).startswith("Only phone numbers in mainland China")
    assert phone_problem("+86 138 1234 5678") is None


@pytest.mark.parametrize(
    "raw", ["E12345678", "e 1234 5678", "E-12345678", "Ｅ１２３４５６７８", "Ｅ－１２３４５６７８"]
)
def test_passport_spellings_fold_to_one_number(raw: str) -> None:
    assert normalise_passport(raw) == "E12345678"


def test_local_number_takes_the_given_area_code() -> None:
    assert normalise_phone("8660 1110", area_code="0579") == "057986601110"
    assert normalise_phone("8660 1110", area_code="579") == "057986601110"
    assert normalise_phone("138 1234 5678", area_code="0579") == "13812345678"
    with pytest.raises(ValueError):
        normalise_phone("8660 1110", area_code="1")


def test_phone_masks() -> None:
    assert mask_phone("+86 138 1234 5678") == "138****5678"
    assert mask_phone("0579-8660 1110") == "0579-****1110"
    assert mask_phone("0571-8765432") == "0571-****432"
    assert mask_phone("010 6552 1234") == "010-****1234"
    assert mask_phone("8660 1110") == "****1110"
    assert mask_phone("866 0111") == "****111"
    assert mask_phone("not a phone 13812345678") == "****"


# --- Money ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("260", "260.00"),
        ("260.00", "260.00"),
        ("260.5", "260.50"),
        ("0", "0.00"),
        ("1,000.50", "1000.50"),
        ("1,234,567", "1234567.00"),
        ("100000", "100000.00"),
        ("２６０", "260.00"),
        ("１，０００．５０", "1000.50"),
        ("¥260", "260.00"),
        ("￥ 260.00", "260.00"),
        ("260元", "260.00"),
        ("RMB 260", "260.00"),
        ("10万", "100000.00"),
        ("10万元", "100000.00"),
        ("1.5万", "15000.00"),
        ("9999999999.99", "9999999999.99"),
    ],
)
def test_amounts(raw: str, value: str) -> None:
    parsed = parse_amount(raw)
    assert parsed == Decimal(value) and str(parsed) == value
    assert amount_problem(raw) is None


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("", "for example"),
        ("abc", "for example"),
        ("1,00", "for example"),
        ("1,0000", "for example"),
        ("260.", "for example"),
        (".5", "for example"),
        ("1e5", "for example"),
        ("NaN", "for example"),
        ("Infinity", "for example"),
        ("٢٦٠", "for example"),
        ("-5", "negative"),
        ("－5", "negative"),
        ("260.001", "2 decimal places"),
        ("1.0000001万", "2 decimal places"),
        ("10000000000", "less than"),
        ("9" * 400, "less than"),
        ("100万万", "for example"),
    ],
)
def test_bad_amounts(raw: str, words: str) -> None:
    assert parse_amount(raw) is None
    problem = amount_problem(raw)
    assert problem is not None and words in problem


def test_one_unreadable_character_is_filled_from_the_check_character() -> None:
    from lostfound.domain.identifiers import id_with_one_unreadable_filled

    number = "330784198805121239"
    for at in range(18):
        assert id_with_one_unreadable_filled(number[:at] + "*" + number[at + 1 :]) == number
    assert id_with_one_unreadable_filled("3307841988**121239") is None  # two unknown: many numbers fit
    assert id_with_one_unreadable_filled(number) is None
    # The check asks for a digit that would make the birth month 13: no such number.
    assert id_with_one_unreadable_filled("3307841988*3121239") is None
