#!/usr/bin/env bash
# A throw-away PostgreSQL for fnhost's tests (tests/it/filters_pg.rs, the store's PostgreSQL
# mode): a cluster of its own in a scratch directory, listening on 127.0.0.1 only, with a role
# and database `fnhost` (password `fnhost`).
#
#   tests/pg/start.sh          start it (or find it running) and print its URL on stdout:
#                              export FNHOST_TEST_PG=$(tests/pg/start.sh)
#   tests/pg/start.sh stop     stop it (the directory stays; FNHOST_PG_DIR=... start.sh reuses it)
#
# Settings: FNHOST_PG_DIR (default /tmp/fnhost-pg-$USER), FNHOST_PG_PORT (default 55432; the next
# free port is taken when another program holds it). Progress goes to stderr. As root, the Debian
# package `postgresql` is installed when missing and the server runs as the `postgres` user.
set -euo pipefail

user=$(id -un)
dir=${FNHOST_PG_DIR:-/tmp/fnhost-pg-$user}
port=${FNHOST_PG_PORT:-55432}
say() { echo "tests/pg/start.sh: $*" >&2; }

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
if [ -z "$(bindir)" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    say "PostgreSQL is not installed: sudo apt-get install postgresql (or run this as root)"
    exit 1
  fi
  say "installing the postgresql package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi
bin=$(bindir)

# initdb and postgres refuse to run as root: run them as `postgres`, which owns the directory.
if [ "$(id -u)" -eq 0 ]; then
  as_owner() { runuser -u postgres -- "$@"; }
  owner=postgres
else
  as_owner() { "$@"; }
  owner=$user
fi
data=$dir/data

if [ "${1:-start}" = stop ]; then
  if [ -f "$data/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >&2
  fi
  exit 0
fi

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [ -f "$data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  port=$(sed -n 4p "$data/postmaster.pid")
  say "already running in $dir on port $port"
else
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$dir"
    chown "$owner" "$dir"
    chmod 700 "$dir"
    say "creating a cluster in $data"
    pwfile=$dir/pwfile
    echo postgres >"$pwfile"
    chown "$owner" "$pwfile"
    as_owner "$bin/initdb" -D "$data" -U postgres --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    rm -f "$pwfile"
  fi
  tries=0
  while listening "$port"; do
    tries=$((tries + 1))
    if [ "$tries" -gt 20 ]; then say "no free port from ${FNHOST_PG_PORT:-55432}"; exit 1; fi
    port=$((port + 1))
  done
  say "starting on 127.0.0.1:$port"
  # The socket lives in the cluster's directory: /var/run/postgresql may be missing or another's.
  as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir" start >&2 \
    || { cat "$dir/server.log" >&2; exit 1; }
fi

psql() { as_owner "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres "$@"; }
if [ "$(psql -At -d postgres -c "select 1 from pg_roles where rolname = 'fnhost'")" != 1 ]; then
  psql -d postgres -c "create role fnhost login password 'fnhost'"
fi
if [ "$(psql -At -d postgres -c "select 1 from pg_database where datname = 'fnhost'")" != 1 ]; then
  psql -d postgres -c "create database fnhost owner fnhost"
fi
echo "postgres://fnhost:fnhost@127.0.0.1:$port/fnhost"
