"""Wall tokens on SQLite and PostgreSQL: stored hashed, found while active, revoked for good; the CLI."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cockpit.cli import main
from cockpit.store.schema import wall_tokens
from cockpit.store.wall_tokens import hash_token


def test_a_token_is_stored_only_as_its_hash(store):
    token, record = store.create_wall_token("Ratssaal", ("energy", "goals"), internal=True)
    assert len(token) > 40 and record.name == "Ratssaal" and record.internal and record.active
    with store.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(wall_tokens))]
    assert token not in repr(rows)
    assert rows[0]["token_hash"] == hash_token(token)
    found = store.wall_token(token)
    assert found is not None and found.id == record.id
    assert found.slides == ("energy", "goals")


def test_unknown_empty_and_oversized_tokens_match_nothing(store):
    token, _ = store.create_wall_token("Foyer")
    assert store.wall_token(token + "x") is None
    assert store.wall_token("") is None and store.wall_token(None) is None
    assert store.wall_token("x" * 10_000) is None
    assert store.wall_token(hash_token(token)) is None  # the stored hash is not a token


def test_revoked_tokens_never_match_again(store):
    token, record = store.create_wall_token("Ratssaal", internal=True)
    other, _ = store.create_wall_token("Foyer")
    assert store.revoke_wall_token("Ratssaal") == 1
    assert store.wall_token(token) is None
    assert store.wall_token(other) is not None
    assert store.revoke_wall_token("Ratssaal") == 0  # already revoked
    assert store.revoke_wall_token(str(record.id)) == 0
    assert store.revoke_wall_token("nobody") == 0
    listed = {t.name: t for t in store.wall_tokens()}
    assert not listed["Ratssaal"].active and listed["Foyer"].active


@pytest.fixture
def cli_database(tmp_path, monkeypatch):
    monkeypatch.setenv("COCKPIT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("COCKPIT_LOAD_DEMO", "false")


def test_cli_create_list_revoke(cli_database, capsys):
    assert main(["wall-token", "create", "Ratssaal", "--slides", "energy,indicator:co2-per-inhabitant",
                 "--internal", "--base-url", "https://cockpit.example/"]) == 0
    out = capsys.readouterr().out
    token = next(line for line in out.splitlines() if line.startswith("wall_"))
    assert f"https://cockpit.example/wall?token={token}" in out
    assert main(["wall-token", "list"]) == 0
    listed = capsys.readouterr().out
    assert "Ratssaal" in listed and "internal" in listed and "active" in listed and token not in listed
    assert main(["wall-token", "revoke", "Ratssaal"]) == 0
    capsys.readouterr()
    assert main(["wall-token", "list"]) == 0
    assert "revoked" in capsys.readouterr().out
    assert main(["wall-token", "revoke", "Ratssaal"]) == 1
    assert "no active wall token" in capsys.readouterr().err


def test_cli_refuses_unknown_slides(cli_database, capsys):
    assert main(["wall-token", "create", "Foyer", "--slides", "energy,indicator:nope,weather"]) == 2
    err = capsys.readouterr().err
    assert "indicator:nope" in err and "weather" in err
    assert main(["wall-token", "list"]) == 0
    assert "no wall tokens" in capsys.readouterr().out
