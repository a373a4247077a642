"""Settings: defaults for the embedded run, and a bad setting stops the start with its name."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cockpit import PROJECT_ROOT
from cockpit.config import ConfigError, load_settings


def test_defaults_are_the_embedded_run(monkeypatch):
    for name in ("COCKPIT_DATABASE_URL", "COCKPIT_PORT", "COCKPIT_CATALOG"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.database_url.startswith("sqlite:///")
    assert settings.port == 8050 and settings.host == "127.0.0.1"
    assert settings.catalog == PROJECT_ROOT / "data" / "catalog.yaml"


@pytest.mark.parametrize(("name", "value", "message"), [
    ("COCKPIT_PORT", "eighty", "COCKPIT_PORT"),
    ("COCKPIT_PORT", "70000", "COCKPIT_PORT"),
    ("COCKPIT_DATABASE_URL", "mysql://localhost/x", "COCKPIT_DATABASE_URL: Value error, must start with sqlite:"),
    ("COCKPIT_CATALOG", "/nonexistent/catalog.yaml", "COCKPIT_CATALOG: Value error, file not found"),
    ("COCKPIT_DEFAULT_LANG", "fr", "COCKPIT_DEFAULT_LANG"),
    ("COCKPIT_TIMEZONE", "Mars/Olympus", "COCKPIT_TIMEZONE"),
    ("COCKPIT_SCHEDULER", "perhaps", "COCKPIT_SCHEDULER"),
])
def test_bad_setting_is_named(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert message in str(err.value)


@pytest.mark.parametrize(("env", "message"), [
    ({"COCKPIT_DATABASE_URL": "postgresql://db/cockpit", "COCKPIT_DATABASE_READ_URL": "sqlite:///x.db"},
     "COCKPIT_DATABASE_READ_URL: Value error, must be a postgresql: URL of a streaming replica"),
    ({"COCKPIT_DATABASE_URL": "sqlite:///x.db", "COCKPIT_DATABASE_READ_URL": "postgresql://replica/cockpit"},
     "COCKPIT_DATABASE_READ_URL needs a PostgreSQL primary in COCKPIT_DATABASE_URL"),
    ({"COCKPIT_DATABASE_URL": "postgresql://db/cockpit", "COCKPIT_DATABASE_READ_URL": "postgresql://replica/c",
      "COCKPIT_DATABASE_READ_WAIT": "-1"}, "COCKPIT_DATABASE_READ_WAIT"),
])
def test_check_config_refuses_a_read_replica_it_cannot_use(tmp_path, env, message):
    result = subprocess.run([sys.executable, str(PROJECT_ROOT / "run.py"), "check-config"],
                            env={**env, "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_a_read_replica_of_a_postgresql_primary_is_accepted():
    settings = load_settings(database_url="postgresql://db/cockpit", database_read_url="postgresql://replica/cockpit")
    assert settings.database_read_url == "postgresql://replica/cockpit" and settings.database_read_wait == 0.2


def test_bad_setting_stops_the_start_with_a_message(tmp_path):
    env = {"COCKPIT_PORT": "not-a-port", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, str(PROJECT_ROOT / "run.py"), "check-config"], env=env,
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2
    assert "COCKPIT_PORT" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_catalog_stops_check_config_naming_file_entry_and_field(tmp_path, monkeypatch):
    bad = tmp_path / "catalog.yaml"
    text = (PROJECT_ROOT / "data" / "catalog.yaml").read_text(encoding="utf-8")
    bad.write_text(text.replace("aggregation: last", "aggregation: latest", 1), encoding="utf-8")
    env = {"COCKPIT_CATALOG": str(bad), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, str(PROJECT_ROOT / "run.py"), "check-config"], env=env,
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert f"{bad}: indicators[0] (id 'co2-per-inhabitant'): field 'aggregation'" in result.stderr


def check_config(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(PROJECT_ROOT / "run.py"), "check-config", *args],
                          env={"PATH": "/usr/bin:/bin", **env}, capture_output=True, text=True, cwd=tmp_path,
                          timeout=120)


def test_check_config_warns_when_a_production_cockpit_has_no_public_url(tmp_path):
    """Links in mails, reports and DCAT need COCKPIT_PUBLIC_URL: check-config says so for a production setup
    (listening beyond loopback, behind a proxy, or --production), not for a local try-out."""
    for args, env in (((), {"COCKPIT_HOST": "0.0.0.0"}), ((), {"COCKPIT_TRUSTED_PROXIES": "1"}),
                      (("--production",), {})):
        result = check_config(tmp_path, *args, **env)
        assert result.returncode == 0, result.stderr
        assert "warning: COCKPIT_PUBLIC_URL is not set: links in mails, council reports, the DCAT catalogue" \
            in result.stderr, (args, env)
    configured = check_config(tmp_path, "--production", COCKPIT_HOST="0.0.0.0",
                              COCKPIT_PUBLIC_URL="https://cockpit.gera.de")
    assert configured.returncode == 0 and "COCKPIT_PUBLIC_URL" not in configured.stderr
    local = check_config(tmp_path)
    assert local.returncode == 0 and "warning" not in local.stderr
