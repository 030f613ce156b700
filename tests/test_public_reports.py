"""The owner's pages: report a loss on a phone, then check it with reference and claim code."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from lostfound.services import lost_reports
from lostfound.tables import AuditEvent, FoundItem, LostReport, Match
from tests.factories import csrf_from, post_form, sign_in, soup, text_of
from tests.test_match_review import ID_CONTENTS
from tests.test_matching import _headers, _item

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


async def test_the_owner_may_keep_a_card_number_as_printed_and_is_told_how_to_type_their_own(
    client: httpx.AsyncClient,
) -> None:
    misread = "330784198805121237"  # a card in the lost wallet: its check character fails
    form = {**FORM, "c-1-kind": "id_card", "c-1-holder_name": "黎小雨", "c-1-id_number": misread}
    refused = await _file(client, form)
    assert refused.status_code == 400 and "如实登记" in text_of(refused)
    assert await LostReport.count() == 0
    kept = await _file(client, {**form, "c-1-as_printed": "1"})
    assert kept.status_code == 200, text_of(kept)
    assert await LostReport.count() == 1
    # The owner's own number, typed short or as a passport: no talk of * or of "as printed".
    for typed in ("33078419880512", "E12345678"):
        response = await _file(client, {**FORM, "owner_id_number": typed})
        assert response.status_code == 400
        error = soup(response).select_one("#f-owner_id_number").find_parent(class_="field")
        assert "18位" in error.get_text() and "护照" in error.get_text() and "*" not in error.get_text()
    assert await LostReport.count() == 1


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


async def _prove(client: httpx.AsyncClient, form: dict[str, str] = FORM) -> tuple[str, str]:
    """File a report on the form and prove its claim code in this session: (reference, claim code)."""
    filed = await _file(client, form)
    reference, code = [dd.get_text(strip=True) for dd in soup(filed).select("dd.code-value")]
    await _status(client, reference, code)
    return reference, code


async def _status(client: httpx.AsyncClient, reference: str, code: str) -> httpx.Response:
    page = await client.get("/claim")
    return await client.post(
        "/claim", data={"reference": reference, "claim_code": code, "_csrf_token": csrf_from(page)}
    )


async def _confirm_the_only_match(client: httpx.AsyncClient) -> None:
    """An officer of 东城派出所 (phone 0579-1) confirms the suggested match; the client is signed out after."""
    match_id = (await Match.select(Match.id).first())["id"]
    client.cookies.clear()
    await sign_in(client, "dc.duty")
    confirmed = await post_form(client, f"/matches/{match_id}", f"/matches/{match_id}/confirm", {})
    assert confirmed.status_code == 303
    client.cookies.clear()


async def test_a_matched_report_cannot_be_withdrawn_and_the_owner_is_sent_to_the_station(
    client: httpx.AsyncClient,
) -> None:
    """The wallet waits at the station for its owner: a withdrawn report would leave it waiting for nobody."""
    reference, code = await _prove(client)
    await _item(client, await _headers(), ID_CONTENTS)
    await _confirm_the_only_match(client)
    status = await _status(client, reference, code)
    assert status.status_code == 200 and soup(status).select_one(".pickup") is not None
    assert soup(status).select_one("form[action='/claim/withdraw']") is None
    assert "如您不再需要，请致电派出所说明" in soup(status).select_one(".pickup").get_text()

    refused = await client.post("/claim/withdraw", data={"_csrf_token": csrf_from(status)})
    assert refused.status_code == 409
    warning = soup(refused).select_one(".flashes .alert-warning").get_text(strip=True)
    assert warning == (
        "您的物品正在东城派出所等您领取，报失已不能撤回。如您不再需要该物品，请致电 0579-1 向派出所说明。"
    )
    english = await client.post(
        "/claim/withdraw", data={"_csrf_token": csrf_from(status)}, headers={"Accept-Language": "en"}
    )
    assert english.status_code == 409
    assert "waiting for you at Dongcheng Police Station" in text_of(english) and "0579-1" in text_of(english)
    assert (await LostReport.select(LostReport.status).first())["status"] == "matched"
    assert (await FoundItem.select(FoundItem.status).first())["status"] == "owner_found"
    assert [row["state"] for row in await Match.select(Match.state)] == ["confirmed"]
    assert not await AuditEvent.exists().where(AuditEvent.action == "lost_report.withdraw")
    with pytest.raises(lost_reports.ReportMatched) as service_refusal:
        await lost_reports.withdraw(reference)
    assert service_refusal.value.station is not None and service_refusal.value.station["code"] == "DC"


async def test_an_open_report_is_still_withdrawn_by_its_owner(client: httpx.AsyncClient) -> None:
    _, code = await _prove(client)
    page = await client.get("/claim")
    withdrawn = await client.post("/claim/withdraw", data={"_csrf_token": csrf_from(page)})
    assert withdrawn.status_code == 200 and "失主已撤回" in text_of(withdrawn)
    assert (await LostReport.select(LostReport.status).first())["status"] == "withdrawn"
    assert code


NO_ID = {**FORM, "owner_id_number": "", "c-0-kind": "", "c-0-holder_name": "", "c-0-amount": ""}
PHONE_CONTENTS = [
    {"kind": "bank_card", "holder_name": "李晓梅", "card_last4": "0128"},
    {"kind": "phone_number", "phone": "138-0579-6612"},
]


async def _phone_suggestion() -> list[str]:
    """The reports suggested for the found item because of the phone number in it."""
    rows = await Match.select(Match.report.reference, Match.reasons)
    return [
        row["report.reference"]
        for row in rows
        if any(reason["field"] == "phone" for reason in json.loads(row["reasons"]))
    ]


async def test_changing_only_the_e_mail_keeps_the_phone_and_its_suggestion(client: httpx.AsyncClient) -> None:
    """The phone is never shown in full, so the form cannot send it back: an empty field keeps it."""
    reference, code = await _prove(client, NO_ID)
    await _item(client, await _headers(), PHONE_CONTENTS)
    assert await _phone_suggestion() == [reference]
    before = await LostReport.select(LostReport.owner_phone_hash).first()
    page = await _status(client, reference, code)
    phone = soup(page).select_one("#f-owner_phone")
    assert phone["value"] == "" and phone["placeholder"] == "138****6612"
    assert "留空则保留 138****6612" in text_of(page)
    assert soup(page).select_one("input[name='remove_phone'][type='checkbox']") is not None
    updated = await client.post(
        "/claim/contact",
        data={"owner_phone": "", "owner_email": "li@example.com", "_csrf_token": csrf_from(page)},
    )
    assert updated.status_code == 200 and "联系方式已更新" in text_of(updated)
    stored = await LostReport.select(
        LostReport.owner_phone_masked, LostReport.owner_phone_hash, LostReport.owner_email
    ).first()
    assert stored == {
        "owner_phone_masked": "138****6612",
        "owner_phone_hash": before["owner_phone_hash"],
        "owner_email": "li@example.com",
    }
    assert await _phone_suggestion() == [reference]
    assert soup(updated).select_one("#f-owner_email")["value"] == "li@example.com"


async def test_the_remove_phone_box_removes_it_when_an_e_mail_remains(client: httpx.AsyncClient) -> None:
    reference, code = await _prove(client, NO_ID)
    await _item(client, await _headers(), PHONE_CONTENTS)
    assert await _phone_suggestion() == [reference]
    page = await _status(client, reference, code)
    token = csrf_from(page)

    # Without an e-mail the owner could not be reached: refused, nothing changed.
    alone = await client.post(
        "/claim/contact", data={"owner_email": "", "remove_phone": "1", "_csrf_token": token}
    )
    assert alone.status_code == 400
    assert "请留下电子邮箱" in soup(alone).select_one("#f-owner_phone-error").get_text()
    assert soup(alone).select_one("#f-remove_phone").has_attr("checked")
    # A new number and the box together are a contradiction, not a guess.
    both = await client.post(
        "/claim/contact",
        data={"owner_phone": "13905790000", "owner_email": "li@example.com", "remove_phone": "1",
              "_csrf_token": token},
    )  # fmt: skip
    assert both.status_code == 400 and "二者只能选其一" in text_of(both)
    assert soup(both).select_one("#f-owner_email")["value"] == "li@example.com"
    assert (await LostReport.select(LostReport.owner_phone_masked).first())[
        "owner_phone_masked"
    ] == "138****6612"
    assert await _phone_suggestion() == [reference]

    removed = await client.post(
        "/claim/contact",
        data={"owner_email": "li@example.com", "remove_phone": "1", "_csrf_token": token},
    )
    assert removed.status_code == 200
    stored = await LostReport.select(
        LostReport.owner_phone_enc, LostReport.owner_phone_masked, LostReport.owner_phone_hash,
        LostReport.owner_email,
    ).first()  # fmt: skip
    assert stored == {
        "owner_phone_enc": "",
        "owner_phone_masked": "",
        "owner_phone_hash": "",
        "owner_email": "li@example.com",
    }
    assert await _phone_suggestion() == []
    # No phone on file: the form asks for one plainly, with nothing to keep or remove.
    assert soup(removed).select_one("input[name='remove_phone']") is None
    assert not soup(removed).select_one("#f-owner_phone").has_attr("placeholder")


async def test_saving_the_form_unchanged_records_nothing(client: httpx.AsyncClient) -> None:
    reference, _ = await _prove(client)
    page = await client.get("/claim")
    same = await client.post(
        "/claim/contact", data={"owner_phone": "", "owner_email": "", "_csrf_token": csrf_from(page)}
    )
    assert same.status_code == 200 and "联系方式没有变化" in text_of(same)
    assert (await LostReport.select(LostReport.owner_phone_masked).first())[
        "owner_phone_masked"
    ] == "138****6612"
    steps = await lost_reports.timeline(reference)
    assert [step["action"] for step in steps] == ["lost_report.create"]
