#!/usr/bin/env bash
# The two README commands:
#   ./dev.sh run    set up .venv, install nginx (root + apt), migrate, load the demo data on first start,
#                   serve http://127.0.0.1:8050 (gunicorn behind nginx, as in production; docs/security.md)
#   ./dev.sh test   set up .venv with the test extra, install nginx/Chromium/PostgreSQL/Mosquitto (root + apt), run pytest
# Extra arguments go to `run.py serve` or to pytest.
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
SYSTEM_PACKAGES=(chromium postgresql mosquitto fonts-dejavu-core redis-server nginx-light)

ensure_venv() {  # create/refresh .venv; reinstall only when pyproject.toml changed
  local extra=$1 stamp=".venv/.installed$1"
  if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python >= 3.11 needed" >&2; exit 1; }
    "$PYTHON" -m venv .venv
  fi
  local want; want=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    # uv (from PyPI, into the venv) installs in seconds; plain pip is the fallback
    [ -x .venv/bin/uv ] || .venv/bin/python -m pip install --quiet --disable-pip-version-check uv 2>/dev/null || true
    if ! { [ -x .venv/bin/uv ] && .venv/bin/uv pip install --quiet --python .venv/bin/python -e ".$extra"; }; then
      .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".$extra"
    fi
    echo "$want" > "$stamp"
  fi
}

missing_system_packages() {
  local missing=()
  [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx-light)
  [ "${1:-}" = run ] && { echo "${missing[@]:-}"; return; }
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing+=(postgresql)
  [ -x /usr/sbin/mosquitto ] || command -v mosquitto >/dev/null 2>&1 || missing+=(mosquitto)
  fc-list 2>/dev/null | grep -qi dejavu || missing+=(fonts-dejavu-core)
  [ -x /usr/bin/redis-server ] || command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  echo "${missing[@]:-}"
}

ensure_system_packages() {  # all of them for `test`; only nginx for `run`
  local missing; missing=$(missing_system_packages "${1:-}")
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing system packages: $missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    echo "missing system packages: $missing (install them with apt-get as root);" \
         "their test groups are skipped (under CI=true they fail); serve needs nginx-light" >&2
  fi
}

case "${1:-}" in
  run)
    shift
    ensure_system_packages run
    ensure_venv ""
    exec .venv/bin/python run.py serve "$@"
    ;;
  test)
    shift
    ensure_system_packages
    ensure_venv "[test]"
    # one pytest worker per core (a file's tests stay on one worker, so its module fixtures start once);
    # `./dev.sh test -n 0` runs in one process
    exec .venv/bin/python -m pytest -n "${TEST_WORKERS:-auto}" --dist loadfile "$@"
    ;;
  *)
    echo "usage: ./dev.sh run [serve options] | ./dev.sh test [pytest options]" >&2
    exit 2
    ;;
esac
