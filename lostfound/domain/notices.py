"""Notices the police publish: their states and how screens name them."""

from __future__ import annotations

from enum import StrEnum

from lostfound.domain.i18n_markers import N_


class NoticeStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


NOTICE_STATUS_LABELS: dict[NoticeStatus, str] = {
    NoticeStatus.DRAFT: N_("Draft"),
    NoticeStatus.APPROVED: N_("Approved"),
    NoticeStatus.PUBLISHED: N_("Published"),
    NoticeStatus.WITHDRAWN: N_("Withdrawn"),
}
