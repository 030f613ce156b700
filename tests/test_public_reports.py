"""The owner's pages: report a loss on a phone, then check it with reference and claim code."""

from __future__ import annotations

import re

import httpx

from lostfound.tables import LostReport
from tests.factories import csrf_from, soup, text_of

FORM = {
    "owner_name": "黎晓梅",
    "owner_id_number": "330784198805121239",
    "owner_phone": "138 0579 6612",
    "category": "wallet",
    "description": "棕色皮质长款钱包",
    "lost_from": "2025-03-28T19:00",
    "lost_to": "2025-03-28T22:00",
    "lost_place": "青石路夜市",
    "c-0-kind": "deposit_slip",
    "c-0-holder_name": "黎晓梅",
    "c-0-amount": "100000",
    "consent": "1",
}


async def _file(client: httpx.AsyncClient, form: dict[str, str]) -> httpx.Response:
    page = await client.get("/report")
    return await client.post("/report", data={**form, "_csrf_token": csrf_from(page)})


async def test_an_owner_reports_a_loss_and_checks_it(client: httpx.AsyncClient) -> None:
    filed = await _file(client, FORM)
    assert filed.status_code == 200 and filed.headers["cache-control"] == "no-store"
    values = [dd.get_text(strip=True) for dd in soup(filed).select("dd.code-value")]
    reference, code = values
    assert reference.startswith("LR-") and len(code) == 14  # XXXX-XXXX-XXXX
    assert "从不索要钱款" in text_of(filed)
    page = await client.get("/claim")
    status = await client.post(
        "/claim", data={"reference": reference.lower(), "claim_code": code, "_csrf_token": csrf_from(page)}
    )
    assert status.status_code == 200, text_of(status)
    text = text_of(status)
    assert "仍在查找" in text and "棕色皮质长款钱包" in text and "330784********1239" in text
    assert "330784198805121239" not in status.text


async def test_a_wrong_code_gets_one_plain_answer(client: httpx.AsyncClient) -> None:
    reference = soup(await _file(client, FORM)).select_one("dd.code-value").get_text(strip=True)
    page = await client.get("/claim")
    wrong = await client.post(
        "/claim",
        data={"reference": reference, "claim_code": "AAAA-BBBB-CCCC", "_csrf_token": csrf_from(page)},
    )
    unknown = await client.post(
        "/claim",
        data={"reference": "LR-2020-000042", "claim_code": "AAAA-BBBB-CCCC", "_csrf_token": csrf_from(page)},
    )
    assert wrong.status_code == unknown.status_code == 400
    messages = [soup(r).select_one(".alert-error").get_text(strip=True) for r in (wrong, unknown)]
    assert messages[0] == messages[1] == "编号与认领码不匹配。请核对后重试。"


async def test_missing_consent_and_contact_are_marked_and_the_input_kept(client: httpx.AsyncClient) -> None:
    form = {**FORM, "consent": "", "owner_phone": ""}
    response = await _file(client, form)
    assert response.status_code == 400
    page = soup(response)
    assert page.select_one("#f-owner_phone-error") is not None
    assert "请同意" in page.get_text()
    assert page.select_one("#f-owner_name")["value"] == "黎晓梅"
    assert await LostReport.count() == 0


async def _checked(client: httpx.AsyncClient) -> str:
    filed = await _file(client, FORM)
    reference, code = [dd.get_text(strip=True) for dd in soup(filed).select("dd.code-value")]
    page = await client.get("/claim")
    await client.post(
        "/claim", data={"reference": reference, "claim_code": code, "_csrf_token": csrf_from(page)}
    )
    return reference


async def test_the_owner_updates_contact_details_and_withdraws(client: httpx.AsyncClient) -> None:
    reference = await _checked(client)
    page = await client.get("/claim")
    updated = await client.post(
        "/claim/contact",
        data={
            "owner_phone": "139 0579 0000",
            "owner_email": "li@example.com",
            "_csrf_token": csrf_from(page),
        },
    )
    assert updated.status_code == 200 and "139****0000" in text_of(updated)
    stored = await LostReport.select(LostReport.owner_phone_masked, LostReport.owner_email).first()
    assert stored == {"owner_phone_masked": "139****0000", "owner_email": "li@example.com"}
    withdrawn = await client.post("/claim/withdraw", data={"_csrf_token": csrf_from(page)})
    assert (
        "失主已撤回" in text_of(withdrawn)
        and soup(withdrawn).select_one("form[action='/claim/withdraw']") is None
    )
    assert (await LostReport.select(LostReport.status).first())["status"] == "withdrawn"
    assert reference.startswith("LR-")


async def test_changes_need_the_claim_code_proven_in_this_session(client: httpx.AsyncClient, app) -> None:
    await _checked(client)
    from tests.factories import http_client

    async with http_client(app) as stranger:
        page = await stranger.get("/claim")
        response = await stranger.post(
            "/claim/withdraw", data={"_csrf_token": csrf_from(page)}, follow_redirects=False
        )
        assert response.status_code == 303 and response.headers["location"] == "/claim"
    assert (await LostReport.select(LostReport.status).first())["status"] == "open"


async def test_an_officer_at_the_desk_files_for_the_owner_on_the_same_form(client: httpx.AsyncClient) -> None:
    from lostfound.domain.roles import Role
    from lostfound.tables import LostReport
    from tests.factories import make_station, make_user, sign_in

    await make_station("DC")
    await make_user("dc.duty", Role.DUTY_OFFICER, "DC")
    await sign_in(client, "dc.duty")
    response = await _file(client, FORM)
    assert response.status_code == 200, text_of(response)
    row = await LostReport.select(LostReport.channel, LostReport.station.code.as_alias("station")).first()
    assert row == {"channel": "desk", "station": "DC"}


async def test_an_officer_at_the_desk_is_not_held_to_the_public_hourly_limit(
    client: httpx.AsyncClient,
) -> None:
    from lostfound.domain.roles import Role
    from tests.factories import make_user, sign_in

    await make_user("dc.duty", Role.DUTY_OFFICER, "DC")
    await sign_in(client, "dc.duty")
    page = await client.get("/report")
    token = csrf_from(page)
    statuses = [
        (await client.post("/report", data={**FORM, "_csrf_token": token})).status_code for _ in range(23)
    ]
    assert statuses == [200] * 23
    assert await LostReport.count().where(LostReport.channel == "desk") == 23


async def test_the_public_form_is_refused_after_20_an_hour_with_the_wait_in_words(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/report")
    token = csrf_from(page)
    statuses = [
        (await client.post("/report", data={**FORM, "_csrf_token": token})).status_code for _ in range(21)
    ]
    assert statuses == [200] * 20 + [429]
    chinese = await client.post("/report", data={**FORM, "_csrf_token": token})
    english = await client.post(
        "/report", data={**FORM, "_csrf_token": token}, headers={"Accept-Language": "en"}
    )
    assert chinese.status_code == english.status_code == 429
    assert re.search(r"请约 (59|60) 分钟后再试", text_of(chinese)), text_of(chinese)
    assert re.search(r"Try again in about (59|60) minutes\.", text_of(english)), text_of(english)
    assert "一分钟" not in text_of(chinese) and "a minute" not in text_of(english)
