"""The store's accounts: users, sessions, login attempts, the audit log and the scheduler lease."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta

from cockpit.store import accounts
from cockpit.store.base import StoreBase
from cockpit.store.schema import utcnow


class AccountsStore(StoreBase):
    @contextmanager
    def _short_write(self):
        """A small write transaction (accounts, sessions, audit) that does not queue behind ingest batches on
        PostgreSQL; IMMEDIATE on SQLite so that it waits for the writer instead of failing."""
        with self.engine.execution_options(sqlite_begin="IMMEDIATE").begin() as conn:
            yield conn

    def add_user(self, login: str, display_name: str, role: str, department: str | None = None,
                 password_hash: str | None = None, oidc_subject: str | None = None, active: bool = True) -> int:
        with self._short_write() as conn:
            return accounts.add_user(conn, utcnow(), login=login, display_name=display_name, role=role,
                                     department=department, password_hash=password_hash,
                                     oidc_subject=oidc_subject, active=active)

    def user(self, *, login: str | None = None, user_id: int | None = None,
             oidc_subject: str | None = None) -> dict | None:
        with self._read() as conn:
            return accounts.get_user(conn, login=login, user_id=user_id, oidc_subject=oidc_subject)

    def users(self) -> list[dict]:
        with self._read() as conn:
            return accounts.list_users(conn)

    def count_users(self, role: str | None = None) -> int:
        """All accounts, or the active ones with `role`."""
        with self._read() as conn:
            return accounts.count_users(conn, role)

    def update_user(self, user_id: int, revoke_sessions: bool = False, **values) -> None:
        """Change an account; with `revoke_sessions`, end its sessions in the same transaction."""
        with self._short_write() as conn:
            now = utcnow()
            accounts.update_user(conn, user_id, now, **values)
            if revoke_sessions:
                accounts.revoke_sessions(conn, now, user_id=user_id)

    def add_session(self, id_hash: str, user_id: int, lifetime: timedelta, address: str | None) -> None:
        with self._short_write() as conn:
            now = utcnow()
            accounts.add_session(conn, id_hash, user_id, now, now + lifetime, address)

    def session_user(self, id_hash: str, idle: timedelta, touch_after: timedelta = timedelta(minutes=1)
                     ) -> dict | None:
        """The live session with its user, or None; marks it as seen (at most once per `touch_after`)."""
        now = utcnow()
        with self._read() as conn:
            found = accounts.session_with_user(conn, id_hash, now, idle)
        if found is not None and now - found["last_seen_at"] >= touch_after:
            with self._short_write() as conn:
                accounts.touch_session(conn, id_hash, now)
        return found

    def revoke_sessions(self, *, id_hash: str | None = None, user_id: int | None = None) -> int:
        with self._short_write() as conn:
            return accounts.revoke_sessions(conn, utcnow(), id_hash=id_hash, user_id=user_id)

    def purge_sessions(self, keep: timedelta = timedelta(days=2)) -> None:
        with self._short_write() as conn:
            accounts.purge(conn, utcnow() - keep)

    def record_login_attempt(self, login: str, address: str, success: bool) -> None:
        with self._short_write() as conn:
            accounts.add_attempt(conn, utcnow(), login, address, success)

    def login_failures(self, window: timedelta, *, login: str | None = None, address: str | None = None,
                       since_success: bool = False) -> int:
        with self._read() as conn:
            return accounts.recent_failures(conn, utcnow() - window, login=login, address=address,
                                            since_success=since_success)

    def login_summary(self, since: timedelta, limit: int = 20) -> list[dict]:
        """Failed and throttled logins per login name over the last `since` (admins' view of attacks)."""
        with self._read() as conn:
            return accounts.login_summary(conn, utcnow() - since, limit)

    def audit(self, action: str, actor: str | None = None, target: str | None = None, address: str | None = None,
              detail: str | None = None) -> None:
        with self._short_write() as conn:
            accounts.add_audit(conn, utcnow(), action, actor, target, address, detail)

    def audit_entries(self, limit: int = 100, since: datetime | None = None, action: str | None = None) -> list[dict]:
        with self._read() as conn:
            return accounts.read_audit(conn, limit, since, action)

    def audit_page(self, offset: int, limit: int, action: str | None = None, account: str | None = None,
                   address: str | None = None, since: datetime | None = None) -> tuple[list[dict], int]:
        """A page of the audit log without failed logins (unless `action` asks for them) and the total."""
        with self._read() as conn:
            return accounts.read_audit_page(conn, offset, limit, action, account, address, since)

    def failed_logins(self, since: datetime, account: str | None = None, address: str | None = None,
                      limit: int = 20) -> tuple[list[dict], int]:
        """Failed logins since `since` per (account name, address), most frequent first, and their total."""
        with self._read() as conn:
            return accounts.read_failed_logins(conn, since, account, address, limit)

    def audit_actions(self) -> list[str]:
        with self._read() as conn:
            return accounts.read_audit_actions(conn)

    def take_lease(self, name: str, holder: str, ttl: timedelta) -> bool:
        """Take or renew a lease (one scheduler across processes and hosts); serialized with every writer."""
        with self._write() as conn:
            return accounts.take_lease(conn, name, holder, utcnow(), ttl)

    def drop_lease(self, name: str, holder: str) -> None:
        with self._write() as conn:
            accounts.drop_lease(conn, name, holder)

    def lease_holder(self, name: str) -> str | None:
        with self._read() as conn:
            return accounts.lease_holder(conn, name, utcnow())
