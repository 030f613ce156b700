"""Translations are complete, the language follows the user's choice, times are Beijing time."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from lostfound import i18n
from lostfound.domain.roles import Role
from lostfound.settings import PROJECT_ROOT
from tests.factories import make_user, post_form, sign_in, soup

KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}


def _source_messages() -> set[str]:
    found: set[str] = set()
    for folder, method in (("lostfound", "python"), ("templates", "jinja2")):
        options = (
            {"**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}} if method == "jinja2" else {}
        )
        pattern = "**.html" if method == "jinja2" else "**.py"
        for _file, _line, message, _comments, _context in extract_from_dir(
            PROJECT_ROOT / folder, method_map=[(pattern, method)], options_map=options, keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("locale", i18n.SUPPORTED)
def test_every_ui_string_is_translated(locale: str) -> None:
    with i18n.catalogue_path(locale).open("rb") as handle:
        catalogue = read_po(handle, locale=locale)
    translated = {
        m.id[0] if isinstance(m.id, tuple) else m.id
        for m in catalogue
        if m.id and m.string and all(m.string if isinstance(m.string, tuple) else [m.string]) and not m.fuzzy
    }
    missing = sorted(_source_messages() - translated)
    assert not missing, f"{locale}: run `make messages` and translate: {missing[:10]}"


def test_chinese_catalogue_is_really_chinese() -> None:
    i18n.set_locale("zh_Hans")
    assert i18n.gettext("Sign in") == "登录"
    assert i18n.gettext("Page %(num)d", num=3) == "第 3 页"
    i18n.set_locale("en")
    assert i18n.gettext("Sign in") == "Sign in"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "zh_Hans"),
        ("en-US,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh_Hans"),
        ("fr-FR,en;q=0.5", "en"),
        ("de-DE", "zh_Hans"),
        ("en;q=0.3,zh-TW;q=0.9", "zh_Hans"),
        ("en;q=0, de", "zh_Hans"),
        ("fr, en;q=0", "zh_Hans"),
    ],
)
def test_accept_language_is_negotiated(header: str | None, expected: str) -> None:
    assert i18n.negotiate(header) == expected


async def test_browser_language_is_used_until_the_user_picks_one(client: httpx.AsyncClient) -> None:
    english = await client.get("/login", headers={"accept-language": "en-GB,en;q=0.9"})
    assert soup(english).html["lang"] == "en" and soup(english).h1.get_text(strip=True) == "Staff sign-in"
    switched = await post_form(client, "/login", "/language", {"lang": "zh-Hans", "next": "/login"})
    assert switched.status_code == 303 and switched.headers["location"] == "/login"
    chinese = await client.get("/login", headers={"accept-language": "en-GB,en;q=0.9"})
    assert soup(chinese).html["lang"] == "zh-Hans" and soup(chinese).h1.get_text(strip=True) == "员工登录"


async def test_language_switch_refuses_foreign_redirects(client: httpx.AsyncClient) -> None:
    response = await post_form(client, "/login", "/language", {"lang": "en", "next": "https://evil.example/"})
    assert response.headers["location"] == "/"


async def test_times_are_shown_in_beijing_time(client: httpx.AsyncClient) -> None:
    from lostfound.tables import StaffUser

    await make_user("dc.admin", role=Role.ADMIN)
    await StaffUser.update({StaffUser.last_login_at: datetime(2026, 3, 28, 13, 40, tzinfo=UTC)}).where(
        StaffUser.username == "dc.admin"
    )
    await sign_in(client, "dc.admin")
    await StaffUser.update({StaffUser.last_login_at: datetime(2026, 3, 28, 13, 40, tzinfo=UTC)}).where(
        StaffUser.username == "dc.admin"
    )
    page = await client.get("/admin/users/dc.admin")
    assert "2026-03-28 21:40" in page.text
