"""Sensitive personal numbers (ID, phone, card): encrypted at rest, keyed hashes for matching.

- Encryption is AES-256-GCM with a random nonce; the column name is bound in as associated
  data, so a ciphertext copied into another column does not decrypt.
- Keyed hashes are HMAC-SHA256 under a separate key, so the matching index reveals nothing
  to someone who has the database but not the keys.
Keys come from the environment (``LOSTFOUND_PII_KEY``, ``LOSTFOUND_HASH_KEY``) or are
generated once in the data directory; production keeps them out of the database backup.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from lostfound.settings import Settings, get_settings

_VERSION = "v1"


def _key_bytes(text: str, name: str) -> bytes:
    """Keys are 32 random bytes written as URL-safe base64 (as ``secrets.token_urlsafe(32)`` makes)."""
    try:
        raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except ValueError:
        raw = b""
    if len(raw) != 32:
        hint = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
        raise SystemExit(f"{name} must be 32 random bytes in URL-safe base64; make one with: {hint}")
    return raw


@dataclass(frozen=True)
class PersonalDataVault:
    encryption_key: bytes
    hash_key: bytes

    @cached_property
    def _aead(self) -> AESGCM:
        return AESGCM(self.encryption_key)

    @cached_property
    def _match_hasher(self) -> Any:
        # Copying a keyed state is cheaper than keying a new one for each of ~20 keys per record.
        return hashlib.blake2b(digest_size=8, key=self.hash_key, person=b"lf-match")

    def encrypt(self, plaintext: str, column: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), column.encode())
        return f"{_VERSION}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, column: str) -> str:
        version, _, body = token.partition(":")
        if version != _VERSION:
            raise ValueError("unknown ciphertext version")
        raw = base64.urlsafe_b64decode(body)
        return self._aead.decrypt(raw[:12], raw[12:], column.encode()).decode()

    def keyed_hash(self, kind: str, value: str) -> str:
        """A stable, keyed fingerprint of a normalised value; ``kind`` keeps domains apart."""
        return hmac.new(self.hash_key, f"{kind}\x1f{value}".encode(), hashlib.sha256).hexdigest()

    def match_keys(self, values: Iterable[str]) -> list[int]:
        """A keyed 64-bit fingerprint of each value for the matching tables (small to index, collisions
        negligible), for the ~20 keys of a record at once."""
        # Keyed BLAKE2b is a MAC in one call, several times faster than HMAC for the ~20 keys per record.
        keyed, from_bytes = self._match_hasher, int.from_bytes
        keys = []
        for value in values:
            digest = keyed.copy()
            digest.update(value.encode())
            keys.append(from_bytes(digest.digest(), "big", signed=True))
        return keys


def vault_for(settings: Settings) -> PersonalDataVault:
    encryption = _key_bytes(settings.pii_key, "LOSTFOUND_PII_KEY")
    hashing = _key_bytes(settings.hash_key, "LOSTFOUND_HASH_KEY")
    if encryption == hashing:
        raise SystemExit("LOSTFOUND_PII_KEY and LOSTFOUND_HASH_KEY must be different keys")
    return PersonalDataVault(encryption, hashing)


@lru_cache(maxsize=1)
def vault() -> PersonalDataVault:
    return vault_for(get_settings())
