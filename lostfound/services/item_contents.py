"""Turn what an officer typed about a wallet's contents into stored rows.

Numbers are checked (ID check digit, Luhn, phone format), normalised, encrypted, masked
for screens and fingerprinted with keyed hashes for matching. Nothing here talks to the
database; the caller stores the rows inside its transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lostfound.domain import devices
from lostfound.domain import identifiers as ids
from lostfound.domain.found_items import (
    AMOUNT_KINDS,
    HOLDER_KINDS,
    ID_NUMBER_KINDS,
    PASSPORT_KINDS,
    ContentKind,
)
from lostfound.domain.i18n_markers import N_
from lostfound.pii import PersonalDataVault, vault
from lostfound.settings import get_settings

# Keyed-hash domains: the same digits mean different things as an ID, a phone or a card.
HASH_ID = "id"
HASH_PASSPORT = "passport"
HASH_CARD = "card"
HASH_PHONE = "phone"
HASH_IMEI = "imei"
HASH_SERIAL = "serial"

ID_COLUMN = "item_content.number"
PHONE_COLUMN = "item_content.phone"
FINDER_PHONE_COLUMN = "found_item.finder_phone"


@dataclass
class ContentInput:
    kind: str
    holder_name: str = ""
    id_number: str = ""
    card_number: str = ""
    card_last4: str = ""
    bank: str = ""
    amount: str = ""
    phone: str = ""
    note: str = ""
    as_printed: bool = False
    device_number: str = ""  # IMEI or serial number


@dataclass
class Problems:
    """Field problems collected across a whole form, so the officer sees them all at once."""

    items: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    def add(self, name: str, message: str, **params: Any) -> None:
        self.items.setdefault(name, (message, params))

    def __bool__(self) -> bool:
        return bool(self.items)


SENSITIVE_IN_TEXT = N_(
    "This text seems to hold an ID, card or phone number. Put numbers in the contents rows, where they are protected."
)


def free_text(
    value: str,
    limit: int,
    name: str,
    problems: Problems,
    required: str | None = None,
    keep_lines: bool = False,
) -> str:
    """Collapse spaces, enforce presence and length, and keep sensitive numbers out of unprotected text.

    ``required`` is the message for an empty value; ``keep_lines`` keeps a multi-line text's lines.
    """
    value = value.strip() if keep_lines and "\n" in value else " ".join(value.split())
    if required and not value:
        problems.add(name, required)
    if len(value) > limit:
        problems.add(name, N_("At most %(limit)d characters, please."), limit=limit)
    elif ids.sensitive_number_in_text(value):
        problems.add(name, SENSITIVE_IN_TEXT)
    return value[:limit]


def content_row(
    entry: ContentInput,
    prefix: str,
    vault: PersonalDataVault,
    problems: Problems,
    today: date,
    as_printed: bool = False,
) -> dict[str, Any] | None:
    """Column values for one content row, or None (with problems added) when it cannot be stored.

    ``as_printed`` (or the entry's own flag) keeps a number that fails only its check character; the
    row says ``as_printed`` only for a number so kept (the page marks it, the handover repairs it).
    """
    as_printed = as_printed or bool(entry.as_printed)
    try:
        kind = ContentKind(entry.kind)
    except ValueError:
        problems.add(f"{prefix}.kind", N_("Choose what this is from the list."))
        return None
    row: dict[str, Any] = {"kind": kind.value, "as_printed": False}
    if kind in HOLDER_KINDS:
        row["holder_name"] = free_text(entry.holder_name, 60, f"{prefix}.holder_name", problems)
    if kind in ID_NUMBER_KINDS:
        _id_number(entry, prefix, vault, problems, today, row, as_printed)
    elif kind in PASSPORT_KINDS:
        number = ids.normalise_passport(entry.id_number)
        if number and not (5 <= len(number) <= 20 and number.isalnum() and number.isascii()):
            problems.add(
                f"{prefix}.id_number", N_("A passport or permit number has 5 to 20 letters and digits.")
            )
        elif number:
            row.update(
                number_enc=vault.encrypt(number, ID_COLUMN),
                number_masked=number[:2] + "*" * max(len(number) - 4, 0) + number[-2:],
                number_hash=vault.keyed_hash(HASH_PASSPORT, number),
            )
    elif kind is ContentKind.BANK_CARD:
        _bank_card(entry, prefix, vault, problems, row, as_printed)
    elif kind is ContentKind.IMEI:
        _imei(entry, prefix, vault, problems, row, as_printed)
    elif kind is ContentKind.SERIAL_NUMBER:
        _serial(entry, prefix, vault, problems, row)
    elif kind is ContentKind.PHONE_NUMBER:
        phone = read_phone(entry.phone)
        if phone is None:
            problems.add(f"{prefix}.phone", ids.phone_problem(entry.phone) or N_("Enter a phone number."))
        else:
            row.update(phone_fields(phone, vault, PHONE_COLUMN))
    if kind in AMOUNT_KINDS:
        amount = ids.parse_amount(entry.amount)
        if amount is None:
            problems.add(
                f"{prefix}.amount", ids.amount_problem(entry.amount) or N_("Enter the amount in yuan.")
            )
        row["amount"] = amount
    if kind is ContentKind.DEPOSIT_SLIP:
        row["bank"] = free_text(entry.bank, 60, f"{prefix}.bank", problems)
    row["note"] = free_text(entry.note, 500, f"{prefix}.note", problems)
    if kind is ContentKind.OTHER and not row["note"]:
        problems.add(f"{prefix}.note", N_("Say what it is."))
    return row


def read_phone(raw: str) -> str | None:
    """A phone number as stored and matched (``ids.normalise_phone``): a local landline takes the
    city's area code (``LOSTFOUND_AREA_CODE``) when one is set and makes a landline of it."""
    try:
        return ids.normalise_phone(raw, area_code=get_settings().area_code or None)
    except ValueError:  # a 7-digit number where the city's numbers have 8: kept as typed
        return ids.normalise_phone(raw)


def phone_on_file(raw: str, stored_hash: str) -> bool:
    """Whether ``raw`` is the number on file (``stored_hash``), one saved before the city's area code
    was set included: that one is kept without the code, however ``raw`` is written."""
    if not stored_hash:
        return False
    forms = {read_phone(raw), ids.normalise_phone(raw)} - {None}
    code = get_settings().area_code
    forms |= {form.removeprefix(code) for form in forms if code and form.startswith(code)}
    return any(vault().keyed_hash(HASH_PHONE, form) == stored_hash for form in forms)


def phone_fields(phone: str, vault: PersonalDataVault, column: str) -> dict[str, str]:
    return {
        "phone_enc": vault.encrypt(phone, column),
        "phone_masked": ids.mask_phone(phone),
        "phone_hash": vault.keyed_hash(HASH_PHONE, phone),
    }


def _id_number(
    entry: ContentInput,
    prefix: str,
    vault: PersonalDataVault,
    problems: Problems,
    today: date,
    row: dict,
    as_printed: bool,
) -> None:
    number = ids.normalise_id_number(entry.id_number)
    if not number:
        if not row.get("holder_name"):
            problems.add(f"{prefix}.id_number", N_("Enter the holder's name or the ID number, or both."))
        return
    problem = ids.check_id_number(number, today)
    if problem is not None and not (as_printed and problem.confirmable):
        problems.add(f"{prefix}.id_number", problem.message, **problem.params)
        return
    row.update(
        as_printed=problem is not None,
        number_enc=vault.encrypt(number, ID_COLUMN),
        number_masked=ids.mask_id(number),
        # A partly unreadable number is matched by its pieces later, not by a whole-number hash.
        number_hash="" if ids.is_masked(number) else vault.keyed_hash(HASH_ID, number),
    )


def _imei(
    entry: ContentInput,
    prefix: str,
    vault: PersonalDataVault,
    problems: Problems,
    row: dict,
    as_printed: bool,
) -> None:
    number = devices.normalise_imei(entry.device_number)
    problem = devices.imei_problem(number)
    # "As printed" may keep 15 digits that fail the Luhn check (the matcher repairs them), nothing else.
    if problem and (not as_printed or not devices.imei_shape_ok(number)):
        problems.add(f"{prefix}.device_number", problem)
        return
    row.update(
        as_printed=bool(problem),
        number_enc=vault.encrypt(number, ID_COLUMN),
        number_masked=devices.mask_imei(number),
        number_hash=vault.keyed_hash(HASH_IMEI, number),
    )


def _serial(
    entry: ContentInput, prefix: str, vault: PersonalDataVault, problems: Problems, row: dict
) -> None:
    number = devices.normalise_serial(entry.device_number)
    problem = devices.serial_problem(number)
    if problem:
        problems.add(f"{prefix}.device_number", problem)
        return
    row.update(
        number_enc=vault.encrypt(number, ID_COLUMN),
        number_masked=devices.mask_serial(number),
        number_hash=vault.keyed_hash(HASH_SERIAL, devices.serial_key(number)),
    )


def _bank_card(
    entry: ContentInput,
    prefix: str,
    vault: PersonalDataVault,
    problems: Problems,
    row: dict,
    as_printed: bool,
) -> None:
    row["bank"] = free_text(entry.bank, 60, f"{prefix}.bank", problems)
    number = ids.normalise_card_number(entry.card_number)
    last4 = ids.normalise_card_number(entry.card_last4)
    if number:
        problem = ids.check_card_number(number)
        # "As printed" may keep a number that fails its Luhn check, never one of the wrong shape.
        if problem and (not as_printed or not ids.card_format_ok(number)):
            problems.add(f"{prefix}.card_number", problem)
            return
        row.update(
            as_printed=bool(problem),
            number_enc=vault.encrypt(number, ID_COLUMN),
            number_masked=ids.mask_card(number),
            number_hash=vault.keyed_hash(HASH_CARD, number),
            card_last4=ids.card_last4(number),
        )
    elif last4:
        if problem := ids.check_last4(last4):
            problems.add(f"{prefix}.card_last4", problem)
            return
        row["card_last4"] = last4
    elif not row["holder_name"] and not row["bank"]:
        problems.add(
            f"{prefix}.card_number",
            N_("Enter the card number, its last four digits, the bank or the holder."),
        )
