"""A duty officer on a phone logs a found wallet with an ID card, cash and a photo.

The walk goes through the ☰ menu to the intake form, fills it in the order an officer
would (each content row's kind first, because intake.js hides the fields that do not
fit it), attaches a JPEG, submits, and checks the detail page and the list.

Every page visited is screenshotted to ``tests/browser/screenshots/`` and checked with
axe-core; serious and critical violations fail the test. On the phone no page may be
wider than the screen.

The live server is shared with the other browser tests, so nothing here depends on
which items exist already: the reference is matched by pattern and the list is searched
for this test's own description.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

ID_NUMBER = "330784198805121239"
ID_MASKED = "330784********1239"
REFERENCE_PATH = re.compile(r"/items/(DC-\d{4}-\d{6})$")


def _make_photo(directory: Path) -> Path:
    from PIL import Image, ImageDraw

    path = directory / "wallet.jpg"
    image = Image.new("RGB", (640, 480), (139, 90, 43))
    draw = ImageDraw.Draw(image)
    draw.rectangle((80, 120, 560, 360), fill=(90, 55, 25), outline=(40, 20, 10), width=8)
    draw.ellipse((440, 210, 500, 270), fill=(200, 170, 60))
    image.save(path, "JPEG", quality=85)
    return path


def _assert_fits_the_screen(page: Any, step: str) -> None:
    widths = page.evaluate("() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert widths["scroll"] <= widths["inner"], (
        f"{step}: the page is {widths['scroll']} px wide on a {widths['inner']} px screen"
    )


def _assert_contents_fit(page: Any, step: str) -> None:
    """The contents table shows every number whole, without scrolling inside its card."""
    widths = page.locator(".table-wrap").first.evaluate(
        "box => ({scroll: box.scrollWidth, inner: box.clientWidth})"
    )
    assert widths["scroll"] <= widths["inner"], (
        f"{step}: the contents table is {widths['scroll']} px wide in a {widths['inner']} px card"
    )


def _check(page: Any, check_page: Callable[[Any, str], None], step: str) -> None:
    check_page(page, step)
    _assert_fits_the_screen(page, step)


def _sign_in(page: Any, officer: Any) -> None:
    from playwright.sync_api import expect

    page.goto("/login")
    form = page.locator("form[action='/login']")
    form.locator("#f-username").fill(officer.username)
    form.locator("#f-password").fill(officer.password)
    form.locator("button[type=submit]").click()
    expect(page.locator("main h1")).to_have_text("值班台")


def _open_menu(page: Any) -> Any:
    from playwright.sync_api import expect

    menu = page.locator("details.menu")
    menu.locator("> summary").click()
    expect(menu).to_have_attribute("open", "")
    expect(menu.locator("nav")).to_be_visible()
    return menu


def _choose_kind(page: Any, index: int, kind: str) -> None:
    """Choose the row's kind first: intake.js then shows only the fields that fit it."""
    from playwright.sync_api import expect

    page.locator(f"#c-{index}-kind").select_option(kind)
    expect(page.locator(f"#c-{index}-kind")).to_have_value(kind)


def _log_a_wallet(
    page: Any, live_server: str, officer: Any, photo: Path, check_page: Callable[[Any, str], None]
) -> None:
    from playwright.sync_api import expect

    description = f"棕色皮质钱包 测试{uuid.uuid4().hex[:8]}"
    main = page.locator("main")

    _sign_in(page, officer)
    _assert_fits_the_screen(page, "desk")

    # The intake form is behind the ☰ menu on a phone.
    menu = _open_menu(page)
    menu.get_by_role("link", name="登记物品", exact=True).click()
    expect(page).to_have_url(f"{live_server}/items/new")
    expect(page.locator("main h1")).to_have_text("登记拾得物品")
    expect(page.locator("nav a[aria-current='page']")).to_have_attribute("href", "/items/new")
    # intake.js has run: it reveals the "add another row" button, hidden without JavaScript.
    expect(page.locator("[data-add-row]")).to_be_visible()
    _check(page, check_page, "10-intake-empty-zh")

    # The item.
    page.locator("#f-category").select_option("wallet")
    expect(page.locator("#f-category option:checked")).to_have_text("钱包")
    page.locator("#f-description").fill(description)
    page.locator("#f-storage_location").fill("A-03")
    expect(page.locator("#f-found_at")).not_to_have_value("")

    # Where, and the finder.
    page.locator("#f-found_place").fill("人民路夜市东口公交站")
    page.locator("#f-finder_name").fill("应师傅")
    page.locator("#f-finder_phone").fill("13905792233")
    page.locator("#f-finder_consent").check()
    page.get_by_label("放弃报酬").check()
    expect(page.locator("input[name=finder_reward][value=waived]")).to_be_checked()

    # Row 0: an ID card. Its number field appears once the kind is chosen; cash fields do not.
    _choose_kind(page, 0, "id_card")
    expect(page.locator("#c-0-kind option:checked")).to_have_text("居民身份证")
    expect(page.locator("#c-0-id_number")).to_be_visible()
    expect(page.locator("#c-0-amount")).to_be_hidden()
    page.locator("#c-0-holder_name").fill("王丽华")
    page.locator("#c-0-id_number").fill(ID_NUMBER)

    # Row 1: the cash. Only the amount (and a note) fit it.
    _choose_kind(page, 1, "cash")
    expect(page.locator("#c-1-kind option:checked")).to_have_text("现金")
    expect(page.locator("#c-1-amount")).to_be_visible()
    expect(page.locator("#c-1-holder_name")).to_be_hidden()
    expect(page.locator("#c-1-id_number")).to_be_hidden()
    page.locator("#c-1-amount").fill("260")

    # A photo taken on the spot.
    page.locator("#f-photos").set_input_files(str(photo))
    assert page.locator("#f-photos").evaluate("input => input.files.length") == 1
    _check(page, check_page, "11-intake-filled-zh")

    # Save.
    page.locator("form.intake button[type=submit]").click()
    expect(page).to_have_url(REFERENCE_PATH)
    match = REFERENCE_PATH.search(page.url)
    assert match is not None, page.url
    reference = match.group(1)
    expect(page.locator("main h1")).to_contain_text(reference)

    flash = page.locator("main .flashes[role=status]")
    expect(flash).to_contain_text("已登记")
    expect(flash).to_contain_text(reference)

    # The ID number is masked; the full number never reaches the page.
    expect(main).to_contain_text(ID_MASKED)
    assert ID_NUMBER not in page.content(), "the full ID number is in the detail page's HTML"
    expect(main).to_contain_text("¥260.00")
    expect(main).to_contain_text(description)
    expect(main).to_contain_text("A-03")
    expect(main).to_contain_text("放弃报酬")

    # One thumbnail, and it really loaded.
    thumbnails = page.locator(".photo-grid img")
    expect(thumbnails).to_have_count(1)
    thumbnails.first.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const img = document.querySelector('.photo-grid img');"
        " return img && img.complete && img.naturalWidth > 0; }"
    )
    assert thumbnails.first.evaluate("img => img.naturalWidth") > 0
    _check(page, check_page, "12-item-detail-zh")
    _assert_contents_fit(page, "12-item-detail-zh")
    # English words are longer: the table must still fit, its headings and kinds wrapping.
    page.locator("form.language-switch button[lang=en]").click()
    expect(page.locator("main h1")).to_contain_text(reference)
    expect(main).to_contain_text("Resident ID card")
    _assert_contents_fit(page, "12-item-detail-en")
    page.locator("form.language-switch button[lang=zh-Hans]").click()
    expect(main).to_contain_text("居民身份证")

    # The list, through the menu, shows the new item.
    menu = _open_menu(page)
    menu.get_by_role("link", name="拾得物品", exact=True).click()
    expect(page).to_have_url(f"{live_server}/items")
    expect(page.locator("main h1")).to_have_text("拾得物品")
    card = page.locator(".item-list .item-card", has_text=description)
    expect(card).to_have_count(1)
    expect(card.locator(".ref")).to_have_text(reference)
    expect(card.locator("a")).to_have_attribute("href", f"/items/{reference}")
    assert ID_NUMBER not in page.content(), "the full ID number is in the list page's HTML"
    _check(page, check_page, "13-item-list-zh")


def test_duty_officer_logs_a_wallet_with_contents_and_a_photo_on_a_phone(
    on_phone: Callable[[Callable[[Any], Any]], Any],
    live_server: str,
    officer: Any,
    check_page: Callable[[Any, str], None],
    tmp_path: Path,
) -> None:
    photo = _make_photo(tmp_path)
    on_phone(lambda page: _log_a_wallet(page, live_server, officer, photo, check_page))
