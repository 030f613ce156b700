"""The night-market wallet of the demo goes back to its owner, end to end in Chromium.

The duty officer signs in with the password ``lostfound demo`` printed (and replaces it),
confirms the suggested match, checks the owner's ID, ticks what she described, has the
supervisor confirm with their own password (the wallet holds cash and a deposit slip), lets
her sign on the canvas, and prints the receipt, whose code the public page confirms.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.browser

OWNER_ID = "330784198805121239"  # the demo owner's made-up number
NEW_PASSWORD = "Handover-Desk-2026"


def _sign_in(page: Any, username: str, password: str) -> None:
    """Sign in, replacing the password first when the account must."""
    from playwright.sync_api import expect

    page.goto("/login")
    page.fill("#f-username", username)
    page.fill("#f-password", password)
    page.press("#f-password", "Enter")
    expect(page).not_to_have_url(re.compile(r"/login"))
    if "/account/password" not in page.url:
        return
    page.fill("#f-current_password", password)
    page.fill("#f-new_password", NEW_PASSWORD)
    page.fill("#f-confirm_password", NEW_PASSWORD)
    page.press("#f-confirm_password", "Enter")
    expect(page).not_to_have_url(re.compile(r"/account/password"))


def _sign(page: Any) -> None:
    canvas = page.locator("[data-signature-canvas]")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    points = [(0.1, 0.7), (0.25, 0.2), (0.4, 0.75), (0.55, 0.3), (0.7, 0.7), (0.9, 0.4)]
    page.mouse.move(box["x"] + box["width"] * points[0][0], box["y"] + box["height"] * points[0][1])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(box["x"] + box["width"] * x, box["y"] + box["height"] * y, steps=8)
    page.mouse.up()


def test_the_demo_wallet_goes_back_to_its_owner(
    on_demo_desktop: Callable[[Callable[[Any], Any]], Any],
    demo_server: Any,
    check_page: Callable[[Any, str], None],
) -> None:
    from playwright.sync_api import expect

    passwords = demo_server.passwords

    def steps(page: Any) -> None:
        _sign_in(page, "dc.duty", passwords["dc.duty"])

        # The queue opens with the wallet's strong match; the officer confirms it.
        page.goto("/matches")
        page.locator(".match-card a").first.click()
        expect(page.locator("main h1")).to_contain_text("DC-")
        page.locator("form[action$='/confirm'] button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/items/DC-\d{4}-\d{6}$"))
        reference = page.url.rsplit("/", 1)[1]

        page.get_by_role("link", name="交还失主").click()
        expect(page).to_have_url(re.compile(rf"/items/{reference}/handover$"))
        check_page(page, "handover-form")

        # The ID check says the number agrees, without ever showing the stored one.
        page.fill("#f-owner_name", "黎晓梅")
        page.fill("#f-id_number", OWNER_ID)
        page.get_by_role("button", name="核验身份证号").click()
        result = page.locator("[data-id-result]")
        expect(result).to_have_attribute("data-id-result", "exact")
        expect(result).to_contain_text("一致")

        # She describes her ID card, the cash and the deposit slip; the supervisor confirms; she signs.
        for label in ("居民身份证", "现金", "存单"):
            page.locator(".ticks label", has_text=label).first.click()
        page.fill("#f-second_username", "dc.supervisor")
        page.fill("#f-second_password", passwords["dc.supervisor"])
        _sign(page)
        check_page(page, "handover-form-filled")
        page.get_by_role("button", name="交还并打印回执").click()

        expect(page).to_have_url(re.compile(r"/handovers/HO-DC-\d{4}-\d{6}$"))
        receipt = page.locator("article.receipt")
        expect(receipt).to_contain_text("失物认领回执")
        expect(receipt).to_contain_text("330784********1239")
        assert OWNER_ID not in page.content()
        signed = page.locator(".receipt-signature img")
        expect(signed).to_be_visible()
        assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", signed.element_handle())
        check_page(page, "handover-receipt")
        code = page.locator(".receipt-verify .code").inner_text().replace("-", "")

        page.goto(f"/items/{reference}")
        expect(page.locator("main h1 .badge")).to_have_text("已发还")

        # Anyone can confirm the receipt is genuine, and learns nothing about the owner.
        page.context.clear_cookies()
        page.goto(f"/verify?code={code}")
        verified = page.locator(".verified")
        expect(verified).to_contain_text("认领回执")
        assert "黎晓梅" not in verified.inner_text()

        # The demo's found-property notice is on the public board; the wallet never was.
        page.goto("/board")
        expect(page.locator(".board-item")).to_have_count(2)
        check_page(page, "public-board")
        page.locator(".board-item a[href^='/board/notices/']").first.click()
        expect(page.locator("article.notice-sheet h1")).to_contain_text("招领公告")
        check_page(page, "public-notice")

    on_demo_desktop(steps)
