"""The public board kept a few seconds for visitors without a session: never a shared token."""

from __future__ import annotations

import httpx
from litestar import Litestar

from lostfound.domain.roles import Role
from tests.factories import csrf_from, http_client, make_user, post_form, sign_in
from tests.test_handover import CASH, _wallet
from tests.test_notices_and_clock import _notice, _supervisor


async def test_each_visitor_gets_the_kept_board_with_a_token_of_their_own(app: Litestar) -> None:
    async with http_client(app) as first, http_client(app) as second:
        a, b = await first.get("/board"), await second.get("/board")
        token_a, token_b = first.cookies["csrftoken"], second.cookies["csrftoken"]
        assert token_a != token_b
        assert csrf_from(a) == token_a and csrf_from(b) == token_b
        assert a.text.replace(token_a, "") == b.text.replace(token_b, "")
        english = await second.get("/board", headers={"Accept-Language": "en"})
        assert "Found-property board" in english.text and "Found-property board" not in a.text


async def test_signed_in_staff_always_get_a_fresh_board(app: Litestar) -> None:
    await make_user("dc.duty", role=Role.DUTY_OFFICER)
    async with http_client(app) as visitor, http_client(app) as officer:
        await visitor.get("/board")
        await sign_in(officer, "dc.duty")
        page = await officer.get("/board")
        assert "/logout" in page.text and "/logout" not in (await visitor.get("/board")).text


async def test_a_notice_withdrawn_leaves_the_board_at_once(client: httpx.AsyncClient, app: Litestar) -> None:
    await make_user("dc.duty", role=Role.DUTY_OFFICER)
    item = await _wallet(client, [CASH])
    reference = await _notice(client, item)
    await _supervisor(client)
    for step in ("approve", "publish"):
        done = await post_form(client, f"/notices/{reference}", f"/notices/{reference}/{step}", {})
        assert done.status_code == 303
    async with http_client(app) as visitor:
        assert item in (await visitor.get("/board")).text  # now kept for visitors
        withdrawn = await post_form(client, f"/notices/{reference}", f"/notices/{reference}/withdraw", {})
        assert withdrawn.status_code == 303
        assert item not in (await visitor.get("/board")).text
