"""Password hashing (argon2) and API-token digests.

Personal-data encryption keys join this module when records start carrying them.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verifying against this keeps a login for an unknown user as slow as for a known one.

    Made on first use, not on import: hashing takes some 90 ms, and every command and worker
    process imports this module."""
    return _hasher.hash("not-a-real-password")


TOKEN_PREFIX = "lf_"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def new_api_token() -> str:
    """A 256-bit bearer token with a recognisable prefix (so leaked ones are easy to spot)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Tokens carry 256 random bits, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()


def random_password(length: int = 14) -> str:
    """A password that is easy to read aloud: no 0/O or 1/l/I."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


# Codes people read aloud or type from paper: no 0/O, 1/I/L.
READABLE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def readable_code(length: int = 12) -> str:
    """A random code of ``length`` characters (12 give about 59 bits), e.g. for receipts."""
    # One read of the system's randomness instead of one per character; bytes at or above the
    # largest multiple of the alphabet's size are dropped so that every character is equally likely.
    size = len(READABLE_ALPHABET)
    cutoff = 256 - 256 % size
    chosen: list[str] = []
    while len(chosen) < length:
        chosen += [READABLE_ALPHABET[b % size] for b in secrets.token_bytes(length * 2) if b < cutoff]
    return "".join(chosen[:length])


def normalise_code(raw: str) -> str:
    """What a person typed, as stored: upper case, no spaces or dashes, O read as 0 is not in the alphabet."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())
