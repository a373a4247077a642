"""The audit log for admins: on the admin page filterable and paged, failed logins (which anyone can cause)
summarised so that a flood of them does not push real entries off; on the command line (`audit`, `user list`)
with the control characters an attacker typed shown as escapes, never sent to the terminal. Both backends."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from cockpit import PROJECT_ROOT
from cockpit.accounts import Accounts
from cockpit.config import load_settings
from cockpit.runtime import open_cockpit
from cockpit.views import clear_cache
from tests.fixtures.forms import post_login

PASSWORD = "Ein langes Passwort für das Protokoll 2026"


@pytest.fixture
def cockpit(tmp_path, database_url):
    clear_cache()
    cockpit = open_cockpit(load_settings(database_url=database_url, load_demo=False,
                                         secret_key="audit-test-secret-0123456789"))
    accounts = Accounts(cockpit.store, {d.id for d in cockpit.catalog.departments})
    accounts.add_user("chef", PASSWORD, "admin", None, actor="cli")
    accounts.add_user("staff", PASSWORD, "staff", None, actor="cli")
    for n in range(120):  # real entries (written directly: 120 password hashes would take minutes)
        cockpit.store.audit("user.role", "cli", f"staff-{n:03d}", None, "staff")
    for n in range(600):  # a flood of failed logins from a few addresses, after the real entries
        cockpit.store.audit("login.failed", None, f"guess-{n % 3}", f"203.0.113.{n % 4}", "wrong password")
    return cockpit


@pytest.fixture
def admin(cockpit):
    from layouts.app import create_app

    client = create_app(cockpit).server.test_client()
    assert post_login(client, {"username": "chef", "password": PASSWORD}).status_code == 303
    return client


def rows(page: str) -> list[str]:
    """The audit table's rows (the table after the filter form)."""
    table = page.split('class="accounts-admin__count"')[1].split("</table>")[0]
    return re.findall(r"<tr><td>.*?</tr>", table, flags=re.S)


def test_failed_logins_are_summarised_and_do_not_push_real_entries_off(admin):
    page = admin.get("/admin/accounts?lang=de").get_data(as_text=True)
    entries = rows(page)
    assert len(entries) == 50 and all("login.failed" not in r for r in entries)
    assert "login" in entries[0] and "chef" in entries[0]  # this admin's own login
    assert "staff-119" in entries[1]  # the newest real entry is next, despite 600 newer failures
    assert "600 fehlgeschlagene Anmeldungen in den letzten 7 Tagen" in page
    assert page.count("guess-0") == 4 and 'id="login-attacks"' not in page  # one summary, not two overlapping
    summary = page.split('class="accounts-admin__failures"')[1].split("</section>")[0]
    assert summary.count('<tr><td class="accounts-admin__tried">') == 12  # 3 names x 4 addresses
    assert '<td class="accounts-admin__tried">guess-0</td><td>203.0.113.0</td><td class="num">50</td>' in summary
    assert "Seite 1 von 3 · 123 Einträge" in page


def test_the_audit_log_pages_and_filters(admin):
    page2 = admin.get("/admin/accounts?lang=de&page=2").get_data(as_text=True)
    assert "staff-070" in rows(page2)[0] and "Seite 2 von 3" in page2
    assert 'rel="prev"' in page2 and 'rel="next"' in page2
    page3 = admin.get("/admin/accounts?lang=de&page=3").get_data(as_text=True)
    assert len(rows(page3)) == 23 and 'rel="next"' not in page3
    for junk in ("abc", "0", "-1", "99999999999", "%00"):
        response = admin.get(f"/admin/accounts?lang=de&page={junk}")
        assert response.status_code in (200, 400) and response.status_code < 500
    failures = admin.get("/admin/accounts?lang=en&action=login.failed").get_data(as_text=True)
    assert all("login.failed" in r for r in rows(failures)) and "Page 1 of 12 · 600 entries" in failures
    one = admin.get("/admin/accounts?lang=de&account=staff-007").get_data(as_text=True)
    assert len(rows(one)) == 1 and "staff-007" in rows(one)[0]
    by_address = admin.get("/admin/accounts?lang=de&action=login.failed&address=203.0.113.1").get_data(as_text=True)
    assert "150 Einträge" in by_address
    unknown = admin.get("/admin/accounts?lang=de&action=drop%20table").get_data(as_text=True)
    assert "123 Einträge" in unknown  # an unknown action is no filter


def test_staff_do_not_get_the_audit_page(cockpit):
    from layouts.app import create_app

    client = create_app(cockpit).server.test_client()
    assert post_login(client, {"username": "staff", "password": PASSWORD}).status_code == 303
    assert client.get("/admin/accounts?lang=de&action=login.failed").status_code == 404


def test_the_command_line_escapes_control_characters(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    cockpit = open_cockpit(load_settings(database_url=url, load_demo=False))
    evil = "x\x1b]2;owned\x07\x1b[2J\r\nFAKE ENTRY\u202e"
    cockpit.store.audit("login.failed", None, evil[:60], "203.0.113.9", "wrong password")
    Accounts(cockpit.store, set()).sso_user("issuer sub-1", "anna", "Anna\x1b[31m", "staff", None, "203.0.113.9")
    env = {"PATH": "/usr/bin:/bin", "COCKPIT_DATABASE_URL": url, "COCKPIT_LOAD_DEMO": "false"}
    for command in (["audit"], ["user", "list"]):
        result = subprocess.run([sys.executable, str(PROJECT_ROOT / "run.py"), *command], env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout and "\u202e" not in result.stdout
        assert "\r" not in result.stdout
    audit = subprocess.run([sys.executable, str(PROJECT_ROOT / "run.py"), "audit"], env=env, capture_output=True,
                           text=True, timeout=120).stdout
    assert "x\\x1b]2;owned\\x07\\x1b[2J\\r\\nFAKE ENTRY\\u202e" in audit
    assert not any(line.startswith("FAKE ENTRY") for line in audit.splitlines())
