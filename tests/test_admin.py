"""Admin and supervisor pages: stations, accounts and the audit log."""

from __future__ import annotations

import httpx

from lostfound.domain.roles import Role
from lostfound.tables import AuditEvent, StaffUser, Station
from tests.factories import make_station, make_user, post_form, sign_in, soup, text_of

NEW_STATION = {
    "code": "ly",
    "name_zh": "柳溪派出所",
    "name_en": "Liuxi Police Station",
    "address_zh": "柳溪镇溪口路3号",
    "address_en": "3 Xikou Road, Liuxi Town",
    "phone": "0579-8660 4110",
    "opening_hours_zh": "值班室 24 小时",
    "opening_hours_en": "Duty room 24 hours",
}


async def _signed_in(client: httpx.AsyncClient, username: str, role: Role, station: str = "DC") -> None:
    await make_user(username, role=role, station=station)
    await sign_in(client, username)


async def test_admin_creates_a_station_and_the_audit_log_records_it(client: httpx.AsyncClient) -> None:
    await _signed_in(client, "dc.admin", Role.ADMIN)
    response = await post_form(client, "/admin/stations/new", "/admin/stations/new", NEW_STATION)
    assert response.status_code == 303
    listing = await client.get("/admin/stations")
    assert "柳溪派出所" in text_of(listing) and "已创建" in text_of(listing)
    station = await Station.select().where(Station.code == "LY").first()
    assert station["name_en"] == "Liuxi Police Station"
    event = await AuditEvent.select().where(AuditEvent.target_id == "LY").first()
    assert event["actor_name"] == "dc.admin" and event["target_id"] == "LY" and event["client_ip"]


async def test_bad_station_input_is_explained_and_nothing_is_stored(client: httpx.AsyncClient) -> None:
    await _signed_in(client, "dc.admin", Role.ADMIN)
    bad_code = await post_form(
        client, "/admin/stations/new", "/admin/stations/new", {**NEW_STATION, "code": "L1"}
    )
    assert bad_code.status_code == 400
    assert "派出所代码为 2 至 6 个大写字母" in text_of(bad_code)
    assert soup(bad_code).find("input", attrs={"name": "name_zh"})["value"] == "柳溪派出所"  # input kept
    duplicate = await post_form(
        client, "/admin/stations/new", "/admin/stations/new", {**NEW_STATION, "code": "DC"}
    )
    assert duplicate.status_code == 409
    assert "已存在" in text_of(duplicate)
    assert await Station.count() == 1
    assert await AuditEvent.count().where(AuditEvent.action == "station.create") == 1  # DC's own


async def test_admin_edits_a_station_but_not_its_code(client: httpx.AsyncClient) -> None:
    await _signed_in(client, "dc.admin", Role.ADMIN)
    response = await post_form(
        client,
        "/admin/stations/DC",
        "/admin/stations/DC",
        {**NEW_STATION, "code": "XX", "name_zh": "东城派出所", "phone": "0579-1234"},
    )
    assert response.status_code == 303
    row = await Station.select().where(Station.code == "DC").first()
    assert row["phone"] == "0579-1234" and not await Station.exists().where(Station.code == "XX")


async def test_admin_creates_an_account_who_must_then_change_the_password(
    app, client: httpx.AsyncClient
) -> None:
    await make_station("FY", name_zh="方岩派出所", name_en="Fangyan Police Station")
    await _signed_in(client, "dc.admin", Role.ADMIN)
    form = {
        "username": "FY.Ying",
        "display_name": "应浩然",
        "role": "duty_officer",
        "station_code": "FY",
        "password": "Temporary-Pass-1",
        "confirm_password": "Temporary-Pass-1",
    }
    response = await post_form(client, "/admin/users/new", "/admin/users/new", form)
    assert response.status_code == 303 and response.headers["location"] == "/admin/users/fy.ying"
    row = (
        await StaffUser.select(StaffUser.password_hash, StaffUser.must_change_password)
        .first()
        .where(StaffUser.username == "fy.ying")
    )
    assert row["password_hash"].startswith("$argon2") and "Temporary-Pass-1" not in row["password_hash"]
    assert row["must_change_password"] is True
    from tests.factories import http_client

    async with http_client(app) as newcomer:
        signed = await sign_in(newcomer, "fy.ying", "Temporary-Pass-1")
        assert signed.headers["location"] == "/account/password"


async def test_account_form_errors_keep_what_was_typed(client: httpx.AsyncClient) -> None:
    await _signed_in(client, "dc.admin", Role.ADMIN)
    form = {
        "username": "x",
        "display_name": "吕子航",
        "role": "duty_officer",
        "station_code": "DC",
        "password": "Temporary-Pass-1",
        "confirm_password": "Temporary-Pass-1",
    }
    response = await post_form(client, "/admin/users/new", "/admin/users/new", form)
    assert response.status_code == 400
    assert "用户名为 3 至 32 个字符" in text_of(response)
    assert soup(response).find("input", attrs={"name": "display_name"})["value"] == "吕子航"
    assert await StaffUser.count() == 1


async def test_supervisor_manages_officers_of_their_own_station_only(client: httpx.AsyncClient) -> None:
    await make_station("FY", name_zh="方岩派出所", name_en="Fangyan Police Station")
    await make_user("fy.duty", role=Role.DUTY_OFFICER, station="FY")
    await _signed_in(client, "dc.sup", Role.SUPERVISOR)
    page = await client.get("/admin/users/new")
    roles = {o["value"] for o in soup(page).select("#f-role option")}
    stations = {o["value"] for o in soup(page).select("#f-station_code option")}
    assert roles == {"duty_officer", "press"} and stations == {"DC"}
    listing = await client.get("/admin/users?station=FY")
    assert "fy.duty" not in listing.text  # supervisors only ever see their own station
    base = {"display_name": "x", "password": "Temporary-Pass-1", "confirm_password": "Temporary-Pass-1"}
    as_admin = await post_form(
        client,
        "/admin/users/new",
        "/admin/users/new",
        {**base, "username": "dc.boss", "role": "admin", "station_code": "DC"},
    )
    elsewhere = await post_form(
        client,
        "/admin/users/new",
        "/admin/users/new",
        {**base, "username": "fy.other", "role": "duty_officer", "station_code": "FY"},
    )
    assert as_admin.status_code == elsewhere.status_code == 403
    assert (await client.get("/admin/users/fy.duty")).status_code == 403
    ok = await post_form(
        client,
        "/admin/users/new",
        "/admin/users/new",
        {**base, "username": "dc.new", "role": "duty_officer", "station_code": "DC"},
    )
    assert ok.status_code == 303
    assert set(await StaffUser.select(StaffUser.username).output(as_list=True)) == {
        "fy.duty",
        "dc.sup",
        "dc.new",
    }


async def test_admin_deactivates_and_resets_an_account(client: httpx.AsyncClient) -> None:
    await make_user("dc.duty")
    await _signed_in(client, "dc.admin", Role.ADMIN)
    off = await post_form(client, "/admin/users/dc.duty", "/admin/users/dc.duty/active", {"active": "0"})
    assert off.status_code == 303
    assert (await StaffUser.select(StaffUser.active).where(StaffUser.username == "dc.duty").first())[
        "active"
    ] is False
    reset = await post_form(
        client,
        "/admin/users/dc.duty",
        "/admin/users/dc.duty/password",
        {"new_password": "Reset-Password-77", "confirm_password": "Reset-Password-77"},
    )
    assert reset.status_code == 303
    page = await client.get("/admin/users/dc.duty")
    assert "须修改密码" in text_of(page) and "已停用" in text_of(page)
    own = await post_form(client, "/admin/users/dc.admin", "/admin/users/dc.admin/active", {"active": "0"})
    assert own.status_code == 303
    assert "不能停用自己的账号" in text_of(await client.get("/admin/users/dc.admin"))
    actions = set(await AuditEvent.select(AuditEvent.action).output(as_list=True))
    assert {"user.deactivate", "user.password_reset"} <= actions


async def test_audit_log_lists_and_filters_events(client: httpx.AsyncClient) -> None:
    await make_user("dc.duty")
    await sign_in(client, "dc.duty", "wrong-password-1")
    await _signed_in(client, "dc.admin", Role.ADMIN)
    page = await client.get("/admin/audit")
    rows = soup(page).select("table.audit tbody tr")
    actions = [row.select("td")[3].code.get_text(strip=True) for row in rows]
    assert actions[0] == "login" and "login.failed" in actions and "user.create" in actions
    filtered = await client.get("/admin/audit?action=login.failed")
    rows = soup(filtered).select("table.audit tbody tr")
    assert len(rows) == 1 and "dc.duty" in rows[0].get_text()
    none = await client.get("/admin/audit?actor=nobody")
    assert "没有符合条件的记录" in text_of(none)


async def test_lr_cannot_be_a_station_code_as_lost_reports_references_begin_with_it(
    client: httpx.AsyncClient,
) -> None:
    """A station coded LR numbered its items LR-2026-000001, as the lost reports are numbered:
    `lostfound match` and every page that tells a reference's kind by its start took them for reports."""
    await _signed_in(client, "dc.admin", Role.ADMIN)
    refused = await post_form(
        client, "/admin/stations/new", "/admin/stations/new", {**NEW_STATION, "code": "lr"}
    )
    assert refused.status_code == 400
    assert "LR 不能用作派出所代码" in text_of(refused)
    assert not await Station.exists().where(Station.code == "LR")
