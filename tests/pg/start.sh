#!/usr/bin/env bash
# A throw-away PostgreSQL for fnhost's tests (tests/it/filters_pg.rs, the store's PostgreSQL
# mode, the npm `pg` jobs in tests/node_ext): a cluster of its own in a scratch directory,
# listening on 127.0.0.1 only, with a role and database `fnhost` (password `fnhost`, stored as
# scram-sha-256). Also, for the login and TLS tests (tests/node_ext/pg_auth.js):
#   - role `fnhost_md5` (password `fnhost`, stored as md5; host logins from 127.0.0.1 use md5)
#   - role `fnhost_trust` (no password; host logins from 127.0.0.1 are trusted)
#   - `ssl = on` with a throw-away CA made by openssl: $dir/ca.pem signs $dir/server.crt
#     (127.0.0.1 and localhost). Plain connections keep working. Tests that only have the URL
#     read the CA's PEM text from the server: `show fnhost.test_ca` (a setting of the database
#     `fnhost`, readable by any role).
# Running it again finds the cluster (also one an older version of this script made) and brings
# it up to date: missing roles, certificates, pg_hba.conf lines and settings are added, and the
# server reloads its configuration (no restart: other tests may be using it).
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
  while :; do
    while listening "$port"; do
      tries=$((tries + 1))
      if [ "$tries" -gt 20 ]; then say "no free port from ${FNHOST_PG_PORT:-55432}"; exit 1; fi
      port=$((port + 1))
    done
    say "starting on 127.0.0.1:$port"
    # The socket lives in the cluster's directory: /var/run/postgresql may be missing or another's.
    : >"$dir/server.log"
    chown "$owner" "$dir/server.log" 2>/dev/null || true
    if as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir" start >&2; then
      break
    fi
    # Another program may have taken the port between the probe and the bind (two test runs
    # starting clusters at once): try the next one.
    if grep -q "Address already in use" "$dir/server.log" && [ "$tries" -lt 20 ]; then
      tries=$((tries + 1))
      port=$((port + 1))
      continue
    fi
    cat "$dir/server.log" >&2
    exit 1
  done
fi

psql() { as_owner "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres "$@"; }
if [ "$(psql -At -d postgres -c "select 1 from pg_roles where rolname = 'fnhost'")" != 1 ]; then
  psql -d postgres -c "create role fnhost login password 'fnhost'"
fi
if [ "$(psql -At -d postgres -c "select 1 from pg_database where datname = 'fnhost'")" != 1 ]; then
  psql -d postgres -c "create database fnhost owner fnhost"
fi

# The roles for the trust and md5 logins.
role() { [ "$(psql -At -d postgres -c "select 1 from pg_roles where rolname = '$1'")" = 1 ]; }
role fnhost_trust || psql -d postgres -c "create role fnhost_trust login"
role fnhost_md5 || psql -d postgres -c "create role fnhost_md5 login"
if [ "$(psql -At -d postgres -c "select rolpassword like 'md5%' from pg_authid where rolname = 'fnhost_md5'")" != t ]; then
  psql -d postgres -c "set password_encryption = 'md5'; alter role fnhost_md5 password 'fnhost'"
fi

# The certificates: a CA (key thrown away once it has signed) and the server's, for 10 years.
if [ ! -f "$dir/server.key" ] || [ ! -f "$dir/server.crt" ] || [ ! -f "$dir/ca.pem" ]; then
  if ! command -v openssl >/dev/null; then
    if [ "$(id -u)" -ne 0 ]; then say "openssl is not installed: sudo apt-get install openssl"; exit 1; fi
    say "installing the openssl package"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null
  fi
  say "making a CA and a server certificate in $dir"
  tmp=$(mktemp -d)
  (
    cd "$tmp"
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >san.ext
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=fnhost test PostgreSQL CA" \
      -keyout ca.key -out ca.pem
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile san.ext -out server.crt
  ) >"$dir/openssl.log" 2>&1 || { cat "$dir/openssl.log" >&2; rm -rf "$tmp"; exit 1; }
  install -m 600 -o "$owner" "$tmp/server.key" "$dir/server.key"
  install -m 644 -o "$owner" "$tmp/server.crt" "$dir/server.crt"
  install -m 644 -o "$owner" "$tmp/ca.pem" "$dir/ca.pem"
  rm -rf "$tmp"
fi

# pg_hba.conf: the first matching line wins, so these go before the generic `host` lines.
reload=
hba=$data/pg_hba.conf
if ! grep -q '^# tests/pg/start.sh: trust and md5 roles' "$hba"; then
  say "adding the trust and md5 lines to $hba"
  {
    echo "# tests/pg/start.sh: trust and md5 roles"
    echo "host    all             fnhost_trust    127.0.0.1/32            trust"
    echo "host    all             fnhost_md5      127.0.0.1/32            md5"
    cat "$hba"
  } >"$hba.new"
  cat "$hba.new" >"$hba" # keeps the file's owner and mode
  rm -f "$hba.new"
  reload=1
fi
want="on|$dir/server.crt|$dir/server.key"
if [ "$(psql -At -d postgres -c "select concat_ws('|', current_setting('ssl'), current_setting('ssl_cert_file'), current_setting('ssl_key_file'))")" != "$want" ]; then
  say "turning ssl on"
  psql -d postgres -c "alter system set ssl_cert_file = '$dir/server.crt'"
  psql -d postgres -c "alter system set ssl_key_file = '$dir/server.key'"
  psql -d postgres -c "alter system set ssl = on"
  reload=1
fi
if [ -n "$reload" ]; then
  psql -d postgres -c "select pg_reload_conf()" >/dev/null
fi
# The CA's text for tests that only have the URL (`show fnhost.test_ca`).
ca=$(cat "$dir/ca.pem")
if [ "$(psql -At -d fnhost -c "select current_setting('fnhost.test_ca', true)")" != "$ca" ]; then
  psql -d postgres -v ca="$ca" <<<"alter database fnhost set fnhost.test_ca = :'ca'"
fi

# Check that the logins work as described (the reload takes effect a moment later).
check() {
  as_owner env PGPASSWORD=fnhost "$bin/psql" -X -At -c "select 1" \
    "host=127.0.0.1 port=$port dbname=fnhost user=$1 sslmode=$2 sslrootcert=$dir/ca.pem" 2>&1
}
tries=0
until [ "$(check fnhost_trust verify-full)" = 1 ] && [ "$(check fnhost_md5 disable)" = 1 ] \
  && [ "$(check fnhost disable)" = 1 ]; do
  tries=$((tries + 1))
  if [ "$tries" -gt 50 ]; then
    say "the logins do not work as they should:"
    check fnhost_trust verify-full >&2 || true
    check fnhost_md5 disable >&2 || true
    check fnhost disable >&2 || true
    exit 1
  fi
  sleep 0.1
done
echo "postgres://fnhost:fnhost@127.0.0.1:$port/fnhost"
