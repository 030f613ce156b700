"""Bulk import from other systems: bad lines reported and skipped, numbers kept as printed, then matched."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lostfound.cli import IMPORT_SKIPPED_LINES
from lostfound.domain.identifiers import birth_date_of, id_check_ok, mask_id
from lostfound.tables import FoundItem, ItemContent, LostReport, Match
from tests.factories import make_station
from tests.test_cli import run
from tests.test_matching import OWNER_ID

REPORT = {
    "owner": {"name": "黎晓梅", "id_number": OWNER_ID, "phone": "13805796612"},
    "category": "wallet",
    "description": "棕色钱包",
    "lost_from": "2025-03-28T19:00:00+08:00",
    "lost_place": "青石路夜市",
    "district": "东城区",
    "external_ref": "OLD-R-1",
}
MISREAD = OWNER_ID[:15] + ("7" if OWNER_ID[15] != "7" else "8") + OWNER_ID[16:]
ITEM = {
    "station": "DC",
    "category": "wallet",
    "description": "钱包",
    "found_at": "2025-03-30T09:10:00+08:00",
    "found_place": "人民路公交站",
    "district": "东城区",
    "external_ref": "OLD-I-7",
    # A number that fails its check digit is taken as printed, not refused.
    "contents": [{"kind": "id_card", "holder_name": "黎晓梅", "id_number": MISREAD}],
}


def _write(path: Path, lines: list[str]) -> str:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


async def test_bad_lines_are_reported_with_their_number_and_the_rest_is_imported_and_matched(
    tmp_path: Path,
) -> None:
    await make_station("DC")
    reports = _write(
        tmp_path / "reports.jsonl",
        [
            json.dumps(REPORT, ensure_ascii=False),
            "{not json",
            json.dumps({**REPORT, "category": "spaceship", "external_ref": "OLD-R-3"}, ensure_ascii=False),
            "",
            json.dumps(
                {**REPORT, "owner": {"name": "程国栋", "phone": "13900001111"}, "external_ref": "OLD-R-5"}
            ),
        ],
    )
    done = run("import", "lost-reports", reports, "--map-out", str(tmp_path / "reports-map.jsonl"))
    # Done, but not all of it: a script can tell that from success, from an error and from Ctrl-C.
    assert done.returncode == IMPORT_SKIPPED_LINES == 3, done.stderr
    assert "imported 2, skipped 2" in done.stdout
    assert "line 2: skipped" in done.stderr and "line 3: skipped: category" in done.stderr
    mapping = [json.loads(line) for line in (tmp_path / "reports-map.jsonl").read_text().splitlines()]
    assert [m["external_ref"] for m in mapping] == ["OLD-R-1", "OLD-R-5"]
    assert all(m["reference"].startswith("LR-") for m in mapping)
    assert {r["channel"] for r in await LostReport.select(LostReport.channel)} == {"import"}

    items = _write(
        tmp_path / "items.jsonl",
        [
            json.dumps(ITEM, ensure_ascii=False),
            json.dumps({**ITEM, "station": "ZZ", "external_ref": "OLD-I-8"}),
        ],
    )
    done = run("import", "found-items", items, "--map-out", str(tmp_path / "items-map.jsonl"))
    assert done.returncode == IMPORT_SKIPPED_LINES, done.stderr
    assert "imported 1, skipped 1" in done.stdout and "line 2: skipped" in done.stderr
    item = await FoundItem.select(FoundItem.id, FoundItem.reference).first()
    content = await ItemContent.select(ItemContent.as_printed, ItemContent.number_masked).first()
    assert content["as_printed"] is True and content["number_masked"].endswith(MISREAD[-4:])
    assert await Match.count() == 1  # matched on the way in, the misread digit repaired

    shown = run("match", item["reference"], "--json")
    assert shown.returncode == 0, shown.stderr
    answer = json.loads(shown.stdout)
    assert answer["matches"][0]["lost_report"] == mapping[0]["reference"]
    assert ("id_number", "one_edit") in {(r["field"], r["level"]) for r in answer["matches"][0]["reasons"]}


async def test_a_misread_birth_date_that_fails_its_check_is_imported_as_printed_and_matched(
    tmp_path: Path,
) -> None:
    """Month 05 read as 35: the date cannot exist and the check character fails. The line is one
    misread digit, kept as it was written down, not a bad line to skip."""
    await make_station("DC")
    done = run("import", "lost-reports", _write(tmp_path / "reports.jsonl", [json.dumps(REPORT)]))
    assert done.returncode == 0, done.stderr
    misread = OWNER_ID[:10] + "3" + OWNER_ID[11:]
    assert birth_date_of(misread) is None and not id_check_ok(misread)
    item = {**ITEM, "contents": [{**ITEM["contents"][0], "id_number": misread}]}
    done = run(
        "import", "found-items", _write(tmp_path / "items.jsonl", [json.dumps(item, ensure_ascii=False)])
    )
    assert done.returncode == 0, done.stderr
    assert "imported 1, skipped 0" in done.stdout and "skipped:" not in done.stderr
    content = await ItemContent.select(ItemContent.as_printed, ItemContent.number_masked).first()
    assert content == {"as_printed": True, "number_masked": mask_id(misread)}
    reference = (await FoundItem.select(FoundItem.reference).first())["reference"]
    shown = run("match", reference, "--json")
    assert shown.returncode == 0, shown.stderr
    (match,) = json.loads(shown.stdout)["matches"]
    assert match["lost_report"] == (await LostReport.select(LostReport.reference).first())["reference"]
    assert ("id_number", "one_edit") in {(r["field"], r["level"]) for r in match["reasons"]}


@pytest.mark.parametrize(
    "take_over", [False, True], ids=["every job in the worker", "jobs shared with this process"]
)
async def test_worker_processes_parse_and_validate_jobs_and_the_outcome_is_the_same(
    monkeypatch: pytest.MonkeyPatch, take_over: bool
) -> None:
    """A large import parses and validates raw lines in other processes, where found items also find
    their owners: lines keep their numbers, and the match is the one a single process makes. While
    the worker starts, the importing process takes the jobs itself; the outcome is the same."""
    from lostfound.cli import parse_found_item, parse_lost_report
    from lostfound.services import bulk_import

    await make_station("DC")
    monkeypatch.setattr(bulk_import, "TAKE_OVER", take_over)
    monkeypatch.setattr(bulk_import, "JOB", 2)  # several jobs in flight, batches written as they come
    monkeypatch.setattr(bulk_import, "BATCH", 3)
    monkeypatch.setattr(bulk_import, "MIN_FLUSH", 2)
    others = [
        {**REPORT, "owner": {"name": f"路人{n}", "phone": f"1390000{n:04d}"}, "external_ref": f"X-{n}"}
        for n in range(4)
    ]
    records = [REPORT, *others[:2], {**REPORT, "category": "spaceship"}, *others[2:]]
    entries = [(n, json.dumps(r, ensure_ascii=False)) for n, r in enumerate(records, 1)]
    entries.insert(3, (99, "{not json"))
    filed = await bulk_import.import_lost_reports(entries, workers=1, parse=parse_lost_report)
    assert filed.imported == 5
    assert [line for line, _ in filed.bad] == [4, 99]
    assert filed.bad[0][1].startswith("category") and filed.bad[1][1].startswith("not a valid record")
    assert [ext for ext, _ in filed.mapping] == ["OLD-R-1", "X-0", "X-1", "X-2", "X-3"]

    lines = [(1, json.dumps(ITEM, ensure_ascii=False)), (2, json.dumps({**ITEM, "station": "ZZ"}))]
    logged = await bulk_import.import_found_items(lines, workers=1, parse=parse_found_item)
    assert logged.imported == 1 and logged.bad == [(2, "No station has the code ZZ.")]
    match = await Match.select(Match.report.external_ref, Match.decision).first()
    assert match == {"report.external_ref": "OLD-R-1", "decision": "auto"}


def _before_the_first_write(monkeypatch: pytest.MonkeyPatch, save: Callable[[], Awaitable[object]]) -> None:
    """Run ``save`` once the worker's lookups are done (its job has come back) and before anything
    of the import is written; the record it saves meets nothing yet."""
    from lostfound.services import bulk_import

    monkeypatch.setattr(bulk_import, "TAKE_OVER", False)  # the lookups in the worker
    original_flush = bulk_import._flush
    saved: list[object] = []

    async def flush_after_saving(*args: object, **kwargs: object) -> None:
        if not saved:
            saved.append(await save())
            assert await Match.count() == 0  # the record's own matching found nothing yet
        await original_flush(*args, **kwargs)

    monkeypatch.setattr(bulk_import, "_flush", flush_after_saving)


async def test_a_report_filed_while_a_worker_looked_up_the_items_still_meets_its_item(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A worker looks up a found item's owners before the item is written. An owner who files a
    report in between finds no item (it is not written yet), and the item's lookup did not see the
    report: the import looks again at reports saved while it ran, so the two still meet."""
    from lostfound.cli import parse_found_item, parse_lost_report
    from lostfound.services import bulk_import, lost_reports
    from lostfound.services.context import Actor

    await make_station("DC")
    report = parse_lost_report(json.dumps({**REPORT, "consent": True}, ensure_ascii=False))
    _before_the_first_write(monkeypatch, lambda: lost_reports.file_report(Actor.anonymous(), report))
    lines = [(1, json.dumps(ITEM, ensure_ascii=False))]
    logged = await bulk_import.import_found_items(lines, workers=1, parse=parse_found_item)
    assert logged.imported == 1
    match = await Match.select(Match.item.external_ref, Match.report.owner_name).first()
    assert match == {"item.external_ref": "OLD-I-7", "report.owner_name": "黎晓梅"}


async def test_a_report_corrected_while_a_worker_looked_up_the_items_still_meets_its_item(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An owner corrects their phone number while a worker looks up a found item that holds it. The
    item's lookup saw the old number and the report's own matching found no item yet: the import
    looks again at reports changed while it ran (read through the index of last saves)."""
    from lostfound.cli import parse_found_item, parse_lost_report
    from lostfound.services import bulk_import, lost_reports
    from lostfound.services.context import Actor

    await make_station("DC")
    mistyped = {**REPORT, "owner": {"name": "黎晓梅", "phone": "15912345678"}, "consent": True}
    filed = await lost_reports.file_report(
        Actor.anonymous(), parse_lost_report(json.dumps(mistyped, ensure_ascii=False))
    )
    _before_the_first_write(
        monkeypatch, lambda: lost_reports.update_contact(filed.reference, "13805796612", "")
    )
    slip = {**ITEM, "contents": [{"kind": "phone_number", "phone": "138 0579 6612"}]}
    logged = await bulk_import.import_found_items(
        [(1, json.dumps(slip, ensure_ascii=False))], workers=1, parse=parse_found_item
    )
    assert logged.imported == 1
    match = await Match.select(Match.item.external_ref, Match.report.reference).first()
    assert match == {"item.external_ref": "OLD-I-7", "report.reference": filed.reference}


async def test_an_item_logged_while_a_worker_looked_up_the_reports_still_meets_its_report(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same for a lost-report import: a found item logged between a report's lookup (in the
    worker) and the report's write meets it when the import looks again at what was saved meanwhile."""
    from lostfound.cli import parse_found_item, parse_lost_report
    from lostfound.services import bulk_import, found_items
    from tests.factories import SYSTEM

    await make_station("DC")
    clean = {**ITEM, "contents": [{**ITEM["contents"][0], "id_number": OWNER_ID}]}
    item = parse_found_item(json.dumps(clean, ensure_ascii=False))
    _before_the_first_write(monkeypatch, lambda: found_items.create_item(SYSTEM, item))
    lines = [(1, json.dumps(REPORT, ensure_ascii=False))]
    filed = await bulk_import.import_lost_reports(lines, workers=1, parse=parse_lost_report)
    assert filed.imported == 1
    match = await Match.select(Match.item.external_ref, Match.report.external_ref).first()
    assert match == {"item.external_ref": "OLD-I-7", "report.external_ref": "OLD-R-1"}


async def test_a_line_that_is_not_utf8_is_one_bad_line_and_a_byte_order_mark_is_no_problem(
    tmp_path: Path,
) -> None:
    """Files exported by spreadsheets start with a byte order mark and end lines with CR LF; a line
    written in another encoding (GBK, say) is reported with its number, and the rest is imported."""
    good = json.dumps(REPORT, ensure_ascii=False).encode()
    gbk = json.dumps({**REPORT, "external_ref": "OLD-R-2"}, ensure_ascii=False).encode("gbk")
    other = json.dumps({**REPORT, "external_ref": "OLD-R-3"}, ensure_ascii=False).encode()
    path = tmp_path / "reports.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + good + b"\r\n" + gbk + b"\r\n" + other + b"\r\n")
    done = run("import", "lost-reports", str(path))
    assert done.returncode == IMPORT_SKIPPED_LINES, done.stderr
    assert "imported 2, skipped 1" in done.stdout
    assert "line 2: skipped: not a valid record: not UTF-8 text" in done.stderr
    assert "Traceback" not in done.stderr
    refs = {r["external_ref"] for r in await LostReport.select(LostReport.external_ref)}
    assert refs == {"OLD-R-1", "OLD-R-3"}


async def test_an_import_run_again_brings_in_only_what_it_had_not_and_maps_every_line(tmp_path: Path) -> None:
    """An interrupted migration is simply run again: records whose external reference is already there
    are mapped to their reference, not copied (a copy would be the runner-up of every match of the
    first, and the owner's wallet would never be suggested automatically)."""
    await make_station("DC")
    first = json.dumps(REPORT, ensure_ascii=False)
    second = json.dumps(
        {**REPORT, "owner": {"name": "程国栋", "phone": "13900001111"}, "external_ref": "OLD-R-2"}
    )
    done = run("import", "lost-reports", _write(tmp_path / "part.jsonl", [first]))
    assert done.returncode == 0 and "imported 1, skipped 0" in done.stdout, done.stderr

    repeated = json.dumps({**REPORT, "description": "又一行", "external_ref": "OLD-R-2"}, ensure_ascii=False)
    whole = _write(tmp_path / "whole.jsonl", [first, second, repeated])
    done = run("import", "lost-reports", whole, "--map-out", str(tmp_path / "map.jsonl"))
    assert done.returncode == IMPORT_SKIPPED_LINES, done.stderr  # the repeated line; "already" is no fault
    assert "imported 1, already imported 1, skipped 1" in done.stdout
    assert "line 3: skipped: external_ref OLD-R-2 is that of line 2" in done.stderr
    mapping = [json.loads(line) for line in (tmp_path / "map.jsonl").read_text().splitlines()]
    stored = {
        r["external_ref"]: r["reference"]
        for r in await LostReport.select(LostReport.external_ref, LostReport.reference)
    }
    assert [(m["external_ref"], m["reference"]) for m in mapping] == [
        ("OLD-R-1", stored["OLD-R-1"]),
        ("OLD-R-2", stored["OLD-R-2"]),
    ]
    assert await LostReport.count() == 2

    clean = {**ITEM, "contents": [{**ITEM["contents"][0], "id_number": OWNER_ID}]}
    done = run(
        "import", "found-items", _write(tmp_path / "items.jsonl", [json.dumps(clean, ensure_ascii=False)])
    )
    assert done.returncode == 0, done.stderr
    match = await Match.select(Match.report.external_ref, Match.decision).first()
    assert match == {"report.external_ref": "OLD-R-1", "decision": "auto"}
    done = run(
        "import", "found-items", _write(tmp_path / "items.jsonl", [json.dumps(clean, ensure_ascii=False)])
    )
    assert "imported 0, already imported 1, skipped 0" in done.stdout
    assert await FoundItem.count() == 1


async def test_an_import_warns_that_records_without_an_external_reference_would_be_copied_again(
    tmp_path: Path,
) -> None:
    unnamed = json.dumps({**REPORT, "external_ref": ""}, ensure_ascii=False)
    named = json.dumps(REPORT, ensure_ascii=False)
    done = run("import", "lost-reports", _write(tmp_path / "r.jsonl", [unnamed, named]))
    assert done.returncode == 0 and "imported 2, skipped 0" in done.stdout, done.stderr
    assert "1 record(s) have no external_ref: this file run again would copy them again." in done.stderr
    done = run("import", "lost-reports", _write(tmp_path / "named.jsonl", [named]))
    assert "external_ref" not in done.stderr


async def test_an_old_file_run_again_does_not_bring_back_a_report_whose_personal_data_was_erased(
    tmp_path: Path,
) -> None:
    """Retention erased a closed report; the migration file, run again a year later, leaves it erased
    and maps its line to it instead of filing the owner's details anew."""
    from datetime import UTC, datetime, timedelta

    from lostfound.services.retention import run_retention
    from lostfound.settings import get_settings

    await make_station("DC")
    line = _write(tmp_path / "reports.jsonl", [json.dumps(REPORT, ensure_ascii=False)])
    assert run("import", "lost-reports", line).returncode == 0
    settings = get_settings()
    closed = datetime.now(UTC) - timedelta(days=settings.closed_report_retention_days + 1)
    await LostReport.update({LostReport.status: "withdrawn", LostReport.closed_at: closed}).where(
        LostReport.external_ref == REPORT["external_ref"]
    )
    assert (await run_retention(settings)).erased == 1

    done = run("import", "lost-reports", line, "--map-out", str(tmp_path / "map.jsonl"))
    assert done.returncode == 0, done.stderr
    assert "imported 0, already imported 1, skipped 0" in done.stdout
    reports = await LostReport.select(LostReport.reference, LostReport.owner_name, LostReport.erased_at)
    assert len(reports) == 1 and reports[0]["owner_name"] == "" and reports[0]["erased_at"] is not None
    mapped = json.loads((tmp_path / "map.jsonl").read_text())
    assert mapped == {"external_ref": REPORT["external_ref"], "reference": reports[0]["reference"]}


async def test_a_report_met_by_two_wallets_in_one_batch_counts_its_id_against_the_namesake() -> None:
    """A candidate's ID is decrypted for a lookup only when a record meeting it holds a number: met in
    one batch by a wallet naming its owner only and by a namesake's ID card, the report is the first
    wallet's candidate and not the second's (two valid IDs that differ are two people)."""
    from lostfound.cli import parse_found_item, parse_lost_report
    from lostfound.services import bulk_import
    from tests.test_matching import OTHER_ID

    await make_station("DC")
    filed = await bulk_import.import_lost_reports(
        [(1, json.dumps(REPORT, ensure_ascii=False))], parse=parse_lost_report
    )
    assert filed.imported == 1
    card = {"kind": "bank_card", "holder_name": "黎晓梅", "bank": "农业银行"}
    by_name = {**ITEM, "external_ref": "NAME-ONLY", "contents": [card]}
    namesake = {
        **ITEM,
        "external_ref": "NAMESAKE",
        "contents": [{**ITEM["contents"][0], "id_number": OTHER_ID}],
    }
    lines = [(n, json.dumps(item, ensure_ascii=False)) for n, item in enumerate((by_name, namesake), 1)]
    logged = await bulk_import.import_found_items(lines, parse=parse_found_item)
    assert logged.imported == 2, logged.bad
    matches = await Match.select(Match.item.external_ref, Match.decision)
    assert matches == [{"item.external_ref": "NAME-ONLY", "decision": "review"}]


async def test_an_imported_item_s_custody_log_says_it_came_from_another_system(client) -> None:
    """The log names a staff member, or what the service's own actor is, in the reader's language."""
    from lostfound.cli import parse_found_item
    from lostfound.domain.roles import Role
    from lostfound.services import bulk_import
    from tests.factories import make_user, sign_in, text_of

    await make_user("dc.duty", role=Role.DUTY_OFFICER)
    done = await bulk_import.import_found_items(
        [(1, json.dumps(ITEM, ensure_ascii=False))], parse=parse_found_item
    )
    assert done.imported == 1, done.bad
    await sign_in(client, "dc.duty")
    item = await FoundItem.select(FoundItem.reference).first()
    text = text_of(await client.get(f"/items/{item['reference']}"))
    assert "从其他系统导入" in text and "· import" not in text


@pytest.mark.parametrize("workers", [0, 1], ids=["in one process", "with a worker"])
async def test_an_import_stopped_while_writing_keys_leaves_no_record_behind_that_matching_cannot_find(
    monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """A batch is its records, their keys and their suggestions, or nothing: a report written without
    its keys would never meet a wallet, and the import run again would skip it as already there."""
    from lostfound.cli import parse_lost_report
    from lostfound.services import bulk_import, matching
    from lostfound.tables import ReportKey

    monkeypatch.setattr(bulk_import, "TAKE_OVER", not workers)  # with a worker, every job in it
    await make_station("DC")
    lines = [
        (n, json.dumps({**REPORT, "external_ref": f"OLD-R-{n}"}, ensure_ascii=False)) for n in range(1, 7)
    ]
    real_insert = matching.insert_tuples

    async def interrupted(table, *args, **kwargs):
        if table is ReportKey:
            raise KeyboardInterrupt  # the operator's Ctrl-C, as the key rows go in
        return await real_insert(table, *args, **kwargs)

    monkeypatch.setattr(matching, "insert_tuples", interrupted)
    with pytest.raises(KeyboardInterrupt):
        await bulk_import.import_lost_reports(lines, workers=workers, parse=parse_lost_report)
    assert await LostReport.count() == 0

    monkeypatch.setattr(matching, "insert_tuples", real_insert)
    done = await bulk_import.import_lost_reports(lines, workers=workers, parse=parse_lost_report)
    assert (done.imported, done.already) == (6, 0)
    keyed = await ReportKey.select(ReportKey.report).distinct()
    assert len(keyed) == 6


def test_ctrl_c_during_an_import_says_how_far_it_got_and_how_to_go_on(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    from lostfound import cli

    monkeypatch.setattr(cli, "_service_call", asyncio.run)  # no pool: only the console is under test

    async def stopped_after_a_batch(progress: Callable[[int], None]) -> None:
        progress(5)
        raise KeyboardInterrupt

    with pytest.raises(SystemExit) as stopped:
        cli._run_import(stopped_after_a_batch, 12, "lost reports")
    assert stopped.value.code == 130
    console = capsys.readouterr().err
    assert "Stopped after 5 of 12 lines" in console and "run the same command again" in console.lower()
    assert "Traceback" not in console


async def test_only_a_number_that_fails_its_check_is_marked_as_printed_on_the_item_page(client) -> None:
    """An import keeps a misread number as printed; a valid one next to it is not flagged as misread
    (the officer would take it for a number to re-read, and the handover for one to repair)."""
    from lostfound.cli import parse_found_item
    from lostfound.domain.roles import Role
    from lostfound.services import bulk_import
    from tests.factories import make_user, sign_in, soup

    await make_user("dc.duty", role=Role.DUTY_OFFICER)
    card = {"kind": "bank_card", "holder_name": "黎晓梅", "card_number": "6222021234567890128"}
    both = {**ITEM, "contents": [ITEM["contents"][0], {**ITEM["contents"][0], "id_number": OWNER_ID}, card]}
    done = await bulk_import.import_found_items(
        [(1, json.dumps(both, ensure_ascii=False))], parse=parse_found_item
    )
    assert done.imported == 1, done.bad
    rows = await ItemContent.select(ItemContent.as_printed).order_by(ItemContent.position)
    assert [row["as_printed"] for row in rows] == [True, False, False]
    await sign_in(client, "dc.duty")
    item = await FoundItem.select(FoundItem.reference).first()
    page = soup(await client.get(f"/items/{item['reference']}"))
    assert len(page.find_all(string="如实登记")) == 1


@pytest.mark.parametrize("workers", [0, 1], ids=["in one process", "with a worker"])
async def test_an_imported_batch_points_only_at_records_that_exist_and_keeps_times_as_a_saved_report_does(
    monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """On SQLite a batch is written without checking each row's parent (its keys and contents name
    the records it has just written), and its timestamps are converted before the write: the result
    must be the rows a report filed at the desk gets."""
    from lostfound.cli import parse_found_item, parse_lost_report
    from lostfound.services import bulk_import, fast_reads, lost_reports
    from lostfound.services.context import Actor

    monkeypatch.setattr(bulk_import, "TAKE_OVER", not workers)  # with a worker, every job in it
    await make_station("DC")
    with_cash = {
        **REPORT,
        "contents": [{"kind": "id_card", "id_number": OWNER_ID}, {"kind": "cash", "amount": "350"}],
    }
    lines = [(n, json.dumps({**with_cash, "external_ref": f"OLD-R-{n}"}, ensure_ascii=False)) for n in (1, 2)]
    assert (
        await bulk_import.import_lost_reports(lines, workers=workers, parse=parse_lost_report)
    ).imported == 2
    item_lines = [(1, json.dumps(ITEM, ensure_ascii=False))]
    assert (
        await bulk_import.import_found_items(item_lines, workers=workers, parse=parse_found_item)
    ).imported == 1
    assert await Match.count() == 2
    desk = parse_lost_report(
        json.dumps({**with_cash, "external_ref": "", "consent": True}, ensure_ascii=False)
    )
    assert not isinstance(desk, str)
    filed = await lost_reports.file_report(Actor.system("cli"), desk)

    if not fast_reads.on_postgres():  # PostgreSQL checks every row's parent as it goes in
        assert await LostReport.raw("PRAGMA foreign_key_check") == []
    columns = "lost_from, lost_to, created_at, consent_at, holds_valid_id"
    stored = await LostReport.raw(f"SELECT reference, {columns} FROM lost_report ORDER BY id")
    assert [row["reference"] for row in stored][-1] == filed.reference
    imported, desk_row = stored[0], stored[-1]
    assert imported["lost_from"] == desk_row["lost_from"] == datetime(2025, 3, 28, 11, tzinfo=UTC)
    assert imported["holds_valid_id"] == desk_row["holds_valid_id"]
    assert imported["created_at"].tzinfo is not None and imported["consent_at"].tzinfo is not None
    raw_text = "SELECT CAST(lost_from AS TEXT) AS t FROM lost_report ORDER BY id"
    assert len({row["t"] for row in await LostReport.raw(raw_text)}) == 1  # stored alike, so sorted alike


def test_a_small_file_is_cut_into_jobs_enough_for_every_process_and_a_large_one_is_not() -> None:
    """2,400 found items in three jobs of 1,000 left one process working alone at the end."""
    from lostfound.services import bulk_import

    assert bulk_import.job_size(2400, workers=1) == 300  # four jobs for each of the two processes
    assert bulk_import.job_size(1200, workers=1) == 250  # no smaller than that
    assert bulk_import.job_size(20000, workers=1) == 1000
    assert bulk_import.job_size(2400, workers=0) == 1000  # one process: nothing to share
    assert bulk_import.job_size(None, workers=1) == 1000  # a length not known


def test_a_file_of_found_items_gets_a_worker_sooner_than_a_file_of_reports() -> None:
    """Each found item is looked up among the reports on its way in: a job of them is several times a
    job of reports, and worth starting a process for in a file a fifth the size."""
    from lostfound.services import bulk_import

    assert bulk_import.workers_for(2400, "item") >= 1
    assert bulk_import.workers_for(2400, "report") == 0
    assert bulk_import.workers_for(900, "item") == 0  # a single job: the start would cost more
    assert bulk_import.workers_for(20000, "report") >= 1


async def test_imported_items_are_found_by_the_search_and_items_saved_after_an_import_too() -> None:
    """A batch of found items goes into the search index in one statement, with the index's trigger
    set aside for the batch's transaction: what it imports is searchable, the trigger is back for
    the next item saved at the desk, and a batch that fails leaves it in place."""
    from lostfound.cli import parse_found_item
    from lostfound.services import bulk_import, found_items, search
    from lostfound.services.transactions import write_transaction
    from tests.factories import SYSTEM

    async def found(term: str) -> list[str]:
        rows = await FoundItem.select(FoundItem.description).where(search.matches(term))
        return sorted(row["description"] for row in rows)

    await make_station("DC")
    umbrella = {**ITEM, "description": "蓝色折叠雨伞", "external_ref": "OLD-I-8", "contents": []}
    lines = [(n, json.dumps(r, ensure_ascii=False)) for n, r in enumerate((ITEM, umbrella), 1)]
    assert (await bulk_import.import_found_items(lines, parse=parse_found_item)).imported == 2
    assert await found("折叠雨伞") == ["蓝色折叠雨伞"]
    assert await found("黎晓梅") == ["钱包"]  # the holder's name, from the contents

    with pytest.raises(RuntimeError):
        async with write_transaction(), search.indexed_together():
            raise RuntimeError("the batch's write failed")
    desk = parse_found_item(json.dumps({**umbrella, "description": "黑色长柄雨伞", "external_ref": ""}))
    await found_items.create_item(SYSTEM, desk)
    assert await found("长柄雨伞") == ["黑色长柄雨伞"]
    assert await found("雨伞") == ["蓝色折叠雨伞", "黑色长柄雨伞"]


@pytest.mark.parametrize("source", ["/dev/stdin", "-"])
async def test_a_file_read_from_a_pipe_is_imported_whole(tmp_path: Path, source: str) -> None:
    """`zcat reports.jsonl.gz | lostfound import lost-reports -` (or /dev/stdin, or <(…)): a pipe can be
    read once only, and counting its lines first left nothing to import."""
    lines = [json.dumps({**REPORT, "external_ref": f"OLD-R-{n}"}, ensure_ascii=False) for n in (1, 2, 3)]
    done = run(
        "import", "lost-reports", source, "--map-out", str(tmp_path / "map.jsonl"), stdin="\n".join(lines)
    )
    assert done.returncode == 0, done.stderr
    assert "imported 3, skipped 0" in done.stdout
    assert await LostReport.count() == 3
    assert len((tmp_path / "map.jsonl").read_text().splitlines()) == 3


async def test_a_map_that_cannot_be_written_is_refused_before_anything_is_imported(tmp_path: Path) -> None:
    """Found out only after the import, the map was lost and the records were in: run again, those
    without an external reference were copied twice (and with --notify, owners told twice)."""
    reports = _write(tmp_path / "reports.jsonl", [json.dumps(REPORT, ensure_ascii=False)])
    done = run("import", "lost-reports", reports, "--map-out", str(tmp_path / "nowhere" / "map.jsonl"))
    assert done.returncode == 1
    assert "Cannot write the map" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert await LostReport.count() == 0


async def test_a_map_that_names_the_file_being_imported_is_refused_and_the_file_is_left_as_it_was(
    tmp_path: Path,
) -> None:
    reports = _write(tmp_path / "reports.jsonl", [json.dumps(REPORT, ensure_ascii=False)])
    before = Path(reports).read_bytes()
    (tmp_path / "link.jsonl").symlink_to(reports)
    for map_out in (reports, str(tmp_path / "link.jsonl")):
        done = run("import", "lost-reports", reports, "--map-out", map_out)
        assert done.returncode == 1 and "is the file being imported" in done.stderr, done.stderr
    assert Path(reports).read_bytes() == before
    assert await LostReport.count() == 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary map left


async def test_an_external_reference_repeated_batches_apart_is_a_bad_line_naming_the_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two different owners given the same external reference by the old system: the second line,
    written in a later batch, was taken for a record imported before and silently dropped. Every
    repeat within the file is a bad line naming the first; only what was there before the run is
    "already imported"."""
    from lostfound.cli import parse_lost_report
    from lostfound.services import bulk_import

    monkeypatch.setattr(bulk_import, "JOB", 2)
    monkeypatch.setattr(bulk_import, "BATCH", 2)
    monkeypatch.setattr(bulk_import, "MIN_FLUSH", 2)

    def line(external_ref: str, name: str) -> str:
        owner = {"name": name, "phone": "13900001111"}
        return json.dumps({**REPORT, "owner": owner, "external_ref": external_ref}, ensure_ascii=False)

    before = await bulk_import.import_lost_reports([(1, line("OLD-R-0", "程国栋"))], parse=parse_lost_report)
    assert before.imported == 1
    lines = [
        line("OLD-R-1", "黎晓梅"),
        line("OLD-R-0", "程国栋"),
        line("OLD-R-2", "王建国"),
        line("OLD-R-3", "赵丽"),
        line("OLD-R-1", "孙红"),  # another owner, in the third batch
        line("OLD-R-0", "程国栋"),
    ]
    done = await bulk_import.import_lost_reports(list(enumerate(lines, 1)), parse=parse_lost_report)
    assert (done.imported, done.already) == (3, 1)
    assert done.bad == [
        (5, "external_ref OLD-R-1 is that of line 1"),
        (6, "external_ref OLD-R-0 is that of line 2"),
    ]
    assert [ext for ext, _ in done.mapping] == ["OLD-R-1", "OLD-R-0", "OLD-R-2", "OLD-R-3"]
    assert await LostReport.count() == 4


async def test_the_same_file_imported_twice_at_once_is_written_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two operators start the same migration at once. Each batch asks which of its references are
    already there before it writes; on PostgreSQL both asked before either had committed, and every
    record was written twice. The first import here waits, after its check, for the second to check
    too (for two seconds at most): the second must see the first's records, not an empty table."""
    import asyncio
    import contextlib

    from lostfound.cli import parse_lost_report
    from lostfound.services import bulk_import

    original = bulk_import._not_yet_imported
    second_checked = asyncio.Event()
    checks: list[int] = []

    async def check_then_linger(*args: object) -> object:
        fresh = await original(*args)  # type: ignore[arg-type]
        checks.append(len(checks))
        if len(checks) == 1:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(second_checked.wait(), 2)
        else:
            second_checked.set()
        return fresh

    monkeypatch.setattr(bulk_import, "_not_yet_imported", check_then_linger)
    lines = [
        (n, json.dumps({**REPORT, "external_ref": f"OLD-R-{n}"}, ensure_ascii=False)) for n in range(1, 4)
    ]
    first, second = await asyncio.gather(
        *(bulk_import.import_lost_reports(lines, parse=parse_lost_report) for _ in range(2))
    )
    assert sorted((done.imported, done.already) for done in (first, second)) == [(0, 3), (3, 0)]
    assert await LostReport.count() == 3


async def test_found_items_are_not_imported_into_a_station_coded_lr_before_the_code_was_reserved() -> None:
    """Its items would be numbered LR-YYYY-NNNNNN like the lost reports, out of `lostfound match`'s
    reach. Such a station is still found (its staff keep working); the import refuses its lines."""
    from lostfound.cli import parse_found_item
    from lostfound.services import bulk_import, stations
    from lostfound.tables import Station

    await Station.insert(Station(code="LR", name_zh="莲荣派出所", name_en="Lianrong Station"))
    assert (await stations.get_station("lr"))["code"] == "LR"
    lines = [(1, json.dumps({**ITEM, "station": "LR"}, ensure_ascii=False))]
    logged = await bulk_import.import_found_items(lines, parse=parse_found_item)
    assert logged.imported == 0
    assert logged.bad == [(1, "LR cannot be a station code: the references of lost reports begin with it.")]
    assert await FoundItem.count() == 0
