"""Rules for usernames, passwords and station codes."""

from __future__ import annotations

import re

from lostfound.domain.i18n_markers import N_

USERNAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{2,31}$")
STATION_CODE_RE = re.compile(r"^[A-Z]{2,6}$")
PASSWORD_MIN_LENGTH = 10
MAX_PASSWORD_LENGTH = 256


def normalise_username(raw: str) -> str:
    return raw.strip().lower()


def username_problem(username: str) -> str | None:
    """Return an untranslated message when ``username`` is not acceptable."""
    if not USERNAME_RE.match(username):
        return N_(
            "A username has 3 to 32 characters: lower-case letters, digits, dots, dashes or "
            "underscores, starting with a letter."
        )
    return None


def password_problem(password: str, username: str = "") -> str | None:
    """Return an untranslated message when ``password`` is too weak to accept."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return N_("A password needs at least 10 characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        return N_("A password may have at most 256 characters.")
    if username and username.lower() in password.lower():
        return N_("A password must not contain the username.")
    if len(set(password)) < 4:
        return N_("A password needs more different characters.")
    return None


def normalise_station_code(raw: str) -> str:
    return raw.strip().upper()


# A found item's reference is CODE-YYYY-NNNNNN and a lost report's LR-YYYY-NNNNNN: a station coded
# LR would number its items as the reports are numbered, and a reference would no longer say which.
RESERVED_STATION_CODES = frozenset({"LR"})


def station_code_problem(code: str) -> str | None:
    """Return an untranslated message when ``code`` cannot be given to a station."""
    if problem := station_code_shape_problem(code):
        return problem
    if code in RESERVED_STATION_CODES:
        return N_("LR cannot be a station code: the references of lost reports begin with it.")
    return None


def station_code_shape_problem(code: str) -> str | None:
    """Return an untranslated message when ``code`` cannot be any station's code: looking up a
    station created before a code was reserved still finds it."""
    if not STATION_CODE_RE.match(code):
        return N_("A station code has 2 to 6 capital letters, for example DC.")
    return None
