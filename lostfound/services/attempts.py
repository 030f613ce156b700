"""Counting attempts at a secret (a password, a claim code) so that guessing gets locked out."""

from __future__ import annotations

import asyncio
from typing import Protocol


class CounterStore(Protocol):
    """The slice of a key-value store (memory or Redis) used to count attempts."""

    async def get(self, key: str, renew_for: int | None = None) -> bytes | None: ...

    async def set(self, key: str, value: str | bytes, expires_in: int | None = None) -> None: ...

    async def delete(self, key: str) -> None: ...


# Guards the read-and-increment of a counter within this process; across workers the
# store's last writer wins, so at most one extra guess per worker slips through.
_counter_lock = asyncio.Lock()


async def count_attempt(store: CounterStore, key: str, window_seconds: int) -> int:
    """Count an attempt *before* checking the secret, so simultaneous guesses all count.

    Returns the number of attempts in the window, this one included; a success should
    ``store.delete(key)`` to start afresh.
    """
    async with _counter_lock:
        count = int((await store.get(key)) or 0) + 1
        await store.set(key, str(count), expires_in=window_seconds)
    return count
