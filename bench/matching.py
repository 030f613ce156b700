"""How well and how fast found items find their owners, on the synthetic city of ``bench/synthetic.py``.

Two seeds: the auto-suggest threshold and margin are chosen on the tuning seed (the lowest pair
with no wrong owner auto-suggested there), and every figure is reported on the other seed with
the pair chosen. Each run imports the generated reports and items into a fresh instance through
``lostfound import``'s code path (so matching runs exactly as in production), then reads the
stored suggestions.

Printed per seed: import rate, recall@1/5/10 of the true owner among items whose owner reported
(and among those that carry an identifier of their owner), auto-suggest precision and recall,
wrong-owner auto-suggestions, recall at precision >= 0.999, and the latency of one candidate
lookup (keys, index reads, scoring) for every found item, p50/p95/p99. These figures are of the
wallets' city alone; ``--goods N`` (default 400) adds bags, keys, umbrellas, clothing and phones
(``bench/synthetic_goods.py``) whose recall@1/5/10 is printed apart, by case and for the phones
found by IMEI. Wrong-owner auto-suggestions count every item, goods included.

    .venv/bin/python -m bench.matching                      # SQLite, 2,000 items, 20,000 reports
    .venv/bin/python -m bench.matching --reports 1000000    # the 1M-report latency figure (slow import)
    .venv/bin/python -m bench.matching --postgres postgres://postgres@127.0.0.1:5432/test

``--postgres ADMIN_DSN`` creates and drops a scratch database per seed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from bench.postgres import admin

T = TypeVar("T")

AUTO_SCORES = [float(s) for s in range(8, 41)]
AUTO_MARGINS = [float(s) for s in range(0, 21)]


@dataclass
class Suggestion:
    report_ref: str  # external_ref of the report (ground-truth space)
    score: float
    auto_eligible: bool  # the pair part of the service's rule (lostfound.domain.matching.auto_eligible)
    reasons: str = ""


def _prepare_environment(data_dir: Path, database_url: str | None) -> None:
    """Settings are read once per process: every seed runs in its own child process."""
    os.environ["LOSTFOUND_DATA_DIR"] = str(data_dir)
    os.environ["PICCOLO_CONF"] = "piccolo_conf"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)


def _widen_windows(reports: list[dict[str, Any]], share: float, seed: int) -> None:
    """Give ``share`` of the reports a window of loss 2 to 8 weeks longer, reaching back from its end:
    an owner unsure since when a document was gone (the generator's windows last hours)."""
    import random
    from datetime import datetime, timedelta

    rng = random.Random(f"windows-{seed}")
    for report in reports:
        if rng.random() < share:
            start = datetime.fromisoformat(report["lost_from"]) - timedelta(weeks=rng.randint(2, 8))
            report["lost_from"] = start.isoformat()


async def _run_seed(
    seed: int, n_items: int, n_reports: int, lookups: int, goods: int = 0, long_windows: float = 0.0
) -> dict[str, Any]:
    from bench.synthetic import generate
    from lostfound.cli import parse_lost_report
    from lostfound.database import close_pool, migrate, open_pool
    from lostfound.services import bulk_import, stations
    from lostfound.services.context import Actor
    from lostfound.settings import get_settings

    started = time.perf_counter()
    data = generate(seed, n_items, n_reports, goods=goods)
    if long_windows:
        _widen_windows(data.reports, long_windows, seed)
    generated = time.perf_counter() - started
    await migrate()
    await open_pool(get_settings())
    try:
        for code in sorted({item["station"] for item in data.items}):
            await stations.create_station(
                Actor.system("bench"),
                stations.StationInput(code=code, name_zh=f"{code}派出所", name_en=f"{code} Police Station"),
            )
        # JSON lines, as `lostfound import` reads them from a file.
        reports = [(i, json.dumps(r, ensure_ascii=False)) for i, r in enumerate(data.reports, 1)]
        items = [(i, json.dumps(r, ensure_ascii=False)) for i, r in enumerate(data.items, 1)]
        # As many worker processes as `lostfound import` starts for files of these sizes.
        started = time.perf_counter()
        filed = await bulk_import.import_lost_reports(
            reports, workers=bulk_import.workers_for(len(reports)), parse=parse_lost_report
        )
        report_seconds = time.perf_counter() - started
        item_seconds, items_bad = _in_process(_items_imported, items)
        if filed.bad or items_bad:
            print(f"  import refused {len(filed.bad)} reports and {len(items_bad)} items: {filed.bad[:3]}")
        by_item, item_rows = await _suggestions()
        from_reports = await _report_side(data.truth)
        return {
            "seed": seed,
            "generated": generated,
            "reports_per_s": len(reports) / report_seconds,
            "items_per_s": len(items) / item_seconds,
            "truth": data.truth,
            "suggestions": by_item,
            "from_reports": from_reports,
            "lookup_items": [row["id"] for row in item_rows][:lookups],
            "engine": "PostgreSQL" if get_settings().uses_postgres else "SQLite",
        }
    finally:
        await close_pool()


async def _suggestions() -> tuple[dict[str, list[Suggestion]], list[dict[str, Any]]]:
    """The stored suggestions of every found item, best first, in ground-truth references."""
    from lostfound.domain.matching import auto_eligible
    from lostfound.tables import FoundItem, LostReport, Match

    report_ext = {
        row["id"]: row["external_ref"]
        for row in await LostReport.select(LostReport.id, LostReport.external_ref)
    }
    item_rows = await FoundItem.select(FoundItem.id, FoundItem.external_ref)
    by_item: dict[str, list[Suggestion]] = {row["external_ref"]: [] for row in item_rows}
    item_ext = {row["id"]: row["external_ref"] for row in item_rows}
    # Best first, and equal scores the latest report first, as the service lists them (``matches_of``):
    # in the order the database happens to return them, the engines broke ties differently.
    query = Match.select(Match.item, Match.report, Match.score, Match.reasons).order_by(
        Match.report, ascending=False
    )
    for row in await query:
        reasons = row["reasons"] if isinstance(row["reasons"], list) else json.loads(row["reasons"])
        eligible = auto_eligible(reasons)
        by_item[item_ext[row["item"]]].append(
            Suggestion(
                report_ext[row["report"]],
                row["score"],
                eligible,
                " ".join(f"{r['field']}:{r['level']}" for r in reasons),
            )
        )
    for found in by_item.values():
        found.sort(key=lambda s: -s.score)  # stable: ties stay latest first

    return by_item, item_rows


async def _report_side(truth: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The found items of every owned report, best first, as the report's own lookup finds them: what
    an owner who reports after the find is shown (the import stored the items' lookups instead)."""
    from lostfound.services import fast_reads, matching
    from lostfound.tables import FoundItem, LostReport

    owned = sorted({t["report"] for t in truth if t["report"]})
    report_ids = {
        row["external_ref"]: row["id"]
        for row in await LostReport.select(LostReport.id, LostReport.external_ref).where(
            LostReport.external_ref.is_in(owned)
        )
    }
    item_ext = {
        row["id"]: row["external_ref"] for row in await FoundItem.select(FoundItem.id, FoundItem.external_ref)
    }
    found: dict[str, list[str]] = {}
    for ref, report_id in report_ids.items():
        async with fast_reads.one_connection():
            facts = (await matching.load_facts("report", [report_id]))[report_id]
            decided = await matching.candidates("report", facts, matching.hashed_keys(facts, "report"))
        found[ref] = [item_ext[d.other] for d in decided]
    return found


def _items_imported(lines: list[tuple[int, str]], queue: Any) -> None:
    """The found items imported in a process of their own, as ``lostfound import found-items`` runs
    them: the process that has just imported a million reports does its part of the lookups in the
    memory of a million records (see ``_timed_lookups``). Its settings come from the parent's
    environment; puts (seconds, bad lines)."""
    queue.put(asyncio.run(_import_items(lines)))


async def _import_items(lines: list[tuple[int, str]]) -> tuple[float, list[tuple[int, str]]]:
    from lostfound.cli import parse_found_item
    from lostfound.services import bulk_import

    async def timed() -> tuple[float, list[tuple[int, str]]]:
        started = time.perf_counter()
        logged = await bulk_import.import_found_items(
            lines, workers=bulk_import.workers_for(len(lines), "item"), parse=parse_found_item
        )
        return time.perf_counter() - started, logged.bad

    return await _with_service_pool(timed)


def _timed_lookups(item_ids: list[int], queue: Any) -> None:
    """Lookups timed in a process of their own, as the service answers them: not in the process of
    the import (``lostfound import`` runs apart from the server), whose million records' worth of
    memory made them a third slower at p95. Its settings come from the parent's environment."""
    queue.put(asyncio.run(_lookups_in_service(item_ids)))


async def _lookups_in_service(item_ids: list[int]) -> list[float]:
    return await _with_service_pool(lambda: _lookup_latencies(item_ids))


async def _with_service_pool(work: Callable[[], Awaitable[T]]) -> T:
    """``work()`` in a process of the bench's own, with the service's pool open around it."""
    from lostfound.database import close_pool, open_pool
    from lostfound.settings import get_settings

    await open_pool(get_settings())
    try:
        return await work()
    finally:
        await close_pool()


async def _lookup_latencies(item_ids: list[int]) -> list[float]:
    """One candidate lookup per item as the service runs it after a save: facts, keys, reads, scores."""
    from lostfound.services import fast_reads, matching

    timings = []
    for item_id in item_ids:
        started = time.perf_counter()
        async with fast_reads.one_connection():  # as refresh_many reads
            facts = (await matching.load_facts("item", [item_id]))[item_id]
            await matching.candidates("item", facts, matching.hashed_keys(facts, "item"))
        timings.append((time.perf_counter() - started) * 1000)
    return timings


# --- evaluation ------------------------------------------------------------------------------


def _auto(found: list[Suggestion], threshold: float, margin: float) -> Suggestion | None:
    """The decision rule of ``lostfound.domain.matching.decide``, replayed offline for tuning."""
    if not found or not found[0].auto_eligible or found[0].score < threshold:
        return None
    runner_up = found[1].score if len(found) > 1 else 8.0
    return found[0] if found[0].score - runner_up >= margin else None


def _autos(result: dict[str, Any], threshold: float, margin: float) -> tuple[int, int, int]:
    """(auto-suggestions, right ones, wrong ones)."""
    right = wrong = 0
    truth = {t["item"]: t["report"] for t in result["truth"]}
    for item, found in result["suggestions"].items():
        chosen = _auto(found, threshold, margin)
        if chosen is not None:
            if chosen.report_ref == truth[item]:
                right += 1
            else:
                wrong += 1
    return right + wrong, right, wrong


def _autos_recall(result: dict[str, Any], threshold: float, margin: float) -> float:
    """Auto recall as ``report`` prints it: right owners among the city's items whose owner reported."""
    city = [t for t in result["truth"] if t.get("set") != "goods"]
    owned = [t for t in city if t["report"]]
    right = sum(
        1
        for t in owned
        if (chosen := _auto(result["suggestions"][t["item"]], threshold, margin)) is not None
        and chosen.report_ref == t["report"]
    )
    return right / len(owned) if owned else float("nan")


def choose_thresholds(result: dict[str, Any]) -> tuple[float, float]:
    """No wrong auto-suggestion, then the most right ones, then the most cautious pair among equals."""
    best: tuple[int, float, float] | None = None
    for threshold in AUTO_SCORES:
        for margin in AUTO_MARGINS:
            _, right, wrong = _autos(result, threshold, margin)
            if wrong == 0 and (best is None or (right, threshold, margin) >= best):
                best = (right, threshold, margin)
    return (best[1], best[2]) if best else (max(AUTO_SCORES), max(AUTO_MARGINS))


def _auto_unidentified(found: list[Suggestion], threshold: float, margin: float) -> Suggestion | None:
    """The top suggestion when it shares no identifier (the service never makes those ``auto``) but
    stands ``margin`` above its rivals at ``threshold`` or more, with no other valid ID or IMEI against it."""
    if not found or found[0].auto_eligible or found[0].score < threshold:
        return None
    if "id_number:different" in found[0].reasons or "imei:different" in found[0].reasons:
        return None
    runner_up = found[1].score if len(found) > 1 else 8.0
    return found[0] if found[0].score - runner_up >= margin else None


def choose_unidentified_pair(result: dict[str, Any]) -> tuple[float, float] | None:
    """What the service's rule leaves out, tried on the tuning seed: the pair (score, margin) that would
    make the most right owners ``auto`` on a name, a place, a time and looks alone with none wrong there."""
    truth = {t["item"]: t["report"] for t in result["truth"]}
    best: tuple[int, float, float] | None = None
    for threshold in [s / 2 for s in range(2 * 12, 2 * 40 + 1)]:
        for margin in [s / 2 for s in range(0, 2 * 20 + 1)]:
            right = wrong = 0
            for item, found in result["suggestions"].items():
                if (chosen := _auto_unidentified(found, threshold, margin)) is not None:
                    right += chosen.report_ref == truth[item]
                    wrong += chosen.report_ref != truth[item]
            if wrong == 0 and right and (best is None or (right, threshold, margin) > best):
                best = (right, threshold, margin)
    return (best[1], best[2]) if best else None


def report_unidentified(result: dict[str, Any], pair: tuple[float, float] | None, auto_recall: float) -> None:
    """Why ``auto`` needs an identifier: what the pair chosen on the tuning seed does on this one."""
    if pair is None:
        print("  without an identifier: no pair gives a right owner and no wrong one on the tuning seed")
        return
    truth = {t["item"]: t for t in result["truth"]}
    owned = sum(1 for t in result["truth"] if t.get("set") != "goods" and t["report"])
    right = wrong = 0
    for item, found in result["suggestions"].items():
        if (chosen := _auto_unidentified(found, *pair)) is not None:
            right += chosen.report_ref == truth[item]["report"]
            wrong += chosen.report_ref != truth[item]["report"]
    print(
        f"  were pairs without an identifier auto at score >= {pair[0]:g}, margin >= {pair[1]:g} (the "
        f"most right owners with none wrong on the tuning seed): auto recall {auto_recall:.3f} -> "
        f"{auto_recall + right / owned:.3f}, {wrong} wrong owner(s) more"
    )


def recall_at_k(result: dict[str, Any], group: list[dict], k: int) -> float:
    """Share of ``group`` (truth rows) whose true report is among the item's first ``k`` suggestions."""
    hits = sum(
        1 for t in group if t["report"] in [s.report_ref for s in result["suggestions"][t["item"]][:k]]
    )
    return hits / len(group) if group else float("nan")


def report_side_recall(result: dict[str, Any], group: list[dict], k: int) -> float:
    """Share of ``group`` (truth rows) among the first ``k`` found items of its report's own lookup."""
    found = result.get("from_reports") or {}
    hits = sum(1 for t in group if t["item"] in found.get(t["report"], [])[:k])
    return hits / len(group) if group else float("nan")


def print_recall_by_case(result: dict[str, Any], owned: list[dict], label: str, k: int = 10) -> None:
    """One line: recall@k of each case of the synthetic city among ``owned``."""
    by_case: dict[str, list[dict]] = {}
    for t in owned:
        by_case.setdefault(t["case"], []).append(t)
    print(
        f"  {label}: "
        + ", ".join(f"{case} {recall_at_k(result, group, k):.2f}" for case, group in sorted(by_case.items()))
    )


def recall_at_precision(
    result: dict[str, Any], items: set[str], owned: int, precision: float = 0.999
) -> float:
    """Top-1 suggestions of ``items`` ranked by score: the recall of the longest prefix that holds ``precision``."""
    truth = {t["item"]: t["report"] for t in result["truth"]}
    tops = sorted(
        (
            (found[0].score, found[0].report_ref == truth[item])
            for item, found in result["suggestions"].items()
            if found and item in items
        ),
        reverse=True,
    )
    best, hits = 0.0, 0
    for rank, (_, ok) in enumerate(tops, 1):
        hits += ok
        if hits / rank >= precision:
            best = hits / owned
    return best


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def report(result: dict[str, Any], threshold: float, margin: float) -> None:
    truth = {t["item"]: t for t in result["truth"]}
    goods = [t for t in result["truth"] if t.get("set") == "goods"]
    city = [t for t in result["truth"] if t.get("set") != "goods"]
    owned = [t for t in city if t["report"]]
    carrying = [t for t in owned if t["carries_identifier"]]

    city_items = {t["item"] for t in city}
    autos, right, _ = _autos(
        {
            **result,
            "suggestions": {
                item: found for item, found in result["suggestions"].items() if item in city_items
            },
        },
        threshold,
        margin,
    )
    _, _, wrong = _autos(result, threshold, margin)  # wrong owners among all items, goods included
    from lostfound.domain.matching import AUTO_MARGIN, AUTO_SCORE

    _, _, wrong_service = _autos(result, AUTO_SCORE, AUTO_MARGIN)
    best_recall = recall_at_precision(result, city_items, len(owned))
    lat = result["latencies"]
    print(f"  seed {result['seed']} on {result['engine']}: {len(city)} items, {len(owned)} with a report")
    print(f"  import: {result['reports_per_s']:,.0f} reports/s, {result['items_per_s']:,.0f} items/s")
    at_k = " / ".join(f"{recall_at_k(result, owned, k):.3f}" for k in (1, 5, 10))
    print(f"  recall@1/5/10 (owner reported):     {at_k}")
    at_k = " / ".join(f"{recall_at_k(result, carrying, k):.3f}" for k in (1, 5, 10))
    print(f"  recall@1/5/10 (carries identifier): {at_k}")
    if result.get("from_reports"):
        at_k = " / ".join(f"{report_side_recall(result, owned, k):.3f}" for k in (1, 5, 10))
        print(f"  recall@1/5/10 from the report's side (reported after the find): {at_k}")
    print(f"  share of owned items carrying an identifier: {len(carrying) / len(owned):.3f}")
    print(
        f"  auto (score >= {threshold:.0f}, margin >= {margin:.0f}): {autos} suggested, precision "
        f"{(right / autos if autos else float('nan')):.4f}, recall {right / len(owned):.3f}, "
        f"wrong owners {wrong} (all items)"
    )
    print(
        f"  wrong owners with the service's own pair (score >= {AUTO_SCORE:.0f}, margin >= {AUTO_MARGIN:.0f}): "
        f"{wrong_service} (all items)"
    )
    carried = {t["item"] for t in carrying}
    right_carrying = sum(
        1
        for item, found in result["suggestions"].items()
        if item in carried
        and (chosen := _auto(found, threshold, margin))
        and chosen.report_ref == truth[item]["report"]
    )
    print(f"  auto recall among items carrying an identifier: {right_carrying / len(carrying):.3f}")
    # How far auto recall could go if evidence that never makes a pair auto did: the owners
    # ranked first that share no identifier, and of those, the ones whose cash or bank agrees.
    first_unidentified = [
        t
        for t in owned
        if not t["carries_identifier"]
        and (found := result["suggestions"].get(t["item"]))
        and found[0].report_ref == t["report"]
        and _auto(found, threshold, margin) is None
    ]
    agreeing = sum(1 for t in first_unidentified if t.get("contents_agree"))
    print(
        f"  owner ranked first, no identifier shared: {len(first_unidentified)}; cash or a bank agreeing "
        f"too: {agreeing} (were those auto, auto recall {(right + agreeing) / len(owned):.3f})"
    )
    print(f"  recall at precision >= 0.999: {best_recall:.3f}")
    print(
        f"  lookup latency over {len(lat)} items: p50 {_percentile(lat, 0.5):.2f} ms, "
        f"p95 {_percentile(lat, 0.95):.2f} ms, p99 {_percentile(lat, 0.99):.2f} ms"
    )
    print_recall_by_case(result, owned, "recall@1 by case", k=1)
    if goods:
        _report_goods(result, goods, threshold, margin)
    for item, found in result["suggestions"].items():
        chosen = _auto(found, threshold, margin)
        if chosen is not None and chosen.report_ref != truth[item]["report"]:
            rivals = [round(s.score, 1) for s in found[1:3]]
            print(
                f"  wrong owner for {item} ({truth[item]['case']}): {chosen.report_ref} {chosen.score:.1f} "
                f"over {rivals}, true report {truth[item]['report']}; {chosen.reasons}"
            )


def _report_goods(result: dict[str, Any], goods: list[dict], threshold: float, margin: float) -> None:
    """Bags, keys, umbrellas, clothing and phones: found by looks for review, by IMEI automatically."""
    owned = [t for t in goods if t["report"]]
    by_imei = [t for t in owned if t["carries_identifier"]]
    at_k = " / ".join(f"{recall_at_k(result, owned, k):.3f}" for k in (1, 5, 10))
    print(f"  goods: {len(goods)} items, {len(owned)} with a report; recall@1/5/10: {at_k}")
    if result.get("from_reports"):
        at_k = " / ".join(f"{report_side_recall(result, owned, k):.3f}" for k in (1, 5, 10))
        print(f"  goods recall@1/5/10 from the report's side (reported after the find): {at_k}")
    at_k = " / ".join(f"{recall_at_k(result, by_imei, k):.3f}" for k in (1, 5, 10))
    print(f"  phones whose report states the IMEI ({len(by_imei)}): recall@1/5/10 {at_k}")
    print_recall_by_case(result, owned, "goods recall@10 by case")
    right = wrong = 0
    for t in goods:
        chosen = _auto(result["suggestions"][t["item"]], threshold, margin)
        if chosen is not None:
            right += chosen.report_ref == t["report"]
            wrong += chosen.report_ref != t["report"]
    looks = [t for t in owned if t["case"] not in ("phone_imei", "phone_imei_typo")]
    looks_auto = sum(
        1 for t in looks if _auto(result["suggestions"][t["item"]], threshold, margin) is not None
    )
    print(
        f"  goods auto: {right} right, {wrong} wrong; auto among things matched by looks alone: {looks_auto}"
    )


def _child(seed: int, args: argparse.Namespace, queue: Any) -> None:
    if args.reuse or args.keep:
        _kept(seed, args, queue)
        return
    data_dir = Path(tempfile.mkdtemp(prefix=f"lf-bench-{seed}-"))
    database_url = None
    if args.postgres:
        name = f"lostfound_bench_{uuid.uuid4().hex[:8]}"
        asyncio.run(admin(args.postgres, f"CREATE DATABASE {name}"))
        database_url = args.postgres.rsplit("/", 1)[0] + f"/{name}"
    _prepare_environment(data_dir, database_url)
    try:
        result = asyncio.run(
            _run_seed(seed, args.items, args.reports, args.lookups, args.goods, args.long_windows)
        )
        result["latencies"] = _in_process(_timed_lookups, result.pop("lookup_items"))
        queue.put(result)
    finally:
        if args.postgres:
            asyncio.run(admin(args.postgres, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        import shutil

        shutil.rmtree(data_dir, ignore_errors=True)


def _kept(seed: int, args: argparse.Namespace, queue: Any) -> None:
    """SQLite only: ``--keep DIR`` leaves the instance in DIR; ``--reuse DIR`` reads it again, with no import."""
    data_dir = Path(args.reuse or args.keep) / f"seed-{seed}"
    _prepare_environment(data_dir, None)
    saved = data_dir / "result.json"
    if args.reuse:
        result = json.loads(saved.read_text())
        result["suggestions"], result["latencies"], result["from_reports"] = asyncio.run(
            _reuse(args.lookups, result["truth"])
        )
        queue.put(result)
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    result = asyncio.run(
        _run_seed(seed, args.items, args.reports, args.lookups, args.goods, args.long_windows)
    )
    result["latencies"] = _in_process(_timed_lookups, result.pop("lookup_items"))
    saved.write_text(
        json.dumps(
            {
                **result,
                "suggestions": {
                    item: [[s.report_ref, s.score, s.auto_eligible, s.reasons] for s in found]
                    for item, found in result["suggestions"].items()
                },
            }
        )
    )
    queue.put(result)


async def _reuse(
    lookups: int, truth: list[dict[str, Any]]
) -> tuple[dict[str, list[Suggestion]], list[float], dict[str, list[str]]]:
    """Match the kept items again with the current code; their suggestions, lookup latencies and the
    owned reports' own lookups."""
    from lostfound.database import close_pool, open_pool
    from lostfound.services import matching
    from lostfound.settings import get_settings
    from lostfound.tables import FoundItem

    await open_pool(get_settings())
    try:
        item_ids = [row["id"] for row in await FoundItem.select(FoundItem.id)]
        for start in range(0, len(item_ids), 500):  # the current code matches the items again
            await matching.refresh_many("item", item_ids[start : start + 500])
        by_item, _ = await _suggestions()
        return by_item, await _lookup_latencies(item_ids[:lookups]), await _report_side(truth)
    finally:
        await close_pool()


def _in_child(seed: int, args: argparse.Namespace) -> dict[str, Any]:
    return _in_process(_child, seed, args)


def _in_process(target: Any, *args: Any) -> Any:
    """What ``target(*args, queue)`` puts in its queue, run in a new process."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--reports", type=int, default=20000)
    parser.add_argument("--tune-seed", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--lookups", type=int, default=2000, help="items whose lookup is timed")
    parser.add_argument("--goods", type=int, default=400, help="bags, keys, phones... added (0: none)")
    parser.add_argument("--postgres", metavar="ADMIN_DSN", help="run on a scratch PostgreSQL database")
    parser.add_argument(
        "--no-tuning", action="store_true", help="only the held-out seed, with the service's pair"
    )
    parser.add_argument(
        "--long-windows",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="give this share of reports a window of loss 2-8 weeks longer (the generator's last hours)",
    )
    parser.add_argument("--keep", metavar="DIR", help="SQLite: keep each seed's instance in DIR/seed-N")
    parser.add_argument(
        "--reuse", metavar="DIR", help="SQLite: evaluate the instances kept in DIR, no import"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    if args.no_tuning:
        from lostfound.domain.matching import AUTO_MARGIN, AUTO_SCORE

        print(f"seed {args.seed} ({args.items} items, {args.reports} reports), the service's thresholds")
        report(_in_child(args.seed, args), AUTO_SCORE, AUTO_MARGIN)
        return

    print(f"tuning on seed {args.tune_seed} ({args.items} items, {args.reports} reports)")
    tuning = _in_child(args.tune_seed, args)
    threshold, margin = choose_thresholds(tuning)
    print(
        f"  chosen: auto at score >= {threshold:.0f} with a margin >= {margin:.0f} (zero wrong owners here)"
    )
    report(tuning, threshold, margin)
    unidentified = choose_unidentified_pair(tuning)
    print(f"held-out seed {args.seed}")
    held_out = _in_child(args.seed, args)
    report(held_out, threshold, margin)
    report_unidentified(held_out, unidentified, _autos_recall(held_out, threshold, margin))


if __name__ == "__main__":
    main()
