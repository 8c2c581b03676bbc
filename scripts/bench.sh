#!/usr/bin/env bash
# Runs every benchmark in bench/ and prints its figures. Never part of `make test`.
#
# `make bench` runs the short version (WARTA_BENCH_SHORT=1, the default here): the data
# generator makes about a week of data (36 items) and the HTTP benchmark holds each load
# point 1 s, at 1 and 10 clients. The full run (docs/performance.md, "Ten years of data"):
#   WARTA_BENCH_SHORT=0 bash scripts/bench.sh
# WARTA_BENCH_DATABASES=sqlite (or postgres) limits generate + http_bench to one database;
# PostgreSQL is used when WARTA_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/
# warta_bench, dropped and created) answers.
set -euo pipefail
cd "$(dirname "$0")/.."
export WARTA_BENCH_SHORT="${WARTA_BENCH_SHORT-1}"
export WARTA_DATA_DIR="${WARTA_DATA_DIR:-$(mktemp -d)}"
for script in bench/*.py; do
    case "$(basename "$script")" in
        _*.py | generate.py | http_bench.py) continue ;;  # helpers; the pair below
    esac
    echo "== $script"
    if [ "$WARTA_BENCH_SHORT" = 1 ]; then
        # The short run's sizes (each script's own defaults are the full run's).
        case "$(basename "$script")" in
            media_bench.py) WARTA_BENCH_PHOTOS=5 .venv/bin/python "$script" ;;
            search_bench.py) WARTA_BENCH_ITEMS=2000 WARTA_BENCH_REPEAT=10 .venv/bin/python "$script" ;;
            audit_verify_bench.py) WARTA_BENCH_EVENTS=50000 .venv/bin/python "$script" ;;
            concurrency_bench.py) WARTA_BENCH_SECONDS=5 .venv/bin/python "$script" ;;
            transition_bench.py) WARTA_BENCH_ITEMS=10 .venv/bin/python "$script" ;;
            query_plans.py) .venv/bin/python "$script" --items 1000 --runs 10 ;;
            *) .venv/bin/python "$script" ;;
        esac
    else
        .venv/bin/python "$script"
    fi
done

databases="${WARTA_BENCH_DATABASES:-sqlite,postgres}"
pg_url="${WARTA_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/warta_bench}"
pg_answers() {
    .venv/bin/python - "$pg_url" <<'EOF' 2>/dev/null
import sys, dj_database_url, psycopg
c = dj_database_url.parse(sys.argv[1])
psycopg.connect(host=c["HOST"] or None, port=c["PORT"] or None, user=c["USER"] or None,
                password=c["PASSWORD"] or None, dbname="postgres", connect_timeout=5).close()
EOF
}
for database in ${databases//,/ }; do
    data="$(mktemp -d)"
    if [ "$database" = postgres ]; then
        if ! pg_answers; then
            echo "== PostgreSQL at $pg_url does not answer: generate/http_bench skipped there"
            continue
        fi
        url="$pg_url"
    else
        url="sqlite:///$data/warta.sqlite3"
    fi
    echo "== bench/generate.py ($database)"
    WARTA_DATA_DIR="$data" WARTA_DATABASE_URL="$url" .venv/bin/python bench/generate.py --fresh
    echo "== bench/http_bench.py ($database)"
    WARTA_DATA_DIR="$data" WARTA_DATABASE_URL="$url" .venv/bin/python bench/http_bench.py
    rm -rf "$data"
done
