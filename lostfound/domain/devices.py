"""Numbers that identify a phone or a device: IMEI (15 digits, Luhn check) and serial numbers.

Pure, like ``identifiers``: services check and normalise a number before they encrypt and hash
it, the matcher builds its keys from the normalised form, screens show only the masked one.
Messages are untranslated (N_-marked) English.
"""

from __future__ import annotations

import re

from lostfound.domain.i18n_markers import N_
from lostfound.domain.identifiers import luhn_valid, normalise_card_number

IMEI_LENGTH = 15
SERIAL_MIN, SERIAL_MAX = 5, 30
_DIGITS = "0123456789"
_SERIAL_CHARS = re.compile(r"[A-Z0-9]+")
_SERIAL_DROP = re.compile(r"[\s\-_./]+")
# On a serial sticker O and 0, I and 1 are read for each other (and makers avoid O and I for
# that reason): the key folds them, so either reading meets the other.
_SERIAL_FOLD = str.maketrans({"O": "0", "I": "1"})


# --- IMEI ------------------------------------------------------------------------------------


def normalise_imei(raw: str) -> str:
    """Digits only: full-width folded, spaces and dashes dropped (``35-209900-176148-1``)."""
    return normalise_card_number(raw).replace("/", "")


def imei_problem(raw: str) -> str | None:
    """An N_ message when ``raw`` is not 15 digits or fails its Luhn check digit."""
    number = normalise_imei(raw)
    if len(number) != IMEI_LENGTH or not number.isascii() or not number.isdigit():
        return N_("An IMEI has 15 digits (dial *#06# on the phone, or read the box or the SIM tray).")
    if not luhn_valid(number):
        return N_(
            "The last digit of this IMEI does not match the others. Re-read it; "
            "if it is printed this way, confirm “as printed”."
        )
    return None


def imei_shape_ok(number: str) -> bool:
    """15 digits, whatever the check digit says: what "as printed" may keep."""
    number = normalise_imei(number)
    return len(number) == IMEI_LENGTH and number.isascii() and number.isdigit()


def imei_valid(number: str) -> bool:
    return imei_shape_ok(number) and luhn_valid(normalise_imei(number))


def imei_one_edit_neighbours(number: str) -> list[str]:
    """Luhn-valid numbers one substitution or one adjacent swap away from an IMEI that fails Luhn.

    Luhn catches every single wrong digit, so the true number of a one-digit typo is among these:
    at most one digit per position repairs the sum (15), plus the swaps that happen to (at most 14).
    """
    number = normalise_imei(number)
    if not imei_shape_ok(number) or luhn_valid(number):
        return []
    found: set[str] = set()
    for index in range(IMEI_LENGTH):
        for digit in _DIGITS:
            if digit != number[index]:
                candidate = number[:index] + digit + number[index + 1 :]
                if luhn_valid(candidate):
                    found.add(candidate)
                    break  # only one digit at a position makes the sum a multiple of 10
    for index in range(IMEI_LENGTH - 1):
        left, right = number[index], number[index + 1]
        if left != right:
            candidate = number[:index] + right + left + number[index + 2 :]
            if luhn_valid(candidate):
                found.add(candidate)
    return sorted(found)


def mask_imei(number: str) -> str:
    """``86*********2347``: the first 2 digits (the maker's range) and the last 4, like a card."""
    number = normalise_imei(number)
    if len(number) < 8:
        return "*" * IMEI_LENGTH
    return number[:2] + "*" * (len(number) - 6) + number[-4:]


# --- Serial numbers ----------------------------------------------------------------------------


def normalise_serial(raw: str) -> str:
    """Upper-case letters and digits, separators dropped (``f2lx-9abc`` → ``F2LX9ABC``)."""
    return _SERIAL_DROP.sub("", normalise_card_number(raw).upper())


def serial_problem(raw: str) -> str | None:
    number = normalise_serial(raw)
    if not (SERIAL_MIN <= len(number) <= SERIAL_MAX) or not _SERIAL_CHARS.fullmatch(number):
        return N_("A serial number has 5 to 30 letters and digits.")
    return None


def serial_key(number: str) -> str:
    """The form both sides are matched by: O read as 0 and I as 1."""
    return normalise_serial(number).translate(_SERIAL_FOLD)


def mask_serial(number: str) -> str:
    """First 2 and last 3 characters of a serial number, as screens show it (``F2*****7HJ``)."""
    number = normalise_serial(number)
    if len(number) < 8:
        return "*" * max(len(number) - 2, 3) + number[-2:]
    return number[:2] + "*" * (len(number) - 5) + number[-3:]
