"""Normalise, check and mask the numbers people carry: resident ID, bank card, phone, money.

Everything here is pure. Services call it before they encrypt and hash a number, the matcher
calls it to build lookup keys, and screens call the ``mask_*`` functions so that no page ever
needs the plain number. Messages are untranslated (N_-marked) English; ``%(name)s`` parameters
are filled after translation.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from lostfound.domain.i18n_markers import N_

# Full-width ASCII (what a Chinese input method types) to ASCII, the ideographic space to a
# space, the full-width yuan sign to ¥, and the dashes people paste to a hyphen.
_TO_ASCII: dict[int, int | str] = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_TO_ASCII.update({0x3000: " ", 0xFFE5: "¥"})
_TO_ASCII.update(dict.fromkeys((0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212), "-"))
_SEPARATORS = re.compile(r"[\s-]+")
_DIGITS = frozenset("0123456789")
MASK = "*"


def _ascii(raw: str) -> str:
    return raw.translate(_TO_ASCII)


def _all_digits(text: str) -> bool:
    """``str.isdigit`` also accepts Arabic-Indic and superscript digits; the numbers here never do."""
    return bool(text) and set(text) <= _DIGITS


# --- Resident ID numbers (GB 11643, check character ISO 7064 MOD 11-2) ---------------------

ID_LENGTH = 18
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
_ID_BODY_CHARS = _DIGITS | {MASK}
_ID_LAST_CHARS = _DIGITS | {"X", MASK}
_FIRST_YEAR = 1900

IdProblemCode = Literal["format", "masked", "region", "birth_date", "birth_date_check_digit", "check_digit"]


@dataclass(frozen=True)
class IdProblem:
    """Why an ID number cannot be saved as typed.

    ``message`` is N_-marked; ``params`` fill its ``%(name)s`` placeholders after translation.
    """

    code: IdProblemCode
    message: str
    params: dict[str, str] = field(default_factory=dict, hash=False)

    @property
    def confirmable(self) -> bool:
        """Only a failed check character may be kept "as printed": a real card can carry one.

        An impossible birth date in a number that also fails its check character is the same
        misread digit seen twice, so it may be kept too (matching repairs it); a number that
        passes its check with an impossible date may not.
        """
        return self.code in ("check_digit", "birth_date_check_digit")


@functools.lru_cache(maxsize=4096)
def normalise_id_number(raw: str) -> str:
    """Strip spaces and dashes, fold full-width characters, upper-case x; keep ``*`` for unreadable digits.

    Remembered: checking and keying one record asks for the same number's form several times."""
    return _SEPARATORS.sub("", _ascii(raw)).replace("x", "X")


def id_check_digit(first17: str) -> str:
    """The check character ISO 7064 MOD 11-2 gives for the first 17 digits."""
    if len(first17) != ID_LENGTH - 1 or not _all_digits(first17):
        raise ValueError("the check character needs exactly 17 digits")
    return ID_CHECK_CHARS[sum(map(operator.mul, map(int, first17), ID_WEIGHTS)) % 11]


def _id_shape_ok(number: str) -> bool:
    """18 characters, 17 digits and a digit or X: no mask, nothing else."""
    return len(number) == ID_LENGTH and _all_digits(number[:17]) and number[17] in _DIGITS | {"X"}


def id_check_ok(number: str) -> bool:
    """True when the number is complete and its last character matches the other 17."""
    number = normalise_id_number(number)
    return _id_shape_ok(number) and number[17] == id_check_digit(number[:17])


def is_masked(number: str) -> bool:
    """An officer typed ``*`` for digits they could not read; such a number has no usable check."""
    return MASK in normalise_id_number(number)


def _fits(pattern: str, value: str) -> bool:
    return all(want in (MASK, got) for want, got in zip(pattern, value, strict=True))


def _completions(pattern: str, low: int, high: int) -> Iterator[int]:
    width = len(pattern)
    return (value for value in range(low, high + 1) if _fits(pattern, f"{value:0{width}d}"))


def _masked_date_possible(part: str, today: date) -> bool:
    """Whether some filling-in of the stars in YYYYMMDD gives a real date from 1900 up to today.

    The years are tried one by one, and the usual mask (first 6 and last 4 shown) hides the whole
    date, which is always possible: a masked number on a found item was checked in some 160 µs,
    fifty times a readable one."""
    if part == MASK * len(part):
        return True
    months = list(_completions(part[4:6], 1, 12))
    days = list(_completions(part[6:], 1, 31))
    for year in _completions(part[:4], _FIRST_YEAR, today.year):
        for month in months:
            for day in days:
                try:
                    born = date(year, month, day)
                except ValueError:
                    continue
                if born <= today:
                    return True
    return False


def _birth_date_problem(part: str, today: date) -> IdProblem | None:
    params = {"date": f"{part[:4]}-{part[4:6]}-{part[6:]}"}
    if MASK in part:
        if _masked_date_possible(part, today):
            return None
        message = N_(
            "The readable digits of the birth date in this ID number (%(date)s) cannot make a real date."
        )
        return IdProblem("birth_date", message, params)
    try:
        born = date(int(part[:4]), int(part[4:6]), int(part[6:]))
    except ValueError:
        return IdProblem(
            "birth_date", N_("The birth date in this ID number (%(date)s) does not exist."), params
        )
    if born.year < _FIRST_YEAR:
        return IdProblem(
            "birth_date", N_("The birth date in this ID number (%(date)s) is before 1900."), params
        )
    if born > today:
        return IdProblem(
            "birth_date", N_("The birth date in this ID number (%(date)s) is in the future."), params
        )
    return None


def check_id_number(number: str, today: date) -> IdProblem | None:
    """What is wrong with an ID number, or None; a well-formed masked number passes without a check."""
    number = normalise_id_number(number)
    if len(number) != ID_LENGTH or not set(number[:17]) <= _ID_BODY_CHARS or number[17] not in _ID_LAST_CHARS:
        return IdProblem(
            "format",
            N_(
                "The ID number needs 18 characters: 17 digits and a final digit or X. "
                "Type * for a digit you cannot read."
            ),
        )
    if set(number) == {MASK}:
        return IdProblem(
            "masked", N_("Every character of this ID number is masked; leave the number empty instead.")
        )
    # A citizen's number starts with a province (1 to 8); the foreign permanent resident ID card
    # issued since December 2023 has the same shape and check character behind a leading 9.
    if number[0] not in "123456789" + MASK:
        return IdProblem(
            "region",
            N_(
                "An ID number starts with a digit from 1 to 9 (9 on a foreign permanent resident ID card). "
                "Re-read the card."
            ),
        )
    check_fails = MASK not in number and number[17] != id_check_digit(number[:17])
    problem = _birth_date_problem(number[6:14], today)
    if problem is not None and check_fails:
        # One misread digit in the date also breaks the check character: keep it as printed,
        # like any other check failure, so that matching can repair it.
        return IdProblem(
            "birth_date_check_digit",
            N_(
                "The birth date in this ID number (%(date)s) is not possible and the last character "
                "does not match the others, so a digit is probably misread. Re-read the card; "
                "if it is printed this way, confirm “as printed”."
            ),
            problem.params,
        )
    if problem is not None:
        return problem
    if check_fails:
        return IdProblem(
            "check_digit",
            N_(
                "The last character does not match the others. Re-read the card; "
                "if it is printed this way, confirm “as printed”."
            ),
        )
    return None


def mask_id(number: str) -> str:
    """First 6 and last 4 characters, as screens show it (``330784********1234``); stars typed stay stars."""
    number = normalise_id_number(number)
    if len(number) < 14:  # too short to hide 8 characters and still show 10
        return MASK * 8
    return number[:6] + MASK * 8 + number[-4:]


def id_one_edit_neighbours(number: str, *, today: date | None = None) -> list[str]:
    """Valid numbers one substitution or one adjacent swap away from a number that fails its check.

    The matcher looks these up so that one misread digit still finds the owner. Each neighbour
    passes ``check_id_number`` (region, birth date, check character); without ``today`` a birth
    date in the future is not ruled out. A valid, masked or malformed number has none.
    """
    number = normalise_id_number(number)
    if not _id_shape_ok(number) or id_check_ok(number):
        return []
    # The checksum picks the one digit (if any) that repairs each position, and the swaps that
    # repair it: a few candidates to check in full instead of 160, which keeps a lookup with a
    # misread number fast.
    digits = [int(char) for char in number[:17]]
    remainder = sum(d * w for d, w in zip(digits, ID_WEIGHTS, strict=True)) % 11
    wanted = ID_CHECK_CHARS.index(number[17])
    candidates: set[str] = {number[:17] + ID_CHECK_CHARS[remainder]}
    for index, (current, weight) in enumerate(zip(digits, ID_WEIGHTS, strict=True)):
        digit = (current + (wanted - remainder) * pow(weight, -1, 11)) % 11
        if digit < 10 and digit != current:
            candidates.add(f"{number[:index]}{digit}{number[index + 1 :]}")
    for index in range(ID_LENGTH - 1):
        left, right = number[index], number[index + 1]
        if left == right:
            continue
        if index < 16:  # both within the 17 digits: the swap must move the sum to ``wanted``
            shift = (digits[index + 1] - digits[index]) * (ID_WEIGHTS[index] - ID_WEIGHTS[index + 1])
            if (remainder + shift) % 11 != wanted:
                continue
        candidates.add(number[:index] + right + left + number[index + 2 :])
    limit = today or date.max
    return sorted(c for c in candidates if _id_shape_ok(c) and check_id_number(c, limit) is None)


def id_with_one_unreadable_filled(number: str, *, today: date | None = None) -> str | None:
    """The one valid number a number with a single ``*`` can be, or None.

    The check character fixes any one position: a worn last character is computed from the other
    17, a worn digit is the one (if any) that the check character asks for."""
    number = normalise_id_number(number)
    if len(number) != ID_LENGTH or number.count(MASK) != 1:
        return None
    at = number.index(MASK)
    if at == ID_LENGTH - 1:
        filled = number[:17] + id_check_digit(number[:17]) if _all_digits(number[:17]) else None
    else:
        trials = (number[:at] + digit + number[at + 1 :] for digit in "0123456789")
        valid = [trial for trial in trials if id_check_ok(trial)]
        filled = valid[0] if len(valid) == 1 else None
    if filled is None or check_id_number(filled, today or date.max) is not None:
        return None
    return filled


def birth_date_of(number: str) -> date | None:
    """The birth date the number carries, when its 8 date digits are readable and form a real date."""
    number = normalise_id_number(number)
    part = number[6:14]
    if len(number) != ID_LENGTH or not _all_digits(part):
        return None
    try:
        return date(int(part[:4]), int(part[4:6]), int(part[6:]))
    except ValueError:
        return None


def sex_of(number: str) -> Literal["F", "M"] | None:
    """The 17th digit is odd for men and even for women; unreadable means unknown."""
    number = normalise_id_number(number)
    if len(number) != ID_LENGTH or number[16] not in _DIGITS:
        return None
    return "M" if int(number[16]) % 2 else "F"


# --- Bank cards ----------------------------------------------------------------------------

CARD_MIN_DIGITS = 12
CARD_MAX_DIGITS = 19


def normalise_passport(raw: str) -> str:
    """Fold full-width characters (an input method in full-width mode), drop spaces and dashes, upper-case."""
    return _SEPARATORS.sub("", _ascii(raw)).upper()


def normalise_card_number(raw: str) -> str:
    """Fold full-width digits and drop spaces and dashes; anything else stays so the check can refuse it."""
    return _SEPARATORS.sub("", _ascii(raw))


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check that bank card numbers carry in their last digit."""
    if not _all_digits(digits):
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def check_card_number(number: str) -> str | None:
    """An N_ message when a full card number is malformed or fails its Luhn check."""
    number = normalise_card_number(number)
    if not CARD_MIN_DIGITS <= len(number) <= CARD_MAX_DIGITS or not _all_digits(number):
        return N_("A bank card number has 12 to 19 digits.")
    if not luhn_valid(number):
        return N_("This card number does not add up, so a digit is probably misread. Re-read the card.")
    return None


def card_format_ok(number: str) -> bool:
    """12 to 19 digits: the shape of a card number, whatever its Luhn check says."""
    number = normalise_card_number(number)
    return CARD_MIN_DIGITS <= len(number) <= CARD_MAX_DIGITS and _all_digits(number)


_DIGIT_GAPS = re.compile(r"(?<=[0-9])[\s\-]+(?=[0-9])")
_ID_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9])")
_MOBILE_IN_TEXT = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
_LONG_DIGITS = re.compile(r"(?<![0-9])[0-9]{12,19}(?![0-9])")


def sensitive_number_in_text(text: str) -> bool:
    """Whether free text carries what looks like an ID, mobile or card number.

    Such numbers belong in content rows, where they are encrypted and masked; in a
    description or note they would be stored and shown in clear.
    """
    if len(text) < 11:  # shorter than the shortest such number (a mobile), as most fields are
        return False
    flat = _DIGIT_GAPS.sub("", _ascii(text).upper())
    if _ID_IN_TEXT.search(flat) or _MOBILE_IN_TEXT.search(flat):
        return True
    # 16 to 19 digits is the shape of a bank card even when a digit is misread.
    return any(len(match) >= 16 or luhn_valid(match) for match in _LONG_DIGITS.findall(flat))


def card_last4(number: str) -> str | None:
    """The last 4 digits, the part of a card number that is safe to keep in clear for matching."""
    number = normalise_card_number(number)
    return number[-4:] if len(number) >= 4 and _all_digits(number) else None


def check_last4(raw: str) -> str | None:
    """An N_ message unless ``raw`` is exactly 4 digits (full-width and spaces allowed)."""
    number = normalise_card_number(raw)
    if len(number) != 4 or not _all_digits(number):
        return N_("Type the last 4 digits of the card.")
    return None


def mask_card(number: str) -> str:
    """``6222 **** **** 1234`` whatever the length, so a screen does not reveal how long the number is."""
    number = normalise_card_number(number)
    if not _all_digits(number):
        return "**** **** **** ****"
    if len(number) < CARD_MIN_DIGITS:
        return "**** **** **** " + number[-4:] if len(number) >= 4 else "**** **** **** ****"
    return f"{number[:4]} **** **** {number[-4:]}"


# --- Phone numbers (mainland China) --------------------------------------------------------

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# Area code 010 or 02X with 8 local digits; any other area code has 4 digits with 7 or 8 local
# digits. Local numbers never start with 0 or 1.
_LANDLINE = re.compile(r"0(?:10|2[0-9])[2-9][0-9]{7}|0[3-9][0-9]{2}[2-9][0-9]{6,7}")
_LOCAL = re.compile(r"[2-9][0-9]{6,7}")
_PHONE_SEPARATORS = re.compile(r"[\s()-]+")


def _phone_body(raw: str) -> tuple[str, bool]:
    """The characters left once separators and a country prefix are gone, and whether there was one."""
    text = _PHONE_SEPARATORS.sub("", _ascii(raw))
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            return text[len(prefix) :], True
    if len(text) == 13 and text.startswith("86") and _MOBILE.fullmatch(text[2:]):
        return text[2:], True
    return text, False


def normalise_phone(raw: str, *, area_code: str | None = None) -> str | None:
    """Canonical digits (mobile ``13812345678``, landline ``057986601110``), or None if it is no phone number.

    A 7- or 8-digit local number stays as typed unless ``area_code`` (e.g. the station's ``0579``)
    is given, in which case it is prefixed so that both spellings match.
    """
    body, international = _phone_body(raw)
    if not _all_digits(body):
        return None
    if _MOBILE.fullmatch(body):
        return body
    if international and not body.startswith("0"):
        body = "0" + body  # +86 579 … drops the trunk 0 of the area code
    if _LANDLINE.fullmatch(body):
        return body
    if not international and _LOCAL.fullmatch(body):
        if area_code:
            code = area_code if area_code.startswith("0") else "0" + area_code
            if _LANDLINE.fullmatch(code + body):
                return code + body
            raise ValueError(f"area code {area_code!r} does not make a landline of {body!r}")
        return body
    return None


def phone_problem(raw: str) -> str | None:
    """An N_ message when ``raw`` cannot be read as a phone number."""
    if normalise_phone(raw) is not None:
        return None
    body, international = _phone_body(raw)
    if not international and body.startswith(("+", "00")):
        return N_(
            "Only phone numbers in mainland China can be taken: an 11-digit mobile, or a landline "
            "with its area code."
        )
    body = body.removeprefix("+")
    if not body:
        return N_("Type a phone number.")
    if not _all_digits(body):
        return N_("A phone number may contain only digits, spaces, dashes, brackets and a leading +86.")
    if body.startswith("1"):
        return N_("A mobile number has 11 digits and starts with 13 to 19.")
    return N_("Type an 11-digit mobile number, or a landline with its area code, for example 0579-8660 1110.")


def _mask_local(local: str) -> str:
    keep = 4 if len(local) >= 8 else 3
    return MASK * (len(local) - keep) + local[-keep:]


def mask_phone(number: str) -> str:
    """``138****5678`` for a mobile; a landline keeps its area code and last 3 or 4 digits."""
    canonical = normalise_phone(number)
    if canonical is None:
        return MASK * 4
    if _MOBILE.fullmatch(canonical):
        return f"{canonical[:3]}****{canonical[-4:]}"
    if canonical.startswith("0"):
        split = 3 if canonical[1] in "12" else 4
        return f"{canonical[:split]}-{_mask_local(canonical[split:])}"
    return _mask_local(canonical)


# --- Money ---------------------------------------------------------------------------------

AMOUNT_LIMIT = Decimal(10) ** 10
_CENT = Decimal("0.01")
_AMOUNT = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?")
_CURRENCY_PREFIX = re.compile(r"^(?:¥|RMB|CNY|人民币)", re.IGNORECASE)


def _amount(raw: str) -> tuple[Decimal | None, str | None]:
    text = _CURRENCY_PREFIX.sub("", re.sub(r"\s+", "", _ascii(raw)))
    text = text.removesuffix("元")
    scale, decimals_allowed = 1, 2
    if text.endswith("万"):  # 10万 on a deposit slip is 100,000 yuan
        text, scale, decimals_allowed = text[:-1], 10_000, 6
    if text.startswith("-"):
        return None, N_("An amount cannot be negative.")
    match = _AMOUNT.fullmatch(text)
    if match is None:
        return None, N_("Type an amount in yuan, for example 260 or 1,000.50.")
    if len(match.group(1) or "") > decimals_allowed:
        return None, N_("An amount has at most 2 decimal places.")
    value = Decimal(text.replace(",", "")) * scale
    if value >= AMOUNT_LIMIT:
        return None, N_("An amount must be less than 10,000,000,000 yuan.")
    return value.quantize(_CENT), None


def parse_amount(raw: str) -> Decimal | None:
    """Yuan with exactly two decimals (``Decimal("260.00")``), or None when ``raw`` is not an amount."""
    return _amount(raw)[0]


def amount_problem(raw: str) -> str | None:
    """An N_ message when ``raw`` is not an amount ``parse_amount`` accepts."""
    return _amount(raw)[1]
