"""Commendations, letters of thanks and certificates drafted from the demo stories; redaction,
approval and publication; and no page the press office opens shows a number or an owner's name."""

from __future__ import annotations

import re

import httpx
import pytest
from litestar import Litestar

from lostfound.domain import identifiers as ids
from lostfound.domain.roles import Role
from lostfound.services import deed_notices, deeds
from lostfound.services.demo import load_demo_if_empty
from lostfound.tables import Deed, DeedPhoto, Notice, StaffUser
from lostfound.web.access import ACCESS
from tests.factories import PASSWORD, SYSTEM, post_form, sign_in, text_of
from tests.test_deeds import _jpeg

OWNER = "黎晓梅"  # the demo wallet's owner: never in a public text, never on a press page


async def _demo() -> dict[str, int]:
    await load_demo_if_empty()
    # The demo prints one-time passwords; the tests sign in with a known one instead.
    from lostfound.services import accounts

    for username in ("dc.press", "dc.supervisor", "dc.duty"):
        await accounts.set_password(SYSTEM, username, PASSWORD, must_change=False)
    return {row["kind"]: row["id"] for row in await Deed.select(Deed.id, Deed.kind)}


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
async def test_every_kind_is_drafted_in_both_languages_from_both_stories(language: str) -> None:
    stories = await _demo()
    for kind, deed_id in stories.items():
        for notice_kind in ("commendation", "thanks", "certificate"):
            ref = await deed_notices.create_draft(SYSTEM, deed_id, notice_kind, language)
            notice = await deed_notices.get_notice(ref)
            text = f"{notice['title']}\n{notice['body']}"
            heroes = ["应师傅"] if kind == "returned_property" else ["郑建明", "吴一帆", "东城蓝天救援队"]
            assert all(name in text for name in heroes), text
            assert ("东城派出所" if language == "zh_Hans" else "Dongcheng Police Station") in text
            assert OWNER not in text and "应师傅（夜市摊主）" not in text
            if notice_kind == "certificate":
                assert notice["certificate_number"] == ref and ref in text
            assert await deed_notices.redaction_problems(notice) == [], (kind, notice_kind, language)
            if language == "en":
                assert not re.search(r"[\u4e00-\u9fff]{2,}(?:派出所|通报)", notice["title"])


async def test_the_redaction_check_blocks_each_kind_of_leak() -> None:
    stories = await _demo()
    ref = await deed_notices.create_draft(SYSTEM, stories["returned_property"], "commendation", "zh_Hans")
    clean = await deed_notices.get_notice(ref)
    leaks = {
        "number": "失主电话 138 0579 6612。",
        "amount": "钱包里有现金260元。",
        "name": f"失主{OWNER}十分感激。",
        "consent": "应师傅（夜市摊主）拾金不昧。",
    }
    for kind, sentence in leaks.items():
        await deed_notices.edit(SYSTEM, ref, clean["title"], clean["body"] + "\n" + sentence, None)
        found = [
            leak.kind for leak in await deed_notices.redaction_problems(await deed_notices.get_notice(ref))
        ]
        assert kind in found, (kind, found)
    # A photo nobody marked fit to publish blocks it too.
    await deeds.add_photo(SYSTEM, stories["returned_property"], _jpeg())
    photo = (await DeedPhoto.select(DeedPhoto.id).first())["id"]
    await deed_notices.edit(SYSTEM, ref, clean["title"], clean["body"], photo)
    assert [
        leak.kind for leak in await deed_notices.redaction_problems(await deed_notices.get_notice(ref))
    ] == ["photo"]
    await deeds.set_photo_public(SYSTEM, stories["returned_property"], photo, True)
    assert await deed_notices.redaction_problems(await deed_notices.get_notice(ref)) == []


async def test_press_drafts_a_supervisor_approves_and_the_public_reads_it(client: httpx.AsyncClient) -> None:
    stories = await _demo()
    await sign_in(client, "dc.press")
    drafted = await post_form(
        client,
        f"/deeds/{stories['rescue']}",
        f"/deeds/{stories['rescue']}/notices",
        {"kind": "commendation", "language": "zh_Hans"},
    )
    assert drafted.status_code == 303
    editor = drafted.headers["location"]
    ref = editor.rsplit("/", 1)[1]
    page = await client.get(editor)
    assert page.status_code == 200 and "预览" in text_of(page)
    edited = await post_form(
        client,
        editor,
        editor,
        {
            "title": "关于表扬郑建明等同志的通报",
            "body": "凌晨，有人落水。\n民警郑建明等奋力施救。",
            "photo": "",
        },
    )
    assert edited.status_code == 303
    assert (await post_form(client, editor, f"{editor}/approve", {})).status_code == 403
    assert (await client.get(f"/commendations/{ref}")).status_code == 404  # a draft is nobody's business

    client.cookies.clear()
    await sign_in(client, "dc.supervisor")
    assert (await post_form(client, editor, f"{editor}/approve", {})).status_code == 303
    assert (await post_form(client, editor, f"{editor}/publish", {})).status_code == 303
    assert (await Notice.select(Notice.status).where(Notice.reference == ref).first())[
        "status"
    ] == "published"

    client.cookies.clear()
    public = await client.get(f"/commendations/{ref}")
    assert public.status_code == 200 and "关于表扬郑建明等同志的通报" in text_of(public)
    assert OWNER not in public.text and not ids.sensitive_number_in_text(text_of(public))
    assert f"/commendations/{ref}" in (await client.get("/commendations")).text
    code = (await Notice.select(Notice.verification_code).where(Notice.reference == ref).first())[
        "verification_code"
    ]
    assert "表扬通报" in text_of(await client.get("/verify", params={"code": code}))


def _press_pages(app: Litestar, samples: dict[str, str]) -> list[str]:
    """Every GET page the press office may open, with its parameters filled in."""
    paths = []
    for route in app.routes:
        rule = ACCESS.get(route.path_format)
        if rule is None or "GET" not in getattr(route, "methods", ()) or rule.public:
            continue
        if (
            not rule.allows_role(Role.PRESS)
            or "photos" in route.path_format
            or route.path_format.endswith(".png")
            or route.path_format.startswith("/api/")
        ):
            continue
        try:
            paths.append(route.path_format.format(**samples))
        except KeyError:
            raise AssertionError(f"no sample for {route.path_format}") from None
    return paths


async def test_no_page_the_press_office_opens_shows_a_number_or_an_owners_name(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    stories = await _demo()
    ref = await deed_notices.create_draft(SYSTEM, stories["returned_property"], "thanks", "zh_Hans")
    await sign_in(client, "dc.press")
    pages = [
        p
        for deed_id in stories.values()
        for p in _press_pages(app, {"deed_id": str(deed_id), "reference": ref})
    ]
    assert "/deeds" in pages and f"/press/notices/{ref}" in pages
    for path in dict.fromkeys(pages):
        page = await client.get(path)
        assert page.status_code == 200, path
        text = text_of(page).replace("0579-8660 1110", " ")
        assert not ids.sensitive_number_in_text(text), path
        assert OWNER not in page.text, path
        assert "330784" not in page.text and "6612" not in page.text, path
    assert await StaffUser.count() > 0


async def test_published_notices_are_in_the_atom_feed_with_a_post_ready_for_social_media(
    client: httpx.AsyncClient,
) -> None:
    import xml.etree.ElementTree as ET

    stories = await _demo()
    published = await deed_notices.create_draft(SYSTEM, stories["rescue"], "commendation", "zh_Hans")
    draft = await deed_notices.create_draft(SYSTEM, stories["rescue"], "thanks", "zh_Hans")
    await deed_notices.approve(SYSTEM, published)
    await deed_notices.publish(SYSTEM, published)
    feed = await client.get("/commendations/feed.atom")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    entries = ET.fromstring(feed.content).findall("{http://www.w3.org/2005/Atom}entry")
    ids_in_feed = [e.find("{http://www.w3.org/2005/Atom}id").text for e in entries]
    assert (
        len(entries) == 1 and ids_in_feed[0].endswith(published) and not any(draft in i for i in ids_in_feed)
    )

    notice = await deed_notices.get_notice(published)
    post = deed_notices.social_text(notice, f"https://example.gov.cn/commendations/{published}")
    assert post.startswith(f"【{notice['title']}】") and post.endswith(published)
    assert len(post) <= deed_notices.SOCIAL_LIMIT and "\n\n" not in post


async def test_withdrawal_takes_the_text_and_poster_offline_and_stale_approvals_fail(
    client: httpx.AsyncClient,
) -> None:
    stories = await _demo()
    ref = await deed_notices.create_draft(SYSTEM, stories["rescue"], "thanks", "zh_Hans")
    notice = await deed_notices.get_notice(ref)
    seen = deed_notices.text_version(notice)
    await deed_notices.edit(SYSTEM, ref, notice["title"], notice["body"] + "\n补充一句。", None)
    with pytest.raises(Exception, match="changed"):
        await deed_notices.approve(SYSTEM, ref, seen)
    await deed_notices.approve(SYSTEM, ref, deed_notices.text_version(await deed_notices.get_notice(ref)))
    await deed_notices.publish(SYSTEM, ref)
    await deed_notices.withdraw(SYSTEM, ref)
    page = await client.get(f"/commendations/{ref}")
    assert page.status_code == 200 and "已撤回" in text_of(page) and "补充一句" not in page.text
    assert (await client.get(f"/commendations/{ref}/poster.png")).status_code == 404


async def test_another_stations_draft_is_not_found_and_odd_chart_requests_get_clear_answers(
    client: httpx.AsyncClient,
) -> None:
    from tests.factories import make_user

    stories = await _demo()
    ref = await deed_notices.create_draft(SYSTEM, stories["rescue"], "thanks", "zh_Hans")
    await make_user("fy.officer", role=Role.DUTY_OFFICER, station="FY")
    await sign_in(client, "fy.officer")
    assert (await client.get(f"/press/notices/{ref}")).status_code == 404
    client.cookies.clear()
    await sign_in(client, "dc.press")
    for station in ("东城", "😀", 'A"B', "NOPE"):
        answer = await client.get("/figures/trend.png", params={"station": station})
        assert answer.status_code in (400, 404), station
