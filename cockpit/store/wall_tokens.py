"""Wall tokens: a wall screen's credential for internal indicators without an interactive login.

Only the SHA-256 of a token is stored (tokens are 32 random bytes, so a plain hash cannot be reversed by
guessing); the token itself is shown once, when it is created. A revoked token is kept for the record and
never matches again.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, or_, select, update

from cockpit.store.schema import wall_tokens

TOKEN_PREFIX = "wall_"
MAX_TOKEN_LENGTH = 200  # longer strings are never tokens (and are not hashed)


@dataclass(frozen=True)
class WallToken:
    id: int
    name: str
    slides: tuple[str, ...]  # slide specs ('energy', 'indicator:co2-per-inhabitant'); empty = the URL decides
    internal: bool  # internal indicators may show
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _row(row) -> WallToken:
    slides = tuple(s for s in (row.slides or "").split(",") if s)
    return WallToken(int(row.id), row.name, slides, bool(row.internal), row.created_at, row.revoked_at)


def add(conn: Connection, name: str, token_hash: str, slides: tuple[str, ...], internal: bool,
        now: datetime) -> int:
    result = conn.execute(insert(wall_tokens).values(name=name, token_hash=token_hash, slides=",".join(slides),
                                                     internal=internal, created_at=now, revoked_at=None))
    return int(result.inserted_primary_key[0])


def find_active(conn: Connection, token_hash: str) -> WallToken | None:
    row = conn.execute(select(wall_tokens).where(wall_tokens.c.token_hash == token_hash,
                                                 wall_tokens.c.revoked_at.is_(None))).first()
    return _row(row) if row is not None else None


def read_all(conn: Connection) -> list[WallToken]:
    return [_row(r) for r in conn.execute(select(wall_tokens).order_by(wall_tokens.c.id))]


def revoke(conn: Connection, key: str, now: datetime) -> int:
    """Revoke the active token(s) with id or name `key`; the number revoked."""
    condition = wall_tokens.c.name == key
    if key.isdigit():
        condition = or_(condition, wall_tokens.c.id == int(key))
    result = conn.execute(update(wall_tokens).where(condition, wall_tokens.c.revoked_at.is_(None))
                          .values(revoked_at=now))
    return result.rowcount or 0
