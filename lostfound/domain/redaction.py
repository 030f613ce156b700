"""What a public text must never hold: ID, phone or card numbers, cash amounts, owners' full names.

Used before a notice may be approved; the same check guards every public page in the tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from lostfound.domain import identifiers as ids
from lostfound.domain.i18n_markers import N_

# ¥260, 260元, 260.00 元, RMB 260, 人民币二百六十元: amounts of money in figures or words.
_AMOUNT = re.compile(
    r"(?:[¥￥]|RMB|CNY|人民币)\s*[\d零一二三四五六七八九十百千万]"
    r"|[\d零一二三四五六七八九十百千万][\d,.，零一二三四五六七八九十百千万]*\s*(?:元|块|yuan\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Leak:
    kind: str  # "number", "amount", "name"
    message: str  # untranslated
    found: str = ""  # what matched, for the person fixing it (names only: numbers are not repeated)


def leaks(text: str, protected_names: Iterable[str] = (), public_numbers: Iterable[str] = ()) -> list[Leak]:
    """Everything in ``text`` that must not be published.

    ``public_numbers`` (a station's published phone) are allowed and left out of the number check.
    """
    found: list[Leak] = []
    for number in public_numbers:
        if number.strip():
            text = text.replace(number, " ")
    if ids.sensitive_number_in_text(text):
        found.append(Leak("number", N_("The text holds what looks like an ID, phone or card number.")))
    if _AMOUNT.search(text):
        found.append(Leak("amount", N_("The text names an amount of money.")))
    flat = "".join(text.split()).casefold()
    for name in {n.strip() for n in protected_names if len(n.strip()) >= 2}:
        if "".join(name.split()).casefold() in flat:
            found.append(Leak("name", N_("The text names %(name)s in full."), name))
    return found
