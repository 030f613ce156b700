"""Substring search over found items that works for Chinese, behind one function.

SQLite: an FTS5 table with the trigram tokenizer mirrors ``found_item.search_text``
(kept in sync by triggers). PostgreSQL: a pg_trgm GIN index on the same column. Both
index terms of three or more characters; shorter terms (many Chinese words have two
characters) fall back to a scan of the column, which is still correct.
"""

from __future__ import annotations

from piccolo.columns.combination import WhereRaw
from piccolo.engine.sqlite import SQLiteEngine

from lostfound.tables import FoundItem

MAX_TERM = 100


def searchable(*parts: str) -> str:
    """The text stored in ``search_text``: every searchable field, lower-cased, one line each."""
    return "\n".join(p.strip().lower() for p in parts if p and p.strip())


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def matches(term: str) -> WhereRaw | None:
    """A WHERE clause for found items whose text contains ``term``; None for an empty term."""
    term = " ".join(term.lower().split())[:MAX_TERM]
    if not term:
        return None
    if isinstance(FoundItem._meta.db, SQLiteEngine) and len(term) >= 3:
        return WhereRaw(
            "found_item.id IN (SELECT rowid FROM found_item_fts WHERE found_item_fts MATCH {})",
            _fts_phrase(term),
        )
    return WhereRaw("found_item.search_text LIKE {} ESCAPE '\\'", _like_pattern(term))
