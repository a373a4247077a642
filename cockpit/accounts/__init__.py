"""Named accounts: users with a role and a department, revocable server-side sessions, login throttling that
holds across worker processes (it lives in the database), and an audit log. No web framework here: the web
layer (`layouts.auth`) and the command line (`run.py user`, `run.py audit`) both use `Accounts`.

Roles of an account: `staff` (public + internal indicators, plus department-visible ones of their own department)
and `admin` (everything, and administration). Anonymous visitors are public and have no account.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from cockpit.accounts import passwords
from cockpit.roles import Role, Viewer
from cockpit.store import Store

log = logging.getLogger(__name__)

ACCOUNT_ROLES = {"staff": Role.INTERNAL, "admin": Role.ADMIN}
LOGIN_PATTERN = re.compile(r"[a-z0-9][a-z0-9._@-]{1,63}")
BOOTSTRAP_LOGIN = "admin"


class AccountError(ValueError):
    """An account operation is not possible; the message says why (English, for logs and the command line)."""


@dataclass(frozen=True)
class Throttle:
    """Failed logins counted in the database over `window` (shared by every worker), so that nobody can lock
    the owner out of an account (docs/security.md, "Login throttling"):

    - per login name and client address together: `per_pair` failures since the pair's last success refuse
      that pair (a guesser at one address; the owner at another address is not affected);
    - per client address over all names: `per_address` failures refuse the address, counted whether or not
      logins from it also succeeded (a password sprayer cannot reset the count with an own account);
    - per login name from anywhere: never refused, only delayed: from `delay_after` failures on, every attempt
      on the name waits `delay_start` seconds, doubled every `delay_step` failures, at most `delay_max` (a
      distributed guesser is slowed; the owner with the right password still gets in).

    The client address is the real one only when COCKPIT_TRUSTED_PROXIES matches the proxies in front."""

    window: timedelta = timedelta(minutes=15)
    per_pair: int = 5
    per_address: int = 50
    delay_after: int = 10
    delay_start: float = 0.5
    delay_step: int = 10
    delay_max: float = 4.0

    def delay(self, failures: int) -> float:
        """Seconds an attempt on a login name waits after `failures` failures on it (from any address)."""
        if failures < self.delay_after:
            return 0.0
        return min(self.delay_max, self.delay_start * 2 ** ((failures - self.delay_after) // self.delay_step))


class BoundedSleep:
    """The delay of attempts on an attacked login name, holding at most `slots` threads of a process at a time:
    when they are all waiting, a further delayed attempt is answered at once as busy (returns False) instead of
    holding one more thread, so a distributed guesser cannot take every thread of the server."""

    def __init__(self, slots: int, sleep=time.sleep):
        self._slots = threading.BoundedSemaphore(max(1, slots))
        self._sleep = sleep

    def __call__(self, seconds: float) -> bool:
        if not self._slots.acquire(blocking=False):
            return False
        try:
            self._sleep(seconds)
            return True
        finally:
            self._slots.release()


@dataclass(frozen=True)
class SessionPolicy:
    lifetime: timedelta = timedelta(hours=12)  # absolute: from login
    idle: timedelta = timedelta(hours=2)  # since the last request


@dataclass(frozen=True)
class LoginResult:
    status: str  # ok | wrong | throttled
    user: dict | None = None


def token_hash(token: str) -> str:
    """Sessions are stored by the hash of the cookie value: a read of the table does not give working cookies."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def viewer_of(user: dict) -> Viewer:
    return Viewer(ACCOUNT_ROLES.get(user["role"], Role.PUBLIC), user["login"], user.get("department"))


class Accounts:
    def __init__(self, store: Store, departments: set[str] | None = None, policy: SessionPolicy | None = None,
                 throttle: Throttle | None = None):
        self.store = store
        self.departments = departments
        self.policy = policy or SessionPolicy()
        self.throttle = throttle or Throttle()

    # -------------------------------------------------------------------------------------------- accounts
    def _check(self, login: str, role: str, department: str | None) -> None:
        if not LOGIN_PATTERN.fullmatch(login or ""):
            raise AccountError(f"login name {login!r}: 2-64 characters a-z, 0-9, '.', '_', '@', '-'")
        if role not in ACCOUNT_ROLES:
            raise AccountError(f"role {role!r}: one of {', '.join(ACCOUNT_ROLES)}")
        if department is not None and self.departments is not None and department not in self.departments:
            raise AccountError(f"department {department!r}: not in the catalog "
                               f"(known: {', '.join(sorted(self.departments))})")

    def _strong(self, password: str, login: str) -> None:
        problem = passwords.weakness(password, login)
        if problem:
            raise AccountError(f"password refused: {problem}")

    def add_user(self, login: str, password: str | None, role: str = "staff", department: str | None = None,
                 display_name: str | None = None, actor: str | None = None, address: str | None = None) -> dict:
        self._check(login, role, department)
        if password is not None:
            self._strong(password, login)
        if self.store.user(login=login) is not None:
            raise AccountError(f"login name {login!r} exists already")
        self.store.add_user(login, display_name or login, role, department,
                            passwords.hash_password(password) if password is not None else None)
        self.store.audit("user.add", actor, login, address, f"role={role} department={department or '-'}")
        return self.store.user(login=login)

    def _existing(self, login: str) -> dict:
        user = self.store.user(login=login)
        if user is None:
            raise AccountError(f"no account {login!r}")
        return user

    def set_password(self, login: str, password: str, actor: str | None = None, address: str | None = None) -> None:
        """New password; every session of the account ends."""
        user = self._existing(login)
        self._strong(password, login)
        self.store.update_user(user["id"], revoke_sessions=True, password_hash=passwords.hash_password(password))
        self.store.audit("user.password", actor, login, address, "sessions revoked")

    def set_active(self, login: str, active: bool, actor: str | None = None, address: str | None = None) -> None:
        """Disable (sessions end at once) or enable an account."""
        user = self._existing(login)
        self.store.update_user(user["id"], revoke_sessions=not active, active=active)
        self.store.audit("user.enable" if active else "user.disable", actor, login, address)

    def set_role(self, login: str, role: str, department: str | None, actor: str | None = None,
                 address: str | None = None) -> None:
        user = self._existing(login)
        self._check(login, role, department)
        self.store.update_user(user["id"], revoke_sessions=True, role=role, department=department)
        self.store.audit("user.role", actor, login, address, f"role={role} department={department or '-'}")

    def revoke(self, login: str, actor: str | None = None, address: str | None = None) -> int:
        """End every session of an account (an admin's 'log out everywhere')."""
        count = self.store.revoke_sessions(user_id=self._existing(login)["id"])
        self.store.audit("session.revoke", actor, login, address, f"{count} sessions")
        return count

    def users(self) -> list[dict]:
        return self.store.users()

    def bootstrap_admin(self, password: str | None) -> bool:
        """COCKPIT_INTERNAL_PASSWORD as the first admin's password: creates the account `admin` once, when no
        account exists at all. Later changes of the variable change nothing (use `run.py user set-password`)."""
        if not password or self.store.count_users() > 0:
            return False
        try:
            self.add_user(BOOTSTRAP_LOGIN, None, "admin", display_name="Administrator", actor="bootstrap")
        except (AccountError, IntegrityError):  # created concurrently by another worker
            return False
        user = self._existing(BOOTSTRAP_LOGIN)
        self.store.update_user(user["id"], password_hash=passwords.hash_password(password))
        log.warning("created the first admin account %r from COCKPIT_INTERNAL_PASSWORD; change its password with "
                    "`python run.py user set-password %s` and unset the variable", BOOTSTRAP_LOGIN, BOOTSTRAP_LOGIN)
        return True

    # -------------------------------------------------------------------------------------------- login
    def throttled(self, login: str, address: str) -> bool:
        """Refused outright: this name from this address, or this address, failed too often (never the name alone)."""
        t = self.throttle
        return (self.store.login_failures(t.window, login=login, address=address, since_success=True) >= t.per_pair
                or self.store.login_failures(t.window, address=address) >= t.per_address)

    def delay(self, login: str) -> float:
        """Seconds an attempt on `login` waits now (failures on the name from every address)."""
        return self.throttle.delay(self.store.login_failures(self.throttle.window, login=login))

    def authenticate(self, login: str, password: str, address: str, sleep=time.sleep) -> LoginResult:
        """ok, wrong, throttled (refused: this pair or address failed too often) or busy (the name is delayed and
        too many delayed attempts wait already: `sleep` returned False; nothing was checked or counted)."""
        login = (login or "").strip().lower()[:64]
        if self.throttled(login, address):
            self.store.audit("login.throttled", None, login, address)
            return LoginResult("throttled")
        wait = self.delay(login) if login else 0.0
        # before the check, whatever the password: a guesser cannot learn the answer sooner
        if wait and sleep(wait) is False:
            self.store.audit("login.throttled", None, login, address, "busy: too many delayed attempts")
            return LoginResult("busy")
        user = self.store.user(login=login) if login else None
        ok = passwords.verify(user["password_hash"] if user else None, password)
        if not (ok and user["active"]):
            self.store.record_login_attempt(login, address, False)
            self.store.audit("login.failed", None, login, address,
                             "inactive" if ok else ("unknown login" if user is None else "wrong password"))
            return LoginResult("wrong")
        self.store.record_login_attempt(login, address, True)
        if passwords.needs_rehash(user["password_hash"]):
            self.store.update_user(user["id"], password_hash=passwords.hash_password(password))
        return LoginResult("ok", user)

    def attacked(self, since: timedelta = timedelta(hours=24), limit: int = 20) -> list[dict]:
        """Per login name over `since`: failed and refused attempts, addresses, the last attempt and the delay an
        attempt on the name gets now (for the admin page)."""
        rows = self.store.login_summary(since, limit)
        return [{**row, "delay": self.delay(row["login"])} for row in rows]

    def start_session(self, user: dict, address: str | None, how: str = "password") -> str:
        """A new session for `user`; returns the random value for the cookie (only its hash is stored)."""
        token = secrets.token_urlsafe(32)
        self.store.purge_sessions()  # forget ended sessions and old attempts (the audit log keeps the history)
        self.store.add_session(token_hash(token), user["id"], self.policy.lifetime, address)
        self.store.audit("login", user["login"], user["login"], address, how)
        return token

    def session(self, token: str | None) -> dict | None:
        """The live session of a cookie value with its user, or None."""
        if not token or len(token) > 128:
            return None
        return self.store.session_user(token_hash(token), self.policy.idle)

    def viewer(self, token: str | None) -> Viewer | None:
        found = self.session(token)
        return viewer_of(found) if found else None

    def end_session(self, token: str, address: str | None = None) -> None:
        found = self.session(token)
        self.store.revoke_sessions(id_hash=token_hash(token))
        if found:
            self.store.audit("logout", found["login"], found["login"], address)

    # -------------------------------------------------------------------------------------------- single sign-on
    def sso_user(self, subject: str, login: str, display_name: str, role: str, department: str | None,
                 address: str | None) -> dict:
        """The account of a single-sign-on identity, created on first login; role and department follow the
        identity provider's claims at every login."""
        user = self.store.user(oidc_subject=subject)
        if user is None:
            login = _free_login(self.store, login)
            self._check(login, role, department)
            self.store.add_user(login, display_name, role, department, None, oidc_subject=subject)
            self.store.audit("user.add", "sso", login, address, f"role={role} department={department or '-'}")
            return self.store.user(oidc_subject=subject)
        if not user["active"]:
            return user
        if (user["role"], user["department"]) != (role, department):
            self._check(user["login"], role, department)
            self.store.update_user(user["id"], revoke_sessions=True, role=role, department=department,
                                   display_name=display_name)
            self.store.audit("user.role", "sso", user["login"], address,
                             f"role={role} department={department or '-'}")
            user = self.store.user(oidc_subject=subject)
        return user


def _free_login(store: Store, wanted: str) -> str:
    base = re.sub(r"[^a-z0-9._@-]", "-", (wanted or "sso").lower())[:56].strip("-._@") or "sso"
    if len(base) < 2:
        base = f"sso-{base}"
    name, n = base, 1
    while store.user(login=name) is not None:
        n += 1
        name = f"{base}-{n}"
    return name
