"""Staff roles and what each may manage."""

from __future__ import annotations

from enum import StrEnum

from lostfound.domain.i18n_markers import N_


class Role(StrEnum):
    DUTY_OFFICER = "duty_officer"
    SUPERVISOR = "supervisor"
    PRESS = "press"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """Untranslated label; the web layer passes it through gettext."""
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.DUTY_OFFICER: N_("Duty officer"),
    Role.SUPERVISOR: N_("Supervisor"),
    Role.PRESS: N_("Press office"),
    Role.ADMIN: N_("Administrator"),
}

# The service's own actors (``Actor.system(name)``), as logs on the pages name them; a staff member's
# entries show their name.
SYSTEM_ACTOR_LABELS: dict[str, str] = {
    "import": N_("Import from another system"),
    "legal-clock": N_("Claim period clock"),
    "retention": N_("Data retention"),
    "cli": N_("Command line"),
    "demo": N_("Demo data"),
    "system": N_("The service"),
}

# A supervisor manages the officers of their own station; admins manage every account.
_SUPERVISOR_MAY_CREATE = frozenset({Role.DUTY_OFFICER, Role.PRESS})


def may_manage_account(actor_role: Role, actor_station: str, target_role: Role, target_station: str) -> bool:
    if actor_role is Role.ADMIN:
        return True
    if actor_role is Role.SUPERVISOR:
        return target_station == actor_station and target_role in _SUPERVISOR_MAY_CREATE
    return False


def roles_assignable_by(actor_role: Role) -> list[Role]:
    if actor_role is Role.ADMIN:
        return list(Role)
    if actor_role is Role.SUPERVISOR:
        return [r for r in Role if r in _SUPERVISOR_MAY_CREATE]
    return []
