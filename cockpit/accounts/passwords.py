"""Passwords: argon2id hashes (argon2-cffi) and a strength rule (length, a list of common passwords)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 1024  # argon2 takes any length; this only bounds the work per request
COMMON_FILE = Path(__file__).with_name("common-passwords.txt")

_hasher = PasswordHasher()  # argon2id with the library's current defaults (RFC 9106 low-memory profile)
_DUMMY = _hasher.hash("a password nobody has: equalizes the time of unknown logins")


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """True if `password` matches; an account without a hash (single sign-on) never matches, in the same time."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def weakness(password: str, login: str | None = None) -> str | None:
    """Why `password` is too weak (an English sentence for logs and the command line), or None."""
    if len(password) < MIN_LENGTH:
        return f"shorter than {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"longer than {MAX_LENGTH} characters"
    lowered = password.lower()
    stripped = re.sub(r"[\d\W_]+$", "", lowered)
    squeezed = re.sub(r"[\s\W_]+", "", lowered)
    common = common_passwords()
    if lowered in common or stripped in common or squeezed in common:
        return "one of the commonly used passwords"
    if len(set(password)) < 5:
        return "too few different characters"
    if login and login.lower() in lowered:
        return "contains the login name"
    return None
