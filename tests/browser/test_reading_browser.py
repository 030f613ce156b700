"""A duty officer photographs the ID card found in a wallet and the intake form fills itself.

The reading is only a suggestion: the form refuses to save until the officer ticks that they
checked it against the card; then the item is saved with the number masked on its page.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.factories import CARD_NAME, CARD_NUMBER, card_jpeg

pytestmark = pytest.mark.browser

REFERENCE_PATH = re.compile(r"/items/(DC-\d{4}-\d{6})$")


def _read_and_save(page: Any, officer: Any, card: Path, check_page: Callable[[Any, str], None]) -> None:
    from playwright.sync_api import expect

    page.goto("/login")
    page.locator("#f-username").fill(officer.username)
    page.locator("#f-password").fill(officer.password)
    page.locator("form[action='/login'] button[type=submit]").click()
    expect(page.locator("main h1")).to_have_text("值班台")

    page.goto("/items/new")
    read = page.get_by_role("button", name="识别证件")
    expect(read).to_be_visible()  # reader.js has run
    expect(read).to_be_disabled()  # nothing chosen yet
    page.locator("#f-document").set_input_files(str(card))
    expect(read).to_be_enabled()
    read.click()

    # The first free content row becomes the ID card, filled in, waiting for the officer's check.
    expect(page.locator("#c-0-id_number")).to_have_value(CARD_NUMBER, timeout=30_000)
    expect(page.locator("#c-0-kind")).to_have_value("id_card")
    expect(page.locator("#c-0-holder_name")).to_have_value(CARD_NAME)
    panel = page.locator("[data-reading]")
    expect(panel).to_contain_text("身份证")
    expect(panel).to_contain_text("1990-03-14")
    expect(panel).to_contain_text("男")
    confirm = page.locator("#f-reading-confirmed")
    expect(confirm).to_be_visible()
    expect(confirm).not_to_be_checked()
    check_page(page, "50-intake-read-from-card-zh")

    description = f"黑色皮质钱包 识别{uuid.uuid4().hex[:8]}"
    page.locator("#f-category").select_option("wallet")
    page.locator("#f-description").fill(description)
    page.locator("#f-storage_location").fill("A-07")
    page.locator("#f-found_place").fill("青石路夜市")
    page.locator("form.intake button[type=submit]").click()
    expect(page.locator("#f-reading-error")).to_contain_text("核对")  # not checked: not saved
    check_page(page, "51-intake-reading-unchecked-zh")

    # The form came back with what was entered; the photo has to be chosen again.
    expect(page.locator("#c-0-id_number")).to_have_value(CARD_NUMBER)
    page.locator("#f-document").set_input_files(str(card))
    page.locator("#f-reading-confirmed").check()
    page.locator("form.intake button[type=submit]").click()
    expect(page).to_have_url(REFERENCE_PATH, timeout=30_000)  # the public copy is blurred on saving
    main = page.locator("main")
    expect(main).to_contain_text("330784********1232")
    assert CARD_NUMBER not in page.content()
    expect(page.locator(".photo-grid img")).to_have_count(1)
    check_page(page, "52-item-saved-from-card-zh")


def test_the_id_card_photo_fills_the_intake_form(
    on_desktop: Callable[[Callable[[Any], Any]], Any],
    officer: Any,
    check_page: Callable[[Any, str], None],
    tmp_path: Path,
) -> None:
    card = tmp_path / "card.jpg"
    card.write_bytes(card_jpeg())
    on_desktop(lambda page: _read_and_save(page, officer, card, check_page))
