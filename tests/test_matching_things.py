"""Phones find their owners by IMEI or serial number; bags, keys and umbrellas by what they look like."""

from __future__ import annotations

import httpx
import pytest

from lostfound import i18n
from lostfound.domain import matching as m
from lostfound.domain.identifiers import luhn_valid
from lostfound.domain.roles import Role
from lostfound.services import accounts
from lostfound.tables import ItemContent, ReportContent
from lostfound.web.templating import reason_text
from tests.factories import SYSTEM, make_user
from tests.test_matching import _matches

IMEI = "490154203237518"  # made up; Luhn-valid
OTHER_IMEI = "356938035643809"  # another phone's, also valid


def _typo(number: str, at: int = 6) -> str:
    wrong = number[:at] + str((int(number[at]) + 1) % 10) + number[at + 1 :]
    assert not luhn_valid(wrong)
    return wrong


async def _headers() -> dict[str, str]:
    await make_user("dc.duty", role=Role.DUTY_OFFICER, station="DC")
    return {"Authorization": f"Bearer {await accounts.create_token(SYSTEM, 'dc.duty')}"}


async def _report(
    client: httpx.AsyncClient, name: str = "黎晓梅", phone: str = "13805796612", **changes
) -> str:
    body = {
        "owner": {"name": name, "id_number": "", "phone": phone, "email": ""},
        "category": "phone",
        "description": "手机",
        "lost_from": "2025-03-28T19:00:00+08:00",
        "lost_to": "2025-03-28T22:00:00+08:00",
        "lost_place": "青石路夜市",
        "district": "东城区",
        "consent": True,
        "contents": [],
        **changes,
    }
    response = await client.post("/api/v1/lost-reports", json=body)
    assert response.status_code == 201, response.text
    return response.json()["reference"]


async def _item(client: httpx.AsyncClient, headers: dict, **changes) -> str:
    body = {
        "station": "DC",
        "category": "phone",
        "description": "手机",
        "found_at": "2025-03-29T09:10:00+08:00",
        "found_place": "人民路公交站",
        "district": "东城区",
        "contents": [],
        **changes,
    }
    response = await client.post("/api/v1/found-items", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["reference"]


def _levels(match: dict) -> set[tuple[str, str]]:
    return {(r["field"], r["level"]) for r in match["reasons"]}


def _imei_row(number: str, **extra) -> dict:
    return {"kind": "imei", "device_number": number, **extra}


async def test_a_phone_whose_imei_is_misread_by_one_digit_finds_its_owner(client: httpx.AsyncClient) -> None:
    headers = await _headers()
    owner = await _report(client, contents=[_imei_row(IMEI)], brand="华为 Mate 60", colour="黑色")
    await _report(client, name="程国栋", phone="13900001111", colour="黑色", brand="华为")
    printed = _imei_row(_typo(IMEI), as_printed=True)
    item = await _item(client, headers, contents=[printed], brand="HUAWEI Mate60", colour="black")
    found = await _matches(client, headers, item)
    assert found and found[0]["lost_report"] == owner
    assert ("imei", "one_edit") in _levels(found[0]) and ("model", "exact") in _levels(found[0])
    assert found[0]["decision"] == "auto"


async def test_an_imei_failing_luhn_needs_as_printed_and_is_masked(client: httpx.AsyncClient) -> None:
    headers = await _headers()
    body = {"station": "DC", "category": "phone", "found_at": "2025-03-29T09:10:00+08:00"}
    refused = await client.post(
        "/api/v1/found-items", json={**body, "contents": [_imei_row(_typo(IMEI))]}, headers=headers
    )
    assert refused.status_code in (400, 422) and "IMEI" in refused.text
    ref = await _item(client, headers, contents=[_imei_row(IMEI)])
    shown = (await client.get(f"/api/v1/found-items/{ref}", headers=headers)).json()
    assert shown["contents"][0]["number_masked"] == "49*********7518" and IMEI not in str(shown)
    stored = await ItemContent.select().first()
    assert IMEI not in str(stored) and stored["number_hash"]


async def test_a_different_valid_imei_is_never_auto(client: httpx.AsyncClient) -> None:
    headers = await _headers()
    await _report(client, contents=[_imei_row(IMEI)], brand="华为", colour="黑色", description="黑色华为手机")
    contents = [_imei_row(OTHER_IMEI), {"kind": "phone_number", "phone": "13805796612"}]
    item = await _item(
        client, headers, contents=contents, brand="华为", colour="黑色", description="黑色华为手机"
    )
    found = await _matches(client, headers, item)
    # The same phone number, brand, colour and words would make it auto; the other phone's IMEI sinks it.
    assert all(m["decision"] != "auto" for m in found)
    assert all(("imei", "different") in _levels(m) for m in found)
    strong = [
        {"field": "phone", "level": "exact", "weight": 13.0},
        {"field": "imei", "level": "different", "weight": -25.0},
    ]
    assert not m.auto_eligible(strong) and not m.may_be_auto(40.0, strong)


async def test_the_same_serial_number_finds_a_tablet(client: httpx.AsyncClient) -> None:
    headers = await _headers()
    serial = {"kind": "serial_number", "device_number": "DMPXK-1OABJG5H"}
    owner = await _report(client, category="electronics", description="iPad 平板", contents=[serial])
    read = {"kind": "serial_number", "device_number": "dmpxk10abjg5h"}  # O read as 0, lower case
    item = await _item(client, headers, category="electronics", description="平板电脑", contents=[read])
    found = await _matches(client, headers, item)
    assert found[0]["lost_report"] == owner and ("serial", "exact") in _levels(found[0])
    assert found[0]["decision"] == "auto"
    stored = await ReportContent.select(ReportContent.number_masked).first()
    assert stored["number_masked"] == "DM********G5H"


async def test_a_black_backpack_finds_a_dark_rucksack_for_review_only(client: httpx.AsyncClient) -> None:
    headers = await _headers()
    owner = await _report(client, category="bag", description="深色双肩包")
    await _report(client, name="程国栋", phone="13900001111", category="bag", description="红色手提包")
    item = await _item(client, headers, category="bag", description="黑色背包")
    found = await _matches(client, headers, item)
    assert [m["lost_report"] for m in found] == [owner]
    levels = _levels(found[0])
    assert ("description", "similar") in levels and ("colour", "similar") in levels
    assert found[0]["decision"] == "review" and not m.auto_eligible(found[0]["reasons"])


async def test_an_umbrella_described_in_english_finds_one_described_in_chinese(
    client: httpx.AsyncClient,
) -> None:
    headers = await _headers()
    owner = await _report(client, category="other", description="一把黑色折叠伞", district="")
    item = await _item(client, headers, category="other", description="black umbrella")
    found = await _matches(client, headers, item)
    assert [m["lost_report"] for m in found] == [owner] and found[0]["decision"] == "review"


async def test_a_bag_naming_nobody_finds_its_owner_among_crowds_of_look_alikes(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At a million reports a week's dark bags in a district are dozens: every look key is crowded."""
    from lostfound.services import matching

    monkeypatch.setattr(matching, "MAX_POSTINGS", 1)
    headers = await _headers()
    owner = await _report(client, category="bag", description="深色双肩包")
    for number, description in enumerate(("黑色手提包", "黑色公文包", "深色单肩包")):
        await _report(
            client, name="程国栋", phone=f"1390000111{number}", category="bag", description=description
        )
    item = await _item(client, headers, category="bag", description="黑色背包")
    found = await _matches(client, headers, item)
    assert found and found[0]["lost_report"] == owner
    assert all(match["decision"] == "review" for match in found)


async def test_a_bag_found_among_look_alikes_stays_suggested_when_its_owner_changes_her_phone(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bag's lookup met the report through its crowded look keys; the report's own lookup, run
    again for her new phone, reads a sample of them that misses the bag. The suggestion must not
    depend on that."""
    from lostfound.services import lost_reports, matching

    monkeypatch.setattr(matching, "MAX_POSTINGS", 1)
    monkeypatch.setattr(matching, "MAX_LOOK_POSTINGS", 1)  # the sample: the week's first dark bag
    headers = await _headers()
    owner = await _report(client, category="bag", description="深色双肩包")
    await _item(client, headers, category="bag", description="黑色手提包")  # the week's other dark bag
    item = await _item(client, headers, category="bag", description="黑色背包")
    before = await _matches(client, headers, item)
    assert before and before[0]["lost_report"] == owner
    await lost_reports.update_contact(owner, "13900002222", "")
    after = await _matches(client, headers, item)
    assert [(m["lost_report"], m["score"]) for m in after] == [(m["lost_report"], m["score"]) for m in before]


async def test_a_report_filed_after_crowds_of_look_alike_bags_finds_its_bag(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A busy week's dark bags crowd every look key before the owner reports hers: her report's own
    lookup must read those keys too, or the bag (whose lookup ran before her report existed) and her
    report never meet."""
    from lostfound.services import matching

    monkeypatch.setattr(matching, "MAX_POSTINGS", 1)
    headers = await _headers()
    bag = await _item(client, headers, category="bag", description="黑色背包")
    for description in ("黑色手提包", "黑色公文包", "深色单肩包"):
        await _item(client, headers, category="bag", description=description)
    owner = await _report(client, category="bag", description="深色双肩包")
    response = await client.get(f"/api/v1/lost-reports/{owner}/matches", headers=headers)
    found = response.json()["matches"]
    assert found and found[0]["found_item"] == bag
    assert all(match["decision"] == "review" for match in found)
    # The bag's page lists the owner as well: the suggestion is one row seen from both sides.
    assert [m["lost_report"] for m in await _matches(client, headers, bag)] == [owner]


async def test_a_wallet_met_by_the_owners_name_is_not_crowded_out_by_look_alikes(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A busy week's brown wallets naming nobody, and one naming her on a bank card (found a district
    over): her report reads the look-alikes for what they are worth, after the wallet her name found."""
    from lostfound.services import matching

    monkeypatch.setattr(matching, "MAX_POSTINGS", 1)
    headers = await _headers()
    for _ in range(m.MAX_CANDIDATES + 1):
        await _item(client, headers, category="wallet", description="棕色钱包")
    card = [{"kind": "bank_card", "holder_name": "黎晓梅", "bank": "中国建设银行"}]
    named = await _item(
        client, headers, category="wallet", description="钱包", district="西城区", contents=card
    )
    owner = await _report(client, category="wallet", description="棕色钱包")
    response = await client.get(f"/api/v1/lost-reports/{owner}/matches", headers=headers)
    found = [match["found_item"] for match in response.json()["matches"]]
    assert found and found[0] == named


async def test_a_bag_among_look_alikes_is_not_crowded_out_by_namesakes_cards(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A common name meets dozens of other people's cards over the weeks of a long window of loss, a
    few a week and a district: her report must still read the crowd of dark bags of her own week,
    hers among them."""
    from datetime import datetime, timedelta

    from lostfound.services import matching

    monkeypatch.setattr(matching, "MAX_POSTINGS", 10)
    headers = await _headers()
    for _ in range(11):  # the week's dark bags crowd every look key
        await _item(
            client, headers, category="bag", description="黑色手提包", found_at="2025-03-05T09:00:00+08:00"
        )
    bag = await _item(
        client, headers, category="bag", description="黑色背包", found_at="2025-03-05T10:00:00+08:00"
    )
    card = [{"kind": "bank_card", "holder_name": "黎晓梅", "bank": "中国建设银行"}]
    start = datetime.fromisoformat("2025-03-03T09:00:00+08:00")
    districts = ["西城区", "南城区", "北城区", "朝阳区", "海淀区", "丰台区", "石景山区", "通州区"]
    for number in range(m.MAX_CANDIDATES + 1):  # a few namesakes' cards a week and a district
        await _item(
            client,
            headers,
            category="wallet",
            description="钱包",
            found_at=(start + timedelta(days=number * 53 // 31)).isoformat(),
            district=districts[number % len(districts)],
            contents=card,
        )
    owner = await _report(
        client,
        category="bag",
        description="深色双肩包",
        lost_from="2025-03-01T08:00:00+08:00",
        lost_to="2025-04-25T20:00:00+08:00",
    )
    response = await client.get(f"/api/v1/lost-reports/{owner}/matches", headers=headers)
    assert bag in [match["found_item"] for match in response.json()["matches"]]


def test_of_many_look_alikes_those_sharing_the_rarest_keys_are_scored() -> None:
    week, district, brand = 1, 2, 3  # keys: a colour in a week, in a district, a brand in a week
    ours = [(week, m.KeyKind.DESC_WEEK), (district, m.KeyKind.DESC_DISTRICT), (brand, m.KeyKind.DESC_BRAND)]
    crowd = list(range(100, 160))
    postings = {
        week: [(int(m.KeyKind.DESC_WEEK), record) for record in [*crowd, 7]],
        district: [(int(m.KeyKind.DESC_DISTRICT), record) for record in crowd[:40]],
        brand: [(int(m.KeyKind.DESC_BRAND), 7)],
    }
    kept = m.rarest_shared(ours, postings)
    assert len(kept) == m.MAX_CANDIDATES
    assert 7 in kept  # the one sharing the brand, though it shares fewer keys than the crowd
    assert max(crowd[:40]) in kept and min(crowd[40:]) not in kept  # then week and district, latest first


def test_looks_alone_are_never_enough_for_auto() -> None:
    reasons = [
        {"field": "description", "level": "similar", "weight": 4.0, "similarity": 1.0},
        {"field": "colour", "level": "exact", "weight": 2.0},
        {"field": "brand", "level": "exact", "weight": 2.5},
        {"field": "model", "level": "exact", "weight": 3.0},
        {"field": "time", "level": "in_window", "weight": 1.5},
        {"field": "district", "level": "exact", "weight": 1.0},
    ]
    assert not m.auto_eligible(reasons) and not m.may_be_auto(99.0, reasons) and not m.identified(reasons)
    assert m.auto_eligible([{"field": "imei", "level": "one_edit", "weight": 16.0}])


@pytest.mark.parametrize("locale", ["zh_Hans", "en"])
def test_the_new_reasons_are_translated(locale: str) -> None:
    i18n.set_locale(locale)
    new = [
        key
        for key in m.REASON_LABELS
        if key[0] in ("imei", "serial", "bank", "brand", "model", "colour", "thing", "description")
    ]
    assert len(new) == 18
    for field, level in new:
        text = reason_text({"field": field, "level": level, "weight": 1.0, "similarity": 0.83})
        assert text and ":" not in text
        if locale == "zh_Hans":
            assert any("\u4e00" <= char <= "\u9fff" for char in text), text
    assert "83" in reason_text(
        {"field": "description", "level": "similar", "weight": 3.3, "similarity": 0.83}
    )
    i18n.set_locale("zh_Hans")


async def test_the_intake_form_takes_an_imei_and_shows_it_masked(client: httpx.AsyncClient) -> None:
    from tests.factories import csrf_from, sign_in, text_of

    await make_user("dc.duty", role=Role.DUTY_OFFICER, station="DC")
    await sign_in(client, "dc.duty")
    form = {
        "category": "phone",
        "description": "黑色华为手机",
        "brand": "华为 Mate 60",
        "colour": "黑色",
        "found_at": "2025-03-28T21:40",
        "found_place": "青石路夜市",
        "storage_location": "A-03",
        "finder_name": "应师傅",
        "finder_reward": "waived",
        "c-0-kind": "imei",
        "c-0-device_number": _typo(IMEI),
    }
    page = await client.get("/items/new")
    assert 'name="c-0-device_number"' in page.text
    refused = await client.post("/items/new", data={**form, "_csrf_token": csrf_from(page)})
    assert refused.status_code == 400 and "IMEI 串号的最后一位校验位" in text_of(refused)
    page = await client.get("/items/new")
    kept = {**form, "c-0-as_printed": "1", "_csrf_token": csrf_from(page)}
    response = await client.post("/items/new", data=kept, follow_redirects=False)
    assert response.status_code == 303, text_of(response)
    detail = await client.get(response.headers["location"])
    masked = _typo(IMEI)[:2] + "*" * 9 + _typo(IMEI)[-4:]
    assert masked in text_of(detail) and _typo(IMEI) not in detail.text and "如实登记" in text_of(detail)
