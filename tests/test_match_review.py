"""Officers review matches side by side, confirm or reject; the owner learns where to collect."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest

from lostfound.domain.roles import Role
from lostfound.services import accounts, legal_clock, lost_reports, match_review, transfers
from lostfound.services.errors import Conflict, NotFound
from lostfound.tables import AuditEvent, ContactAttempt, FoundItem, LostReport, Match, Notification, Station
from tests.factories import SYSTEM, csrf_from, make_station, make_user, post_form, sign_in, soup, text_of
from tests.test_matching import OWNER_ID, _headers, _item, _matches, _report

ID_CONTENTS = [{"kind": "id_card", "holder_name": "黎晓梅", "id_number": OWNER_ID}]
REPORT = {
    "owner": {"name": "黎晓梅", "id_number": OWNER_ID, "phone": "13805796612"},
    "category": "wallet",
    "description": "钱包",
    "lost_from": "2025-03-28T19:00:00+08:00",
    "lost_place": "青石路夜市",
    "district": "东城区",
    "consent": True,
}


async def _pair(client: httpx.AsyncClient) -> tuple[str, str, int]:
    headers = await _headers()
    report = await _report(client)
    item = await _item(client, headers, ID_CONTENTS)
    match = (await Match.select(Match.id).first())["id"]
    return item, report, match


async def test_the_queue_shows_the_reasons_in_plain_words_in_both_languages(
    client: httpx.AsyncClient,
) -> None:
    item, report, match_id = await _pair(client)
    await sign_in(client, "dc.duty")
    page = await client.get("/matches")
    assert page.status_code == 200
    card = soup(page).select_one(".match-card")
    assert item in card.get_text() and report in card.get_text()
    reasons = [li.get_text(strip=True) for li in card.select(".reason")]
    assert "身份证号一致" in reasons and "姓名一致" in reasons and "在失物时间内拾得" not in reasons
    assert any(r.startswith("失物时间在拾得前") for r in reasons)
    english = await client.get("/matches", headers={"accept-language": "en"})
    shown = [li.get_text(strip=True) for li in soup(english).select(".match-card .reason")]
    assert "ID number the same" in shown and "Name the same" in shown
    compare = await client.get(f"/matches/{match_id}")
    assert compare.status_code == 200
    assert "身份证号一致" in text_of(compare)
    assert OWNER_ID not in compare.text and "330784********1239" in compare.text


async def test_the_comparison_shows_the_banks_and_colours_its_reasons_weigh(
    client: httpx.AsyncClient,
) -> None:
    """A bank or a colour among the reasons: the officer sees what each side says of it."""
    headers = await _headers()
    await _report(
        client,
        colour="咖啡色",
        owner={"id_number": ""},
        contents=[{"kind": "bank_card", "holder_name": "黎晓梅", "card_last4": "0128", "bank": "建行"}],
    )
    card = {
        "kind": "bank_card",
        "holder_name": "黎晓梅",
        "card_last4": "0128",
        "bank": "中国建设银行东城支行",
    }
    await _item(client, headers, [card], colour="棕色")
    match_id = (await Match.select(Match.id).first())["id"]
    await sign_in(client, "dc.duty")
    page = text_of(await client.get(f"/matches/{match_id}"))
    assert "发卡银行一致" in page and "颜色相同" in page
    assert "颜色 棕色" in page and "颜色 咖啡色" in page
    assert (
        "银行卡 · 黎晓梅 · …0128 · 中国建设银行东城支行" in page and "银行卡 · 黎晓梅 · …0128 · 建行" in page
    )


async def test_confirming_tells_the_owner_where_to_collect_and_what_to_bring(
    client: httpx.AsyncClient,
) -> None:
    item, report, match_id = await _pair(client)
    await sign_in(client, "dc.duty")
    confirmed = await post_form(client, f"/matches/{match_id}", f"/matches/{match_id}/confirm", {"note": ""})
    assert confirmed.status_code == 303 and confirmed.headers["location"] == f"/items/{item}"
    assert (await FoundItem.select(FoundItem.status).first())["status"] == "owner_found"
    assert (await LostReport.select(LostReport.status).first())["status"] == "matched"
    assert (await Match.select(Match.state).first())["state"] == "confirmed"
    actions = {row["action"] for row in await AuditEvent.select(AuditEvent.action)}
    assert {"match.confirm", "lost_report.match"} <= actions
    message = await Notification.select().where(Notification.kind == "match_found").first()
    assert message is not None and "身份证" in message["preview"] and "110" in message["preview"]

    # The owner checks the report and sees the station, and what to bring.
    client.cookies.clear()
    owner = await lost_reports.get_report(report)
    assert owner["status"] == "matched"
    page = text_of(await client.get(f"/matches/{match_id}"))  # signed out: sent to sign in
    assert "身份证" not in page or "登录" in page


async def test_the_owners_status_page_shows_the_pickup_station(client: httpx.AsyncClient) -> None:
    headers = await _headers()
    filed = await client.post(
        "/api/v1/lost-reports",
        json=REPORT,
    )
    reference, code = filed.json()["reference"], filed.json()["claim_code"]
    await _item(client, headers, ID_CONTENTS)
    match_id = (await Match.select(Match.id).first())["id"]
    await sign_in(client, "dc.duty")
    await post_form(client, f"/matches/{match_id}", f"/matches/{match_id}/confirm", {})
    client.cookies.clear()
    page = await client.get("/claim")
    status = await client.post(
        "/claim", data={"reference": reference, "claim_code": code, "_csrf_token": csrf_from(page)}
    )
    pickup = soup(status).select_one(".pickup")
    assert pickup is not None and "请携带本人身份证" in pickup.get_text()
    assert "可能是您的物品" in text_of(status)


async def test_a_rejected_pair_is_not_suggested_again(client: httpx.AsyncClient) -> None:
    item, _, match_id = await _pair(client)
    await sign_in(client, "dc.duty")
    rejected = await post_form(
        client, f"/matches/{match_id}", f"/matches/{match_id}/reject", {"note": "证件照片不符"}
    )
    assert rejected.status_code == 303
    event = await AuditEvent.select(AuditEvent.detail).where(AuditEvent.action == "match.reject").first()
    assert "证件照片不符" in event["detail"]  # the officer's reason stays with the decision
    headers = await _headers_for_existing()
    assert await _matches(client, headers, item) == []
    from lostfound.services import matching

    item_id = (await FoundItem.select(FoundItem.id).first())["id"]
    await matching.refresh("item", item_id)  # an edit re-runs matching: the rejection stands
    assert [row["state"] for row in await Match.select(Match.state)] == ["rejected"]


async def test_a_pair_rejected_for_its_looks_returns_when_the_owners_id_card_turns_up(
    client: httpx.AsyncClient,
) -> None:
    """Rejected as one black backpack among many; then her ID card is found in its lining."""
    import msgspec

    from lostfound.services import found_items
    from lostfound.web.api_bodies import FoundItemIn
    from lostfound.web.api_bodies import found_item_input as to_input
    from tests.test_matching import _item_body

    headers = await _headers()
    looks = {"category": "bag", "description": "黑色双肩包", "colour": "黑色"}
    report = await _report(client, **looks)
    item = await _item(client, headers, [], **looks)
    [before] = await Match.select(Match.id, Match.reasons, Match.decision)
    assert "id_number" not in str(before["reasons"]) and before["decision"] == "review"
    await match_review.reject(SYSTEM, before["id"], "只是外观相似")
    body = _item_body(ID_CONTENTS, **looks)
    await found_items.update_item(SYSTEM, item, to_input(msgspec.convert(body, FoundItemIn)))
    [found] = await _matches(client, headers, item)
    assert found["lost_report"] == report and found["state"] == "suggested" and found["decision"] == "auto"
    assert ("id_number", "exact") in {(r["field"], r["level"]) for r in found["reasons"]}
    assert [row["id"] for row in await Match.select(Match.id)] == [before["id"]]
    event = await AuditEvent.select(AuditEvent.detail).where(AuditEvent.action == "match.reopen").first()
    assert report in event["detail"]
    # Rejected again, now with the card in view, it stays rejected through later edits.
    await match_review.reject(SYSTEM, before["id"], "证件不是失主的")
    await found_items.update_item(SYSTEM, item, to_input(msgspec.convert(body, FoundItemIn)))
    assert await _matches(client, headers, item) == []


async def test_a_report_withdrawn_while_a_wallet_is_being_matched_is_not_suggested(
    client: httpx.AsyncClient, monkeypatch
) -> None:
    """The owner withdraws between the wallet's lookup and the writing of its suggestions."""
    from lostfound.services import matching

    headers = await _headers()
    report = await _report(client)
    looked_up = matching.candidates_many

    async def owner_withdraws_meanwhile(side, keys, facts=None):
        found = await looked_up(side, keys, facts)
        if side == "item":
            await lost_reports.withdraw(report)
        return found

    monkeypatch.setattr(matching, "candidates_many", owner_withdraws_meanwhile)
    item = await _item(client, headers, ID_CONTENTS)
    assert (await LostReport.select(LostReport.status).first())["status"] == "withdrawn"
    assert await Match.count() == 0
    assert await _matches(client, headers, item) == []


async def test_a_wrong_confirmation_is_taken_back_before_the_handover(client: httpx.AsyncClient) -> None:
    """李晓梅 (no ID number) was confirmed for 黎晓梅's wallet; the real owner reports afterwards."""
    headers = await _headers()
    wrong = await _report(client, name="李晓梅", owner={"id_number": "", "phone": "13900001111"})
    item = await _item(client, headers, ID_CONTENTS)
    [pair] = await Match.select(Match.id)
    await match_review.confirm(SYSTEM, pair["id"])
    real = await _report(client)  # 黎晓梅 with her ID: nothing is suggested against a confirmed item
    assert await Match.count().where(Match.state == "suggested") == 0
    await sign_in(client, "dc.duty")
    page = await client.get(f"/matches/{pair['id']}")
    assert soup(page).select_one(f"form[action='/matches/{pair['id']}/undo']") is not None
    no_reason = await post_form(
        client, f"/matches/{pair['id']}", f"/matches/{pair['id']}/undo", {"note": " "}
    )
    assert no_reason.status_code == 303, no_reason.text[:3000]
    assert no_reason.headers["location"] == f"/matches/{pair['id']}"
    assert (await Match.select(Match.state).where(Match.id == pair["id"]).first())["state"] == "confirmed"
    undone = await post_form(
        client,
        f"/matches/{pair['id']}",
        f"/matches/{pair['id']}/undo",
        {"note": "证件是黎晓梅的，不是李晓梅"},
    )
    assert undone.status_code == 303 and undone.headers["location"] == f"/items/{item}"
    assert (await FoundItem.select(FoundItem.status).first())["status"] == "in_custody"
    statuses = {
        r["reference"]: r["status"] for r in await LostReport.select(LostReport.reference, LostReport.status)
    }
    assert statuses == {wrong: "open", real: "open"}
    assert (await Match.select(Match.state).where(Match.id == pair["id"]).first())["state"] == "rejected"
    told = await Notification.select(Notification.report.reference, Notification.preview).where(
        Notification.kind == "match_withdrawn"
    )
    assert len(told) == 1 and told[0]["report.reference"] == wrong and "不是您的" in told[0]["preview"]
    event = await AuditEvent.select(AuditEvent.detail).where(AuditEvent.action == "match.undo").first()
    assert "李晓梅" in event["detail"]
    # Matched again: the real owner's report is suggested, the wrong one stays rejected.
    found = await _matches(client, headers, item)
    assert [m["lost_report"] for m in found] == [real] and found[0]["decision"] == "auto"


async def test_a_confirmation_cannot_be_taken_back_once_the_item_is_handed_over(
    client: httpx.AsyncClient,
) -> None:
    item, _, match_id = await _pair(client)
    await match_review.confirm(SYSTEM, match_id)
    await FoundItem.update({FoundItem.status: "returned"}).where(FoundItem.reference == item)
    with pytest.raises(Conflict):
        await match_review.undo(SYSTEM, match_id, "错了")
    assert (await Match.select(Match.state).first())["state"] == "confirmed"
    assert await Notification.count().where(Notification.kind == "match_withdrawn") == 0


async def test_confirming_one_owner_lets_the_item_left_to_a_rival_stand_out(
    client: httpx.AsyncClient,
) -> None:
    """Two wallets both hold 黎晓梅's bank card; once one is confirmed hers, the other wallet's only
    remaining candidate is no longer crowded by her report."""
    headers = await _headers()
    card = {"kind": "bank_card", "holder_name": "黎晓梅", "card_last4": "0128"}
    hers = await _report(
        client, owner={"id_number": ""}, contents=[{"kind": "bank_card", "card_last4": "0128"}]
    )
    other = await _report(
        client,
        name="程国栋",
        owner={"id_number": "", "phone": "13900001111"},
        contents=[{"kind": "bank_card", "card_last4": "5555"}],
    )
    first = await _item(client, headers, [card, {"kind": "phone_number", "phone": "13805796612"}])
    second = await _item(
        client, headers, [card, {"kind": "bank_card", "holder_name": "程国栋", "card_last4": "5555"}]
    )
    pairs = {(m["found_item"], m["lost_report"]): m for m in await _pairs()}
    assert pairs[(second, other)]["decision"] == "review"
    await match_review.confirm(SYSTEM, pairs[(first, hers)]["id"])
    remaining = {(m["found_item"], m["lost_report"]): m["decision"] for m in await _pairs()}
    assert (second, hers) not in remaining
    assert remaining.get((second, other)) == "auto"


async def _pairs() -> list[dict]:
    return await Match.select(
        Match.id,
        Match.decision,
        Match.item.reference.as_alias("found_item"),
        Match.report.reference.as_alias("lost_report"),
    ).where(Match.state == "suggested")


async def _headers_for_existing() -> dict[str, str]:
    from lostfound.services import accounts
    from tests.factories import SYSTEM

    return {"Authorization": f"Bearer {await accounts.create_token(SYSTEM, 'dc.duty')}"}


async def test_only_the_items_station_decides_and_the_press_never_sees_the_queue(
    client: httpx.AsyncClient,
) -> None:
    _, _, match_id = await _pair(client)
    await make_station("FY")
    await make_user("fy.duty", Role.DUTY_OFFICER, "FY")
    await make_user("dc.press", Role.PRESS, "DC")
    await sign_in(client, "fy.duty")
    page = await client.get(f"/matches/{match_id}")
    assert soup(page).select_one(f"form[action='/matches/{match_id}/confirm']") is None
    token = csrf_from(page)
    refused = await client.post(f"/matches/{match_id}/confirm", data={"_csrf_token": token})
    assert refused.status_code == 303
    assert (await Match.select(Match.state).first())["state"] == "suggested"
    client.cookies.clear()
    await sign_in(client, "dc.press")
    assert (await client.get("/matches")).status_code == 403
    assert (await client.get(f"/matches/{match_id}")).status_code == 403


async def test_an_unreported_wallet_offers_its_leads_and_records_contact_attempts(
    client: httpx.AsyncClient,
) -> None:
    headers = await _headers()
    contents = [*ID_CONTENTS, {"kind": "phone_number", "phone": "13805796612"}]
    item = await _item(client, headers, contents)
    await sign_in(client, "dc.duty")
    page = await client.get(f"/items/{item}")
    assert "还没有与之相符的报失" in text_of(page)
    # Nothing is chosen for the officer: a hasty click must not record that the owner was reached.
    assert soup(page).select_one("#ct-outcome option[selected]") is None
    assert soup(page).select_one("#ct-outcome option")["value"] == ""
    lead = soup(page).select("#ct-content option")[-1]
    assert "138****6612" in lead.get_text()
    recorded = await post_form(
        client,
        f"/items/{item}",
        f"/items/{item}/contacts",
        {"content": lead["value"], "method": "phone", "outcome": "no_answer", "note": "下午再打"},
    )
    assert recorded.status_code == 303
    attempt = await ContactAttempt.select().first()
    assert (
        attempt["method"] == "phone" and attempt["outcome"] == "no_answer" and attempt["note"] == "下午再打"
    )
    shown = text_of(await client.get(f"/items/{item}"))
    assert "无人接听" in shown and "下午再打" in shown
    bad = await post_form(
        client, f"/items/{item}", f"/items/{item}/contacts", {"method": "pigeon", "outcome": "x"}
    )
    assert bad.status_code == 303 and await ContactAttempt.count() == 1


async def test_the_claim_status_api_gives_the_timeline_and_where_to_collect(
    client: httpx.AsyncClient,
) -> None:
    headers = await _headers()
    filed = await client.post(
        "/api/v1/lost-reports",
        json=REPORT,
        headers={"accept-language": "en"},
    )
    claim = {"reference": filed.json()["reference"], "claim_code": filed.json()["claim_code"]}
    before = (
        await client.post("/api/v1/claims/status", json=claim, headers={"accept-language": "en"})
    ).json()
    assert [step["step"] for step in before["timeline"]] == ["create"] and before["collect"] is None
    await _item(client, headers, ID_CONTENTS)
    match_id = (await Match.select(Match.id).first())["id"]
    await sign_in(client, "dc.duty")
    await post_form(client, f"/matches/{match_id}", f"/matches/{match_id}/confirm", {})
    client.cookies.clear()
    after = (await client.post("/api/v1/claims/status", json=claim, headers={"accept-language": "en"})).json()
    assert after["status"] == "matched" and after["status_text"] == "A possible match was found"
    assert [step["step"] for step in after["timeline"]] == ["create", "match"]
    assert after["collect"]["bring"].startswith("Bring your own ID card")
    assert after["collect"]["station"]  # the station holding the wallet


async def _two_reports_one_wallet(client: httpx.AsyncClient) -> tuple[str, dict[str, int]]:
    """A wallet and two reports of the same person (filed twice): both wait for review."""
    headers = await _headers()
    first, second = await _report(client), await _report(client)
    item = await _item(client, headers, ID_CONTENTS)
    rows = await Match.select(Match.id, Match.report.reference.as_alias("report"), Match.decision)
    assert {row["decision"] for row in rows} == {"review"} and len(rows) == 2
    return item, {row["report"]: row["id"] for row in rows if row["report"] in (first, second)}


async def test_two_desks_confirming_one_wallet_for_two_owners_at_once_hand_it_to_one(
    client: httpx.AsyncClient, monkeypatch
) -> None:
    """Both pages were open before either officer clicked: the second confirmation is refused."""
    _, by_report = await _two_reports_one_wallet(client)
    actor = (await make_user("dc.second", Role.DUTY_OFFICER, "DC")).actor("127.0.0.1")
    # Each officer's check of the page as it stood, before either wrote anything.
    seen = {match_id: await match_review.get_pair(match_id) for match_id in by_report.values()}

    async def as_seen(_actor, match_id):
        return seen[match_id]

    monkeypatch.setattr(match_review, "_open_match", as_seen)
    (first, first_id), (second, second_id) = sorted(by_report.items())
    await match_review.confirm(actor, first_id)
    with pytest.raises(Conflict) as refused:
        await match_review.confirm(actor, second_id)
    assert refused.value.params == {"reference": first}
    statuses = {row["reference"]: row["status"] for row in await LostReport.select()}
    assert statuses == {first: "matched", second: "open"}
    assert await Notification.count().where(Notification.kind == "match_found") == 1
    assert await AuditEvent.count().where(AuditEvent.action == "match.confirm") == 1


async def test_a_confirmation_sent_twice_tells_the_owner_once(client: httpx.AsyncClient, monkeypatch) -> None:
    _, _, match_id = await _pair(client)
    actor = (await make_user("dc.second", Role.DUTY_OFFICER, "DC")).actor("127.0.0.1")
    seen = await match_review.get_pair(match_id)

    async def as_seen(_actor, _match_id):
        return seen

    monkeypatch.setattr(match_review, "_open_match", as_seen)
    await match_review.confirm(actor, match_id)
    with pytest.raises(Conflict):
        await match_review.confirm(actor, match_id)
    with pytest.raises(Conflict):
        await match_review.reject(actor, match_id)
    assert (await Match.select(Match.state).first())["state"] == "confirmed"
    assert await Notification.count().where(Notification.kind == "match_found") == 1
    assert await AuditEvent.count().where(AuditEvent.action == "lost_report.match") == 1


async def test_a_page_left_open_on_a_suggestion_gone_meanwhile_says_why(client: httpx.AsyncClient) -> None:
    _, by_report = await _two_reports_one_wallet(client)
    (_, first_id), (_, second_id) = sorted(by_report.items())
    await sign_in(client, "dc.duty")
    stale = await client.get(f"/matches/{second_id}")  # the second tab
    await post_form(client, f"/matches/{first_id}", f"/matches/{first_id}/confirm", {})
    late = await client.post(f"/matches/{second_id}/confirm", data={"_csrf_token": csrf_from(stale)})
    assert late.status_code == 303 and late.headers["location"] == "/matches"
    assert "比对建议已不存在" in text_of(await client.get("/matches"))
    late = await client.post(f"/matches/{second_id}/reject", data={"_csrf_token": csrf_from(stale)})
    assert late.headers["location"] == "/matches" and "比对建议已不存在" in text_of(
        await client.get("/matches")
    )


async def test_the_station_holding_the_wallet_follows_up_the_owners_message(
    client: httpx.AsyncClient,
) -> None:
    """A report filed at another station's desk: the owner is sent to the station holding the wallet."""
    headers = await _headers()
    fy = await make_station("FY")
    await make_user("fy.duty", Role.DUTY_OFFICER, "FY")
    fy_headers = {"Authorization": f"Bearer {await accounts.create_token(SYSTEM, 'fy.duty')}"}
    filed = await client.post(
        "/api/v1/lost-reports",
        headers=fy_headers,
        json=REPORT,
    )
    assert filed.status_code == 201, filed.text
    await _item(client, headers, ID_CONTENTS)
    match_id = (await Match.select(Match.id).first())["id"]
    await sign_in(client, "dc.duty")
    await post_form(client, f"/matches/{match_id}", f"/matches/{match_id}/confirm", {})
    dc = (await Station.select(Station.id).where(Station.code == "DC").first())["id"]
    sent = await Notification.select(Notification.station).where(Notification.kind == "match_found")
    assert sent and {row["station"] for row in sent} == {dc} and dc != fy["id"]


async def test_a_wallet_with_only_an_uncertain_suggestion_keeps_its_leads_until_an_owner_is_confirmed(
    client: httpx.AsyncClient,
) -> None:
    """A namesake's report is only a guess: the officer can still call the number in the wallet."""
    headers = await _headers()
    await _report(client, owner={"id_number": "", "phone": "13900001111"})  # same name, nothing else
    contents = [*ID_CONTENTS, {"kind": "phone_number", "phone": "13805796612"}]
    item = await _item(client, headers, contents)
    [match] = await _matches(client, headers, item)
    assert match["decision"] == "review"
    await sign_in(client, "dc.duty")
    page = await client.get(f"/items/{item}")
    assert "以上建议均未确定" in text_of(page)
    assert "138****6612" in soup(page).select("#ct-content option")[-1].get_text()
    match_id = (await Match.select(Match.id).first())["id"]
    await post_form(client, f"/matches/{match_id}", f"/matches/{match_id}/confirm", {})
    confirmed = await client.get(f"/items/{item}")
    assert soup(confirmed).select_one("#ct-content") is None and "以上建议均未确定" not in text_of(confirmed)


async def test_two_confirmations_racing_for_one_wallet_leave_one_owner(client: httpx.AsyncClient) -> None:
    """Both run at once, each on a connection of its own: one goes through, the other is refused."""
    _, by_report = await _two_reports_one_wallet(client)
    actor = (await make_user("dc.second", Role.DUTY_OFFICER, "DC")).actor("127.0.0.1")
    outcomes = await asyncio.gather(
        *(match_review.confirm(actor, match_id) for match_id in by_report.values()), return_exceptions=True
    )
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], Conflict | NotFound), outcomes
    assert sorted(row["status"] for row in await LostReport.select(LostReport.status)) == ["matched", "open"]
    assert await Notification.count().where(Notification.kind == "match_found") == 1


async def test_a_confirmed_owners_item_waits_for_them_past_its_claim_deadline(
    client: httpx.AsyncClient,
) -> None:
    """An owner told to come has claimed the item (art. 318): the clock never takes it from them."""
    item, report, match_id = await _pair(client)
    await sign_in(client, "dc.duty")
    await post_form(client, f"/matches/{match_id}", f"/matches/{match_id}/confirm", {})
    await FoundItem.update({FoundItem.claim_deadline: datetime(2027, 1, 1, tzinfo=UTC)}, force=True)
    assert await legal_clock.expire_due(datetime(2027, 3, 1, tzinfo=UTC)) == []
    assert (await FoundItem.select(FoundItem.status).first())["status"] == "owner_found"
    assert (await LostReport.select(LostReport.status).first())["status"] == "matched"
    assert item not in (await client.get("/unclaimed")).text
    page = text_of(await client.get(f"/items/{item}"))
    assert "认领期（《民法典》第三百一十八条）不再计算" in page and "还剩" not in page
    again = await _report(client)  # the same details filed once more, after the claim deadline
    found = await _matches(client, await _headers_for_existing(), item)
    assert [(m["lost_report"], m["state"]) for m in found] == [(report, "confirmed")]
    assert again != report and await Match.count().where(Match.state == "suggested") == 0


async def test_an_item_the_clock_used_to_run_out_under_its_owner_stays_theirs(
    client: httpx.AsyncClient,
) -> None:
    """Before, the clock made an ``owner_found`` item ``unclaimed``: such rows keep their owner."""
    item, report, match_id = await _pair(client)
    await sign_in(client, "dc.duty")
    await post_form(client, f"/matches/{match_id}", f"/matches/{match_id}/confirm", {})
    await FoundItem.update({FoundItem.status: "unclaimed"}, force=True)  # as the old clock left it
    again = await _report(client)
    found = await _matches(client, await _headers_for_existing(), item)
    assert [(m["lost_report"], m["state"]) for m in found] == [(report, "confirmed")]
    assert again != report and await Match.count().where(Match.state == "suggested") == 0


async def test_an_item_that_ran_out_its_claim_period_still_meets_a_late_owner(
    client: httpx.AsyncClient,
) -> None:
    """Until it is disposed of, an unclaimed wallet can still go back to its owner."""
    headers = await _headers()
    await _report(client, owner={"id_number": ""})  # the same name: only a guess
    item = await _item(client, headers, ID_CONTENTS)
    await FoundItem.update({FoundItem.claim_deadline: datetime(2027, 1, 1, tzinfo=UTC)}, force=True)
    assert await legal_clock.expire_due(datetime(2027, 3, 1, tzinfo=UTC)) == [item]
    assert len(await _matches(client, headers, item)) == 1  # the guess stays for review
    owner = await _report(client)
    found = await _matches(client, headers, item)
    assert found[0]["lost_report"] == owner and found[0]["decision"] == "auto" and len(found) == 2


async def test_a_wallet_on_its_way_to_another_station_is_decided_on_there(client: httpx.AsyncClient) -> None:
    item, _, match_id = await _pair(client)
    await make_station("FY")
    actor = (await make_user("dc.second", Role.DUTY_OFFICER, "DC")).actor("127.0.0.1")
    await transfers.send(actor, item, "FY")
    await sign_in(client, "dc.duty")
    page = await client.get(f"/matches/{match_id}")
    assert soup(page).select_one(f"form[action='/matches/{match_id}/confirm']") is None
    assert "移交途中" in text_of(page)
    refused = await client.post(f"/matches/{match_id}/confirm", data={"_csrf_token": csrf_from(page)})
    assert refused.status_code == 303 and "移交途中" in text_of(await client.get(refused.headers["location"]))
    assert (await Match.select(Match.state).first())["state"] == "suggested"
    assert (await FoundItem.select(FoundItem.status).first())["status"] == "transferred"
    # The receiving station already sees it in its queue, and is told to take the item in first.
    await make_user("fy.duty", Role.DUTY_OFFICER, "FY")
    client.cookies.clear()
    await sign_in(client, "fy.duty")
    card = soup(await client.get("/matches")).select_one(".match-card")
    assert card is not None and item in card.get_text() and "途中" in card.get_text()
    page = await client.get(f"/matches/{match_id}")
    assert soup(page).select_one(f"form[action='/matches/{match_id}/confirm']") is None
    assert "正在移交到本所" in text_of(page) and soup(page).select_one("a[href='/transfers']") is not None


def test_a_deadlock_broken_by_postgresql_asks_the_user_to_try_again() -> None:
    from asyncpg.exceptions import DeadlockDetectedError, UniqueViolationError

    from lostfound.web import errors

    assert errors._collided(DeadlockDetectedError("deadlock detected"))
    assert not errors._collided(UniqueViolationError("duplicate key"))


async def test_a_confirmation_racing_the_owners_new_phone_never_deadlocks(client: httpx.AsyncClient) -> None:
    """The owner saves a new phone (which re-matches the report) while an officer confirms: on
    PostgreSQL the two used to lock the same rows in opposite orders, one time in four."""
    headers = await _headers()
    actor = (await make_user("dc.second", Role.DUTY_OFFICER, "DC")).actor("127.0.0.1")
    for attempt in range(8):
        report = await _report(client)
        await _item(client, headers, ID_CONTENTS)
        match_id = (await Match.select(Match.id).where(Match.state == "suggested").first())["id"]
        outcomes = await asyncio.gather(
            match_review.confirm(actor, match_id),
            lost_reports.update_contact(report, f"1390000222{attempt}", ""),
            return_exceptions=True,
        )
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        assert (await lost_reports.get_report(report))["status"] == "matched"


async def test_a_suggestion_keeps_its_page_while_either_side_is_edited(client: httpx.AsyncClient) -> None:
    item, report, match_id = await _pair(client)
    await lost_reports.update_contact(report, "13900002222", "")  # re-matches the report
    assert await Match.select(Match.id, Match.state).where(Match.report.reference == report) == [
        {"id": match_id, "state": "suggested"}
    ]
    await sign_in(client, "dc.duty")
    page = await client.get(f"/matches/{match_id}")  # the officer's page, opened before the edit
    confirmed = await client.post(f"/matches/{match_id}/confirm", data={"_csrf_token": csrf_from(page)})
    assert confirmed.headers["location"] == f"/items/{item}"
