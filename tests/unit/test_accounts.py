"""Accounts without the web: password hashing and strength, account rules, sessions, throttling, audit, the
scheduler lease, and the settings check - on SQLite and PostgreSQL where the database is involved."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest

from cockpit import PROJECT_ROOT
from cockpit.accounts import AccountError, Accounts, Throttle, passwords
from cockpit.accounts.checks import settings_problems
from cockpit.config import load_settings
from cockpit.roles import Role, Viewer, may_see, visible_levels

GOOD = "Zwei Fahrräder am Bahnhof Gera"
DEPARTMENTS = {"verkehr", "umweltamt", "abfallwirtschaft"}


@pytest.fixture
def accounts(store):
    return Accounts(store, DEPARTMENTS)


# ------------------------------------------------------------------------------------------------ passwords


def test_passwords_are_argon2id_hashes_that_verify():
    hashed = passwords.hash_password(GOOD)
    assert hashed.startswith("$argon2id$") and GOOD not in hashed
    assert passwords.verify(hashed, GOOD)
    assert not passwords.verify(hashed, GOOD + "!")
    assert not passwords.verify(None, GOOD)  # a single-sign-on account has no password
    assert not passwords.verify("not a hash", GOOD)
    assert passwords.hash_password(GOOD) != hashed  # salted


@pytest.mark.parametrize("password, reason", [
    ("kurz", "shorter than 12"),
    ("password1234", "common"),
    ("Passwort2026!", "common"),
    ("Sommer2026", "shorter"),
    ("willkommen123!!", "common"),
    ("aaaaaaaaaaaaaaaa", "different characters"),
    ("anna-ist-die-beste", "login name"),
])
def test_weak_passwords_are_refused(password, reason):
    assert reason in (passwords.weakness(password, "anna") or "")


def test_a_long_uncommon_password_is_accepted():
    assert passwords.weakness(GOOD, "anna") is None


# ------------------------------------------------------------------------------------------------ roles


def test_visible_levels_per_viewer():
    assert visible_levels(None) == ("public",)
    assert visible_levels(Role.PUBLIC) == ("public",)
    assert visible_levels("internal") == ("public", "internal")
    assert visible_levels(Viewer(Role.INTERNAL, "anna", "verkehr")) == ("public", "internal", "department:verkehr")
    assert visible_levels(Viewer(Role.PUBLIC, "anna", "verkehr")) == ("public",)
    assert visible_levels(Viewer(Role.ADMIN, "root")) == ("public", "internal", "department")
    assert visible_levels("superuser") == ("public",)


def test_may_see_follows_the_levels():
    staff = visible_levels(Viewer(Role.INTERNAL, "anna", "verkehr"))
    assert may_see(staff, "department", "verkehr")
    assert not may_see(staff, "department", "umweltamt")
    assert not may_see(staff, "department", None)
    assert may_see(visible_levels(Role.ADMIN), "department", "umweltamt")
    assert not may_see(visible_levels(Role.PUBLIC), "internal", "verkehr")


# ------------------------------------------------------------------------------------------------ accounts


def test_account_rules(accounts):
    accounts.add_user("anna", GOOD, "staff", "verkehr", "Anna Beispiel", actor="cli")
    with pytest.raises(AccountError, match="exists already"):
        accounts.add_user("anna", GOOD, "staff", "verkehr")
    with pytest.raises(AccountError, match="department 'bauamt'"):
        accounts.add_user("bert", GOOD, "staff", "bauamt")
    with pytest.raises(AccountError, match="role 'root'"):
        accounts.add_user("bert", GOOD, "root")
    with pytest.raises(AccountError, match="login name"):
        accounts.add_user("Bert Meier", GOOD)
    with pytest.raises(AccountError, match="password refused"):
        accounts.add_user("bert", "passwort123")
    with pytest.raises(AccountError, match="no account"):
        accounts.set_password("nobody", GOOD)
    (user,) = accounts.users()
    assert (user["login"], user["role"], user["department"], user["display_name"]) == (
        "anna", "staff", "verkehr", "Anna Beispiel")
    assert user["password_hash"].startswith("$argon2id$")


def test_login_session_logout_and_audit(accounts):
    accounts.add_user("anna", GOOD, "staff", "verkehr")
    assert accounts.authenticate("anna", "wrong password!", "10.0.0.1").status == "wrong"
    result = accounts.authenticate("Anna ", GOOD, "10.0.0.1")  # login names are not case-sensitive
    assert result.status == "ok"
    token = accounts.start_session(result.user, "10.0.0.1")
    assert accounts.viewer(token) == Viewer(Role.INTERNAL, "anna", "verkehr")
    assert accounts.viewer(token + "x") is None and accounts.viewer("") is None
    accounts.end_session(token, "10.0.0.1")
    assert accounts.viewer(token) is None
    log = [(e["action"], e["actor"], e["target"], e["address"]) for e in accounts.store.audit_entries()]
    assert log == [("logout", "anna", "anna", "10.0.0.1"), ("login", "anna", "anna", "10.0.0.1"),
                   ("login.failed", None, "anna", "10.0.0.1"), ("user.add", None, "anna", None)]


def test_the_session_table_holds_no_usable_cookie(accounts, store):
    from sqlalchemy import select

    from cockpit.store.schema import user_sessions

    accounts.add_user("anna", GOOD)
    token = accounts.start_session(accounts.authenticate("anna", GOOD, "a").user, "a")
    with store.engine.connect() as conn:
        (stored,) = conn.execute(select(user_sessions.c.id_hash)).scalars()
    assert token not in stored and accounts.viewer(stored) is None


def test_sessions_end_on_password_change_disable_role_change_and_revoke(accounts):
    accounts.add_user("anna", GOOD, "staff", "verkehr")

    def session():
        return accounts.start_session(accounts.authenticate("anna", GOOD, "a").user, "a")

    token = session()
    accounts.set_role("anna", "admin", None, actor="root")
    assert accounts.viewer(token) is None
    token = session()
    assert accounts.viewer(token).role == Role.ADMIN
    accounts.revoke("anna", actor="root")
    assert accounts.viewer(token) is None
    token = session()
    accounts.set_active("anna", False, actor="root")
    assert accounts.viewer(token) is None
    assert accounts.authenticate("anna", GOOD, "a").status == "wrong"
    accounts.set_active("anna", True, actor="root")
    token = session()
    accounts.set_password("anna", GOOD + " neu", actor="anna")
    assert accounts.viewer(token) is None
    actions = [e["action"] for e in accounts.store.audit_entries()]
    for action in ("user.role", "session.revoke", "user.disable", "user.enable", "user.password"):
        assert action in actions


def test_throttling_counts_in_the_database(store):
    """Two Accounts objects on one database (as two worker processes) share the counts."""
    throttle = Throttle(per_pair=3, per_address=7, delay_after=100)
    first, second = Accounts(store, throttle=throttle), Accounts(store, throttle=throttle)
    first.add_user("anna", GOOD)
    first.add_user("bert", GOOD)
    assert first.authenticate("anna", "wrong!", "10.0.0.1").status == "wrong"
    assert second.authenticate("anna", "wrong!", "10.0.0.1").status == "wrong"
    assert first.authenticate("anna", "wrong!", "10.0.0.1").status == "wrong"
    assert second.authenticate("anna", GOOD, "10.0.0.1").status == "throttled"  # per login and address
    assert second.authenticate("anna", GOOD, "10.0.0.2").status == "ok"  # another address is not affected
    assert first.authenticate("bert", GOOD, "10.0.0.1").status == "ok"  # nor another name at that address
    for login in ("c1", "c2", "c3", "c4", "c5", "c6", "c7"):
        first.authenticate(login, "wrong!", "10.9.9.9")
    assert first.authenticate("bert", GOOD, "10.9.9.9").status == "throttled"  # a sprayer's address


def test_failures_from_many_addresses_never_lock_the_owner_out(store):
    """A third party failing from many addresses only slows attempts on the name down; the owner with the right
    password gets in from a fresh address, after the (bounded) delay."""
    waits = []
    accounts = Accounts(store, throttle=Throttle(per_pair=5, delay_after=10, delay_start=0.5, delay_step=10,
                                                 delay_max=4.0))
    accounts.add_user("anna", GOOD)
    for n in range(60):  # 60 failures from 20 addresses, 3 each: no pair and no address reaches its limit
        assert accounts.authenticate("anna", "wrong!", f"127.0.0.{2 + n % 20}", sleep=waits.append).status == "wrong"
    assert len(waits) == 50 and waits[0] == 0.5 and waits[10] == 1.0 and waits[20] == 2.0 and max(waits) == 4.0
    waits.clear()
    result = accounts.authenticate("anna", GOOD, "127.0.0.99", sleep=waits.append)
    assert result.status == "ok" and waits == [4.0]  # delayed, never refused
    # the guesser keeps failing after the owner's success: the delay holds (a success resets no name count)
    assert accounts.authenticate("anna", "wrong!", "127.0.0.2", sleep=waits.append).status == "wrong"
    assert waits[-1] == 4.0
    # admins see it aggregated: one row for the name, 61 failures from 20 addresses, the current delay
    (row,) = [r for r in accounts.attacked() if r["login"] == "anna"]
    assert (row["failed"], row["throttled"], row["addresses"], row["delay"]) == (61, 0, 20, 4.0)


def test_delayed_attempts_hold_at_most_their_slots(store):
    """While every slot for delayed attempts is taken, a further attempt on an attacked name is answered at once
    as busy (nothing checked, nothing counted) instead of holding one more thread."""
    import threading

    from cockpit.accounts import BoundedSleep

    release = threading.Event()
    delays = BoundedSleep(1, sleep=lambda _seconds: release.wait(10))
    accounts = Accounts(store, throttle=Throttle(per_pair=100, delay_after=2))
    accounts.add_user("anna", GOOD)
    for n in range(2):
        accounts.authenticate("anna", "wrong!", f"127.0.0.{2 + n}")
    waiting = threading.Thread(target=accounts.authenticate, args=("anna", "wrong!", "127.0.0.4", delays))
    waiting.start()
    try:
        for _ in range(100):  # until the first delayed attempt holds the only slot
            if delays._slots._value == 0:
                break
            threading.Event().wait(0.02)
        assert accounts.authenticate("anna", GOOD, "127.0.0.5", sleep=delays).status == "busy"
    finally:
        release.set()
        waiting.join(10)
    assert accounts.authenticate("anna", GOOD, "127.0.0.5", sleep=delays).status == "ok"  # a slot is free again


def test_the_address_count_ignores_successes(store):
    """A sprayer with an own account cannot reset the count of its address by logging in now and then."""
    accounts = Accounts(store, throttle=Throttle(per_pair=5, per_address=20, delay_after=1000))
    accounts.add_user("mallory", GOOD)
    accounts.add_user("anna", GOOD)
    for n in range(19):
        assert accounts.authenticate(f"name{n}", "wrong!", "127.0.0.7").status == "wrong"
        if n % 5 == 0:
            assert accounts.authenticate("mallory", GOOD, "127.0.0.7").status == "ok"
    assert accounts.authenticate("name19", "wrong!", "127.0.0.7").status == "wrong"
    assert accounts.authenticate("mallory", GOOD, "127.0.0.7").status == "throttled"
    assert accounts.authenticate("anna", GOOD, "127.0.0.8").status == "ok"
    summary = {r["login"]: r for r in accounts.attacked()}
    assert summary["mallory"]["throttled"] == 1


def test_the_owner_after_typos_is_refused_only_at_that_address(store):
    accounts = Accounts(store, throttle=Throttle(per_pair=5))
    accounts.add_user("anna", GOOD)
    for _ in range(5):
        assert accounts.authenticate("anna", "Zwei Fahrräder", "127.0.0.5").status == "wrong"
    assert accounts.authenticate("anna", GOOD, "127.0.0.5").status == "throttled"
    assert accounts.authenticate("anna", GOOD, "127.0.0.6").status == "ok"


def test_bootstrap_admin_only_on_an_empty_user_table(accounts):
    assert accounts.bootstrap_admin(None) is False
    assert accounts.bootstrap_admin("kurz") is True  # the documented bootstrap (check-config warns about it)
    assert accounts.authenticate("admin", "kurz", "a").user["role"] == "admin"
    assert accounts.bootstrap_admin("another one entirely") is False
    assert accounts.authenticate("admin", "another one entirely", "a").status == "wrong"


def test_single_sign_on_accounts_follow_the_claims(accounts):
    user = accounts.sso_user("https://idp sub-1", "Anna.B@gera.de", "Anna B", "staff", "verkehr", "a")
    assert (user["login"], user["role"], user["password_hash"]) == ("anna.b@gera.de", "staff", None)
    token = accounts.start_session(user, "a", "sso")
    same = accounts.sso_user("https://idp sub-1", "anna.b@gera.de", "Anna B", "admin", None, "a")
    assert same["id"] == user["id"] and same["role"] == "admin"
    assert accounts.viewer(token) is None  # the role changed: old sessions end
    assert accounts.authenticate("anna.b@gera.de", "", "a").status == "wrong"  # no password login
    other = accounts.sso_user("https://idp sub-2", "anna.b@gera.de", "Anna C", "staff", None, "a")
    assert other["login"] == "anna.b@gera.de-2"


# ------------------------------------------------------------------------------------------------ lease


def test_only_one_process_holds_the_scheduler_lease(store):
    from cockpit.jobs.leader import LEASE, LeaderScheduler

    started = []

    class Fake:
        def start(self):
            started.append(self)

        def shutdown(self, wait=False):
            started.remove(self)

        def get_jobs(self):
            return []

    ttl = timedelta(seconds=30)
    one, two = LeaderScheduler(store, Fake, ttl), LeaderScheduler(store, Fake, ttl)
    assert one.tick() and not two.tick() and one.tick()
    assert len(started) == 1 and store.lease_holder(LEASE) == one.holder
    one.shutdown()  # releases the lease
    assert two.tick() and len(started) == 1
    assert not store.take_lease(LEASE, "a dead process", ttl)
    assert store.take_lease(LEASE, "a later process", timedelta(seconds=-1)) is False  # still held by two


def test_an_expired_lease_is_taken_over(store):
    assert store.take_lease("scheduler", "crashed", timedelta(seconds=-1))  # its lease has already run out
    assert store.take_lease("scheduler", "survivor", timedelta(seconds=30))
    assert store.lease_holder("scheduler") == "survivor"


# ------------------------------------------------------------------------------------------------ settings


def test_settings_check_rejects_weak_secrets_without_echoing_them():
    problems = settings_problems(load_settings(secret_key="geheim123", internal_password="passwort123"))
    text = "\n".join(problems)
    assert "COCKPIT_SECRET_KEY: too weak" in text and "COCKPIT_INTERNAL_PASSWORD: password refused" in text
    assert "geheim123" not in text and "passwort123" not in text
    assert settings_problems(load_settings(secret_key="9c1f0e7a5b3d2c48e6a1f7b09d3c5e2a4b6d8f0a1c3e5a7b9d2f4a6c8e0b1d3f", internal_password=GOOD)) == []


def test_several_workers_need_a_shared_secret():
    (problem,) = settings_problems(load_settings(workers=2))
    assert problem.startswith("COCKPIT_SECRET_KEY: required when COCKPIT_WORKERS > 1")


def test_single_sign_on_settings_are_complete():
    problems = "\n".join(settings_problems(load_settings(oidc_issuer="https://login.example.org/realms/city")))
    for name in ("COCKPIT_OIDC_CLIENT_ID", "COCKPIT_OIDC_CLIENT_SECRET", "COCKPIT_OIDC_ROLES"):
        assert name in problems
    with pytest.raises(Exception, match="COCKPIT_OIDC_ROLES"):
        load_settings(oidc_roles={"group": "root"})
    with pytest.raises(Exception, match="COCKPIT_OIDC_ISSUER"):
        load_settings(oidc_issuer="http://login.example.org")


def test_check_config_command_refuses_a_weak_secret(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "COCKPIT_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
           "COCKPIT_SECRET_KEY": "changeme"}
    result = subprocess.run([sys.executable, str(PROJECT_ROOT / "run.py"), "check-config"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "COCKPIT_SECRET_KEY: too weak" in result.stderr and "changeme" not in result.stderr
