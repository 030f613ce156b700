"""Content-addressed files under the media folder.

A key is ``<sha256 of the bytes><suffix>`` (``3f…9a.jpg``) and lives at ``<aa>/<bb>/<key>`` where
``aa`` and ``bb`` are its first two pairs of hex digits. Writes go to a temporary file in the same
folder, are fsynced and then renamed into place, so a reader never sees half a file and a crash
leaves at most a stale ``.tmp-*`` file, which :meth:`MediaStore.sweep_orphans` removes later.
Identical bytes are stored once. Folders are never removed, so a concurrent ``put`` cannot lose
its folder under it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time
from pathlib import Path

_KEY = re.compile(r"[0-9a-f]{64}\.[a-z0-9]{1,8}")
_SUFFIX = re.compile(r"\.[a-z0-9]{1,8}")
_SHARD = re.compile(r"[0-9a-f]{2}")
TEMP_PREFIX = ".tmp-"
FILE_MODE = 0o640  # photos show ID cards: not world-readable


class MediaStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        """Where ``key`` lives. Anything but ``<64 hex><.suffix>`` is refused, so no path can escape."""
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise ValueError(f"not a media key: {key!r}")
        return self.root / key[:2] / key[2:4] / key

    def put(self, data: bytes, suffix: str = ".jpg") -> str:
        """Store ``data`` durably and return its key; storing the same bytes again changes nothing."""
        if not _SUFFIX.fullmatch(suffix):
            raise ValueError(f"not a media suffix: {suffix!r}")
        key = hashlib.sha256(data).hexdigest() + suffix
        target = self.path(key)
        with contextlib.suppress(OSError):
            if target.stat().st_size == len(data):
                # Stored already, perhaps as an orphan: touched, so a sweep sees it as new and spares it.
                os.utime(target)
                return key
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=suffix, dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fchmod(handle.fileno(), FILE_MODE)
                os.fsync(handle.fileno())
            os.replace(temp_name, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
            raise
        _fsync_dir(target.parent)
        return key

    def read(self, key: str) -> bytes:
        """The stored bytes; FileNotFoundError when the key is not stored."""
        return self.path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        """Remove ``key``; deleting a missing key is not an error."""
        path = self.path(key)
        path.unlink(missing_ok=True)
        _fsync_dir(path.parent)

    def keys(self) -> list[str]:
        """Every stored key (for backups and checks)."""
        return [path.name for path in self._files() if _KEY.fullmatch(path.name)]

    def sweep_orphans(self, known_keys: set[str], older_than_seconds: float) -> list[str]:
        """Remove stored files no record refers to, and temp files left by a crash.

        Only files last modified more than ``older_than_seconds`` ago are touched: a photo is written
        before the transaction that records it commits. Returns the removed keys, and for temp files
        their path relative to the root. Files whose names are not ours are left alone.
        """
        cutoff = time.time() - older_than_seconds
        removed: list[str] = []
        for path in self._files():
            name = path.name
            if _KEY.fullmatch(name):
                if name in known_keys:
                    continue
                label = name
            elif name.startswith(TEMP_PREFIX):
                label = path.relative_to(self.root).as_posix()
            else:
                continue
            try:
                if path.lstat().st_mtime >= cutoff:
                    continue
                path.unlink()
            except FileNotFoundError:
                continue
            removed.append(label)
        return removed

    def _files(self) -> list[Path]:
        found: list[Path] = []
        if not self.root.is_dir():
            return found
        for first in sorted(self.root.iterdir()):
            if not (_SHARD.fullmatch(first.name) and first.is_dir() and not first.is_symlink()):
                continue
            for second in sorted(first.iterdir()):
                if not (_SHARD.fullmatch(second.name) and second.is_dir() and not second.is_symlink()):
                    continue
                found.extend(
                    path for path in sorted(second.iterdir()) if path.is_file() and not path.is_symlink()
                )
        return found


def _fsync_dir(folder: Path) -> None:
    """Make a rename or unlink in ``folder`` durable (POSIX; a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
