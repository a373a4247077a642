"""SQL of accounts: users, server-side sessions, login attempts, audit log and the scheduler lease."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, case, delete, func, insert, or_, select, update

from cockpit.store.schema import audit_log, login_attempts, scheduler_leases, user_sessions, users

USER_COLUMNS = ("id", "login", "display_name", "department", "role", "active", "password_hash", "oidc_subject",
                "created_at", "updated_at")


def _user(row) -> dict | None:
    return None if row is None else {name: row[name] for name in USER_COLUMNS}


# ------------------------------------------------------------------------------------------------ users


def add_user(conn: Connection, now: datetime, **values) -> int:
    result = conn.execute(insert(users).values(created_at=now, updated_at=now, **values))
    return int(result.inserted_primary_key[0])


def get_user(conn: Connection, *, login: str | None = None, user_id: int | None = None,
             oidc_subject: str | None = None) -> dict | None:
    query = select(users)
    if login is not None:
        query = query.where(users.c.login == login)
    elif user_id is not None:
        query = query.where(users.c.id == user_id)
    elif oidc_subject is not None:
        query = query.where(users.c.oidc_subject == oidc_subject)
    else:
        raise ValueError("login, user_id or oidc_subject needed")
    return _user(conn.execute(query).mappings().first())


def list_users(conn: Connection) -> list[dict]:
    return [_user(row) for row in conn.execute(select(users).order_by(users.c.login)).mappings()]


def count_users(conn: Connection, role: str | None = None) -> int:
    query = select(func.count()).select_from(users)
    if role is not None:
        query = query.where(users.c.role == role, users.c.active.is_(True))
    return int(conn.execute(query).scalar_one())


def update_user(conn: Connection, user_id: int, now: datetime, **values) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(updated_at=now, **values))


# ------------------------------------------------------------------------------------------------ sessions


def add_session(conn: Connection, id_hash: str, user_id: int, now: datetime, expires_at: datetime,
                address: str | None) -> None:
    conn.execute(insert(user_sessions).values(id_hash=id_hash, user_id=user_id, created_at=now, last_seen_at=now,
                                              expires_at=expires_at, address=address))


def session_with_user(conn: Connection, id_hash: str, now: datetime, idle: timedelta) -> dict | None:
    """The live session (not revoked, not past its absolute end nor idle too long) and its active user."""
    query = select(
        user_sessions.c.id_hash, user_sessions.c.last_seen_at, user_sessions.c.expires_at,
        users.c.id.label("user_id"), users.c.login, users.c.display_name, users.c.department, users.c.role,
    ).select_from(user_sessions.join(users, users.c.id == user_sessions.c.user_id)).where(
        user_sessions.c.id_hash == id_hash,
        user_sessions.c.revoked_at.is_(None),
        user_sessions.c.expires_at > now,
        user_sessions.c.last_seen_at > now - idle,
        users.c.active.is_(True),
    )
    row = conn.execute(query).mappings().first()
    return dict(row) if row is not None else None


def touch_session(conn: Connection, id_hash: str, now: datetime) -> None:
    conn.execute(update(user_sessions).where(user_sessions.c.id_hash == id_hash).values(last_seen_at=now))


def revoke_sessions(conn: Connection, now: datetime, *, id_hash: str | None = None,
                    user_id: int | None = None) -> int:
    condition = user_sessions.c.id_hash == id_hash if id_hash is not None else user_sessions.c.user_id == user_id
    result = conn.execute(update(user_sessions).where(condition, user_sessions.c.revoked_at.is_(None))
                          .values(revoked_at=now))
    return result.rowcount or 0


def purge(conn: Connection, before: datetime) -> None:
    """Forget ended sessions and old login attempts (the audit log keeps the history)."""
    conn.execute(delete(user_sessions).where(or_(user_sessions.c.expires_at < before,
                                                 user_sessions.c.revoked_at < before)))
    conn.execute(delete(login_attempts).where(login_attempts.c.at < before))


# ------------------------------------------------------------------------------------------------ throttling


def add_attempt(conn: Connection, now: datetime, login: str, address: str, success: bool) -> None:
    conn.execute(insert(login_attempts).values(at=now, login=login, address=address, success=success))


def recent_failures(conn: Connection, since: datetime, *, login: str | None = None,
                    address: str | None = None, since_success: bool = False) -> int:
    """Failed attempts since `since` for a login, an address, or both together; with `since_success` only those
    after the last success of the same login/address (a success by someone else never resets a count)."""
    conditions = []
    if login is not None:
        conditions.append(login_attempts.c.login == login)
    if address is not None:
        conditions.append(login_attempts.c.address == address)
    start = since
    if since_success:
        last_success = select(func.max(login_attempts.c.at)).where(*conditions, login_attempts.c.success.is_(True))
        last = conn.execute(last_success).scalar_one_or_none()
        start = max(since, last) if last is not None else since
    query = select(func.count()).select_from(login_attempts).where(
        and_(*conditions), login_attempts.c.success.is_(False), login_attempts.c.at > start)
    return int(conn.execute(query).scalar_one())


def login_summary(conn: Connection, since: datetime, limit: int) -> list[dict]:
    """Failed and refused (throttled) logins since `since` per login name, from the audit log: failed, throttled,
    the number of different addresses and the last attempt; the most attacked names first."""
    failed = func.sum(case((audit_log.c.action == "login.failed", 1), else_=0))
    throttled = func.sum(case((audit_log.c.action == "login.throttled", 1), else_=0))
    query = (select(audit_log.c.target.label("login"), failed.label("failed"), throttled.label("throttled"),
                    func.count(func.distinct(audit_log.c.address)).label("addresses"), func.max(audit_log.c.at)
                    .label("last"))
             .where(audit_log.c.at >= since, audit_log.c.action.in_(("login.failed", "login.throttled")),
                    audit_log.c.target.is_not(None))
             .group_by(audit_log.c.target)
             .order_by((failed + throttled).desc(), audit_log.c.target).limit(limit))
    return [{**row, "failed": int(row["failed"] or 0), "throttled": int(row["throttled"] or 0)}
            for row in (dict(r) for r in conn.execute(query).mappings())]


# ------------------------------------------------------------------------------------------------ audit


def add_audit(conn: Connection, now: datetime, action: str, actor: str | None, target: str | None,
              address: str | None, detail: str | None) -> None:
    conn.execute(insert(audit_log).values(at=now, action=action, actor=actor, target=target, address=address,
                                          detail=detail))


def read_audit(conn: Connection, limit: int, since: datetime | None = None, action: str | None = None) -> list[dict]:
    query = select(audit_log)
    if since is not None:
        query = query.where(audit_log.c.at >= since)
    if action is not None:
        query = query.where(audit_log.c.action == action)
    query = query.order_by(audit_log.c.at.desc(), audit_log.c.id.desc()).limit(limit)
    return [dict(row) for row in conn.execute(query).mappings()]


FAILED_LOGIN = "login.failed"  # written without a session: anyone can add these, so they are summarised


def _audit_where(query, action: str | None, account: str | None, address: str | None, since: datetime | None,
                 failures: bool):
    if action:
        query = query.where(audit_log.c.action == action)
    elif not failures:
        query = query.where(audit_log.c.action != FAILED_LOGIN)
    if account:
        query = query.where(or_(audit_log.c.actor == account, audit_log.c.target == account))
    if address:
        query = query.where(audit_log.c.address == address)
    if since is not None:
        query = query.where(audit_log.c.at >= since)
    return query


def read_audit_page(conn: Connection, offset: int, limit: int, action: str | None = None, account: str | None = None,
                    address: str | None = None, since: datetime | None = None) -> tuple[list[dict], int]:
    """One page of the audit log, newest first, and the number of matching entries. Failed logins appear only
    when asked for (`action='login.failed'`); otherwise see `read_failed_logins`."""
    where = dict(action=action, account=account, address=address, since=since, failures=False)
    total = conn.execute(_audit_where(select(func.count()).select_from(audit_log), **where)).scalar_one()
    query = _audit_where(select(audit_log), **where)
    query = query.order_by(audit_log.c.at.desc(), audit_log.c.id.desc()).offset(offset).limit(limit)
    return [dict(row) for row in conn.execute(query).mappings()], int(total)


def read_failed_logins(conn: Connection, since: datetime, account: str | None = None, address: str | None = None,
                       limit: int = 20) -> tuple[list[dict], int]:
    """Failed logins since `since`, summarised per (account name tried, address): count and last time, most
    frequent first; and the number of failed logins in all."""
    where = dict(action=FAILED_LOGIN, account=account, address=address, since=since, failures=True)
    total = conn.execute(_audit_where(select(func.count()).select_from(audit_log), **where)).scalar_one()
    count = func.count().label("count")
    query = _audit_where(select(audit_log.c.target, audit_log.c.address, count, func.max(audit_log.c.at).label("last")),
                         **where)
    query = query.group_by(audit_log.c.target, audit_log.c.address).order_by(count.desc(), audit_log.c.target,
                                                                              audit_log.c.address).limit(limit)
    return [dict(row) for row in conn.execute(query).mappings()], int(total)


def read_audit_actions(conn: Connection) -> list[str]:
    return sorted(r[0] for r in conn.execute(select(audit_log.c.action).distinct()))


# ------------------------------------------------------------------------------------------------ lease


def take_lease(conn: Connection, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease `name` for `holder` unless another holder's lease is still running."""
    expires = now + ttl
    result = conn.execute(update(scheduler_leases).where(
        scheduler_leases.c.name == name,
        or_(scheduler_leases.c.holder == holder, scheduler_leases.c.expires_at <= now),
    ).values(holder=holder, expires_at=expires))
    if result.rowcount:
        return True
    exists = conn.execute(select(scheduler_leases.c.name).where(scheduler_leases.c.name == name)).first()
    if exists is not None:
        return False
    conn.execute(insert(scheduler_leases).values(name=name, holder=holder, expires_at=expires))
    return True


def drop_lease(conn: Connection, name: str, holder: str) -> None:
    conn.execute(delete(scheduler_leases).where(scheduler_leases.c.name == name,
                                                scheduler_leases.c.holder == holder))


def lease_holder(conn: Connection, name: str, now: datetime) -> str | None:
    return conn.execute(select(scheduler_leases.c.holder).where(
        scheduler_leases.c.name == name, scheduler_leases.c.expires_at > now)).scalar_one_or_none()
