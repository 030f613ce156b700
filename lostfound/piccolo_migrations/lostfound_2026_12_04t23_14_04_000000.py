"""Every found item and lost report lists its matching keys (``match_keys``), read from its key table.

The key tables lost their index by record in the migration before: from now on a record's key
rows are found through the lookup index, by the keys the record lists.
"""

import sys
from array import array

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T23:14:04:000000"
VERSION = "1.38.0"
DESCRIPTION = "records list their matching keys"

_SIDES = (("found_item", "item_key", "item"), ("lost_report", "report_key", "report"))


def _pack(pairs: list[tuple[int, int]]) -> bytes:
    # As lostfound.services.matching.pack_keys writes them: key, kind, ... in little-endian 64 bits.
    packed = array("q", [part for pair in pairs for part in pair])
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="lostfound", description=DESCRIPTION)
    manager.add_raw(_fill)
    return manager


async def _fill():
    from piccolo.engine import engine_finder
    from piccolo.querystring import QueryString

    engine = engine_finder()
    for table, keys, record in _SIDES:
        rows = await engine.run_querystring(
            QueryString(f"SELECT {record} AS record, key, kind FROM {keys} ORDER BY {record}, key, kind")
        )
        lists: dict[int, list[tuple[int, int]]] = {}
        for row in rows or []:
            lists.setdefault(row["record"], []).append((row["key"], row["kind"]))
        for record_id, pairs in lists.items():
            await engine.run_querystring(
                QueryString(f"UPDATE {table} SET match_keys = {{}} WHERE id = {{}}", _pack(pairs), record_id)
            )
