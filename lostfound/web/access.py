"""Who may use which route: the one table every registered route must appear in.

Keys are Litestar path templates (``/admin/users/{username}``). A route missing from the
table is refused for everybody, and ``tests/test_access.py`` fails until it is added.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from lostfound.domain.roles import Role
from lostfound.services.accounts import StaffMember


@dataclass(frozen=True)
class Rule:
    """``roles=None`` with ``public=False`` means any signed-in staff member."""

    public: bool = False
    roles: frozenset[Role] | None = None
    # Reachable while the account still has to replace a temporary password.
    before_password_change: bool = False

    def allows(self, member: StaffMember | None) -> bool:
        if self.public:
            return True
        if member is None:
            return False
        return self.roles is None or member.role in self.roles

    def allows_role(self, role: Role) -> bool:
        return self.public or self.roles is None or role in self.roles


PUBLIC = Rule(public=True, before_password_change=True)
# Machines, not people: no session needed, the controller checks the caller itself.
MACHINES = Rule(public=True, before_password_change=True)
STAFF = Rule()
ACCOUNT = Rule(before_password_change=True)


def roles(*allowed: Role) -> Rule:
    return Rule(roles=frozenset(allowed))


ADMIN = roles(Role.ADMIN)
# Found property and owners' details: the officers who handle them, never the press office.
ITEM_STAFF = roles(Role.DUTY_OFFICER, Role.SUPERVISOR)
ACCOUNT_MANAGERS = roles(Role.ADMIN, Role.SUPERVISOR)
# Good deeds: officers log them, the press office reads them and takes proposed ones into the log.
DEED_READERS = roles(Role.DUTY_OFFICER, Role.SUPERVISOR, Role.PRESS)
FIGURE_READERS = roles(Role.PRESS, Role.SUPERVISOR, Role.ADMIN)
# Possible false claims are the supervisor's to review.
SUPERVISORS = roles(Role.SUPERVISOR, Role.ADMIN)
# Messages to owners: the officers who deal with owners, and admins who look after delivery.
OUTBOX_READERS = roles(Role.DUTY_OFFICER, Role.SUPERVISOR, Role.ADMIN)

ACCESS: dict[str, Rule] = {
    # public pages and assets
    "/login": PUBLIC,
    "/language": PUBLIC,
    "/healthz": PUBLIC,
    "/readyz": PUBLIC,
    # Prometheus: a bearer token, or from the same host (checked in the controller)
    "/metrics": MACHINES,
    "/verify": PUBLIC,
    "/report": PUBLIC,
    "/claim": PUBLIC,
    # proven by the claim code earlier in the same session (checked in the controller)
    "/claim/contact": PUBLIC,
    "/claim/withdraw": PUBLIC,
    "/claim/keep-open": PUBLIC,
    # the found-property board: redacted notices and blurred public photos only
    "/board": PUBLIC,
    "/board/notices/{reference}": PUBLIC,
    "/board/photos/{photo_id}": PUBLIC,
    # published commendations, letters of thanks and certificates
    "/commendations": PUBLIC,
    "/commendations/{reference}": PUBLIC,
    "/commendations/feed.atom": PUBLIC,
    "/commendations/{reference}/poster.png": PUBLIC,
    "/commendations/photos/{photo_id}": PUBLIC,
    "/static/{file_path}": PUBLIC,
    # every signed-in member of staff
    "/": STAFF,
    "/logout": ACCOUNT,
    "/account/password": ACCOUNT,
    # found items
    "/items": ITEM_STAFF,
    "/items/new": ITEM_STAFF,
    "/items/read-document": ITEM_STAFF,
    "/items/{reference}": ITEM_STAFF,
    "/items/{reference}/edit": ITEM_STAFF,
    "/items/{reference}/reveal": ITEM_STAFF,
    "/items/{reference}/photos": ITEM_STAFF,
    "/items/{reference}/photos/{photo_id}/redact": ITEM_STAFF,
    "/items/{reference}/receipt": ITEM_STAFF,
    "/media/photos/{photo_id}/{variant}": ITEM_STAFF,
    # matching
    "/matches": ITEM_STAFF,
    "/matches/{match_id}": ITEM_STAFF,
    "/matches/{match_id}/confirm": ITEM_STAFF,
    "/matches/{match_id}/reject": ITEM_STAFF,
    "/matches/{match_id}/undo": ITEM_STAFF,
    "/items/{reference}/contacts": ITEM_STAFF,
    # handing items back
    "/items/{reference}/handover": ITEM_STAFF,
    "/items/{reference}/handover/check": ITEM_STAFF,
    "/handovers/{reference}": ITEM_STAFF,
    "/handovers/{reference}/signature": ITEM_STAFF,
    "/handovers/checks": SUPERVISORS,
    "/handovers/checks/{check_id}/reviewed": SUPERVISORS,
    # good deeds (writes are limited to officers in the service)
    "/deeds": DEED_READERS,
    "/deeds/new": ITEM_STAFF,
    "/deeds/{deed_id}": DEED_READERS,
    "/deeds/{deed_id}/edit": ITEM_STAFF,
    "/deeds/{deed_id}/photos": ITEM_STAFF,
    "/deeds/{deed_id}/photos/{photo_id}/public": ITEM_STAFF,
    "/deeds/{deed_id}/keep": DEED_READERS,
    "/deeds/{deed_id}/dismiss": DEED_READERS,
    "/deeds/photos/{photo_id}/{variant}": DEED_READERS,
    # notices about good deeds: drafted by the press office and officers, approved by a supervisor
    "/deeds/{deed_id}/notices": DEED_READERS,
    "/press/notices": DEED_READERS,
    "/press/notices/{reference}": DEED_READERS,
    "/press/notices/{reference}/approve": SUPERVISORS,
    "/press/notices/{reference}/poster.png": DEED_READERS,
    "/press/notices/{reference}/publish": DEED_READERS,
    "/press/notices/{reference}/withdraw": SUPERVISORS,
    # monthly figures: the press office and supervisors
    "/figures": FIGURE_READERS,
    "/figures/export.csv": FIGURE_READERS,
    "/figures/trend.png": FIGURE_READERS,
    "/figures/stations.png": FIGURE_READERS,
    "/figures/monthly-report": FIGURE_READERS,
    # transfers between stations and to the district bureau
    "/transfers": ITEM_STAFF,
    "/items/{reference}/transfer": ITEM_STAFF,
    "/transfers/{transfer_id}/receive": ITEM_STAFF,
    "/transfers/{transfer_id}/cancel": ITEM_STAFF,
    # found-property notices and the legal clock (approval is checked in the service)
    "/notices": ITEM_STAFF,
    "/notices/new": ITEM_STAFF,
    "/notices/{reference}": ITEM_STAFF,
    "/notices/{reference}/approve": SUPERVISORS,
    "/notices/{reference}/publish": ITEM_STAFF,
    "/notices/{reference}/withdraw": SUPERVISORS,
    "/unclaimed": ITEM_STAFF,
    "/items/{reference}/disposal": ITEM_STAFF,
    "/disposals/{disposal_id}/approve": SUPERVISORS,
    "/disposals/{disposal_id}/refuse": SUPERVISORS,
    # messages to owners
    "/outbox": OUTBOX_READERS,
    "/outbox/{message_id}/retry": OUTBOX_READERS,
    # account management: admins everywhere, supervisors for their own station
    "/admin/users": ACCOUNT_MANAGERS,
    "/admin/users/new": ACCOUNT_MANAGERS,
    "/admin/users/{username}": ACCOUNT_MANAGERS,
    "/admin/users/{username}/active": ACCOUNT_MANAGERS,
    "/admin/users/{username}/password": ACCOUNT_MANAGERS,
    # stations and the audit log: admins only
    "/admin/stations": ADMIN,
    "/admin/stations/new": ADMIN,
    "/admin/stations/{code}": ADMIN,
    "/admin/audit": ADMIN,
    # JSON API (bearer tokens)
    "/api/v1/me": STAFF,
    "/api/v1/stations": STAFF,
    "/api/v1/lost-reports": PUBLIC,  # owners file online; a staff token makes it a desk report
    "/api/v1/lost-reports/{reference}": ITEM_STAFF,
    "/api/v1/lost-reports/{reference}/matches": ITEM_STAFF,
    "/api/v1/claims/status": PUBLIC,
    "/api/v1/found-items": ITEM_STAFF,
    "/api/v1/found-items/{reference}": ITEM_STAFF,
    "/api/v1/found-items/{reference}/photos": ITEM_STAFF,
    "/api/v1/found-items/{reference}/matches": ITEM_STAFF,
    "/api/v1/documents/read": ITEM_STAFF,
    # OpenAPI schema and its viewers describe the API to anyone who integrates with it
    "/api/docs": PUBLIC,
    "/api/docs/{path}": PUBLIC,
    "/api/docs/openapi.json": PUBLIC,
    "/api/docs/swagger": PUBLIC,
    "/api/docs/oauth2-redirect.html": PUBLIC,
}


class PasswordChangeRequired(Exception):
    """Raised for an account that must replace its temporary password first."""


def rule_for(path_template: str) -> Rule | None:
    return ACCESS.get(path_template)


def current_member(connection: ASGIConnection) -> StaffMember | None:
    user = connection.scope.get("user")
    return user if isinstance(user, StaffMember) else None


async def access_guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """The app-wide guard: look the route up in ``ACCESS`` and enforce its rule.

    Guards are coroutines although they wait for nothing: Litestar runs a plain function guard
    in a worker thread, a thread hop on every request.
    """
    rule = rule_for(connection.scope.get("path_template", ""))
    member = current_member(connection)
    if rule is None:
        raise PermissionDeniedException("route has no access rule")
    if rule.allows(member):
        if member is not None and member.must_change_password and not rule.before_password_change:
            raise PasswordChangeRequired
        return
    if member is None:
        raise NotAuthorizedException()
    raise PermissionDeniedException()


# Record ids are 32-bit serials; a larger number in a path names nothing (and would overflow the driver).
MAX_ID = 2**31 - 1


async def ids_in_range(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    for value in connection.path_params.values():
        if isinstance(value, int) and not 0 < value <= MAX_ID:
            raise NotFoundException()
