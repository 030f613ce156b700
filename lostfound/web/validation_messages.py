"""The request checks Litestar makes before a handler runs, said as the service says its own refusals.

Litestar (through msgspec) describes a body that does not fit its type in English, in its own shape:
``{"message": "Expected `str`, got `int`", "key": "owner.name", "source": "body"}``. An API client
gets every other refusal as ``{"field": …, "message": …}`` in the caller's language; these are
turned into the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from lostfound import i18n
from lostfound.domain.i18n_markers import N_

# msgspec's names of JSON types, as a person would say them.
_KINDS = {
    "str": N_("text"),
    "int": N_("a whole number"),
    "float": N_("a number"),
    "decimal": N_("a number"),
    "bool": N_("true or false"),
    "array": N_("a list"),
    "object": N_("an object"),
    "datetime": N_("a time with its time zone"),
    "date": N_("a date"),
}
_WHOLE_BODY = "data"  # Litestar's key for the request body itself


def _kind(expected: str) -> str:
    """``int | null`` reads "a whole number": that a value may be left out is no help here."""
    names = [name.strip() for name in expected.split("|") if name.strip() != "null"]
    return i18n.gettext(_KINDS.get(names[0], N_("another kind of value"))) if names else ""


def _within(key: str, name: str) -> str:
    return name if key in ("", _WHOLE_BODY) else f"{key}.{name}"


Rule = tuple[re.Pattern[str], Callable[[re.Match[str], str], tuple[str, str]]]
_RULES: list[Rule] = [
    (
        re.compile(r"Object missing required field `([^`]+)`"),
        lambda m, key: (_within(key, m[1]), i18n.gettext(N_("This field is required."))),
    ),
    (
        re.compile(r"Object contains unknown field `([^`]+)`"),
        lambda m, key: (_within(key, m[1]), i18n.gettext(N_("This field is not part of this request."))),
    ),
    (
        re.compile(r"Invalid RFC3339 encoded datetime"),
        lambda m, key: (
            key,
            i18n.gettext(N_("Give the time with its time zone, e.g. 2025-03-28T21:40:00+08:00.")),
        ),
    ),
    (
        re.compile(r"Expected `[^`]+` of length <= (\d+)"),
        lambda m, key: (key, i18n.gettext(N_("At most %(count)s characters."), count=m[1])),
    ),
    (
        re.compile(r"Expected `[^`]+` of length >= (\d+)"),
        lambda m, key: (key, i18n.gettext(N_("At least %(count)s characters."), count=m[1])),
    ),
    (
        re.compile(r"Invalid enum value"),
        lambda m, key: (key, i18n.gettext(N_("This is not one of the values allowed here."))),
    ),
    (
        re.compile(r"Expected `([^`]+)`, got `[^`]+`"),
        lambda m, key: (key, i18n.gettext(N_("Expected %(kind)s here."), kind=_kind(m[1]))),
    ),
]


def field_errors(extra: Iterable[Any] | None) -> list[dict[str, str]]:
    """Litestar's validation messages as ``{"field", "message"}``, in the current language."""
    errors = []
    for raw in extra or []:
        if not isinstance(raw, dict):
            continue
        key = str(raw.get("key", ""))
        text = str(raw.get("message", ""))
        for pattern, say in _RULES:
            if match := pattern.search(text):
                field, message = say(match, key)
                break
        else:
            field, message = key, i18n.gettext(N_("This value is not valid here."))
        errors.append({"field": "" if field == _WHOLE_BODY else field, "message": message})
    return errors
