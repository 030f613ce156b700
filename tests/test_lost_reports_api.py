"""Owners file lost reports and check them with reference + claim code; nothing leaks to anyone else."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from lostfound.domain.roles import Role
from lostfound.services import accounts
from lostfound.tables import AuditEvent, LostReport, ReportContent
from tests.factories import SYSTEM, make_user

ID_NUMBER = "330784198805121239"  # made up; check digit valid

REPORT = {
    "owner": {"name": "黎晓梅", "id_number": ID_NUMBER, "phone": "138 0579 6612", "email": "li@example.com"},
    "category": "wallet",
    "description": "棕色皮质长款钱包",
    "colour": "棕色",
    "lost_from": "2025-03-28T19:00:00+08:00",
    "lost_to": "2025-03-28T22:00:00+08:00",
    "lost_place": "青石路夜市",
    "district": "东城区",
    "consent": True,
    "contents": [
        {"kind": "id_card", "holder_name": "黎晓梅", "id_number": ID_NUMBER},
        {"kind": "deposit_slip", "holder_name": "黎晓梅", "bank": "农业银行", "amount": "100000.00"},
    ],
}


async def _file(client: httpx.AsyncClient, body: dict | None = None, **headers: str) -> httpx.Response:
    return await client.post("/api/v1/lost-reports", json=body or REPORT, headers=headers)


async def test_an_owner_files_a_report_and_gets_a_readable_claim_code(client: httpx.AsyncClient) -> None:
    response = await _file(client)
    assert response.status_code == 201, response.text
    body = response.json()
    assert re.fullmatch(r"LR-\d{4}-000001", body["reference"])
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{12}", body["claim_code"])  # no 0/O, 1/I/L
    dump = json.dumps(
        [await LostReport.select(), await ReportContent.select(), await AuditEvent.select()], default=str
    )
    assert body["claim_code"] not in dump and ID_NUMBER not in dump and "13805796612" not in dump
    stored = await LostReport.select(LostReport.channel, LostReport.station).first()
    assert stored == {"channel": "online", "station": None}


async def test_the_right_code_shows_only_the_owners_own_report(client: httpx.AsyncClient) -> None:
    filed = (await _file(client)).json()
    await _file(
        client, {**REPORT, "owner": {**REPORT["owner"], "name": "程国栋"}, "description": "黑色双肩包"}
    )
    claim = {"reference": filed["reference"], "claim_code": filed["claim_code"].lower()}
    response = await client.post("/api/v1/claims/status", json=claim)
    assert response.status_code == 200, response.text
    view = response.json()
    assert view["reference"] == filed["reference"] and view["status"] == "open"
    assert (
        view["owner"]["id_masked"] == "330784********1239" and view["owner"]["phone_masked"] == "138****6612"
    )
    assert "程国栋" not in response.text and "双肩包" not in response.text and ID_NUMBER not in response.text


async def test_wrong_reference_and_wrong_code_get_the_same_answer(client: httpx.AsyncClient) -> None:
    filed = (await _file(client)).json()
    wrong_code = await client.post(
        "/api/v1/claims/status", json={"reference": filed["reference"], "claim_code": "ABCDEFGHJKMN"}
    )
    wrong_reference = await client.post(
        "/api/v1/claims/status", json={"reference": "LR-2025-999999", "claim_code": filed["claim_code"]}
    )
    assert wrong_code.status_code == wrong_reference.status_code == 400
    assert wrong_code.json() == wrong_reference.json()


async def test_repeated_wrong_codes_lock_the_reference_and_say_so(client: httpx.AsyncClient) -> None:
    filed = (await _file(client)).json()
    for _ in range(5):
        await client.post(
            "/api/v1/claims/status", json={"reference": filed["reference"], "claim_code": "WRONGCODE234"}
        )
    locked = await client.post("/api/v1/claims/status", json=filed | {"claim_code": filed["claim_code"]})
    assert locked.status_code == 429 and "30" in locked.json()["detail"]
    other = await client.post(
        "/api/v1/claims/status", json={"reference": "LR-2025-999999", "claim_code": "X"}
    )
    assert other.status_code == 400  # the lock holds that reference only


async def test_checks_from_one_client_are_rate_limited(client: httpx.AsyncClient) -> None:
    statuses = [
        (
            await client.post(
                "/api/v1/claims/status", json={"reference": f"LR-2025-{i:06d}", "claim_code": "X"}
            )
        ).status_code
        for i in range(11)
    ]
    assert statuses[:10] == [400] * 10 and statuses[10] == 429


async def test_staff_read_reports_masked_and_others_cannot(client: httpx.AsyncClient) -> None:
    filed = (await _file(client)).json()
    await make_user("dc.duty")
    await make_user("dc.press", role=Role.PRESS)
    duty = {"Authorization": f"Bearer {await accounts.create_token(SYSTEM, 'dc.duty')}"}
    press = {"Authorization": f"Bearer {await accounts.create_token(SYSTEM, 'dc.press')}"}
    read = await client.get(f"/api/v1/lost-reports/{filed['reference']}", headers=duty)
    assert read.status_code == 200 and read.json()["contents"][0]["number_masked"] == "330784********1239"
    assert ID_NUMBER not in read.text and filed["claim_code"] not in read.text
    assert (await client.get(f"/api/v1/lost-reports/{filed['reference']}", headers=press)).status_code == 403
    assert (await client.get(f"/api/v1/lost-reports/{filed['reference']}")).status_code == 401


async def test_a_desk_report_records_the_channel_and_station(client: httpx.AsyncClient) -> None:
    await make_user("dc.duty")
    duty = {"Authorization": f"Bearer {await accounts.create_token(SYSTEM, 'dc.duty')}"}
    response = await _file(client, **duty)
    assert response.status_code == 201
    stored = await LostReport.select(LostReport.channel, LostReport.station.code.as_alias("code")).first()
    assert stored == {"channel": "desk", "code": "DC"}


async def test_reports_without_consent_or_contact_are_refused_clearly(client: httpx.AsyncClient) -> None:
    bad = {**REPORT, "consent": False, "owner": {"name": "黎晓梅"}}
    response = await client.post("/api/v1/lost-reports", json=bad, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"consent", "owner.phone"}
    assert await LostReport.count() == 0


async def test_an_owners_mistyped_id_number_is_refused_with_advice_the_owner_can_follow(
    client: httpx.AsyncClient,
) -> None:
    """Only an officer holding a card can keep a number "as printed": the owner is told to check theirs."""
    mistyped = ID_NUMBER[:17] + "5"
    body = {**REPORT, "owner": {**REPORT["owner"], "id_number": mistyped}, "contents": []}
    response = await client.post("/api/v1/lost-reports", json=body, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "owner.id_number" and "核对" in error["message"]
    assert "如实" not in error["message"] and await LostReport.count() == 0


async def test_a_body_of_the_wrong_shape_is_refused_field_by_field_in_the_callers_language(
    client: httpx.AsyncClient,
) -> None:
    """What the framework refuses before the service sees it answers as the service's own refusals do."""
    wrong_type = {**REPORT, "owner": {**REPORT["owner"], "name": 42}}
    zh = await client.post("/api/v1/lost-reports", json=wrong_type, headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 400
    assert zh.json()["errors"] == [{"field": "owner.name", "message": "此处应填写文字。"}]
    assert zh.json()["detail"] == "此处应填写文字。" and zh.json()["field"] == "owner.name"
    en = await client.post("/api/v1/lost-reports", json=wrong_type, headers={"Accept-Language": "en"})
    assert en.json()["errors"] == [{"field": "owner.name", "message": "Expected text here."}]

    bad_time = {**REPORT, "lost_from": "yesterday evening"}
    answer = await client.post("/api/v1/lost-reports", json=bad_time, headers={"Accept-Language": "zh-CN"})
    [error] = answer.json()["errors"]
    assert error["field"] == "lost_from" and "时区" in error["message"] and "RFC" not in error["message"]

    missing = {key: value for key, value in REPORT.items() if key != "owner"}
    answer = await client.post("/api/v1/lost-reports", json=missing, headers={"Accept-Language": "zh-CN"})
    assert answer.json()["errors"] == [{"field": "owner", "message": "此项必填。"}]
    assert await LostReport.count() == 0


async def test_a_time_without_its_zone_is_refused_for_that_reason(client: httpx.AsyncClient) -> None:
    """A time exported from another system without an offset is not "in the future or before 2000"."""
    bad = {**REPORT, "lost_from": "2025-03-28T19:00:00", "lost_to": "2035-03-28T19:00:00+08:00"}
    response = await client.post("/api/v1/lost-reports", json=bad, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert "time zone" in errors["lost_from"] and "+08:00" in errors["lost_from"]
    assert "future" in errors["lost_to"]
    assert await LostReport.count() == 0


PUBLIC_REPORTS_PER_HOUR = 20


async def test_a_desk_with_a_staff_token_files_past_the_public_hourly_limit(
    client: httpx.AsyncClient,
) -> None:
    """A station reaches the service from one address: its officers are not the public limit's target."""
    await make_user("dc.duty")
    duty = {"Authorization": f"Bearer {await accounts.create_token(SYSTEM, 'dc.duty')}"}
    statuses = [(await _file(client, **duty)).status_code for _ in range(PUBLIC_REPORTS_PER_HOUR + 5)]
    assert statuses == [201] * (PUBLIC_REPORTS_PER_HOUR + 5)
    assert await LostReport.count().where(LostReport.channel == "desk") == PUBLIC_REPORTS_PER_HOUR + 5
    # The desk's reports used none of the public allowance of the same address.
    anonymous = [(await _file(client)).status_code for _ in range(PUBLIC_REPORTS_PER_HOUR + 1)]
    assert anonymous == [201] * PUBLIC_REPORTS_PER_HOUR + [429]
    assert (await _file(client, **duty)).status_code == 201  # and the desk still files once it is used up


async def test_a_forged_token_is_counted_and_refused_like_anyone(client: httpx.AsyncClient) -> None:
    forged = {"Authorization": "Bearer lf_" + "x" * 43}
    statuses = [(await _file(client, **forged)).status_code for _ in range(PUBLIC_REPORTS_PER_HOUR + 1)]
    assert statuses == [201] * PUBLIC_REPORTS_PER_HOUR + [429]
    assert await LostReport.count().where(LostReport.channel == "desk") == 0
    assert (await _file(client)).status_code == 429


async def test_a_revoked_token_is_not_exempt(client: httpx.AsyncClient) -> None:
    await make_user("dc.duty")
    token = await accounts.create_token(SYSTEM, "dc.duty")
    await accounts.revoke_token(SYSTEM, token[:10])
    for _ in range(PUBLIC_REPORTS_PER_HOUR):
        await _file(client)
    assert (await _file(client, Authorization=f"Bearer {token}")).status_code == 429


async def test_the_hourly_limit_says_how_long_to_wait_in_the_users_language(
    client: httpx.AsyncClient,
) -> None:
    for _ in range(PUBLIC_REPORTS_PER_HOUR):
        await _file(client)
    chinese = await _file(client, **{"Accept-Language": "zh-CN"})
    english = await _file(client, **{"Accept-Language": "en"})
    assert chinese.status_code == english.status_code == 429
    assert chinese.headers["content-type"].startswith("application/problem+json")
    reset = int(english.headers["ratelimit-reset"])
    assert 3500 < reset <= 3600 and english.headers["retry-after"] == str(reset)
    minutes = int(reset / 60 + 0.5)  # to the nearest minute, halves up
    assert chinese.json()["status"] == 429 and chinese.json()["title"] == "尝试次数过多"
    assert chinese.json()["detail"] == f"请求次数过多。请约 {minutes} 分钟后再试。"
    assert english.json()["detail"] == f"Too many requests. Try again in about {minutes} minutes."
    assert "minute and" not in english.text and "一分钟" not in chinese.text


@pytest.mark.parametrize(
    ("seconds", "chinese", "english"),
    [
        (3420, "请约 57 分钟后再试", "in about 57 minutes."),
        (3599, "请约 60 分钟后再试", "in about 60 minutes."),
        (61, "请约 1 分钟后再试", "in about 1 minute."),
        (89, "请约 1 分钟后再试", "in about 1 minute."),
        (150, "请约 3 分钟后再试", "in about 3 minutes."),
        (12, "请几秒钟后再试", "in a few seconds."),
        (86000, "请约 24 小时后再试", "in about 24 hours."),
    ],
)
def test_the_wait_is_rounded_as_a_person_would_say_it(seconds: int, chinese: str, english: str) -> None:
    from lostfound import i18n
    from lostfound.web.errors import wait_message

    try:
        i18n.set_locale("zh_Hans")
        assert chinese in wait_message(seconds)
        i18n.set_locale("en")
        assert wait_message(seconds) == f"Too many requests. Try again {english}"
    finally:
        i18n.set_locale(i18n.DEFAULT)
