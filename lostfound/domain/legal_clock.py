"""The legal clock of found property (Civil Code art. 318).

Property nobody claims within a year of the found-property notice (招领公告) goes to the
state. The clock starts when the first notice listing the item is published.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

CLAIM_PERIOD_YEARS = 1


def claim_deadline(published_at: datetime) -> datetime:
    """The same moment a year later; a notice of 29 February runs to 28 February."""
    try:
        return published_at.replace(year=published_at.year + CLAIM_PERIOD_YEARS)
    except ValueError:
        return published_at.replace(year=published_at.year + CLAIM_PERIOD_YEARS, day=28)


def days_left(deadline: datetime, now: datetime) -> int:
    """Whole days until the deadline; 0 on its last day, negative once it has passed."""
    return (deadline - now).days if deadline >= now else -((now - deadline).days + 1)


def working_days_between(start: date, end: date) -> int:
    """Monday-to-Friday days after ``start`` up to and including ``end``."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, extra = divmod(days, 7)
    count = weeks * 5
    for offset in range(1, extra + 1):
        if (start + timedelta(days=weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count
