"""Matching found items to lost reports: blocking keys, agreement levels, scores and decisions.

Pure Python, no I/O. The service layer turns each key into a keyed hash and stores it in an
indexed table per side; a lookup returns, for every candidate, which kinds of keys agreed.
The score is a sum of log-likelihood ratios in bits (Fellegi–Sunter), one term per field
and agreement level; the decision is ``auto`` only far above the rest (see ``decide``).
"""

from __future__ import annotations

import heapq
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from functools import lru_cache
from typing import NamedTuple

from lostfound.domain import devices, names
from lostfound.domain import identifiers as ids
from lostfound.domain import synonyms as syn
from lostfound.domain.i18n_markers import N_

# --- what a record offers ---------------------------------------------------------------


@dataclass
class IdFact:
    number: str  # normalised; may hold * for unreadable digits
    valid: bool  # passes region, date and check character
    holder: str = ""  # the normalised name on the document (a report's own ID: the owner's)

    @property
    def masked(self) -> bool:
        return ids.is_masked(self.number)


@dataclass
class MatchFacts:
    """What either side says about the owner and the thing, in plaintext, for one record."""

    category: str = ""
    ids: list[IdFact] = field(default_factory=list)
    passports: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # normalised
    card_last4: list[str] = field(default_factory=list)
    district: str = ""
    # Found items: found_at (from = to). Reports: the window in which it was lost.
    time_from: datetime | None = None
    time_to: datetime | None = None
    imeis: list[str] = field(default_factory=list)  # 15 digits; Luhn-valid or kept "as printed"
    serials: list[str] = field(default_factory=list)  # as ``devices.serial_key`` folds them
    description: str = ""
    colour: str = ""
    brand: str = ""
    banks: list[str] = field(default_factory=list)  # of its bank cards, as ``banks.bank_key`` folds them
    cards: list[str] = field(default_factory=list)  # whole bank card numbers, digits only
    _described: syn.Described | None = field(default=None, compare=False, repr=False)

    def described(self) -> syn.Described:
        """Category group, colours, brand, model and description grams, read once per record."""
        if self._described is None:
            self._described = syn.describe(self.category, self.description, self.colour, self.brand)
        return self._described

    def __reduce__(self) -> tuple:
        # Bulk import sends facts between processes by the thousand: plain tuples pickle far faster.
        numbers = tuple((fact.number, fact.valid, fact.holder) for fact in self.ids)
        return (
            _restore_facts,
            (
                self.category,
                numbers,
                self.passports,
                self.phones,
                self.names,
                self.card_last4,
                self.district,
                self.time_from,
                self.time_to,
                self.imeis,
                self.serials,
                self.description,
                self.colour,
                self.brand,
                self.banks,
                self.cards,
            ),
        )


def _restore_facts(category: str, numbers: tuple, *rest: object) -> MatchFacts:
    return MatchFacts(category, [IdFact(*fact) for fact in numbers], *rest)  # type: ignore[arg-type]


# What people leave off a district's name: 东城 for 东城区, 义乌 for 义乌市, Dongcheng for Dongcheng District.
_DISTRICT_SUFFIXES = ("新区", "区", "县", "市", "district", "county")


@lru_cache(maxsize=4096)
def normalise_district(raw: str) -> str:
    text = "".join(unicodedata.normalize("NFKC", raw or "").split()).lower()
    for suffix in _DISTRICT_SUFFIXES:
        stem = text.removesuffix(suffix)
        if stem != text and len(stem) >= 2:  # 城区 stays itself
            return stem
    return text


# --- blocking keys -------------------------------------------------------------------------


class KeyKind(IntEnum):
    ID_FULL = 1
    ID_REPAIR = 2  # a check-valid neighbour of a number that fails its check
    ID_PIECE = 3  # the number with one of its blocks (ID_BLOCKS) left out
    ID_MASK = 4  # first 6 + last 4
    PASSPORT = 5
    PHONE_FULL = 6
    PHONE_PIECE = 7
    NAME_DISTRICT = 8
    NAME_CARD = 9
    NAME_WEEK = 10
    CARD_DISTRICT = 11
    CARD_WEEK = 12
    NAME_SKELETON = 13  # surname + last character, with district, week or both
    IMEI_FULL = 14
    IMEI_REPAIR = 15  # a Luhn-valid neighbour of an IMEI that fails its check digit
    SERIAL = 16
    # Things without identifiers: category group + colour family (or none) with week, district, brand.
    DESC_WEEK = 17
    DESC_DISTRICT = 18
    DESC_BRAND = 19
    CARD_FULL = 20  # a bank card's whole number


# One misread or swapped digit always fails the check character, so repair neighbours find it;
# pieces are for numbers misread twice, where both errors often fall in one block. Every piece
# keeps the birth day and sequence digits: region and birth month alone are shared by hundreds.
ID_BLOCKS = [(0, 6), (6, 12), (12, 15), (15, 18)]
PHONE_BLOCKS = [(0, 3), (3, 6), (6, 9), (9, 11)]
# Weeks of a report's window of loss that its keys cover. Most windows are a day or two; an owner
# unsure since when a thing was gone gives weeks, and it may be found in any of them. A name as read,
# a card's last 4 and the looks of a thing are keyed for up to two months of them; a name's skeleton,
# shared far more widely, for the first 3 (past those, it meets by district alone). With a fifth of
# the reports given windows 2 to 8 weeks longer, bench/matching.py --long-windows 0.2 finds 0.986 of
# owners in the first 10 (0.975 with 3 weeks for all) and 0.887 of the goods (0.796).
MAX_WEEKS = 9
MAX_SKELETON_WEEKS = 3


def _without(text: str, block: tuple[int, int]) -> str:
    return text[: block[0]] + text[block[1] :]


def _weeks(start: datetime | None, end: datetime | None) -> list[str]:
    """The ISO weeks the days from ``start`` to ``end`` fall in (the first MAX_WEEKS)."""
    if start is None:
        return []
    last = (end or start).date()
    day = start.date()
    weeks: list[str] = []
    while day <= last and len(weeks) < MAX_WEEKS:
        year, week, weekday = day.isocalendar()
        weeks.append(f"{year}W{week:02d}")
        day += timedelta(days=8 - weekday)  # the next Monday
    return weeks


def blocking_keys(facts: MatchFacts, side: str) -> set[tuple[str, KeyKind]]:
    """The plaintext keys of one record; ``side`` is ``item`` or ``report`` (weeks differ)."""
    keys: set[tuple[str, KeyKind]] = set()
    for fact in facts.ids:
        number = fact.number
        if len(number) == ids.ID_LENGTH and ids.MASK not in number[:6] + number[-4:]:
            keys.add((f"idm:{number[:6]}{number[-4:]}", KeyKind.ID_MASK))
        if fact.masked and (filled := ids.id_with_one_unreadable_filled(number)):
            keys.add((f"id:{filled}", KeyKind.ID_REPAIR))  # like a repair: the name must agree for auto
        if fact.masked or len(number) != ids.ID_LENGTH:
            continue
        if fact.valid:
            keys.add((f"id:{number}", KeyKind.ID_FULL))
        else:
            keys.update((f"id:{n}", KeyKind.ID_REPAIR) for n in ids.id_one_edit_neighbours(number))
        keys.update(
            (f"idp:{b}:{_without(number, block)}", KeyKind.ID_PIECE) for b, block in enumerate(ID_BLOCKS)
        )
    for passport in facts.passports:
        keys.add((f"pp:{passport}", KeyKind.PASSPORT))
    for phone in facts.phones:
        keys.add((f"ph:{phone}", KeyKind.PHONE_FULL))
        if len(phone) == 11:
            keys.update(
                (f"php:{b}:{_without(phone, block)}", KeyKind.PHONE_PIECE)
                for b, block in enumerate(PHONE_BLOCKS)
            )
    # Items are found after the loss: an item's week is looked up in the weeks before it too.
    if side == "item":
        weeks = _weeks(facts.time_from - timedelta(days=7), facts.time_from) if facts.time_from else []
    else:
        weeks = _weeks(facts.time_from, facts.time_to)
    district = normalise_district(facts.district)
    for name in facts.names:
        for reading in names.readings(name):
            if district:
                keys.add((f"nd:{reading}|{district}", KeyKind.NAME_DISTRICT))
            keys.update((f"nc:{reading}|{last4}", KeyKind.NAME_CARD) for last4 in facts.card_last4)
            keys.update((f"nw:{reading}|{week}", KeyKind.NAME_WEEK) for week in weeks)
        for skeleton in names.skeletons(name):
            skeleton_weeks = weeks[:MAX_SKELETON_WEEKS]
            if district:
                keys.add((f"ns:{skeleton}|{district}", KeyKind.NAME_SKELETON))
                # Both at once: at a million reports a common skeleton is shared by hundreds in a
                # district and dozens in a week, too many to read, but seldom by many in both.
                keys.update(
                    (f"nsdw:{skeleton}|{district}|{week}", KeyKind.NAME_SKELETON) for week in skeleton_weeks
                )
            keys.update((f"nsw:{skeleton}|{week}", KeyKind.NAME_SKELETON) for week in skeleton_weeks)
    # A whole card number, when both sides give one (a found card; an owner who looked it up). Its last
    # 4 digits are keyed below as well, for the many owners who know only those.
    keys.update((f"card:{number}", KeyKind.CARD_FULL) for number in facts.cards)
    for last4 in facts.card_last4:
        if district:
            keys.add((f"cd:{last4}|{district}", KeyKind.CARD_DISTRICT))
        keys.update((f"cw:{last4}|{week}", KeyKind.CARD_WEEK) for week in weeks)
    _device_keys(facts, keys)
    # An item that names someone (ID, passport, phone, name, card) is found through them; looks would
    # only add namesakes' bags to score. Items that name nobody, a phone by its IMEI included, are
    # looked up by their looks, and every report is indexed by its looks for them.
    if side == "report" or not (
        facts.ids or facts.passports or facts.phones or facts.names or facts.card_last4
    ):
        _description_keys(facts.described(), district, weeks, keys)
    return keys


def _device_keys(facts: MatchFacts, keys: set[tuple[str, KeyKind]]) -> None:
    for imei in facts.imeis:
        # The number as printed is a key even when it fails Luhn: the other side may have it so too.
        keys.add((f"imei:{imei}", KeyKind.IMEI_FULL))
        keys.update((f"imei:{n}", KeyKind.IMEI_REPAIR) for n in devices.imei_one_edit_neighbours(imei))
    keys.update((f"sn:{serial}", KeyKind.SERIAL) for serial in facts.serials)


def _description_keys(
    described: syn.Described, district: str, weeks: list[str], keys: set[tuple[str, KeyKind]]
) -> None:
    """Keys that find a black backpack for a dark rucksack lost in the same week (and district).

    Each colour family is a key, so 黑色 meets 深色; a key without colour meets a record whose
    colour was not given. A busy week's wallets crowd these keys, and crowded keys only add to
    candidates another key found (see ``services.matching``).
    """
    group = described.group
    if not group:
        return
    families = sorted(described.families)
    brand = syn.BRAND_PARENTS.get(described.brand, described.brand)
    for week in weeks:
        keys.update((f"dw:{group}|{family}|{week}", KeyKind.DESC_WEEK) for family in families)
        if district:
            keys.add((f"dd:{group}|*|{district}|{week}", KeyKind.DESC_DISTRICT))
            keys.update(
                (f"dd:{group}|{family}|{district}|{week}", KeyKind.DESC_DISTRICT) for family in families
            )
        if brand:
            keys.add((f"db:{group}|{brand}|{week}", KeyKind.DESC_BRAND))


# --- agreement levels and their weights ----------------------------------------------------


class Field(StrEnum):
    ID_NUMBER = "id_number"
    PASSPORT = "passport"
    PHONE = "phone"
    NAME = "name"
    CARD_LAST4 = "card_last4"
    CARD_NUMBER = "card_number"
    BANK = "bank"
    TIME = "time"
    DISTRICT = "district"
    CATEGORY = "category"
    IMEI = "imei"
    SERIAL = "serial"
    BRAND = "brand"
    MODEL = "model"
    COLOUR = "colour"
    THING = "thing"
    DESCRIPTION = "description"


class Level(StrEnum):
    EXACT = "exact"
    ONE_EDIT = "one_edit"
    PARTIAL = "partial"
    MASKED = "masked"
    HOMOPHONE = "homophone"
    DIFFERENT = "different"
    MISSING = "missing"
    # time
    IN_WINDOW = "in_window"
    SOON_AFTER = "soon_after"
    WEEKS_AFTER = "weeks_after"
    LONG_AFTER = "long_after"
    BEFORE_LOSS = "before_loss"
    # category
    COMPATIBLE = "compatible"
    # colour, description
    SIMILAR = "similar"


# log2(m/u) in bits. A different valid ID weighs more than any agreement can make up for.
WEIGHTS: dict[Field, dict[Level, float]] = {
    Field.ID_NUMBER: {
        Level.EXACT: 22.0,
        Level.ONE_EDIT: 16.0,
        Level.MASKED: 9.0,
        Level.PARTIAL: 7.0,
        Level.DIFFERENT: -25.0,
    },
    Field.PASSPORT: {Level.EXACT: 20.0, Level.DIFFERENT: -12.0},
    Field.PHONE: {Level.EXACT: 13.0, Level.PARTIAL: 5.0, Level.DIFFERENT: -3.0},
    Field.CARD_LAST4: {Level.EXACT: 7.0},
    # A card's whole number is one card's, like a passport is one person's. Its last 4 digits are not
    # counted again; a card that differs is only another card of the owner's.
    Field.CARD_NUMBER: {Level.EXACT: 20.0},
    # A bank card's bank: most people hold cards of a few big banks, so agreeing tells little (a
    # third of unrelated pairs agree in bench/synthetic.py's tuning seed, every owner does: log2(1/0.32)
    # = 1.6). An owner lists the cards they lost, so a wallet none of whose cards is of a listed bank is
    # unlikely theirs; it counts less than the tuning seed says, for owners misremember.
    Field.BANK: {Level.EXACT: 1.6, Level.DIFFERENT: -2.0},
    Field.TIME: {
        Level.IN_WINDOW: 1.5,
        Level.SOON_AFTER: 1.5,
        Level.WEEKS_AFTER: 0.5,
        Level.LONG_AFTER: -2.0,
        Level.BEFORE_LOSS: -6.0,
    },
    Field.DISTRICT: {Level.EXACT: 1.0, Level.DIFFERENT: -1.0},
    Field.CATEGORY: {Level.EXACT: 0.5, Level.DIFFERENT: -2.0},
    # An IMEI is one phone's, like an ID is one person's; two phones of one owner give two rows.
    Field.IMEI: {Level.EXACT: 22.0, Level.ONE_EDIT: 16.0, Level.PARTIAL: 6.0, Level.DIFFERENT: -25.0},
    # A different serial may be of another part (a charger, a case): it counts against, not fatally.
    Field.SERIAL: {Level.EXACT: 18.0, Level.DIFFERENT: -4.0},
    # What a thing looks like: small terms. Together with place and time they reach review
    # (a black backpack lost and found in one district and week), never an identifying level.
    Field.BRAND: {Level.EXACT: 2.5, Level.DIFFERENT: -3.0},
    Field.MODEL: {Level.EXACT: 3.0, Level.DIFFERENT: -2.0},
    Field.COLOUR: {Level.EXACT: 2.0, Level.SIMILAR: 1.5, Level.DIFFERENT: -2.0},
    Field.THING: {Level.EXACT: 1.5, Level.DIFFERENT: -1.5},
}
# Descriptions: Dice similarity of their grams times DESCRIPTION_BITS, when at least MIN_SIMILARITY.
DESCRIPTION_BITS = 4.0
MIN_SIMILARITY = 0.5
NAME_DIFFERENT = -5.0
NAME_FACTOR = {
    names.NameLevel.EXACT: 1.0,
    names.NameLevel.HOMOPHONE: 0.7,
    names.NameLevel.PARTIAL: 0.4,
    names.NameLevel.SPELLED: 0.4,
}

# A wallet, bag or phone can hold the documents and cards a report lists under another category.
CONTAINERS = frozenset({"wallet", "bag", "id_document", "bank_card", "cash", "phone", "other"})

# Decisions. AUTO_SCORE and AUTO_MARGIN are the pair bench/matching.py chose on its tuning seed
# (no wrong owner auto-suggested there, nor on the held-out seed); an identifier must agree as well.
AUTO_SCORE = 11.0
AUTO_MARGIN = 3.0
REVIEW_SCORE = 8.0


NAME_MOST = 9.0  # the weight of the rarest name's exact agreement


def name_weight(level: names.NameLevel, name: str) -> float:
    if level is names.NameLevel.DIFFERENT:
        return NAME_DIFFERENT
    if level not in NAME_FACTOR:
        return 0.0
    # Agreeing on a rare name tells more than on 王伟; capped so a name alone never decides.
    return round(NAME_FACTOR[level] * min(NAME_MOST, max(3.0, names.surprise_bits(name) - 6.0)), 1)


class Reason(NamedTuple):
    """One term of a score. A named tuple: a lookup builds some ten of them per candidate."""

    field: Field
    level: str
    weight: float
    days: int | None = None  # for time: days from the start of the loss to the finding
    similarity: float | None = None  # for descriptions: Dice similarity, 0 to 1

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"field": self.field.value, "level": self.level, "weight": self.weight}
        if self.days is not None:
            out["days"] = self.days
        if self.similarity is not None:
            out["similarity"] = self.similarity
        return out


@dataclass(frozen=True)
class Scored:
    score: float
    reasons: tuple[Reason, ...]

    @property
    def different_id(self) -> bool:
        return any(r.field is Field.ID_NUMBER and r.level == Level.DIFFERENT for r in self.reasons)

    @property
    def identified(self) -> bool:
        return identified([r.as_dict() for r in self.reasons])

    @property
    def same_phone(self) -> bool:
        return any(r.field is Field.PHONE and r.level == Level.EXACT for r in self.reasons)


# Agreements strong enough to let a pair be suggested automatically; a partial phone or ID
# (one block different) is how namesakes and neighbours' numbers look, so it only ranks.
STRONG_LEVELS = frozenset(
    {
        (Field.ID_NUMBER, Level.EXACT),
        (Field.ID_NUMBER, Level.ONE_EDIT),
        (Field.PASSPORT, Level.EXACT),
        (Field.PHONE, Level.EXACT),
        (Field.IMEI, Level.EXACT),
        (Field.IMEI, Level.ONE_EDIT),
        (Field.SERIAL, Level.EXACT),
        (Field.CARD_NUMBER, Level.EXACT),
    }
)
# A card's last 4 digits, or the 4 visible digits of a masked ID after its region, are shared by one
# card or person in 10,000: among the namesakes of a common name in a city of a million reports,
# that happens. They decide only when nothing else about the pair disagrees.
WEAK_LEVELS = frozenset({(Field.ID_NUMBER, Level.MASKED), (Field.CARD_LAST4, Level.EXACT)})
IDENTIFYING_LEVELS = STRONG_LEVELS | WEAK_LEVELS
# Numbers that identify the person themself, not something they carry or a way to reach them.
NUMBERS_OF_THE_PERSON = frozenset({(Field.ID_NUMBER, Level.EXACT), (Field.PASSPORT, Level.EXACT)})
# A repaired ID is one of the misread number's valid neighbours, often a dozen people's (a twin's
# among them): only a name that agrees says which of them held the card.
NAME_AGREES = frozenset({(Field.NAME, names.NameLevel.EXACT), (Field.NAME, names.NameLevel.HOMOPHONE)})
NAMES_APART = frozenset({(Field.NAME, names.NameLevel.DIFFERENT), (Field.NAME, names.NameLevel.SPELLED)})
# A different valid ID or IMEI rules ``auto`` out, whatever else agrees.
AGAINST_AUTO = frozenset({Field.ID_NUMBER, Field.IMEI})


def identified(reasons: Iterable[dict]) -> bool:
    """Whether an identifier agrees (ID, passport, phone, card, IMEI, serial).

    Names, places, times, colours, brands and descriptions alone never decide.
    """
    return any((r["field"], r["level"]) in IDENTIFYING_LEVELS for r in reasons)


def auto_eligible(reasons: Sequence[dict]) -> bool:
    """Whether what agrees could make the pair ``auto`` (score and margin aside)."""
    if any(r["field"] in AGAINST_AUTO and r["level"] == Level.DIFFERENT for r in reasons):
        return False
    levels = {(r["field"], r["level"]) for r in reasons}
    if not levels & NAME_AGREES:
        levels.discard((Field.ID_NUMBER, Level.ONE_EDIT))
    # A phone reaches a household: alone, it names the thing only if the kind of thing agrees too
    # (the slip in a wallet is not the keys a relative reported with the same number).
    if levels & STRONG_LEVELS == {(Field.PHONE, Level.EXACT)} and (Field.CATEGORY, Level.DIFFERENT) in levels:
        return False
    # A wallet whose cards name someone else: a phone number in it may be anyone's (a relative's, a
    # friend's). Only the owner's own ID or passport number outweighs the names. A name that agrees
    # only as Taiwan or Hong Kong spell it may be someone else's just as well (``NameLevel.SPELLED``).
    if levels & NAMES_APART and not levels & NUMBERS_OF_THE_PERSON:
        return False
    if levels & STRONG_LEVELS:
        return True
    return bool(levels & WEAK_LEVELS) and all(r["weight"] >= 0 for r in reasons)


def may_be_auto(score_: float, reasons: Sequence[dict]) -> bool:
    """The part of the auto rule that looks at one pair only; the margin is checked against its rivals."""
    return score_ >= AUTO_SCORE and auto_eligible(reasons)


def _id_level(
    item: MatchFacts, report: MatchFacts, agreed: set[tuple[KeyKind, KeyKind]], kinds: set[KeyKind]
) -> Level:
    """``kinds``: every key kind in ``agreed``, on either side."""
    if (KeyKind.ID_FULL, KeyKind.ID_FULL) in agreed:
        return Level.EXACT
    if (KeyKind.ID_FULL, KeyKind.ID_REPAIR) in agreed or (KeyKind.ID_REPAIR, KeyKind.ID_FULL) in agreed:
        return Level.ONE_EDIT
    # Two valid numbers that differ are two people, however alike: unless their names say so already
    # (a daughter's ID card in her mother's wallet says nothing against the mother's report).
    if any(
        _may_be_one_person(ours, theirs)
        for ours in item.ids
        if ours.valid
        for theirs in report.ids
        if theirs.valid
    ):
        return Level.DIFFERENT
    if KeyKind.ID_PIECE in kinds or (KeyKind.ID_REPAIR, KeyKind.ID_REPAIR) in agreed:
        return Level.PARTIAL
    if KeyKind.ID_MASK in kinds:
        return Level.MASKED
    return Level.MISSING


_CLOCK_SLACK = timedelta(hours=1)  # times are written down roughly
_SOON = timedelta(days=3)
_WEEKS = timedelta(days=60)


def _time(item: MatchFacts, report: MatchFacts) -> tuple[Level, int | None]:
    found, lost_from = item.time_from, report.time_from
    if found is None or lost_from is None:
        return Level.MISSING, None
    lost_to = report.time_to or lost_from
    if found < lost_from - _CLOCK_SLACK:
        return Level.BEFORE_LOSS, None
    # Calendar days in the city's time (both times are local): lost at 21:00 and found at 09:00 the
    # next morning is "lost 1 day before", as an officer counts, not "the same day".
    days = max(0, (found.date() - lost_from.date()).days)
    if found <= lost_to + _CLOCK_SLACK:
        return Level.IN_WINDOW, days
    after = found - lost_to
    if after <= _SOON:
        return Level.SOON_AFTER, days
    if after <= _WEEKS:
        return Level.WEEKS_AFTER, days
    return Level.LONG_AFTER, days


def _imei_level(item: MatchFacts, report: MatchFacts, agreed: set[tuple[KeyKind, KeyKind]]) -> Level:
    if (KeyKind.IMEI_FULL, KeyKind.IMEI_FULL) in agreed:
        return Level.EXACT
    if (KeyKind.IMEI_FULL, KeyKind.IMEI_REPAIR) in agreed or (
        KeyKind.IMEI_REPAIR,
        KeyKind.IMEI_FULL,
    ) in agreed:
        return Level.ONE_EDIT
    if any(map(devices.imei_valid, item.imeis)) and any(map(devices.imei_valid, report.imeis)):
        return Level.DIFFERENT  # two good numbers that differ are two phones
    if (KeyKind.IMEI_REPAIR, KeyKind.IMEI_REPAIR) in agreed:
        return Level.PARTIAL  # two misread numbers one number would repair
    return Level.MISSING


def _looks(item: MatchFacts, report: MatchFacts) -> list[Reason]:
    """Brand, model, colour and description: what a thing without identifiers is matched by."""
    a, b = item.described(), report.described()
    reasons = []
    # A side that says nothing skips the comparison. The levels come as plain strings, which find
    # their weights: a StrEnum hashes as its value.
    if a.brand and b.brand:
        brand = syn.brand_agreement(a.brand, b.brand)
        if brand in (Level.EXACT, Level.DIFFERENT):
            reasons.append(Reason(Field.BRAND, brand, WEIGHTS[Field.BRAND][brand]))  # type: ignore[index]
        model = syn.model_agreement(a, b)
        if model in (Level.EXACT, Level.DIFFERENT):
            reasons.append(Reason(Field.MODEL, model, WEIGHTS[Field.MODEL][model]))  # type: ignore[index]
    if a.things and b.things:
        thing = syn.thing_agreement(a, b)
        if thing in (Level.EXACT, Level.DIFFERENT):
            reasons.append(Reason(Field.THING, thing, WEIGHTS[Field.THING][thing]))  # type: ignore[index]
    if a.colours and b.colours:
        colour = syn.colour_agreement(a, b)
        reasons.append(Reason(Field.COLOUR, colour, WEIGHTS[Field.COLOUR][colour]))  # type: ignore[index]
    alike = round(syn.similarity(a.features, b.features), 2)
    if alike >= MIN_SIMILARITY:
        weight = round(DESCRIPTION_BITS * alike, 1)
        reasons.append(Reason(Field.DESCRIPTION, Level.SIMILAR, weight, similarity=alike))
    return reasons


def _category(item: MatchFacts, report: MatchFacts) -> Level:
    if not item.category or not report.category:
        return Level.MISSING
    if item.category == report.category:
        return Level.EXACT
    if item.category in CONTAINERS and report.category in CONTAINERS:
        return Level.COMPATIBLE
    return Level.DIFFERENT


_NAME_RANK = {level: rank for rank, level in enumerate(names.NameLevel)}  # strongest first


def _best_name(item: MatchFacts, report: MatchFacts) -> tuple[names.NameLevel, str]:
    best, best_name = names.NameLevel.MISSING, ""
    for a in item.names:
        for b in report.names:
            level = names.agreement(a, b)
            if _NAME_RANK[level] < _NAME_RANK[best]:
                best, best_name = level, b
    return best, best_name


def score(item: MatchFacts, report: MatchFacts, agreed: set[tuple[KeyKind, KeyKind]]) -> Scored:
    """Score one pair; ``agreed`` holds the (item key kind, report key kind) pairs whose keys met."""
    scored = score_at_least(item, report, agreed, None)
    assert scored is not None
    return scored


# The most that looks, and then time, place and category too, can add to a score: what is left
# to gain once the identifying fields are scored, and once the context is.
_MOST_FROM_LOOKS = (
    sum(max(WEIGHTS[f].values()) for f in (Field.BRAND, Field.MODEL, Field.THING, Field.COLOUR))
    + DESCRIPTION_BITS
)
_MOST_FROM_CONTEXT = (
    sum(max(WEIGHTS[f].values()) for f in (Field.TIME, Field.DISTRICT, Field.CATEGORY)) + _MOST_FROM_LOOKS
)


# The most a pair whose valid IDs differ can score when no number key met (see ``_LIFTING_KEYS``).
_MOST_AGAINST_ANOTHER_ID = (
    WEIGHTS[Field.ID_NUMBER][Level.DIFFERENT]
    + NAME_MOST
    + WEIGHTS[Field.CARD_LAST4][Level.EXACT]
    + _MOST_FROM_CONTEXT
)


def _short_of(reasons: list[Reason], still_to_come: float, floor: float | None) -> bool:
    """Whether the reasons so far, with the most the rest could add, stay under ``floor``.

    Rounded as the score is: rounding never lowers a bound below what it bounds."""
    return floor is not None and round(sum(r.weight for r in reasons) + still_to_come, 1) < floor


def score_at_least(
    item: MatchFacts, report: MatchFacts, agreed: set[tuple[KeyKind, KeyKind]], floor: float | None
) -> Scored | None:
    """``score``, or None once the identifying fields show the pair cannot reach ``floor``.

    Written for speed (a lookup at a million reports scores up to 30 candidates): fields that
    neither side states are skipped before any work, and a reason is a plain named tuple. A
    candidate with a different valid ID (a third of those a lookup meets at a million reports)
    is let go before its time and place are looked at, and one they leave too far under ``floor``
    before its description is read."""
    reasons: list[Reason] = []
    add = reasons.append
    kinds = {k for pair in agreed for k in pair}
    if (KeyKind.PHONE_FULL, KeyKind.PHONE_FULL) in agreed:
        floor = None  # kept for review whatever else differs (``decide``)
    id_level = Level.MISSING
    if item.ids or report.ids or kinds:
        id_level = _id_level(item, report, agreed, kinds)
        if id_level is not Level.MISSING:
            add(Reason(Field.ID_NUMBER, str(id_level), WEIGHTS[Field.ID_NUMBER].get(id_level, 0.0)))
    if item.passports and report.passports:
        level = Level.EXACT if set(item.passports) & set(report.passports) else Level.DIFFERENT
        add(Reason(Field.PASSPORT, str(level), WEIGHTS[Field.PASSPORT][level]))
    if (KeyKind.PHONE_FULL, KeyKind.PHONE_FULL) in agreed:
        add(Reason(Field.PHONE, Level.EXACT.value, WEIGHTS[Field.PHONE][Level.EXACT]))
    elif KeyKind.PHONE_PIECE in kinds:
        add(Reason(Field.PHONE, Level.PARTIAL.value, WEIGHTS[Field.PHONE][Level.PARTIAL]))
    elif item.phones and report.phones:
        add(Reason(Field.PHONE, Level.DIFFERENT.value, WEIGHTS[Field.PHONE][Level.DIFFERENT]))
    if item.names and report.names:
        name_level, name = _best_name(item, report)
        if name_level is not names.NameLevel.MISSING:
            add(Reason(Field.NAME, str(name_level), name_weight(name_level, name)))
    if (KeyKind.CARD_FULL, KeyKind.CARD_FULL) in agreed:
        add(Reason(Field.CARD_NUMBER, Level.EXACT.value, WEIGHTS[Field.CARD_NUMBER][Level.EXACT]))
    elif item.card_last4 and report.card_last4 and set(item.card_last4) & set(report.card_last4):
        add(Reason(Field.CARD_LAST4, Level.EXACT.value, WEIGHTS[Field.CARD_LAST4][Level.EXACT]))
    # Two valid IDs that differ are two people: their banks agreeing would tell nothing more (and
    # ``hopeless_against_valid_id`` counts on that).
    if item.banks and report.banks and id_level is not Level.DIFFERENT:
        level = Level.EXACT if set(item.banks) & set(report.banks) else Level.DIFFERENT
        add(Reason(Field.BANK, str(level), WEIGHTS[Field.BANK][level]))
    if item.imeis or report.imeis:
        imei = _imei_level(item, report, agreed)
        if imei is not Level.MISSING:
            add(Reason(Field.IMEI, str(imei), WEIGHTS[Field.IMEI].get(imei, 0.0)))
    if (KeyKind.SERIAL, KeyKind.SERIAL) in agreed:
        add(Reason(Field.SERIAL, Level.EXACT.value, WEIGHTS[Field.SERIAL][Level.EXACT]))
    elif item.serials and report.serials:
        add(Reason(Field.SERIAL, Level.DIFFERENT.value, WEIGHTS[Field.SERIAL][Level.DIFFERENT]))
    if _short_of(reasons, _MOST_FROM_CONTEXT, floor):
        return None
    time_level, days = _time(item, report)
    if time_level is not Level.MISSING:
        add(Reason(Field.TIME, str(time_level), WEIGHTS[Field.TIME].get(time_level, 0.0), days))
    if item.district and report.district:
        a, b = normalise_district(item.district), normalise_district(report.district)
        if a and b:
            level = Level.EXACT if a == b else Level.DIFFERENT
            add(Reason(Field.DISTRICT, str(level), WEIGHTS[Field.DISTRICT][level]))
    category = _category(item, report)
    if category is not Level.MISSING:
        add(Reason(Field.CATEGORY, str(category), WEIGHTS[Field.CATEGORY].get(category, 0.0)))
    # Reading a description is the dearest part of a score: a pair the looks cannot lift is let go first.
    if _short_of(reasons, _MOST_FROM_LOOKS, floor):
        return None
    reasons.extend(_looks(item, report))
    kept = tuple(sorted((r for r in reasons if r.weight != 0), key=_heaviest_first))
    return Scored(round(sum(r.weight for r in kept), 1), kept)


def holds_valid_id(facts: MatchFacts) -> bool:
    return any(fact.valid for fact in facts.ids)


def _may_be_one_person(a: IdFact, b: IdFact) -> bool:
    """Whether two ID documents may name one person: a name missing on either says nothing."""
    return (
        not a.holder or not b.holder or names.agreement(a.holder, b.holder) is not names.NameLevel.DIFFERENT
    )


def valid_id_names_everyone(facts: MatchFacts) -> bool:
    """Whether the record holds a valid ID and every name it gives is on one of its valid IDs.

    Then any candidate met through a name is met through an ID holder's: were the candidate's own
    number valid and different, it would count against (−25), so a lookup may leave it unread
    (``hopeless_against_valid_id``). A name from a bank card beside someone else's ID card may be
    the owner's: that record's candidates are all read."""
    holders = {fact.holder for fact in facts.ids if fact.valid}
    return bool(holders) and all(name in holders for name in facts.names)


def hopeless_against_valid_id(pairs: set[tuple[KeyKind, KeyKind]], floor: float) -> bool:
    """Whether a pair met only through ``pairs`` cannot reach ``floor`` when both records hold a valid ID.

    Without a number key in common the IDs differ (−25), and only a name, a card's last 4 (compared
    without a key) and the context can add to the score: a passport, phone, IMEI or serial agrees
    only through its key, and an ID's pieces and masks count for nothing once two valid IDs differ.
    A lookup lets such a candidate go without reading it (``services.matching``)."""
    if any(kind in _LIFTING_KEYS for pair in pairs for kind in pair):
        return False
    return round(_MOST_AGAINST_ANOTHER_ID, 1) < floor


def _heaviest_first(reason: Reason) -> float:
    return -abs(reason.weight)


@dataclass(frozen=True)
class Decided:
    other: int  # the record on the other side
    scored: Scored
    decision: str  # "auto" or "review"


def decide(candidates: Iterable[tuple[int, Scored]], limit: int = 10) -> list[Decided]:
    """Best first; ``auto`` only for the top one, above AUTO_SCORE and AUTO_MARGIN over the next.

    Of equal scores the latest record goes first (as in ``rarest_shared``): the same data always gives
    the same list, whatever order the index reads found the candidates in."""
    # The same phone number is kept for an officer to judge even when the rest counts against it:
    # an owner who mistyped their ID by two digits (the check passes one time in eleven) otherwise
    # stays invisible behind "another valid ID". It can never be ``auto``.
    ranked = sorted(
        ((other, s) for other, s in candidates if s.score >= REVIEW_SCORE or s.same_phone),
        key=lambda pair: (-pair[1].score, -pair[0]),
    )[:limit]
    decided = [Decided(other, s, "review") for other, s in ranked]
    if decided:
        top = decided[0]
        # A runner-up kept below the review score only for its phone leaves the margin as none would.
        runner_up = max(decided[1].scored.score, REVIEW_SCORE) if len(decided) > 1 else REVIEW_SCORE
        strong = may_be_auto(top.scored.score, [r.as_dict() for r in top.scored.reasons])
        if strong and top.scored.score - runner_up >= AUTO_MARGIN:
            decided[0] = Decided(top.other, top.scored, "auto")
    return decided


def keys_meeting(
    ours: Sequence[tuple[int, KeyKind]], theirs: Iterable[tuple[int, KeyKind, int]]
) -> dict[int, set[tuple[KeyKind, KeyKind]]]:
    """Group lookup rows (key, their kind, their record) into agreed kind pairs per candidate."""
    our_kinds: dict[int, set[KeyKind]] = {}
    for key, kind in ours:
        our_kinds.setdefault(key, set()).add(kind)
    agreed: dict[int, set[tuple[KeyKind, KeyKind]]] = {}
    for key, kind, record in theirs:
        for mine in our_kinds.get(key, ()):
            agreed.setdefault(record, set()).add((mine, _KIND_OF[kind]))
    return agreed


# The stored kind as its enum member: a dict lookup, where calling KeyKind() costs several times
# more (a lookup at a million reports reads some hundred key rows).
_KIND_OF = {int(kind): kind for kind in KeyKind}


# Keys that only a record of the same person (or card) is likely to share; names and places are not.
NUMBER_KEYS = frozenset(
    {
        KeyKind.ID_FULL,
        KeyKind.ID_REPAIR,
        KeyKind.ID_PIECE,
        KeyKind.ID_MASK,
        KeyKind.PASSPORT,
        KeyKind.PHONE_FULL,
        KeyKind.PHONE_PIECE,
        KeyKind.NAME_CARD,
        KeyKind.CARD_DISTRICT,
        KeyKind.CARD_WEEK,
        KeyKind.IMEI_FULL,
        KeyKind.IMEI_REPAIR,
        KeyKind.SERIAL,
        KeyKind.CARD_FULL,
    }
)
# Keys that can lift a pair whose valid IDs differ: every number key but the ID's pieces and masks.
_LIFTING_KEYS = NUMBER_KEYS - {KeyKind.ID_PIECE, KeyKind.ID_MASK}
MAX_CANDIDATES = 30
# Keys of what a thing looks like: they never identify anyone.
LOOK_KEYS = frozenset({KeyKind.DESC_WEEK, KeyKind.DESC_DISTRICT, KeyKind.DESC_BRAND})


def strongest(
    agreed: dict[int, set[tuple[KeyKind, KeyKind]]], limit: int = MAX_CANDIDATES
) -> dict[int, set[tuple[KeyKind, KeyKind]]]:
    """The candidates worth scoring: at a million reports a common name in a busy week finds
    dozens of namesakes, and only the best ``decide`` limit are kept. Candidates sharing a number
    come first, then those with more kinds of keys in common."""
    if len(agreed) <= limit:
        return agreed

    def evidence(record: int) -> tuple[bool, int, int]:
        pairs = agreed[record]
        return (any(mine in NUMBER_KEYS for mine, _ in pairs), len(pairs), -record)

    return {record: agreed[record] for record in sorted(agreed, key=evidence, reverse=True)[:limit]}


def rarest_shared(
    ours: Sequence[tuple[int, KeyKind]],
    postings: dict[int, list[tuple[int, int]]],
    limit: int = MAX_CANDIDATES,
) -> dict[int, set[tuple[KeyKind, KeyKind]]]:
    """The candidates worth scoring for a record known only by its looks, with the kinds of keys
    that met: those sharing its rarest keys (a key shared by n records counts 1/n: a brand in a week
    before a colour in a district), the latest records first among equals. ``postings``: key ->
    [(their kind, their record)], every row read of each of our keys.

    At a million reports such a record meets a thousand others: they are ranked by their plain
    sums, and only the ``limit`` best get their kinds of keys grouped."""
    keys = {key for key, _ in ours}
    shared: dict[int, float] = {}
    for key in keys:
        rows = postings.get(key, ())
        for _, record in rows:
            shared[record] = shared.get(record, 0.0) + 1 / len(rows)
    best = heapq.nlargest(limit, shared, key=lambda record: (shared[record], record))
    chosen = set(best)
    agreed = keys_meeting(
        ours,
        ((key, kind, record) for key in keys for kind, record in postings.get(key, ()) if record in chosen),
    )
    return {record: agreed[record] for record in best}


# --- reasons in plain words ------------------------------------------------------------------

REASON_LABELS: dict[tuple[str, str], str] = {
    ("id_number", "exact"): N_("ID number the same"),
    ("id_number", "one_edit"): N_("ID number one digit apart"),
    ("id_number", "partial"): N_("ID number partly the same"),
    ("id_number", "masked"): N_("Visible digits of the ID number the same"),
    ("id_number", "different"): N_("Different ID numbers"),
    ("passport", "exact"): N_("Passport or permit number the same"),
    ("passport", "different"): N_("Different passport or permit numbers"),
    ("phone", "exact"): N_("Phone number the same"),
    ("phone", "partial"): N_("Phone number nearly the same"),
    ("phone", "different"): N_("Different phone numbers"),
    ("name", "exact"): N_("Name the same"),
    ("name", "homophone"): N_("Names sound the same"),
    ("name", "partial"): N_("Names nearly the same"),
    ("name", "spelled"): N_("Name spelled as in Hong Kong or Taiwan"),
    ("name", "different"): N_("Different names"),
    ("card_last4", "exact"): N_("Bank card ends in the same four digits"),
    ("card_number", "exact"): N_("Bank card number the same"),
    ("bank", "exact"): N_("Card issued by the same bank"),
    ("bank", "different"): N_("Cards issued by different banks"),
    ("time", "in_window"): N_("Found within the time of the loss"),
    ("time", "soon_after"): N_("Found soon after the loss"),
    ("time", "weeks_after"): N_("Found weeks after the loss"),
    ("time", "long_after"): N_("Found long after the loss (%(days)d days)"),
    ("time", "before_loss"): N_("Found before it was lost"),
    ("district", "exact"): N_("Same district"),
    ("district", "different"): N_("Different districts"),
    ("category", "exact"): N_("Same kind of item"),
    ("category", "different"): N_("Different kind of item"),
    ("imei", "exact"): N_("IMEI the same"),
    ("imei", "one_edit"): N_("IMEI one digit apart"),
    ("imei", "partial"): N_("IMEI nearly the same"),
    ("imei", "different"): N_("Different IMEIs"),
    ("serial", "exact"): N_("Serial number the same"),
    ("serial", "different"): N_("Different serial numbers"),
    ("brand", "exact"): N_("Same brand"),
    ("brand", "different"): N_("Different brands"),
    ("model", "exact"): N_("Same model"),
    ("model", "different"): N_("Different models"),
    ("thing", "exact"): N_("Described as the same thing"),
    ("thing", "different"): N_("Described as different things"),
    ("colour", "exact"): N_("Same colour"),
    ("colour", "similar"): N_("Similar colour"),
    ("colour", "different"): N_("Different colours"),
    ("description", "similar"): N_("Descriptions alike (%(percent)d%%)"),
}

DECISION_LABELS: dict[str, str] = {
    "auto": N_("Strong match"),
    "review": N_("To check"),
    "confirmed": N_("Confirmed"),
    "rejected": N_("Rejected"),
}
