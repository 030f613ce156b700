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


class NoticeKind(StrEnum):
    COMMENDATION = "commendation"  # 表扬通报
    THANKS = "thanks"  # 感谢信
    CERTIFICATE = "certificate"  # 荣誉证书, numbered
    MONTHLY = "monthly"  # 月度通报: the month's figures
    FOUND_PROPERTY = "found_property"  # 招领公告


NOTICE_KIND_LABELS: dict[NoticeKind, str] = {
    NoticeKind.COMMENDATION: N_("Commendation"),
    NoticeKind.THANKS: N_("Letter of thanks"),
    NoticeKind.CERTIFICATE: N_("Certificate of honour"),
    NoticeKind.MONTHLY: N_("Monthly report"),
    NoticeKind.FOUND_PROPERTY: N_("Found-property notice"),
}
DEED_NOTICE_KINDS = (NoticeKind.COMMENDATION, NoticeKind.THANKS, NoticeKind.CERTIFICATE)
# Notices the press office edits and publishes (the found-property notice has its own flow).
PRESS_KINDS = (*DEED_NOTICE_KINDS, NoticeKind.MONTHLY)
# Reference prefixes: 表扬 BY, 感谢 GX, 荣誉 RY, 月报 YB.
REFERENCE_PREFIX = {
    NoticeKind.COMMENDATION: "BY",
    NoticeKind.THANKS: "GX",
    NoticeKind.CERTIFICATE: "RY",
    NoticeKind.MONTHLY: "YB",
}
