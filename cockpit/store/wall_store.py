"""The store's wall tokens (the token itself is shown once; only its hash is kept)."""

from __future__ import annotations

from cockpit.store import wall_tokens as wall_token_sql
from cockpit.store.base import StoreBase
from cockpit.store.schema import utcnow


class WallStore(StoreBase):
    def create_wall_token(self, name: str, slides: tuple[str, ...] = (), internal: bool = False,
                          ) -> tuple[str, wall_token_sql.WallToken]:
        """A new wall token: (the token, shown only now; its record). Only the token's hash is stored."""
        token = wall_token_sql.new_token()
        with self._write() as conn:
            token_id = wall_token_sql.add(conn, name, wall_token_sql.hash_token(token), tuple(slides), internal,
                                          utcnow())
        return token, next(t for t in self.wall_tokens() if t.id == token_id)

    def wall_token(self, token: str | None) -> wall_token_sql.WallToken | None:
        """The active (not revoked) token record for `token`, else None."""
        if not token or len(token) > wall_token_sql.MAX_TOKEN_LENGTH:
            return None
        with self._read() as conn:
            return wall_token_sql.find_active(conn, wall_token_sql.hash_token(token))

    def wall_tokens(self) -> list[wall_token_sql.WallToken]:
        with self._read() as conn:
            return wall_token_sql.read_all(conn)

    def revoke_wall_token(self, key: str) -> int:
        """Revoke the active token with id or name `key`; how many were revoked (0 = none matched)."""
        with self._write() as conn:
            return wall_token_sql.revoke(conn, key, utcnow())
