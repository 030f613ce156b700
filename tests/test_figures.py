"""Monthly figures: counts per station and for the city, charts as images, CSV, the monthly report."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import httpx
import pytest
from PIL import Image

from lostfound.domain.roles import Role
from lostfound.fonts import find_cjk_font
from lostfound.services import deed_notices, figures
from lostfound.services.figures import Month
from lostfound.tables import Notice
from tests.factories import make_user, post_form, sign_in, text_of
from tests.test_handover import BANK_CARD, CASH, ID_CARD, _hand_over, _wallet


async def _month_with_a_return(client: httpx.AsyncClient) -> Month:
    returned = await _wallet(client, [ID_CARD, CASH], estimated_value=None)
    await _wallet(client, [BANK_CARD])
    await make_user("dc.second", role=Role.DUTY_OFFICER, station="DC")
    await sign_in(client, "dc.duty")
    done = await _hand_over(client, returned, second_username="dc.second", second_password="Correct-Horse-42")
    assert done.status_code == 303, text_of(done)
    return Month.parse("", datetime.now(UTC))


async def test_the_month_counts_found_returned_rate_days_and_value(client: httpx.AsyncClient) -> None:
    month = await _month_with_a_return(client)
    data = await figures.monthly(month)
    dc = next(row for row in data.rows if row.station_code == "DC")
    assert (dc.found, dc.returned, dc.returned_of_found) == (2, 1, 1)
    assert dc.return_rate == 0.5 and dc.median_days is not None and dc.median_days > 0
    assert dc.value_returned == 260  # no estimate: the cash in the wallet
    assert data.city.found == 2 and data.city.returned == 1
    earlier = await figures.monthly(month.back(1))
    assert earlier.city.found == 0 and earlier.city.return_rate is None


async def test_the_press_office_downloads_csv_and_charts_and_drafts_the_monthly_report(
    client: httpx.AsyncClient,
) -> None:
    month = await _month_with_a_return(client)
    await make_user("dc.press", role=Role.PRESS, station="DC")
    assert (await client.get("/figures")).status_code == 403  # a duty officer
    client.cookies.clear()
    await sign_in(client, "dc.press")
    page = await client.get("/figures")
    assert page.status_code == 200 and "50%" in text_of(page)
    exported = await client.get("/figures/export.csv", params={"month": str(month)})
    rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    dc = next(row for row in rows if row["station"] == "DC")
    assert dc["items_found"] == "2" and dc["items_returned"] == "1" and dc["value_returned_yuan"] == "260.00"
    assert rows[-1]["station"] == "ALL"
    if find_cjk_font() is not None:
        for chart in ("/figures/trend.png?station=DC", "/figures/stations.png"):
            image = await client.get(chart)
            assert image.status_code == 200 and Image.open(io.BytesIO(image.content)).size == (1200, 675)
    drafted = await post_form(
        client, "/figures", "/figures/monthly-report", {"month": str(month), "language": "zh_Hans"}
    )
    assert drafted.status_code == 303 and drafted.headers["location"].startswith("/press/notices/YB-DC-")
    notice = await Notice.select().first()
    assert notice["kind"] == "monthly" and "2件" in notice["body"] and "1件" in notice["body"]
    ref = notice["reference"]
    assert await deed_notices.redaction_problems(await deed_notices.get_notice(ref)) == []
    editor = await client.get(drafted.headers["location"])
    assert editor.status_code == 200 and "月度数据" in text_of(editor)


@pytest.mark.parametrize("text, expected", [("2026-02", "2026-02"), ("junk", None), ("2026-13", None)])
def test_a_month_is_read_from_the_address_or_defaults_to_this_one(text: str, expected: str | None) -> None:
    now = datetime(2026, 11, 25, tzinfo=UTC)
    assert str(Month.parse(text, now)) == (expected or "2026-11")
    assert str(Month(2026, 1).back(1)) == "2025-12" and str(Month(2026, 12).back(-1)) == "2027-01"
