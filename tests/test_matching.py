"""Found wallets find their owners: the named desk cases are found, a namesake is never auto."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from lostfound.domain import identifiers as ids
from lostfound.domain.matching import AUTO_SCORE
from lostfound.domain.roles import Role
from lostfound.services import accounts, matching
from lostfound.tables import FoundItem, ItemKey, LostReport, Match, ReportKey
from tests.factories import SYSTEM, make_user

OWNER_ID = "330784198805121239"  # made up; check digit valid
OTHER_ID = "330784199002143316"  # a namesake's number, also valid
OWNER_PHONE = "13805796612"


async def _headers() -> dict[str, str]:
    await make_user("dc.duty", role=Role.DUTY_OFFICER, station="DC")
    return {"Authorization": f"Bearer {await accounts.create_token(SYSTEM, 'dc.duty')}"}


async def _report(client: httpx.AsyncClient, name: str = "黎晓梅", **changes) -> str:
    body = {
        "owner": {"name": name, "id_number": OWNER_ID, "phone": OWNER_PHONE, "email": ""},
        "category": "wallet",
        "description": "棕色皮质长款钱包",
        "lost_from": "2025-03-28T19:00:00+08:00",
        "lost_to": "2025-03-28T22:00:00+08:00",
        "lost_place": "青石路夜市",
        "district": "东城区",
        "consent": True,
        "contents": [],
    }
    owner = changes.pop("owner", {})
    body["owner"].update(owner)
    body.update(changes)
    response = await client.post("/api/v1/lost-reports", json=body)
    assert response.status_code == 201, response.text
    return response.json()["reference"]


def _item_body(contents: list[dict], **changes) -> dict:
    return {
        "station": "DC",
        "category": "wallet",
        "description": "钱包",
        "found_at": "2025-03-30T09:10:00+08:00",
        "found_place": "人民路公交站",
        "district": "东城区",
        "contents": contents,
        **changes,
    }


async def _item(client: httpx.AsyncClient, headers: dict, contents: list[dict], **changes) -> str:
    body = _item_body(contents, **changes)
    response = await client.post("/api/v1/found-items", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["reference"]


async def _matches(client: httpx.AsyncClient, headers: dict, item: str) -> list[dict]:
    response = await client.get(f"/api/v1/found-items/{item}/matches", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["matches"]


def _typo(number: str) -> str:
    wrong = number[:15] + ("7" if number[15] != "7" else "8") + number[16:]
    assert not ids.id_check_ok(wrong)
    return wrong


def _swap(number: str, at: int) -> str:
    swapped = number[:at] + number[at + 1] + number[at] + number[at + 2 :]
    assert swapped != number and not ids.id_check_ok(swapped)
    return swapped


async def test_a_clean_id_card_finds_its_owner_automatically(client: httpx.AsyncClient) -> None:
    headers = await _headers()
    owner = await _report(client)
    await _report(client, name="程国栋", owner={"id_number": "", "phone": "13900001111"})
    item = await _item(client, headers, [{"kind": "id_card", "holder_name": "黎晓梅", "id_number": OWNER_ID}])
    found = await _matches(client, headers, item)
    assert [m["lost_report"] for m in found] == [owner]
    assert found[0]["decision"] == "auto"
    fields = {(r["field"], r["level"]) for r in found[0]["reasons"]}
    assert ("id_number", "exact") in fields and ("name", "exact") in fields
    assert all(isinstance(r["weight"], float) for r in found[0]["reasons"])
    # The other side sees the same pair.
    response = await client.get(f"/api/v1/lost-reports/{owner}/matches", headers=headers)
    assert [m["found_item"] for m in response.json()["matches"]] == [item]


@pytest.mark.parametrize(
    "printed",
    [_typo(OWNER_ID), _swap(OWNER_ID, 12), _swap(OWNER_ID, 2)],
    ids=["one-digit typo", "adjacent transposition", "transposition across a block"],
)
async def test_a_misread_id_number_still_finds_its_owner(client: httpx.AsyncClient, printed: str) -> None:
    headers = await _headers()
    owner = await _report(client)
    contents = [{"kind": "id_card", "holder_name": "黎晓梅", "id_number": printed, "as_printed": True}]
    found = await _matches(client, headers, await _item(client, headers, contents))
    assert found and found[0]["lost_report"] == owner and found[0]["decision"] == "auto"
    assert ("id_number", "one_edit") in {(r["field"], r["level"]) for r in found[0]["reasons"]}


def _date_misread(number: str) -> str:
    """The first month digit misread as 3: a month from 30 to 39 that cannot exist."""
    wrong = number[:10] + "3" + number[11:]
    assert wrong != number and not ids.id_check_ok(wrong) and ids.birth_date_of(wrong) is None
    return wrong


@pytest.mark.parametrize(
    "printed",
    [_date_misread(OWNER_ID), _swap(OWNER_ID, 11)],
    ids=["month digit misread", "day digits transposed"],
)
async def test_a_misread_digit_in_the_birth_date_is_kept_as_printed_and_finds_its_owner(
    client: httpx.AsyncClient, printed: str
) -> None:
    """The date cannot exist and the check character fails: one misread digit, not a bad record."""
    headers = await _headers()
    owner = await _report(client)
    card = {"kind": "id_card", "holder_name": "黎晓梅", "id_number": printed}
    shown = f"{printed[6:10]}-{printed[10:12]}-{printed[12:14]}"
    refused = await client.post(
        "/api/v1/found-items", json=_item_body([card]), headers={**headers, "Accept-Language": "zh-CN"}
    )
    assert refused.status_code == 400, refused.text
    (error,) = refused.json()["errors"]
    assert error["field"] == "contents.0.id_number"
    assert f"出生日期（{shown}）不可能成立" in error["message"] and "校验码" in error["message"]
    assert "如实登记" in error["message"]
    assert await FoundItem.count() == 0

    item = await _item(client, headers, [{**card, "as_printed": True}])
    saved = await client.get(f"/api/v1/found-items/{item}", headers=headers)
    assert saved.json()["contents"][0]["as_printed"] is True
    assert saved.json()["contents"][0]["number_masked"] == ids.mask_id(printed)
    found = await _matches(client, headers, item)
    assert found and found[0]["lost_report"] == owner
    assert ("id_number", "one_edit") in {(r["field"], r["level"]) for r in found[0]["reasons"]}


async def test_an_owner_typing_an_impossible_date_and_a_failing_check_is_still_asked_to_correct_it(
    client: httpx.AsyncClient,
) -> None:
    """An owner types their own number, nothing is printed: the report does not keep it as typed."""
    body = {
        "owner": {"name": "黎晓梅", "id_number": _date_misread(OWNER_ID), "phone": OWNER_PHONE},
        "category": "wallet",
        "description": "棕色皮质长款钱包",
        "lost_from": "2025-03-28T19:00:00+08:00",
        "lost_place": "青石路夜市",
        "consent": True,
    }
    response = await client.post("/api/v1/lost-reports", json=body)
    assert response.status_code == 400, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["owner.id_number"]
    assert await LostReport.count() == 0


async def test_a_foreign_permanent_resident_id_card_finds_its_owner_even_misread(
    client: httpx.AsyncClient,
) -> None:
    body = "93384019880512123"
    number = body + ids.id_check_digit(body)
    headers = await _headers()
    owner = await _report(client, name="SMITH JOHN", owner={"id_number": number})
    card = {"kind": "id_card", "holder_name": "SMITH JOHN", "id_number": number}
    found = await _matches(client, headers, await _item(client, headers, [card]))
    assert [(m["lost_report"], m["decision"]) for m in found] == [(owner, "auto")]
    misread = {**card, "id_number": _typo(number), "as_printed": True}
    found = await _matches(client, headers, await _item(client, headers, [misread]))
    assert found and found[0]["lost_report"] == owner
    assert ("id_number", "one_edit") in {(r["field"], r["level"]) for r in found[0]["reasons"]}


async def test_a_masked_id_with_the_name_is_found(client: httpx.AsyncClient) -> None:
    headers = await _headers()
    owner = await _report(client)
    masked = OWNER_ID[:6] + "********" + OWNER_ID[-4:]
    found = await _matches(
        client,
        headers,
        await _item(client, headers, [{"kind": "id_card", "holder_name": "黎晓梅", "id_number": masked}]),
    )
    assert found[0]["lost_report"] == owner
    assert ("id_number", "masked") in {(r["field"], r["level"]) for r in found[0]["reasons"]}


async def test_a_homophone_name_with_the_same_phone_is_found(client: httpx.AsyncClient) -> None:
    headers = await _headers()
    owner = await _report(client, owner={"id_number": ""})
    contents = [
        {"kind": "bank_card", "holder_name": "李晓梅", "card_last4": "0128"},
        {"kind": "phone_number", "phone": "138-0579-6612"},
    ]
    found = await _matches(client, headers, await _item(client, headers, contents))
    assert found[0]["lost_report"] == owner
    levels = {(r["field"], r["level"]) for r in found[0]["reasons"]}
    assert ("name", "homophone") in levels and ("phone", "exact") in levels


async def test_card_last_four_and_the_name_find_the_owner(client: httpx.AsyncClient) -> None:
    headers = await _headers()
    owner = await _report(
        client,
        owner={"id_number": "", "phone": "13911112222"},
        contents=[{"kind": "bank_card", "holder_name": "黎晓梅", "card_last4": "0128", "bank": "农业银行"}],
    )
    contents = [{"kind": "bank_card", "holder_name": "黎晓梅", "card_last4": "0128", "bank": "农业银行"}]
    found = await _matches(client, headers, await _item(client, headers, contents, district=""))
    assert found and found[0]["lost_report"] == owner
    assert ("card_last4", "exact") in {(r["field"], r["level"]) for r in found[0]["reasons"]}


async def test_of_two_namesakes_the_one_who_lost_a_card_of_the_same_bank_comes_first(
    client: httpx.AsyncClient,
) -> None:
    """A wallet holding a card of 建设银行 (its last 4 unread): the namesake who lost a 建行 card ranks
    above the one who lost an ICBC card, with the bank among the reasons; a bank never decides alone."""
    headers = await _headers()
    construction = await _report(
        client,
        owner={"id_number": "", "phone": "13911112222"},
        contents=[{"kind": "bank_card", "holder_name": "黎晓梅", "bank": "建行"}],
    )
    commerce = await _report(
        client,
        owner={"id_number": "", "phone": "13933334444"},
        contents=[{"kind": "bank_card", "holder_name": "黎晓梅", "bank": "ICBC"}],
    )
    contents = [{"kind": "bank_card", "holder_name": "黎晓梅", "bank": "中国建设银行东城支行"}]
    found = await _matches(client, headers, await _item(client, headers, contents))
    assert [m["lost_report"] for m in found] == [construction, commerce]
    banks = [{r["level"] for r in m["reasons"] if r["field"] == "bank"} for m in found]
    assert banks == [{"exact"}, {"different"}]
    assert {m["decision"] for m in found} == {"review"}


def test_banks_are_one_bank_whatever_people_call_them() -> None:
    from lostfound.domain.banks import bank_key

    assert {bank_key(name) for name in ("工行", "工商银行", "中国工商银行北京分行", "ICBC", " icbc ")} == {
        "icbc"
    }
    assert {bank_key(name) for name in ("中国银行", "中行", "Bank of China")} == {"boc"}
    assert bank_key("招商银行股份有限公司") == bank_key("招行") != bank_key("中国银行")
    assert bank_key("北京农商银行") == bank_key("农村商业银行")
    assert bank_key("中国宁波银行") == bank_key("宁波银行") == "宁波银行"  # not listed: its own name
    assert bank_key("") == ""


def test_a_card_of_another_bank_keeps_the_same_last_four_from_deciding() -> None:
    """Two cards ending alike but of different banks are two cards: no ``auto`` on the last 4 then."""
    from lostfound.domain import matching as m

    item = m.MatchFacts(category="wallet", names=["黎晓梅"], card_last4=["0128"], district="东城区")
    report = m.MatchFacts(category="wallet", names=["黎晓梅"], card_last4=["0128"], district="东城区")
    card = {(m.KeyKind.NAME_CARD, m.KeyKind.NAME_CARD), (m.KeyKind.CARD_DISTRICT, m.KeyKind.CARD_DISTRICT)}
    item.banks, report.banks = ["ccb"], ["ccb"]
    same = m.score(item, report, card)
    assert m.auto_eligible([r.as_dict() for r in same.reasons])
    report.banks = ["icbc"]
    other = m.score(item, report, card)
    assert not m.auto_eligible([r.as_dict() for r in other.reasons]) and other.score < same.score


async def test_a_namesake_with_another_valid_id_is_never_auto(client: httpx.AsyncClient) -> None:
    headers = await _headers()
    await _report(client)  # 黎晓梅 with OWNER_ID, same district, same evening
    item = await _item(client, headers, [{"kind": "id_card", "holder_name": "黎晓梅", "id_number": OTHER_ID}])
    found = await _matches(client, headers, item)
    assert all(m["decision"] != "auto" for m in found)
    assert all(("id_number", "different") in {(r["field"], r["level"]) for r in m["reasons"]} for m in found)


async def test_the_same_phone_keeps_an_owner_with_a_mistyped_valid_id_in_review(
    client: httpx.AsyncClient,
) -> None:
    """The owner typed two digits of their ID wrong and the check still passed: their phone and name
    agree, so an officer sees the report, though it counts strongly against and is never auto."""
    headers = await _headers()
    first17 = OWNER_ID[:15] + ("3" if OWNER_ID[15] != "3" else "4") + OWNER_ID[16]
    mistyped = first17 + ids.id_check_digit(first17)
    assert ids.id_check_ok(mistyped) and mistyped != OWNER_ID
    report = await _report(client, owner={"id_number": mistyped})  # same name and phone
    await _report(client, name="程国栋", owner={"id_number": OTHER_ID, "phone": "13900001111"})
    contents = [
        {"kind": "id_card", "holder_name": "黎晓梅", "id_number": OWNER_ID},
        {"kind": "phone_number", "phone": OWNER_PHONE},
    ]
    [found] = await _matches(client, headers, await _item(client, headers, contents))
    assert found["lost_report"] == report and found["decision"] == "review"
    levels = {(r["field"], r["level"]) for r in found["reasons"]}
    assert {("phone", "exact"), ("id_number", "different")} <= levels


async def test_a_phone_in_a_wallet_whose_cards_name_someone_else_is_never_auto(
    client: httpx.AsyncClient,
) -> None:
    """The slip may hold a relative's number: the officer decides whose wallet it is."""
    headers = await _headers()
    report = await _report(client, name="刘小红", owner={"id_number": ""})  # OWNER_PHONE, no ID
    contents = [
        {"kind": "id_card", "holder_name": "欧阳明", "id_number": OTHER_ID},
        {"kind": "phone_number", "phone": OWNER_PHONE},
    ]
    [found] = await _matches(client, headers, await _item(client, headers, contents))
    levels = {(r["field"], r["level"]) for r in found["reasons"]}
    assert found["lost_report"] == report and {("phone", "exact"), ("name", "different")} <= levels
    assert found["decision"] == "review" and found["score"] >= AUTO_SCORE


async def test_a_repaired_id_under_another_name_is_never_auto(client: httpx.AsyncClient) -> None:
    """A misread number has a dozen valid neighbours; one may be a stranger's, or a twin's."""
    headers = await _headers()
    misread = OWNER_ID[:9] + "9" + OWNER_ID[10:]  # 黎晓梅's card, the year's last digit misread
    stranger = misread[:10] + "01" + misread[12:]  # born that January in the same county
    # Her twin brother's number differs from hers in the sequence digit and the check character.
    twin = OWNER_ID[:16] + "5"
    twin += ids.id_check_digit(twin)
    misread_twin = OWNER_ID[:16] + "5" + OWNER_ID[17]  # her card, the sequence digit misread
    for printed, neighbour in ((misread, stranger), (misread_twin, twin)):
        assert not ids.id_check_ok(printed) and ids.id_check_ok(neighbour)
        assert neighbour in ids.id_one_edit_neighbours(printed)
    await _report(client, name="王建国", owner={"id_number": stranger, "phone": "13900001111"})
    await _report(client, name="黎晓峰", owner={"id_number": twin, "phone": "13900002222"})
    for printed, name_level in ((misread, "different"), (misread_twin, "partial")):
        contents = [{"kind": "id_card", "holder_name": "黎晓梅", "id_number": printed, "as_printed": True}]
        [found] = await _matches(client, headers, await _item(client, headers, contents))
        levels = {(r["field"], r["level"]) for r in found["reasons"]}
        assert {("id_number", "one_edit"), ("name", name_level)} <= levels
        assert found["decision"] == "review" and found["score"] >= AUTO_SCORE


async def test_a_phone_alone_is_never_auto_for_another_kind_of_thing(client: httpx.AsyncClient) -> None:
    """The wallet's slip holds the household's number; the wife reported her keys with it."""
    headers = await _headers()
    keys = await _report(
        client, name="刘小红", owner={"id_number": ""}, category="keys", description="一串钥匙"
    )
    contents = [{"kind": "phone_number", "phone": OWNER_PHONE}]
    [found] = await _matches(client, headers, await _item(client, headers, contents))
    levels = {(r["field"], r["level"]) for r in found["reasons"]}
    assert found["lost_report"] == keys and {("phone", "exact"), ("category", "different")} <= levels
    assert found["decision"] == "review" and found["score"] >= AUTO_SCORE
    # A wallet reported with the number on a wallet's slip is the slip's.
    wallet = await _report(client, name="刘小红", owner={"id_number": "", "phone": "13900003333"})
    contents = [{"kind": "phone_number", "phone": "13900003333"}]
    [found] = await _matches(client, headers, await _item(client, headers, contents))
    assert found["lost_report"] == wallet and found["decision"] == "auto"


async def test_a_card_last_4_typed_in_full_width_digits_still_agrees(client: httpx.AsyncClient) -> None:
    """A Chinese input method left in full-width mode types １２３４."""
    headers = await _headers()
    report = await _report(
        client, owner={"id_number": ""}, contents=[{"kind": "bank_card", "card_last4": "０１ ２８"}]
    )
    contents = [{"kind": "bank_card", "holder_name": "黎晓梅", "card_last4": "0128"}]
    [found] = await _matches(client, headers, await _item(client, headers, contents))
    assert found["lost_report"] == report and found["decision"] == "auto"
    assert ("card_last4", "exact") in {(r["field"], r["level"]) for r in found["reasons"]}


@pytest.mark.parametrize("district", ["东城", "东城 区", "Dongcheng District"])
async def test_a_district_typed_without_its_suffix_is_the_same_district(
    client: httpx.AsyncClient, district: str
) -> None:
    headers = await _headers()
    latin = district.isascii()
    card = [{"kind": "bank_card", "card_last4": "0128"}]
    report = await _report(client, owner={"id_number": ""}, district=district, contents=card)
    contents = [{"kind": "bank_card", "holder_name": "黎晓梅", "card_last4": "0128"}]
    item_district = "dongcheng" if latin else "东城区"
    [found] = await _matches(client, headers, await _item(client, headers, contents, district=item_district))
    assert found["lost_report"] == report and found["decision"] == "auto"
    assert ("district", "exact") in {(r["field"], r["level"]) for r in found["reasons"]}


def _card_report(phone: str) -> dict:
    return {
        "owner": {"id_number": "", "phone": phone},
        "contents": [{"kind": "bank_card", "card_last4": "4321"}],
    }


async def test_a_rare_character_keeps_a_namesake_with_the_same_card_ending_from_auto(
    client: httpx.AsyncClient,
) -> None:
    """王𬱖 and 王𫖯 (characters outside the usual block) are two people: the card's last 4 finds
    王𬱖's report, and 王𫖯's is not suggested at all."""
    headers = await _headers()
    owner = await _report(client, name="王𬱖", **_card_report("13911112222"))
    await _report(client, name="王𫖯", **_card_report("13933334444"))
    contents = [{"kind": "bank_card", "holder_name": "王𬱖", "card_last4": "4321"}]
    found = await _matches(client, headers, await _item(client, headers, contents))
    assert [(m["lost_report"], m["decision"]) for m in found] == [(owner, "auto")]


@pytest.mark.parametrize(
    ("reported", "on_the_card"),
    [
        ("José Müller", "JOSE MUELLER"),
        ("Nguyễn Văn An", "NGUYEN VAN AN"),
        ("吕晓梅", "LYU XIAOMEI"),
        ("单和平", "SHAN HEPING"),
    ],
    ids=["accents and German ue", "Vietnamese accents", "ü written yu", "a surname's rarer reading"],
)
async def test_a_card_spelling_the_name_otherwise_finds_its_owner_automatically(
    client: httpx.AsyncClient, reported: str, on_the_card: str
) -> None:
    headers = await _headers()
    owner = await _report(client, name=reported, **_card_report("13911112222"))
    other = await _report(client, name="卢晓梅", **_card_report("13933334444"))
    contents = [{"kind": "bank_card", "holder_name": on_the_card, "card_last4": "4321"}]
    found = await _matches(client, headers, await _item(client, headers, contents))
    assert found and (found[0]["lost_report"], found[0]["decision"]) == (owner, "auto")
    assert {r["level"] for r in found[0]["reasons"] if r["field"] == "name"} <= {"exact", "homophone"}
    assert other not in [m["lost_report"] for m in found]


@pytest.mark.parametrize("unreadable", [17, 16, 2], ids=["check character", "sequence digit", "region digit"])
async def test_one_unreadable_character_is_worked_out_from_the_check_character(
    client: httpx.AsyncClient, unreadable: int
) -> None:
    """A worn card: the desk types * for the one character it cannot read, first 6 or last 4 included."""
    headers = await _headers()
    namesake = await _report(client, owner={"id_number": OTHER_ID, "phone": "13900001111"})
    owner = await _report(client)
    printed = OWNER_ID[:unreadable] + "*" + OWNER_ID[unreadable + 1 :]
    contents = [{"kind": "id_card", "holder_name": "黎晓梅", "id_number": printed}]
    found = await _matches(client, headers, await _item(client, headers, contents))
    assert [m["lost_report"] for m in found] == [owner, namesake]
    assert found[0]["decision"] == "auto"
    assert ("id_number", "one_edit") in {(r["field"], r["level"]) for r in found[0]["reasons"]}


async def test_a_hong_kong_visitors_home_return_permit_finds_its_owner(client: httpx.AsyncClient) -> None:
    """回乡证: the ID a Hong Kong resident carries on the mainland, matched by its number. The permit
    prints the name in traditional characters; the owner's phone typed it in simplified ones."""
    headers = await _headers()
    permit = {"kind": "travel_permit", "holder_name": "陳大文", "id_number": "H12345678"}
    report = await _report(
        client,
        name="陈大文",
        owner={"id_number": "", "phone": "13900001111"},
        contents=[{**permit, "holder_name": "陈大文", "id_number": "h 1234 5678"}],
    )
    ref = await _item(client, headers, [permit])
    [found] = await _matches(client, headers, ref)
    assert found["lost_report"] == report and found["decision"] == "auto"
    reasons = {(r["field"], r["level"]) for r in found["reasons"]}
    assert {("passport", "exact"), ("name", "exact")} <= reasons
    # At the handover the permit is the document the claimant's number is checked against.
    from lostfound.services import handover

    situation = await handover.situation(ref)
    assert [row["kind"] for row in situation.documents] == ["travel_permit"]
    assert handover.compare_id("H12345678", situation.documents, None).outcome == "exact"
    assert handover.compare_id("H12345679", situation.documents, None).outcome == "different"


async def test_a_hong_kong_spelling_of_the_owners_name_ranks_her_report(client: httpx.AsyncClient) -> None:
    """The permit's English name CHAN TAI MAN is 陈大文 in Cantonese: with the owner's phone on a slip
    in the wallet, her report is listed with the name spelled alike, above what a different name gets.
    Cantonese and pinyin share too many syllables for that to decide alone: the officer does."""
    headers = await _headers()
    report = await _report(client, name="陈大文", owner={"id_number": ""})  # OWNER_PHONE
    scores = {}
    for holder, name_level in (("CHAN TAI MAN", "spelled"), ("WONG TAI MAN", "different")):
        contents = [
            {"kind": "travel_permit", "holder_name": holder, "id_number": "H12345678"},
            {"kind": "phone_number", "phone": OWNER_PHONE},
        ]
        [found] = await _matches(client, headers, await _item(client, headers, contents))
        levels = {(r["field"], r["level"]) for r in found["reasons"]}
        assert found["lost_report"] == report and found["decision"] == "review"
        assert {("phone", "exact"), ("name", name_level)} <= levels
        scores[holder] = found["score"]
    assert scores["CHAN TAI MAN"] > scores["WONG TAI MAN"] + 5


async def test_a_daughters_id_card_in_her_mothers_wallet_does_not_count_against_the_mother(
    client: httpx.AsyncClient,
) -> None:
    """The mother reports with her own ID; the wallet holds her bank card and her daughter's ID card."""
    headers = await _headers()
    card = [{"kind": "bank_card", "card_last4": "0128"}]
    mother = await _report(client, contents=card)  # 黎晓梅 with OWNER_ID
    contents = [
        {"kind": "id_card", "holder_name": "张小雨", "id_number": OTHER_ID},
        {"kind": "bank_card", "holder_name": "黎晓梅", "card_last4": "0128"},
    ]
    [found] = await _matches(client, headers, await _item(client, headers, contents))
    levels = {(r["field"], r["level"]) for r in found["reasons"]}
    assert found["lost_report"] == mother and ("id_number", "different") not in levels
    assert {("name", "exact"), ("card_last4", "exact")} <= levels
    # A namesake of the daughter, with another valid ID, still has it counted against her.
    namesake = await _report(client, name="张小雨", owner={"phone": "13900001111"})  # OWNER_ID
    found = {
        m["lost_report"]: m
        for m in await _matches(client, headers, await _item(client, headers, [contents[0]]))
    }
    assert namesake not in found  # −25 for the other ID: far below review


async def test_two_close_owners_are_left_for_an_officer_to_choose(client: httpx.AsyncClient) -> None:
    headers = await _headers()
    first = await _report(client, owner={"id_number": ""})
    second = await _report(client, owner={"id_number": "", "phone": "13900002222"})
    contents = [{"kind": "bank_card", "holder_name": "黎晓梅", "card_last4": "0128"}]
    found = await _matches(client, headers, await _item(client, headers, contents))
    assert len(found) == 2 and {m["decision"] for m in found} == {"review"}
    # Alike in all the item shows: the latest report first, every time.
    assert found[0]["score"] == found[1]["score"]
    assert [m["lost_report"] for m in found] == [second, first]


def test_equal_scores_are_ranked_latest_record_first() -> None:
    from lostfound.domain import matching as m

    alike = m.Scored(12.0, (m.Reason(m.Field.NAME, "exact", 12.0),))
    ranked = m.decide([(3, alike), (7, alike), (5, m.Scored(14.0, alike.reasons)), (4, alike)])
    assert [d.other for d in ranked] == [5, 7, 4, 3]


async def test_nothing_agreeing_means_no_candidate(client: httpx.AsyncClient) -> None:
    headers = await _headers()
    await _report(client)
    contents = [{"kind": "id_card", "holder_name": "程国栋", "id_number": OTHER_ID}]
    assert await _matches(client, headers, await _item(client, headers, contents, district="西城区")) == []


async def test_a_report_filed_after_the_item_finds_it_too(client: httpx.AsyncClient) -> None:
    headers = await _headers()
    item = await _item(client, headers, [{"kind": "id_card", "holder_name": "黎晓梅", "id_number": OWNER_ID}])
    assert await _matches(client, headers, item) == []
    owner = await _report(client)
    found = await _matches(client, headers, item)
    assert [m["lost_report"] for m in found] == [owner] and found[0]["decision"] == "auto"


async def test_a_withdrawn_report_drops_out_and_no_number_is_stored_in_clear(
    client: httpx.AsyncClient,
) -> None:
    headers = await _headers()
    owner = await _report(client)
    item = await _item(client, headers, [{"kind": "id_card", "holder_name": "黎晓梅", "id_number": OWNER_ID}])
    assert await _matches(client, headers, item)
    keys = [row["key"] for row in await ItemKey.select(ItemKey.key)] + [
        row["key"] for row in await ReportKey.select(ReportKey.key)
    ]
    assert keys and all(isinstance(key, int) for key in keys)
    from lostfound.services import lost_reports, matching

    report = await lost_reports.get_report(owner)
    await lost_reports.withdraw(owner)
    assert await Match.count().where(Match.report == report["id"]) == 0
    assert await ReportKey.count().where(ReportKey.report == report["id"]) == 0
    withdrawn = await LostReport.select(LostReport.match_keys).where(LostReport.id == report["id"]).first()
    assert withdrawn["match_keys"] == b""
    assert await _matches(client, headers, item) == []
    assert await matching.matches_of("report", report["id"]) == []


async def test_a_name_with_place_and_time_alone_is_never_auto(client: httpx.AsyncClient) -> None:
    headers = await _headers()
    owner = await _report(client, owner={"id_number": "", "phone": "13911112222"})
    contents = [{"kind": "id_card", "holder_name": "黎晓梅"}]  # the number torn off
    found = await _matches(client, headers, await _item(client, headers, contents))
    assert [m["lost_report"] for m in found] == [owner] and found[0]["decision"] == "review"


async def test_a_loss_across_sunday_midnight_finds_an_item_found_the_next_week(
    client: httpx.AsyncClient,
) -> None:
    """Lost Sunday night into Monday (Beijing time), found eight days later: only the Monday's week links them."""
    headers = await _headers()
    report = await _report(
        client,
        owner={"id_number": "", "phone": "13900001111"},
        lost_from="2025-03-30T23:00:00+08:00",
        lost_to="2025-03-31T01:30:00+08:00",
        district="",
    )
    item = await _item(
        client,
        headers,
        [{"kind": "bank_card", "holder_name": "黎晓梅", "card_last4": "6612"}],
        found_at="2025-04-08T10:00:00+08:00",
        district="",
    )
    assert [m["lost_report"] for m in await _matches(client, headers, item)] == [report]


@pytest.mark.parametrize(
    ("found_at", "said"),
    [("2025-03-28T23:40:00+08:00", "失物当天拾得"), ("2025-03-29T09:10:00+08:00", "失物时间在拾得前1天")],
)
async def test_the_days_between_loss_and_find_are_counted_as_an_officer_counts_them(
    client: httpx.AsyncClient, found_at: str, said: str
) -> None:
    """Lost on the evening of the 28th: found late that night is the same day, found the next morning is
    a day later, although less than 24 hours have passed either way."""
    from lostfound.i18n import set_locale
    from lostfound.web.templating import reason_text

    headers = await _headers()
    await _report(client)  # lost 28 March, 19:00 to 22:00
    item = await _item(
        client,
        headers,
        [{"kind": "id_card", "holder_name": "黎晓梅", "id_number": OWNER_ID}],
        found_at=found_at,
    )
    (time,) = [r for r in (await _matches(client, headers, item))[0]["reasons"] if r["field"] == "time"]
    set_locale("zh_Hans")
    assert reason_text(time) == said


async def test_bulk_import_works_out_the_same_facts_that_matching_reads_back() -> None:
    """Import computes facts beside the database work; they must equal what a later refresh reads."""
    from datetime import UTC, datetime

    import msgspec

    from lostfound.services import bulk_import, lost_reports, matching
    from lostfound.web.api_bodies import LostReportIn
    from lostfound.web.api_bodies import lost_report_input as to_input

    body = {
        "owner": {"name": "曾 晓梅", "id_number": _typo(OWNER_ID), "phone": "138 0579 6612"},
        "category": "wallet",
        "description": "黑色钱包",
        "consent": True,
        "lost_from": "2025-03-30T23:00:00+08:00",
        "lost_to": "2025-03-31T01:30:00+08:00",
        "lost_place": "夜市",
        "district": "东城区",
        "contents": [
            {"kind": "bank_card", "holder_name": "ZENG XIAOMEI", "card_last4": "6612"},
            {"kind": "passport", "holder_name": "ZENG XIAOMEI", "id_number": "E12345678"},
            {"kind": "phone_number", "phone": "13900001111"},
            {"kind": "imei", "device_number": "49-015420-3237519"},  # fails Luhn: kept, as imports are
            {"kind": "serial_number", "device_number": "dmpxk-1oabjg5h"},
        ],
        "colour": "黑",
        "brand": "华为 Mate 60",
    }
    data = to_input(msgspec.convert(body, LostReportIn))
    values, rows = lost_reports.validated(data, datetime.now(UTC), imported=True)
    computed = matching.facts_of_values("report", values, rows)
    assert computed.ids and not computed.ids[0].valid and computed.passports == ["E12345678"]
    assert computed.phones == ["13805796612", "13900001111"] and computed.card_last4 == ["6612"]
    assert computed.imeis == ["490154203237519"] and computed.serials == ["DMPXK10ABJG5H"]
    assert computed.described().model == "mate60" and computed.described().colours == ("black",)
    result = await bulk_import.import_lost_reports([(1, data)])
    stored = await lost_reports.get_report(result.mapping[0][1])
    assert (await matching.load_facts("report", [stored["id"]]))[stored["id"]] == computed


async def test_a_crowded_name_only_adds_to_owners_another_key_found(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name shared by more reports than the index reads in full counts only beside a phone or an ID."""
    from lostfound.services import matching

    monkeypatch.setattr(matching, "MAX_POSTINGS", 1)  # every name key below is crowded
    headers = await _headers()
    owner = await _report(client, owner={"id_number": ""})
    await _report(client, owner={"id_number": "", "phone": "13900001111"})
    await _report(client, owner={"id_number": "", "phone": "13900002222"})
    contents = [
        {"kind": "bank_card", "holder_name": "黎晓梅", "card_last4": "0128"},
        {"kind": "phone_number", "phone": OWNER_PHONE},
    ]
    found = await _matches(client, headers, await _item(client, headers, contents))
    assert [m["lost_report"] for m in found] == [owner]
    assert ("name", "exact") in {(r["field"], r["level"]) for r in found[0]["reasons"]}


async def test_a_dropped_middle_character_is_found_where_its_district_and_week_meet(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """黎梅 on a bank card finds 黎晓梅's report although the district and the week are each crowded
    with other 黎·梅 (as at a million reports); those others share one of the two and are not read."""
    from lostfound.services import matching

    monkeypatch.setattr(matching, "MAX_POSTINGS", 1)  # a key two reports share is crowded
    headers = await _headers()
    owner = await _report(client, owner={"id_number": ""})
    await _report(  # same district, a month before
        client,
        "黎春梅",
        owner={"id_number": "", "phone": "13900001111"},
        lost_from="2025-02-20T19:00:00+08:00",
        lost_to="2025-02-20T22:00:00+08:00",
    )
    await _report(client, "黎秋梅", owner={"id_number": "", "phone": "13900002222"}, district="西城区")
    contents = [{"kind": "bank_card", "holder_name": "黎梅", "card_last4": "0128"}]
    found = await _matches(client, headers, await _item(client, headers, contents, colour="棕色"))
    assert [m["lost_report"] for m in found] == [owner]
    assert ("name", "partial") in {(r["field"], r["level"]) for r in found[0]["reasons"]}
    assert found[0]["decision"] == "review"


async def test_rematch_gives_records_saved_before_an_upgrade_the_keys_of_the_current_code(
    client: httpx.AsyncClient,
) -> None:
    """Records keyed by an older release lack the keys the current lookups use: ``lostfound rematch``
    keys and matches every open record again, and leaves closed ones out of the index."""
    from lostfound.services import lost_reports
    from tests.test_cli import run

    headers = await _headers()
    owner = await _report(client)
    withdrawn = await _report(client, "程国栋", owner={"id_number": OTHER_ID, "phone": "13900001111"})
    await lost_reports.withdraw(withdrawn)
    item = await _item(client, headers, [{"kind": "id_card", "holder_name": "黎晓梅", "id_number": OWNER_ID}])
    assert [m["lost_report"] for m in await _matches(client, headers, item)] == [owner]
    # As an older release left them: the report lists no key and met no item.
    await ReportKey.delete(force=True)
    await LostReport.update({LostReport.match_keys: b""}, force=True)
    await Match.delete(force=True)
    done = run("rematch")
    assert done.returncode == 0, done.stderr
    assert "1 open lost report(s), 1 open found item(s)" in done.stdout
    found = await _matches(client, headers, item)
    assert [m["lost_report"] for m in found] == [owner] and found[0]["decision"] == "auto"
    keyed = {row["reference"]: row["match_keys"] for row in await LostReport.select()}
    assert keyed[owner] and keyed[withdrawn] == b""
    assert await ReportKey.count() == len(keyed[owner]) // 16  # each key and its kind: 8 bytes each


def _same_mask(number: str) -> str:
    """Another valid number with the same region and last 4 (the same masked form)."""
    for day in range(10, 29):
        other = f"{number[:12]}{day:02d}{number[14:]}"
        if other != number and ids.id_check_ok(other):
            return other
    raise AssertionError("no such number")


async def test_a_crowded_masked_id_still_counts_for_the_owner_a_phone_found(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lostfound.services import matching

    monkeypatch.setattr(matching, "MAX_POSTINGS", 1)  # the masked form below is shared by two reports
    headers = await _headers()
    owner = await _report(client)
    await _report(client, name="程国栋", owner={"id_number": _same_mask(OWNER_ID), "phone": "13900001111"})
    contents = [
        {"kind": "id_card", "holder_name": "黎晓梅", "id_number": ids.mask_id(OWNER_ID)},
        {"kind": "phone_number", "phone": OWNER_PHONE},
    ]
    found = await _matches(client, headers, await _item(client, headers, contents))
    assert [m["lost_report"] for m in found] == [owner]
    levels = {(r["field"], r["level"]) for r in found[0]["reasons"]}
    assert ("id_number", "masked") in levels and ("phone", "exact") in levels


def test_among_dozens_of_namesakes_the_one_sharing_a_number_is_always_scored() -> None:
    from lostfound.domain import matching as m

    name_only = {
        (m.KeyKind.NAME_WEEK, m.KeyKind.NAME_WEEK),
        (m.KeyKind.NAME_DISTRICT, m.KeyKind.NAME_DISTRICT),
    }
    agreed = {record: set(name_only) for record in range(1, 60)}
    agreed[77] = {(m.KeyKind.PHONE_PIECE, m.KeyKind.PHONE_PIECE)}
    kept = m.strongest(agreed)
    assert len(kept) == m.MAX_CANDIDATES and 77 in kept
    assert m.strongest({1: name_only}) == {1: name_only}


def test_a_card_alone_decides_only_when_nothing_else_disagrees() -> None:
    """A namesake with the same card last 4 in another district: a real wrong owner seen at a million reports."""
    from lostfound.domain import matching as m

    card = {"field": "card_last4", "level": "exact", "weight": 7.0}
    name = {"field": "name", "level": "exact", "weight": 5.0}
    elsewhere = {"field": "district", "level": "different", "weight": -1.0}
    same_place = {"field": "district", "level": "exact", "weight": 1.0}
    phone = {"field": "phone", "level": "exact", "weight": 13.0}
    assert m.auto_eligible([card, name, same_place])
    assert not m.auto_eligible([card, name, elsewhere])
    assert m.auto_eligible([phone, name, elsewhere])
    assert not m.auto_eligible([phone, {"field": "id_number", "level": "different", "weight": -25.0}])


async def test_a_batch_of_more_records_than_a_statement_may_name_is_rebalanced(
    client: httpx.AsyncClient,
) -> None:
    """An import batch holds tens of thousands of records: PostgreSQL takes at most 32,767 parameters."""
    from lostfound.services import matching

    headers = await _headers()
    owner = await _report(client)
    item = await _item(client, headers, [{"kind": "id_card", "holder_name": "黎晓梅", "id_number": OWNER_ID}])
    [row] = await Match.select(Match.id, Match.report).where(Match.state == "suggested")
    await Match.update({Match.decision: "review"}).where(Match.id == row["id"])
    await matching.rebalance("report", [row["report"], *range(10**7, 10**7 + 40_000)])
    found = await _matches(client, headers, item)
    assert [(m["lost_report"], m["decision"]) for m in found] == [(owner, "auto")]


async def test_an_edited_item_keeps_only_the_keys_of_what_it_now_holds(client: httpx.AsyncClient) -> None:
    """A record's key rows are found again through the keys it lists: an edit replaces them all."""
    import msgspec

    from lostfound.services import found_items, matching
    from lostfound.web.api_bodies import FoundItemIn
    from lostfound.web.api_bodies import found_item_input as to_input

    headers = await _headers()
    owner = await _report(client)
    card = [{"kind": "id_card", "holder_name": "黎晓梅", "id_number": OWNER_ID}]
    ref = await _item(client, headers, card)
    assert [m["lost_report"] for m in await _matches(client, headers, ref)] == [owner]
    item = await found_items.get_item(ref)
    before = {
        (row["key"], row["kind"])
        for row in await ItemKey.select(ItemKey.key, ItemKey.kind).where(ItemKey.item == item["id"])
    }

    body = {
        "station": "DC",
        "category": "bag",
        "description": "黑色双肩包",
        "found_at": "2025-03-30T09:10:00+08:00",
        "found_place": "人民路公交站",
        "district": "东城区",
        "contents": [],
    }
    removed = [row["id"] for row in item["contents"]]
    await found_items.update_item(SYSTEM, ref, to_input(msgspec.convert(body, FoundItemIn)), removed)

    after = await ItemKey.select(ItemKey.key, ItemKey.kind).where(ItemKey.item == item["id"])
    listed = (await FoundItem.select(FoundItem.match_keys).where(FoundItem.id == item["id"]).first())[
        "match_keys"
    ]
    assert sorted((row["key"], row["kind"]) for row in after) == sorted(matching.unpack_keys(listed))
    assert after and not before & {(row["key"], row["kind"]) for row in after}
    assert await _matches(client, headers, ref) == []


async def test_a_card_found_alone_finds_the_owner_who_gave_its_whole_number(
    client: httpx.AsyncClient,
) -> None:
    """Most bank cards print no name: a card picked up alone says only its number. An owner who looked
    the number up in her bank's app gets it back; a stranger whose card ends in the same 4 digits,
    lost the same evening, is never more than a pair to review."""
    headers = await _headers()
    card = "6217902619156220"  # made up; Luhn-valid
    same_last4 = "6222021234046220"
    owner = await _report(
        client,
        owner={"id_number": ""},
        category="bank_card",
        contents=[{"kind": "bank_card", "card_number": card, "bank": "中国建设银行"}],
    )
    stranger = await _report(
        client,
        name="程国栋",
        owner={"id_number": "", "phone": "13900001111"},
        category="bank_card",
        contents=[{"kind": "bank_card", "card_number": same_last4}],
    )
    item = await _item(client, headers, [{"kind": "bank_card", "card_number": card}], category="bank_card")
    found = await _matches(client, headers, item)
    assert [(m["lost_report"], m["decision"]) for m in found] == [(owner, "auto"), (stranger, "review")]
    reasons = {(r["field"], r["level"]) for r in found[0]["reasons"]}
    assert ("card_number", "exact") in reasons and ("card_last4", "exact") not in reasons  # counted once
    assert ("card_last4", "exact") in {(r["field"], r["level"]) for r in found[1]["reasons"]}


async def test_a_landline_typed_without_the_city_area_code_meets_it_written_in_full(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shop's card in a wallet reads 0579-8660 1110; the owner, at home in the city, types 86601110."""
    import dataclasses

    from lostfound.services import item_contents
    from lostfound.settings import get_settings

    headers = await _headers()
    slip = [{"kind": "phone_number", "phone": "0579-8660 1110"}]
    local = {"owner": {"id_number": "", "phone": "8660 1110"}}
    earlier = await _report(client, **local)
    assert await _matches(client, headers, await _item(client, headers, slip)) == []  # no area code set

    settings = dataclasses.replace(get_settings(), area_code="0579")
    monkeypatch.setattr(item_contents, "get_settings", lambda: settings)
    owner = await _report(client, name="程国栋", **local)
    item = await _item(client, headers, slip)
    found = await _matches(client, headers, item)
    assert [m["lost_report"] for m in found] == [owner]
    assert ("phone", "exact") in {(r["field"], r["level"]) for r in found[0]["reasons"]}
    # A report saved before the setting is keyed with it once matched again (``lostfound rematch``).
    await matching.rematch_open("report")
    assert {m["lost_report"] for m in await _matches(client, headers, item)} == {owner, earlier}
    # ... and its owner typing her number again as before changes nothing.
    from lostfound.services import lost_reports

    assert await lost_reports.update_contact(earlier, "86601110", "") is False
    assert await lost_reports.update_contact(earlier, "0579 8660 1110", "") is False
    assert await lost_reports.update_contact(earlier, "8660 1111", "") is True


async def test_a_name_found_late_in_a_long_window_of_loss_meets_the_report(client: httpx.AsyncClient) -> None:
    """She noticed her wallet gone in February, last sure of it in early January; it turns up in the
    seventh week of that window, a district away, holding a card with only her name on it."""
    headers = await _headers()
    owner = await _report(
        client,
        owner={"id_number": ""},
        lost_from="2025-01-02T08:00:00+08:00",
        lost_to="2025-02-20T20:00:00+08:00",
        contents=[{"kind": "bank_card", "holder_name": "黎晓梅", "bank": "中国建设银行"}],
    )
    card = [{"kind": "bank_card", "holder_name": "黎晓梅", "bank": "建设银行"}]
    item = await _item(client, headers, card, found_at="2025-02-14T10:00:00+08:00", district="西城区")
    found = await _matches(client, headers, item)
    assert [m["lost_report"] for m in found] == [owner] and found[0]["decision"] == "review"
    assert ("time", "in_window") in {(r["field"], r["level"]) for r in found[0]["reasons"]}


def test_a_pair_let_go_early_could_never_have_reached_review() -> None:
    """A lookup lets go of a candidate with another valid ID before reading its description: only
    when the rest of the pair could not lift it to review, and a pair it keeps scores as in full."""
    from datetime import datetime, timedelta, timezone

    from lostfound.domain import matching as m

    found = datetime(2025, 3, 30, 9, tzinfo=timezone(timedelta(hours=8)))
    looks = {
        "category": "wallet",
        "district": "东城区",
        "description": "棕色皮质长款钱包 苹果",
        "colour": "棕色",
    }

    def facts(number: str, **more) -> m.MatchFacts:
        when = {"time_from": found - timedelta(days=1), "time_to": found - timedelta(hours=20)}
        return m.MatchFacts(ids=[m.IdFact(number, True)], names=["黎晓梅"], **looks, **when, **more)

    item = facts(OTHER_ID, brand="苹果")
    namesake = facts(OWNER_ID, brand="苹果")
    name_keys = {(m.KeyKind.NAME_WEEK, m.KeyKind.NAME_WEEK)}
    full = m.score(item, namesake, name_keys)
    assert full.score < m.REVIEW_SCORE and m.score_at_least(item, namesake, name_keys, m.REVIEW_SCORE) is None
    # The same phone is worth a look whatever the IDs say: that pair goes on to be scored in full.
    namesake.phones, item.phones = ["present"], ["present"]
    phone_keys = name_keys | {(m.KeyKind.PHONE_FULL, m.KeyKind.PHONE_FULL)}
    assert m.score_at_least(item, namesake, phone_keys, m.REVIEW_SCORE) == m.score(item, namesake, phone_keys)


def test_a_pair_its_time_and_place_leave_far_behind_is_let_go_before_its_looks() -> None:
    """Another 王伟's report, with another phone, of an umbrella lost in another district after the
    wallet was found: even the best looks could not lift it to review, so a lookup stops before
    reading them. The same report of a wallet lost before the finding, in the same district, is
    scored in full."""
    from datetime import datetime, timedelta, timezone

    from lostfound.domain import matching as m

    found = datetime(2025, 3, 30, 9, tzinfo=timezone(timedelta(hours=8)))
    item = m.MatchFacts(
        category="wallet",
        district="东城区",
        names=["王伟"],
        phones=["present"],
        time_from=found,
        time_to=found,
        description="棕色皮质长款钱包",
        colour="棕色",
    )
    late = m.MatchFacts(
        category="umbrella",
        district="西城区",
        names=["王伟"],
        phones=["present"],
        time_from=found + timedelta(days=2),
        time_to=found + timedelta(days=2, hours=3),
        description="棕色皮质长款钱包",
        colour="棕色",
    )
    name_keys = {(m.KeyKind.NAME_WEEK, m.KeyKind.NAME_WEEK)}
    full = m.score(item, late, name_keys)
    assert full.score < m.REVIEW_SCORE
    assert any(r.field is m.Field.DESCRIPTION for r in full.reasons)  # the looks did agree
    assert m.score_at_least(item, late, name_keys, m.REVIEW_SCORE) is None
    on_time = m.MatchFacts(**{**late.__dict__, "_described": None})
    on_time.category, on_time.district = "wallet", "东城区"
    on_time.time_from, on_time.time_to = found - timedelta(hours=5), found - timedelta(hours=2)
    kept = m.score_at_least(item, on_time, name_keys, m.REVIEW_SCORE)
    assert kept is not None and kept == m.score(item, on_time, name_keys)


async def test_an_item_whose_id_number_was_struck_out_is_found_by_a_namesake_with_an_id(
    client: httpx.AsyncClient,
) -> None:
    """A lookup by a valid ID leaves unread the candidates that hold another valid ID and met it by name
    alone. An item whose number turned out to be misread and was struck out holds none any more: a
    report with an ID and the holder's name must then find it by name, place and time."""
    import msgspec

    from lostfound.services import found_items
    from lostfound.web.api_bodies import FoundItemIn
    from lostfound.web.api_bodies import found_item_input as to_input

    headers = await _headers()
    ref = await _item(client, headers, [{"kind": "id_card", "holder_name": "黎晓梅", "id_number": OTHER_ID}])
    item = await found_items.get_item(ref)
    assert (await FoundItem.select(FoundItem.holds_valid_id).where(FoundItem.id == item["id"]).first())[
        "holds_valid_id"
    ]
    body = _item_body([{"kind": "id_card", "holder_name": "黎晓梅"}])  # the number struck out
    removed = [row["id"] for row in item["contents"]]
    await found_items.update_item(SYSTEM, ref, to_input(msgspec.convert(body, FoundItemIn)), removed)

    report = await _report(client)  # 黎晓梅 with OWNER_ID: only the name, the place and the time agree
    response = await client.get(f"/api/v1/lost-reports/{report}/matches", headers=headers)
    assert response.status_code == 200, response.text
    found = response.json()["matches"]
    assert [m["found_item"] for m in found] == [ref] and found[0]["decision"] == "review"


async def test_imported_records_say_whether_they_hold_a_valid_id() -> None:
    """What a lookup reads to let namesakes with another ID go: written by the import as by a save."""
    import msgspec

    from lostfound.services import bulk_import, lost_reports
    from lostfound.web.api_bodies import LostReportIn
    from lostfound.web.api_bodies import lost_report_input as to_input

    def body(name: str, number: str, phone: str) -> dict:
        return {
            "owner": {"name": name, "id_number": number, "phone": phone},
            "category": "wallet",
            "description": "黑色钱包",
            "consent": True,
            "lost_from": "2025-03-30T23:00:00+08:00",
            "lost_place": "夜市",
            "district": "东城区",
        }

    bodies = [
        body("黎晓梅", OWNER_ID, OWNER_PHONE),
        body("程国栋", _typo(OTHER_ID), "13905795120"),
        body("王伟", "", "13900001111"),
    ]
    entries = [(line, to_input(msgspec.convert(b, LostReportIn))) for line, b in enumerate(bodies, 1)]
    result = await bulk_import.import_lost_reports(entries)
    assert not result.bad, result.bad
    flags = []
    for _, reference in result.mapping:
        stored = await lost_reports.get_report(reference)
        row = await LostReport.select(LostReport.holds_valid_id).where(LostReport.id == stored["id"]).first()
        flags.append(bool(row["holds_valid_id"]))
    assert flags == [True, False, False]  # a number failing its check is kept, but is not a valid ID


def test_a_namesake_with_another_valid_id_left_unread_could_never_have_reached_review() -> None:
    """The best a pair whose valid IDs differ can do without a number key in common (a rare name,
    the same card's last 4, the same evening, district and wallet) stays under review; any number
    key in common (a phone, part of one, a card, a passport) keeps the candidate to be read. Their
    cards being of one bank adds nothing once the IDs differ."""
    from datetime import datetime, timedelta, timezone

    from lostfound.domain import matching as m

    found = datetime(2025, 3, 30, 9, tzinfo=timezone(timedelta(hours=8)))

    def facts(number: str) -> m.MatchFacts:
        return m.MatchFacts(
            category="wallet",
            ids=[m.IdFact(number, True)],
            names=["黎晓梅"],
            card_last4=["6612"],
            district="东城区",
            time_from=found - timedelta(hours=3),
            time_to=found,
            description="棕色皮质长款钱包 苹果",
            colour="棕色",
            brand="苹果",
            banks=["ccb"],
        )

    by_name = {(m.KeyKind.NAME_WEEK, m.KeyKind.NAME_WEEK), (m.KeyKind.ID_PIECE, m.KeyKind.ID_PIECE)}
    best = m.score(facts(OTHER_ID), facts(OWNER_ID), by_name)
    assert best.score < m.REVIEW_SCORE and m.hopeless_against_valid_id(by_name, m.REVIEW_SCORE)
    for kind in (m.KeyKind.PHONE_FULL, m.KeyKind.PHONE_PIECE, m.KeyKind.CARD_WEEK, m.KeyKind.PASSPORT):
        assert not m.hopeless_against_valid_id(by_name | {(kind, kind)}, m.REVIEW_SCORE)
    assert not m.hopeless_against_valid_id({(m.KeyKind.ID_FULL, m.KeyKind.ID_REPAIR)}, m.REVIEW_SCORE)


async def _failing_matching(monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(side: str, record_id: int) -> list:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(matching, "refresh", broken)


async def test_an_item_whose_matching_failed_when_it_was_saved_is_matched_within_the_hour(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The save stands when its matching fails; the server's hourly pass finds the item waiting for
    its matching and matches it, so the owner's report is not missed for good."""
    headers = await _headers()
    owner = await _report(client)

    await _failing_matching(monkeypatch)
    item = await _item(client, headers, [{"kind": "id_card", "holder_name": "黎晓梅", "id_number": OWNER_ID}])
    monkeypatch.undo()
    assert await _matches(client, headers, item) == []

    now = datetime.now(UTC)
    assert await matching.match_overdue(now) == {"report": 0, "item": 0}  # it may be matching still
    later = now + timedelta(minutes=2)
    # Every worker of a server runs the pass: one of them matches the item, once.
    passes = await asyncio.gather(matching.match_overdue(later), matching.match_overdue(later))
    assert sorted(p["item"] for p in passes) == [0, 1] and all(p["report"] == 0 for p in passes)
    found = await _matches(client, headers, item)
    assert [(m["lost_report"], m["decision"]) for m in found] == [(owner, "auto")]
    assert await matching.match_overdue(later) == {"report": 0, "item": 0}


async def test_an_edit_whose_matching_failed_is_matched_within_the_hour(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ID card found in the lining is added to a bag already keyed: if that edit's matching fails,
    the bag keeps the keys of what it said before, and the hourly pass must still find it."""
    import msgspec

    from lostfound.services import found_items
    from lostfound.web.api_bodies import FoundItemIn
    from lostfound.web.api_bodies import found_item_input as to_input

    headers = await _headers()
    owner = await _report(client)
    bag = await _item(client, headers, [], category="bag", description="黑色双肩包")
    assert await _matches(client, headers, bag) == []
    card = [{"kind": "id_card", "holder_name": "黎晓梅", "id_number": OWNER_ID}]
    body = _item_body(card, category="bag", description="黑色双肩包")
    await _failing_matching(monkeypatch)
    await found_items.update_item(SYSTEM, bag, to_input(msgspec.convert(body, FoundItemIn)))
    monkeypatch.undo()
    assert await _matches(client, headers, bag) == []

    later = datetime.now(UTC) + timedelta(minutes=2)
    assert await matching.match_overdue(later) == {"report": 0, "item": 1}
    found = await _matches(client, headers, bag)
    assert [(m["lost_report"], m["decision"]) for m in found] == [(owner, "auto")]
    assert await matching.match_overdue(later) == {"report": 0, "item": 0}


async def test_an_edit_saved_while_an_older_matching_runs_is_matched_again_within_the_hour(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`lostfound rematch` reads the bag, an officer adds the ID card found in its lining and her save is
    matched, then the rematch writes what it read: the bag's old keys, no suggestion. The bag must stay
    due for matching, or the owner is missed until the next edit."""
    import msgspec

    from lostfound.services import found_items
    from lostfound.web.api_bodies import FoundItemIn
    from lostfound.web.api_bodies import found_item_input as to_input

    headers = await _headers()
    owner = await _report(client)
    bag = await _item(client, headers, [], category="bag", description="黑色双肩包")
    bag_id = (await found_items.get_item(bag))["id"]
    read, go_on = asyncio.Event(), asyncio.Event()
    looked_up = matching.candidates_many

    async def held(*args, **kwargs):  # the first lookup (the rematch's) waits once it has read
        found = await looked_up(*args, **kwargs)
        if not read.is_set():
            read.set()
            await go_on.wait()
        return found

    monkeypatch.setattr(matching, "candidates_many", held)
    rematch = asyncio.create_task(matching.refresh_many("item", [bag_id]))
    await read.wait()
    card = [{"kind": "id_card", "holder_name": "黎晓梅", "id_number": OWNER_ID}]
    body = _item_body(card, category="bag", description="黑色双肩包")
    await found_items.update_item(SYSTEM, bag, to_input(msgspec.convert(body, FoundItemIn)))
    assert [m["decision"] for m in await _matches(client, headers, bag)] == ["auto"]
    go_on.set()
    await rematch
    assert await _matches(client, headers, bag) == []  # what the rematch read, written last

    later = datetime.now(UTC) + timedelta(minutes=2)
    assert await matching.match_overdue(later) == {"report": 0, "item": 1}
    found = await _matches(client, headers, bag)
    assert [(m["lost_report"], m["decision"]) for m in found] == [(owner, "auto")]


async def test_a_record_whose_matching_fails_again_does_not_hold_back_the_others(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    headers = await _headers()
    owner = await _report(client)
    await _failing_matching(monkeypatch)
    broken = await _item(client, headers, [], category="bag", description="黑色双肩包")
    wallet = await _item(
        client, headers, [{"kind": "id_card", "holder_name": "黎晓梅", "id_number": OWNER_ID}]
    )
    monkeypatch.undo()
    broken_id = (await FoundItem.select(FoundItem.id).where(FoundItem.reference == broken).first())["id"]
    refresh_many = matching.refresh_many

    async def failing_for_one(side: str, record_ids: list[int], *args, **kwargs):
        if broken_id in record_ids:
            raise RuntimeError("a record the matching cannot read")
        return await refresh_many(side, record_ids, *args, **kwargs)

    monkeypatch.setattr(matching, "refresh_many", failing_for_one)
    later = datetime.now(UTC) + timedelta(minutes=2)
    assert await matching.match_overdue(later) == {"report": 0, "item": 1}
    assert f"matching item {broken_id} failed again" in caplog.text
    assert [m["lost_report"] for m in await _matches(client, headers, wallet)] == [owner]
    monkeypatch.undo()
    assert await matching.match_overdue(later) == {"report": 0, "item": 1}  # the next pass tries it again


async def test_records_matched_when_saved_or_imported_are_left_alone_by_the_hourly_pass(
    client: httpx.AsyncClient,
) -> None:
    """A record that keys nothing, or was imported with its suggestions, was matched: the pass leaves it."""
    import json

    from lostfound.cli import parse_found_item, parse_lost_report
    from lostfound.services import bulk_import

    headers = await _headers()
    await _item(client, headers, [], category="other", description="纸箱", district="")
    await _report(client)
    report = {
        "owner": {"name": "程国栋", "id_number": OTHER_ID, "phone": "13900001111", "email": ""},
        "category": "wallet",
        "description": "黑色钱包",
        "lost_place": "青石路夜市",
        "lost_from": "2025-03-28T19:00:00+08:00",
        "lost_to": "2025-03-28T22:00:00+08:00",
        "consent": True,
        "external_ref": "old-1",
    }
    filed = await bulk_import.import_lost_reports([(1, json.dumps(report))], parse=parse_lost_report)
    item = {**_item_body([]), "external_ref": "old-2"}
    logged = await bulk_import.import_found_items([(1, json.dumps(item))], parse=parse_found_item)
    assert filed.imported == logged.imported == 1
    assert await FoundItem.count().where(FoundItem.matched_at.is_null()) == 0
    assert await LostReport.count().where(LostReport.matched_at.is_null()) == 0
    later = datetime.now(UTC) + timedelta(minutes=2)
    assert await matching.match_overdue(later) == {"report": 0, "item": 0}


def test_the_hourly_search_for_records_waiting_for_matching_asks_what_its_indexes_hold() -> None:
    """SQLite reads a partial index only for a query that repeats its conditions (and the search
    names the index: a query that does not fit it fails, on every hourly pass and in the tests above)."""
    import importlib

    migration = importlib.import_module("lostfound.piccolo_migrations.lostfound_2026_12_07t03_00_01_000000")
    wanted = {"found_item": matching.OVERDUE["item"], "lost_report": matching.OVERDUE["report"]}
    assert wanted == migration._INDEXES
    for side in ("item", "report"):  # and the conditions name every status a record is matched in
        assert all(f"'{status}'" in matching.OVERDUE[side] for status in matching.open_statuses(side))
