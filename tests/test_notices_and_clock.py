"""Found-property notices, the public board, the one-year clock, disposal and transfers."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import httpx
from litestar import Litestar
from PIL import Image, ImageDraw

from lostfound.domain import identifiers as ids
from lostfound.domain.roles import Role
from lostfound.services import found_notices, item_photos, legal_clock, transfers
from lostfound.tables import (
    AuditEvent,
    CustodyEvent,
    Disposal,
    FoundItem,
    LostReport,
    Match,
    Notice,
    StaffUser,
    Station,
    Transfer,
)
from lostfound.web.access import ACCESS, PUBLIC
from tests.factories import SYSTEM, csrf_from, make_station, make_user, post_form, sign_in, soup, text_of
from tests.test_handover import BANK_CARD, CASH, ID_CARD, _wallet
from tests.test_matching import OWNER_ID, _report

PUBLISHED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STATION_PHONE = "0579-1"  # make_station's made-up station phone


async def _notice(client: httpx.AsyncClient, *items: str) -> str:
    client.cookies.clear()
    await sign_in(client, "dc.duty")
    page = await client.get("/notices/new")
    assert page.status_code == 200
    created = await post_form(client, "/notices/new", "/notices/new", {"items": list(items)})
    assert created.status_code == 303, created.text
    return created.headers["location"].rsplit("/", 1)[1]


async def _supervisor(client: httpx.AsyncClient, username: str = "dc.chief") -> None:
    if not await FoundItem.exists():
        raise AssertionError("make the items first")
    client.cookies.clear()
    if not await StaffUser.exists().where(StaffUser.username == username):
        await make_user(username, role=Role.SUPERVISOR, station="DC")
    await sign_in(client, username)


def _public_leaks(text: str, names: set[str]) -> list[str]:
    """ID, phone or card numbers (other than the station's own phone) and full names in a public page."""
    flat = text.replace(STATION_PHONE, " ")
    found = [name for name in names if name in flat]
    if ids.sensitive_number_in_text(flat):
        found.append("a sensitive number")
    if re.search(r"[¥￥]\s*\d|\d\s*元", flat):
        found.append("an amount of money")
    return found


async def test_a_notice_is_approved_by_a_supervisor_published_and_starts_the_clock(
    client: httpx.AsyncClient,
) -> None:
    item = await _wallet(client, [ID_CARD, BANK_CARD, CASH], colour="棕色", brand="七匹狼")
    reference = await _notice(client, item)
    assert reference.startswith("ZL-DC-")
    refused = await post_form(client, f"/notices/{reference}", f"/notices/{reference}/approve", {})
    assert refused.status_code == 403  # a duty officer cannot approve
    early = await post_form(client, f"/notices/{reference}", f"/notices/{reference}/publish", {})
    assert early.status_code == 303
    assert (await Notice.select(Notice.status).first())["status"] == "draft"
    assert (await client.get("/board")).text.count(item) == 0

    await _supervisor(client)
    detail = await client.get(f"/notices/{reference}")
    assert "棕色" in text_of(detail) and "黎晓梅" not in detail.text
    approved = await post_form(client, f"/notices/{reference}", f"/notices/{reference}/approve", {})
    assert approved.status_code == 303
    await found_notices.publish(SYSTEM, reference, now=PUBLISHED)

    row = await FoundItem.select(FoundItem.claim_deadline).first()
    assert row["claim_deadline"] == datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
    kinds = [r["kind"] for r in await CustodyEvent.select(CustodyEvent.kind)]
    assert "notice_published" in kinds
    actions = {r["action"] for r in await AuditEvent.select(AuditEvent.action)}
    assert {"notice.create", "notice.approve", "notice.publish"} <= actions

    client.cookies.clear()
    board = await client.get("/board")
    assert board.status_code == 200 and item in board.text and "钱包" in text_of(board)
    public = await client.get(f"/board/notices/{reference}")
    assert public.status_code == 200 and "民法典" in public.text
    code = (await Notice.select(Notice.verification_code).first())["verification_code"]
    verified = await client.get("/verify", params={"code": code})
    assert reference in text_of(verified)


async def test_the_redaction_check_blocks_names_amounts_and_numbers(client: httpx.AsyncClient) -> None:
    named = await _wallet(client, [ID_CARD], colour="黎晓梅的")
    priced = await _wallet(client, [BANK_CARD], brand="内有260元")
    reference = await _notice(client, named, priced)
    await _supervisor(client)
    page = await client.get(f"/notices/{reference}")
    shown = text_of(page)
    assert "黎晓梅" in shown and "金额" in shown  # the officer is told what to fix
    refused = await post_form(client, f"/notices/{reference}", f"/notices/{reference}/approve", {})
    assert refused.status_code == 303
    assert (await Notice.select(Notice.status).first())["status"] == "draft"
    assert "脱敏检查" in text_of(await client.get(refused.headers["location"]))

    # A station address carrying a mobile number is caught too.
    await Station.update({Station.address_zh: "青石路18号 联系人 13805796612"}).where(Station.code == "DC")
    clean = await _wallet(client, [BANK_CARD], colour="黑色")
    second = await _notice(client, clean)
    await _supervisor(client, "dc.chief2")
    page = await client.get(f"/notices/{second}")
    assert "身份证、电话或卡号" in text_of(page)


async def test_the_clock_runs_out_and_disposal_needs_another_supervisors_approval(
    client: httpx.AsyncClient,
) -> None:
    item = await _wallet(client, [ID_CARD, CASH])
    reference = await _notice(client, item)
    await _supervisor(client)
    await post_form(client, f"/notices/{reference}", f"/notices/{reference}/approve", {})
    await found_notices.publish(SYSTEM, reference, now=PUBLISHED)

    assert await legal_clock.expire_due(datetime(2027, 3, 1, 9, 0, tzinfo=UTC)) == []
    page = await client.get(f"/items/{item}")
    assert "2027-03-02" in text_of(page)
    assert await legal_clock.expire_due(datetime(2027, 3, 2, 9, 0, tzinfo=UTC)) == [item]
    assert (await FoundItem.select(FoundItem.status).first())["status"] == "unclaimed"
    assert item not in (await client.get("/board")).text

    # An officer proposes; the item stays on the books until a supervisor other than the proposer approves.
    client.cookies.clear()
    await sign_in(client, "dc.duty")
    wrong = await post_form(client, "/unclaimed", f"/items/{item}/disposal", {"method": "auction"})
    assert wrong.status_code == 303 and await Disposal.count() == 0  # a wallet with cash is separated
    proposed = await post_form(client, "/unclaimed", f"/items/{item}/disposal", {"method": "separated"})
    assert proposed.status_code == 303 and await Disposal.count() == 1
    disposal = (await Disposal.select(Disposal.id).first())["id"]
    by_officer = await post_form(client, "/unclaimed", f"/disposals/{disposal}/approve", {})
    assert by_officer.status_code == 403
    assert (await FoundItem.select(FoundItem.status).first())["status"] == "unclaimed"

    await _supervisor(client)
    approved = await post_form(
        client, "/unclaimed", f"/disposals/{disposal}/approve", {"note": "现金上缴国库"}
    )
    assert approved.status_code == 303
    assert (await FoundItem.select(FoundItem.status).first())["status"] == "disposed"
    assert (await Disposal.select(Disposal.status).first())["status"] == "approved"
    actions = {r["action"] for r in await AuditEvent.select(AuditEvent.action)}
    assert {"found_item.unclaimed", "disposal.propose", "disposal.approve"} <= actions


async def test_an_item_in_custody_cannot_be_disposed_of(client: httpx.AsyncClient) -> None:
    item = await _wallet(client, [BANK_CARD])
    await sign_in(client, "dc.duty")
    refused = await post_form(client, "/unclaimed", f"/items/{item}/disposal", {"method": "separated"})
    assert refused.status_code == 303 and await Disposal.count() == 0
    assert (await FoundItem.select(FoundItem.status).first())["status"] == "in_custody"


async def _unclaimed_wallet(client: httpx.AsyncClient) -> str:
    """A wallet holding its owner's ID whose claim period ran out with nobody matched to it."""
    item = await _wallet(client, [ID_CARD, CASH])
    await FoundItem.update({FoundItem.claim_deadline: PUBLISHED}, force=True)
    assert await legal_clock.expire_due(datetime(2026, 3, 3, tzinfo=UTC)) == [item]
    return item


async def _books() -> tuple:
    """What a refused disposal must leave as it was: the item, the disposals and the audit trail."""
    item = await FoundItem.select(FoundItem.status, FoundItem.updated_at).first()
    disposals = await Disposal.select(Disposal.id, Disposal.status).order_by(Disposal.id)
    audit = await AuditEvent.select(AuditEvent.action).order_by(AuditEvent.id)
    return item, disposals, audit, await Match.select(Match.id, Match.state).order_by(Match.id)


async def _suggestion(report: str) -> int:
    row = await Match.select(Match.id).where(
        (Match.report.reference == report) & (Match.state == "suggested")
    )
    assert len(row) == 1, row
    return row[0]["id"]


async def _flash(client: httpx.AsyncClient, response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    return text_of(await client.get(response.headers["location"]))


async def test_a_suggested_owner_stops_the_disposal_until_an_officer_decides(
    client: httpx.AsyncClient,
) -> None:
    item = await _unclaimed_wallet(client)
    report = await _report(client)  # a late owner: the suggestion waits in /matches
    match_id = await _suggestion(report)
    await sign_in(client, "dc.duty")

    page = soup(await client.get("/unclaimed"))
    note = page.select_one(".owner-note")
    assert note is not None and report in note.get_text() and "可能已有失主报失" in note.get_text()
    assert note.select_one(f"a[href='/matches/{match_id}']") is not None
    assert page.select_one(f"form[action='/items/{item}/disposal']") is None
    before = await _books()
    refused = await post_form(client, "/unclaimed", f"/items/{item}/disposal", {"method": "separated"})
    assert f"可能已有失主报失（{report}），请先在比对队列中确认或否决该建议。" in await _flash(
        client, refused
    )
    shown = await client.get("/unclaimed")
    english = await client.post(
        f"/items/{item}/disposal",
        data={"method": "separated", "_csrf_token": csrf_from(shown)},
        headers={"accept-language": "en"},
    )
    assert f"An owner may have reported this item ({report}): confirm or reject" in await _flash(
        client, english
    )
    assert await _books() == before

    # Rejected, the suggestion no longer stands in the way; one coming in before approval does.
    await post_form(client, f"/matches/{match_id}", f"/matches/{match_id}/reject", {})
    proposed = await post_form(client, "/unclaimed", f"/items/{item}/disposal", {"method": "separated"})
    assert proposed.status_code == 303 and await Disposal.count() == 1
    again = await _report(client)
    second = await _suggestion(again)
    await _supervisor(client)
    waiting = soup(await client.get("/unclaimed"))
    disposal = (await Disposal.select(Disposal.id).first())["id"]
    assert waiting.select_one(f"a[href='/matches/{second}']") is not None
    assert waiting.select_one(f"button[formaction='/disposals/{disposal}/refuse']") is not None
    assert not [b for b in waiting.select("button") if "批准处置" in b.get_text()]
    before = await _books()
    approve = await post_form(client, "/unclaimed", f"/disposals/{disposal}/approve", {})
    assert f"可能已有失主报失（{again}）" in await _flash(client, approve)
    assert await _books() == before
    assert (await FoundItem.select(FoundItem.status).first())["status"] == "unclaimed"

    client.cookies.clear()
    await sign_in(client, "dc.duty")
    await post_form(client, f"/matches/{second}", f"/matches/{second}/reject", {})
    await _supervisor(client)
    approved = await post_form(client, "/unclaimed", f"/disposals/{disposal}/approve", {})
    assert "已处置" in await _flash(client, approved)
    assert (await FoundItem.select(FoundItem.status).first())["status"] == "disposed"


async def test_a_late_owner_confirmed_for_an_unclaimed_wallet_gets_it_not_the_state(
    client: httpx.AsyncClient,
) -> None:
    item = await _unclaimed_wallet(client)
    await sign_in(client, "dc.duty")
    proposed = await post_form(client, "/unclaimed", f"/items/{item}/disposal", {"method": "separated"})
    assert proposed.status_code == 303 and await Disposal.count() == 1
    report = await _report(client)
    match_id = await _suggestion(report)
    await post_form(client, f"/matches/{match_id}", f"/matches/{match_id}/confirm", {})
    assert (await FoundItem.select(FoundItem.status).first())["status"] == "owner_found"
    assert (await Disposal.select(Disposal.status).first())["status"] == "refused"  # moot now

    # The hourly clock leaves it with its owner; nobody can propose or approve its disposal.
    assert await legal_clock.expire_due(datetime(2027, 6, 1, tzinfo=UTC)) == []
    assert (await FoundItem.select(FoundItem.status).first())["status"] == "owner_found"
    assert item not in (await client.get("/unclaimed")).text
    refused = await post_form(client, "/unclaimed", f"/items/{item}/disposal", {"method": "separated"})
    assert "只有认领期届满的物品可以处置" in await _flash(client, refused)
    await _supervisor(client)
    disposal = (await Disposal.select(Disposal.id).first())["id"]
    late = await post_form(client, "/unclaimed", f"/disposals/{disposal}/approve", {})
    assert late.status_code == 303
    assert (await FoundItem.select(FoundItem.status).first())["status"] == "owner_found"
    assert (await LostReport.select(LostReport.status).first())["status"] == "matched"
    assert await AuditEvent.count().where(AuditEvent.action == "disposal.approve") == 0


async def test_an_unclaimed_item_whose_owner_was_confirmed_before_cannot_be_disposed_of(
    client: httpx.AsyncClient,
) -> None:
    """The clock used to make ``owner_found`` items ``unclaimed``: those keep their owner."""
    item = await _wallet(client, [ID_CARD, CASH])
    report = await _report(client)
    match_id = await _suggestion(report)
    await sign_in(client, "dc.duty")
    await post_form(client, f"/matches/{match_id}", f"/matches/{match_id}/confirm", {})
    item_id = (await FoundItem.select(FoundItem.id).first())["id"]
    await FoundItem.update({FoundItem.status: "unclaimed"}, force=True)  # as the old clock left it

    page = soup(await client.get("/unclaimed"))
    note = page.select_one(".owner-note")
    assert note is not None and "已确认该物品的失主" in note.get_text()
    assert note.select_one(f"a[href='/matches/{match_id}']") is not None
    assert page.select_one(f"form[action='/items/{item}/disposal']") is None
    before = await _books()
    refused = await post_form(client, "/unclaimed", f"/items/{item}/disposal", {"method": "separated"})
    assert f"已确认该物品的失主（{report}），物品等待失主领取，不能处置。" in await _flash(client, refused)
    assert await _books() == before

    await Disposal(item=item_id, method="separated", proposed_by_name="dc.duty").save()  # proposed then
    await _supervisor(client)
    disposal = (await Disposal.select(Disposal.id).first())["id"]
    waiting = soup(await client.get("/unclaimed"))
    assert waiting.select_one(f".owner-note a[href='/matches/{match_id}']") is not None
    assert not [b for b in waiting.select("button") if "批准处置" in b.get_text()]
    before = await _books()
    approve = await post_form(client, "/unclaimed", f"/disposals/{disposal}/approve", {})
    assert f"已确认该物品的失主（{report}）" in await _flash(client, approve)
    assert await _books() == before


async def test_a_transfer_is_confirmed_by_the_receiving_end_and_overdue_items_are_listed(
    client: httpx.AsyncClient,
) -> None:
    item = await _wallet(client, [BANK_CARD])
    await make_station("FJ", name_zh="城区分局", name_en="City District Bureau")
    await Station.update({Station.is_bureau: True}).where(Station.code == "FJ")
    await make_user("fj.duty", role=Role.DUTY_OFFICER, station="FJ")
    # Kept at the station for a month: due for the bureau.
    await FoundItem.update({FoundItem.created_at: datetime.now(UTC) - timedelta(days=30)}, force=True)
    await sign_in(client, "dc.duty")
    overview = await client.get("/transfers")
    assert item in soup(overview).select_one(".overdue").get_text()

    sent = await post_form(
        client, f"/items/{item}", f"/items/{item}/transfer", {"to_station": "FJ", "note": "月度移交"}
    )
    assert sent.status_code == 303
    assert (await FoundItem.select(FoundItem.status).first())["status"] == "transferred"
    transfer = (await Transfer.select(Transfer.id).first())["id"]
    not_mine = await post_form(
        client, "/transfers", f"/transfers/{transfer}/receive", {"storage_location": "B-1"}
    )
    assert not_mine.status_code == 303
    assert (await Transfer.select(Transfer.status).first())["status"] == "in_transit"

    client.cookies.clear()
    await sign_in(client, "fj.duty")
    incoming = await client.get("/transfers")
    assert item in text_of(incoming)
    received = await post_form(
        client, "/transfers", f"/transfers/{transfer}/receive", {"storage_location": "FJ-07"}
    )
    assert received.status_code == 303
    row = await FoundItem.select(FoundItem.status, FoundItem.storage_location, FoundItem.station.code).first()
    assert (
        row["status"] == "in_custody" and row["storage_location"] == "FJ-07" and row["station.code"] == "FJ"
    )
    kinds = [r["kind"] for r in await CustodyEvent.select(CustodyEvent.kind).order_by(CustodyEvent.id)]
    assert kinds[-2:] == ["transfer_sent", "transfer_received"]
    assert (await transfers.overview("DC")).due == []


async def test_this_might_be_mine_links_the_report_to_the_item(client: httpx.AsyncClient) -> None:
    item = await _wallet(client, [BANK_CARD], colour="黑色")
    reference = await _notice(client, item)
    await _supervisor(client)
    await post_form(client, f"/notices/{reference}", f"/notices/{reference}/approve", {})
    await post_form(client, f"/notices/{reference}", f"/notices/{reference}/publish", {})
    client.cookies.clear()
    form = await client.get("/report", params={"item": item})
    assert item in text_of(form) and soup(form).select_one("input[name=board_item]")["value"] == item
    filed = await post_form(
        client,
        f"/report?item={item}",
        "/report",
        {"board_item": item, "category": "wallet", "owner_name": "黎晓梅", "owner_phone": "13805796612",
         "description": "黑色钱包", "lost_place": "青石路夜市", "lost_from": "2026-03-28T19:00", "consent": "1"},
    )  # fmt: skip
    assert filed.status_code == 200, text_of(filed)
    linked = await LostReport.select(LostReport.reference, LostReport.board_item).first()
    assert linked["board_item"] is not None
    await sign_in(client, "dc.duty")
    assert linked["reference"] in text_of(await client.get(f"/items/{item}"))


def _public_pages(app: Litestar, **samples: str) -> list[str]:
    """Every public GET route of the app, its parameters filled from ``samples``."""
    paths = []
    for route in app.routes:
        if ACCESS.get(route.path_format) is not PUBLIC or "GET" not in getattr(route, "methods", ()):
            continue
        if route.path_format.startswith(("/static", "/api/docs")) or "/photos/" in route.path_format:
            continue
        if route.path_format.startswith("/commendations/{reference}"):
            continue  # a deed's notice, not a found-property one: scanned in test_deed_notices.py
        paths.append(route.path_format.format(**samples))
    return paths


async def test_no_public_page_or_notice_shows_a_number_an_amount_or_an_owners_name(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    await _report(client)  # the owner, 黎晓梅, reported: her name is protected too
    wallet = await _wallet(
        client, [ID_CARD, BANK_CARD, CASH, {"kind": "phone_number", "phone": "13805796612"}]
    )
    other = await _wallet(
        client, [{"kind": "passport", "holder_name": "MUELLER ANNA", "id_number": "C01X00T47"}]
    )
    photo = await item_photos.add_photo(SYSTEM, wallet, _jpeg())
    await item_photos.redact_photo(SYSTEM, wallet, photo["id"], [(0.1, 0.1, 0.6, 0.5)])
    reference = await _notice(client, wallet, other)
    await _supervisor(client)
    await post_form(client, f"/notices/{reference}", f"/notices/{reference}/approve", {})
    await post_form(client, f"/notices/{reference}", f"/notices/{reference}/publish", {})
    code = (await Notice.select(Notice.verification_code).first())["verification_code"]
    names = {"黎晓梅", "MUELLER ANNA", "王建国"}
    client.cookies.clear()
    pages = _public_pages(app, reference=reference)
    assert "/board" in pages and f"/board/notices/{reference}" in pages
    pages += [
        f"/board?q={wallet}",
        "/board?category=wallet",
        f"/verify?code={code}",
        f"/report?item={wallet}",
    ]
    for path in pages:
        page = await client.get(path)
        assert page.status_code in (200, 303), path
        assert _public_leaks(text_of(page) if page.text else "", names) == [], path
        assert OWNER_ID not in page.text and "13805796612" not in page.text
    # The board's photo is the blurred public copy, never the original.
    board_photo = soup(await client.get("/board")).select_one(".board-item img")["src"]
    served = await client.get(board_photo)
    assert served.status_code == 200 and served.content == await item_photos.photo_file(
        SYSTEM, photo["id"], "public"
    )
    assert served.content != await item_photos.photo_file(SYSTEM, photo["id"], "display")


def _jpeg() -> bytes:
    image = Image.new("RGB", (320, 240), (120, 80, 40))
    ImageDraw.Draw(image).rectangle((40, 40, 200, 160), fill=(200, 200, 200))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return buffer.getvalue()


async def test_a_withdrawn_draft_never_becomes_public(client: httpx.AsyncClient) -> None:
    item = await _wallet(client, [ID_CARD], colour="黎晓梅的")
    reference = await _notice(client, item)
    await _supervisor(client)
    await post_form(client, f"/notices/{reference}", f"/notices/{reference}/withdraw", {})
    assert (await Notice.select(Notice.status).first())["status"] == "withdrawn"
    code = (await Notice.select(Notice.verification_code).first())["verification_code"]
    client.cookies.clear()
    assert (await client.get(f"/board/notices/{reference}")).status_code == 404
    assert reference not in text_of(await client.get("/verify", params={"code": code}))


async def test_an_item_on_the_road_is_not_run_out_by_the_clock(client: httpx.AsyncClient) -> None:
    item = await _wallet(client, [BANK_CARD])
    reference = await _notice(client, item)
    await _supervisor(client)
    await post_form(client, f"/notices/{reference}", f"/notices/{reference}/approve", {})
    await found_notices.publish(SYSTEM, reference, now=PUBLISHED)
    await make_station("FY", name_zh="方岩派出所", name_en="Fangyan Police Station")
    await transfers.send(SYSTEM, item, "FY")
    assert await legal_clock.expire_due(datetime(2027, 4, 1, tzinfo=UTC)) == []
    assert (await FoundItem.select(FoundItem.status).first())["status"] == "transferred"


async def test_an_absurd_id_in_a_path_is_not_found(client: httpx.AsyncClient) -> None:
    assert (await client.get("/board/photos/99999999999999999999999")).status_code == 404
    await make_user("dc.chief", role=Role.SUPERVISOR, station="DC")
    await sign_in(client, "dc.chief")
    huge = await post_form(client, "/unclaimed", "/disposals/99999999999999999999/approve", {})
    assert huge.status_code == 404
