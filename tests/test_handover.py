"""Handing an item back: the ID check, contents, proxies, two officers, signature, receipt, limits."""

from __future__ import annotations

import base64
import io

import httpx
from PIL import Image, ImageDraw

from lostfound.domain.roles import Role
from lostfound.services import accounts, handover
from lostfound.tables import (
    AuditEvent,
    CustodyEvent,
    Deed,
    DeedParticipant,
    FailedCheck,
    FoundItem,
    Handover,
    LostReport,
    Match,
    Notification,
    StaffUser,
)
from tests.factories import SYSTEM, csrf_from, make_user, post_form, sign_in, soup, text_of
from tests.test_matching import OTHER_ID, OWNER_ID, _headers, _item, _report, _typo

ID_CARD = {"kind": "id_card", "holder_name": "黎晓梅", "id_number": OWNER_ID}
BANK_CARD = {"kind": "bank_card", "holder_name": "黎晓梅", "card_last4": "6612", "bank": "农业银行"}
CASH = {"kind": "cash", "amount": "260"}
PROXY_ID = "330784196907080010"  # made up, valid, born 1969
CHILD_ID = "330784201503070020"  # made up, valid, born 2015


def _signature(blank: bool = False, last_y: int = 140) -> str:
    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    if not blank:
        ImageDraw.Draw(image).line(
            [(40, 150), (160, 40), (260, 150), (420, 60), (560, last_y)], fill="black", width=4
        )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


async def _wallet(client: httpx.AsyncClient, contents: list[dict], **changes) -> str:
    if await StaffUser.exists().where(StaffUser.username == "dc.duty"):
        headers = {"Authorization": f"Bearer {await accounts.create_token(SYSTEM, 'dc.duty')}"}
    else:
        headers = await _headers()
    changes.setdefault("finder", {"name": "王建国", "phone": "13905791234", "consent_to_publish": True,
                                  "wants_news": True})  # fmt: skip
    return await _item(client, headers, contents, **changes)


async def _content_ids(reference: str) -> list[str]:
    item = await handover.situation(reference)
    return [str(row["id"]) for row in item.item["contents"]]


async def _hand_over(client: httpx.AsyncClient, reference: str, **fields) -> httpx.Response:
    form = {
        "owner_name": "黎晓梅",
        "id_number": OWNER_ID,
        "signature": _signature(),
        **fields,
    }
    described = form.pop("described", None)
    shown = await client.get(f"/items/{reference}/handover")
    assert shown.status_code == 200, shown.text
    chosen = described if described is not None else (await _content_ids(reference))[:1]
    data = {**form, "_csrf_token": csrf_from(shown), "described": chosen}
    return await client.post(f"/items/{reference}/handover", data=data, follow_redirects=False)


async def test_the_owner_collects_and_everything_closes(client: httpx.AsyncClient) -> None:
    report = await _report(client)
    item = await _wallet(client, [ID_CARD, BANK_CARD])
    await sign_in(client, "dc.duty")
    match = (await Match.select(Match.id).first())["id"]
    await post_form(client, f"/matches/{match}", f"/matches/{match}/confirm", {"note": ""})

    done = await _hand_over(client, item)
    assert done.status_code == 303, text_of(done)
    receipt_path = done.headers["location"]
    assert receipt_path.startswith("/handovers/HO-DC-")
    assert (await FoundItem.select(FoundItem.status).first())["status"] == "returned"
    assert (await LostReport.select(LostReport.status).first())["status"] == "returned"
    row = await Handover.select().first()
    assert row["id_check"] == "exact" and row["owner_id_masked"] == "330784********1239"
    assert OWNER_ID not in row["owner_id_enc"]
    kinds = [r["kind"] for r in await CustodyEvent.select(CustodyEvent.kind)]
    assert kinds[-1] == "handed_over"
    assert "handover.complete" in {r["action"] for r in await AuditEvent.select(AuditEvent.action)}

    # The finder is thanked, and the press office finds a proposed deed naming them as they agreed.
    thanks = await Notification.select().where(Notification.kind == "finder_thanks").first()
    assert thanks is not None and thanks["recipient_masked"] == "139****1234" and item in thanks["preview"]
    deed = await Deed.select().first()
    assert deed["kind"] == "returned_property" and deed["status"] == "proposed"
    finder = await DeedParticipant.select().first()
    assert finder["name"] == "王建国" and finder["consent_to_name"] and finder["naming"] == "surname"

    # The receipt shows masked numbers only, carries a code the public page confirms, and the signature.
    receipt = await client.get(receipt_path)
    assert receipt.status_code == 200
    assert OWNER_ID not in receipt.text and "330784********1239" in receipt.text and report in receipt.text
    signature = await client.get(f"{receipt_path}/signature")
    assert signature.status_code == 200 and signature.content.startswith(b"\x89PNG")
    client.cookies.clear()
    verified = await client.get("/verify", params={"code": row["verification_code"]})
    assert row["reference"] in text_of(verified) and "黎晓梅" not in verified.text
    assert (await client.get(f"{receipt_path}/signature")).status_code in (302, 303, 401)


async def test_a_wrong_id_is_refused_recorded_and_nothing_changes(client: httpx.AsyncClient) -> None:
    item = await _wallet(client, [ID_CARD, BANK_CARD])
    await sign_in(client, "dc.duty")
    refused = await _hand_over(client, item, id_number=OTHER_ID)
    assert refused.status_code == 400
    assert "属于他人" in text_of(refused) or "不一致" in text_of(refused)
    assert OWNER_ID not in refused.text  # the number the item holds is never shown
    assert (await FoundItem.select(FoundItem.status).first())["status"] == "in_custody"
    assert await Handover.count() == 0 and await Deed.count() == 0
    failed = await FailedCheck.select().first()
    assert failed["outcome"] == "different" and failed["claimant_id_masked"] == "330784********3316"


async def test_the_check_step_explains_without_showing_the_stored_number(client: httpx.AsyncClient) -> None:
    item = await _wallet(client, [{**ID_CARD, "id_number": _typo(OWNER_ID), "as_printed": True}])
    await sign_in(client, "dc.duty")
    page = await client.get(f"/items/{item}/handover")
    token = csrf_from(page)
    checked = await client.post(
        f"/items/{item}/handover/check", data={"id_number": OWNER_ID, "_csrf_token": token}
    )
    result = soup(checked).select_one("[data-id-result]")
    assert result["data-id-result"] == "misread" and "误读" in result.get_text()
    assert _typo(OWNER_ID) not in checked.text
    invalid = await client.post(
        f"/items/{item}/handover/check", data={"id_number": _typo(OWNER_ID), "_csrf_token": token}
    )
    assert soup(invalid).select_one("[data-id-result]")["data-id-result"] == "invalid"
    assert await FailedCheck.count() == 0  # a typing error is not a false claim
    assert (await _hand_over(client, item)).status_code == 303


async def test_a_proxy_needs_the_authorisation_and_must_be_an_adult_other_than_the_owner(
    client: httpx.AsyncClient,
) -> None:
    item = await _wallet(client, [ID_CARD, BANK_CARD])
    await sign_in(client, "dc.duty")
    proxy = {"proxy": "1", "proxy_name": "黎国强", "proxy_id_number": PROXY_ID}
    no_letter = await _hand_over(client, item, **proxy)
    assert no_letter.status_code == 400 and "授权委托书" in text_of(no_letter)
    child = await _hand_over(client, item, **{**proxy, "proxy_id_number": CHILD_ID}, authorisation_seen="1")
    assert child.status_code == 400 and "成年" in text_of(child)
    owner = await _hand_over(client, item, **{**proxy, "proxy_id_number": OWNER_ID}, authorisation_seen="1")
    assert owner.status_code == 400
    assert await Handover.count() == 0
    done = await _hand_over(client, item, **proxy, authorisation_seen="1")
    assert done.status_code == 303
    receipt = await client.get(done.headers["location"])
    assert "黎国强" in receipt.text and "330784********0010" in receipt.text and PROXY_ID not in receipt.text


async def test_cash_needs_a_second_officer_with_their_own_password(client: httpx.AsyncClient) -> None:
    item = await _wallet(client, [ID_CARD, CASH])
    await make_user("dc.second", role=Role.DUTY_OFFICER, station="DC")
    await make_user("fy.duty", role=Role.DUTY_OFFICER, station="FY")
    await sign_in(client, "dc.duty")
    ids = await _content_ids(item)
    alone = await _hand_over(client, item, described=ids)
    assert alone.status_code == 400 and "第二名民警" in text_of(alone)
    wrong_password = await _hand_over(
        client, item, described=ids, second_username="dc.second", second_password="nope"
    )
    assert wrong_password.status_code == 400
    myself = await _hand_over(
        client, item, described=ids, second_username="dc.duty", second_password="Correct-Horse-42"
    )
    assert myself.status_code == 400
    elsewhere = await _hand_over(
        client, item, described=ids, second_username="fy.duty", second_password="Correct-Horse-42"
    )
    assert elsewhere.status_code == 400
    assert await Handover.count() == 0
    done = await _hand_over(
        client, item, described=ids, second_username="dc.second", second_password="Correct-Horse-42"
    )
    assert done.status_code == 303
    assert (await Handover.select(Handover.second_officer_name).first())["second_officer_name"] == "dc.second"


async def test_without_an_id_in_the_item_half_the_contents_must_be_described(
    client: httpx.AsyncClient,
) -> None:
    contents = [BANK_CARD, {"kind": "other", "note": "电影票根"}, {"kind": "other", "note": "药店会员卡"}]
    item = await _wallet(client, contents)
    await sign_in(client, "dc.duty")
    ids = await _content_ids(item)
    one = await _hand_over(client, item, described=ids[:1])
    assert one.status_code == 400 and "至少" in text_of(one)
    assert (await _hand_over(client, item, described=ids[:2])).status_code == 303


async def test_a_blank_or_forged_signature_is_refused(client: httpx.AsyncClient) -> None:
    item = await _wallet(client, [ID_CARD])
    await sign_in(client, "dc.duty")
    blank = await _hand_over(client, item, signature=_signature(blank=True))
    assert blank.status_code == 400 and "签名" in text_of(blank)
    junk = await _hand_over(client, item, signature="data:image/png;base64,AAAA")
    assert junk.status_code == 400
    none = await _hand_over(client, item, signature="")
    assert none.status_code == 400
    assert await Handover.count() == 0


async def test_repeated_failed_checks_stop_until_a_supervisor_reviews(client: httpx.AsyncClient) -> None:
    item = await _wallet(client, [ID_CARD])
    await make_user("dc.chief", role=Role.SUPERVISOR, station="DC")
    await sign_in(client, "dc.duty")
    page = await client.get(f"/items/{item}/handover")
    token = csrf_from(page)
    for _ in range(3):
        await client.post(f"/items/{item}/handover/check", data={"id_number": OTHER_ID, "_csrf_token": token})
    blocked = await client.post(
        f"/items/{item}/handover/check", data={"id_number": OWNER_ID, "_csrf_token": token}
    )
    assert blocked.status_code == 409 and "所领导" in text_of(blocked)
    assert (await _hand_over(client, item)).status_code == 409
    assert (await client.get("/handovers/checks")).status_code == 403  # not for duty officers

    client.cookies.clear()
    await sign_in(client, "dc.chief")
    listing = await client.get("/handovers/checks")
    assert (
        listing.status_code == 200 and "330784********3316" in listing.text and OTHER_ID not in listing.text
    )
    for row in await FailedCheck.select(FailedCheck.id):
        reviewed = await post_form(
            client, "/handovers/checks", f"/handovers/checks/{row['id']}/reviewed", {"note": "冒领，已登记"}
        )
        assert reviewed.status_code == 303
    assert await FailedCheck.count().where(FailedCheck.state == "open") == 0
    client.cookies.clear()
    await sign_in(client, "dc.duty")
    assert (await _hand_over(client, item)).status_code == 303


async def test_another_station_cannot_hand_the_item_over(client: httpx.AsyncClient) -> None:
    item = await _wallet(client, [ID_CARD])
    await make_user("fy.duty", role=Role.DUTY_OFFICER, station="FY")
    await sign_in(client, "fy.duty")
    page = await client.get(f"/items/{item}/handover")
    assert page.status_code == 200 and soup(page).select_one("form[data-handover]") is None
    refused = await _hand_over(client, item)
    assert refused.status_code == 403
    assert await Handover.count() == 0


async def test_handing_over_from_a_suggestion_confirms_it_and_closes_the_report(
    client: httpx.AsyncClient,
) -> None:
    report = await _report(client)
    item = await _wallet(client, [ID_CARD, BANK_CARD])
    await sign_in(client, "dc.duty")
    assert (await Match.select(Match.state).first())["state"] == "suggested"
    assert (await _hand_over(client, item)).status_code == 303
    assert (await Match.select(Match.state).first())["state"] == "confirmed"
    closed = await LostReport.select(LostReport.reference, LostReport.status).first()
    assert closed == {"reference": report, "status": "returned"}
    assert (await Handover.select(Handover.report.reference).first())["report.reference"] == report


async def test_the_officer_says_which_report_the_claimant_filed_when_it_holds_no_id(
    client: httpx.AsyncClient,
) -> None:
    """The owner reported with her name and phone only: her report closes with the handover."""
    report = await _report(client, owner={"id_number": ""})
    other = await _report(client, name="程国栋", owner={"id_number": "", "phone": "13900001111"})
    phone_slip = {"kind": "phone_number", "phone": "13805796612"}
    item = await _wallet(client, [BANK_CARD, phone_slip])
    await sign_in(client, "dc.duty")
    page = await client.get(f"/items/{item}/handover")
    choices = [i["value"] for i in soup(page).select("input[name=report]")]
    assert choices[:2] == ["", report] and other not in choices  # only what is suggested
    assert "13805796612" not in page.text
    refused = await _hand_over(client, item, report=other)
    assert refused.status_code == 400 and "不再" in text_of(refused)
    assert (await FoundItem.select(FoundItem.status).first())["status"] == "in_custody"
    assert (await _hand_over(client, item, report=report)).status_code == 303
    statuses = {
        r["reference"]: r["status"] for r in await LostReport.select(LostReport.reference, LostReport.status)
    }
    assert statuses == {report: "returned", other: "open"}
    assert [row["state"] for row in await Match.select(Match.state)] == ["confirmed"]
    assert (await Handover.select(Handover.report.reference).first())["report.reference"] == report


async def test_a_damaged_signature_or_odd_ticks_get_a_clear_answer_not_an_error(
    client: httpx.AsyncClient,
) -> None:
    item = await _wallet(client, [ID_CARD])
    await sign_in(client, "dc.duty")
    png = base64.b64decode(_signature().split(",", 1)[1])
    broken = "data:image/png;base64," + base64.b64encode(png[:60] + b"\x00" * 40 + png[100:]).decode()
    refused = await _hand_over(client, item, signature=broken, described=["²", "9" * 5000])
    assert refused.status_code == 400 and "签名" in text_of(refused)
    assert await Handover.count() == 0


async def test_a_failed_handover_leaves_no_signature_file(client: httpx.AsyncClient, monkeypatch) -> None:
    from lostfound.services import deeds
    from lostfound.services.item_photos import media_store

    item = await _wallet(client, [ID_CARD])
    await sign_in(client, "dc.duty")
    before = set(media_store().keys())

    async def broken(*args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(deeds, "propose_for_return", broken)
    failed = await _hand_over(client, item, signature=_signature(last_y=123))  # a drawing no test made before
    assert failed.status_code == 500
    assert await Handover.count() == 0
    assert (await FoundItem.select(FoundItem.status).first())["status"] == "in_custody"
    assert set(media_store().keys()) <= before  # nothing new stays on disk


async def test_officers_of_another_station_cannot_read_the_receipt(client: httpx.AsyncClient) -> None:
    item = await _wallet(client, [ID_CARD])
    await sign_in(client, "dc.duty")
    receipt = (await _hand_over(client, item)).headers["location"]
    await make_user("fy.duty", role=Role.DUTY_OFFICER, station="FY")
    client.cookies.clear()
    await sign_in(client, "fy.duty")
    assert (await client.get(receipt)).status_code == 403
    assert (await client.get(f"{receipt}/signature")).status_code == 403
