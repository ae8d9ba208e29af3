#!/usr/bin/env bash
# Entry point of harness-local/postgres:15: the official postgres image's contract, reimplemented for
# Debian's postgresql-15 (see ../README.md for what is and is not covered).
#
#   POSTGRES_PASSWORD     required (unless POSTGRES_HOST_AUTH_METHOD=trust): password of POSTGRES_USER
#   POSTGRES_USER         superuser created by initdb (default: postgres)
#   POSTGRES_DB           database created on first start (default: $POSTGRES_USER)
#   POSTGRES_INITDB_ARGS  extra initdb arguments
#   POSTGRES_HOST_AUTH_METHOD  pg_hba method for connections over TCP (default: scram-sha-256)
#   PGDATA                data directory (default: /var/lib/postgresql/data)
#   *_FILE                POSTGRES_PASSWORD_FILE etc.: read the value from a file (docker secrets)
#   /docker-entrypoint-initdb.d/*.sh|*.sql|*.sql.gz   run once, after the database is created
set -Eeuo pipefail

# file_env VAR [DEFAULT]: VAR's value, else the content of the file named by VAR_FILE, else DEFAULT.
file_env() {
  local var=$1 file_var="${1}_FILE" default=${2:-} value
  if [ -n "${!var:-}" ] && [ -n "${!file_var:-}" ]; then
    echo >&2 "error: both $var and $file_var are set (but are exclusive)"
    exit 1
  fi
  value=$default
  if [ -n "${!var:-}" ]; then
    value=${!var}
  elif [ -n "${!file_var:-}" ]; then
    value=$(<"${!file_var}")
  fi
  export "$var=$value"
  unset "$file_var"
}

setup_env() {
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_INITDB_ARGS
  # PostgreSQL 15's default password_encryption; the official image derives it the same way.
  : "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"
  export POSTGRES_HOST_AUTH_METHOD
}

# The official image refuses to create a database nobody can log into over the network.
verify_password_set() {
  if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
    cat >&2 <<'MSG'
Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the
       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".

       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all
       connections without a password. This is *not* recommended.
MSG
    exit 1
  fi
}

init_database_dir() {
  # The password reaches initdb through a pipe, never argv or a file. The process substitution must
  # be on initdb's own command line: bash closes it as soon as the command that created it ends.
  # Word splitting of POSTGRES_INITDB_ARGS is intended (a list of options, as in the official image).
  if [ -n "$POSTGRES_PASSWORD" ]; then
    # shellcheck disable=SC2086
    initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") $POSTGRES_INITDB_ARGS
  else
    # shellcheck disable=SC2086
    initdb --username="$POSTGRES_USER" $POSTGRES_INITDB_ARGS
  fi
  # Inside the container (socket, 127.0.0.1) initdb's default stays: trust. Over the network: a password.
  printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >>"$PGDATA/pg_hba.conf"
}

psql_init() {
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc "$@"
}

# Runs /docker-entrypoint-initdb.d/* in name order, like the official image.
run_init_files() {
  local f
  for f in /docker-entrypoint-initdb.d/*; do
    [ -e "$f" ] || continue
    case "$f" in
      *.sh)
        if [ -x "$f" ]; then
          echo "$0: running $f"
          "$f"
        else
          echo "$0: sourcing $f"
          # shellcheck disable=SC1090
          . "$f"
        fi
        ;;
      *.sql)
        echo "$0: running $f"
        psql_init --dbname "$POSTGRES_DB" -f "$f"
        ;;
      *.sql.gz)
        echo "$0: running $f"
        gunzip -c "$f" | psql_init --dbname "$POSTGRES_DB"
        ;;
      *) echo "$0: ignoring $f" ;;
    esac
  done
}

# First start: initdb, then a temporary server on the Unix socket only (so nothing can connect over
# TCP, and pg_isready -h 127.0.0.1 stays false until the real server is up) to create the database.
first_start_init() {
  verify_password_set
  init_database_dir
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
  if [ "$POSTGRES_DB" != postgres ]; then
    psql_init --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
  fi
  run_init_files
  pg_ctl -D "$PGDATA" -m fast -w stop
  echo
  echo 'PostgreSQL init process complete; ready for start up.'
  echo
}

# True if the server is only asked to print something (as the official image's _pg_want_help).
wants_help() {
  local arg
  for arg in "$@"; do
    case "$arg" in
      '-?' | --help | --describe-config | -V | --version | -C | -C*) return 0 ;;
    esac
  done
  return 1
}

main() {
  [ "$#" -gt 0 ] || set -- postgres
  # Only options (`-c max_connections=200`): they are for the server.
  if [ "${1:0:1}" = '-' ]; then
    set -- postgres "$@"
  fi
  # Anything else (psql, pg_isready, bash, …) runs as given; so does `postgres --version` and the like.
  if [ "$1" != postgres ] || wants_help "$@"; then
    exec "$@"
  fi

  setup_env
  # The server refuses to run as root: as root, own the data and socket directories, then run this
  # script again as postgres (the official image uses gosu; setpriv comes with util-linux).
  if [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA" /var/run/postgresql
    find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' +
    chmod 00700 "$PGDATA"
    chown postgres:postgres /var/run/postgresql
    chmod 03775 /var/run/postgresql
    HOME=/var/lib/postgresql exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
  fi

  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    first_start_init
  else
    echo
    echo 'PostgreSQL Database directory appears to contain a database; Skipping initialization'
    echo
  fi
  exec "$@"
}

main "$@"
