"""The navigation bar: derived from the access table, so it never offers a forbidden page."""

from __future__ import annotations

from dataclasses import dataclass

from lostfound import i18n
from lostfound.domain.i18n_markers import N_
from lostfound.services.accounts import StaffMember
from lostfound.web.access import rule_for


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str
    active: bool


_ENTRIES: list[tuple[str, str]] = [
    ("/", N_("Station desk")),
    ("/items/new", N_("Log an item")),
    ("/items", N_("Found items")),
    ("/matches", N_("Matches to review")),
    ("/outbox", N_("Messages to owners")),
    ("/deeds", N_("Good deeds")),
    ("/press/notices", N_("Commendations and letters")),
    ("/figures", N_("Monthly figures")),
    ("/transfers", N_("Transfers")),
    ("/notices", N_("Found-property notices")),
    ("/unclaimed", N_("Unclaimed property")),
    ("/handovers/checks", N_("Failed identity checks")),
    ("/admin/users", N_("Accounts")),
    ("/admin/stations", N_("Stations")),
    ("/admin/audit", N_("Audit log")),
]


def navigation_for(member: StaffMember | None, current_path: str) -> list[NavItem]:
    if member is None:
        return []
    items = []
    for path, label in _ENTRIES:
        rule = rule_for(path)
        if rule is not None and rule.allows(member):
            active = current_path == path or (
                path != "/" and current_path.startswith(path + "/") and not _more_specific(current_path, path)
            )
            items.append(NavItem(path=path, label=i18n.gettext(label), active=active))
    return items


def _more_specific(current_path: str, path: str) -> bool:
    """True when another entry matches ``current_path`` more closely than ``path``."""
    return any(
        p != path and p.startswith(path) and (current_path == p or current_path.startswith(p + "/"))
        for p, _ in _ENTRIES
    )
