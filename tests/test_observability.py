"""Watching the service: readiness, a request id on every answer and log line, metrics by route."""

from __future__ import annotations

import dataclasses
import json
import logging

import httpx
import pytest

from lostfound.services import health
from lostfound.settings import get_settings
from lostfound.web.controllers import metrics
from lostfound.web.observability import JsonFormatter, RequestContextMiddleware, RequestIdFilter
from tests.factories import http_client


async def test_readiness_names_what_is_missing(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready", "database": "ok"}

    async def down() -> bool:
        return False

    monkeypatch.setattr(health, "database_ok", down)
    gone = await client.get("/readyz")
    assert gone.status_code == 503 and gone.json() == {"status": "unavailable", "database": "unavailable"}
    assert (await client.get("/healthz")).status_code == 200  # alive all the same: no restart needed


async def test_readiness_checks_redis_when_the_workers_share_it(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = dataclasses.replace(get_settings(), redis_url="redis://127.0.0.1:1/0")  # nothing listens there
    monkeypatch.setattr("lostfound.web.controllers.pages.get_settings", lambda: settings)
    answer = await client.get("/readyz")
    assert answer.status_code == 503 and answer.json()["redis"] == "unavailable"


@pytest.fixture
async def served(app) -> httpx.AsyncClient:
    """A client of the app as ``lostfound serve`` runs it: inside the request-context layer."""
    async with http_client(RequestContextMiddleware(app)) as client:
        yield client


async def test_every_answer_carries_a_request_id_and_the_access_line_no_query(
    served: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    client = served
    caplog.set_level(logging.INFO, logger="lostfound.access")
    first = await client.get("/verify", params={"code": "SECRETCODE123"})
    second = await client.get("/login")
    ids = first.headers["x-request-id"], second.headers["x-request-id"]
    assert all(len(rid) == 32 for rid in ids) and ids[0] != ids[1]

    given = await client.get("/login", headers={"X-Request-ID": "proxy-4f2a9c1e"})
    assert given.headers["x-request-id"] == "proxy-4f2a9c1e"
    forged = await client.get("/login", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert forged.headers["x-request-id"] != "<script>alert(1)</script>"

    unknown = await client.get("/no/such/page")
    assert unknown.status_code == 404 and unknown.headers["x-request-id"]

    lines = [r for r in caplog.records if r.name == "lostfound.access"]
    assert any(r.path == "/no/such/page" and r.status == 404 for r in lines)
    verify = next(r for r in lines if r.path == "/verify")
    assert verify.status == first.status_code and verify.method == "GET" and verify.duration_ms >= 0
    assert all("SECRETCODE123" not in r.getMessage() and "SECRETCODE123" not in r.path for r in lines)


def test_json_log_lines_carry_the_request_id_and_extra_fields() -> None:
    record = logging.LogRecord(
        "lostfound.access", logging.INFO, __file__, 1, "GET %s %d", ("/board", 200), None
    )
    record.path, record.status = "/board", 200
    RequestIdFilter().filter(record)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "GET /board 200" and entry["request_id"] == "-"
    assert entry["path"] == "/board" and entry["status"] == 200 and entry["level"] == "INFO"


async def test_metrics_count_requests_by_route_template_for_the_scraper_only(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await client.get("/board/notices/FN-DC-2025-000123")  # not found, still counted under its template
    scraped = await client.get("/metrics")
    assert scraped.status_code == 200
    assert "lostfound_requests_total" in scraped.text
    assert 'path="/board/notices/{reference}"' in scraped.text
    assert "FN-DC-2025-000123" not in scraped.text

    settings = dataclasses.replace(get_settings(), metrics_token="scrape-me")
    monkeypatch.setattr(metrics, "get_settings", lambda: settings)
    assert (await client.get("/metrics")).status_code == 404
    bearer = await client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert bearer.status_code == 200

    far = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=client._transport.app, client=("203.0.113.9", 5000)),  # type: ignore[attr-defined]
        base_url="http://testserver",
    )
    monkeypatch.setattr(metrics, "get_settings", lambda: dataclasses.replace(settings, metrics_token=""))
    async with far:
        assert (await far.get("/metrics")).status_code == 404
