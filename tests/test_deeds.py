"""The good-deed log: officers log deeds with consent to be named; the press office reads them."""

from __future__ import annotations

import io

import httpx
from PIL import Image

from lostfound.domain.roles import Role
from lostfound.tables import AuditEvent, Deed, DeedParticipant, DeedPhoto
from tests.factories import make_user, post_form, sign_in, soup, text_of

RESCUE = {
    "kind": "rescue",
    "occurred_at": "2026-04-02T01:20",
    "place": "溪心桥下游江面",
    "title": "男子落水，实习学警跳江施救",
    "narrative": "凌晨接警后赶到现场。\n实习学警跳入江中救人。",
    "p-0-role": "trainee",
    "p-0-name": "吴一帆",
    "p-0-naming": "full",
    "p-0-consent": "1",
    "p-1-role": "rescue_team",
    "p-1-name": "东城蓝天救援队",
    "p-1-naming": "full",
    "p-1-consent": "1",
    "p-2-role": "civilian",
    "p-2-name": "舒建华",
    "p-2-naming": "anonymous",
}


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (30, 60, 120)).save(buffer, "JPEG")
    return buffer.getvalue()


async def _log(client: httpx.AsyncClient, **changes: str) -> httpx.Response:
    page = await client.get("/deeds/new")
    assert page.status_code == 200
    token = soup(page).select_one("input[name=_csrf_token]")["value"]
    data = {**RESCUE, **changes, "_csrf_token": token}
    return await client.post(
        "/deeds/new",
        data=data,
        files={"photos": ("river.jpg", _jpeg(), "image/jpeg")},
        follow_redirects=False,
    )


async def test_an_officer_logs_a_rescue_with_the_people_and_their_consent(client: httpx.AsyncClient) -> None:
    await make_user("dc.duty", role=Role.DUTY_OFFICER)
    await sign_in(client, "dc.duty")
    done = await _log(client)
    assert done.status_code == 303, text_of(done)
    deed = await Deed.select().first()
    assert deed["kind"] == "rescue" and deed["status"] == "logged" and "\n" in deed["narrative"]
    people = {p["name"]: p for p in await DeedParticipant.select()}
    assert people["吴一帆"]["public_name"] == "吴一帆"
    assert people["舒建华"]["public_name"] == "一位热心市民" and not people["舒建华"]["consent_to_name"]
    photo = await DeedPhoto.select().first()
    assert photo is not None and not photo["public"]  # nothing is public until an officer says so
    detail = await client.get(done.headers["location"])
    assert "吴一帆" in text_of(detail) and "仅限内部" in text_of(detail)
    marked = await post_form(
        client, done.headers["location"], f"/deeds/{deed['id']}/photos/{photo['id']}/public", {"public": "1"}
    )
    assert marked.status_code == 303 and (await DeedPhoto.select(DeedPhoto.public).first())["public"]
    assert "deed.create" in {r["action"] for r in await AuditEvent.select(AuditEvent.action)}


async def test_naming_someone_needs_their_consent_and_a_surname_form(client: httpx.AsyncClient) -> None:
    await make_user("dc.duty", role=Role.DUTY_OFFICER)
    await sign_in(client, "dc.duty")
    no_consent = await _log(client, **{"p-0-consent": ""})
    assert no_consent.status_code == 400 and "同意" in text_of(no_consent)
    full_in_surname = await _log(client, **{"p-0-naming": "surname", "p-0-public_name": "吴一帆同学"})
    assert full_in_surname.status_code == 400
    future = await _log(client, occurred_at="2099-01-01T00:00")
    assert future.status_code == 400
    assert await Deed.count() == 0 and await DeedPhoto.count() == 0


async def test_the_press_office_reads_deeds_but_cannot_log_them(client: httpx.AsyncClient) -> None:
    await make_user("dc.duty", role=Role.DUTY_OFFICER)
    await sign_in(client, "dc.duty")
    done = await _log(client)
    await make_user("dc.press", role=Role.PRESS)
    client.cookies.clear()
    await sign_in(client, "dc.press")
    assert (await client.get("/deeds")).status_code == 200
    assert (await client.get(done.headers["location"])).status_code == 200
    assert (await client.get("/deeds/new")).status_code == 403
    await make_user("fy.duty", role=Role.DUTY_OFFICER, station="FY")
    client.cookies.clear()
    await sign_in(client, "fy.duty")
    deed = (await Deed.select(Deed.id).first())["id"]
    edit = await post_form(client, "/deeds", f"/deeds/{deed}/edit", {**RESCUE, "title": "改"})
    assert edit.status_code == 403


async def test_a_deed_about_returned_property_never_names_its_owner(client: httpx.AsyncClient) -> None:
    from tests.test_handover import ID_CARD, _wallet

    item = await _wallet(client, [ID_CARD])
    await sign_in(client, "dc.duty")
    refused = await _log(
        client, kind="returned_property", item_reference=item, narrative="失主黎晓梅领回了钱包。",
        **{"p-0-role": "civilian", "p-0-name": "王建国", "p-1-role": "", "p-1-name": "", "p-2-role": "", "p-2-name": ""},
    )  # fmt: skip
    assert refused.status_code == 400 and "失主" in text_of(refused)
    assert await Deed.count() == 0


async def test_spacing_does_not_slip_the_owners_name_into_a_deed(client: httpx.AsyncClient) -> None:
    from tests.test_handover import ID_CARD, _wallet

    item = await _wallet(client, [ID_CARD])
    await sign_in(client, "dc.duty")
    refused = await _log(
        client, kind="returned_property", item_reference=item, place="黎 晓梅家楼下",
        **{"p-0-role": "civilian", "p-0-name": "王建国", "p-1-role": "", "p-1-name": "", "p-2-role": "", "p-2-name": ""},
    )  # fmt: skip
    assert refused.status_code == 400 and await Deed.count() == 0
