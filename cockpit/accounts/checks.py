"""Settings that are valid one by one but unsafe: weak secrets and passwords, a missing shared secret.

`python run.py check-config` reports them and `python run.py serve` refuses to start with them; messages name
the setting and never echo its value."""

from __future__ import annotations

from cockpit.accounts.passwords import weakness
from cockpit.config import Settings

MIN_SECRET_LENGTH = 32
SECRET_HINT = "python -c 'import secrets; print(secrets.token_hex(32))'"


def secret_weakness(secret: str) -> str | None:
    if len(secret) < MIN_SECRET_LENGTH:
        return f"shorter than {MIN_SECRET_LENGTH} characters"
    if len(set(secret)) < 10:
        return "too few different characters"
    problem = weakness(secret)
    return problem if problem and "common" in problem else None


def settings_problems(settings: Settings) -> list[str]:
    problems = []
    if settings.secret_key is not None:
        problem = secret_weakness(settings.secret_key)
        if problem:
            problems.append(f"COCKPIT_SECRET_KEY: too weak ({problem}); make one with {SECRET_HINT}")
    elif settings.workers > 1:
        problems.append(f"COCKPIT_SECRET_KEY: required when COCKPIT_WORKERS > 1 (the workers must share it); "
                        f"make one with {SECRET_HINT}")
    if settings.internal_password:
        problem = weakness(settings.internal_password, "admin")
        if problem:
            problems.append(f"COCKPIT_INTERNAL_PASSWORD: password refused ({problem})")
    if settings.oidc_issuer:
        for name in ("oidc_client_id", "oidc_client_secret"):
            if not getattr(settings, name):
                problems.append(f"COCKPIT_{name.upper()}: required when COCKPIT_OIDC_ISSUER is set")
        if settings.oidc_client_secret and len(settings.oidc_client_secret) < 16:
            problems.append("COCKPIT_OIDC_CLIENT_SECRET: too weak (shorter than 16 characters)")
        if not settings.oidc_roles:
            problems.append("COCKPIT_OIDC_ROLES: required when COCKPIT_OIDC_ISSUER is set, e.g. "
                            '{"cockpit-staff": "staff", "cockpit-admins": "admin"}')
    return problems
