"""Signing in and out, sessions, lockouts and passwords, as staff experience them."""

from __future__ import annotations

import httpx

from lostfound.domain.roles import Role
from lostfound.tables import AuditEvent
from tests.factories import PASSWORD, csrf_from, http_client, make_user, post_form, sign_in, soup, text_of


async def test_anonymous_visitor_is_sent_to_the_sign_in_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/admin/users?station=DC", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fadmin%2Fusers%3Fstation%3DDC"
    page = await client.get(response.headers["location"])
    assert soup(page).html["lang"] == "zh-Hans"
    assert soup(page).h1.get_text(strip=True) == "员工登录"


async def test_officer_signs_in_and_sees_their_station(client: httpx.AsyncClient) -> None:
    await make_user("dc.officer", display_name="周明远")
    response = await sign_in(client, "dc.officer")
    assert response.status_code == 303 and response.headers["location"] == "/"
    desk = await client.get("/")
    assert desk.status_code == 200
    assert "东城派出所" in text_of(desk)
    assert "周明远" in text_of(desk)
    assert await AuditEvent.exists().where(
        (AuditEvent.action == "login") & (AuditEvent.actor_name == "dc.officer")
    )


async def test_sign_in_returns_to_the_page_asked_for_but_never_to_another_site(
    client: httpx.AsyncClient,
) -> None:
    await make_user("dc.admin", role=Role.ADMIN)
    shown = await client.get("/login?next=/admin/audit")
    ok = await client.post(
        "/login",
        data={
            "username": "dc.admin",
            "password": PASSWORD,
            "next": "/admin/audit",
            "_csrf_token": csrf_from(shown),
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/admin/audit"
    await client.post("/logout", data={"_csrf_token": csrf_from(await client.get("/"))})
    shown = await client.get("/login")
    evil = await client.post(
        "/login",
        data={
            "username": "dc.admin",
            "password": PASSWORD,
            "next": "//evil.example/x",
            "_csrf_token": csrf_from(shown),
        },
        follow_redirects=False,
    )
    assert evil.headers["location"] == "/"


async def test_wrong_password_and_unknown_user_get_the_same_answer(client: httpx.AsyncClient) -> None:
    await make_user("dc.officer")
    wrong = await sign_in(client, "dc.officer", "not-the-password")
    unknown = await sign_in(client, "nobody.here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 400
    assert "用户名或密码错误" in text_of(wrong)
    assert soup(wrong).select_one(".alert-error").get_text(strip=True) == soup(unknown).select_one(
        ".alert-error"
    ).get_text(strip=True)
    assert (await client.get("/", follow_redirects=False)).status_code == 303


async def test_session_id_changes_at_sign_in(client: httpx.AsyncClient) -> None:
    await make_user("dc.officer")
    await client.get("/login")
    client.cookies.set("lf_session", "attacker-chosen-session-id", domain="testserver.local")
    await sign_in(client, "dc.officer")
    assert client.cookies.get("lf_session") not in (None, "attacker-chosen-session-id")


async def test_repeated_failures_lock_the_account_with_a_clear_message(client: httpx.AsyncClient) -> None:
    await make_user("dc.officer")
    for _ in range(5):
        assert (await sign_in(client, "dc.officer", "wrong-password-x")).status_code == 400
    locked = await sign_in(client, "dc.officer")  # even the right password is refused now
    assert locked.status_code == 429
    assert "登录失败次数过多" in text_of(locked)
    assert (await client.get("/", follow_redirects=False)).status_code == 303


async def test_too_many_attempts_from_one_address_are_rate_limited(client: httpx.AsyncClient) -> None:
    await make_user("dc.officer")
    statuses = []
    for index in range(12):
        statuses.append((await sign_in(client, f"someone{index}", "whatever-password")).status_code)
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    limited = await post_form(client, "/login", "/login", {"username": "dc.officer", "password": PASSWORD})
    assert limited.status_code == 429
    assert "尝试次数过多" in text_of(limited)


async def test_a_form_without_its_csrf_token_is_refused(client: httpx.AsyncClient) -> None:
    await make_user("dc.officer")
    await client.get("/login")
    response = await client.post("/login", data={"username": "dc.officer", "password": PASSWORD})
    assert response.status_code == 403
    assert "表单已过期" in text_of(response)
    assert not await AuditEvent.exists().where(AuditEvent.action == "login")


async def test_sign_out_ends_the_session(client: httpx.AsyncClient) -> None:
    await make_user("dc.officer")
    await sign_in(client, "dc.officer")
    desk = await client.get("/")
    response = await client.post("/logout", data={"_csrf_token": csrf_from(desk)}, follow_redirects=False)
    assert response.headers["location"] == "/login?signed_out=1"
    assert "您已退出登录" in text_of(await client.get("/login?signed_out=1"))
    assert (await client.get("/", follow_redirects=False)).status_code == 303


async def test_deactivated_account_cannot_sign_in_and_loses_its_session(client: httpx.AsyncClient) -> None:
    from lostfound.services import accounts

    admin = await make_user("dc.admin", role=Role.ADMIN)
    await make_user("dc.officer")
    await sign_in(client, "dc.officer")
    await accounts.set_active(admin.actor(), "dc.officer", False)
    assert (await client.get("/", follow_redirects=False)).status_code == 303
    assert (await sign_in(client, "dc.officer")).status_code == 400


async def test_temporary_password_must_be_replaced_first(client: httpx.AsyncClient) -> None:
    await make_user("dc.new", must_change_password=True)
    response = await sign_in(client, "dc.new")
    assert response.headers["location"] == "/account/password"
    blocked = await client.get("/", follow_redirects=False)
    assert blocked.status_code == 303 and blocked.headers["location"] == "/account/password"
    page = await client.get("/account/password")
    assert "临时密码" in text_of(page)
    changed = await post_form(
        client,
        "/account/password",
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "Brand-New-Secret-7",
            "confirm_password": "Brand-New-Secret-7",
        },
    )
    assert changed.status_code == 303
    assert (await client.get("/")).status_code == 200


async def test_changing_the_password_ends_other_sessions(app) -> None:
    await make_user("dc.officer")
    async with http_client(app) as phone, http_client(app) as desk:
        await sign_in(phone, "dc.officer")
        await sign_in(desk, "dc.officer")
        response = await post_form(
            desk,
            "/account/password",
            "/account/password",
            {
                "current_password": PASSWORD,
                "new_password": "Another-Secret-99",
                "confirm_password": "Another-Secret-99",
            },
        )
        assert response.status_code == 303
        assert (await desk.get("/")).status_code == 200
        assert (await phone.get("/", follow_redirects=False)).status_code == 303
        assert (await sign_in(phone, "dc.officer", "Another-Secret-99")).status_code == 303


async def test_weak_or_mismatched_new_passwords_are_explained(client: httpx.AsyncClient) -> None:
    await make_user("dc.officer")
    await sign_in(client, "dc.officer")
    short = await post_form(
        client,
        "/account/password",
        "/account/password",
        {"current_password": PASSWORD, "new_password": "short", "confirm_password": "short"},
    )
    assert short.status_code == 400 and "至少需要 10 个字符" in text_of(short)
    differ = await post_form(
        client,
        "/account/password",
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "Long-Enough-123",
            "confirm_password": "Long-Enough-124",
        },
    )
    assert differ.status_code == 400 and "两次输入的新密码不一致" in text_of(differ)
    wrong = await post_form(
        client,
        "/account/password",
        "/account/password",
        {
            "current_password": "not-it-at-all",
            "new_password": "Long-Enough-123",
            "confirm_password": "Long-Enough-123",
        },
    )
    assert wrong.status_code == 400 and "当前密码不正确" in text_of(wrong)
    await client.post("/logout", data={"_csrf_token": csrf_from(await client.get("/"))})
    assert (await sign_in(client, "dc.officer")).status_code == 303  # the old password still works


async def test_anonymous_visits_and_probes_store_no_session(client: httpx.AsyncClient, app) -> None:
    for path in ("/login", "/healthz", "/readyz", "/metrics", "/api/v1/me", "/no/such/page"):
        response = await client.get(path)
        assert "lf_session" not in response.headers.get("set-cookie", ""), path
    store = app.stores.get("sessions")
    assert not store._store  # the in-process store holds nothing


async def test_health_check_answers_while_the_process_lives(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
