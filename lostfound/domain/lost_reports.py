"""Lost reports (报失): statuses, channels and their labels."""

from __future__ import annotations

from enum import StrEnum

from lostfound.domain.i18n_markers import N_


class ReportStatus(StrEnum):
    OPEN = "open"
    MATCHED = "matched"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


REPORT_STATUS_LABELS: dict[ReportStatus, str] = {
    ReportStatus.OPEN: N_("Still searching"),
    ReportStatus.MATCHED: N_("A possible match was found"),
    ReportStatus.RETURNED: N_("Returned to the owner"),
    ReportStatus.WITHDRAWN: N_("Withdrawn by the owner"),
    ReportStatus.EXPIRED: N_("Closed after the retention period"),
}


class Channel(StrEnum):
    ONLINE = "online"
    DESK = "desk"
    IMPORT = "import"  # migrated from another system


def report_reference(year: int, seq: int) -> str:
    """``LR-2025-000123``: one city-wide series per year (an online report has no station yet)."""
    return f"LR-{year}-{seq:06d}"


def format_claim_code(code: str) -> str:
    """``ABCD-EFGH-JKMN``: groups of four are easier to read aloud and to type."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


# What an owner brings to collect; shown on the status page and said in the message.
WHAT_TO_BRING = N_(
    "Bring your own ID card and your report's reference. Someone collecting for you needs a letter of "
    "authorisation signed by you, a copy of your ID card and their own ID card."
)
