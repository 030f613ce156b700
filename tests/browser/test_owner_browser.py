"""An owner on a phone reports a lost wallet, then checks the report with reference and claim code.

Then an officer at the desk finds the owner's confirmation message in the outbox, delivered
by the server's background loop, with the claim code blanked out.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.test_intake_browser import _assert_fits_the_screen, _sign_in

pytestmark = pytest.mark.browser

ID_NUMBER = "330784198805121239"


def _report_and_check(page: Any, check_page: Callable[[Any, str], None], place: str) -> dict[str, str]:
    from playwright.sync_api import expect

    def check(step: str) -> None:
        check_page(page, step)
        _assert_fits_the_screen(page, step)

    page.goto("/report")
    expect(page.locator("main h1")).to_have_text("网上报失")
    check("20-report-empty-zh")
    page.locator("#f-owner_name").fill("黎晓梅")
    page.locator("#f-owner_id_number").fill(ID_NUMBER)
    page.locator("#f-owner_phone").fill("138 0579 6612")
    page.locator("#f-category").select_option("wallet")
    page.locator("#f-description").fill("棕色皮质长款钱包，内有身份证和存单")
    page.locator("#f-lost_place").fill(place)
    page.locator("#f-consent").check()
    page.locator("main form button[type=submit]").last.click()

    expect(page.locator("main h1")).to_have_text("报失已提交")
    codes = page.locator(".filed .code-value")
    reference, claim_code = codes.nth(0).inner_text().strip(), codes.nth(1).inner_text().strip()
    assert re.fullmatch(r"LR-\d{4}-\d{6}", reference)
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", claim_code)
    check("21-report-filed-zh")

    page.locator("main").get_by_role("link", name="查询报失进展").click()
    page.locator("#f-reference").fill(reference.lower())
    page.locator("#f-claim_code").fill(claim_code.replace("-", " "))
    page.locator("main form button[type=submit]").click()

    expect(page.locator("main h1")).to_contain_text(reference)
    expect(page.locator(".status-line .badge")).to_have_text("仍在查找")
    expect(page.locator("ol.timeline")).to_contain_text("报失已受理")
    assert ID_NUMBER not in page.content() and "13805796612" not in page.content()
    expect(page.locator("dl.facts")).to_contain_text("330784********1239")
    check("22-report-status-zh")
    return {"reference": reference, "claim_code": claim_code}


def _officer_reads_the_outbox(
    page: Any, officer: Any, filed: dict[str, str], check_page: Callable[[Any, str], None]
) -> None:
    from playwright.sync_api import expect

    _sign_in(page, officer)
    page.goto("/outbox")
    message = page.locator("article.message", has_text=filed["reference"])
    # The server's background loop delivers it (log sender by default) within seconds.
    for _ in range(20):
        if message.count() and "已发送" in message.first.inner_text():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(message.first.locator(".badge")).to_have_text("已发送")
    expect(message.first).to_contain_text("110")
    assert filed["claim_code"] not in page.content()
    check_page(page, "23-outbox-zh")


def test_an_owner_reports_a_loss_on_a_phone_and_checks_its_status(
    on_phone: Callable[[Callable[[Any], Any]], Any],
    on_desktop: Callable[[Callable[[Any], Any]], Any],
    officer: Any,
    check_page: Callable[[Any, str], None],
) -> None:
    place = f"青石路夜市 {uuid.uuid4().hex[:6]}"
    filed = on_phone(lambda page: _report_and_check(page, check_page, place))
    on_desktop(lambda page: _officer_reads_the_outbox(page, officer, filed, check_page))
