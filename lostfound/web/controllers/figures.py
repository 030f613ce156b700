"""Monthly figures for the press office and supervisors: a table, charts as images, CSV, and a
monthly report drafted as a notice."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Response

from lostfound import charts, i18n
from lostfound.domain.i18n_markers import N_
from lostfound.services import deed_notices, figures
from lostfound.services.drawing import draw
from lostfound.services.errors import ServiceError
from lostfound.services.figures import Month
from lostfound.tables import Station
from lostfound.web.access import current_member
from lostfound.web.forms import client_ip, form_data
from lostfound.web.templating import render

FOUND_COLOUR = (12, 60, 140)
RETURNED_COLOUR = (46, 140, 87)


def _month(text: str) -> Month:
    return Month.parse(text, datetime.now(UTC))


async def _draw(title: str, labels: list[str], series: list[charts.Series]) -> bytes:
    """A chart, or a clear refusal: a character the font lacks, or no Chinese font installed."""
    missing = N_("The chart font cannot draw these characters: %(characters)s.")
    return await draw(charts.bar_chart, title, labels, series, missing=missing)


def _png(data: bytes, name: str) -> Response[bytes]:
    return Response(
        data,
        media_type="image/png",
        headers={
            "Content-Disposition": f'inline; filename="{name}"',
            "Cache-Control": "private, max-age=300",
        },
    )


class FiguresController(Controller):
    include_in_schema = False
    path = "/figures"

    @get("/")
    async def page(self, request: Request, month: FromQuery[str] = "") -> Any:
        member = current_member(request)
        assert member is not None
        chosen = _month(month)
        return render(
            request,
            "figures/index.html",
            data=await figures.monthly(chosen),
            month=str(chosen),
            previous=str(chosen.back(1)),
            following=str(chosen.back(-1)),
            own_station=member.station_code,
            page_title=i18n.gettext("Monthly figures"),
        )

    @get("/export.csv")
    async def csv_export(self, month: FromQuery[str] = "") -> Response[str]:
        chosen = _month(month)
        text = figures.as_csv(await figures.monthly(chosen))
        return Response(
            "\ufeff" + text,  # a byte-order mark, so spreadsheet programs read the Chinese names right
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="lostfound-figures-{chosen}.csv"'},
        )

    @get("/trend.png")
    async def trend_chart(
        self, request: Request, month: FromQuery[str] = "", station: FromQuery[str] = ""
    ) -> Response[bytes]:
        chosen = _month(month)
        code = station.strip().upper()[:8]
        if code and not await Station.exists().where(Station.code == code):
            raise NotFoundException()
        series = await figures.trend(code or None, chosen)
        labels = [f"{m.month}月" for m, _, _ in series]
        title = i18n.gettext("Found and returned, the 12 months to %(month)s", month=str(chosen)) + (
            f" · {code}" if code else ""
        )
        data = await _draw(
            title,
            labels,
            [
                charts.Series(i18n.gettext("Items found"), [f for _, f, _ in series], FOUND_COLOUR),
                charts.Series(i18n.gettext("Items returned"), [r for _, _, r in series], RETURNED_COLOUR),
            ],
        )
        return _png(data, f"trend-{code or 'city'}-{chosen}.png")

    @get("/stations.png")
    async def stations_chart(self, request: Request, month: FromQuery[str] = "") -> Response[bytes]:
        chosen = _month(month)
        data = await figures.monthly(chosen)
        labels = [row.station_code for row in data.rows]
        image = await _draw(
            i18n.gettext("Items found and returned by station, %(month)s", month=str(chosen)),
            labels,
            [
                charts.Series(i18n.gettext("Items found"), [row.found for row in data.rows], FOUND_COLOUR),
                charts.Series(
                    i18n.gettext("Items returned"), [row.returned for row in data.rows], RETURNED_COLOUR
                ),
            ],
        )
        return _png(image, f"stations-{chosen}.png")

    @post("/monthly-report")
    async def monthly_report(self, request: Request) -> Redirect:
        member = current_member(request)
        assert member is not None
        values = await form_data(request)
        try:
            ref = await deed_notices.create_monthly_draft(
                member.actor(client_ip(request)), member.station_code, _month(values.get("month", "")),
                values.get("language", "zh_Hans"),
            )  # fmt: skip
        except ServiceError as exc:
            flash(request, i18n.gettext(exc.message, **exc.params), category="error")
            return Redirect(path="/figures", status_code=303)
        flash(
            request,
            i18n.gettext("Draft %(reference)s written from the figures.", reference=ref),
            category="success",
        )
        return Redirect(path=f"/press/notices/{ref}", status_code=303)
