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


DEED_STATUS_LABELS: dict[DeedStatus, str] = {
    DeedStatus.PROPOSED: N_("Proposed"),
    DeedStatus.LOGGED: N_("Logged"),
    DeedStatus.DISMISSED: N_("Dismissed"),
}


class ParticipantRole(StrEnum):
    CIVILIAN = "civilian"
    OFFICER = "officer"
    TRAINEE = "trainee"
    RESCUE_TEAM = "rescue_team"
    VOLUNTEER = "volunteer"


PARTICIPANT_ROLE_LABELS: dict[ParticipantRole, str] = {
    ParticipantRole.CIVILIAN: N_("Member of the public"),
    ParticipantRole.OFFICER: N_("Police officer"),
    ParticipantRole.TRAINEE: N_("Trainee officer"),
    ParticipantRole.RESCUE_TEAM: N_("Rescue team"),
    ParticipantRole.VOLUNTEER: N_("Volunteer"),
}


class Naming(StrEnum):
    FULL = "full"  # 黎晓梅
    SURNAME = "surname"  # 黎女士 / 应师傅: the words the person chose
    ANONYMOUS = "anonymous"  # 一位热心市民


NAMING_LABELS: dict[Naming, str] = {
    Naming.FULL: N_("By full name"),
    Naming.SURNAME: N_("By surname only (e.g. 黎女士)"),
    Naming.ANONYMOUS: N_("Not named"),
}

# How public texts refer to someone who is not named, by their role (Chinese; the English text has its own).
ANONYMOUS_ZH: dict[ParticipantRole, str] = {
    ParticipantRole.CIVILIAN: "一位热心市民",
    ParticipantRole.OFFICER: "一名民警",
    ParticipantRole.TRAINEE: "一名实习学警",
    ParticipantRole.RESCUE_TEAM: "救援队队员",
    ParticipantRole.VOLUNTEER: "一名志愿者",
}
ANONYMOUS_EN: dict[ParticipantRole, str] = {
    ParticipantRole.CIVILIAN: "a member of the public",
    ParticipantRole.OFFICER: "a police officer",
    ParticipantRole.TRAINEE: "a trainee officer",
    ParticipantRole.RESCUE_TEAM: "members of a rescue team",
    ParticipantRole.VOLUNTEER: "a volunteer",
}


def public_name(name: str, role: ParticipantRole, naming: Naming, chosen: str, consent: bool) -> str:
    """The words a public text may use for a participant; never the full name without consent."""
    if consent and naming is Naming.FULL:
        return name
    if consent and naming is Naming.SURNAME and chosen and chosen != name:
        return chosen
    return ANONYMOUS_ZH[role]


def returned_property_title(category_label: str) -> str:
    """The working title of a proposed deed; the press office rewrites it."""
    return f"拾金不昧：{category_label}物归原主"
