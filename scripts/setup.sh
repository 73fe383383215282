#!/usr/bin/env bash
# Creates the project's Python venv (.venv) with the pinned cfn-lint and moto, and
# installs the pinned YAML language server (tools/editor) that the editor tests drive,
# and PostgreSQL with pg_cron for the tests that start a real server (tests/support/postgres.rs; on
# Debian/Ubuntu with apt-get, as root — CI runs this script as root). Idempotent: re-running only installs what changed in scripts/requirements.txt or
# tools/editor/package-lock.json.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
req="$root/scripts/requirements.txt"
stamp="$venv/.requirements.sha256"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
  echo "setup: creating $venv" >&2
  "$python" -m venv "$venv"
fi
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
  echo "setup: installing pinned Python tools (cfn-lint, moto)" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
  echo "$want" > "$stamp"
fi
"$venv/bin/cfn-lint" --version >&2

# The YAML language server editors run on stacks/*.yaml (tests/editor_schema.rs).
editor="$root/tools/editor"
editor_stamp="$editor/node_modules/.package-lock.sha256"
if ! command -v npm >/dev/null; then
  echo "setup: npm not found; install Node.js (20 or newer) with npm, then re-run scripts/setup.sh" >&2
  exit 1
fi
want="$(sha256sum "$editor/package-lock.json" | cut -d' ' -f1)"
if [ "$(cat "$editor_stamp" 2>/dev/null || true)" != "$want" ]; then
  echo "setup: installing the pinned YAML language server (npm ci in tools/editor)" >&2
  (cd "$editor" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$editor_stamp"
fi
echo "yaml-language-server $(node -p 'require(process.argv[1]).version' "$editor/node_modules/yaml-language-server/package.json")" >&2

# Installs Debian packages for a missing test dependency, or says what to do and exits 1
# where apt-get or root is not available. $1: what is missing; $2: what is wrong and how
# to install it by hand; the rest: the packages.
apt_install() {
  local what="$1" by_hand="$2"
  shift 2
  if ! command -v apt-get >/dev/null; then
    echo "setup: $what not found ($by_hand), then re-run scripts/setup.sh" >&2
    exit 1
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: $what is missing; run scripts/setup.sh as root, or: sudo apt-get install -y $*" >&2
    exit 1
  fi
  echo "setup: installing $what (apt-get install $*)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# A real PostgreSQL for the tests that start one (tests/database_layer.rs): the tests run
# /usr/lib/postgresql/<version>/bin/{initdb,postgres} (or $PG_BIN) themselves; no service is used.
if [ -n "${PG_BIN:-}" ]; then
  if [ ! -x "$PG_BIN/initdb" ]; then
    echo "setup: PG_BIN=$PG_BIN has no initdb; point it at a PostgreSQL bin folder or unset it" >&2
    exit 1
  fi
  initdb="$PG_BIN/initdb"
else
  if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    apt_install PostgreSQL "no /usr/lib/postgresql/*/bin/initdb; install PostgreSQL 15 or newer and set PG_BIN to its bin folder" postgresql
  fi
  initdb="$(compgen -G "/usr/lib/postgresql/*/bin/initdb" | sort -V | tail -n 1)"
fi
"$initdb" --version >&2

# pg_cron for the database bootstrap's test (tests/database_bootstrap.rs preloads it, as the
# RDS parameter group does): Debian's postgresql-<major>-cron for the PostgreSQL found above.
pg_lib="$("$(dirname "$initdb")/pg_config" --pkglibdir)"
if [ ! -f "$pg_lib/pg_cron.so" ]; then
  pg_major="$("$initdb" --version | sed -E 's/.* ([0-9]+)(\.[0-9]+)?.*/\1/')"
  apt_install pg_cron "no pg_cron in $pg_lib; install pg_cron for PostgreSQL $pg_major" "postgresql-$pg_major-cron"
fi
pg_share="$("$(dirname "$initdb")/pg_config" --sharedir)"
echo "pg_cron $(sed -nE "s/^default_version = '(.*)'/\1/p" "$pg_share/extension/pg_cron.control")" >&2

# A real Redis cluster for the cache invalidator's tests
# (examples/functions/cache-invalidator/index.test.js): the test starts three
# `redis-server --cluster-enabled yes` nodes and joins them with `redis-cli --cluster create`
# itself; no service is used.
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  apt_install Redis "no redis-server/redis-cli on PATH; install Redis 7 (server and CLI) and put them on PATH" redis-server redis-tools
fi
redis-server --version >&2
