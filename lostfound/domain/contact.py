"""Contacting the owner of an item nobody has reported, through the leads found inside it."""

from __future__ import annotations

from enum import StrEnum

from lostfound.domain.i18n_markers import N_


class ContactMethod(StrEnum):
    PHONE = "phone"
    SMS = "sms"
    VISIT = "visit"
    LETTER = "letter"


class ContactOutcome(StrEnum):
    REACHED = "reached"
    NO_ANSWER = "no_answer"
    MESSAGE_LEFT = "message_left"
    WRONG_NUMBER = "wrong_number"


METHOD_LABELS: dict[ContactMethod, str] = {
    ContactMethod.PHONE: N_("Phone call"),
    ContactMethod.SMS: N_("Text message"),
    ContactMethod.VISIT: N_("Visit"),
    ContactMethod.LETTER: N_("Letter"),
}

OUTCOME_LABELS: dict[ContactOutcome, str] = {
    ContactOutcome.REACHED: N_("Reached the owner"),
    ContactOutcome.NO_ANSWER: N_("No answer"),
    ContactOutcome.MESSAGE_LEFT: N_("Message left"),
    ContactOutcome.WRONG_NUMBER: N_("Wrong person or number"),
}
