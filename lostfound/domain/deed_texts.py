"""The facts a notice about a good deed is drafted from, in Chinese and in English. Pure, no I/O."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lostfound.domain.deeds import ANONYMOUS_EN, DeedKind, Naming, ParticipantRole

_ROLE_ZH = {
    ParticipantRole.OFFICER: "民警",
    ParticipantRole.TRAINEE: "实习学警",
    ParticipantRole.VOLUNTEER: "志愿者",
}
_ROLE_EN = {ParticipantRole.OFFICER: "officer ", ParticipantRole.TRAINEE: "trainee officer "}

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")  # fmt: skip


def _named(person: dict[str, Any]) -> bool:
    return person["consent_to_name"] and person["naming"] != Naming.ANONYMOUS


def heroes_zh(people: list[dict[str, Any]]) -> str:
    words = []
    for person in people:
        role = ParticipantRole(person["role"])
        prefix = _ROLE_ZH.get(role, "") if _named(person) else ""
        words.append(prefix + person["public_name"])
    return "、".join(dict.fromkeys(words))


def heroes_en(people: list[dict[str, Any]]) -> str:
    words = []
    for person in people:
        role = ParticipantRole(person["role"])
        words.append(_ROLE_EN.get(role, "") + person["public_name"] if _named(person) else ANONYMOUS_EN[role])
    words = list(dict.fromkeys(words))
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def date_zh(moment: datetime) -> str:
    hour = moment.hour
    part = (
        "凌晨"
        if hour < 6
        else "上午"
        if hour < 12
        else "中午"
        if hour < 13
        else "下午"
        if hour < 18
        else "晚上"
    )
    return f"{moment.year}年{moment.month}月{moment.day}日{part}"


def day_zh(moment: datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日"


def day_en(moment: datetime) -> str:
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def story(
    kind: DeedKind, heroes: tuple[str, str], category: tuple[str, str], returned: bool, station: dict
) -> dict:
    """Sentences for the templates: what happened (story), the deed in a phrase, and the praise."""
    zh, en = heroes
    if kind is DeedKind.RETURNED_PROPERTY:
        back_zh = "，失主已将其领回" if returned else ""
        back_en = "; its owner has it back" if returned else ""
        return {
            "story_zh": f"{zh}拾到他人遗失的{category[0]}，第一时间交到{station['name_zh']}{back_zh}。",
            "story_en": (
                f"{en} found a lost {category[1].lower()} and handed it in to {station['name_en']} at once{back_en}."
            ),
            "deed_zh": f"拾到他人遗失的{category[0]}并及时交到公安机关",
            "praise_zh": "拾金不昧、诚实守信",
            "praise_en": "honesty in returning lost property",
        }
    if kind is DeedKind.RESCUE:
        return {
            "story_zh": f"有群众不慎落水，{zh}闻警而动、奋力施救，将落水者安全救上岸。",
            "story_en": f"a person fell into the water, and {en} went to the rescue and brought them safely ashore.",
            "deed_zh": "奋力救助遇险群众",
            "praise_zh": "临危不惧、见义勇为",
            "praise_en": "courage in a rescue",
        }
    if kind is DeedKind.ASSISTANCE:
        return {
            "story_zh": f"{zh}热心帮助遇到困难的群众。",
            "story_en": f"{en} helped people in difficulty.",
            "deed_zh": "热心帮助遇到困难的群众",
            "praise_zh": "乐于助人、热心公益",
            "praise_en": "kindness and help to others",
        }
    return {
        "story_zh": f"{zh}的善举温暖人心。",
        "story_en": f"{en} did a good deed for the community.",
        "deed_zh": "做了一件好事",
        "praise_zh": "崇德向善",
        "praise_en": "a good deed for the community",
    }
