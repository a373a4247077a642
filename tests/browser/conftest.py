"""Browser tests: Debian's Chromium driven by Playwright against the real app on a free port.

The app runs on a temp SQLite database filled through the real pipeline (catalog, sources, connectors,
ingest) from the shipped demo sources; nothing is faked.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from cockpit.accounts import Accounts
from cockpit.config import load_settings
from cockpit.runtime import open_cockpit
from tests.conftest import require

CHROMIUM = Path("/usr/bin/chromium")
INTERNAL_PASSWORD = "browser-test-password"  # bootstrap password of the first admin account `admin`
STAFF_LOGIN, STAFF_PASSWORD, STAFF_DEPARTMENT = "staff-verkehr", "Browser test staff password", "verkehr"


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not CHROMIUM.exists():
        require(False, "Debian's Chromium (/usr/bin/chromium)")
    return {
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1600, "height": 1000}, "locale": "de-DE",
            "timezone_id": "Europe/Berlin"}


@pytest.fixture(scope="session")
def demo_cockpit(tmp_path_factory):
    """A cockpit on a fresh database, filled once by ingesting every configured (demo) source."""
    database = tmp_path_factory.mktemp("browser") / "cockpit.db"
    settings = load_settings(database_url=f"sqlite:///{database}", load_demo=True,
                             internal_password=INTERNAL_PASSWORD, secret_key="browser-test-secret")
    cockpit = open_cockpit(settings)
    cockpit.load_demo_if_empty()
    accounts = Accounts(cockpit.store)
    accounts.bootstrap_admin(INTERNAL_PASSWORD)  # what the app does on an empty account table
    accounts.add_user(STAFF_LOGIN, STAFF_PASSWORD, "staff", STAFF_DEPARTMENT)
    return cockpit


def login(page, app_url: str, username: str = "admin", password: str = INTERNAL_PASSWORD, lang: str = "de"):
    """Log in through the login form like a user (admin = the bootstrap account; STAFF_LOGIN = a staff account)."""
    page.goto(f"{app_url}/login?lang={lang}")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.fixture(scope="session")
def app_url(demo_cockpit):
    """The real app (layouts.app.create_app) served by werkzeug in a background thread."""
    from layouts.app import create_app

    app = create_app(demo_cockpit)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="cockpit-test-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@dataclass
class Watch:
    """What the browser reported while a test ran: script errors, failed requests and requests that left the app."""

    origin: str
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.failed == [], self.failed
        assert self.requests, "no request was logged"
        assert self.foreign == [], f"requests that left {self.origin}: {self.foreign}"


@pytest.fixture
def watch(page, app_url: str) -> Watch:
    """Listens on the test's page from its first request on (console errors, page errors, failures, hosts)."""
    found = Watch(origin=app_url)

    def on_request(request):
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        found.requests.append(request.url)
        if f"{parts.scheme}://{parts.netloc}" != app_url or parts.hostname != "127.0.0.1":
            found.foreign.append(request.url)

    page.on("console", lambda msg: found.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: found.errors.append(str(exc)))
    page.on("requestfailed", lambda request: found.failed.append(f"{request.url}: {request.failure}"))
    page.on("request", on_request)
    return found
