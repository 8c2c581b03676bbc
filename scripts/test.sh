#!/usr/bin/env bash
# Runs lint, the translation check and the test suite on SQLite and PostgreSQL in parallel.
# Arguments go to pytest (e.g. test paths: `make test-long` runs only the random-action tests).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
# Hypothesis profile (tests/conftest.py): "ci" runs the same examples every time.
export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"
ARTIFACTS=artifacts/test
mkdir -p "$ARTIFACTS"

echo "== ruff"
"$BIN/ruff" check src tests bench || exit 1
"$BIN/ruff" format --check src tests bench || exit 1

# The browser tests drive Debian's chromium (Playwright never downloads a browser here).
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
    echo "== installing Debian's chromium for the browser tests"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get install -y -q chromium >/dev/null 2>&1 || {
        $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q chromium >/dev/null
    } || { echo "could not install chromium"; exit 1; }
fi

# tests/media reads the public renditions back with exiftool too (an independent reader).
if ! command -v exiftool >/dev/null 2>&1; then
    echo "== installing Debian's exiftool for the media tests"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get install -y -q -o DPkg::Lock::Timeout=600 libimage-exiftool-perl >/dev/null 2>&1 || {
        $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q libimage-exiftool-perl >/dev/null
    } || { echo "could not install exiftool"; exit 1; }
fi

# tests/test_nginx_config.py runs the sample nginx site (deploy/nginx/warta.conf) in Debian's nginx.
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    echo "== installing Debian's nginx for the reverse-proxy test"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get install -y -q nginx >/dev/null 2>&1 || {
        $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q nginx >/dev/null
    } || { echo "could not install nginx"; exit 1; }
fi

# tests/publishing/test_platform_wordpress.py runs Debian's WordPress under php -S on the local
# MariaDB (127.0.0.1:3306, root without a password, as on the development and CI machines).
if [ ! -f /usr/share/wordpress/wp-settings.php ] || ! command -v php >/dev/null 2>&1; then
    echo "== installing Debian's wordpress, php-cli and php-mysql for the WordPress tests"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    PKGS="wordpress php-cli php-mysql"
    $SUDO apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends $PKGS >/dev/null 2>&1 || {
        $SUDO apt-get update -q >/dev/null && \
        $SUDO apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends $PKGS >/dev/null
    } || { echo "could not install wordpress/php"; exit 1; }
fi
export WARTA_REQUIRE_WORDPRESS=1

PG_URL="${WARTA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/warta}"
pg_ok=0
if "$BIN/python" - "$PG_URL" <<'PY'
import sys
import dj_database_url
import psycopg
cfg = dj_database_url.parse(sys.argv[1])
try:
    psycopg.connect(host=cfg["HOST"], port=cfg["PORT"] or 5432, user=cfg["USER"],
                    password=cfg["PASSWORD"] or None, dbname="postgres", connect_timeout=5).close()
except Exception as exc:
    print(f"PostgreSQL not reachable at {cfg['HOST']}:{cfg['PORT']}: {exc}", file=sys.stderr)
    sys.exit(1)
PY
then pg_ok=1; fi

run_suite() {  # name, database url, extra env
    local name=$1 url=$2
    local data_dir
    data_dir=$(mktemp -d)
    WARTA_DATA_DIR="$data_dir" WARTA_DATABASE_URL="$url" WARTA_TEST_SUITE="$name" \
        "$BIN/pytest" -p no:cacheprovider -q "${@:3}" >"$ARTIFACTS/pytest-$name.log" 2>&1
    local rc=$?
    rm -rf "$data_dir"
    return $rc
}

echo "== pytest on SQLite$( [ $pg_ok = 1 ] && echo ' and PostgreSQL, in parallel')"
run_suite sqlite "sqlite:///$(mktemp -d)/warta.sqlite3" "$@" &
sqlite_pid=$!
if [ $pg_ok = 1 ]; then
    run_suite postgresql "$PG_URL" "$@" &
    pg_pid=$!
fi

wait $sqlite_pid; sqlite_rc=$?
echo "---- SQLite ----"; cat "$ARTIFACTS/pytest-sqlite.log"
pg_rc=0
if [ $pg_ok = 1 ]; then
    wait $pg_pid; pg_rc=$?
    echo "---- PostgreSQL ----"; cat "$ARTIFACTS/pytest-postgresql.log"
else
    echo
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    echo "!! PostgreSQL IS NOT REACHABLE: the PostgreSQL half of the suite was SKIPPED.     !!"
    echo "!! Start a server (or set WARTA_TEST_POSTGRES_URL) to run it.                    !!"
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    if [ "${WARTA_REQUIRE_POSTGRES:-0}" = 1 ]; then
        echo "WARTA_REQUIRE_POSTGRES=1: a skipped PostgreSQL suite is a failure."
        pg_rc=1
    fi
fi
echo "== results: sqlite rc=$sqlite_rc, postgresql rc=$pg_rc"
# One closing line for both suites together, in the plain "N passed, N failed" form.
"$BIN/python" - "$ARTIFACTS"/pytest-*.log <<'PY'
import re, sys
totals = {"passed": 0, "failed": 0, "skipped": 0, "error": 0}
for path in sys.argv[1:]:
    lines = [l for l in open(path, encoding="utf-8", errors="replace") if re.search(r"\d+ (passed|failed|error)", l)]
    for count, word in re.findall(r"(\d+) (passed|failed|skipped|errors?)", lines[-1] if lines else ""):
        totals["error" if word.startswith("error") else word] += int(count)
print(f"total: {totals['passed']} passed, {totals['failed'] + totals['error']} failed, {totals['skipped']} skipped")
PY
[ $sqlite_rc = 0 ] && [ $pg_rc = 0 ]
