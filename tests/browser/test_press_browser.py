"""The press office drafts a commendation of the night rescue, a supervisor approves and publishes
it, and the public page shows it: in Chromium, on the demo server."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.test_handover_browser import _sign_in

pytestmark = pytest.mark.browser


def test_press_drafts_supervisor_approves_public_reads(
    on_demo_desktop: Callable[[Callable[[Any], Any]], Any],
    demo_server: Any,
    check_page: Callable[[Any, str], None],
) -> None:
    from playwright.sync_api import expect

    passwords = demo_server.passwords

    def steps(page: Any) -> None:
        _sign_in(page, "dc.press", passwords["dc.press"])
        page.goto("/deeds")
        page.locator(".deed-list a", has_text="落水").click()
        check_page(page, "deed-detail")
        page.select_option("#n-kind", "commendation")
        page.get_by_role("button", name="生成草稿").click()
        expect(page).to_have_url(re.compile(r"/press/notices/BY-DC-\d{4}-\d{3}$"))
        reference = page.url.rsplit("/", 1)[1]
        # The preview follows the typing.
        page.fill("#f-title", "关于表扬夜间江中救人的民警和救援队员的通报")
        expect(page.locator("[data-preview-title-out]")).to_have_text(
            "关于表扬夜间江中救人的民警和救援队员的通报"
        )
        check_page(page, "notice-editor")
        page.get_by_role("button", name="保存").click()
        expect(page.locator(".alert-success").first).to_be_visible()
        expect(page.locator("form[action$='/approve']")).to_have_count(0)  # not the press office's to approve

        page.context.clear_cookies()
        _sign_in(page, "dc.supervisor", passwords["dc.supervisor"])
        page.goto(f"/press/notices/{reference}")
        page.locator("form[action$='/approve'] button").click()
        page.locator("form[action$='/publish'] button").click()
        expect(page.locator("main h1 .badge")).to_have_text("已发布")

        page.context.clear_cookies()
        page.goto("/commendations")
        page.get_by_role("link", name="关于表扬夜间江中救人的民警和救援队员的通报").click()
        expect(page).to_have_url(re.compile(rf"/commendations/{reference}$"))
        expect(page.locator("article.commendation h1")).to_have_text(
            "关于表扬夜间江中救人的民警和救援队员的通报"
        )
        expect(page.locator("article.commendation")).to_contain_text("吴一帆")
        check_page(page, "commendation-public")

    on_demo_desktop(steps)
