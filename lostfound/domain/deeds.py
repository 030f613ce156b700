"""Good deeds (好人好事): kinds, the roles of the people in them, and how each wants to be named."""

from __future__ import annotations

from enum import StrEnum

from lostfound.domain.i18n_markers import N_


class DeedKind(StrEnum):
    RETURNED_PROPERTY = "returned_property"  # 拾金不昧
    RESCUE = "rescue"
    ASSISTANCE = "assistance"
    OTHER = "other"


DEED_KIND_LABELS: dict[DeedKind, str] = {
    DeedKind.RETURNED_PROPERTY: N_("Handed in lost property"),
    DeedKind.RESCUE: N_("Rescue"),
    DeedKind.ASSISTANCE: N_("Assistance"),
    DeedKind.OTHER: N_("Other good deed"),
}


class DeedStatus(StrEnum):
    PROPOSED = "proposed"  # suggested by the service (a handover), waiting for the press office
    LOGGED = "logged"  # confirmed by an officer or the press office
    DISMISSED = "dismissed"


class ParticipantRole(StrEnum):
    CIVILIAN = "civilian"
    OFFICER = "officer"
    TRAINEE = "trainee"
    RESCUE_TEAM = "rescue_team"
    VOLUNTEER = "volunteer"


class Naming(StrEnum):
    FULL = "full"  # 黎晓梅
    SURNAME = "surname"  # 黎女士 / 黎先生
    ANONYMOUS = "anonymous"  # 一位热心市民


def returned_property_title(category_label: str) -> str:
    """The working title of a proposed deed; the press office rewrites it."""
    return f"拾金不昧：{category_label}物归原主"
