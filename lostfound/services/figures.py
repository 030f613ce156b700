"""Monthly figures for the press office: per station and for the city.

Items found (logged that month), items returned (handed over that month), the share of the
month's items already returned, days from finding to return (median), the value returned
(an item's estimated value, or else the cash and deposit slips in it), and good deeds logged.
Months are Beijing calendar months. Nothing here names a person or shows a number of anyone's.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from lostfound.domain.deeds import DeedStatus
from lostfound.domain.found_items import AMOUNT_KINDS
from lostfound.settings import TIMEZONE
from lostfound.tables import Deed, FoundItem, Handover, ItemContent, Station

_TZ = ZoneInfo(TIMEZONE)


@dataclass
class Row:
    station_code: str
    name_zh: str
    name_en: str
    found: int = 0
    returned: int = 0
    returned_of_found: int = 0  # of the month's items, how many are back with their owners
    days_to_return: list[float] = field(default_factory=list)
    value_returned: Decimal = Decimal(0)
    deeds: Counter = field(default_factory=Counter)

    @property
    def return_rate(self) -> float | None:
        return self.returned_of_found / self.found if self.found else None

    @property
    def median_days(self) -> float | None:
        return round(statistics.median(self.days_to_return), 1) if self.days_to_return else None

    @property
    def deeds_total(self) -> int:
        return sum(self.deeds.values())


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str, now: datetime) -> Month:
        try:
            year, month = (int(part) for part in text.split("-", 1))
            if 2000 <= year <= 2100 and 1 <= month <= 12:
                return cls(year, month)
        except ValueError:
            pass
        local = now.astimezone(_TZ)
        return cls(local.year, local.month)

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=_TZ)

    @property
    def end(self) -> datetime:
        return Month(self.year + self.month // 12, self.month % 12 + 1).start

    def back(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 - months
        return Month(index // 12, index % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"


@dataclass(frozen=True)
class Figures:
    month: Month
    rows: list[Row]  # one per station, then the city's total
    city: Row


async def monthly(month: Month) -> Figures:
    stations = await Station.select(Station.id, Station.code, Station.name_zh, Station.name_en).order_by(
        Station.code
    )
    rows = {s["id"]: Row(s["code"], s["name_zh"], s["name_en"]) for s in stations}
    found = await FoundItem.select(FoundItem.id, FoundItem.station, FoundItem.status).where(
        (FoundItem.created_at >= month.start) & (FoundItem.created_at < month.end)
    )
    for item in found:
        row = rows[item["station"]]
        row.found += 1
        row.returned_of_found += item["status"] == "returned"
    handed = await Handover.select(
        Handover.item, Handover.station, Handover.handed_over_at, Handover.item.found_at.as_alias("found_at"),
        Handover.item.estimated_value.as_alias("value"),
    ).where((Handover.handed_over_at >= month.start) & (Handover.handed_over_at < month.end))  # fmt: skip
    amounts: dict[int, Decimal] = defaultdict(Decimal)
    if handed:
        for content in await ItemContent.select(ItemContent.item, ItemContent.amount).where(
            ItemContent.item.is_in([h["item"] for h in handed])
            & ItemContent.kind.is_in([k.value for k in AMOUNT_KINDS])
        ):
            amounts[content["item"]] += content["amount"] or Decimal(0)
    for handover in handed:
        row = rows[handover["station"]]
        row.returned += 1
        row.days_to_return.append((handover["handed_over_at"] - handover["found_at"]).total_seconds() / 86400)
        row.value_returned += (
            handover["value"] if handover["value"] is not None else amounts[handover["item"]]
        )
    for deed in await Deed.select(Deed.station, Deed.kind).where(
        (Deed.occurred_at >= month.start)
        & (Deed.occurred_at < month.end)
        & (Deed.status == DeedStatus.LOGGED.value)
    ):
        rows[deed["station"]].deeds[deed["kind"]] += 1
    city = Row("", "全市", "City")
    for row in rows.values():
        city.found += row.found
        city.returned += row.returned
        city.returned_of_found += row.returned_of_found
        city.days_to_return += row.days_to_return
        city.value_returned += row.value_returned
        city.deeds.update(row.deeds)
    return Figures(month, list(rows.values()), city)


async def trend(station_code: str | None, month: Month, months: int = 12) -> list[tuple[Month, int, int]]:
    """(month, found, returned) for the twelve months up to ``month``, for a station or the city."""
    first = month.back(months - 1)
    items = FoundItem.select(FoundItem.created_at).where(
        (FoundItem.created_at >= first.start) & (FoundItem.created_at < month.end)
    )
    handed = Handover.select(Handover.handed_over_at).where(
        (Handover.handed_over_at >= first.start) & (Handover.handed_over_at < month.end)
    )
    if station_code:
        items = items.where(FoundItem.station.code == station_code)
        handed = handed.where(Handover.station.code == station_code)
    found = Counter(_key(r["created_at"]) for r in await items)
    returned = Counter(_key(r["handed_over_at"]) for r in await handed)
    series = [first.back(-i) for i in range(months)]
    return [(m, found[str(m)], returned[str(m)]) for m in series]


def _key(moment: datetime) -> str:
    local = moment.astimezone(_TZ)
    return f"{local.year}-{local.month:02d}"


CSV_COLUMNS = ["month", "station", "station_name", "items_found", "items_returned", "returned_of_found",
               "return_rate", "median_days_to_return", "value_returned_yuan", "deeds"]  # fmt: skip


def as_csv(figures: Figures) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in [*figures.rows, figures.city]:
        rate = row.return_rate
        writer.writerow([
            str(figures.month), row.station_code or "ALL", row.name_zh, row.found, row.returned, row.returned_of_found,
            f"{rate:.3f}" if rate is not None else "", row.median_days if row.median_days is not None else "",
            f"{row.value_returned:.2f}", row.deeds_total,
        ])  # fmt: skip
    return out.getvalue()


def summary_facts(figures: Figures, station_code: str) -> dict[str, Any]:
    row = next((r for r in figures.rows if r.station_code == station_code), figures.city)
    return {"row": row, "city": figures.city, "month": figures.month}
