#!/usr/bin/env bash
# Start the local PostgreSQL cluster and make the hotline's role and databases (idempotent).
set -euo pipefail
cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')
if [ -z "$cluster" ]; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  pg_createcluster "$version" main >/dev/null
  cluster="$version main"
fi
pg_ctlcluster $cluster start 2>/dev/null || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 && break
  sleep 0.5
done
psql_as_postgres() { su postgres -c "psql -v ON_ERROR_STOP=1 -qtAc \"$1\""; }
# The suite keeps several apps in one process (PostgreSQL and SQLite halves of the in-process
# API tests, the production and fuzz apps, serve processes), each with its own pool: 100
# connections ran out in a full run, and `make test` runs six such processes side by side
# (tests/workers.py). Raised once, then the cluster is restarted for it.
if [ "$(psql_as_postgres "SHOW max_connections")" -lt 1500 ]; then
  psql_as_postgres "ALTER SYSTEM SET max_connections = 1500"
  pg_ctlcluster $cluster restart
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 && break
    sleep 0.5
  done
fi
[ "$(psql_as_postgres "SELECT 1 FROM pg_roles WHERE rolname='hotline'")" = "1" ] ||
  psql_as_postgres "CREATE ROLE hotline LOGIN PASSWORD 'hotline'"
# One database per test family that owns its schema, so they never drop each other's; the
# families' again for each parallel test worker after the first (tests/workers.py: WORKERS).
dbs="hotline hotline_staffing"
for family in hotline_test hotline_orders hotline_fuzz hotline_backup_test; do
  dbs="$dbs $family"
  for worker in 1 2 3 4 5; do dbs="$dbs ${family}_gw$worker"; done
done
for db in $dbs; do
  [ "$(psql_as_postgres "SELECT 1 FROM pg_database WHERE datname='$db'")" = "1" ] ||
    su postgres -c "createdb -O hotline $db"
done
echo "PostgreSQL ready: postgresql+asyncpg://hotline:hotline@127.0.0.1:5432/hotline_test"
