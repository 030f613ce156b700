"""Translations: Babel catalogues, the request's language, and gettext helpers.

Catalogues are the ``.po`` files under ``lostfound/locale``; they are compiled in memory
at start-up so that no generated ``.mo`` file has to be built or committed.
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from functools import cache
from typing import Any

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from lostfound.settings import LOCALE_DIR

SUPPORTED = ("zh_Hans", "en")
DEFAULT = "zh_Hans"
LANGUAGE_NAMES = {"zh_Hans": "中文", "en": "English"}
# Accept-Language values and the cookie use BCP 47 tags.
_TAGS = {"zh_Hans": "zh-Hans", "en": "en"}
_ALIASES = {"zh": "zh_Hans", "zh_CN": "zh_Hans", "zh_SG": "zh_Hans", "zh_Hans_CN": "zh_Hans"}

_current: ContextVar[str] = ContextVar("lostfound_locale", default=DEFAULT)


def catalogue_path(locale: str) -> Any:
    return LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"


@cache
def translations(locale: str) -> NullTranslations:
    path = catalogue_path(locale)
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer)


def set_locale(locale: str) -> None:
    _current.set(locale if locale in SUPPORTED else DEFAULT)


def get_locale() -> str:
    return _current.get()


def language_tag(locale: str | None = None) -> str:
    return _TAGS[locale or get_locale()]


def from_tag(tag: str | None) -> str | None:
    """Map a cookie or form value such as ``zh-Hans`` or ``en`` to a supported locale."""
    if not tag:
        return None
    key = tag.replace("-", "_")
    key = _ALIASES.get(key, key)
    return key if key in SUPPORTED else None


def negotiate(accept_language: str | None, default: str = DEFAULT) -> str:
    """Pick a supported locale from an Accept-Language header, ``default`` when nothing fits."""
    if not accept_language:
        return default
    preferred: list[tuple[float, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if quality > 0:  # q=0 means "not this one"
            preferred.append((quality - index * 1e-6, tag.strip().replace("-", "_")))
    for _, tag in sorted(preferred, reverse=True):
        language = tag.split("_", 1)[0].lower()
        # Any Chinese variant reads the Simplified catalogue better than the English one.
        if language == "zh":
            return "zh_Hans"
        if language == "en":
            return "en"
    return default


def gettext(message: str, **params: Any) -> str:
    text = translations(get_locale()).gettext(message)
    return text % params if params else text


def translate(locale: str, message: str, **params: Any) -> str:
    """``message`` in a given language, whatever the current request's (for outgoing messages)."""
    text = translations(locale if locale in SUPPORTED else DEFAULT).gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    text = translations(get_locale()).ngettext(singular, plural, n)
    params.setdefault("num", n)
    return text % params


def babel_locale() -> Locale:
    return Locale.parse(get_locale())


_ = gettext
