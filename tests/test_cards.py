"""The synthetic document photos of bench/cards.py: same seed, same picture; truths that hold."""

from __future__ import annotations

import random
from datetime import date

import pytest
from PIL import Image, ImageChops

from bench import cards
from lostfound.domain.identifiers import birth_date_of, id_check_ok, luhn_valid, sex_of
from lostfound.fonts import find_cjk_font

pytestmark = pytest.mark.skipif(
    find_cjk_font() is None, reason="no CJK font (apt-get install fonts-noto-cjk)"
)


def _same(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and a.mode == b.mode and ImageChops.difference(a, b).getbbox() is None


@pytest.mark.parametrize("kind", cards.DOCUMENT_KINDS)
@pytest.mark.parametrize("damage", cards.DAMAGE_KINDS)
def test_same_seed_same_picture(kind: str, damage: str) -> None:
    first, truth = cards.sample(kind, damage, 7)
    again, truth_again = cards.sample(kind, damage, 7)
    assert truth == truth_again
    assert _same(first, again)
    assert first.mode == "RGB"


def test_other_seed_other_picture() -> None:
    one, truth_one = cards.sample("id_card", "none", 1)
    two, truth_two = cards.sample("id_card", "none", 2)
    assert truth_one != truth_two
    assert not _same(one, two)


def test_id_card_truth_holds() -> None:
    rng = random.Random(3)
    for _ in range(50):
        person = cards.make_person(rng)
        image, truth = cards.id_card(person, rng)
        assert image.size == cards.ID_SIZE == (856, 540)
        number = truth["id_number"]
        assert id_check_ok(number), number
        assert birth_date_of(number) == date.fromisoformat(truth["birth_date"])
        assert sex_of(number) == truth["sex"]
        assert truth["holder_name"] == person.name and 2 <= len(person.name) <= 4


def test_bank_card_and_slip_truth_holds() -> None:
    rng = random.Random(4)
    for _ in range(12):
        person = cards.make_person(rng)
        card = cards.make_bank_card(rng, person)
        image, truth = cards.bank_card(card, rng)
        assert image.size == cards.CARD_SIZE
        assert luhn_valid(truth["card_number"]) and len(truth["card_number"]) in (16, 19)
        assert truth["card_last4"] == truth["card_number"][-4:]
        assert truth["bank"].endswith("银行")
        slip_image, slip_truth = cards.deposit_slip(cards.make_slip(rng, person), rng)
        assert slip_image.size == cards.SLIP_SIZE
        assert slip_truth["holder_name"] == person.name
        assert slip_truth["amount"].endswith(".00") and int(slip_truth["amount"][:-3]) > 0


@pytest.mark.parametrize(
    ("yuan", "words"),
    [
        (100_000, "壹拾万元整"),
        (20_500, "贰万零伍佰元整"),
        (100_500, "壹拾万零伍佰元整"),
        (1_400, "壹仟肆佰元整"),
        (200_000, "贰拾万元整"),
        (1_000_010, "壹佰万零壹拾元整"),
    ],
)
def test_amount_in_words(yuan: int, words: str) -> None:
    assert cards.amount_in_words(yuan) == words


def test_damage_changes_the_picture_and_refuses_unknown_kinds() -> None:
    image, _ = cards.document("id_card", random.Random(5))
    clean = cards.damage(image, "none", random.Random(6))
    for kind in cards.DAMAGE_KINDS[1:]:
        assert not _same(cards.damage(image, kind, random.Random(6)), clean), kind
    with pytest.raises(ValueError):
        cards.damage(image, "fog", random.Random(6))
