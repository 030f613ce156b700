"""A duty officer on a phone: sign in, open the menu, switch to English, sign out.

Every page visited is screenshotted to ``tests/browser/screenshots/`` and checked with
axe-core; serious and critical violations fail the test.

Chinese copy comes from the zh_Hans catalogue. Those checks are collected and reported
together at the end, so that a missing translation does not hide everything the rest of
the walk would have found (structure, language switching, accessibility).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.browser


class CopyChecks:
    """Soft assertions on translated text: every mismatch is recorded, all are reported at the end."""

    def __init__(self) -> None:
        self.failures: list[str] = []

    def has_text(self, locator: Any, expected: str, where: str) -> None:
        from playwright.sync_api import expect

        try:
            expect(locator).to_have_text(expected, timeout=2_000)
        except AssertionError:
            actual = locator.first.inner_text() if locator.count() else "<missing>"
            self.failures.append(f"{where}: expected {expected!r}, got {actual!r}")

    def verify(self) -> None:
        assert not self.failures, "translated copy is wrong:\n" + "\n".join(f"- {f}" for f in self.failures)


def _assert_html(response: Any) -> None:
    """Pages must be served as HTML, or the browser shows their source as text."""
    assert response is not None, "no response"
    content_type = response.headers.get("content-type", "")
    assert content_type.startswith("text/html"), (
        f"{response.url} answered {response.status} with Content-Type {content_type!r}, expected text/html"
    )


def _open_menu(page: Any) -> Any:
    from playwright.sync_api import expect

    menu = page.locator("details.menu")
    summary = menu.locator("> summary")
    expect(summary).to_be_visible()
    summary.click()
    expect(menu).to_have_attribute("open", "")
    nav = menu.locator("nav")
    expect(nav).to_be_visible()
    return menu


def _walk_as_duty_officer(
    page: Any, live_server: str, officer: Any, check_page: Callable[[Any, str], None]
) -> None:
    from playwright.sync_api import expect

    html = page.locator("html")
    h1 = page.locator("main h1")
    copy = CopyChecks()

    # An anonymous visitor to / is sent to the sign-in page, in Chinese.
    _assert_html(page.goto("/"))
    expect(page).to_have_url(re.compile(r"/login(\?|$)"))
    expect(html).to_have_attribute("lang", "zh-Hans")
    expect(h1).to_have_count(1)
    copy.has_text(h1, "员工登录", "sign-in page h1 (zh-Hans)")
    expect(page.locator("details.menu")).to_have_count(0)
    login_form = page.locator("form[action='/login']")
    expect(login_form.locator("#f-username")).to_be_visible()
    expect(login_form.locator("#f-password")).to_have_attribute("type", "password")
    expect(page.locator("label[for='f-username']")).to_be_visible()
    expect(page.locator("label[for='f-password']")).to_be_visible()
    expect(page.locator("form.language-switch button[value='zh-Hans']")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("form.language-switch button[value='en']")).to_have_attribute("aria-pressed", "false")
    check_page(page, "01-sign-in-zh")

    # Sign in and land on the desk.
    login_form.locator("#f-username").fill(officer.username)
    login_form.locator("#f-password").fill(officer.password)
    login_form.locator("button[type=submit]").click()
    expect(page).to_have_url(f"{live_server}/")
    expect(html).to_have_attribute("lang", "zh-Hans")
    copy.has_text(h1, "值班台", "desk h1 (zh-Hans)")
    expect(page.locator("main .lead")).to_contain_text(officer.display_name)
    expect(page.locator("main")).to_contain_text("DC")
    check_page(page, "02-desk-zh")

    # On a phone the navigation sits behind the ☰ menu.
    menu = page.locator("details.menu")
    expect(menu).not_to_have_attribute("open", "")
    expect(menu.locator("nav")).to_be_hidden()
    _open_menu(page)
    nav = menu.locator("nav[aria-label]")
    expect(nav).to_have_count(1)
    expect(nav.locator("ul a").first).to_be_visible()
    expect(nav.locator("a[aria-current='page']")).to_have_count(1)
    expect(nav.locator("form[action='/logout'] button[type=submit]")).to_be_visible()
    check_page(page, "03-desk-menu-zh")

    # Switch to English.
    page.locator("form.language-switch button[value='en']").click()
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{live_server}/")
    expect(h1).to_have_text("Station desk")
    expect(page.locator("form.language-switch button[value='en']")).to_have_attribute("aria-pressed", "true")
    check_page(page, "04-desk-en")

    # The choice is remembered in a cookie.
    assert any(c["name"] == "lang" and c["value"] == "en" for c in page.context.cookies()), (
        page.context.cookies()
    )
    _assert_html(page.reload())
    expect(html).to_have_attribute("lang", "en")
    expect(h1).to_have_text("Station desk")
    check_page(page, "05-desk-en-reloaded")

    # Sign out from the menu.
    menu = _open_menu(page)
    menu.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login\?signed_out=1$"))
    expect(html).to_have_attribute("lang", "en")
    expect(h1).to_have_text("Staff sign-in")
    expect(page.locator("main [role=status]")).to_have_text("You have signed out.")
    expect(page.locator("details.menu")).to_have_count(0)
    check_page(page, "06-signed-out-en")

    # Signed out means signed out: the desk sends us back to the sign-in page.
    _assert_html(page.goto("/"))
    expect(page).to_have_url(re.compile(r"/login(\?|$)"))

    copy.verify()


def test_duty_officer_signs_in_switches_language_and_signs_out_on_a_phone(
    on_phone: Callable[[Callable[[Any], Any]], Any],
    live_server: str,
    officer: Any,
    check_page: Callable[[Any, str], None],
) -> None:
    on_phone(lambda page: _walk_as_duty_officer(page, live_server, officer, check_page))


def _desk_on_a_wide_screen(page: Any, officer: Any, check_page: Callable[[Any, str], None]) -> None:
    from playwright.sync_api import expect

    page.goto("/login")
    page.locator("#f-username").fill(officer.username)
    page.locator("#f-password").fill(officer.password)
    page.locator("form[action='/login'] button[type=submit]").click()
    expect(page.locator("main h1")).to_have_text("值班台")
    # No toggle on a desk screen: the navigation and the sign-out button are in view at once.
    expect(page.locator("details.menu > summary")).to_be_hidden()
    expect(page.locator("nav a[aria-current='page']")).to_be_visible()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    check_page(page, "07-desk-wide-zh")


def test_desk_shows_the_navigation_without_a_toggle_on_a_wide_screen(
    on_desktop: Callable[[Callable[[Any], Any]], Any],
    officer: Any,
    check_page: Callable[[Any, str], None],
) -> None:
    on_desktop(lambda page: _desk_on_a_wide_screen(page, officer, check_page))
